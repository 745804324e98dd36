"""The reading's shortcuts give what the library calls they stand in for: the longest shared
run of a card and its title (difflib), absolute urls (urljoin), case-insensitive searches
(re.I), the length of a page's content text (XPath)."""

from __future__ import annotations

import random
import re
from difflib import SequenceMatcher
from urllib.parse import urljoin

import pytest

from ilid_platform.crawl.extract.cues import _CONTENT_TEXT, _content_length
from ilid_platform.crawl.extract.html import join, parse_html
from ilid_platform.crawl.extract.images import _CHART
from ilid_platform.crawl.extract.naming import AFFIX_EDGES, cut_at_title
from ilid_platform.crawl.extract.page import _TITLE_CLASS
from ilid_platform.crawl.extract.patterns import (
    _SIDEBAR_HINT,
    ASCII_FOLDS,
    DECORATIVE,
    GALLERY,
    RELATED,
    FoldedPattern,
)


def _difflib_cut(card: str, title: str) -> str:
    if len(title) < 4:
        return ""
    match = SequenceMatcher(None, card, title, autojunk=False).find_longest_match()
    return card[: match.a + match.size].strip(AFFIX_EDGES) if match.size >= 4 else ""


def test_cut_at_title_agrees_with_difflib() -> None:
    cases = [
        ("Hex Nut M8 - Acme Tools | call 555-0100", "Hex Nut M8"),
        ("Hex Nut M8", "Hex Nut M8"),
        ("Acme Hex Nut", "Hex Nut M8 | Acme"),
        ("abcabcabcXabcabcabcabc", "zzabcabcabcabczz"),  # the first of two longest runs
        ("no shared words", "Bolt M5"),
        ("", "Bolt M5"),
        ("Bolt", "Bol"),
    ]
    rnd = random.Random(26)
    for _ in range(3000):
        alphabet = rnd.choice(["ab", "abc -", "Nut M8|", "xyzXYZ019 "])
        card = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        title = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        cases.append((card, title))
    for card, title in cases:
        assert cut_at_title(card, title) == _difflib_cut(card, title), (card, title)


def test_join_agrees_with_urljoin_on_absolute_urls() -> None:
    """An absolute href is joined against the base's origin (`html.join`), as urljoin does."""
    bases = ["https://shop.example/", "http://127.0.0.1:8700/"]
    hrefs = [
        "https://cdn.example/img/nut.jpg",
        "http://Shop.Example:80/Nut.JPG?w=300&h=300",
        "https://cdn.example/img/nut.jpg?",  # urljoin drops an empty query
        "https://cdn.example/img/nut.jpg#zoom",
        "https://cdn.example/img/nut.jpg#",
        "https://cdn.example/img;v=2/nut.jpg;",
        "https:///img/nut.jpg",  # no host: the base's
        "https://?q=1",
        "https://",
        "https://[::1]/img.jpg",
        "https://cdn.example/a b.jpg",
        "https://cdn.example/\u00e9t\u00e9.jpg",
        "http://cdn.example/./a/../nut.jpg",
    ]
    rnd = random.Random(27)
    for _ in range(2000):
        tail = "".join(rnd.choice("ab/.:?#;&=% []") for _ in range(rnd.randint(0, 12)))
        hrefs.append(rnd.choice(["http://", "https://", "https://h", "http://h:8/"]) + tail)
    for base in bases:
        for href in hrefs:
            try:
                expected = urljoin(base, href)
            except ValueError:
                expected = ""
            assert join(base, href) == expected, (base, href)


def test_folded_patterns_match_as_ignore_case_does() -> None:
    rnd = random.Random(28)
    words = ["Logo", "ICON", "Related", "gallery", "Cross-Sell", "also_bought", "ſtar", "K"]
    words += ["Table", "SCHEMA", "Чертёж", "尺寸", "loader", "Ajax-Loader", "stars", "drawing"]
    words += ["Sidebar", "no-SIDEBAR", "col-Left", "Title", "heading2", "headline", "_"]
    texts = ["", "site-logo header__icon", "product-gallery__image", "Main-Image", "ſocial"]
    for _ in range(3000):
        parts = [
            rnd.choice(words + ["x", "-", " ", "é", "İ", "ı"]) for _ in range(rnd.randint(0, 6))
        ]
        texts.append("".join(parts))
    for pattern in (DECORATIVE, RELATED, GALLERY, _CHART, _SIDEBAR_HINT, _TITLE_CLASS):
        ignore_case = re.compile(pattern.pattern, re.I)
        for text in texts:
            found, expected = pattern.search(text), ignore_case.search(text)
            assert (found is None) == (expected is None), (pattern.pattern, text)
            if found is not None and expected is not None:
                assert found.span() == expected.span(), (pattern.pattern, text)


def test_folded_pattern_refuses_what_folding_cannot_match() -> None:
    for pattern in ("Logo", "\u0131con", "\u017ftar", "\u212aey"):  # capitals, ı, ſ, Kelvin K
        with pytest.raises(ValueError, match="folds only ASCII"):
            FoldedPattern(pattern)
    assert FoldedPattern("köp|в корзину").search("Köp nu") is not None


def test_ascii_folds_are_all_that_ignore_case_matches_to_ascii_letters() -> None:
    others = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    assert set(re.findall("[a-z]", others, re.I)) == {chr(c) for c in ASCII_FOLDS}


def test_content_length_agrees_with_the_xpath() -> None:
    rnd = random.Random(29)
    tags = ["div", "p", "nav", "header", "footer", "script", "style", "noscript", "span", "a"]
    pages = ["<html><body>a<!--c-->b<div>x<script>s</script>t<?pi p?>q</div>z</body></html>"]
    for _ in range(400):
        parts = []
        for _ in range(rnd.randint(0, 30)):
            tag = rnd.choice(tags)
            text = " ".join(rnd.choice(["word", "x", "  ", "\n", "Wörter"]) for _ in range(9))
            parts.append(rnd.choice([f"<{tag}>{text}", f"</{tag}>{text}", f"<!--{text}-->"]))
        pages.append(f"<html><head><title>t</title></head><body>{''.join(parts)}</body></html>")
    for page in pages:
        tree = parse_html(page)[0]
        expected = len(" ".join(" ".join(_CONTENT_TEXT(tree)).split()))
        for enough in (1, 50, 200, 10**9):
            found = _content_length(tree, enough)
            assert found == expected or enough <= found <= expected, (page, enough)
