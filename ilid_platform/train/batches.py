"""Where the loop's training batches come from: samples in memory, or shards as a stream.

Both sources give every rank of a torchrun launch the same number of batches per epoch (a
rank that ran out early would leave the others waiting in DDP's all-reduce), and both make
epoch `e` a function of the seed and `e` alone, so a resumed run picks up at
`(step // per_epoch, step % per_epoch)` without replaying what it already trained on.
`batch_size` is per process, as open_clip's `--batch-size` is per GPU.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import pyarrow.parquet as pq
import torch
import webdataset as wds
from PIL import Image
from torch.utils.data import DataLoader, IterableDataset
from torchvision import transforms

from ilid_platform.dataset.layout import WEBDATASET_DIR, shard_files
from ilid_platform.train.data import (
    ImageDataset,
    Sample,
    decode_image,
    downscale,
    sample_fields,
)
from ilid_platform.train.distributed import SINGLE, World

Batch = tuple[torch.Tensor, list[Sample]]
Augment = Literal["none", "crop", "pose", "domainbed", "randaugment"]
AUGMENTATIONS = ("none", "crop", "pose", "domainbed", "randaugment")
Transform = Callable[[Image.Image], torch.Tensor]


class BatchSource(Protocol):
    per_epoch: int  # batches per epoch on every rank

    def epoch(self, index: int, skip: int = 0) -> Iterator[Batch]:
        """This rank's batches of epoch `index`, from batch `skip` on."""
        ...


def check_augment(augment: bool | str) -> None:
    """Raises for a training-view policy `train_transform` does not know."""
    if not isinstance(augment, bool) and augment not in AUGMENTATIONS:
        raise ValueError(f"augment must be one of {AUGMENTATIONS}, got {augment!r}")


class QuarterTurn:
    """Turns by 0, 90, 180 or 270 degrees: lossless, no corners to fill as any other angle
    would leave."""

    TURNS = (None, *(getattr(Image.Transpose, f"ROTATE_{a}") for a in (90, 180, 270)))

    def __call__(self, image: Image.Image) -> Image.Image:
        turn = self.TURNS[int(torch.randint(4, ()))]
        return image if turn is None else image.transpose(turn)


def train_transform(spec: Any, augment: bool | Augment = True) -> Callable:
    """Training-time views.

    * `crop` (True): a 90-100 % crop, as open_clip trains; product photos are centred.
    * `pose`: `crop`, then a mirror image and a quarter turn at random: for parts that lie
      at any angle (trays, conveyors), where orientation says nothing about the class.
    * `domainbed`: DomainBed's policy for domain generalisation (70-100 % crop, flip, colour
      jitter 0.3, 10 % grayscale), which SWAD and VL2V-ADiP train with.
    * `randaugment`: `domainbed` plus RandAugment (2 ops, magnitude 9).
    """
    kind = ("crop" if augment else "none") if isinstance(augment, bool) else augment
    bicubic = transforms.InterpolationMode.BICUBIC
    if kind == "none":
        views = [
            transforms.Resize(spec.size, interpolation=bicubic),
            transforms.CenterCrop(spec.size),
        ]
    elif kind in ("crop", "pose"):
        views = [transforms.RandomResizedCrop(spec.size, scale=(0.9, 1.0), interpolation=bicubic)]
        if kind == "pose":
            views += [transforms.RandomHorizontalFlip(), QuarterTurn()]
    else:
        views = [
            transforms.RandomResizedCrop(spec.size, scale=(0.7, 1.0), interpolation=bicubic),
            transforms.RandomHorizontalFlip(),
            transforms.ColorJitter(0.3, 0.3, 0.3, 0.3),
            transforms.RandomGrayscale(0.1),
        ]
        if kind == "randaugment":
            views.append(transforms.RandAugment(num_ops=2, magnitude=9))
    return transforms.Compose(
        [*views, transforms.ToTensor(), transforms.Normalize(spec.mean, spec.std)]
    )


def _epoch_seed(seed: int, index: int) -> int:
    return seed * 1_000_003 + index


