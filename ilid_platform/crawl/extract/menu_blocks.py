"""Which links of a page are items of its menus: a site-wide menu is where an old site's only
path to its products may be (`menus`), and only those links' texts are kept in a reading."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ilid_platform.crawl.extract.html import NON_CONTENT_TAGS

_MENU_LINKS = 3
"""Links a block holds, at the least, to be a menu."""
_MENU_LEVELS = 4
_MENU_SHARE = 4
"""A menu's links are one in this many of its elements, at the least (li > a: one in two)."""
_MENU_SLACK = 16
"""Elements a menu may open with before its links (a title, a picture)."""


def near_links(anchors: list[Any]) -> Counter[Any]:
    """For each element, the links up to _MENU_LEVELS levels below it."""
    near: Counter[Any] = Counter()
    for link in anchors:
        for level, block in enumerate(link.iterancestors()):
            if level >= _MENU_LEVELS:
                break
            near[block] += 1
    return near


def in_menu(link: Any, near: Counter[Any], blocks: dict[Any, bool]) -> bool:
    """Whether the link is an item of a menu: the nearest of its first _MENU_LEVELS ancestors
    with _MENU_LINKS links or more (`near`) is text of links for the most part (a menu
    column, a navigation list, a line of links; not paragraphs that name a few pages among
    their words). `blocks` remembers the answer for each block of the page."""
    for level, block in enumerate(link.iterancestors()):
        if level >= _MENU_LEVELS:
            return False
        if near[block] >= _MENU_LINKS:
            if block not in blocks:
                blocks[block] = _menu_block(block)
            return blocks[block]
    return False


def _menu_block(block: Any) -> bool:
    """Links are one in _MENU_SHARE of the block's elements at the least (li > a: one in two),
    and hold half its text (white space, scripts, styles and comments left out); the count of
    elements first, which rules out most content blocks for a fraction of the text's cost."""
    elements, anchors = 0, []
    for element in block.iter():
        elements += 1
        if element.tag == "a":
            anchors.append(element)
        elif elements > _MENU_SHARE * len(anchors) + _MENU_SLACK:
            return False  # a menu's links run through it: a long stretch without is text
    if _MENU_SHARE * len(anchors) < elements:
        return False
    total = 0
    for element in block.iter():
        if element is not block:
            total += len((element.tail or "").strip())
        if isinstance(element.tag, str) and element.tag not in NON_CONTENT_TAGS:
            total += len((element.text or "").strip())
    linked = sum(len(" ".join(a.itertext()).strip()) for a in anchors)
    return 2 * linked >= total
