"""ILID Parquet shards as in-memory samples, captions and a torch image dataset."""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import torch
from PIL import Image
from torch.utils.data import Dataset

from ilid_platform.dataset.layout import shard_files
from ilid_platform.dataset.text import DEFAULT_TEXT_FIELDS as DEFAULT_TEXT_FIELDS
from ilid_platform.dataset.text import PHRASE_FIELDS, SENTENCE_FIELDS, caption_text
from ilid_platform.dataset.text import check_text_fields as check_text_fields
from ilid_platform.train.runtime import file_sha256

SPLITS = ("train", "val", "test")
ZERO_SHOT_TEMPLATES = ("a photo of a {}.",)
_TEXT_COLUMNS = (
    "id",
    "url",
    "label_short",
    "label_long",
    "description",
    "material",
    "material_finish",
    "source",
    "split",
    "cluster_id",
)


@dataclass(frozen=True)
class Sample:
    id: str
    image: bytes
    url: str
    label_short: str
    label_long: str
    description: str
    material: str
    material_finish: str
    source: str
    split: str
    cluster_id: str


def shard_paths(shards_dir: Path, splits: Sequence[str] = SPLITS) -> list[Path]:
    return shard_files(shards_dir, splits)


def shard_fingerprint(shards_dir: Path) -> str:
    """Content hash of all shards: a rewrite with identical rows keeps the fingerprint."""
    paths = shard_paths(shards_dir)
    if not paths:
        raise FileNotFoundError(f"no parquet/{{train,val,test}}-*.parquet shards in {shards_dir}")
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        file_sha256(path, digest)
    return digest.hexdigest()


def _image_bytes(value: Any, shards_dir: Path) -> bytes:
    """Plain PNG bytes or the HF-datasets `{bytes, path}` struct."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, dict):
        if value.get("bytes"):
            return bytes(value["bytes"])
        if value.get("path"):
            return (Path(shards_dir) / value["path"]).read_bytes()
    raise ValueError(f"unsupported image cell: {type(value).__name__}")


def sample_fields(row: dict[str, Any]) -> dict[str, str]:
    """A shard row's (or a tar sample's JSON) text fields, as `Sample` takes them."""
    return {c: "" if row.get(c) is None else str(row[c]) for c in _TEXT_COLUMNS}


def load_samples(
    shards_dir: Path, splits: Sequence[str] = SPLITS, images: bool = True
) -> list[Sample]:
    """All rows of the selected splits, ordered by shard then row so runs are reproducible.
    `images=False` reads only the text columns (the samples' `image` is empty)."""
    paths = shard_paths(shards_dir, splits)
    if not paths:
        raise FileNotFoundError(f"no shards for splits {list(splits)} in {shards_dir}")
    samples = []
    for path in paths:
        columns = None if images else [c for c in _TEXT_COLUMNS if c in pq.read_schema(path).names]
        for row in pq.read_table(path, columns=columns).to_pylist():
            image = _image_bytes(row["image"], Path(shards_dir)) if images else b""
            samples.append(Sample(image=image, **sample_fields(row)))
    return samples


def build_caption(sample: Sample, text_fields: Sequence[str] = DEFAULT_TEXT_FIELDS) -> str:
    return caption_text(
        {f: getattr(sample, f) for f in PHRASE_FIELDS + SENTENCE_FIELDS}, text_fields
    )


def class_names(samples: Sequence[Sample], field: str) -> list[str]:
    """Sorted distinct non-empty values: the N classes of an N-way zero-shot task."""
    return sorted({getattr(s, field) for s in samples} - {""})


def decode_image(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def downscale(image: Image.Image, short_side: int) -> Image.Image:
    """Shrink so the short side is `short_side` (the model's input size), never enlarging.
    Every training view is cut from this, in memory and streamed alike: the augmentations
    then resample a model-sized image instead of the 512 px original."""
    scale = short_side / min(image.size)
    if scale >= 1:
        return image
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=3.0)


class _SharedCache:
    """Decoded images, and the tensors of deterministic (evaluation) transforms, shared by
    every dataset of the process: a protocol's runs (each student, each adaptation method)
    see the same images again, and a 512 px PNG decode costs more than a small model's
    forward pass. A least-recently-used store bounded in bytes; keys carry the image bytes'
    hash, so two datasets with the same sample ids but other images never mix."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.used = max_bytes, 0
        self.items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()

    def get(self, key: tuple) -> Any:
        item = self.items.get(key)
        if item is None:
            return None
        self.items.move_to_end(key)
        return item[0]

    def put(self, key: tuple, value: Any, size: int) -> None:
        if key in self.items or size > self.max_bytes:
            return
        self.items[key] = (value, size)
        self.used += size
        while self.used > self.max_bytes:
            _, (_, dropped) = self.items.popitem(last=False)
            self.used -= dropped


SHARED_CACHE = _SharedCache(512 * 2**20)


def _image_key(sample: Sample) -> tuple:
    return (sample.id, len(sample.image), hash(sample.image))


class ImageDataset(Dataset):
    """Yields `(transform(image), index)`; the index lets callers look up texts and labels.

    With `cache_size`, each image is decoded once and kept downscaled so its short side is
    `cache_size` (the model's input size): later epochs, and later datasets of the same
    process, skip the 512px PNG decode, which dominates CPU time for small models. With
    `deterministic` (an evaluation transform: no random views), the transformed tensors are
    kept too, for every dataset of the process with the same transform.
    """

    def __init__(
        self,
        samples: Sequence[Sample],
        transform: Callable[[Image.Image], torch.Tensor],
        cache_size: int | None = None,
        deterministic: bool = False,
    ) -> None:
        self.samples = list(samples)
        self.transform = transform
        self.cache_size = cache_size
        self._tensor_key = repr(transform) if deterministic else None

    def __len__(self) -> int:
        return len(self.samples)

    def _image(self, index: int) -> Image.Image:
        sample = self.samples[index]
        if not self.cache_size:
            return decode_image(sample.image)
        key = (*_image_key(sample), self.cache_size)
        image = SHARED_CACHE.get(key)
        if image is None:
            image = downscale(decode_image(sample.image), self.cache_size)
            SHARED_CACHE.put(key, image, image.width * image.height * 3)
        return image

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        if self._tensor_key is None:
            return self.transform(self._image(index)), index
        key = (*_image_key(self.samples[index]), self.cache_size, self._tensor_key)
        tensor = SHARED_CACHE.get(key)
        if tensor is None:
            tensor = self.transform(self._image(index))
            SHARED_CACHE.put(key, tensor, tensor.numel() * tensor.element_size())
        return tensor, index


def image_batches(dataset: ImageDataset, size: int = 64) -> Iterator[torch.Tensor]:
    """The dataset's transformed images, in order, stacked in batches of `size`."""
    for start in range(0, len(dataset), size):
        yield torch.stack([dataset[i][0] for i in range(start, min(start + size, len(dataset)))])
