"""The tiny preset's SFT learning rate, chosen from a recorded sweep on real questions.

    .venv/bin/python bench/sweep_sft.py [--lrs 1e-4,2e-4,5e-4] [--questions 150] [--permute 1]

Each learning rate trains the tiny preset's SFT (same data, steps, seed; sft.permute_options shuffled
copies) into bench/_work/sweep/lr-<lr>/, then the base model and every adapter answer the same real MedQA
test questions (../shared/data, evaluation only) in log-likelihood mode. Printed per run: accuracy with
its Wilson interval, macro F1, the share of the most common letter, the exact McNemar test against the
base, and the final validation loss. The chosen rate goes into config.tiny() with the table in
bench/RESULTS.md. Skips with one line when ../shared/data is absent.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
import evaluate  # noqa: E402
import scoring  # noqa: E402
import modeling  # noqa: E402
import significance  # noqa: E402
import train_sft  # noqa: E402

MEDQA = ROOT.parent / "shared" / "data" / "medqa_us_test.jsonl"


def score(model, tok, records, cfg, name):
    cfg.eval.mode = "loglik"
    body = evaluate.evaluate_model(scoring.HFModel(model, tok), records, cfg, name, show_progress=False)
    m = body["modes"]["loglik"]
    preds = [p["loglik"] for p in body["predictions"]]
    top, count = Counter(preds).most_common(1)[0]
    right = [p["loglik"] == p["answer"] for p in body["predictions"]]
    return {"accuracy": m["accuracy"], "ci95": m["ci95"], "f1": m["f1_macro"], "top": f"{top} {count / len(preds):.0%}",
            "right": right}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lrs", default="1e-4,2e-4,5e-4")
    ap.add_argument("--questions", type=int, default=150)
    ap.add_argument("--permute", type=int, default=1)
    args = ap.parse_args()
    if not MEDQA.is_file():
        print(f"sweep: skipped ({MEDQA} is absent)")
        return 0
    base_cfg = config.get_preset("tiny")
    records, _ = evaluate.load_questions(MEDQA, max_samples=args.questions, seed=0)
    model, tok, _ = modeling.load_base_model(base_cfg.model, backend="hf")
    rows = {"base": {**score(model, tok, records, base_cfg, "base"), "eval_loss": None, "seconds": 0}}
    for lr in args.lrs.split(","):
        cfg = config.get_preset("tiny")
        cfg.sft.learning_rate, cfg.sft.permute_options, cfg.sft.wandb = float(lr), args.permute, "disabled"
        cfg.sft.output_dir = str(ROOT / "bench" / "_work" / "sweep" / f"lr-{lr}")
        cfg.sft.logs_dir = str(ROOT / "bench" / "_work" / "sweep" / "logs")
        cfg.sft.run_name = f"sft-lr-{lr}"
        t0 = time.time()
        result = train_sft.train(cfg, force=True)
        took = time.time() - t0
        adapter = scoring.attach_adapter(model, cfg.sft.output_dir, f"lr{lr}")
        rows[f"lr {lr}"] = {**score(adapter, tok, records, cfg, lr),
                            "eval_loss": (result.summary or {}).get("final_eval_loss"), "seconds": took}
        model = adapter
    print(f"\nSFT sweep, tiny preset ({base_cfg.sft.max_samples} training rows, +{args.permute} shuffled copies each, "
          f"1 epoch), {len(records)} real MedQA test questions, log-likelihood; {time.strftime('%Y-%m-%d')}")
    print("| run | accuracy (95% CI) | macro F1 | most common letter | vs base (exact McNemar) | final eval loss | train s |")
    print("| --- | ---: | ---: | --- | --- | ---: | ---: |")
    for name, r in rows.items():
        test = "" if name == "base" else significance.mcnemar_exact(rows["base"]["right"], r["right"])["verdict"]
        loss = "" if r["eval_loss"] is None else f"{r['eval_loss']:.3f}"
        print(f"| {name} | {r['accuracy']:.1%} ({r['ci95'][0]:.1%}-{r['ci95'][1]:.1%}) | {r['f1']:.3f} | {r['top']} | "
              f"{test} | {loss} | {r['seconds']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
