"""Score a model on multiple-choice medical questions, compare the pipeline's stages, plot training runs.

    python evaluate.py                                    # embedded base model on data/processed/validation.jsonl
    python evaluate.py --adapter models/sft               # base + the SFT adapter
    python evaluate.py --model models/medllm_finetuning.gguf     # an exported GGUF, through llama-cpp-python
    python evaluate.py --data medqa_test.jsonl --max-samples 200  # any file in MedQA / MedMCQA native schema
    python evaluate.py --compare                          # base, SFT, PPO (and the GGUF) on the same questions
    python evaluate.py --plots logs/sft                   # PNG charts of a training run's metrics.jsonl

Two modes (--mode, default both):
  loglik    lm-evaluation-harness style. The prompt is the chat template with the generation prompt plus
            "(" (mcq_format.ANSWER_PREFIX); one forward pass per question reads the next-token logits of
            every option letter at the last position, and the highest one is the answer (questions are
            batched with left padding). Always a valid letter.
  generate  greedy decoding (max_new_tokens), mcq_format.extract_answer reads the letter back; an answer
            without a readable letter counts against format compliance. The text is kept.

Metrics per mode: accuracy with a 95% Wilson score interval, macro precision / recall / F1 over the
answer letters (scikit-learn, zero_division=0), average PPO reward (mcq_format.correctness_reward with
ppo.reward_correct / reward_wrong), format compliance, confusion matrix, accuracy per subject and per
source; in generate mode also BLEU (sacreBLEU, 0-100) and ROUGE-L F1 of the explanation part of the
answer against the reference explanation, where the data has one.

Outputs: logs/eval/<name>.json (+ <name>_confusion.png). --compare also writes compare.json, compare.md
(a Markdown table for the README) and compare.png (accuracy by model with interval error bars).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from common import cli, mcq_format, metrics, modeling, scoring, significance
from common import plots as charts
from common.errors import UserError
from common.outputs import atomic_write_json, atomic_write_text, recover_swaps
from common.metrics import compute_metrics
from common.questions import load_questions
from common.scoring import (MODES, GGUFModel, HFModel, Scorer, attach_adapter, is_gguf_model, load_model, predict)


# --------------------------------------------------------------------------- one model, all modes


def modes_of(mode: str) -> list[str]:
    if mode == "both":
        return list(MODES)
    if mode not in MODES:
        raise UserError(f"unknown --mode {mode!r}; use loglik, generate or both")
    return [mode]


def _progress_bar():

    return Progress(TextColumn("[bold blue]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=False)


def evaluate_model(scorer: Scorer, records: list[dict], cfg, name: str, show_progress: bool = True) -> dict:
    """Run every requested mode on the records; the metrics per mode and the predictions per question."""
    modes = modes_of(cfg.eval.mode)
    results: dict[str, Any] = {"modes": {}}
    per_mode: dict[str, list[dict]] = {}
    bar = _progress_bar() if show_progress else None
    if bar:
        bar.start()
    try:
        for mode in modes:
            task = bar.add_task(f"{name} {mode}", total=len(records)) if bar else None
            start = time.time()
            preds = predict(scorer, records, mode, cfg.eval.batch_size, cfg.eval.system_prompt,
                            (lambda k, t=task: bar.update(t, advance=k)) if bar else None)
            seconds = time.time() - start
            per_mode[mode] = preds
            metrics = compute_metrics(
                records, [p["pred"] for p in preds],
                [p["response"] for p in preds] if mode == "generate" else None,
                cfg.ppo.reward_correct, cfg.ppo.reward_wrong,
            )
            metrics["seconds"] = round(seconds, 2)
            metrics["questions_per_s"] = round(len(records) / max(seconds, 1e-9), 3)
            results["modes"][mode] = metrics
    finally:
        if bar:
            bar.stop()
    if len(per_mode) == 2:
        same = sum(a["pred"] == b["pred"] for a, b in zip(per_mode["loglik"], per_mode["generate"]))
        results["mode_agreement"] = round(same / len(records), 4)
    rows = []
    for i, r in enumerate(records):
        row = {"id": r.get("id"), "source": r.get("source", ""), "subject": r.get("subject", ""), "answer": r["answer"]}
        if "loglik" in per_mode:
            row["loglik"] = per_mode["loglik"][i]["pred"]
            row["loglik_scores"] = per_mode["loglik"][i]["scores"]
        if "generate" in per_mode:
            row["generate"] = per_mode["generate"][i]["pred"]
            row["response"] = per_mode["generate"][i]["response"]
        rows.append(row)
    results["predictions"] = rows
    return results


def result_document(name: str, model: str, adapter: str, backend: str, data_info: dict, cfg, body: dict) -> dict:
    return {
        "name": name,
        "model": model,
        "adapter": adapter or None,
        "backend": backend,
        "data": data_info,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "config": cli.stage_config(cfg, "eval"),
        **body,
    }


def save_result(doc: dict, out_dir: Path, plots: bool = True) -> Path:
    path = atomic_write_json(out_dir / f"{doc['name']}.json", doc)
    if plots:
        charts.plot_confusion(doc, out_dir / f"{doc['name']}_confusion.png")
    return path


def _fmt_pct(m: dict) -> str:
    return f"{m['accuracy']:.1%} [{m['ci95'][0]:.1%}, {m['ci95'][1]:.1%}]"


def _num(value, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def result_table(doc: dict):
    """A Rich table of one model's metrics, one column per mode."""

    modes = list(doc["modes"])
    table = Table(title=f"{doc['name']}: {doc['data']['n']} questions from {doc['data']['path']}", title_justify="left")
    table.add_column("metric", style="cyan")
    for mode in modes:
        table.add_column(mode, justify="right")
    rows = [
        ("accuracy [95% Wilson CI]", lambda m: _fmt_pct(m)),
        ("macro precision", lambda m: _num(m["precision_macro"])),
        ("macro recall", lambda m: _num(m["recall_macro"])),
        ("macro F1", lambda m: _num(m["f1_macro"])),
        ("average reward", lambda m: _num(m["avg_reward"])),
        ("format compliance", lambda m: f"{m['format_compliance']:.1%}"),
        ("BLEU (explanations)", lambda m: _num(m.get("bleu"), ".2f")),
        ("ROUGE-L F1 (explanations)", lambda m: _num(m.get("rouge_l"))),
        ("questions / s", lambda m: _num(m["questions_per_s"], ".2f")),
    ]
    for label, get in rows:
        table.add_row(label, *[get(doc["modes"][mode]) for mode in modes])
    for source in sorted({s for m in doc["modes"].values() for s in m["per_source"]}):
        cells = []
        for mode in modes:
            group = doc["modes"][mode]["per_source"].get(source)
            cells.append(f"{group['accuracy']:.1%} (n={group['n']})" if group else "-")
        table.add_row(f"accuracy on {source}", *cells)
    return table


