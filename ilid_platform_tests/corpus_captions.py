"""Caption truth of the corpus (`corpus/<site>/captions.yaml`, see corpus/CAPTIONS.md) and the
scores of a captioner against it.

A product's caption is what the pipeline keeps: the captioner's answer after the pre- and
post-filter, so a product that is filtered out, or that the crawl did not find, has no caption
and scores as a miss (label_short, label_long) or a null (material, finish, description).

* label_short / label_long: share of labelled products whose kept value is one of the
  acceptable forms.
* material / finish: precision over the products given a value, recall over the products
  whose page states one.
* description: a kept description is boilerplate when it holds a labelled boilerplate string
  of its page, or when the page has no real description (`description: false`).

Strings are compared after NFKC, case-folding and collapsing whitespace.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ilid_platform.captions.schema import ProductText
from ilid_platform.crawl.records import ProductRecord
from ilid_platform_tests.corpus_sites import CORPUS

FIELDS = ("label_short", "label_long", "material", "material_finish")
# A labelled boilerplate string longer than this counts when any such chunk of it appears
# (descriptions are cut to 30 words, so they may hold only a part of it).
_CHUNK = 40


def normalise(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(text.split())


@dataclass(frozen=True)
class LabelledProduct:
    path: str
    language: str
    label_short: tuple[str, ...]
    label_long: tuple[str, ...]
    material: tuple[str, ...]
    material_finish: tuple[str, ...]
    description: bool
    boilerplate: tuple[str, ...]


@dataclass(frozen=True)
class CaptionTruth:
    site: str
    split: str
    products: tuple[LabelledProduct, ...]
    round: str = ""
    """The labelling round the site's truth came in (CAPTIONS.md), "" where not recorded."""


def caption_sites() -> list[str]:
    """Sites that have caption truth."""
    return sorted(path.parent.name for path in CORPUS.glob("*/captions.yaml"))


def caption_split(slug: str) -> str:
    """ "working" or "heldout", read without loading the labels themselves."""
    with (CORPUS / slug / "captions.yaml").open(encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"split:\s*(\w+)", line)
            if match:
                return match.group(1)
    return "working"


def load_truth(slug: str) -> CaptionTruth:
    data = yaml.safe_load((CORPUS / slug / "captions.yaml").read_text(encoding="utf-8"))

    def strings(values: Iterable[Any] | None) -> tuple[str, ...]:
        return tuple(str(v) for v in values or ())

    products = tuple(
        LabelledProduct(
            path=item["path"],
            language=str(item.get("language", "")),
            label_short=strings(item.get("label_short")),
            label_long=strings(item.get("label_long")),
            material=strings(item.get("material")),
            material_finish=strings(item.get("material_finish")),
            description=bool(item.get("description")),
            boilerplate=strings(item.get("boilerplate")),
        )
        for item in data["products"]
    )
    return CaptionTruth(
        site=data.get("site", slug),
        split=data.get("split", "working"),
        products=products,
        round=str(data.get("round", "")),
    )


def product_text(record: ProductRecord) -> ProductText:
    """What the captions stage reads for a crawled record (one row of `pages`)."""
    return ProductText(
        source=record.source,
        url=record.url,
        name=record.name,
        description=record.description,
        specs=dict(record.specs),
        breadcrumbs=tuple(record.breadcrumbs),
        image_urls=tuple(record.image_urls),
        sku=record.sku,
        brand=record.brand,
        title=record.title,
    )


def is_boilerplate(description: str, boilerplate: Iterable[str]) -> bool:
    text = normalise(description)
    for item in boilerplate:
        snippet = normalise(item)
        if len(snippet) <= _CHUNK:
            if snippet and snippet in text:
                return True
            continue
        step = _CHUNK // 2
        for start in range(0, len(snippet) - _CHUNK + 1, step):
            if snippet[start : start + _CHUNK] in text:
                return True
    return False


@dataclass
class FieldScore:
    labelled: int = 0
    stated: int = 0
    answered: int = 0
    right: int = 0
    right_when_stated: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "stated": self.stated,
            "answered": self.answered,
            "right": self.right,
            "acceptable": _ratio(self.right, self.labelled),
            "precision": _ratio(self.right, self.answered),
            "recall": _ratio(self.right_when_stated, self.stated),
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class CaptionScore:
    products: int = 0
    found: int = 0
    kept: int = 0
    fields: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    descriptions: int = 0
    descriptions_real: int = 0
    descriptions_given_for_real: int = 0
    boilerplate: int = 0
    boilerplate_text: int = 0
    boilerplate_no_real_text: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: CaptionScore) -> None:
        for name in ("products", "found", "kept", "descriptions", "descriptions_real"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("descriptions_given_for_real", "boilerplate", "boilerplate_text"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.boilerplate_no_real_text += other.boilerplate_no_real_text
        for name, score in other.fields.items():
            mine = self.fields[name]
            for attr in ("labelled", "stated", "answered", "right", "right_when_stated"):
                setattr(mine, attr, getattr(mine, attr) + getattr(score, attr))

    def summary(self) -> dict[str, Any]:
        return {
            "products": self.products,
            "found_by_crawl": self.found,
            "captions_kept": self.kept,
            "label_short_acceptable": self.fields["label_short"].as_dict()["acceptable"],
            # the captioner alone: over the products the crawl found
            "label_short_acceptable_when_found": _ratio(
                self.fields["label_short"].right, self.found
            ),
            "label_long_acceptable": self.fields["label_long"].as_dict()["acceptable"],
            "material_precision": self.fields["material"].as_dict()["precision"],
            "material_recall": self.fields["material"].as_dict()["recall"],
            "finish_precision": self.fields["material_finish"].as_dict()["precision"],
            "finish_recall": self.fields["material_finish"].as_dict()["recall"],
            "descriptions": self.descriptions,
            "description_recall": _ratio(self.descriptions_given_for_real, self.descriptions_real),
            "boilerplate_descriptions": self.boilerplate,
            "boilerplate_share": _ratio(self.boilerplate, self.descriptions),
            "boilerplate_text": self.boilerplate_text,
            "description_where_page_has_none": self.boilerplate_no_real_text,
            "fields": {name: score.as_dict() for name, score in self.fields.items()},
        }


def score_product(
    product: LabelledProduct, caption: Mapping[str, str | None] | None, score: CaptionScore
) -> dict[str, Any]:
    """Add one product's kept caption (None: no caption) to `score`; returns its row."""
    score.products += 1
    caption = caption or {}
    row: dict[str, Any] = {"path": product.path}
    for name in FIELDS:
        accepted = {normalise(v) for v in getattr(product, name)}
        value = caption.get(name)
        got = normalise(value) if value else None
        ok = got is not None and got in accepted
        target = score.fields[name]
        target.labelled += 1
        target.stated += bool(accepted)
        target.answered += got is not None
        target.right += ok
        target.right_when_stated += ok and bool(accepted)
        # a null is right where the page states nothing
        fine = ok or (got is None and not accepted and name in ("material", "material_finish"))
        row[name] = {"got": value, "ok": fine, "expected": getattr(product, name)[:1]}
    description = caption.get("description")
    score.descriptions_real += product.description
    if description:
        score.descriptions += 1
        score.descriptions_given_for_real += product.description
        text = is_boilerplate(description, product.boilerplate)
        none = not product.description
        score.boilerplate += text or none
        score.boilerplate_text += text
        score.boilerplate_no_real_text += none and not text
        row["description"] = {"got": description, "boilerplate": text or none}
    else:
        row["description"] = {"got": None, "page_has_text": product.description}
    return row
