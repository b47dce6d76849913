"""The command line every MedLLM script shares.

    parser = cli.make_parser("train_sft", __doc__)      # --preset, --model, --set, ... for this stage
    parser.add_argument(...)                            # the script's own flags
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "sft")               # preset + flags + --set, type-checked
    cli.show_config(cfg, "sft")                         # Rich table of the sections the stage uses

`cli.main_wrapper(main)` turns a `UserError` into one line on stderr and exit code 2 (a traceback only
with --debug), so bad input never ends in a stack trace. `atomic_write_*` write to a temp file in the
same folder and rename it into place, so an interrupted run never leaves a half-written file.
"""
from __future__ import annotations

import argparse
import errno
import dataclasses
import os
import sys
import typing
from pathlib import Path
from typing import Any, Callable

import config as config_mod
from common.errors import UserError
from common.outputs import atomic_write_json
from config import Config


# Which config field each common flag sets, per stage. A stage only offers the flags it uses.
STAGE_FLAGS: dict[str, dict[str, str]] = {
    "data": {"output_dir": "data.output_dir", "max_samples": "data.max_samples", "seed": "data.seed"},
    "sft": {
        "model": "model.name",
        "output_dir": "sft.output_dir",
        "epochs": "sft.epochs",
        "max_steps": "sft.max_steps",
        "max_samples": "sft.max_samples",
        "seed": "sft.seed",
    },
    "ppo": {
        "model": "model.name",
        "output_dir": "ppo.output_dir",
        "epochs": "ppo.epochs",
        "max_steps": "ppo.max_steps",
        "max_samples": "ppo.max_samples",
        "seed": "ppo.seed",
    },
    "grpo": {
        "model": "model.name",
        "output_dir": "grpo.output_dir",
        "epochs": "grpo.epochs",
        "max_steps": "grpo.max_steps",
        "max_samples": "grpo.max_samples",
        "seed": "grpo.seed",
    },
    "eval": {
        "model": "model.name",
        "output_dir": "eval.output_dir",
        "max_samples": "eval.max_samples",
        "seed": "eval.seed",
    },
    "export": {"model": "model.name", "output_dir": "export.output"},
    "chat": {"model": "chat.model", "seed": "chat.seed"},
    "base": {"model": "model.name"},
}

# The config sections each stage reads, for printing and saving.
STAGE_SECTIONS: dict[str, tuple[str, ...]] = {
    "data": ("data",),
    "sft": ("model", "lora", "sft"),
    "ppo": ("model", "lora", "ppo"),
    "grpo": ("model", "lora", "grpo"),
    "eval": ("model", "eval"),
    "export": ("model", "export"),
    "chat": ("chat",),
    "base": ("model",),
}

FLAG_HELP = {
    "model": "base model: 'embedded', a hub id, a local Hugging Face folder or a .gguf file",
    "output_dir": "where this stage writes its outputs",
    "epochs": "training epochs",
    "max_steps": "stop after this many optimiser steps (overrides --epochs)",
    "max_samples": "use at most this many examples (quick runs)",
    "seed": "random seed",
}
FLAG_TYPES = {"model": str, "output_dir": str, "epochs": float, "max_steps": int, "max_samples": int, "seed": int}


def make_parser(prog: str, description: str | None, stage: str) -> argparse.ArgumentParser:
    """An ArgumentParser with --preset, --set, --debug and the common flags this stage uses."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = parser.add_argument_group("common options")
    common.add_argument(
        "--preset",
        default=config_mod.DEFAULT_PRESET,
        help=f"settings preset: {' or '.join(sorted(config_mod.PRESETS))} (default: %(default)s)",
    )
    for name in STAGE_FLAGS[stage]:
        common.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=FLAG_TYPES[name],
            default=None,
            help=FLAG_HELP[name] + f" (sets {STAGE_FLAGS[stage][name]})",
        )
    common.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="override any setting, e.g. --set sft.learning_rate=1e-4 (repeatable)",
    )
    common.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    return parser


def _field_types(section_obj: Any) -> dict[str, Any]:
    return typing.get_type_hints(type(section_obj))


def parse_value(text: str, typ: Any, where: str) -> Any:
    """Convert a command-line string to the field's declared type, or raise UserError."""
    origin = typing.get_origin(typ)
    try:
        if typ is bool:
            low = text.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if typ is int:
            return int(text)
        if typ is float:
            return float(text)
        if typ is str:
            return text
        if origin is list:
            return [item.strip() for item in text.split(",") if item.strip()]
    except ValueError:
        pass
    else:
        raise UserError(f"{where}: unsupported field type {typ}")
    name = getattr(typ, "__name__", str(typ))
    raise UserError(f"{where}: {text!r} is not a valid {name}")


