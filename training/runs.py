"""What the trainers (SFT, PPO) share: the training flags and settings checks, checkpoints, run logs, Ctrl+C.

A run is finished when its output folder holds train_summary.json, written last. Checkpoints go to
checkpoints/checkpoint-N inside the staging folder (common.outputs), so --resume continues an interrupted
run; the run's log is staged the same way in logs/.partial/<run>.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import signal
import sys
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from common.errors import UserError
from common.outputs import (MANIFEST_FILE, atomic_write_jsonl, check_replaceable, mark_output,
                            recover_swap, staging_dir, verify_manifest, write_manifest)
from common.run_logging import WANDB_MODES

SUMMARY_FILE = "train_summary.json"
CHECKPOINTS = "checkpoints"


def seal_checkpoint(ckpt: Path) -> Path:
    """Write the checkpoint's manifest (sizes + sha256 of its files), last: last_checkpoint skips a checkpoint
    whose files no longer match it (cut short, truncated, changed)."""
    files = sorted(p for p in Path(ckpt).iterdir() if p.is_file() and p.name != MANIFEST_FILE)
    return write_manifest(Path(ckpt) / MANIFEST_FILE, files)


def _sound(ckpt: Path) -> bool:
    """Whether a checkpoint can be resumed from: its manifest verifies, or (one written before checkpoints were
    sealed, or killed before the seal) its trainer_state.json, written last, is whole JSON."""
    try:
        if (ckpt / MANIFEST_FILE).is_file():
            verify_manifest(ckpt / MANIFEST_FILE, fix="")
        else:
            json.loads((ckpt / "trainer_state.json").read_text(encoding="utf-8"))
        return True
    except (UserError, OSError, ValueError) as exc:
        print(f"note: skipping the damaged {ckpt} ({str(exc).rstrip(': ')})", file=sys.stderr)
        return False


def checkpoint_sealer():
    """A transformers TrainerCallback that seals each checkpoint the Trainer saved (seal_checkpoint)."""
    from transformers import TrainerCallback  # deferred: heavy, and only the HF Trainer needs it

    class _Seal(TrainerCallback):
        def on_save(self, args, state, control, **kw):
            ckpt = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if state.is_world_process_zero and ckpt.is_dir():
                seal_checkpoint(ckpt)
            return control

    return _Seal()


def last_checkpoint(folder: str | os.PathLike) -> Path | None:
    """The newest complete checkpoint-N in folder: one cut short has no trainer_state.json, one damaged since
    no longer matches its manifest (a note names it; the one before it is taken)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    done = [p for p in folder.glob("checkpoint-*") if (p / "trainer_state.json").is_file() and p.name[11:].isdigit()]
    return next((p for p in sorted(done, key=lambda p: -int(p.name[11:])) if _sound(p)), None)




def check_output_dir(out: Path, resume: bool, force: bool) -> Path | None:
    """Refuse to overwrite without --force; with --resume, the checkpoint to continue from (that of an
    interrupted run in the staging folder first, else one under out/checkpoints). Touches nothing but what a
    process killed inside swap_in left (recover_swap puts the previous output back first)."""
    if not Path(os.path.abspath(out)).name:
        raise UserError(f"--output-dir {out} is a filesystem root; pass a folder inside it")
    recover_swap(out)
    stage = staging_dir(out)
    check_replaceable(stage, "a new run")
    finished = (out / SUMMARY_FILE).exists() or (out / "adapter_config.json").exists()
    staged = last_checkpoint(stage / CHECKPOINTS)
    ckpt = last_checkpoint(out / CHECKPOINTS)
    if resume:
        if staged is not None:
            return staged
        if ckpt is None:
            raise UserError(
                f"--resume: there is no checkpoint in {out / CHECKPOINTS}; start a new run without --resume"
            )
        if finished and not force:
            raise UserError(f"{out} holds a finished model; add --force to train on from {ckpt.name} and replace it")
        check_replaceable(out)
        return ckpt
    if staged is not None and not force:
        raise UserError(
            f"{stage} holds an unfinished run (last checkpoint: {staged.name}): continue it with --resume, "
            "or start over with --force"
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        if ckpt is not None and not finished:
            raise UserError(
                f"{out} holds an unfinished run (last checkpoint: {ckpt.name}): continue it with --resume, "
                "or start over with --force"
            )
        raise UserError(f"{out} already exists: add --force to overwrite it, or pass another --output-dir")
    if force:
        check_replaceable(out)
    return None


def begin_stage(out: Path, ckpt: Path | None, resume: bool) -> tuple[Path, Path | None]:
    """Make the staging folder for a run (validated by check_output_dir) -> (stage, checkpoint inside it).

    A new run starts from an empty stage; a resumed one keeps its stage, or copies the checkpoint it continues
    from into a new one. out itself is not touched."""
    stage = staging_dir(out)
    if resume and ckpt is not None and stage in ckpt.parents:
        return stage, ckpt
    if stage.exists():
        shutil.rmtree(stage)
    mark_output(stage)
    (stage / CHECKPOINTS).mkdir()
    if resume and ckpt is not None:
        shutil.copytree(ckpt, stage / CHECKPOINTS / ckpt.name)
        ckpt = stage / CHECKPOINTS / ckpt.name
    return stage, ckpt

# --------------------------------------------------------------------------- run logs



def run_log_dir(section, stage: str) -> Path:
    """logs/<run>: <run_name> when set; else <stage> for the default output folder (models/sft -> logs/sft), and
    <stage>-<folder>-<hash of its absolute path> for any other, so each output keeps its own log."""
    name = section.run_name
    if not name:
        out = os.path.abspath(section.output_dir)
        if out == os.path.abspath(type(section)().output_dir):
            name = stage
        else:
            slug = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(out).name).strip("-.") or "out"
            name = f"{stage}-{slug}-{hashlib.sha256(out.encode()).hexdigest()[:8]}"
    return Path(section.logs_dir) / name


