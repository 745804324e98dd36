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
    # The page that gives the company's address is its contact page.
    "address": "contact",
    "addresses": "contact",
    "our-address": "contact",
    "adres": "contact",
    "adresse": "contact",
    "anschrift": "contact",
    "adresa": "contact",
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
    "advice": "about",
    "advies": "about",
    "beratung": "about",
    "consulting": "about",
    "consultation": "about",
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
    # A service done to things, named alone (`/repairs.html`; `repair-kit` is a product).
    "repair": "service",
    "repairs": "service",
    "servicing": "service",
    "maintenance": "service",
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

_CATALOG_SLUGS = {
    "products",
    "our-products",
    "ourproducts",
    "product-range",
    "catalog",
    "catalogue",
    "katalog",
    "produkte",
    "produkty",
    "produkciya",
    "produktsiya",
    "produkcija",
    "productos",
    "produtos",
    "produits",
    "prodotti",
    "urunler",
    "urunlerimiz",
    "chanpin",
    "cpzx",
}
"""A page named for the whole catalog ("products.html"), in the languages of company sites, is
its index, whatever it shows; unless a query picks one item (`products.php?id=7`). The singular
"product" is no such name: shops serve one product at `/product.html` or `/app/product.html`."""

_NEGATIVE_TAILS = {
    "repair": "service",
    "repairs": "service",
    "rental": "service",
    "rentals": "service",
    "hire": "service",
    "servicing": "service",
    "maintenance": "service",
    "supplies": "range",
}
"""The last word of a slug of several words that makes the page a service done to things
(`welding-repair`, `tool-hire`) or a range of goods (`welding-supplies`), not one product;
a singular "supply" names one (`power-supply`)."""

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

_SECTION_CRUMBS = {
    "新闻": "blog",
    "新闻中心": "blog",
    "新闻动态": "blog",
    "公司新闻": "blog",
    "行业新闻": "blog",
    "公司动态": "blog",
    "行业动态": "blog",
    "案例": "blog",
    "成功案例": "blog",
    "工程案例": "blog",
    "客户案例": "blog",
    "经典案例": "blog",
    "案例展示": "blog",
    "案例中心": "blog",
    "новости": "blog",
    "статьи": "blog",
    "проекты": "blog",
    "наши проекты": "blog",
    "услуги": "about",
}
"""Sections that a breadcrumb trail names in words where the url does not (a page /1.html
filed under "成功案例", case studies)."""

_NEGATIVE_HEADINGS = re.compile(
    r"^(contact( us)?|contacts|kontakt|contacto|contato|impressum|imprint|about( us)?"
    r"|über uns|ueber uns|faq|frequently asked questions|shopping cart|your cart|warenkorb"
    r"|panier|carrito|carrinho|корзина|контакты|о компании|login|log in|sign in|my account"
    r"|(our )?address|adres|adresse|anschrift|(наш )?адрес|наши адреса|адреса"
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
        parts = urlsplit(url)
        path = unquote(parts.path).lower()
    except ValueError:
        path, parts = "", None
    segments = [re.sub(r"\.(html?|php|aspx?|jsp)$", "", s) for s in path.split("/") if s]
    if segments and segments[-1] in ("index", "default", "home"):
        segments.pop()  # /contact/index.html is /contact/
    if len(segments) == 1 and _LANGUAGE_FOLDER.match(segments[0]):
        segments = []  # /en/home.html, /th/: the home page of the site in one language
    if segments:
        last = segments[-1]
        if last in _NEGATIVE_SLUGS:
            return _NEGATIVE_SLUGS[last]
        if last in _CATALOG_SLUGS and not (parts and _query_selects_content(parts.query)):
            return "catalog"  # the catalog's own page, not one of its products
        tail = re.split(r"[-_]", last)
        if len(tail) > 1 and tail[-1] in _NEGATIVE_TAILS:
            return _NEGATIVE_TAILS[tail[-1]]
        if any(s in _NEGATIVE_FOLDERS for s in segments[:-1]):
            return next(_NEGATIVE_SLUGS.get(s, s) for s in segments[:-1] if s in _NEGATIVE_FOLDERS)
    elif not (parts and _query_selects_content(parts.query)):
        return "home"
    return ""


_LANGUAGE_FOLDER = re.compile(
    r"(?:en|de|fr|es|it|pt|nl|ru|uk|pl|cs|tr|ar|fa|he|zh|ja|ko|th|vi|id|ms|sv|da|no|fi|el|hu"
    r"|ro|bg|sk|sl|hr|sr|lt|lv|et)(?:[-_][a-z]{2,4})?$"
)
"""A folder named by a language code (`en`, `th`, `pt-br`, `zh_hans`)."""

_SITE_WIDE_ARGUMENTS = re.compile(r"(lang(uage)?|l|hl|locale|lng|sid|session(id)?|utm_\w+)$", re.I)


def _query_selects_content(query: str) -> bool:
    """Whether a query on the site's root script picks a page of its own (OpenCart's
    `index.php?route=product/product&product_id=40`, Joomla's `?option=...&id=`), not the home
    page in another language or session, nor a route that names the home page itself."""
    pairs = [pair.partition("=") for pair in unquote(query).split("&") if pair]
    chosen = [(key, value) for key, _, value in pairs if not _SITE_WIDE_ARGUMENTS.match(key)]
    if not chosen:
        return False
    words = re.split(r"[/._-]", chosen[-1][1].lower()) if len(chosen) == 1 else []
    return not (words and words[-1] in ("home", "index", "default", "main", "start"))


def catalog_page(url: str) -> bool:
    """Whether the url names the site's product catalog (`/products.html`, `/katalog/`, also
    the singular `/product/`): the pages it lists are products, even where a theme files them as
    portfolio items."""
    try:
        path = unquote(urlsplit(url).path).lower()
    except ValueError:
        return False
    segments = [re.sub(r"\.(html?|php|aspx?|jsp)$", "", s) for s in path.split("/") if s]
    if segments and segments[-1] in ("index", "default"):
        segments.pop()
    return bool(segments) and (segments[-1] in _CATALOG_SLUGS or segments[-1] == "product")


def crumb_kind(crumbs: list[str]) -> str:
    """The kind of section ("blog": news, projects, case studies) the breadcrumb trail files
    the page under, past its first step (the home page), else empty: a site writes its case
    studies and news in its product template too."""
    for crumb in crumbs[1:]:
        key = crumb.strip().lower()
        slug = re.sub(r"\s+", "-", key)
        if slug in _NEGATIVE_FOLDERS:
            return _NEGATIVE_SLUGS.get(slug, slug)
        if key in _SECTION_CRUMBS:
            return _SECTION_CRUMBS[key]
    return ""


def negative_heading(tree: lxml.etree._Element) -> str:
    """The page's first h1 where it names a kind of page that is no product ("Contact us",
    "FAQ"), else empty; the site-level pass decides whether it is the page's own heading."""
    h1 = next((text_of(h) for h in tree.iter("h1") if text_of(h)), "")
    return h1 if h1 and _NEGATIVE_HEADINGS.match(h1.strip(" :!.")) else ""


def heading_kind(heading: str) -> str:
    return "contact" if "onta" in heading.lower() else "other"
