"""What SFT and PPO share: the training flags, their settings checks, and the life of an output folder.

A folder is finished when it holds train_summary.json, which is written last. A run writes everything
(checkpoints in checkpoints/checkpoint-N, then the final files) into a staging folder beside its output,
.<name>.partial, and swaps it in only when the run finished: the previous output stays whole until then,
and after any failure or Ctrl+C (--resume continues from the staging folder). The run's log is staged the
same way in logs/.partial/<run>. --force replaces only a folder that is empty or carries the project's
.medllm-output marker. Multi-file outputs carry a manifest (sizes + sha256) written last, which readers verify.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Callable, Iterator

import cli
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


def check_replaceable(out: Path, flag: str = "--force", known: frozenset = frozenset()) -> None:
    """UserError unless out is missing, an empty folder, a folder the project made (it holds the marker), or one
    holding only `known` file names (an output written before the marker existed)."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise UserError(f"{out} is a file, not an output folder: {flag} will not replace it; pass another --output-dir")
    if (out / MARKER_FILE).is_file() or not any(out.iterdir()):
        return
    if known and all(p.name in known for p in out.iterdir()):
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


# What a trainer's output folder holds: a folder of only these (written before the marker existed) is ours too.
TRAINING_NAMES = frozenset({
    SUMMARY_FILE, CHECKPOINTS, "adapter_config.json", "adapter_model.safetensors", "adapter_model.bin", "README.md",
    "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
    "vocab.json", "merges.txt", "tokenizer.model", "added_tokens.json", "generation_config.json",
    "value_head.safetensors", MARKER_FILE,
})


def staging_dir(out: str | os.PathLike) -> Path:
    """The folder beside out that a run writes into: .<name>.partial. It is swapped in for out only when the
    run finished, so the previous output stays whole until then, and after any failure or Ctrl+C."""
    out = Path(os.path.abspath(out))
    return out.with_name(f".{out.name}.partial")


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
        check_replaceable(out, known=TRAINING_NAMES)
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
        check_replaceable(out, known=TRAINING_NAMES)
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


def _aside(out: Path) -> Path:
    """Where swap_in keeps out while the stage takes its place: .<name>.old-<pid> beside it."""
    return out.with_name(f".{out.name}.old-{os.getpid()}")


def _remove(path: Path) -> None:
    """Delete a file, link or folder; a folder is first renamed to <name>.deleting, so a removal cut short leaves
    only a name that recover_swap deletes and never mistakes for a whole output."""
    if path.is_dir() and not path.is_symlink():
        doomed = path.with_name(f"{path.name}.deleting")
        try:
            os.replace(path, doomed)
        except FileNotFoundError:  # another process (a second rank) got there first
            return
        shutil.rmtree(doomed, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover_swap(out: str | os.PathLike) -> Path | None:
    """Undo what a process killed inside swap_in left behind, before a run looks at out.

    swap_in renames out to .<name>.old-<pid> for the moment the stage takes its place. If the process died in
    between, out is missing and the previous output sits under that hidden name: it is renamed back to out (the
    newest, if there are several) and a line says so. Once out is in place, any .old-<pid> left (a process killed
    before it removed the old output) and any .deleting folder are removed. Returns the restored path or None."""
    out = Path(os.path.abspath(out))
    prefix = f".{out.name}.old-"
    try:
        aside = [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.name[len(prefix):].isdigit()]
    except OSError:  # no such folder yet, or one this user cannot list: nothing of ours is there
        return None
    restored = None
    if aside and not (out.exists() or out.is_symlink()):
        newest = max(aside, key=lambda p: p.lstat().st_ctime)
        try:
            os.replace(newest, out)
            restored = newest
            print(f"note: restored {out} from {newest.name}, where a run stopped while replacing it had left it",
                  file=sys.stderr)
        except OSError:  # another process restored it first (out exists now) or it is gone
            pass
    if out.exists() or out.is_symlink():
        for path in out.parent.iterdir():
            name = path.name
            stale = (name.startswith(prefix) and (name[len(prefix):].isdigit() or name.endswith(".deleting")))
            if stale and path != restored:
                _remove(path)
    return out if restored else None


def swap_in(stage: Path, out: Path) -> None:
    """Replace out with the finished stage: out is renamed aside, the stage renamed to out, the old one removed.
    A process killed between the renames leaves the old output aside; the next run puts it back (recover_swap)."""
    out = Path(out)
    recover_swap(out)
    mark_output(stage)
    out.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if out.exists() or out.is_symlink():
        old = _aside(out)
        os.replace(out, old)
    try:
        os.replace(stage, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        _remove(old)


# --------------------------------------------------------------------------- run logs

LOG_NAMES = frozenset({"metrics.jsonl", "wandb", "plots", MARKER_FILE})  # what a run folder under logs/ holds


def run_log_dir(section, stage: str) -> Path:
    """logs/<run>: <run_name> when set; else <stage> for the default output folder (models/sft -> logs/sft), and
    <stage>-<folder>-<hash of its absolute path> for any other, so each output keeps its own log."""
    import hashlib
    import re

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
    check_replaceable(run_dir, "a new run", LOG_NAMES)
    check_replaceable(log_staging_dir(run_dir), "a new run", LOG_NAMES)


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
        cli.atomic_write_jsonl(metrics, [r for r in rows if r.get("step", 0) <= upto_step])
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
    import math

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
    import re

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


# --------------------------------------------------------------------------- manifests

MANIFEST_FORMAT = "medllm-manifest/1"
MANIFEST_FILE = "manifest.json"


def file_sha256(path: str | os.PathLike) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(manifest: Path, files: list[Path], known: dict[str, str] | None = None) -> Path:
    """manifest (JSON): size and sha256 of each file (named relative to the manifest's folder). Written last, it
    says the set of files is complete and belongs together. `known`: sha256s already computed, by name."""
    known = known or {}
    entries = {Path(f).name: {"size": Path(f).stat().st_size, "sha256": known.get(Path(f).name) or file_sha256(f)}
               for f in files}
    return cli.atomic_write_json(manifest, {"format": MANIFEST_FORMAT, "files": entries})


def verify_manifest(manifest: Path, names: list[str] | None = None, fix: str = "", hashes: bool = True) -> dict:
    """UserError unless every file the manifest lists (or just `names`) is there with its size and sha256."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{manifest} is not a readable manifest: {fix}") from None
    for name in names if names is not None else list(files):
        entry = files.get(name)
        path = manifest.parent / name
        if entry is None:
            raise UserError(f"{path} is not listed in {manifest}: the files do not belong together; {fix}")
        if not path.is_file() or path.stat().st_size != entry.get("size"):
            raise UserError(f"{path} is missing or changed since it was written (its size does not match "
                            f"{manifest.name}): {fix}")
        if hashes and file_sha256(path) != entry.get("sha256"):
            raise UserError(f"{path} changed since it was written (its sha256 does not match {manifest.name}): {fix}")
    return files
