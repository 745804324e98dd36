"""What the demo shops sell and how they describe it: part types, materials, finishes, the
catalog copy, the three shops and their listing categories."""

from __future__ import annotations

from dataclasses import dataclass

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
