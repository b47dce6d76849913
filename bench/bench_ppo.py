"""PPO costs: rollout speed against plain model.generate, and a PPO step's memory against an SFT step's.

    .venv/bin/python bench/bench_ppo.py [--quick]

Both figures use the tiny preset's model (the embedded SmolLM2-135M) with an SFT adapter on it
(models/sft when it is there, else a fresh LoRA of the tiny preset's shape written to bench/_work/) and
the first MedQA questions of data/sample/, in batches of the tiny preset's ppo.batch_size.

* Rollout tokens/s. Ours: train_ppo's whole rollout (model.generate through the PEFT policy, cut at
  the end token, decode, score with the correctness reward). Baseline: a bare `model.generate` on the
  same model, prompts and GenerationConfig. Both are seeded alike, so they sample the same tokens;
  tokens = answer tokens up to and including the end token. Runs alternate after one warm-up each;
  medians are reported. Goal (issue 6): >= 0.9x.
* Step memory. Ours: one full PPO step (rollout, policy + reference + value scoring, ppo.ppo_epochs
  updates, one answer per forward/backward: ppo.micro_batch_size 1). Baseline: one SFT step (forward
  with labels over prompt + answer, backward, AdamW) on the same base, adapter and questions, the whole
  batch in one pass as SFT trains. Each runs in a fresh Python process. Reported: the step's peak above
  the memory after loading and one 4-token forward (the weights are memory-mapped and count in RSS
  only once read), RSS sampled every 2 ms from /proc/self/statm (on CUDA: torch's peak allocation
  after reset_peak_memory_stats), and the absolute peak RSS with the load. Goal: <= 1.3x. The processes
  run with MALLOC_MMAP_THRESHOLD_=131072, so that freed tensors leave RSS at once.
  A third process runs the PPO step in one pass per minibatch (micro_batch_size = batch), to show what
  micro-batching saves.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from common import mcq_format  # noqa: E402
from common import modeling  # noqa: E402
from training import ppo_learner as pl  # noqa: E402
from training import ppo as ppo_run  # noqa: E402

WORK = ROOT / "bench" / "_work"
THREADS = 1  # one thread: the figures compare code paths, not the scheduling of a shared CPU


def _cfg():
    """The tiny model with the PPO step the paper preset runs: GAE, one answer per question, a shared option order
    (the tiny preset's RLOO groups and per-answer option orders would change what one step holds)."""
    cfg = config.get_preset("tiny")
    cfg.model.base_dir = str(ROOT / cfg.model.base_dir)
    paper = config.get_preset("paper").ppo
    cfg.ppo.advantage, cfg.ppo.samples_per_question = paper.advantage, paper.samples_per_question
    cfg.ppo.balanced_permutations = paper.balanced_permutations
    cfg.ppo.ppo_epochs = paper.ppo_epochs
    cfg.ppo.batch_size = cfg.ppo.mini_batch_size = 4  # 4 questions a step, as the SFT step it is compared with
    return cfg


def _adapter(cfg) -> tuple[Path, str]:
    """The SFT adapter to start from, and a note saying which one it is."""
    sft = ROOT / cfg.ppo.sft_adapter
    if (sft / "adapter_model.safetensors").is_file():
        return sft, f"adapter {cfg.ppo.sft_adapter}"
    out = WORK / "sft-fresh"
    if not (out / "adapter_model.safetensors").is_file():
        import torch

        model, tok, backend = modeling.load_base_model(cfg.model)
        torch.manual_seed(0)
        modeling.add_lora(model, cfg.lora, backend).save_pretrained(out)
        tok.save_pretrained(out)
    return out, "a fresh (untrained) LoRA: models/sft is missing"


def _questions(n: int) -> list[dict]:
    rows = []
    with open(ROOT / "data" / "sample" / "medqa.jsonl", encoding="utf-8") as fh:
        for line in fh:
            q = json.loads(line)
            rows.append({"question": q["question"], "options": q["options"], "answer": q["answer_idx"],
                         "answer_text": q["answer"], "explanation": ""})
            if len(rows) == n:
                break
    return rows


def _learner(cfg, adapter: Path):
    pass

    model, tok, backend = ppo_run.load_policy(cfg, adapter)
    learner = ppo_run.make_learner(model, cfg.ppo, tok.pad_token_id, ppo_run.eos_token_ids(model, tok), backend)
    return learner, tok


def rollout_speed(quick: bool) -> dict:
    import torch


    torch.set_num_threads(THREADS)
    cfg = _cfg()
    if quick:
        cfg.ppo.max_new_tokens = 16
    adapter, which = _adapter(cfg)
    learner, tok = _learner(cfg, adapter)
    n_batches, reps = (1, 2) if quick else (2, 5)
    records = _questions(cfg.ppo.batch_size * n_batches)
    prompts, records = ppo_run.encode_prompts(tok, records, config.SYSTEM_PROMPT, cfg.model.max_seq_length)
    batches = []
    for b in range(n_batches):
        part = slice(b * cfg.ppo.batch_size, (b + 1) * cfg.ppo.batch_size)
        batches.append((*ppo_run.left_pad(prompts[part], learner.pad_id, "cpu"), records[part]))

    def plain(query, mask, recs, seed):
        torch.manual_seed(seed)
        start = time.perf_counter()
        with torch.no_grad():
            out = learner.model.generate(input_ids=query, attention_mask=mask, generation_config=learner.gen_config)
        took = time.perf_counter() - start
        answer = out[:, query.shape[1]:]
        is_eos = torch.isin(answer, torch.tensor(learner.eos_ids))
        tokens = int(((is_eos.long().cumsum(1) - is_eos.long()) == 0).sum())
        return tokens, took

    def ours(query, mask, recs, seed):
        torch.manual_seed(seed)
        start = time.perf_counter()
        response, rmask = pl.generate(learner, query, mask)
        ppo_run.mcq_reward_fn(tok, recs, cfg.ppo)(response, rmask)
        return int(rmask.sum()), time.perf_counter() - start

    for fn in (plain, ours):  # warm-up
        fn(*batches[0], seed=0)
    times = {"plain": [], "ours": []}
    tokens = {"plain": 0, "ours": 0}
    for rep in range(reps):
        order = (("plain", plain), ("ours", ours)) if rep % 2 == 0 else (("ours", ours), ("plain", plain))
        for name, fn in order:
            n_tok, took = 0, 0.0
            for b, batch in enumerate(batches):
                k, t = fn(*batch, seed=100 * rep + b)
                n_tok, took = n_tok + k, took + t
            times[name].append(took)
            tokens[name] = n_tok  # the same seeds give the same count every repetition
    speed = {k: tokens[k] / statistics.median(times[k]) for k in times}
    return {
        "figure": "PPO rollout tokens/s (vs plain model.generate)",
        "ours": round(speed["ours"], 2),
        "baseline": round(speed["plain"], 2),
        "unit": "tokens/s",
        "ratio": round(speed["ours"] / speed["plain"], 3),
        "goal": ">= 0.9x", "check": ["ratio", ">=", 0.9],
        "note": (f"SmolLM2-135M + {which}; {n_batches} batch(es) of {cfg.ppo.batch_size} questions, up to "
                 f"{cfg.ppo.max_new_tokens} new tokens, {tokens['ours']} answer tokens per pass; median of {reps}; "
                 f"{THREADS} thread; ours includes cutting at the end token, decoding and scoring"),
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


class StepPeak:
    """The highest RSS (or CUDA allocation) seen while the block runs, in MiB, above what it was at the start."""

    def __enter__(self):
        import threading

        import torch

        self.cuda = torch.cuda.is_available()
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.start = torch.cuda.memory_allocated() / 2**20
        else:
            self.start = _rss_mb()
        self.peak, self._stop = self.start, threading.Event()

        def sample():
            while not self._stop.wait(0.002):
                self.peak = max(self.peak, _rss_mb())

        self._thread = threading.Thread(target=sample, daemon=True)
        if not self.cuda:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        import torch

        if self.cuda:
            torch.cuda.synchronize()
            self.peak = torch.cuda.max_memory_allocated() / 2**20
        else:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, _rss_mb())
        self.extra = self.peak - self.start
        return False


def _touch_weights(model) -> None:
    """One 4-token forward: the weights are memory-mapped from safetensors and count in RSS only once read."""
    import torch

    with torch.no_grad():
        model(input_ids=torch.tensor([[1, 2, 3, 4]]))


def measure_step(kind: str, quick: bool) -> dict:
    """One SFT step, a PPO step ("ppo"), or a PPO step with one pass per minibatch ("ppo-one-pass")."""
    import torch

    torch.set_num_threads(THREADS)
    cfg = _cfg()
    if quick:
        cfg.ppo.max_new_tokens = 16
    if kind == "ppo-one-pass":
        cfg.ppo.micro_batch_size = cfg.ppo.mini_batch_size
    adapter, _ = _adapter(cfg)
    records = _questions(cfg.ppo.batch_size)
    if kind.startswith("ppo"):
        pass

        learner, tok = _learner(cfg, adapter)
        prompts, records = ppo_run.encode_prompts(tok, records, config.SYSTEM_PROMPT, cfg.model.max_seq_length)
        lengths = [len(p) for p in prompts]
        _touch_weights(learner.model)
        after_load = _rss_mb()
        start = time.perf_counter()
        torch.manual_seed(0)
        query, mask = ppo_run.left_pad(prompts, learner.pad_id, "cpu")
        with StepPeak() as peak:
            stats = ppo_run.ppo_step(learner, query, mask, ppo_run.mcq_reward_fn(tok, records, cfg.ppo))
        answer_tokens = stats["tokens"]
    else:
        model, tok, _ = modeling.load_with_adapter(cfg.model, adapter, trainable=True)
        model.train()
        texts = [tok.apply_chat_template(mcq_format.build_messages(r, config.SYSTEM_PROMPT), tokenize=False)
                 for r in records]
        batch = tok(texts, padding=True, return_tensors="pt", add_special_tokens=False)
        lengths = batch["attention_mask"].sum(1).tolist()
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.sft.learning_rate)
        _touch_weights(model)
        after_load = _rss_mb()
        start = time.perf_counter()
        with StepPeak() as peak:
            loss = model(**batch, labels=labels).loss
            loss.backward()
            optimizer.step()
        answer_tokens = 0
    return {"step_peak_mb": peak.peak, "step_extra_mb": peak.extra, "peak_rss_mb": _peak_rss_mb(),
            "after_load_mb": after_load, "seconds": time.perf_counter() - start, "cuda": peak.cuda,
            "tokens": [min(lengths), max(lengths)], "answer_tokens": answer_tokens}


