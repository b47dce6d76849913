"""Matplotlib charts for MedLLM runs and evaluations (Agg backend: no display needed).

    plot_run("logs/sft")            -> logs/sft/plots/loss.png, learning_rate.png, grad_norm.png, ...
    plot_confusion(result, path)    -> one confusion matrix per evaluation mode, side by side
    plot_accuracy_bars(summary, p)  -> accuracy by model and mode with 95% interval error bars

`evaluate.py --plots logs/<run>` is the command-line entry point; evaluate.py calls the other two.
Every PNG is written to a temp file and renamed into place.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from common import run_logging  # noqa: E402
from common.errors import UserError  # noqa: E402

# One chart per entry: file name, title, y label, and the series drawn in it as (legend label,
# metrics.jsonl keys to try in order). A chart whose keys are all absent from the run is not drawn.
RUN_CHARTS = [
    ("loss", "Training and evaluation loss", "loss", [("train", ["loss"]), ("eval", ["eval_loss"])]),
    ("learning_rate", "Learning rate schedule", "learning rate", [("learning rate", ["learning_rate", "lr"])]),
    ("grad_norm", "Gradient norm (before clipping)", "L2 norm", [("grad norm", ["grad_norm"])]),
    ("reward", "PPO reward per rollout batch", "mean reward",
     [("reward", ["reward", "reward_mean", "mean_reward", "rewards", "env/reward_mean"])]),
    ("kl", "KL divergence from the reference (SFT) policy", "KL",
     [("KL", ["kl", "kl_mean", "mean_kl", "approx_kl", "objective/kl"])]),
    ("clip_fraction", "PPO clip fraction", "share of clipped probability ratios",
     [("clip fraction", ["clip_fraction", "clipfrac", "clip_frac", "policy/clipfrac"])]),
    ("accuracy", "Share of PPO rollouts that chose the right letter", "accuracy",
     [("rollout accuracy", ["accuracy"])]),
    ("policy_loss", "PPO policy loss (clipped surrogate)", "policy loss",
     [("policy loss", ["policy_loss", "pg_loss"])]),
    ("value_loss", "PPO value loss", "value loss", [("value loss", ["value_loss", "vf_loss", "loss/value"])]),
    ("entropy", "Policy entropy", "entropy (nats per token)", [("entropy", ["entropy", "policy/entropy"])]),
    # GRPO (train_grpo.py) only: its answers' lengths, and how many hit grpo.max_completion_length
    ("completion_length", "GRPO answer length", "tokens",
     [("mean", ["completion_len"]), ("longest", ["completion_len_max"])]),
    ("clipped_ratio", "GRPO answers cut at max_completion_length", "share of answers",
     [("cut answers", ["clipped_ratio"])]),
]
GRPO_KEYS = ("completion_len", "reward_std")  # keys only a GRPO run logs: its charts say GRPO, not PPO


def _save(fig, path: Path) -> Path:
    """savefig to a temp file in the same folder, then rename: never a half-written PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return path


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _series(records: list[dict], keys: list[str]) -> tuple[str, list[float], list[float]] | None:
    """(key, steps, values) for the first key the run logged with numbers, else None."""
    for key in keys:
        points = [(r["step"], r[key]) for r in records if _number(r.get(key)) and _number(r.get("step"))]
        if points:
            return key, [p[0] for p in points], [p[1] for p in points]
    return None