def set_field(cfg: Config, dotted: str, value: Any, *, from_text: bool) -> None:
    """Set cfg.<section>.<field>; with from_text, parse and type-check the string first."""
    section, _, name = dotted.partition(".")
    if section not in config_mod.SECTIONS or not name:
        raise UserError(
            f"unknown setting {dotted!r}: use SECTION.FIELD with SECTION one of {', '.join(config_mod.SECTIONS)}"
        )
    section_obj = getattr(cfg, section)
    types = _field_types(section_obj)
    if name not in types:
        raise UserError(
            f"unknown setting {dotted!r}; valid fields of {section!r}: {', '.join(sorted(types))}"
        )
    if from_text:
        value = parse_value(value, types[name], f"--set {dotted}")
    setattr(section_obj, name, value)


def resolve_config(args: argparse.Namespace, stage: str) -> Config:
    """Preset, then the stage's common flags, then every --set override, in that order."""
    try:
        cfg = config_mod.get_preset(args.preset)
    except KeyError as exc:
        raise UserError(exc.args[0]) from None
    for flag, dotted in STAGE_FLAGS[stage].items():
        value = getattr(args, flag, None)
        if value is None:
            continue
        if stage == "export" and flag == "output_dir":
            value = str(Path(value) / Path(cfg.export.output).name)
        set_field(cfg, dotted, value, from_text=False)
    for item in args.overrides:
        if "=" not in item:
            raise UserError(f"--set {item!r}: expected SECTION.FIELD=VALUE, e.g. --set sft.learning_rate=1e-4")
        dotted, _, text = item.partition("=")
        set_field(cfg, dotted.strip(), text, from_text=True)
    return cfg


def stage_config(cfg: Config, stage: str) -> dict[str, Any]:
    """The sections a stage uses, as plain data (for printing and for config.json)."""
    out: dict[str, Any] = {"preset": cfg.preset}
    for section in STAGE_SECTIONS[stage]:
        out[section] = dataclasses.asdict(getattr(cfg, section))
    return out


def show_config(cfg: Config, stage: str, console: Any = None) -> None:
    """Print the resolved settings the stage uses as a Rich table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(stderr=True)
    table = Table(title=f"{stage} settings (preset: {cfg.preset})", show_lines=False, title_justify="left")
    table.add_column("setting", style="cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    for section in STAGE_SECTIONS[stage]:
        for name, value in dataclasses.asdict(getattr(cfg, section)).items():
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            if len(text) > 90:
                text = text[:87] + "..."
            table.add_row(f"{section}.{name}", text)
    console.print(table)


def save_config(cfg: Config, stage: str, folder: str | os.PathLike) -> Path:
    """Write the stage's resolved settings as config.json in folder (atomically)."""
    path = Path(folder) / "config.json"
    atomic_write_json(path, stage_config(cfg, stage))
    return path


# --------------------------------------------------------------------------- entry point


def main_wrapper(main: Callable[[list[str] | None], int | None], argv: list[str] | None = None) -> int:
    """Run a script's main(argv): UserError -> one line + exit 2, Ctrl+C -> exit 130.

    With --debug anywhere on the command line, errors re-raise with their traceback.
    """
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        return int(main(argv) or 0)
    except UserError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if debug:
            raise
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: still one line, with the way to see more
        if debug:
            raise
        full = disk_full(exc)
        if full:
            print(f"error: the disk is full ({full}): free some space, or write elsewhere with --output-dir; the "
                  "previous outputs are unchanged", file=sys.stderr)
            return 2
        print(f"error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", file=sys.stderr)
        return 1


DISK_FULL = {errno.ENOSPC: "no space left on the device", errno.EFBIG: "file too large for this disk or limit",
             errno.EDQUOT: "disk quota exceeded"}


def disk_full(exc: BaseException) -> str | None:
    """What filled up, when exc (or what caused it) is a full disk, a file-size limit or a quota; else None.
    Libraries that write from native code (safetensors, tokenizers) report it only in their message."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return DISK_FULL[exc.errno]
        text = str(exc)
        for number, what in DISK_FULL.items():
            if f"os error {number})" in text or os.strerror(number) in text:
                return what
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None
