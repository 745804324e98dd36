"""Weight averaging for the training loop: SWA from a fraction of the run, EMA, and SWAD.

SWAD (Cha et al., NeurIPS 2021) averages every iterate densely, but only over the region where
the validation loss sits in its valley: averaging starts once the loss stops improving for
`n_converge` validations and stops when it rises `tolerance_ratio` above the valley's level
for `n_tolerance` validations. The paper's defaults (N_s = 3, N_e = 6, r = 1.3) are ours.

Every averager sees the module after each optimiser step (`update`) and the validation loss
at each validation point (`validated`); `averaged_state` is what the loop loads at the end.
BatchNorm statistics of averaged weights are recomputed by the loop afterwards.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

import torch

Averaging = Literal["none", "swa", "ema", "swad"]
AVERAGING = ("none", "swa", "ema", "swad")

State = dict[str, torch.Tensor]


def _floats(module: torch.nn.Module) -> State:
    """The module's floating-point parameters and buffers, detached copies on the CPU."""
    return {
        k: v.detach().to("cpu", torch.float32, copy=True)
        for k, v in module.state_dict().items()
        if v.is_floating_point()
    }


class _Sum:
    """A running sum of states and how many went in: a dense average that can absorb others."""

    def __init__(self) -> None:
        self.total: State | None = None
        self.count = 0

    def add(self, state: State, weight: int = 1) -> None:
        if self.total is None:
            self.total = {k: v * weight for k, v in state.items()}
        else:
            for k, v in state.items():
                self.total[k].add_(v, alpha=weight)
        self.count += weight

    def absorb(self, other: _Sum) -> None:
        if other.total is not None:
            self.add({k: v / other.count for k, v in other.total.items()}, other.count)

    def mean(self) -> State | None:
        return None if self.total is None else {k: v / self.count for k, v in self.total.items()}

    def state_dict(self) -> dict[str, Any]:
        return {"total": self.total, "count": self.count}

    @classmethod
    def from_state(cls, saved: dict[str, Any]) -> _Sum:
        new = cls()
        new.total, new.count = saved["total"], saved["count"]
        return new


class WeightAverage:
    """Base: no averaging."""

    def update(self, module: torch.nn.Module, step: int) -> None:
        """After optimiser step number `step` (1-based)."""

    def validated(self, val_loss: float, step: int) -> None:
        """At a validation point, with the validation loss of the current weights."""

    def averaged_state(self) -> State | None:
        return None

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        pass


class UniformAverage(WeightAverage):
    """SWA: the plain mean of every iterate from `start` on."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.sum = _Sum()

    def update(self, module: torch.nn.Module, step: int) -> None:
        if step > self.start:
            self.sum.add(_floats(module))

    def averaged_state(self) -> State | None:
        return self.sum.mean()

    def state_dict(self) -> dict[str, Any]:
        return self.sum.state_dict()

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.sum = _Sum.from_state(saved)


class ExponentialAverage(WeightAverage):
    """EMA with bias correction, so a short run is not pulled towards its first weights."""

    def __init__(self, decay: float) -> None:
        if not 0 < decay < 1:
            raise ValueError("ema_decay must be in (0, 1)")
        self.decay = decay
        self.ema: State | None = None
        self.steps = 0

    def update(self, module: torch.nn.Module, step: int) -> None:
        state = _floats(module)
        self.steps += 1
        if self.ema is None:
            self.ema = {k: v * (1 - self.decay) for k, v in state.items()}
            return
        for k, v in state.items():
            self.ema[k].mul_(self.decay).add_(v, alpha=1 - self.decay)

    def averaged_state(self) -> State | None:
        if self.ema is None:
            return None
        correction = 1 - self.decay**self.steps
        return {k: v / correction for k, v in self.ema.items()}

    def state_dict(self) -> dict[str, Any]:
        return {"ema": self.ema, "steps": self.steps}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.ema, self.steps = saved["ema"], saved["steps"]


@dataclass
class _Segment:
    """The dense average of the iterates between two validations, and the loss at its end."""

    sum: _Sum
    loss: float
    end_step: int


class SWAD(WeightAverage):
    """SWAD's loss-valley rule over segment averages (the official `LossValley`)."""

    def __init__(
        self, n_converge: int = 3, n_tolerance: int = 6, tolerance_ratio: float = 0.3
    ) -> None:
        self.n_converge, self.n_tolerance = n_converge, n_tolerance
        self.tolerance_ratio = tolerance_ratio
        self.segment = _Sum()
        self.converge_q: deque[_Segment] = deque(maxlen=n_converge)
        self.smooth_q: deque[_Segment] = deque(maxlen=n_tolerance)
        self.final: _Sum | None = None
        self.converge_step: int | None = None
        self.threshold: float | None = None
        self.dead_valley = False
        self.valley: tuple[int, int] | None = None  # first and last step averaged, for the report
        self.taken: set[int] = set()

    def update(self, module: torch.nn.Module, step: int) -> None:
        if not self.dead_valley:
            self.segment.add(_floats(module))

    def _take(self, segment: _Segment) -> None:
        assert self.final is not None
        if segment.end_step in self.taken:
            return
        self.taken.add(segment.end_step)
        self.final.absorb(segment.sum)
        first = segment.end_step - segment.sum.count + 1
        start = first if self.valley is None else min(self.valley[0], first)
        self.valley = (start, max(segment.end_step, self.valley[1] if self.valley else 0))

    def validated(self, val_loss: float, step: int) -> None:
        if self.dead_valley or self.segment.count == 0:
            return
        frozen = _Segment(self.segment, val_loss, step)
        self.segment = _Sum()
        self.converge_q.append(frozen)
        self.smooth_q.append(frozen)
        if self.converge_step is None:
            if len(self.converge_q) < self.n_converge:
                return
            losses = [s.loss for s in self.converge_q]
            if min(range(len(losses)), key=losses.__getitem__) != 0:
                return
            # the oldest of the last n_converge segments is the minimum: the valley starts there,
            # reaching back over the earlier segments that stay under the threshold
            self.converge_step = self.converge_q[0].end_step
            self.threshold = sum(losses) / len(losses) * (1 + self.tolerance_ratio)
            self.final = _Sum()
            before = [s for s in self.smooth_q if s.end_step <= self.converge_step]
            start = len(before) - 1
            while start > 0 and before[start - 1].loss <= self.threshold:
                start -= 1
            for segment in before[start:]:
                self._take(segment)
            return
        if self.smooth_q[0].end_step < self.converge_step:
            return
        if min(s.loss for s in self.smooth_q) > self.threshold:  # left the valley for good
            self.dead_valley = True
            return
        self._take(self.smooth_q[0])

    def averaged_state(self) -> State | None:
        if self.final is None:  # never converged: the last segment's average, as SWAD does
            return self.converge_q[-1].sum.mean() if self.converge_q else self.segment.mean()
        if not self.dead_valley:
            queue = list(self.smooth_q)[1:]
            while queue:
                if min(s.loss for s in queue) > self.threshold:
                    break
                self._take(queue.pop(0))
            self.smooth_q.clear()
        return self.final.mean()

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items()}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        vars(self).update(saved)


def make_averager(
    kind: Averaging, total_steps: int, swa_from: float = 0.5, ema_decay: float = 0.99
) -> WeightAverage:
    if kind == "none":
        return WeightAverage()
    if kind == "swa":
        return UniformAverage(int(swa_from * total_steps))
    if kind == "ema":
        return ExponentialAverage(ema_decay)
    if kind == "swad":
        return SWAD()
    raise ValueError(f"unknown averaging {kind!r}; choose one of {AVERAGING}")
