"""The seeded product plan of the demo catalog: products, pictures, faults and duplicates.

The plan is pure data (no files), so the generator, the page writers and the ground truth all
read the same decisions.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field, replace

from ilid_platform.demo.drawing import POWDER_COAT_COLOURS, ImageSpec
from ilid_platform.demo.vocabulary import (
    DENSITY,
    FINISH_TEXT,
    FINISHES,
    FINISHES_BY_MATERIAL,
    MARKETING,
    MATERIAL_TEXT,
    MATERIALS,
    PART_TEXT,
    PART_TYPES,
    PARTS,
    SHOPS,
    Shop,
    slug,
)


@dataclass(frozen=True)
class CatalogSize:
    """How big a catalog is: products per shop, and how many photos each product family has
    (drawn uniformly from `photos`). `variety` (`ImageSpec.variety`) makes a part type look more
    varied: big enough test splits to tell adaptation methods apart need a task that is not
    solved by a glance."""

    products: int
    photos: tuple[int, ...] = (1, 2, 2, 3)
    variety: int = 0


SIZES = {
    # ~300 photos per shop from 100 product pages: test splits of 100+ images per shop (the
    # demo's figures come with intervals narrow enough to read) at the crawl cost of 100 pages
    "demo": CatalogSize(100, photos=(4, 5, 6, 6, 7)),
    "small": CatalogSize(70),
    "large": CatalogSize(600, variety=1),
}


@dataclass
class Picture:
    """One image file of a shop: rendered, copied from another shop, or deliberately broken."""

    path: str
    spec: ImageSpec | None = None
    copy_of: tuple[str, str] | None = None
    fault: str | None = None


@dataclass
class Product:
    product_id: str
    shop: str
    part_type: str
    material: str
    finish: str
    colour: str
    line: str
    size: str
    size_index: int
    sku: str
    path: str
    name: str
    description: str
    specs: list[tuple[str, str]]
    image_paths: list[str]
    disallowed: bool = False
    price: str = "0.00"


@dataclass
class ShopPlan:
    shop: Shop
    products: list[Product] = field(default_factory=list)
    pictures: dict[str, Picture] = field(default_factory=dict)
    slow_paths: list[str] = field(default_factory=list)


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _name(shop: Shop, line: str, part: str, size: str, material: str, finish: str) -> str:
    if shop.name == "acme":
        return f"{shop.brand} {line} {part.title()} {size} - {material.title()}, {finish}"
    if shop.name == "boltbarn":
        return f"{line}® {part.capitalize()} {size}, {material}"
    return f"{shop.brand} {line} {part.title()} | {size}"


def _image_path(shop: str, family: int, k: int, fmt: str, family_slug: str) -> str:
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    if shop == "acme":
        return f"/images/{family_slug}-{family:03d}-{k}.{ext}"
    if shop == "boltbarn":
        return f"/img/p/{family:04d}_{k}.{ext}"
    return f"/media/{_seed(shop, family, k):08x}.{ext}"


def _picture_format(shop: str, rng: random.Random) -> tuple[str, int]:
    if shop == "boltbarn":
        return "JPEG", rng.randint(35, 50)
    if shop == "clampco":
        roll = rng.random()
        return ("PNG", 0) if roll < 0.12 else ("WEBP", 80) if roll < 0.22 else ("JPEG", 82)
    return "JPEG", 90


def _plan_shop(shop: Shop, catalog: CatalogSize, seed: int) -> ShopPlan:
    rng = random.Random(f"{seed}-{shop.name}")
    plan = ShopPlan(shop)
    parts: list[str] = []
    n_products = catalog.products
    for _ in range(n_products // len(PART_TYPES) + 1):
        parts += rng.sample(PART_TYPES, len(PART_TYPES))
    material_cycle = {part: rng.sample(mats, len(mats)) for part, (mats, _, _) in PARTS.items()}
    family = 0
    while len(plan.products) < n_products:
        part = parts[family]
        _, sizes, grams = PARTS[part]
        material = material_cycle[part][parts[:family].count(part) % len(material_cycle[part])]
        finish = rng.choice(FINISHES_BY_MATERIAL[material])
        colour = rng.choice(list(POWDER_COAT_COLOURS)) if finish == "powder-coated" else ""
        line = rng.choice(shop.lines)
        n_variants = min(rng.choice([1, 1, 1, 2, 2, 3]), n_products - len(plan.products))
        first = rng.randrange(0, len(sizes) - n_variants + 1)
        family_slug = slug(f"{line} {part}")
        paths = []
        for k in range(rng.choice(catalog.photos)):
            fmt, quality = _picture_format(shop.name, rng)
            path = _image_path(shop.name, family, k, fmt, family_slug)
            spec = ImageSpec(
                part,
                material,
                finish,
                colour,
                shop.style,
                _seed(seed, shop.name, path),
                fmt,
                quality,
                catalog.variety,
            )
            plan.pictures[path] = Picture(path, spec)
            paths.append(path)
        for size_index in range(first, first + n_variants):
            size = sizes[size_index]
            plan.products.append(
                _product(
                    shop,
                    rng,
                    len(plan.products),
                    part,
                    material,
                    finish,
                    colour,
                    line,
                    size,
                    size_index,
                    grams,
                    list(paths),
                )
            )
        family += 1
    return plan


def _product(
    shop: Shop,
    rng: random.Random,
    index: int,
    part: str,
    material: str,
    finish: str,
    colour: str,
    line: str,
    size: str,
    size_index: int,
    grams: float,
    image_paths: list[str],
) -> Product:
    pid = f"{shop.name}-{index + 1:04d}"
    code = "".join(w[0] for w in part.split()).upper()
    sku = {
        "acme": f"AC-{code}-{rng.randrange(10000, 99999)}",
        "boltbarn": f"BB{rng.randrange(100000, 999999)}",
        "clampco": f"CC.{rng.randrange(1000, 9999)}.{rng.randrange(100, 999)}",
    }[shop.name]
    name = _name(shop, line, part, size, material, finish)
    path = {
        "acme": f"/product/{slug(name)[:48].rstrip('-')}-{sku.lower()}.html",
        "boltbarn": f"/product/{sku}.html",
        "clampco": f"/product/{pid}.html",
    }[shop.name]
    use, standard = PART_TEXT[part]
    finish_text = FINISH_TEXT[finish].format(colour=colour)
    description = " ".join([use, MATERIAL_TEXT[material], finish_text, *rng.sample(MARKETING, 2)])
    weight = grams * (1.45**size_index) * DENSITY[material]
    specs = [
        ("Article no.", sku),
        ("Material", material),
        ("Finish", finish),
        ("Size", size),
        ("Weight", f"{weight:.1f} g"),
        ("Standard", standard),
        ("Brand", f"{shop.brand} {line}"),
    ]
    if colour:
        specs.insert(3, ("Colour", colour))
    price = f"{grams**0.5 * (1.3**size_index) * rng.uniform(0.3, 0.6) + 0.2:.2f}"
    return Product(
        pid,
        shop.name,
        part,
        material,
        finish,
        colour,
        line,
        size,
        size_index,
        sku,
        path,
        name,
        description,
        specs,
        image_paths,
        price=price,
    )


def _mark_disallowed(plan: ShopPlan, rng: random.Random, count: int) -> None:
    prefix = plan.shop.disallowed_prefix
    for product in rng.sample(plan.products, count):
        product.disallowed = True
        product.path = prefix + product.path.removeprefix("/product/")


def _add_duplicate(
    source: ShopPlan, target: ShopPlan, rng: random.Random, groups: list[list[dict]], used: set[str]
) -> None:
    """A reseller shows the maker's photo: copy one picture into a matching product elsewhere."""
    free = [p for p in target.products if not p.disallowed and p.product_id not in used]
    candidates = [
        p
        for p in source.products
        if not p.disallowed
        and p.product_id not in used
        and any(q.part_type == p.part_type for q in free)
    ]
    original = rng.choice(candidates)
    product = rng.choice([q for q in free if q.part_type == original.part_type])
    product.material, product.finish, product.colour = (
        original.material,
        original.finish,
        original.colour,
    )
    product.specs = [
        (k, {"Material": original.material, "Finish": original.finish}.get(k, v))
        for k, v in product.specs
        if k != "Colour"
    ]
    if original.colour:
        product.specs.insert(3, ("Colour", original.colour))
    product.name = _name(
        target.shop, product.line, product.part_type, product.size, product.material, product.finish
    )
    product.description = " ".join(
        [
            PART_TEXT[product.part_type][0],
            MATERIAL_TEXT[product.material],
            FINISH_TEXT[product.finish].format(colour=product.colour),
            rng.choice(MARKETING),
        ]
    )
    folder = "/img/p" if target.shop.name == "boltbarn" else "/media"
    copy = f"{folder}/r{len(groups):03d}.jpg"
    target.pictures[copy] = Picture(copy, copy_of=(source.shop.name, original.image_paths[0]))
    product.image_paths = [copy]
    used.update({original.product_id, product.product_id})
    groups.append(
        [
            {"shop": source.shop.name, "image_path": original.image_paths[0]},
            {"shop": target.shop.name, "image_path": copy},
        ]
    )


