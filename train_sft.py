"""Supervised fine-tuning: train a LoRA adapter on data/processed/train.jsonl with TRL's SFTTrainer.

    python train_sft.py                          # tiny preset: embedded SmolLM2-135M, a few minutes on a CPU
    python train_sft.py --preset paper           # Llama-3.1-8B 4-bit with Unsloth on one CUDA GPU
    python train_sft.py --max-steps 20 --force   # a quick run that replaces models/sft
    python train_sft.py --resume                 # continue an interrupted run from its last checkpoint
    accelerate launch --multi_gpu --num_processes 2 train_sft.py --backend hf   # data-parallel (DDP)

`accelerate launch` runs one process per GPU (Unsloth is single-GPU: use --backend hf); with no GPU
visible the same command runs CPU processes over gloo (set OMP_NUM_THREADS to cores / processes).

Each record's chat turns become a prompt (system + user) and a completion (the assistant's answer), so
the loss covers the answer only. The validation loss is measured before training, every
sft.eval_steps and at the end; both ends are printed.

Outputs (sft.output_dir, default models/sft): the LoRA adapter (adapter_config.json +
adapter_model.safetensors), the tokenizer, config.json and train_summary.json, which is written last:
a folder without it is unfinished. Checkpoints go to <output_dir>/checkpoints/ every sft.save_steps.
Ctrl+C saves a checkpoint and stops (continue with --resume); a second Ctrl+C stops at once. Metrics:
logs/<run>/metrics.jsonl (logs/sft for
the default output folder, logs/sft-<folder>-<hash> for another, --set sft.run_name to choose) and Weights & Biases in offline mode (--wandb online to upload).
"""
from __future__ import annotations

import os
import sys

# Idle OpenMP threads sleep instead of spinning: on a CPU shared with other work, spinning threads that
# wait for a descheduled peer made every op several times slower. Read once, when torch loads.

from common import cli  # noqa: E402
from training.runs import add_training_flags, apply_training_flags  # noqa: E402
from training.sft import train  # noqa: E402


# --------------------------------------------------------------------------- command line


def parse_args(argv: list[str] | None = None):
    """(args, cfg): the command line and the resolved config, with --backend and --wandb applied."""
    parser = cli.make_parser("train_sft.py", __doc__, "sft")
    add_training_flags(parser, "sft")
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "sft")
    apply_training_flags(args, cfg, "sft")
    return args, cfg


def main(argv: list[str] | None = None) -> int:
    import warnings

    from rich.console import Console

    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notices, not for users
    args, cfg = parse_args(argv)
    console = Console(stderr=True)
    if os.environ.get("RANK", "0") == "0":  # under `accelerate launch`, the first process speaks
        cli.show_config(cfg, "sft", console)

    result = train(cfg, resume=args.resume, force=args.force, console=console)
    from accelerate import PartialState

    if not PartialState().is_main_process:
        return 0 if result.summary else 130
    if result.summary is None:
        print(f"Stopped by Ctrl+C at step {result.step}; checkpoint: {result.checkpoint}. "
              "Continue with --resume.")
        return 130
    s = result.summary
    before, after = s["initial_eval_loss"], s["final_eval_loss"]
    change = f" ({(after - before) / before:+.1%})" if before and after is not None else ""
    print(f"Eval loss: {before if before is None else f'{before:.4f}'} before -> {after:.4f} after{change}")
    print(f"Train loss (last logged): {s['final_train_loss']:.4f}; {s['steps']} steps, {s['epochs']} epochs, "
          f"{s['tokens_per_s']:.0f} tokens/s, {s['wall_time_s']:.0f} s, peak memory {s['peak_memory_mb']:.0f} MB")
    if s.get("letter_eval"):
        first, last = s["letter_eval"]["initial"], s["letter_eval"]["final"]
        hist = "  ".join(f"{k[len('letter_frac_'):]} {v:.0%}" for k, v in last.items() if k.startswith("letter_frac_"))
        print(f"Answer letter on validation: accuracy {first['letter_acc']:.1%} -> {last['letter_acc']:.1%}, "
              f"loss {first['letter_loss']:.3f} -> {last['letter_loss']:.3f}; predicted letters: {hist}")
    print(f"Adapter saved to {cfg.sft.output_dir}; metrics in {s['run_dir']}/metrics.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