def log_staging_dir(run_dir: Path) -> Path:
    """logs/.partial/<run>: where a run's log is written until the run finished (same name, so W&B's is too)."""
    return Path(run_dir).parent / ".partial" / Path(run_dir).name


def check_log_dir(run_dir: Path) -> None:
    """UserError unless the run's log folder (replaced at the end of the run) is one a MedLLM run wrote (after
    recover_swap has put back a log a process killed inside swap_in left aside)."""
    recover_swap(run_dir)
    check_replaceable(run_dir, "a new run")
    check_replaceable(log_staging_dir(run_dir), "a new run")


def begin_log_stage(run_dir: Path, resume: bool, upto_step: int | None) -> Path:
    """The staging folder for the run's log. A resumed run continues its own (or a copy of the finished one),
    without the records of steps past its checkpoint; a new run starts empty. run_dir is not touched."""
    stage = log_staging_dir(run_dir)
    if not (resume and stage.is_dir()):
        if stage.exists():
            shutil.rmtree(stage)
        if resume and run_dir.is_dir():
            stage.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(run_dir, stage)
    mark_output(stage)
    metrics = stage / "metrics.jsonl"
    if resume and metrics.exists() and upto_step is not None:
        rows = [json.loads(line) for line in metrics.read_text(encoding="utf-8").splitlines() if line.strip()]
        atomic_write_jsonl(metrics, [r for r in rows if r.get("step", 0) <= upto_step])
    elif not resume:
        metrics.unlink(missing_ok=True)
    return stage


# --------------------------------------------------------------------------- settings


def require(ok: bool, name: str, value, allowed: str) -> None:
    """UserError `name must be <allowed>, not <value>` unless ok."""
    if not ok:
        raise UserError(f"{name} must be {allowed}, not {value!r}")


