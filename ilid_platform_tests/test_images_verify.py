"""The two-stage near-duplicate search on real shop photos: hash views propose, pixels decide."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from ilid_platform.cli import main as ilid_main
from ilid_platform.images.dedup import DedupConfig
from ilid_platform.images.hashing import VIEW_COLUMNS, perceptual_hashes
from ilid_platform.images.normalise import to_rgb
from ilid_platform.images.pairs import candidate_pairs, check_candidates
from ilid_platform.images.verify import check_pair, load_prepared, prepare, prepared_bytes

CORPUS = Path(__file__).parent / "corpus"
UPLOADS = CORPUS / "energywoo" / "www" / "wp-content" / "uploads" / "2013" / "06"
KNIVES = next((CORPUS / "smullinsupply" / "www").rglob("500x500"))
KNIFE = next(KNIVES.rglob("36jsk_full_3389.jpg"))
OTHER_KNIFE = next(KNIVES.rglob("kbpb1_large_28411.jpg"))
COLOURFUL = next(KNIVES.rglob("c41ppn_large_27261.jpg"))  # a red handle


def photo(path: Path | io.BytesIO) -> Image.Image:
    """The image as the pipeline sees it (transparency on white)."""
    with Image.open(path) as img:
        return to_rgb(img).copy()


def views(img: Image.Image) -> np.ndarray:
    hashes = perceptual_hashes(img)
    return np.array([getattr(hashes, c) for c in VIEW_COLUMNS], np.uint64)


def is_candidate(a: Image.Image, b: Image.Image) -> bool:
    return len(candidate_pairs(np.stack([views(a), views(b)]), DedupConfig.threshold)) == 1


def watermark_band(
    img: Image.Image, centre: float = 0.74, text: int | None = None, inset: int = 4
) -> Image.Image:
    """A translucent dark band a seventh of the height across the picture, with a shop's
    address in white (the default font, or one `text` times the band's height in 1/3),
    `inset` pixels below the band's top."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    height = max(12, img.height // 7)
    top = round(img.height * centre - height / 2)
    draw.rectangle((0, top, img.width, top + height), fill=(30, 30, 30, 120))
    font = ImageFont.load_default(size=height * text // 3) if text else None
    draw.text((img.width // 10, top + inset), "www.reseller-shop.com", (255, 255, 255, 200), font)
    return Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")


def test_reseller_edits_of_a_real_photo_cluster_with_it(tmp_path: Path) -> None:
    original = photo(KNIFE)
    w, h = original.size
    folder = tmp_path / "shop"
    folder.mkdir()
    original.save(folder / "original.png")
    pad = (round(w * 0.075), round(h * 0.075))
    ImageOps.expand(original, border=pad * 2, fill="white").save(folder / "pad15.jpg")
    crop = (round(w * 0.04), round(h * 0.04))
    original.crop((*crop, w - crop[0], h - crop[1])).save(folder / "crop8.jpg", quality=85)
    watermark_band(original).save(folder / "watermark.jpg", quality=90)
    photo(OTHER_KNIFE).save(folder / "other_knife.jpg")
    photo(UPLOADS / "hoodie_5_front-600x600.jpg").save(folder / "hoodie.jpg")

    out = tmp_path / "clusters.json"
    assert ilid_main(["dedup", str(folder), "-o", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["verified"] and document["confirmed_pairs"] >= 3
    clusters = document["clusters"]
    assert sorted(clusters[0]) == ["crop8.jpg", "original.png", "pad15.jpg", "watermark.jpg"]
    assert sorted(clusters[1:]) == [["hoodie.jpg"], ["other_knife.jpg"]]


def test_one_template_in_another_print_is_proposed_and_rejected() -> None:
    """The shop's hoodie photo re-used for another print: close hashes, another product."""
    skull, faint = (
        photo(UPLOADS / "hoodie_7_front-600x600.jpg"),
        photo(UPLOADS / "hoodie_5_front-600x600.jpg"),
    )
    assert is_candidate(skull, faint)
    verdict = check_pair(prepare(skull), prepare(faint))
    assert not verdict.same and verdict.inliers >= 60, "aligned, yet not one photo"
    assert verdict.reason in {"pixels", "changed patch"}


@pytest.mark.parametrize("change", ["label", "colour"])
def test_a_crafted_other_part_with_close_hashes_is_rejected(change: str) -> None:
    """A copy whose label is replaced, or whose product is recoloured, stays a candidate (its
    hashes barely move) but is another product; its untouched copy is confirmed."""
    original = photo(KNIFE if change == "label" else COLOURFUL)
    other = original.copy()
    w, h = other.size
    if change == "label":
        ImageDraw.Draw(other).rectangle((w * 0.35, h * 0.4, w * 0.6, h * 0.55), fill=(200, 30, 30))
    else:
        pixels = np.asarray(other).copy()
        part = np.ptp(pixels, axis=2) > 40  # the coloured handle
        pixels[part] = pixels[part][:, [2, 0, 1]]  # same brightness, another hue
        other = Image.fromarray(pixels)
    assert is_candidate(original, other)
    verdict = check_pair(prepare(original), prepare(other))
    assert not verdict.same and verdict.inliers >= 60, "aligned, yet not one photo"
    assert verdict.reason in {"pixels", "changed patch", "colour"}
    copy = original.resize((w * 3 // 4, h * 3 // 4))
    assert check_pair(prepare(original), prepare(copy)).same


def _edited(path: Path, edit: str) -> Image.Image:
    """The corpus photo as a reseller's copy: JPEG q20, 30 % brighter, 30 % darker or halved
    (JPEG q90), or watermarked (a band centred at 0.74 of the height, or one in large letters
    centred at the height after a colon)."""
    img = photo(path)
    if edit == "brighter":
        return ImageEnhance.Brightness(img).enhance(1.3)
    if edit in ("darker", "half"):
        img = (
            ImageEnhance.Brightness(img).enhance(0.7)
            if edit == "darker"
            else img.resize((img.width // 2, img.height // 2))
        )
        buffer = io.BytesIO()
        img.save(buffer, "JPEG", quality=90)
        return photo(buffer)
    if edit == "watermark":
        return watermark_band(img)
    if edit.startswith("watermark:"):
        height = max(12, img.height // 7)
        return watermark_band(img, float(edit.partition(":")[2]), text=2, inset=height // 8)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=20)
    return photo(buffer)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # one shop's logo in the corner, another product below it
        (("bursabakir", "TOPRAKLAMA LEVHASI.webp", "jpeg"),
         ("bursabakir", "TOPRAKLAMA ÇUBUKLARI.webp", "brighter")),
        # one bottle, another label: the watermark band must not hide the difference
        (("cdcsy", "0fe8d705d30c68b3296081c4f2219bb5.jpg", "jpeg"),
         ("cdcsy", "d3ef4c9b4c0bc5d346090d228afc7175.jpg", "watermark")),
        # two panels of one series on one layout: other captions in a row across the
        # picture, which must not pass for a watermark band
        (("vincentsolar", "PEIMAR_poli60-e1563979744545.jpg", "jpeg"),
         ("vincentsolar", "PEIMAR_poli72-e1563979885954.jpg", "jpeg")),
        # two bottles on one backdrop, each under a band at another height: the bands'
        # letters align the two pictures shifted, and the bottle then differs as a column
        (("diwinea", "bouteille_de_vin_suisse_vin_rouge_gamaret_de_peissy.jpg", "watermark:0.582"),
         ("diwinea", "bouteille_de_vin_suisse_vin_blanc_petite_arvine.png", "watermark:0.707")),
        # one hoodie shot with another print on the chest: the brightness lookup bends to map
        # one print's grey blob onto the other's thin white lines, cell means agree, their
        # fine detail does not
        (("energywoo", "hoodie_5_front-600x600.jpg", "half"),
         ("energywoo", "hoodie_7_front-600x600.jpg", "darker")),
    ],
)  # fmt: skip
def test_another_product_shot_alike_is_not_confirmed(
    first: tuple[str, str, str], second: tuple[str, str, str]
) -> None:
    """Different products photographed alike (the same logo, bottle or background) once
    passed the check; the parts that differ must decide, wherever the matches lie."""
    a, b = (_edited(next((CORPUS / s / "www").rglob(n)), e) for s, n, e in (first, second))
    verdict = check_pair(prepare(a), prepare(b))
    assert not verdict.same, verdict
    original = photo(next((CORPUS / second[0] / "www").rglob(second[1])))
    assert check_pair(prepare(original), prepare(b)).same, "its own copy is confirmed"


@pytest.mark.parametrize(
    ("site", "name", "centre"),
    [
        ("stb", "hydrauli-cyclinder.jpg", 0.48),  # the letters' corners outshine the photo's
        ("bcbtechnik", "boudy-pro-telata.jpg", 0.5),  # a wide photo: the band takes 1/4 of it
        ("agrimont", "bentosil_M75.JPG", 0.66),  # on white: the banded copy is less clipped
    ],
)
def test_a_watermark_band_in_large_letters_is_confirmed(site: str, name: str, centre: float):
    """A reseller's band with the address in large letters across a real photo: the copy
    keeps enough matching keypoints, and the band is left out of the pixel comparison."""
    original = photo(next((CORPUS / site / "www").rglob(name)))
    buffer = io.BytesIO()
    watermark_band(original, centre, text=2).save(buffer, "JPEG", quality=90)
    banded = prepare(photo(buffer))
    assert check_pair(prepare(original), banded).same
    assert check_pair(banded, prepare(original)).same


def test_parallel_check_decides_as_serial() -> None:
    """Worker processes each load the images of their pairs; every verdict is the one this
    process reaches alone, in the same order."""
    images = [photo(KNIFE), photo(OTHER_KNIFE), photo(COLOURFUL)]
    images += [ImageEnhance.Brightness(images[0]).enhance(1.3), watermark_band(images[1])]
    images += [ImageOps.expand(images[2], border=40, fill="grey"), images[0].resize((250, 250))]
    prepared = [prepare(img) for img in images]
    pairs = np.array([(i, j) for i in range(len(images)) for j in range(i + 1, len(images))])
    pairs = np.repeat(pairs, 4, axis=0)  # enough pairs for worker processes
    serial = check_candidates(pairs, prepared.__getitem__, workers=1)
    parallel = check_candidates(pairs, prepared.__getitem__, workers=3)
    assert serial == parallel
    confirmed = {tuple(p) for p, c in zip(pairs.tolist(), serial, strict=True) if c.same}
    assert confirmed == {(0, 3), (1, 4), (2, 5), (0, 6), (3, 6)}


def test_prepared_view_round_trips(tmp_path: Path) -> None:
    """Ingest keeps the check's view as a file; the check reads back exactly what it wrote,
    and refuses a file of another kind."""
    prepared = prepare(photo(KNIFE))
    path = tmp_path / "knife.check"
    path.write_bytes(prepared_bytes(prepared))
    loaded = load_prepared(path)
    assert np.array_equal(loaded.grid, prepared.grid) and loaded.size == prepared.size
    assert loaded.box == prepared.box
    assert np.array_equal(loaded.points, prepared.points)
    assert np.array_equal(loaded.descriptors, prepared.descriptors)
    assert loaded.clipped == prepared.clipped
    path.write_bytes(b"PK\x03\x04 an old npz")
    with pytest.raises(ValueError):
        load_prepared(path)
