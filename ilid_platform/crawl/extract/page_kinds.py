"""What kind of page a url or a heading names: a contact, legal, about, cart, login or blog
page is no product page, whatever it shows. Words only; the site-level pass decides whether
a heading is the page's own (`SiteStats.negative`)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import lxml.etree

from ilid_platform.crawl.extract.html import text_of

# Words a catalog also names products with ("press": a hydraulic press) are left out.
_NEGATIVE_SLUGS = {
    "contact": "contact",
    "contacts": "contact",
    "contact-us": "contact",
    "contactus": "contact",
    "kontakt": "contact",
    "kontakty": "contact",
    "contacto": "contact",
    "contato": "contact",
    "contatti": "contact",
    "lien-he": "contact",
    "impressum": "legal",
    "imprint": "legal",
    "legal": "legal",
    "privacy": "legal",
    "privacy-policy": "legal",
    "datenschutz": "legal",
    "terms": "legal",
    "terms-and-conditions": "legal",
    "agb": "legal",
    "cgv": "legal",
    "about": "about",
    "about-us": "about",
    "aboutus": "about",
    "ueber-uns": "about",
    "uber-uns": "about",
    "o-nas": "about",
    "o-kompanii": "about",
    "company": "about",
    "gioi-thieu": "about",
    "sobre": "about",
    "chi-siamo": "about",
    "faq": "faq",
    "faqs": "faq",
    "help": "faq",
    "hilfe": "faq",
    "cart": "cart",
    "basket": "cart",
    "warenkorb": "cart",
    "panier": "cart",
    "carrito": "cart",
    "carrinho": "cart",
    "checkout": "cart",
    "kasse": "cart",
    "login": "login",
    "signin": "login",
    "sign-in": "login",
    "register": "login",
    "account": "login",
    "my-account": "login",
    "wishlist": "cart",
    "compare": "cart",
    "search": "search",
    "sitemap": "search",
    "blog": "blog",
    "news": "blog",
    "shipping": "legal",
    "delivery": "legal",
    "returns": "legal",
    "payment": "legal",
    "services": "about",
    "service": "about",
    "uslugi": "about",
    "projects": "blog",
    "project": "blog",
    "portfolio": "blog",
    "case-studies": "blog",
    "case-study": "blog",
    "references": "blog",
    "careers": "about",
    "jobs": "about",
    "events": "blog",
    "downloads": "search",
    # A company's pages about itself, beside its catalog.
    "gallery": "about",
    "photo-gallery": "about",
    "clients": "about",
    "our-clients": "about",
    "infrastructure": "about",
    "certificates": "about",
    "certificate": "about",
    "certifications": "about",
    "certification": "about",
    "quality": "about",
    "quality-policy": "about",
    "team": "about",
    "our-team": "about",
    "mission": "about",
    "vision": "about",
    "history": "about",
    "testimonials": "about",
    "awards": "about",
    "why-us": "about",
    "why-choose-us": "about",
    "partners": "about",
    "dealers": "about",
    "distributors": "about",
    "videos": "blog",
    "enquiry": "contact",
    "inquiry": "contact",
    "get-a-quote": "contact",
    "request-a-quote": "contact",
    # The same kinds of page in more languages of company sites.
    "iletisim": "contact",
    "bize-ulasin": "contact",
    "nous-contacter": "contact",
    "hakkimizda": "about",
    "kurumsal": "about",
    "quienes-somos": "about",
    "nosotros": "about",
    "quem-somos": "about",
    "sobre-nos": "about",
    "a-propos": "about",
    "qui-sommes-nous": "about",
    "mentions-legales": "legal",
    "aviso-legal": "legal",
    "hizmetler": "about",
    "hizmetlerimiz": "about",
    "leistungen": "about",
    "servicios": "about",
    "servicos": "about",
    "servizi": "about",
    "referenzen": "blog",
    "referanslar": "blog",
    "haberler": "blog",
    "noticias": "blog",
    "novosti": "blog",
    "dostavka": "legal",
    "oplata": "legal",
    # Chinese sites name their folders in pinyin, whole or by initials.
    "lianxi": "contact",
    "lianxiwomen": "contact",
    "lxwm": "contact",
    "guanyu": "about",
    "guanyuwomen": "about",
    "gywm": "about",
    "fuwu": "about",
    "xinwen": "blog",
    "anli": "blog",
}

_NEGATIVE_FOLDERS = {
    "blog",
    "news",
    "account",
    "my-account",
    "cart",
    "checkout",
    "pages",
    "legal",
    "projects",
    "portfolio",
    "case-studies",
    "case-study",
    "references",
    "careers",
    "jobs",
    "events",
    "services",
    "service",
    "uslugi",
    "hizmetler",
    "leistungen",
    "servicios",
    "servizi",
    "haberler",
    "noticias",
    "novosti",
    "fuwu",
    "xinwen",
    "anli",
}

_NEGATIVE_HEADINGS = re.compile(
    r"^(contact( us)?|contacts|kontakt|contacto|contato|impressum|imprint|about( us)?"
    r"|über uns|ueber uns|faq|frequently asked questions|shopping cart|your cart|warenkorb"
    r"|panier|carrito|carrinho|корзина|контакты|о компании|login|log in|sign in|my account"
    r"|terms( and conditions)?|privacy( policy)?|datenschutz(erklärung)?|liên hệ|giới thiệu"
    # A company's pages about itself: its history, who it is.
    r"|(our )?history|(our )?company|who we are|historia|nuestra (historia|empresa)|trayectoria"
    r"|qui[eé]nes somos|(sobre )?nosotros|hakkımızda|о нас|история( компании)?)$",
    re.I,
)


def negative_kind(tree: lxml.etree._Element, url: str) -> str:
    """ "contact", "legal", "about", "cart", "login", "blog", ... for a page that says so in
    its url ("home" for the site's root); empty otherwise."""
    try:
        path = unquote(urlsplit(url).path).lower()
    except ValueError:
        path = ""
    segments = [re.sub(r"\.(html?|php|aspx?|jsp)$", "", s) for s in path.split("/") if s]
    if segments and segments[-1] in ("index", "default", "home"):
        segments.pop()  # /contact/index.html is /contact/
    if segments:
        last = segments[-1]
        if last in _NEGATIVE_SLUGS:
            return _NEGATIVE_SLUGS[last]
        if any(s in _NEGATIVE_FOLDERS for s in segments[:-1]):
            return next(_NEGATIVE_SLUGS.get(s, s) for s in segments[:-1] if s in _NEGATIVE_FOLDERS)
    else:
        return "home"
    return ""


def negative_heading(tree: lxml.etree._Element) -> str:
    """The page's first h1 where it names a kind of page that is no product ("Contact us",
    "FAQ"), else empty; the site-level pass decides whether it is the page's own heading."""
    h1 = next((text_of(h) for h in tree.iter("h1") if text_of(h)), "")
    return h1 if h1 and _NEGATIVE_HEADINGS.match(h1.strip(" :!.")) else ""


def heading_kind(heading: str) -> str:
    return "contact" if "onta" in heading.lower() else "other"
