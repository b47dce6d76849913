"""What SFT and PPO share: the training flags and the life of an output folder (models/sft/, models/ppo/).

A folder is finished when it holds train_summary.json, which is written last. Checkpoints live in
<folder>/checkpoints/checkpoint-N; one is complete when its trainer_state.json exists. Nothing finished is
overwritten without --force, and final files are written to a temp folder and moved in (summary last).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Callable, Iterator

from cli import UserError

SUMMARY_FILE = "train_summary.json"
CHECKPOINTS = "checkpoints"
# Written into every output folder the project creates. --force replaces a folder only when it carries this
# file (or is empty): a folder of someone else's files (models/, the repository, a home folder) is never removed.
MARKER_FILE = ".medllm-output"


def mark_output(folder: str | os.PathLike) -> Path:
    """Create folder (and parents) and put the project's marker in it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER_FILE
    if not marker.exists():
        marker.write_text("created by MedLLM; `--force` may replace this folder\n", encoding="utf-8")
    return folder


def check_replaceable(out: Path, flag: str = "--force") -> None:
    """UserError unless out is missing, an empty folder, or a folder the project made (it holds the marker)."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise UserError(f"{out} is a file, not an output folder: {flag} will not replace it; pass another --output-dir")
    if (out / MARKER_FILE).is_file() or not any(out.iterdir()):
        return
    raise UserError(
        f"{out} was not created by MedLLM (it has no {MARKER_FILE} marker): {flag} replaces only folders MedLLM "
        "made; pass another --output-dir"
    )


def last_checkpoint(folder: str | os.PathLike) -> Path | None:
    """The newest complete checkpoint-N in folder (a checkpoint cut short has no trainer_state.json)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    done = [p for p in folder.glob("checkpoint-*") if (p / "trainer_state.json").is_file() and p.name[11:].isdigit()]
    return max(done, key=lambda p: int(p.name[11:]), default=None)


def check_output_dir(out: Path, resume: bool, force: bool) -> Path | None:
    """Refuse to overwrite without --force; with --resume, the checkpoint to continue from."""
    finished = (out / SUMMARY_FILE).exists() or (out / "adapter_config.json").exists()
    ckpt = last_checkpoint(out / CHECKPOINTS)
    if resume:
        if ckpt is None:
            raise UserError(
                f"--resume: there is no checkpoint in {out / CHECKPOINTS}; start a new run without --resume"
            )
        if finished and not force:
            raise UserError(f"{out} holds a finished model; add --force to train on from {ckpt.name} and replace it")
        check_replaceable(out)
        return ckpt
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


def clear_output_dir(out: Path, keep_checkpoints: bool) -> None:
    """Remove what a previous run left (train_summary.json first, so the folder never looks finished)."""
    if out.is_file():
        out.unlink()
    if not out.is_dir():
        return
    (out / SUMMARY_FILE).unlink(missing_ok=True)
    for item in out.iterdir():
        if keep_checkpoints and item.name == CHECKPOINTS:
            continue
        if item.is_dir():
            shutil.rmtree(item)
        else:
            item.unlink()


def publish(tmp: Path, out: Path) -> None:
    """Move the finished files from tmp into out, train_summary.json last, then drop tmp."""
    mark_output(tmp)
    for item in sorted(tmp.iterdir(), key=lambda p: p.name == SUMMARY_FILE):
        target = out / item.name
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(item, target)
    tmp.rmdir()


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


def add_training_flags(parser, section: str) -> None:
    """--backend, --resume, --force and --wandb, which both trainers take."""
    from run_logging import WANDB_MODES

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
