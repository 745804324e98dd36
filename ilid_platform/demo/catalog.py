"""What the demo catalog sells: part types, materials, finishes, shops, and the seeded product plan.

The plan is pure data (no files), so the generator, the page writers and the ground truth all
read the same decisions.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field, replace

from ilid_platform.demo.drawing import POWDER_COAT_COLOURS, ImageSpec

SIZES = {"demo": 100, "small": 70, "large": 600}
"""Products per shop for each catalog size."""
# Catalog sizes whose pictures vary more per part type (`ImageSpec.variety`): big enough test
# splits to tell adaptation methods apart need a task that is not solved by a glance.
VARIED_SIZES = {"large"}

# Physically sensible finishes per material.
FINISHES_BY_MATERIAL: dict[str, list[str]] = {
    "stainless steel": ["polished", "brushed"],
    "zinc-plated steel": ["clear passivated"],
    "brass": ["polished", "brushed"],
    "aluminium": ["anodised", "brushed"],
    "black polyamide": ["matte"],
    "copper": ["polished", "brushed"],
    "carbon steel": ["powder-coated"],
}
MATERIALS = list(FINISHES_BY_MATERIAL)
FINISHES = ["polished", "brushed", "anodised", "powder-coated", "matte", "clear passivated"]

# part type -> (materials it is really made of, size labels, grams at the smallest size)
PARTS: dict[str, tuple[list[str], list[str], float]] = {
    "hinge": (
        ["stainless steel", "brass", "zinc-plated steel", "aluminium", "carbon steel"],
        ["40 x 40 mm", "50 x 50 mm", "60 x 60 mm", "75 x 50 mm", "100 x 75 mm"],
        38,
    ),
    "hex nut": (
        ["stainless steel", "zinc-plated steel", "brass", "black polyamide"],
        ["M4", "M5", "M6", "M8", "M10", "M12", "M16"],
        0.8,
    ),
    "washer": (
        ["stainless steel", "zinc-plated steel", "copper", "black polyamide", "aluminium"],
        ["M4", "M5", "M6", "M8", "M10", "M12"],
        0.3,
    ),
    "spur gear": (
        ["brass", "stainless steel", "black polyamide"],
        ["module 1, 20 teeth", "module 1, 30 teeth", "module 1.5, 24 teeth", "module 2, 20 teeth"],
        12,
    ),
    "bolt": (
        ["stainless steel", "zinc-plated steel", "brass"],
        ["M5 x 20", "M6 x 30", "M8 x 40", "M10 x 50", "M12 x 60"],
        4.5,
    ),
    "compression spring": (
        ["stainless steel", "zinc-plated steel"],
        ["6 x 20 mm", "8 x 25 mm", "10 x 30 mm", "12 x 40 mm"],
        1.2,
    ),
    "ball bearing": (
        ["stainless steel", "black polyamide"],
        ["608 (8 x 22 x 7 mm)", "6000 (10 x 26 x 8 mm)", "6201 (12 x 32 x 10 mm)"],
        12,
    ),
    "pulley": (
        ["aluminium", "black polyamide", "carbon steel"],
        ["50 mm", "63 mm", "80 mm", "100 mm"],
        60,
    ),
    "angle bracket": (
        ["zinc-plated steel", "stainless steel", "aluminium", "carbon steel"],
        ["30 x 30 mm", "40 x 40 mm", "50 x 50 mm", "70 x 70 mm"],
        14,
    ),
    "toggle clamp": (
        ["zinc-plated steel", "stainless steel"],
        ["90 kg", "180 kg", "227 kg", "340 kg"],
        120,
    ),
    "knob": (
        ["black polyamide", "aluminium", "brass", "stainless steel"],
        ["M6, 32 mm", "M8, 40 mm", "M10, 50 mm"],
        9,
    ),
    "caster": (
        ["zinc-plated steel", "stainless steel", "black polyamide", "carbon steel"],
        ["50 mm", "75 mm", "100 mm", "125 mm"],
        140,
    ),
    "pipe elbow": (["copper", "brass"], ["15 mm", "22 mm", "28 mm"], 18),
}
PART_TYPES = list(PARTS)
DENSITY = {
    "stainless steel": 1.0,
    "zinc-plated steel": 1.0,
    "carbon steel": 1.0,
    "brass": 1.08,
    "copper": 1.13,
    "aluminium": 0.35,
    "black polyamide": 0.15,
}

# part type -> (what it is for, the standard it meets)
PART_TEXT: dict[str, tuple[str, str]] = {
    "hinge": ("Butt hinge for doors, lids, cabinets and machine guards.", "-"),
    "hex nut": ("Hexagon nut for machine screws and threaded rod.", "DIN 934 / ISO 4032"),
    "washer": (
        "Flat washer that spreads the clamping load of a screw or nut.",
        "DIN 125 / ISO 7089",
    ),
    "spur gear": ("Spur gear with straight teeth for parallel shafts.", "DIN 867"),
    "bolt": ("Hexagon head bolt, fully threaded, for general assembly.", "DIN 933 / ISO 4017"),
    "compression spring": (
        "Cylindrical compression spring with closed and ground ends.",
        "DIN 2098",
    ),
    "ball bearing": ("Deep groove ball bearing for radial and light axial loads.", "DIN 625"),
    "pulley": ("V-belt pulley with keyway bore for SPZ belts.", "DIN 2211"),
    "angle bracket": ("Angle bracket with pre-drilled holes for frames and shelving.", "-"),
    "toggle clamp": ("Horizontal toggle clamp for jigs, fixtures and welding tables.", "-"),
    "knob": ("Star grip knob with threaded insert for quick hand adjustment.", "DIN 6336"),
    "caster": ("Swivel castor with top plate for trolleys and racks.", "EN 12532"),
    "pipe elbow": ("90 degree solder elbow for plumbing and heating pipes.", "EN 1254-1"),
}
MATERIAL_TEXT = {
    "stainless steel": "Stainless steel (A2) resists rust in damp and outdoor use.",
    "zinc-plated steel": "Zinc-plated steel gives dependable corrosion protection indoors.",
    "brass": "Solid brass is non-magnetic, easy to machine and looks classic.",
    "aluminium": "Lightweight aluminium keeps moving assemblies light.",
    "black polyamide": "Black polyamide (PA6) is light, insulating and quiet running.",
    "copper": "Copper conducts heat well and is easy to solder.",
    "carbon steel": "Carbon steel body for high strength at a low price.",
}
FINISH_TEXT = {
    "polished": "A polished, mirror-bright surface that is easy to clean.",
    "brushed": "The brushed satin surface hides fingerprints and scratches.",
    "anodised": "Anodised for a hard, wear-resistant surface.",
    "powder-coated": "A tough powder-coated finish in {colour}.",
    "matte": "Matte surface, glass-fibre reinforced.",
    "clear passivated": "Clear passivated zinc layer with a bluish sheen.",
}
MARKETING = [
    "Trusted by professionals since 1987.",
    "Premium quality at a fair price.",
    "Fast dispatch from stock.",
    "Ideal for workshop, maintenance and OEM production.",
    "Heavy-duty design for long service life.",
    "Precision manufactured to tight tolerances.",
    "Bulk discounts available on request.",
]


@dataclass(frozen=True)
class Shop:
    name: str
    host: str
    brand: str
    lines: list[str]
    style: str
    disallowed_prefix: str


SHOPS: dict[str, Shop] = {
    "acme": Shop(
        "acme",
        "127.0.0.1",
        "Acme",
        ["TorqLok", "FixMaster Pro", "DuraGrip", "SteelMate", "PrecisionLine"],
        "studio",
        "/internal/",
    ),
    "boltbarn": Shop(
        "boltbarn",
        "127.0.0.2",
        "BoltBarn",
        ["IronHold", "BarnMax", "TufGrip", "ProFix 3000", "HeavyDuty Plus"],
        "workshop",
        "/clearance/",
    ),
    "clampco": Shop(
        "clampco",
        "127.0.0.3",
        "ClampCo",
        ["Vertex", "NovaGrip", "Titan-X", "Q-Lock", "Meridian"],
        "moody",
        "/archive/",
    ),
}

# boltbarn groups parts coarsely (long, paginated listings); the others list one type per page.
BOLTBARN_CATEGORIES = {
    "fasteners": ["hex nut", "bolt", "washer"],
    "fittings": ["hinge", "angle bracket", "knob", "caster"],
    "drive-parts": ["spur gear", "pulley", "ball bearing"],
    "workholding": ["toggle clamp", "compression spring"],
    "plumbing": ["pipe elbow"],
}


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def category_of(shop: str, part_type: str) -> tuple[str, str]:
    """(slug, title) of the listing a part is shown in."""
    if shop == "boltbarn":
        for key, parts in BOLTBARN_CATEGORIES.items():
            if part_type in parts:
                return key, key.replace("-", " ").capitalize()
    plural = {"caster": "castors", "pipe elbow": "pipe fittings", "compression spring": "springs"}
    title = plural.get(part_type, part_type + "s")
    return slug(title), title.capitalize()


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


def _plan_shop(shop: Shop, n_products: int, seed: int, variety: int = 0) -> ShopPlan:
    rng = random.Random(f"{seed}-{shop.name}")
    plan = ShopPlan(shop)
    parts: list[str] = []
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
        for k in range(rng.choice([1, 2, 2, 3])):
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
                variety,
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
    n = SIZES[size]
    rng = random.Random(f"{seed}-catalog")
    variety = int(size in VARIED_SIZES)
    shops = {name: _plan_shop(shop, n, seed, variety) for name, shop in SHOPS.items()}
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