def _moving_average(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def _read_run(run_dir: Path) -> list[dict]:
    metrics = run_dir / "metrics.jsonl"
    if not run_dir.is_dir():
        raise UserError(f"--plots {run_dir}: no such folder; pass a run folder such as logs/sft or logs/ppo")
    if not metrics.is_file():
        raise UserError(f"--plots {run_dir}: no metrics.jsonl in it; pass a folder written by train_sft.py or "
                        "train_ppo.py (logs/<run>/)")
    try:
        records = [r for r in run_logging.read_metrics(metrics) if isinstance(r, dict)]
    except ValueError as exc:  # json.JSONDecodeError
        raise UserError(f"--plots {metrics}: not JSON lines ({exc}); fix or delete the broken line") from None
    if not records:
        raise UserError(f"--plots {metrics}: the file has no records yet; plot the run after it has logged a step")
    return records


def plot_run(run_dir: str | os.PathLike, out_dir: str | os.PathLike | None = None) -> list[Path]:
    """One PNG per metric the run logged (loss, learning rate, grad norm; PPO reward, KL, clip fraction...)."""
    run_dir = Path(run_dir)
    records = _read_run(run_dir)
    out_dir = Path(out_dir) if out_dir else run_dir / "plots"
    run = run_dir.resolve().name
    grpo = any(k in r for r in records for k in GRPO_KEYS)
    written = []
    for name, title, ylabel, series in RUN_CHARTS:
        found = [(label, _series(records, keys)) for label, keys in series]
        found = [(label, s) for label, s in found if s]
        if not found:
            continue
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for i, (label, (key, steps, values)) in enumerate(found):
            color = f"C{i}"
            if len(values) > 30:  # noisy: faint raw values under a moving average
                window = max(3, len(values) // 15)
                ax.plot(steps, values, color=color, alpha=0.3, linewidth=1)
                ax.plot(steps, _moving_average(values, window), color=color, linewidth=2,
                        label=f"{label} ({key}, moving average of {window})")
            else:
                ax.plot(steps, values, color=color, linewidth=2, marker="o" if len(values) <= 50 else None,
                        markersize=3, label=f"{label} ({key})")
        if grpo:
            title = title.replace("PPO", "GRPO")
        ax.set_title(f"{title} - run {run}")
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        if name == "learning_rate":
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
        ax.legend(loc="best")
        written.append(_save(fig, out_dir / f"{name}.png"))
    if not written:
        keys = sorted({k for r in records for k in r})
        raise UserError(f"--plots {run_dir}: metrics.jsonl has none of the charted metrics (loss, learning_rate, "
                        f"grad_norm, reward, kl, clip_fraction); its keys: {', '.join(keys)}")
    return written


def plot_confusion(result: dict, path: str | os.PathLike) -> Path:
    """Confusion matrices of an evaluate.py result, one panel per mode, counts written in the cells."""
    modes = list(result["modes"])
    fig, axes = plt.subplots(1, len(modes), figsize=(4.8 * len(modes), 4.4), squeeze=False)
    for ax, mode in zip(axes[0], modes):
        m = result["modes"][mode]
        cm = m["confusion_matrix"]
        matrix, cols = cm["matrix"], list(cm["predicted"])
        if cols[-1] == "none" and not any(row[-1] for row in matrix):  # no unreadable answers: drop the column
            matrix, cols = [row[:-1] for row in matrix], cols[:-1]
        top = max(max(row) for row in matrix) or 1
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=top)
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                ax.text(j, i, str(count), ha="center", va="center", fontsize=11,
                        color="white" if count > top / 2 else "black")
        ax.set_xticks(range(len(cols)), cols)
        ax.set_yticks(range(len(cm["true"])), cm["true"])
        ax.set_xlabel("predicted letter")
        ax.set_ylabel("correct letter")
        ax.set_title(f"{mode}: accuracy {m['accuracy']:.0%} (n={m['n']})")
    fig.suptitle(f"Confusion matrix - {result['name']}")
    fig.tight_layout()
    return _save(fig, Path(path))


def plot_accuracy_bars(summary: dict, path: str | os.PathLike) -> Path:
    """Accuracy per model, one bar per mode, with the 95% interval as error bars and chance as a line."""
    models = summary["models"]
    modes = summary["modes"]
    width = 0.8 / max(1, len(modes))
    fig, ax = plt.subplots(figsize=(max(6, 1.8 * len(models) + 2), 4.8))
    for k, mode in enumerate(modes):
        xs = [i + (k - (len(modes) - 1) / 2) * width for i in range(len(models))]
        acc = [m[mode]["accuracy"] for m in models]
        err = [[a - m[mode]["ci95"][0] for a, m in zip(acc, models)],
               [m[mode]["ci95"][1] - a for a, m in zip(acc, models)]]
        ax.bar(xs, acc, width * 0.95, yerr=err, capsize=4, label=mode, color=f"C{k}", alpha=0.85)
        for x, a, hi in zip(xs, acc, err[1]):
            ax.text(x, a + hi + 0.015, f"{a:.0%}", ha="center", va="bottom", fontsize=9)
    if summary.get("chance"):
        ax.axhline(summary["chance"], color="gray", linestyle="--", linewidth=1,
                   label=f"chance ({summary['chance']:.0%})")
    ax.set_xticks(range(len(models)), [m["name"] for m in models])
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("model")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Accuracy by model on {summary['n']} questions (error bars: 95% Wilson interval)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper left")
    return _save(fig, Path(path))