def default_name(model: str, adapter: str) -> str:
    if adapter:
        return Path(adapter).name or "adapter"
    if is_gguf_model(model):
        return "gguf"
    return "base"


def check_name(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][\w.\-]*", name or ""):
        raise UserError(f"--name {name!r}: use letters, digits, '.', '_' or '-' (it names logs/eval/<name>.json)")
    return name


def run_single(cfg, name: str, console) -> dict:
    records, info = load_questions(cfg.eval.data, cfg.eval.max_samples, cfg.eval.seed)
    _note_dropped(info, console)
    modes_of(cfg.eval.mode)
    scorer = load_model(cfg, cfg.eval.adapter)
    try:
        body = evaluate_model(scorer, records, cfg, name)
    finally:
        scorer.close()
    doc = result_document(name, cfg.model.name, cfg.eval.adapter, scorer.backend, info, cfg, body)
    out_dir = Path(cfg.eval.output_dir)
    path = save_result(doc, out_dir, cfg.eval.plots)
    cli.save_config(cfg, "eval", out_dir)
    console.print(result_table(doc))
    console.print(f"wrote {path}")
    return doc


def _note_dropped(info: dict, console) -> None:
    if info["dropped"]:
        console.print(f"[yellow]skipped {sum(info['dropped'].values())} of {info['rows']} rows of {info['path']}: "
                      f"{', '.join(f'{k} {v}' for k, v in info['dropped'].items())}[/]")