FAULTS = {
    "acme": ["missing_404", "truncated_jpeg"],
    "boltbarn": ["not_image", "missing_404"],
    "clampco": ["truncated_jpeg", "not_image"],
}


@dataclass
class CatalogPlan:
    seed: int
    size: str
    shops: dict[str, ShopPlan]
    duplicate_groups: list[list[dict]]
    faulty_images: list[dict]


def plan_catalog(size: str, seed: int) -> CatalogPlan:
    """Decide every product, picture and fault of the catalog from (size, seed)."""
    if size not in SIZES:
        raise ValueError(f"unknown catalog size {size!r}; choose one of {sorted(SIZES)}")
    n = SIZES[size].products
    rng = random.Random(f"{seed}-catalog")
    shops = {name: _plan_shop(shop, SIZES[size], seed) for name, shop in SHOPS.items()}
    for plan in shops.values():
        _mark_disallowed(plan, rng, max(2, n // 20))
    groups: list[list[dict]] = []
    used: set[str] = set()
    for _ in range(max(2, n // 25)):
        _add_duplicate(shops["acme"], shops["boltbarn"], rng, groups, used)
        _add_duplicate(shops["acme"], shops["clampco"], rng, groups, used)
    faulty: list[dict] = []
    for name, faults in FAULTS.items():
        plan = shops[name]
        victims = [p for p in plan.products if not p.disallowed and p.product_id not in used]
        for fault, product in zip(faults, rng.sample(victims, len(faults)), strict=True):
            path = f"{product.image_paths[0].rsplit('.', 1)[0]}-x{len(faulty)}.jpg"
            spec = replace(
                plan.pictures[product.image_paths[0]].spec,
                fmt="JPEG",
                quality=85,
                seed=_seed(seed, name, path),
            )
            plan.pictures[path] = Picture(path, spec=spec, fault=fault)
            product.image_paths = [*product.image_paths, path]
            faulty.append({"shop": name, "image_path": path, "fault": fault})
            used.add(product.product_id)
    acme = shops["acme"]
    slow = next(p for p in acme.products if not p.disallowed and p.product_id not in used)
    acme.slow_paths.append(slow.path)
    return CatalogPlan(seed, size, shops, groups, faulty)


def ground_truth(plan: CatalogPlan) -> dict:
    """The answer key in the contract's schema."""
    shops = {}
    for name, shop_plan in plan.shops.items():
        products = [
            {
                "product_id": p.product_id,
                "path": p.path,
                "name": p.name,
                "part_type": p.part_type,
                "material": p.material,
                "finish": p.finish,
                "sku": p.sku,
                "image_paths": p.image_paths,
                "disallowed": p.disallowed,
            }
            for p in shop_plan.products
        ]
        shops[name] = {
            "base_url_path": "/",
            "products": products,
            "expected_products": sum(not p["disallowed"] for p in products),
        }
    return {
        "seed": plan.seed,
        "size": plan.size,
        "shops": shops,
        "duplicate_groups": plan.duplicate_groups,
        "faulty_images": plan.faulty_images,
        "part_types": PART_TYPES,
        "materials": MATERIALS,
        "finishes": FINISHES,
    }
