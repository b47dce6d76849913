"""Run logging shared by SFT and PPO: logs/<run>/metrics.jsonl, a Rich progress bar, and W&B.

    with RunLogger("logs/sft-20261125-1200", config=cfg_dict, total_steps=100, wandb_mode="offline") as run:
        run.log({"step": 1, "loss": 2.3, ...})   # one JSON object per line, flushed at once
        run.advance(1, loss=2.3)                 # progress bar with loss and ETA

`TrainingMonitor` plugs a RunLogger into a Hugging Face Trainer (TRL's SFTTrainer) as a callback.
Weights & Biases runs in offline mode unless the user asks for `online` (or `disabled`); its files go
under the run folder, so nothing leaves the machine by default.
"""
from __future__ import annotations

import json
import math
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

WANDB_MODES = ("offline", "online", "disabled")


def default_run_name(prefix: str) -> str:
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}"


def peak_memory_mb() -> float:
    """Peak GPU memory allocated on CUDA, else the process's peak resident memory, in MiB."""
    try:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.max_memory_allocated() / 2**20
    except Exception:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return rss / 1024 if sys.platform != "darwin" else rss / 2**20


def _clean(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class RunLogger:
    """Writes metrics.jsonl, drives a progress bar and mirrors every record to W&B."""

    def __init__(
        self,
        run_dir: str | os.PathLike,
        config: dict | None = None,
        total_steps: int | None = None,
        wandb_mode: str = "offline",
        description: str = "training",
        project: str = "medllm",
        console: Console | None = None,
        show_progress: bool = True,
    ):
        if wandb_mode not in WANDB_MODES:
            raise ValueError(f"wandb mode must be one of {', '.join(WANDB_MODES)}, not {wandb_mode!r}")
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.metrics_path = self.run_dir / "metrics.jsonl"
        self._fh = open(self.metrics_path, "a", encoding="utf-8")
        self.console = console or Console(stderr=True)
        self.records: list[dict] = []
        self._wandb = None
        if os.environ.get("WANDB_MODE") == "disabled":  # the user's environment can switch W&B off everywhere
            wandb_mode = "disabled"
        if wandb_mode != "disabled":
            self._wandb = self._start_wandb(wandb_mode, project, config or {})
        self._progress = None
        self._task = None
        if show_progress and total_steps:
            self._progress = Progress(
                TextColumn("[bold blue]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(description, total=total_steps, status="")

    def _start_wandb(self, mode: str, project: str, config: dict):
        try:
            import wandb
        except ImportError:
            self.console.print("[yellow]wandb is not installed; logging to metrics.jsonl only[/]")
            return None
        os.environ.setdefault("WANDB_SILENT", "true")
        return wandb.init(
            project=project,
            name=self.run_dir.name,
            dir=str(self.run_dir),
            config=config,
            mode=mode,
            reinit="finish_previous",
        )

    def log(self, record: dict[str, Any]) -> dict:
        """Append one record (a dict with at least 'step') to metrics.jsonl and W&B."""
        record = {k: _clean(v) for k, v in record.items()}
        record.setdefault("time", round(time.time(), 3))
        self.records.append(record)
        self._fh.write(json.dumps(record) + "\n")
        self._fh.flush()
        if self._wandb is not None:
            self._wandb.log({k: v for k, v in record.items() if isinstance(v, (int, float))}, step=record.get("step"))
        return record

    def advance(self, completed: int | None = None, **status: Any) -> None:
        """Move the progress bar to `completed` steps (or by one) and show status values."""
        if self._progress is None:
            return
        text = "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in status.items() if v is not None)
        if completed is None:
            self._progress.update(self._task, advance=1, status=text)
        else:
            self._progress.update(self._task, completed=completed, status=text)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if not self._fh.closed:
            self._fh.close()
        if self._wandb is not None:
            self._wandb.finish()
            self._wandb = None

    def __enter__(self) -> "RunLogger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_metrics(path: str | os.PathLike) -> list[dict]:
    """The records of a metrics.jsonl file (or of the metrics.jsonl inside a run folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "metrics.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def training_monitor(run: RunLogger):
    """A transformers TrainerCallback that sends the Trainer's logs to `run`.

    Each record has step, epoch, loss (or eval_loss), learning_rate, grad_norm, tokens_per_s (from
    the Trainer's count of input tokens seen) and peak_memory_mb.
    """
    from transformers import TrainerCallback

    class TrainingMonitor(TrainerCallback):
        def __init__(self):
            self._t0 = None
            self._tokens0 = 0
            self.last_loss = None

        def on_train_begin(self, args, state, control, **kw):
            self._t0 = time.time()
            self._tokens0 = state.num_input_tokens_seen or 0
            if run._progress is not None:
                run._progress.update(run._task, total=state.max_steps, completed=state.global_step)

        def on_step_end(self, args, state, control, **kw):
            run.advance(state.global_step, loss=self.last_loss)

        def on_log(self, args, state, control, logs=None, **kw):
            logs = dict(logs or {})
            elapsed = max(time.time() - (self._t0 or time.time()), 1e-9)
            tokens = (state.num_input_tokens_seen or 0) - self._tokens0
            record = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
            for key in ("loss", "eval_loss", "learning_rate", "grad_norm", "train_loss", "mean_token_accuracy"):
                if key in logs:
                    record[key] = logs[key]
            for key, value in logs.items():
                if key.startswith("eval_") and key not in record:
                    record[key] = value
            if tokens:
                record["tokens_per_s"] = round(tokens / elapsed, 2)
                record["tokens_seen"] = int(state.num_input_tokens_seen)
            record["peak_memory_mb"] = round(peak_memory_mb(), 1)
            if "loss" in logs:
                self.last_loss = float(logs["loss"])
            run.log(record)

    return TrainingMonitor()