# --------------------------------------------------------------------------- compare


def compare_summary(doc: dict) -> dict:
    """The headline figures of one model's result, per mode (what compare.json keeps)."""
    keys = ("accuracy", "ci95", "correct", "n", "precision_macro", "recall_macro", "f1_macro", "avg_reward",
            "format_compliance", "bleu", "rouge_l", "questions_per_s")
    return {
        "name": doc["name"], "model": doc["model"], "adapter": doc["adapter"], "backend": doc["backend"],
        "result_file": f"{doc['name']}.json", "mode_agreement": doc.get("mode_agreement"),
        **{mode: {k: m.get(k) for k in keys} for mode, m in doc["modes"].items()},
    }


def compare_markdown(summary: dict) -> str:
    """The compare table as Markdown (for the README)."""
    modes = summary["modes"]
    head = ["model"]
    for mode in modes:
        head += [f"{mode} accuracy (95% CI)", f"{mode} macro F1"]
    if "generate" in modes:
        head += ["avg reward", "format", "BLEU", "ROUGE-L"]
    lines = [
        f"Accuracy on {summary['n']} questions of `{summary['data']['path']}` "
        f"({summary['created'][:10]}, preset `{summary['preset']}`); intervals are 95% Wilson score intervals.",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(head) - 1)) + " |",
    ]
    for row in summary["models"]:
        cells = [row["name"]]
        for mode in modes:
            m = row[mode]
            cells += [f"{m['accuracy']:.1%} ({m['ci95'][0]:.1%}-{m['ci95'][1]:.1%})", f"{m['f1_macro']:.3f}"]
        if "generate" in modes:
            g = row["generate"]
            cells += [f"{g['avg_reward']:.3f}", f"{g['format_compliance']:.0%}", _num(g["bleu"], ".2f"),
                      _num(g["rouge_l"])]
        lines.append("| " + " | ".join(cells) + " |")
    if summary.get("paired_tests"):
        lines += ["", "Paired exact McNemar tests on the same questions (b: first right, second wrong; c: the reverse):", ""]
        lines += ["| models | mode | n | b | c | p | verdict |", "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
        for t in summary["paired_tests"]:
            lines.append(f"| {t['first']} vs {t['second']} | {t['mode']} | {t['n']} | {t['b']} | {t['c']} | "
                         f"{t['p_value']:.3g} | {t['verdict']} |")
    for skip in summary["skipped"]:
        lines.append("")
        lines.append(f"- {skip['name']}: not evaluated ({skip['reason']})")
    return "\n".join(lines) + "\n"


def compare_table(summary: dict):
    """The compare table for the terminal (compact cells; compare.md has the long form)."""

    def acc(m: dict) -> str:
        return f"{m['accuracy'] * 100:.0f}% [{m['ci95'][0] * 100:.0f}-{m['ci95'][1] * 100:.0f}]"

    table = Table(title=f"compare: {summary['n']} questions from {summary['data']['path']}\n"
                        "accuracy [95% Wilson interval], macro F1; reward, format, BLEU, ROUGE-L of generate mode",
                  title_justify="left")
    table.add_column("model", style="cyan")
    for mode in summary["modes"]:
        table.add_column(mode, justify="right")
        table.add_column("F1", justify="right")
    extra = "generate" in summary["modes"]
    if extra:
        for col in ("reward", "format", "BLEU", "ROUGE-L"):
            table.add_column(col, justify="right")
    for row in summary["models"]:
        cells = [row["name"]]
        for mode in summary["modes"]:
            cells += [acc(row[mode]), f"{row[mode]['f1_macro']:.2f}"]
        if extra:
            g = row["generate"]
            cells += [f"{g['avg_reward']:.2f}", f"{g['format_compliance']:.0%}", _num(g["bleu"], ".1f"),
                      _num(g["rouge_l"], ".2f")]
        table.add_row(*cells)
    return table


SCORING_CODE = [Path(m.__file__) for m in (mcq_format, metrics, scoring)]  # what a saved result was computed by


def fingerprint(cfg, data_info: dict, model_files: list[Path]) -> str:
    """What a model's result depends on: the model's files (an adapter's weights, a GGUF), the base model, the
    questions file, the evaluation settings and the scoring code. Equal fingerprints give equal results."""
    e = cfg.eval
    parts = [cfg.model.name, cfg.model.dtype, e.mode, e.max_samples, e.seed, e.max_new_tokens, e.system_prompt,
             e.n_ctx, data_info.get("n")]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode())
    for path in [Path(data_info["path"]), *model_files, *SCORING_CODE]:
        digest.update(f"{path.name}:{modeling.file_digest(path)}".encode())
    return digest.hexdigest()


