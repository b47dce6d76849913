"""SFT step throughput and MFU: train_sft.py against what a user would run, a plain TRL SFTTrainer.

    .venv/bin/python bench/bench_sft.py [--quick]

Both trainers train the tiny preset's model (the embedded SmolLM2-135M) with the tiny preset's LoRA on
the same chat records (data/processed/train.jsonl when it is there, else the shipped sample questions
built with mcq_format), in fp32, with batch 4 and max_length 512. Each run is a fresh Python process
(one lever, OMP_WAIT_POLICY, only takes effect when torch loads), and the runs alternate (ours, TRL,
TRL with PASSIVE threads, ours) so that load from other work on a shared machine falls on each alike.

* Tokens/s. Tokens = real (non-padding) input tokens, counted by the Trainer. Every run does one
  warm-up step (not timed) and then `steps` timed steps; the figure is the median over all timed
  steps of all runs of (tokens of the step / seconds of the step).
  Ours: sft.build_trainer with the tiny preset. Baseline: `SFTTrainer(model, args=SFTConfig(
  bf16=False, per_device_train_batch_size=4, max_length=512, ...), peft_config=...)`: same model, data,
  precision, batch and sequence length, TRL's defaults for everything else. The settings that differ
  are listed in SETTINGS_THAT_DIFFER and printed with the figure. A third contender, the same plain TRL
  run with OMP_WAIT_POLICY=PASSIVE, separates the thread policy from the trainer settings.
* MFU. The FLOPs the step really needs, counted from the batches each run saw (a forward pre-hook
  records each batch's real tokens, answer tokens and row lengths), against the median fp32 2048^3
  torch.mm rate measured in the same process with the same threads. Per step:
      4 * N_body * T            forward (2N) + activation gradients (2N) through the frozen body,
                                no weight gradients for frozen weights; T = real tokens
    + 6 * N_lora * T            LoRA: forward, activation and weight gradients
    + 4 * N_head * A            the LM head (tied embedding, frozen) on the A answer tokens the loss needs
    + 6 * L * d * sum(s*(s+1))  causal attention scores and weighted sums, forward + backward, rows of s
  Recomputation (activation checkpointing) and the LM head on prompt tokens are work the step does
  not need, so they count as waste, for both trainers alike.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training import sft  # noqa: E402

BATCH, MAX_LENGTH = 4, 512
SETTINGS_THAT_DIFFER = (
    "activation checkpointing (TRL default on, ours off), batch order (TRL random, ours length-grouped), "
    "LM head (TRL scores every position on CPU, ours the answer tokens only), OMP_WAIT_POLICY (TRL unset: "
    "spinning threads, ours PASSIVE), optimizer (TRL adamw_torch_fused, ours adamw_torch), learning rate "
    "(TRL 2e-5, ours the preset's; no effect on speed)"
)
SAME_SETTINGS = f"same model, LoRA r=16 on all projections, records, fp32, batch {BATCH}, max_length {MAX_LENGTH}"


def _records(n: int) -> list[dict]:
    """n chat records: the processed training split, else the sample questions in the same format."""
    import config
    from common import mcq_format

    processed = ROOT / "data" / "processed" / "train.jsonl"
    if processed.is_file():
        with open(processed, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        if len(rows) >= n:
            return rows[:n]
    rows = []
    for line in open(ROOT / "data" / "sample" / "medqa.jsonl", encoding="utf-8"):
        q = json.loads(line)
        rows.append({"question": q["question"], "options": q["options"], "answer": q["answer_idx"],
                     "answer_text": q["answer"], "explanation": ""})
    for line in open(ROOT / "data" / "sample" / "medmcqa.jsonl", encoding="utf-8"):
        q = json.loads(line)
        options = dict(zip("ABCD", (q["opa"], q["opb"], q["opc"], q["opd"])))
        letter = "ABCD"[q["cop"]]
        rows.append({"question": q["question"], "options": options, "answer": letter,
                     "answer_text": options[letter], "explanation": q.get("exp") or ""})
    # Interleave the two sources so every prefix mixes short and long answers, as a shuffled split does.
    rows = [r for pair in zip(rows[: len(rows) // 2], rows[len(rows) // 2:]) for r in pair]
    for r in rows:
        r["messages"] = mcq_format.build_messages(r, config.SYSTEM_PROMPT)
    return rows[:n]


def _step_recorder():
    """A callback with the (seconds, real tokens) of every optimiser step, measured end to end."""
    from transformers import TrainerCallback

    class StepRecorder(TrainerCallback):
        def __init__(self):
            self.marks = []  # (time, tokens seen) at the end of every step

        def on_train_begin(self, args, state, control, **kw):
            self.marks.append((time.perf_counter(), state.num_input_tokens_seen))

        def on_step_end(self, args, state, control, **kw):
            self.marks.append((time.perf_counter(), state.num_input_tokens_seen))

    return StepRecorder()


def _batch_recorder(model) -> list[dict]:
    """Record the real tokens, answer tokens and row lengths of every batch the model's forward sees."""
    batches: list[dict] = []

    def hook(module, args, kwargs):
        mask, labels = kwargs.get("attention_mask"), kwargs.get("labels")
        if mask is None or labels is None or not module.training:
            return
        lengths = mask.sum(-1).tolist()
        batches.append({"tokens": int(sum(lengths)), "answer": int((labels[:, 1:] != -100).sum()),
                        "lengths": [int(x) for x in lengths]})

    model.register_forward_pre_hook(hook, with_kwargs=True)
    return batches


