"""The tiny preset's SFT settings, chosen from a recorded sweep on real questions.

    .venv/bin/python bench/sweep_sft.py [--variant NAME=key=value,key=value ...] [--questions 300]
                                        [--file medmcqa|medqa] [--lrs 1e-4,2e-4]

Each variant trains the tiny preset's SFT with its overrides (same data, seed; e.g.
`balanced=sft.permute_options=3,sft.balanced_permutations=true`; --lrs adds one variant per learning
rate) into bench/_work/sweep/<name>/, then the base model and every adapter answer the same real questions
(../shared/data, evaluation only; by default a seeded slice of MedMCQA dev, so the MedQA figures of the
accuracy bench stay untouched by the choice) in log-likelihood mode. Printed per run: accuracy with its
Wilson interval, macro F1, the share of the most common letter, the exact McNemar test against the base,
the validation answer letter's loss, and the training time. The chosen settings go into config.tiny()
with the table in bench/RESULTS.md. Skips with one line when ../shared/data is absent.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import cli  # noqa: E402
import config  # noqa: E402
import evaluate  # noqa: E402
from common import scoring  # noqa: E402
from common import modeling  # noqa: E402
from common import significance  # noqa: E402
from common import questions  # noqa: E402
from training import sft  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILES = {"medqa": DATA / "medqa_us_test.jsonl", "medmcqa": DATA / "medmcqa_dev.jsonl"}


def score(model, tok, records, cfg, name):
    cfg.eval.mode = "loglik"
    body = evaluate.evaluate_model(scoring.HFModel(model, tok), records, cfg, name, show_progress=False)
    m = body["modes"]["loglik"]
    preds = [p["loglik"] for p in body["predictions"]]
    top, count = Counter(preds).most_common(1)[0]
    right = [p["loglik"] == p["answer"] for p in body["predictions"]]
    return {"accuracy": m["accuracy"], "ci95": m["ci95"], "f1": m["f1_macro"], "top": f"{top} {count / len(preds):.0%}",
            "right": right}


def parse_variant(text: str) -> tuple[str, list[tuple[str, str]]]:
    """"name=key=value,key=value" -> (name, [(key, value), ...])."""
    name, _, rest = text.partition("=")
    pairs = [item.split("=", 1) for item in rest.split(",") if item]
    if not name or any(len(p) != 2 for p in pairs):
        raise SystemExit(f"--variant {text!r}: write NAME=section.key=value[,section.key=value...]")
    return name, [(k, v) for k, v in pairs]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", action="append", default=[], help="NAME=section.key=value,... (repeatable)")
    ap.add_argument("--lrs", default="", help="comma-separated learning rates, one variant each")
    ap.add_argument("--questions", type=int, default=300)
    ap.add_argument("--file", choices=sorted(FILES), default="medmcqa")
    args = ap.parse_args()
    path = FILES[args.file]
    if not path.is_file():
        print(f"sweep: skipped ({path} is absent)")
        return 0
    variants = [parse_variant(v) for v in args.variant]
    variants += [(f"lr-{lr}", [("sft.learning_rate", lr)]) for lr in args.lrs.split(",") if lr]
    if not variants:
        ap.error("give at least one --variant or --lrs")
    base_cfg = config.get_preset("tiny")
    records, _ = questions.load_questions(path, max_samples=args.questions, seed=0)
    model, tok, _ = modeling.load_base_model(base_cfg.model, backend="hf")
    rows = {"base": {**score(model, tok, records, base_cfg, "base"), "letter_loss": None, "seconds": 0}}
    for name, overrides in variants:
        cfg = config.get_preset("tiny")
        for key, value in overrides:
            cli.set_field(cfg, key, value, from_text=True)
        cfg.sft.wandb = "disabled"
        cfg.sft.output_dir = str(ROOT / "bench" / "_work" / "sweep" / name)
        cfg.sft.logs_dir = str(ROOT / "bench" / "_work" / "sweep" / "logs")
        cfg.sft.run_name = f"sft-{name}"
        t0 = time.time()
        result = sft.train(cfg, force=True)
        took = time.time() - t0
        adapter = scoring.attach_adapter(model, cfg.sft.output_dir, name.replace("-", "_").replace(".", "_"))
        final = ((result.summary or {}).get("letter_eval") or {}).get("final") or {}
        rows[name] = {**score(adapter, tok, records, cfg, name), "letter_loss": final.get("letter_loss"),
                      "seconds": took, "overrides": overrides}
        model = adapter
    print(f"\nSFT sweep, tiny preset, {len(records)} real {args.file} questions (seeded slice), log-likelihood; "
          f"{time.strftime('%Y-%m-%d')}")
    for name, r in rows.items():
        if r.get("overrides"):
            print(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in r["overrides"]))
    print("| run | accuracy (95% CI) | macro F1 | most common letter | vs base (exact McNemar) | validation letter loss | train s |")
    print("| --- | ---: | ---: | --- | --- | ---: | ---: |")
    for name, r in rows.items():
        test = "" if name == "base" else significance.mcnemar_exact(rows["base"]["right"], r["right"])["verdict"]
        loss = "" if r["letter_loss"] is None else f"{r['letter_loss']:.3f}"
        print(f"| {name} | {r['accuracy']:.1%} ({r['ci95'][0]:.1%}-{r['ci95'][1]:.1%}) | {r['f1']:.3f} | {r['top']} | "
              f"{test} | {loss} | {r['seconds']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
