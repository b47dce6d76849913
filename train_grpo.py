"""GRPO beside PPO: TRL's GRPOTrainer on the same SFT start, questions and reward (1.0 right letter, 0.1 otherwise).

    python train_grpo.py                          # tiny preset: SmolLM2-135M + models/sft, about a minute on a CPU
    python train_grpo.py --preset paper           # PPO's 500 MedQA questions, 4 answers each, beta 0.04, lr 1e-6
    python train_grpo.py --max-steps 4 --force    # a quick run that replaces models/grpo
    python train_grpo.py --resume                 # continue an interrupted run from its last checkpoint
    accelerate launch --num_processes 2 train_grpo.py --backend hf   # data-parallel, one process per GPU
    accelerate launch --multi_gpu --num_processes 2 train_grpo.py    # the same on a CPU-only machine (gloo)

A stage of its own, not a mode of train_ppo.py: PPO is the project's own loop (value head, GAE or RLOO,
several epochs per batch), GRPO is TRL's trainer, run as TRL runs it. The two read the same inputs and
write the same kind of output, so evaluate.py and export_gguf.py take either adapter
(`python evaluate.py --adapter models/grpo` writes logs/eval/grpo.json), and bench/bench_rl.py sets one
against the other.

One step = grpo.batch_size questions x grpo.num_generations answers per process:
  1. generate the answers (TRL: sampling with temperature / top-k / top-p, up to grpo.max_completion_length);
  2. score them with mcq_format.correctness_reward (1.0 right letter, 0.1 wrong, missing or ambiguous), the
     reward PPO uses, through one TRL reward function (training/grpo.py: reward_function);
  3. advantage of each answer = its score minus the mean of its question's answers, divided by their std
     (grpo.scale_rewards); TRL's clipped loss (grpo.epsilon, grpo.loss_type) plus grpo.beta x the KL to the
     SFT reference, accumulated over micro-batches of grpo.micro_batch_size answers, one AdamW update.

Questions: PPO's (training.ppo.select_questions with the grpo section's train_file, source, num_examples,
seed): the training split only, the rows SFT did not see first. The SFT adapter (--sft-adapter, default
models/sft) is loaded as the trainable adapter; GRPOTrainer keeps a frozen copy as the reference.

Outputs (grpo.output_dir, default models/grpo): the trained adapter as a plain PEFT folder of the base
model (so `evaluate.py --adapter models/grpo` and `export_gguf.py --adapter models/grpo` take it), the
tokenizer, config.json and train_summary.json (written last: a folder without it is unfinished).
Checkpoints (TRL's) go to <output_dir>/checkpoints/ every grpo.save_steps; Ctrl+C saves one after the
current step and stops (continue with --resume); a second Ctrl+C stops at once. Metrics:
logs/<run>/metrics.jsonl (logs/grpo for the default output folder), one record per logging step:
reward_mean, reward_std, accuracy, kl (TRL's per-token estimate), entropy, completion_len,
completion_len_max, clipped_ratio, loss, grad_norm, step_time_s, tokens_per_s, peak_memory_mb; W&B offline
by default. `python evaluate.py --plots logs/grpo` draws them.
"""
from __future__ import annotations

import os
import sys

from common import cli
from training.grpo import train
from training.runs import add_training_flags, apply_training_flags


def main(argv: list[str] | None = None) -> int:
    import warnings

    from rich.console import Console

    warnings.filterwarnings("ignore", category=FutureWarning)  # library deprecation notices, not for users
    parser = cli.make_parser("train_grpo.py", __doc__, "grpo")
    parser.add_argument("--sft-adapter", default=None,
                        help="the SFT adapter GRPO starts from and keeps as its reference (default models/sft; "
                             "sets grpo.sft_adapter)")
    add_training_flags(parser, "grpo")
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "grpo")
    if args.sft_adapter:
        cfg.grpo.sft_adapter = args.sft_adapter
    apply_training_flags(args, cfg, "grpo")
    console = Console(stderr=True)
    if os.environ.get("RANK", "0") == "0":  # under `accelerate launch`, the first process speaks
        cli.show_config(cfg, "grpo", console)

    result = train(cfg, resume=args.resume, force=args.force, console=console)
    from accelerate import PartialState

    if not PartialState().is_main_process:
        return 0 if result.summary else 130
    if result.summary is None:
        print(f"Stopped by Ctrl+C at step {result.step}; checkpoint: {result.checkpoint}. Continue with --resume.")
        return 130
    s = result.summary

    def fmt(value, spec):
        return "n/a" if value is None else format(value, spec)

    print(f"Reward: {fmt(s['reward_start'], '.3f')} -> {fmt(s['reward_end'], '.3f')}; accuracy: "
          f"{fmt(s['accuracy_start'], '.1%')} -> {fmt(s['accuracy_end'], '.1%')} (means over the first / last "
          f"{s['window_steps']} logged steps); final KL {fmt(s['kl_end'], '.4f')} per token")
    print(f"{s['steps']} steps, {s['tokens_per_s']:.1f} generated tokens/s, {s['wall_time_s']:.0f} s, "
          f"peak memory {s['peak_memory_mb']:.0f} MB")
    print(f"GRPO adapter saved to {cfg.grpo.output_dir}; metrics in {result.run_dir}/metrics.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