def check_common_settings(section, name: str, lora=None) -> None:
    """The training settings SFT and PPO share, each against its allowed range."""
    def finite(x):
        return isinstance(x, (int, float)) and math.isfinite(x)

    s = section
    require(finite(s.epochs) and s.epochs > 0, f"{name}.epochs (--epochs)", s.epochs, "above 0, e.g. 1")
    require(s.max_steps >= -1, f"{name}.max_steps (--max-steps)", s.max_steps, "-1 or 0 (use --epochs) or a positive step count")
    require(s.max_samples >= 0, f"{name}.max_samples (--max-samples)", s.max_samples, "0 (all) or a positive count")
    require(finite(s.learning_rate) and s.learning_rate > 0, f"{name}.learning_rate", s.learning_rate, "above 0, e.g. 1e-4")
    require(s.batch_size >= 1, f"{name}.batch_size", s.batch_size, "at least 1")
    require(finite(s.max_grad_norm) and s.max_grad_norm > 0, f"{name}.max_grad_norm", s.max_grad_norm, "above 0")
    for field in ("logging_steps", "save_steps"):
        require(getattr(s, field) >= 1, f"{name}.{field}", getattr(s, field), "at least 1")
    require(s.save_total_limit >= 1, f"{name}.save_total_limit", s.save_total_limit, "at least 1")
    require(s.torch_threads >= 0, f"{name}.torch_threads", s.torch_threads, "0 (torch's default) or more")
    require(bool(str(s.output_dir).strip()), f"{name}.output_dir (--output-dir)", s.output_dir, "a folder path")
    require(not s.run_name or (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", s.run_name) is not None),
            f"{name}.run_name", s.run_name, "letters, digits, '.', '_' or '-' (it names logs/<run_name>/)")
    require("\0" not in str(s.output_dir), f"{name}.output_dir (--output-dir)", s.output_dir, "a path without NUL")
    if lora is not None:
        require(lora.r >= 1, "lora.r", lora.r, "at least 1, e.g. 16")
        require(finite(lora.alpha) and lora.alpha > 0, "lora.alpha", lora.alpha, "above 0")
        require(finite(lora.dropout) and 0 <= lora.dropout < 1, "lora.dropout", lora.dropout, "at least 0 and below 1")
        require(bool(lora.target_modules), "lora.target_modules", lora.target_modules, "one or more module names")


# --------------------------------------------------------------------------- Ctrl+C


class InterruptFlag:
    """Within `with`, the first Ctrl+C only sets .requested (the trainer saves a checkpoint after the
    current step and stops); a second Ctrl+C raises KeyboardInterrupt at once."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nCtrl+C: saving a checkpoint after this step (press Ctrl+C again to stop at once)", file=sys.stderr)

    def __enter__(self):
        self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self._previous)


class StopOnInterrupt(InterruptFlag):
    """First Ctrl+C: save a checkpoint after the current step and stop. Second: stop at once.

    Use as a context manager around training. The HF Trainer (SFT) takes `.callback()`; PPO's loop asks
    `.agreed()` after each step. With several processes the flag is summed over them, so all stop at one step.
    """

    def __init__(self):
        super().__init__()
        self.stopped_at: int | None = None

    def agreed(self) -> bool:
        """True when any process saw Ctrl+C."""
        import torch.distributed as dist  # deferred: torch loads only once a run starts (and after OMP settings)

        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            import torch

            flag = torch.tensor([1.0 if self.requested else 0.0])
            if dist.get_backend() == "nccl":
                flag = flag.cuda()
            dist.all_reduce(flag)
            return bool(flag.item() > 0)
        return self.requested

    def callback(self):
        """A transformers TrainerCallback that saves and stops the Trainer once `agreed()`."""
        from transformers import TrainerCallback  # deferred: heavy, and only the HF Trainer needs it

        outer = self

        class _Callback(TrainerCallback):
            def on_step_end(self, args, state, control, **kw):
                if outer.agreed():
                    control.should_save = True
                    control.should_training_stop = True
                    outer.stopped_at = state.global_step
                return control

        return _Callback()


@dataclass
class TrainResult:
    """What a training run returns: its summary (None when Ctrl+C stopped it), the last step, the checkpoint an
    interrupted run left, the run's log folder, and the HF Trainer where there is one (SFT)."""

    summary: dict | None
    step: int
    checkpoint: Path | None
    run_dir: Path
    trainer: Any = None


def add_training_flags(parser, section: str) -> None:
    """--backend, --resume, --force and --wandb, which both trainers take."""
    parser.add_argument("--backend", choices=["auto", "unsloth", "hf"], default=None,
                        help="unsloth (CUDA only), hf (Transformers + PEFT), auto: unsloth when CUDA is there "
                             "and the preset loads in 4-bit (sets model.backend)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint in <output-dir>/checkpoints")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output folder")
    parser.add_argument("--wandb", choices=list(WANDB_MODES), default=None,
                        help=f"Weights & Biases mode (default offline: files under logs/<run>/wandb; sets {section}.wandb)")


def apply_training_flags(args, cfg, section: str) -> None:
    """Copy --backend and --wandb into the resolved config."""
    if args.backend:
        cfg.model.backend = args.backend
    if args.wandb:
        getattr(cfg, section).wandb = args.wandb


def read_split(path: Path, what: str, fix: str, valid: Callable[[dict], bool], expected: str) -> Iterator[dict]:
    """The records of a processed split, one by one. UserError (naming the line) for a missing file or a line
    that is not JSON or fails `valid`; `expected` says what a line should be, `fix` how to remake the file."""
    if not path.is_file():
        raise UserError(f"the {what} split {path} does not exist: {fix}")
    manifest = path.parent / MANIFEST_FILE
    if manifest.is_file():  # written by data_processor.py last: the splits and stats belong together
        verify_manifest(manifest, [path.name], "regenerate it with `python data_processor.py`")
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not valid(record):
                    raise ValueError
            except (ValueError, KeyError, TypeError, IndexError):
                raise UserError(
                    f"{path} line {number} is not {expected}: regenerate it with `python data_processor.py`"
                ) from None
            yield record


