"""The one training loop: exact resume after an interruption, and selection on validation."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from ilid_platform.train.clip.methods.run import build_method
from ilid_platform.train.clip.stage import ClipConfig, zero_shot_classes
from ilid_platform.train.data import load_samples
from ilid_platform.train.loop import LoopConfig, autocast_dtype, fit
from ilid_platform.train.runtime import seed_everything
from ilid_platform.train.students.stage import StudentConfig
from ilid_platform_tests.test_train_clip import write_synthetic_shards

CPU = torch.device("cpu")
# 72 images at batch 16: 4 steps an epoch, so step 6 is inside the second epoch.
LOOP = LoopConfig(steps=8, batch_size=16, lr=5e-4, warmup_steps=2, validate_every=3)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    samples = load_samples(write_synthetic_shards(tmp_path_factory.mktemp("loop"), per_combo=1))
    return samples, zero_shot_classes(samples)["label_short"]


def _finetune(classes):
    """Full fine-tuning from random weights: augmentation and caption dropout both draw random
    numbers, so an inexact resume would show in the weights."""
    seed_everything(0)
    return build_method("finetune", "ilid-tiny", classes, CPU)


class Interrupt(Exception):
    pass


def test_resumed_run_matches_uninterrupted_run(tiny, tmp_path: Path) -> None:
    samples, classes = tiny
    straight = _finetune(classes)
    fit(straight, samples, LOOP, CPU)

    state = tmp_path / "run.state.pt"
    lines: list[str] = []

    def stop_at_six(line: str) -> None:
        lines.append(line)
        if line.startswith("step 6/"):
            raise Interrupt

    with pytest.raises(Interrupt):
        fit(_finetune(classes), samples, LOOP, CPU, state_path=state, progress=stop_at_six)
    assert state.is_file()
    resumed = _finetune(classes)  # fresh weights: everything must come from the state file
    result = fit(resumed, samples, LOOP, CPU, state_path=state, progress=lines.append)
    assert any(line.startswith("resuming at step 6/8") for line in lines)
    assert [h["step"] for h in result.history] == [3, 6, 8]
    expected = straight.state_dict()
    for key, value in resumed.state_dict().items():
        assert torch.equal(value, expected[key]), key


def test_selection_keeps_the_weights_of_the_best_validation(tiny) -> None:
    samples, classes = tiny
    method = _finetune(classes)
    scores = iter([0.2, 0.7, 0.6])
    seen: list[dict[str, torch.Tensor]] = []

    def validate() -> dict[str, float]:
        seen.append({k: v.clone() for k, v in method.clip.state_dict().items()})
        method.text_head()  # evaluation caches the class head of the weights it saw
        return {"label_short_acc": next(scores)}

    result = fit(method, samples, LOOP, CPU, validate=validate, select_on="label_short_acc")
    assert result.best_step == 6 and result.best["label_short_acc"] == 0.7
    assert [h["val_label_short_acc"] for h in result.history] == [0.2, 0.7, 0.6]
    for key, value in method.clip.state_dict().items():
        assert torch.equal(value, seen[1][key]), key
    assert not torch.equal(seen[1]["logit_scale"], seen[2]["logit_scale"])  # training went on
    with torch.no_grad():  # the head classifies with the kept weights, not the last ones
        assert torch.equal(method.text_head(), method.class_embeddings(method.classes))


def test_weight_averaging_averages_the_late_iterates(tiny) -> None:
    samples, classes = tiny
    method = _finetune(classes)
    snapshots: list[torch.Tensor] = []

    class Recorder:
        """Wraps the task to record the weights after each step."""

        def __init__(self, task) -> None:
            self.task = task
            self.module, self.input_spec = task.module, task.input_spec

        def __getattr__(self, name):
            return getattr(self.task, name)

        def after_step(self) -> None:
            self.task.after_step()
            snapshots.append(method.clip.visual.attnpool.c_proj.weight.detach().clone())

    config = LoopConfig(steps=6, batch_size=16, lr=5e-4, averaging="swa", swa_from=0.5)
    fit(Recorder(method), samples, config, CPU)
    expected = torch.stack(snapshots[3:]).mean(0)  # steps 4, 5, 6
    assert torch.allclose(method.clip.visual.attnpool.c_proj.weight, expected, atol=1e-6)


@pytest.mark.parametrize(
    ("precision", "bf16", "expected"),
    [
        ("fp32", True, None),
        ("amp_bf16", True, torch.bfloat16),
        ("amp_bf16", False, torch.float16),  # a GPU without bf16 falls back to fp16
        ("amp_fp16", True, torch.float16),
    ],
)
def test_precision_names_map_to_autocast_dtypes(monkeypatch, precision, bf16, expected) -> None:
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    assert autocast_dtype(torch.device("cuda"), precision) == expected
    assert autocast_dtype(torch.device("cpu"), precision) is None  # CPU trains in fp32


def test_unknown_precision_is_refused_where_it_is_configured() -> None:
    with pytest.raises(ValueError, match="precision must be one of"):
        LoopConfig(precision="fp16")
    with pytest.raises(ValueError, match="precision must be one of"):
        ClipConfig(precision="bf16")
    with pytest.raises(ValueError, match="precision must be one of"):
        StudentConfig(precision="amp")