def _measure_in_subprocess(kind: str, quick: bool) -> dict:
    cmd = [sys.executable, __file__, "--measure", kind] + (["--quick"] if quick else [])
    # glibc hands freed blocks above this size back at once, so RSS follows live memory instead of its high mark
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"the {kind} step failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def step_memory(quick: bool) -> list[dict]:
    results = {kind: _measure_in_subprocess(kind, quick) for kind in ("sft", "ppo", "ppo-one-pass")}
    ppo, sft, one = results["ppo"], results["sft"], results["ppo-one-pass"]
    cfg = _cfg()
    p = cfg.ppo
    where = "CUDA allocation" if ppo["cuda"] else "RSS"
    settings = (f"SmolLM2-135M fp32, batch {p.batch_size} questions ({sft['tokens'][0]}-{sft['tokens'][1]} tokens "
                f"with the answer for SFT, prompts {ppo['tokens'][0]}-{ppo['tokens'][1]} for PPO, up to "
                f"{16 if quick else p.max_new_tokens} new tokens), PPO {p.ppo_epochs} epochs of minibatches of "
                f"{p.mini_batch_size}, gradient checkpointing {p.gradient_checkpointing}, {THREADS} thread")
    return [
        {
            "figure": f"PPO step memory above the loaded model ({where}, vs one SFT step)",
            "ours": round(ppo["step_extra_mb"], 1),
            "baseline": round(sft["step_extra_mb"], 1),
            "unit": "MiB",
            "ratio": round(ppo["step_extra_mb"] / max(sft["step_extra_mb"], 1e-9), 3),
            "goal": "<= 1.3x", "check": ["ratio", "<=", 1.3],
            "note": (f"{settings}; PPO micro-batch {p.micro_batch_size}; after load PPO {ppo['after_load_mb']:.0f} "
                     f"MiB (both adapters, value head), SFT {sft['after_load_mb']:.0f} MiB; step time PPO "
                     f"{ppo['seconds']:.1f} s, SFT {sft['seconds']:.1f} s"),
        },
        {
            "figure": "peak RSS of one PPO step (vs one SFT step), model load included",
            "ours": round(ppo["peak_rss_mb"], 1),
            "baseline": round(sft["peak_rss_mb"], 1),
            "unit": "MiB",
            "ratio": round(ppo["peak_rss_mb"] / sft["peak_rss_mb"], 3),
            "goal": "<= 1.3x", "check": ["ratio", "<=", 1.3],
            "note": "fresh process each; the same runs as the row above",
        },
        {
            "figure": f"PPO step memory: micro-batch 1 (vs the whole minibatch of {p.mini_batch_size} in one pass)",
            "ours": round(ppo["step_extra_mb"], 1),
            "baseline": round(one["step_extra_mb"], 1),
            "unit": "MiB",
            "ratio": round(ppo["step_extra_mb"] / max(one["step_extra_mb"], 1e-9), 3),
            "goal": "< 1x", "check": ["ratio", "<", 1.0],
            "note": f"{settings}; step time micro-batch 1: {ppo['seconds']:.1f} s, one pass: {one['seconds']:.1f} s",
        },
    ]


def run(quick: bool = False) -> list[dict]:
    return [rollout_speed(quick), *step_memory(quick)]


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if "--measure" in sys.argv:
        print(json.dumps(measure_step(sys.argv[sys.argv.index("--measure") + 1], quick)))
        sys.exit(0)
    from run_all import machine, print_rows

    print(f"{time.strftime('%Y-%m-%d')}, {machine()}: python bench/bench_ppo.py{' --quick' if quick else ''}")
    print_rows(run(quick))
