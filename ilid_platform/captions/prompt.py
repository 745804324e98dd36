"""The LLM prompt (ILID step 4) and the input hash that decides when a product is captioned again.

Bump PROMPT_VERSION whenever the wording or the example changes: every caption made with
another version is redone on the next run.
"""

from __future__ import annotations

import hashlib
import json

from ilid_platform.captions.schema import Caption, ProductText

PROMPT_VERSION = "ilid-v2"

# Long catalog texts add tokens but rarely information past the first paragraphs.
MAX_DESCRIPTION_CHARS = 1500
MAX_SPECS = 25

SYSTEM_PROMPT = """\
You write captions for an industrial image dataset. You get one product from a web catalog \
(title, category path, text and specifications) and answer with JSON holding exactly five fields:
- label_short: the generic part type in at most 4 words, e.g. "hex nut" or "ball bearing".
- label_long: a longer generic name of the part with its distinguishing features. Never use \
brand or trade names, article numbers, ids, codes, standards, sizes or any digit.
- description: what the part is and what it is used for, at most 30 words, without brand or \
trade names.
- material: the main material in at most 5 words, e.g. "stainless steel".
- material_finish: the surface finish or colour in at most 5 words, e.g. "zinc plated".
Use only facts from the product text. Write lower case except at the start of the description."""

_EXAMPLE_PRODUCT = ProductText(
    source="example",
    url="https://shop.example/p/4711",
    name="BoltCo Premium Hexagon head screw DIN 933 M10x40 8.8 zinc plated",
    description=(
        "Hexagon head screw with a fully threaded shank. BoltCo Premium screws are made for "
        "machine building and steel structures. Sold in packs of 100."
    ),
    specs={"Material": "Steel 8.8", "Surface": "Zinc plated, blue passivated", "Thread": "M10"},
    breadcrumbs=("Home", "Screws", "Hexagon head screws"),
    brand="BoltCo",
)
_EXAMPLE_CAPTION = Caption(
    label_short="hexagon head screw",
    label_long="fully threaded hexagon head screw, zinc plated steel",
    description="Hexagon head screw with a fully threaded shank for machine building and steel "
    "structures.",
    material="steel",
    material_finish="zinc plated, blue passivated",
)


def product_prompt(product: ProductText) -> str:
    lines = [f"Title: {product.name.strip()}"]
    # the page's own title may say what a name that is only a model code does not
    if product.title.strip() and product.title.strip() != product.name.strip():
        lines.append(f"Page title: {product.title.strip()}")
    crumbs = [c.strip() for c in product.breadcrumbs if c.strip()]
    if crumbs:
        lines.append("Category: " + " > ".join(crumbs))
    if product.brand:
        lines.append(f"Brand (a trade name, never use it): {product.brand.strip()}")
    description = product.description.strip()
    if description:
        lines.append("Text: " + description[:MAX_DESCRIPTION_CHARS])
    specs = list(product.specs.items())[:MAX_SPECS]
    if specs:
        lines.append("Specifications:")
        lines.extend(f"- {key}: {value}" for key, value in specs)
    return "\n".join(lines)


def chat_messages(product: ProductText) -> list[dict[str, str]]:
    """System prompt, one worked example (few-shot), then the product."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": product_prompt(_EXAMPLE_PRODUCT)},
        {"role": "assistant", "content": _EXAMPLE_CAPTION.model_dump_json()},
        {"role": "user", "content": product_prompt(product)},
    ]


def input_hash(
    prompt_version: str, model: str, product: ProductText, require_all_fields: bool = False
) -> str:
    """sha256 over everything that can change a caption or its post-filter verdict: prompt
    version, model, product text and the strict-fields rule."""
    payload = [
        prompt_version,
        model,
        product.name,
        product.description,
        sorted(product.specs.items()),
        list(product.breadcrumbs),
        product.brand,
    ]
    if product.title:  # left out when unset, so records without a title keep their hashes
        payload.append(["title", product.title])
    if require_all_fields:  # left out when off, so the default keeps its hashes
        payload.append("require_all_fields")
    canonical = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
