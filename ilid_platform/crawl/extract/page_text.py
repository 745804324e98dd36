"""The product's own text on its page, read without structured data: spec rows (tables, definition
lists, lists of "Label: value" lines) and the description (a marked or named block, else the
largest run of prose, a features check-list beside it included). Site chrome, menus, related
products, contact boxes and banners stay out.
"""

from __future__ import annotations

import re
from typing import Any

import lxml.etree

from ilid_platform.crawl.extract.html import CHROME, hint, prose, text_of
from ilid_platform.crawl.extract.html import clean as clean_text
from ilid_platform.crawl.extract.patterns import RELATED, FoldedPattern, Marks

_SPEC_BLOCKS = lxml.etree.XPath(f"(//table | //dl | //ul | //ol)[not({CHROME})]")

_CELL_SEPARATORS = {":", "：", "=", "-", "–", "—"}

_LAYOUT_CELL = lxml.etree.XPath(
    "boolean(.//img | .//hr | .//table | .//h1 | .//h2 | .//h3 | .//h4 | .//form | .//iframe)"
)
"""A cell that holds a photo, a rule, a heading or another table is a column of the page's
layout (a site builder's two-column block: photo and caption, buttons between rules), no
spec's label or value."""


def _links_only(cell: Any) -> bool:
    """Whether all of a cell's text is in links: two such cells side by side are a row of
    buttons or menu items, no label and its value."""
    words = "".join(text_of(cell).split())
    return bool(words) and words == "".join("".join(text_of(a).split()) for a in cell.iter("a"))


_DEFINITION_TERMS = lxml.etree.XPath("./dt | ./div/dt")

_NEXT_DEFINITION = lxml.etree.XPath("following-sibling::dd[1]")

_LIST_ITEMS = lxml.etree.XPath("./li")

# The description's queries, compiled once rather than on every page.
_MARKED_DESCRIPTION = lxml.etree.XPath("//*[@itemprop='description']")
_NAMED_BLOCKS = lxml.etree.XPath(f"//*[@id or @class][not({CHROME})]")
_PARAGRAPHS = lxml.etree.XPath(
    f"//p[not({CHROME} or ancestor::aside or ancestor::form or ancestor::a)]"
    f" | //li[not({CHROME} or ancestor::aside or ancestor::form or ancestor::a"
    " or .//a or .//ul or .//ol or .//p)]"
)
"""Paragraphs, and the items of lists that link nowhere: a product's features check-list, which
a page writes as its description where another writes paragraphs (menus and related products
are links)."""
_META_DESCRIPTION = lxml.etree.XPath("string(//meta[@name='description']/@content)")

_NOT_DESCRIPTION = FoldedPattern(r"cookie|consent|newsletter|banner|review|shipping|delivery")
# Description containers, most specific first.

_DESCRIPTION_BLOCKS = (
    FoldedPattern(r"description|beschreibung"),
    FoldedPattern(r"product[-_]?details|overview|product[-_]?info|details|about"),
)

_SPEC_CONTAINER = FoldedPattern(
    r"spec|attribute|technical|propert|characteristic|feature|datasheet|merkmal"
)


def spec_rows(tree: lxml.etree._Element) -> list[tuple[str, str]]:
    """Key/value rows from two-column tables (a label, a colon cell, a value is two columns),
    definition lists and spec lists outside chrome: lists named as specs, or whose items are
    mostly "Label: value" lines."""
    rows: list[tuple[str, str]] = []
    blocks: dict[str, list[Any]] = {"table": [], "dl": [], "ul": []}
    for block in _SPEC_BLOCKS(tree):
        blocks["ul" if block.tag == "ol" else block.tag].append(block)
    for table in blocks["table"]:
        # a cell that holds only a colon between label and value is no column of its own
        cells_per_row = [
            [c for c in tr if c.tag in ("th", "td") and text_of(c) not in _CELL_SEPARATORS]
            for tr in table.iter("tr")
        ]
        cells_per_row = [cells for cells in cells_per_row if cells]
        pairs = [cells for cells in cells_per_row if len(cells) == 2]
        if not pairs or len(pairs) < 0.6 * len(cells_per_row):
            continue
        pairs = [
            cells
            for cells in pairs
            if not any(_LAYOUT_CELL(c) for c in cells) and not all(map(_links_only, cells))
        ]
        # A row of two <th> is the table's header ("Property | Value"), not a spec.
        rows += [(text_of(k), text_of(v)) for k, v in pairs if (k.tag, v.tag) != ("th", "th")]
    for dl in blocks["dl"]:
        for dt in _DEFINITION_TERMS(dl):
            dd = _NEXT_DEFINITION(dt)
            if dd:
                rows.append((text_of(dt), text_of(dd[0])))
    for spec_list in blocks["ul"]:
        items = _LIST_ITEMS(spec_list)
        if not (
            _SPEC_CONTAINER.search(hint(spec_list) + hint(spec_list.getparent()))
            or labelled_lines(items)
        ):
            continue
        for item in items:
            cells = [c for c in item if isinstance(c.tag, str)]
            if len(cells) == 2:
                rows.append((text_of(cells[0]), text_of(cells[1])))
            else:
                key, sep, value = text_of(item).partition(":")
                if sep:
                    rows.append((key, value.strip()))
    return [
        (key.rstrip(":").strip(), value)
        for key, value in rows
        if key.rstrip(":").strip() and value and len(key) <= 80 and len(value) <= 500
    ]