def matmul_peak_gflops(n: int = 2048, repeats: int = 9) -> float:
    """The median fp32 torch.mm rate of n x n matrices with the current threads, in GFLOP/s."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def step_flops(batch: dict, sizes: dict) -> float:
    """The FLOPs one training step needs (module docstring): frozen body, LoRA, LM head, attention."""
    attention = 6 * sizes["layers"] * sizes["hidden"] * sum(s * (s + 1) for s in batch["lengths"])
    return (4 * sizes["body"] * batch["tokens"] + 6 * sizes["lora"] * batch["tokens"]
            + 4 * sizes["head"] * batch["answer"] + attention)


def _model_sizes(model) -> dict:
    head = model.get_output_embeddings().weight
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    # every frozen parameter that is not the embedding table (tied to the head): the body's matmuls
    seen = {id(head)}
    body = sum(p.numel() for p in model.parameters() if not p.requires_grad and id(p) not in seen
               and p.dim() == 2 and p.shape[0] != head.shape[0])
    conf = model.config
    return {"body": body, "lora": trainable, "head": head.numel(), "layers": conf.num_hidden_layers,
            "hidden": conf.num_attention_heads * getattr(conf, "head_dim", conf.hidden_size // conf.num_attention_heads)}


def measure(variant: str, steps: int, examples: int) -> dict:
    """One warm-up step and `steps` timed steps of one trainer in this process."""
    if variant == "ours":  # what train_sft.py does before torch loads: idle OpenMP threads sleep
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import config
    from common import modeling

    cfg = config.get_preset("tiny")
    cfg.model.base_dir = str(ROOT / cfg.model.base_dir)
    assert (cfg.sft.batch_size, cfg.sft.max_length) == (BATCH, MAX_LENGTH), "the tiny preset changed: update BATCH"
    records = _records(examples)
    recorder = _step_recorder()
    if variant == "ours":
        sft.set_threads(cfg.sft.torch_threads)
        model, tok, backend = modeling.load_base_model(cfg.model)
        model = modeling.add_lora(model, cfg.lora, backend, seed=cfg.sft.seed)
        trainer = sft.build_trainer(
            cfg, model, tok, records, records[:1], backend, callbacks=[recorder],
            output_dir=str(ROOT / "bench" / "_work" / "sft-ours"), max_steps=steps + 1, eval_strategy="no",
            eval_on_start=False, save_strategy="no", logging_steps=10_000,
        )
    else:  # "trl" or "trl-passive" (the same trainer; the subprocess's OMP_WAIT_POLICY differs)
        import datasets
        from transformers import AutoModelForCausalLM
        from trl import SFTConfig, SFTTrainer

        ref = modeling.resolve_model(cfg.model.name, cfg.model.base_dir)
        model = AutoModelForCausalLM.from_pretrained(ref)
        data = datasets.Dataset.from_list(
            [{"prompt": r["messages"][:-1], "completion": r["messages"][-1:]} for r in records])
        args = SFTConfig(output_dir=str(ROOT / "bench" / "_work" / "sft-trl"), bf16=False,
                         per_device_train_batch_size=BATCH, max_length=MAX_LENGTH, max_steps=steps + 1,
                         include_num_input_tokens_seen="non_padding", report_to="none", save_strategy="no",
                         disable_tqdm=True, logging_steps=10_000)
        trainer = SFTTrainer(model=model, args=args, train_dataset=data,
                             peft_config=modeling.lora_peft_config(cfg.lora), callbacks=[recorder])
    batches = _batch_recorder(trainer.model)
    sizes = _model_sizes(trainer.model)
    trainer.train()
    import torch

    marks = recorder.marks[1:]  # the ends of steps 1..steps+1; step 1 is the warm-up
    timed = []
    for (t0, k0), (t1, k1), batch in zip(marks, marks[1:], batches[1:]):
        timed.append({"seconds": t1 - t0, "tokens": k1 - k0, "flops": step_flops(batch, sizes)})
    return {"variant": variant, "steps": timed, "peak_gflops": matmul_peak_gflops(),
            "threads": torch.get_num_threads(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "unset"),
            "sizes": sizes, "gradient_checkpointing": bool(getattr(trainer.model, "is_gradient_checkpointing",
                                                                   trainer.args.gradient_checkpointing))}


def _in_subprocess(variant: str, steps: int, examples: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}  # each variant picks its own
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", WANDB_MODE="disabled")
    if variant == "trl-passive":  # plain TRL with ours' thread policy: what the trainer settings alone are worth
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    proc = subprocess.run(
        [sys.executable, __file__, "--variant", variant, "--steps", str(steps), "--examples", str(examples)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{variant} run failed: {proc.stderr.strip().splitlines()[-3:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    """Median per-step tokens/s and MFU over every timed step of these runs (one trainer)."""
    steps = [s for r in runs for s in r["steps"]]
    peak = statistics.median(r["peak_gflops"] for r in runs)
    return {"tokens_per_s": statistics.median(s["tokens"] / s["seconds"] for s in steps),
            "gflops": statistics.median(s["flops"] / s["seconds"] / 1e9 for s in steps),
            "mfu": statistics.median(s["flops"] / s["seconds"] / 1e9 / r["peak_gflops"]
                                     for r in runs for s in r["steps"]),
            "peak_gflops": peak, "n_steps": len(steps), "threads": runs[0]["threads"],
            "omp": runs[0]["omp_wait_policy"], "ckpt": runs[0]["gradient_checkpointing"], "sizes": runs[0]["sizes"]}


def run(quick: bool = False) -> list[dict]:
    # Plain TRL takes about a minute a step on 2 busy cores (spinning threads), so the full run is one
    # TRL run of each kind between two of ours: about 6 minutes there.
    # --quick keeps the headline pair (ours vs TRL with the same thread policy) and drops the weaker baseline
    order, steps = (["ours", "trl-passive"], 1) if quick else (["ours", "trl", "trl-passive", "ours"], 2)
    examples = (steps + 1) * BATCH
    runs: dict[str, list[dict]] = {v: [] for v in order}
    start = time.time()
    for variant in order:  # alternating, so that other work on the machine slows each alike
        runs[variant].append(_in_subprocess(variant, steps, examples))
    ours = summarise(runs["ours"])
    trl = summarise(runs["trl"]) if runs.get("trl") else None
    where = (f"runs in the order {', '.join(order)}; 1 warm-up + {steps} timed steps per run, median over the "
             f"timed steps; {ours['threads']} threads; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
             f"cores after {time.time() - start:.0f} s (a shared machine: noisy)")
    z = ours["sizes"]
    formula = (f"FLOPs/step = 4*N_body*T + 6*N_lora*T + 4*N_head*A + 6*L*d*sum(s(s+1)) with N_body "
               f"{z['body'] / 1e6:.1f}M, N_lora {z['lora'] / 1e6:.2f}M, N_head {z['head'] / 1e6:.1f}M, L {z['layers']}, "
               f"d {z['hidden']}; T real tokens, A answer tokens, s row lengths")
    fair = summarise(runs["trl-passive"]) if runs.get("trl-passive") else trl
    peak = (f"peak = median 2048^3 fp32 torch.mm, same process and threads: {ours['peak_gflops']:.1f} GFLOP/s "
            f"(in the TRL runs {fair['peak_gflops']:.1f})")
    # The headline peer is plain TRL with our thread policy (OMP_WAIT_POLICY=PASSIVE): the strongest ordinary
    # setting, same threads, precision, model, data and batch. TRL with its spinning default threads is kept as an
    # extra row, labelled as the weaker baseline it is.
    fair_label = "plain TRL SFTTrainer, same threads (OMP_WAIT_POLICY=PASSIVE)" if runs.get("trl-passive") else \
        "plain TRL SFTTrainer (its default threads: the passive-thread run is missing)"
    rows = [
        {"figure": f"SFT tokens/s, SmolLM2-135M LoRA: train_sft vs {fair_label}",
         "ours": round(ours["tokens_per_s"], 1), "baseline": round(fair["tokens_per_s"], 1), "unit": "tokens/s",
         "ratio": round(ours["tokens_per_s"] / fair["tokens_per_s"], 2), "goal": ">= 1.3x",
         "check": ["ratio", ">=", 1.3],
         "note": f"{SAME_SETTINGS}; differs: {SETTINGS_THAT_DIFFER}; {where}"},
        {"figure": f"SFT MFU: the FLOPs the step needs / the measured fp32 matmul peak, ours vs {fair_label}",
         "ours": round(ours["mfu"], 3), "baseline": round(fair["mfu"], 3), "unit": "of peak",
         "ratio": round(ours["mfu"] / fair["mfu"], 2), "goal": ">= 0.5 (ours)", "check": ["ours", ">=", 0.5],
         "note": f"{formula}; {peak}; ours {ours['gflops']:.1f} GFLOP/s, TRL {fair['gflops']:.1f} GFLOP/s "
                 f"(median per step); recomputation and the LM head on prompt tokens count as waste"},
    ]
    if trl is not None and runs.get("trl-passive"):
        rows.append({
            "figure": "(weaker baseline) SFT tokens/s: train_sft vs plain TRL with its default spinning OpenMP threads",
            "ours": round(ours["tokens_per_s"], 1), "baseline": round(trl["tokens_per_s"], 1), "unit": "tokens/s",
            "ratio": round(ours["tokens_per_s"] / trl["tokens_per_s"], 2), "goal": "none (informational)",
            "note": f"what a user gets from TRL's defaults on a busy machine; TRL MFU {trl['mfu']:.3f}; {where}"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 run of 1 timed step per trainer")
    # One measurement in this process (what run() starts for each variant).
    parser.add_argument("--variant", choices=["ours", "trl", "trl-passive"], help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--examples", type=int, default=16, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        import warnings

        warnings.filterwarnings("ignore")
        print(json.dumps(measure(args.variant, args.steps, args.examples)))
        return
    from run_all import print_rows

    print_rows(run(quick=args.quick))


if __name__ == "__main__":
    main()