def reusable(out_dir: Path, name: str, fp: str) -> dict | None:
    """The saved result logs/eval/<name>.json when its fingerprint is fp, else None."""
    try:
        doc = json.loads((out_dir / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("fingerprint") == fp else None


def run_compare(cfg, console) -> dict:
    """Base, SFT, PPO (adapters on one loaded base) and the GGUF on the same questions.

    A model whose saved result has the same fingerprint (its files, the questions, the settings, the scoring code)
    is not evaluated again (eval.reuse): `make demo` compares before the export (whose metadata records the
    table) and again after it, when only the GGUF's row is new."""
    if is_gguf_model(cfg.model.name):
        raise UserError("--compare needs the Transformers base model as --model; the GGUF it compares is "
                        f"eval.gguf ({cfg.eval.gguf})")
    if cfg.eval.adapter:
        raise UserError("--compare takes its adapters from eval.sft_adapter and eval.ppo_adapter; drop --adapter")
    modes = modes_of(cfg.eval.mode)
    records, info = load_questions(cfg.eval.data, cfg.eval.max_samples, cfg.eval.seed)
    _note_dropped(info, console)
    out_dir = Path(cfg.eval.output_dir)
    docs, skipped = [], []

    def note(name: str, reason: str) -> None:
        skipped.append({"name": name, "reason": reason})
        console.print(f"[yellow]skipping {name}: {reason}[/]")

    adapters = []
    for name, adapter in (("sft", cfg.eval.sft_adapter), ("ppo", cfg.eval.ppo_adapter)):
        if not adapter or not (Path(adapter) / "adapter_config.json").is_file():
            note(name, f"no adapter in {adapter or '(unset)'}; run train_{name}.py first")
            continue
        adapters.append((name, adapter))
    gguf = Path(cfg.eval.gguf) if cfg.eval.gguf and Path(cfg.eval.gguf).is_file() else None
    prints = {"base": fingerprint(cfg, info, []), "gguf": fingerprint(cfg, info, [gguf]) if gguf else ""}
    prints.update({name: fingerprint(cfg, info, sorted(Path(adapter).glob("adapter_*"))) for name, adapter in adapters})
    saved = {name: reusable(out_dir, name, fp) if cfg.eval.reuse else None for name, fp in prints.items()}

    def run(name: str, scorer, backend: str, model: str, adapter: str) -> None:
        body = evaluate_model(scorer, records, cfg, name)
        doc = result_document(name, model, adapter, backend, info, cfg, body) | {"fingerprint": prints[name]}
        save_result(doc, out_dir, cfg.eval.plots)
        docs.append(doc)

    def reuse(name: str) -> bool:
        if saved.get(name) is None:
            return False
        console.print(f"{name}: reusing {out_dir / (name + '.json')} (same model files, questions and settings)")
        docs.append(saved[name])
        return True

    if not all(saved.get(name) for name in ["base", *(n for n, _ in adapters)]):
        model, tok, _ = modeling.load_base_model(cfg.model)
        for _, adapter in adapters:
            modeling.check_adapter_matches(adapter, model)  # before any evaluation: fail early, write nothing
        if not reuse("base"):
            run("base", HFModel(model, tok, cfg.eval.max_new_tokens), "transformers", cfg.model.name, "")
        for name, adapter in adapters:
            if not reuse(name):
                model = attach_adapter(model, adapter, name)
                run(name, HFModel(model, tok, cfg.eval.max_new_tokens), "transformers", cfg.model.name, adapter)
        del model
    else:
        for name in ["base", *(n for n, _ in adapters)]:
            reuse(name)
    if gguf is None:
        note("gguf", f"no {cfg.eval.gguf or 'GGUF file (eval.gguf unset)'}; run export_gguf.py first")
    elif not reuse("gguf"):
        scorer = GGUFModel(gguf, cfg.eval.max_new_tokens, cfg.eval.n_ctx, cfg.eval.seed)
        try:
            run("gguf", scorer, "llama.cpp", cfg.eval.gguf, "")
        finally:
            scorer.close()

    summary = {
        "data": info, "n": len(records), "modes": modes, "preset": cfg.preset,
        "chance": round(sum(1 / len(r["options"]) for r in records) / len(records), 4),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "models": [compare_summary(d) for d in docs], "skipped": skipped,
        "paired_tests": [t for mode in modes for t in significance.paired_tests(docs, mode)],
    }
    atomic_write_json(out_dir / "compare.json", summary)
    atomic_write_text(out_dir / "compare.md", compare_markdown(summary))
    cli.save_config(cfg, "eval", out_dir)
    if cfg.eval.plots:
        charts.plot_accuracy_bars(summary, out_dir / "compare.png")
    console.print(compare_table(summary))
    for t in summary["paired_tests"]:
        console.print(f"  {t['first']} vs {t['second']} ({t['mode']}, {t['n']} questions): {t['verdict']}")
    console.print(f"wrote {out_dir / 'compare.json'}, compare.md" + (", compare.png" if cfg.eval.plots else ""))
    return summary


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = cli.make_parser("evaluate.py", __doc__, "eval")
    own = parser.add_argument_group("evaluation")
    own.add_argument("--adapter", default=None, metavar="DIR",
                     help="a LoRA adapter folder (models/sft, models/ppo) to load on the base model "
                          "(sets eval.adapter)")
    own.add_argument("--data", default=None, metavar="FILE",
                     help="a processed split or a MedQA / MedMCQA file in native schema (sets eval.data)")
    own.add_argument("--mode", default=None, choices=["loglik", "generate", "both"],
                     help="scoring mode (sets eval.mode)")
    own.add_argument("--name", default=None, help="result name: logs/eval/<name>.json (default: base, the adapter "
                                                    "folder's name, or gguf)")
    what = own.add_mutually_exclusive_group()
    what.add_argument("--compare", action="store_true",
                      help="evaluate base, SFT, PPO and the GGUF on the same questions; writes compare.json/.md/.png")
    what.add_argument("--plots", default=None, nargs="+", metavar="RUN_DIR",
                      help="only draw PNG charts of one or more training runs (logs/<run>/metrics.jsonl) into "
                           "RUN_DIR/plots")
    args = parser.parse_args(argv)

    console = Console()
    if args.plots is not None:
        for run_dir in args.plots:
            recover_swaps(run_dir)  # a training run killed while it swapped its log in left it aside
            paths = charts.plot_run(run_dir)
            console.print(f"wrote {len(paths)} charts to {paths[0].parent}: {', '.join(p.name for p in paths)}")
        return 0

    cfg = cli.resolve_config(args, "eval")
    for flag, field in (("adapter", "adapter"), ("data", "data"), ("mode", "mode")):
        if getattr(args, flag) is not None:
            setattr(cfg.eval, field, getattr(args, flag))
    modes_of(cfg.eval.mode)
    cli.show_config(cfg, "eval")
    # a run killed while it swapped in an adapter or the splits left them aside: put them back before reading
    recover_swaps(cfg.eval.adapter, cfg.eval.sft_adapter, cfg.eval.ppo_adapter, Path(cfg.eval.data).parent)
    if args.compare:
        run_compare(cfg, console)
    else:
        run_single(cfg, check_name(args.name or default_name(cfg.model.name, cfg.eval.adapter)), console)
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