class MemoryBatches:
    """A seeded permutation of all samples per epoch, cut into global batches of
    `batch_size * world.size`; rank r takes the r-th slice of each. The ragged last batch is
    dropped. Decoded images are cached downscaled (`cache_size`), so later epochs skip the
    PNG decode."""

    def __init__(
        self,
        samples: Sequence[Sample],
        transform: Transform,
        batch_size: int,
        seed: int,
        world: World = SINGLE,
        cache_size: int | None = None,
    ) -> None:
        if len(samples) < world.size:
            raise ValueError(f"{len(samples)} training samples cannot feed {world.size} ranks")
        self.dataset = ImageDataset(samples, transform, cache_size=cache_size)
        self.samples = self.dataset.samples
        self.batch_size = min(batch_size, len(samples) // world.size)
        self.world = world
        self.seed = seed
        self.per_epoch = len(samples) // (self.batch_size * world.size)

    def epoch(self, index: int, skip: int = 0) -> Iterator[Batch]:
        generator = torch.Generator().manual_seed(_epoch_seed(self.seed, index))
        order = torch.randperm(len(self.samples), generator=generator).tolist()
        width = self.batch_size * self.world.size
        for b in range(skip, self.per_epoch):
            start = b * width + self.world.rank * self.batch_size
            indices = order[start : start + self.batch_size]
            images = torch.stack([self.dataset[i][0] for i in indices])
            yield images, [self.samples[i] for i in indices]


@dataclass(frozen=True)
class ShardStream:
    """The training split's WebDataset tars, read as a stream: memory stays at a shuffle
    buffer and a few batches however large the dataset grows.

    `rows` counts each tar's samples that pass `sources` (read from the sibling Parquet
    shard's text columns, which hold the same rows), so every rank knows the epoch length
    before reading a single image.
    """

    tars: tuple[Path, ...]
    rows: tuple[int, ...]
    sources: tuple[str, ...] | None = None
    workers: int = 1  # DataLoader processes decoding and augmenting ahead of the step
    shuffle_buffer: int = 1000

    @classmethod
    def open(
        cls,
        shards_dir: Path,
        split: str = "train",
        sources: Sequence[str] | None = None,
        workers: int = 1,
    ) -> ShardStream:
        parquet = shard_files(shards_dir, [split])
        tars = shard_files(shards_dir, [split], WEBDATASET_DIR)
        if not tars:
            raise FileNotFoundError(f"no {WEBDATASET_DIR}/{split}-*.tar shards in {shards_dir}")
        if [p.stem for p in parquet] != [t.stem for t in tars]:
            raise ValueError(f"{shards_dir}: the Parquet and WebDataset shards differ in names")
        rows = []
        for path in parquet:
            column = pq.read_table(path, columns=["source"]).column("source").to_pylist()
            rows.append(sum(1 for s in column if sources is None or s in sources))
        keep = tuple(sources) if sources is not None else None
        return cls(tuple(tars), tuple(rows), keep, workers)

    def __len__(self) -> int:
        return sum(self.rows)

    def batches(
        self,
        transform: Transform,
        batch_size: int,
        seed: int,
        world: World = SINGLE,
        image_size: int | None = None,
    ) -> StreamBatches:
        """`image_size`: downscale each decoded image to it first, as `MemoryBatches` caches."""
        return StreamBatches(self, transform, batch_size, seed, world, image_size)


class StreamBatches:
    """With at least as many tars as ranks, rank r reads tars r, r + size, ... (shuffled per
    epoch); with fewer, every rank reads the record stream and decodes only every size-th
    sample. Samples pass a seeded shuffle buffer; batches skipped on resume are never decoded.
    """

    def __init__(
        self,
        stream: ShardStream,
        transform: Transform,
        batch_size: int,
        seed: int,
        world: World = SINGLE,
        image_size: int | None = None,
    ) -> None:
        self.stream, self.transform, self.seed, self.world = stream, transform, seed, world
        self.image_size = image_size
        self.by_shard = len(stream.tars) >= world.size
        if self.by_shard:
            per_rank = [sum(stream.rows[r :: world.size]) for r in range(world.size)]
        else:
            per_rank = [len(stream) // world.size] * world.size
        if min(per_rank) < 1:
            raise ValueError(f"{len(stream)} training samples cannot feed {world.size} ranks")
        self.batch_size = min(batch_size, min(per_rank))
        self.per_epoch = min(per_rank) // self.batch_size

    def _records(self, index: int) -> Iterator[dict[str, Any]]:
        rank, size = self.world.rank, self.world.size
        tars = list(self.stream.tars[rank::size] if self.by_shard else self.stream.tars)
        rng = random.Random(f"{_epoch_seed(self.seed, index)}-{rank}")
        rng.shuffle(tars)
        records: Iterable[dict[str, Any]] = (
            {**r, "fields": json.loads(r["json"])}
            for r in wds.tarfile_to_samples()(iter([{"url": str(t)} for t in tars]))
        )
        sources = self.stream.sources
        if sources is not None:
            records = (r for r in records if r["fields"]["source"] in sources)
        if not self.by_shard:
            records = itertools.islice(records, rank, None, size)
        buffer = self.stream.shuffle_buffer
        return wds.shuffle(bufsize=buffer, initial=buffer, rng=rng)(records)

    def _decoded(self, index: int, skip: int, part: int = 0, parts: int = 1) -> Iterator[Batch]:
        """Batches `skip + part`, `skip + part + parts`, ...: a DataLoader worker's share."""
        records = itertools.islice(self._records(index), skip * self.batch_size, None)
        for b in range(skip, self.per_epoch):
            chunk = list(itertools.islice(records, self.batch_size))
            if len(chunk) < self.batch_size:
                raise RuntimeError("the shards hold fewer rows than their Parquet twins")
            if (b - skip) % parts != part:
                continue
            images, samples = [], []
            for record in chunk:
                image = decode_image(record["png"])
                if self.image_size:
                    image = downscale(image, self.image_size)
                images.append(self.transform(image))
                samples.append(Sample(image=b"", **sample_fields(record["fields"])))
            yield torch.stack(images), samples

    def epoch(self, index: int, skip: int = 0) -> Iterator[Batch]:
        if self.stream.workers < 1:
            yield from self._decoded(index, skip)
            return
        loader = DataLoader(
            _Epoch(self, index, skip),
            batch_size=None,
            num_workers=self.stream.workers,
            collate_fn=_as_is,
        )
        yield from loader


class _Epoch(IterableDataset):
    """One epoch of a `StreamBatches` for a DataLoader; with several workers, worker w
    produces batches w, w + workers, ... and the loader interleaves them back in order."""

    def __init__(self, source: StreamBatches, index: int, skip: int) -> None:
        self.source, self.index, self.skip = source, index, skip

    def __iter__(self) -> Iterator[Batch]:
        info = torch.utils.data.get_worker_info()
        part, parts = (0, 1) if info is None else (info.id, info.num_workers)
        return self.source._decoded(self.index, self.skip, part, parts)


def _as_is(batch: Batch) -> Batch:
    return batch


def batch_source(
    data: Sequence[Sample] | ShardStream,
    transform: Transform,
    batch_size: int,
    seed: int,
    world: World = SINGLE,
    cache_size: int | None = None,
) -> BatchSource:
    if isinstance(data, ShardStream):
        return data.batches(transform, batch_size, seed, world, cache_size)
    return MemoryBatches(data, transform, batch_size, seed, world, cache_size)
