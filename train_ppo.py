"""PPO on top of the SFT model, with the rule reward: 1.0 for the correct option letter, 0.1 otherwise.

    python train_ppo.py                          # tiny preset: SmolLM2-135M + models/sft, a few minutes on a CPU
    python train_ppo.py --preset paper           # 500 MedQA questions, batch 2, 2 epochs, lr 5e-7 (one CUDA GPU)
    python train_ppo.py --max-steps 4 --force    # a quick run that replaces models/ppo
    python train_ppo.py --resume                 # continue an interrupted run from its last checkpoint
    accelerate launch --num_processes 2 train_ppo.py --backend hf   # data-parallel, one process per GPU
    accelerate launch --multi_gpu --num_processes 2 train_ppo.py    # the same on a CPU-only machine (gloo)

One step = one rollout batch of ppo.batch_size questions x ppo.samples_per_question answers (per process;
with ppo.balanced_permutations each answer sees the question with its options permuted so that the answers
put the correct option on different letters):
  1. generate the answers (sampling with temperature / top-k / top-p, KV cache, left padding);
  2. score them with mcq_format.correctness_reward (1.0 right letter, 0.1 wrong, missing or ambiguous);
  3. policy log-probs + values and reference log-probs, one unpadded sequence at a time;
  4. advantages: ppo.advantage = "gae": per-token reward -kl_coef * (logp - ref_logp) with the score on
     the last token, GAE, whitened over the batch; "rloo" (needs samples_per_question >= 2): each answer's
     score minus the mean of the other answers to its question, on every token, and the KL to the
     reference as a loss term (training/training/ppo_core.py has the math, training/ppo_learner.py the model side);
  5. ppo.ppo_epochs passes over shuffled minibatches of ppo.mini_batch_size answers, each accumulated over
     micro-batches of ppo.micro_batch_size (default 1: memory does not grow with the batch): clipped
     policy loss + clipped value loss, gradients clipped to ppo.max_grad_norm (adapter and value head
     apart), AdamW. The head reads detached hidden states, so the value loss trains only the head, at
     ppo.value_learning_rate: a vf_coef weight would be normalised away by AdamW and is not offered.

Questions come from the training split only (never the validation split). When models/sft's
train_summary.json shows SFT trained on the same file (same sha256), the rows SFT did not see come
first; the summary records how many of PPO's questions SFT saw (sft_seen_questions, sft_seen_fraction).

Policy and reference share one copy of the base weights: the SFT adapter is loaded twice, as "ppo"
(trainable, starts equal to SFT) and "sft" (frozen, the reference), and the forward pass switches
between them. The value head is one linear layer on the policy's last hidden state (detached, so the
value loss never moves the policy), with its own learning rate.

Outputs (ppo.output_dir, default models/ppo): the "ppo" adapter as a plain PEFT folder, so base +
models/ppo is the PPO policy just as base + models/sft is the SFT model; value_head.safetensors, the
tokenizer, config.json and train_summary.json (written last: a folder without it is unfinished).
Checkpoints go to <output_dir>/checkpoints/ every ppo.save_steps and at the end; each step reseeds
the sampler from (seed, step), so a resumed run repeats exactly what an uninterrupted one does.
Ctrl+C saves a checkpoint after the current step and stops (continue with --resume); a second Ctrl+C
stops at once. Metrics: logs/<run>/metrics.jsonl (logs/ppo for the default output folder,
logs/ppo-<folder>-<hash> for another, --set ppo.run_name to choose), one record per step (reward_mean,
accuracy, kl = KL(policy || SFT) summed over an answer's tokens, policy_loss, value_loss, clip_frac,
entropy, kl_loss with rloo, sft_seen = share of the step's questions SFT trained on, response_len,
tokens_per_s = answer tokens generated per second of the whole step, ...) and Weights & Biases offline. On a busy shared CPU, --set ppo.torch_threads=1 is often faster than the default.
"""
from __future__ import annotations

import sys

from common import cli
from training.ppo import train
from training.runs import add_training_flags, apply_training_flags


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    parser = cli.make_parser("train_ppo.py", __doc__, "ppo")
    parser.add_argument("--sft-adapter", default=None,
                        help="the SFT adapter PPO starts from and keeps as its reference (default models/sft; "
                             "sets ppo.sft_adapter)")
    add_training_flags(parser, "ppo")
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "ppo")
    if args.sft_adapter:
        cfg.ppo.sft_adapter = args.sft_adapter
    apply_training_flags(args, cfg, "ppo")
    console = Console(stderr=True)
    cli.show_config(cfg, "ppo", console)

    result = train(cfg, resume=args.resume, force=args.force, console=console)
    from accelerate import PartialState

    if not PartialState().is_main_process:
        return 0 if result.summary else 130
    if result.summary is None:
        print(f"Stopped by Ctrl+C at step {result.step}; checkpoint: {result.checkpoint}. Continue with --resume.")
        return 130
    s = result.summary
    print(f"Reward: {s['reward_start']:.3f} -> {s['reward_end']:.3f}; accuracy: {s['accuracy_start']:.1%} -> "
          f"{s['accuracy_end']:.1%} (means over the first / last {s['window_steps']} steps); "
          f"final KL {s['kl_end']:.4f}")
    print(f"{s['steps']} steps, {s['tokens_per_s']:.1f} generated tokens/s, {s['wall_time_s']:.0f} s, "
          f"peak memory {s['peak_memory_mb']:.0f} MB")
    print(f"PPO adapter saved to {cfg.ppo.output_dir}; metrics in {result.run_dir}/metrics.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
