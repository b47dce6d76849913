"""Accuracy on real questions: base, SFT and PPO of the latest `make demo`, on the same questions, paired.

    .venv/bin/python bench/bench_accuracy.py [--quick] [--max N]

Reads ../shared/data/medqa_us_test.jsonl (973 real USMLE questions) and medmcqa_dev.jsonl (4,180 real
MedMCQA dev questions) at run time; they are for evaluation only and never enter the repository or
training. Each file goes through `evaluate.run_compare` in log-likelihood mode (the option letter with the
highest log-probability after "(", as lm-evaluation-harness scores MedQA), so base, SFT and PPO answer the
same questions, with Wilson intervals, macro-F1, the predicted-letter histogram, and exact McNemar tests
between every pair. --max N takes a seeded subset of N per file (--quick: 150). Skips with one line when
../shared/data is absent or the demo's adapters are missing. Writes bench/_work/accuracy/<file>/compare.*.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
import evaluate  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILES = {"MedQA": DATA / "medqa_us_test.jsonl", "MedMCQA": DATA / "medmcqa_dev.jsonl"}


def letter_shares(preds: list[dict], field: str) -> dict[str, float]:
    """The share of each letter in preds[field]: "loglik", the letters a model chose; "answer", the answer key
    (what always answering one letter would score)."""
    counts = Counter(p[field] for p in preds)
    return {k: round(v / len(preds), 3) for k, v in sorted(counts.items())}


def goals(results: dict) -> list[tuple[bool, str]]:
    """Issue 19's bars, each (passed, line): SFT within 2 points of the base, macro-F1 at least the base's and
    no letter above half of its answers; PPO within 2 points of SFT."""
    out = []
    for label, r in results.items():
        models = {m["name"]: m["loglik"] for m in r["summary"]["models"]}
        hist = r["histograms"]
        if {"base", "sft"} <= set(models):
            b, s = models["base"], models["sft"]
            out.append((s["accuracy"] >= b["accuracy"] - 0.02,
                        f"{label}: SFT accuracy {s['accuracy']:.1%} >= base {b['accuracy']:.1%} - 2 points"))
            out.append((s["f1_macro"] >= b["f1_macro"],
                        f"{label}: SFT macro-F1 {s['f1_macro']:.3f} >= base {b['f1_macro']:.3f}"))
            top = max(hist["sft"], key=hist["sft"].get)
            out.append((hist["sft"][top] <= 0.5, f"{label}: SFT's most common letter {top} is {hist['sft'][top]:.0%} "
                                                 "of its answers (<= 50%)"))
        if {"sft", "ppo"} <= set(models):
            s, p = models["sft"], models["ppo"]
            out.append((p["accuracy"] >= s["accuracy"] - 0.02,
                        f"{label}: PPO accuracy {p['accuracy']:.1%} >= SFT {s['accuracy']:.1%} - 2 points"))
    return out


def measure(max_n: int) -> dict:
    from rich.console import Console

    missing = [p for p in FILES.values() if not p.is_file()]
    if missing:
        print(f"accuracy bench: skipped ({missing[0]} is absent)")
        return {}
    cfg = config.get_preset("tiny")
    for name in ("sft", "ppo"):
        if not (ROOT / "models" / name / "adapter_config.json").is_file():
            print(f"accuracy bench: skipped (no models/{name}; run `make demo` first)")
            return {}
    out = {}
    for label, path in FILES.items():
        cfg.eval.data, cfg.eval.mode, cfg.eval.max_samples, cfg.eval.seed = str(path), "loglik", max_n, 0
        cfg.eval.output_dir = str(ROOT / "bench" / "_work" / "accuracy" / label)
        cfg.eval.sft_adapter, cfg.eval.ppo_adapter, cfg.eval.gguf = (str(ROOT / "models" / "sft"),
                                                                    str(ROOT / "models" / "ppo"), "")
        cfg.eval.plots = False
        print(f"accuracy bench: {label}: base, SFT and PPO on {max_n or 'all'} questions of {path.name} ...", flush=True)
        t0 = time.time()
        summary = evaluate.run_compare(cfg, Console(file=io.StringIO()))
        print(f"accuracy bench: {label}: {summary['n']} questions x 3 models in {time.time() - t0:.0f} s", flush=True)
        preds = {m["name"]: json.loads((Path(cfg.eval.output_dir) / m["result_file"]).read_text())["predictions"]
                 for m in summary["models"]}
        hist = {name: letter_shares(p, "loglik") for name, p in preds.items()}
        out[label] = {"summary": summary, "histograms": hist, "answer_key": letter_shares(preds["base"], "answer")}
    return out


def markdown(results: dict) -> str:
    lines = ["| questions | model | loglik accuracy (95% CI) | macro F1 | most common letter |",
             "| --- | --- | ---: | ---: | --- |"]
    for label, r in results.items():
        s = r["summary"]
        for m in s["models"]:
            acc = m["loglik"]
            hist = r["histograms"][m["name"]]
            top = max(hist, key=hist.get)
            lines.append(f"| {label} ({s['n']}) | {m['name']} | {acc['accuracy']:.1%} ({acc['ci95'][0]:.1%}-"
                         f"{acc['ci95'][1]:.1%}) | {acc['f1_macro']:.3f} | {top} {hist[top]:.0%} |")
    lines += [""] + [f"Answer key of {label} ({r['summary']['n']}): " + ", ".join(
        f"{k} {v:.1%}" for k, v in r["answer_key"].items()) + " (always answering one letter scores its share)"
        for label, r in results.items()]
    lines += ["", "| questions | pair | b | c | p (exact McNemar) | verdict |", "| --- | --- | ---: | ---: | ---: | --- |"]
    for label, r in results.items():
        for t in r["summary"]["paired_tests"]:
            lines.append(f"| {label} | {t['first']} vs {t['second']} | {t['b']} | {t['c']} | {t['p_value']:.3g} | "
                         f"{t['verdict']} |")
    return "\n".join(lines) + "\n"


def run(quick: bool = False, max_n: int | None = None) -> list[dict]:
    results = measure(max_n if max_n is not None else (150 if quick else 0))
    if not results:
        return []
    print(markdown(results))
    for passed, line in goals(results):
        print(f"{'✓' if passed else '✗'} {line}")
    rows = []
    for label, r in results.items():
        models = {m["name"]: m["loglik"] for m in r["summary"]["models"]}
        for name in ("sft", "ppo"):
            base = "base" if name == "sft" else "sft"
            if name in models and base in models:
                test = next(t for t in r["summary"]["paired_tests"] if {t["first"], t["second"]} == {base, name})
                rows.append({"figure": f"{label} loglik accuracy, {name} vs {base}",
                             "ours": models[name]["accuracy"], "baseline": models[base]["accuracy"], "unit": "share",
                             "ratio": round(models[name]["accuracy"] / max(models[base]["accuracy"], 1e-9), 3),
                             "goal": f">= {base} - 2 points", "check": ["ours-baseline", ">=", -0.02], "note": f"{r['summary']['n']} questions; {test['verdict']}"})
    return rows


if __name__ == "__main__":
    from run_all import print_rows

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--max", type=int, default=None, help="questions per file (0 = all)")
    args = parser.parse_args()
    print_rows(run(quick=args.quick, max_n=args.max))