_LABEL = re.compile(r"^[^:：]{2,40}[:：]\s*\S")


_CONTACT_LABEL = re.compile(
    r"\s*(tel|tele?phone|phone|mobile|mob|cell|fax|e-?mail|mail|add|addr|address|website|web"
    r"|whatsapp|skype|wechat|qq|contact|hotline|zip|postcode|teléfono|telefone?|direcci[oó]n"
    r"|correo|adresse|телефон|адрес|电话|手机|传真|邮箱|地址|网址)\b\.?\s*[:：]",
    re.I,
)
"""The labels of a contact box ("Tel:", "E-mail:", "地址："): the company's, not the product's."""


def labelled_lines(items: list[Any], contacts: bool = False) -> bool:
    """Whether a list's items are mostly "Label: value" lines (three or more), a spec list
    that its page names only by its look: "Housing material: steel", "Voltage: 230 V". A
    contact box (telephone, fax, address lines) counts only with `contacts` (labelled lines,
    not prose, yet no spec list)."""
    texts = [text_of(item) for item in items]
    if not contacts and any(_CONTACT_LABEL.match(text) for text in texts):
        return False
    labelled = sum(bool(_LABEL.match(text)) for text in texts)
    return labelled >= 3 and labelled >= 0.6 * len(items)


def description(tree: lxml.etree._Element, marks: Marks | None = None) -> str:
    """The description block: marked-up or class-named first, else the largest run of prose.

    Blocks that contain the h1 are whole product panels, not descriptions; cookie banners,
    reviews and shipping notes are skipped. The run of prose is the block with the most
    paragraph text, with the items of its lists that link nowhere (a features check-list
    under the text); a block of lists alone is a spec sheet or a check-list, not a description.
    """
    for block in _MARKED_DESCRIPTION(tree):
        value = block.get("content") if block.tag == "meta" else prose(block)
        if value and len(value) >= 20:
            return " ".join(value.split())
    # Elements, not their id()s: lxml wraps a node anew once its wrapper is gone, and a freed
    # wrapper's id() is soon another's.
    panels = {a for h1 in tree.iter("h1") for a in h1.iterancestors()}
    named = [
        element
        for element in _NAMED_BLOCKS(tree)
        if element.tag not in ("meta", "link", "img", "script", "style", "body", "html")
        and not _NOT_DESCRIPTION.search(hint(element))
        and element not in panels
    ]
    for pattern in _DESCRIPTION_BLOCKS:
        for element in named:
            if pattern.search(hint(element)):
                value = prose(element)
                if len(value) >= 20:
                    return value
    runs: dict[Any, list[str]] = {}
    spec_lists: dict[Any, bool] = {}
    written: dict[Any, int] = {}
    for paragraph in _PARAGRAPHS(tree):
        # a list's items join the paragraphs beside their list, unless they are labelled lines
        block = paragraph.getparent()
        if paragraph.tag == "li" and block is not None:
            if block not in spec_lists:
                spec_lists[block] = labelled_lines(_LIST_ITEMS(block), contacts=True)
            if spec_lists[block]:
                continue
            block = block.getparent()
        if marks is not None and marks.has(paragraph, Marks.RELATED | Marks.CHROME):
            continue
        if any(
            _NOT_DESCRIPTION.search(hint(a)) or (marks is None and RELATED.search(hint(a)))
            for a in paragraph.iterancestors()
        ):
            continue
        value = text_of(paragraph)
        if len(value) >= 20:
            runs.setdefault(block, []).append(value)
            if paragraph.tag == "p":
                written[block] = written.get(block, 0) + len(value)
    # The block with the most paragraph text wins, its lists then complete it: a block of
    # lists alone is a spec sheet or a check-list, not a description.
    if written:
        best = max(written, key=written.__getitem__)
        if written[best] >= 40:
            return " ".join(runs[best])
    return clean_text(_META_DESCRIPTION(tree))
