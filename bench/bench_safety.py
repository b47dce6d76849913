"""Red-flag detector (issue 18): recall per urgent category and false alarms on non-urgent messages.

    .venv/bin/python bench/bench_safety.py [--misses]

Reads the labelled set data/safety/messages.jsonl (one JSON object a line: text, urgent, category, lang;
written for this project, not taken from any dataset) and runs safety.find_red_flags with the chat's
ChatConfig red_flags / red_flag_exceptions on every message. Prints the date, machine and command, then
a table: recall per urgent category and per language, false-alarm rate per non-urgent kind (exam stems,
education questions, everyday messages). --misses also lists every miss and false alarm.

Goals: recall >= 97% overall and >= 90% in every category; false alarms <= 3% overall, <= 5% on exam stems.
"""
from __future__ import annotations

import datetime
import json
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
import safety  # noqa: E402

DATA = ROOT / "data" / "safety" / "messages.jsonl"
GOALS = {"recall": 0.97, "category_recall": 0.90, "false_alarms": 0.03, "exam_false_alarms": 0.05}


def load(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(rows: list[dict], detect=None) -> dict:
    """Counts per category: {'urgent': {cat: [hits, n]}, 'lang': {...}, 'benign': {cat: [alarms, n]}, ...}."""
    chat = config.ChatConfig()
    detect = detect or (lambda text: bool(safety.find_red_flags(text, chat.red_flags, chat.red_flag_exceptions)))
    urgent, langs, benign = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    misses, alarms = [], []
    for row in rows:
        flagged = bool(detect(row["text"]))
        if row["urgent"]:
            for table, key in ((urgent, row["category"]), (langs, row.get("lang", "en"))):
                table[key][0] += flagged
                table[key][1] += 1
            if not flagged:
                misses.append(row)
        else:
            benign[row["category"]][0] += flagged
            benign[row["category"]][1] += 1
            if flagged:
                alarms.append(row)
    hits, n_urgent = sum(v[0] for v in urgent.values()), sum(v[1] for v in urgent.values())
    fa, n_benign = sum(v[0] for v in benign.values()), sum(v[1] for v in benign.values())
    return {
        "urgent": dict(urgent), "lang": dict(langs), "benign": dict(benign), "misses": misses, "alarms": alarms,
        "recall": hits / n_urgent, "n_urgent": n_urgent, "false_alarms": fa / n_benign, "n_benign": n_benign,
        "exam_false_alarms": benign["exam"][0] / max(1, benign["exam"][1]),
    }


def table(result: dict) -> str:
    lines = ["| urgent category | caught | recall |", "|---|---|---|"]
    for cat, (hit, n) in sorted(result["urgent"].items()):
        lines.append(f"| {cat} | {hit}/{n} | {hit / n:.1%} |")
    lines.append(f"| **all urgent** | {round(result['recall'] * result['n_urgent'])}/{result['n_urgent']} | "
                 f"**{result['recall']:.1%}** |")
    lines += ["", "| language (urgent) | caught | recall |", "|---|---|---|"]
    for lang, (hit, n) in sorted(result["lang"].items()):
        lines.append(f"| {lang} | {hit}/{n} | {hit / n:.1%} |")
    lines += ["", "| non-urgent kind | false alarms | rate |", "|---|---|---|"]
    for cat, (fa, n) in sorted(result["benign"].items()):
        lines.append(f"| {cat} | {fa}/{n} | {fa / n:.1%} |")
    lines.append(f"| **all non-urgent** | {round(result['false_alarms'] * result['n_benign'])}/{result['n_benign']} | "
                 f"**{result['false_alarms']:.1%}** |")
    return "\n".join(lines)


def meets_goals(result: dict) -> list[str]:
    """The goals missed (empty when all are met)."""
    out = []
    if result["recall"] < GOALS["recall"]:
        out.append(f"recall {result['recall']:.1%} < 97%")
    out += [f"{c} recall {h / n:.1%} < 90%" for c, (h, n) in result["urgent"].items() if h / n < GOALS["category_recall"]]
    if result["false_alarms"] > GOALS["false_alarms"]:
        out.append(f"false alarms {result['false_alarms']:.1%} > 3%")
    if result["exam_false_alarms"] > GOALS["exam_false_alarms"]:
        out.append(f"exam false alarms {result['exam_false_alarms']:.1%} > 5%")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rows = load()
    started = time.perf_counter()
    result = evaluate(rows)
    took = time.perf_counter() - started
    print(f"date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}")
    print(f"command: .venv/bin/python bench/bench_safety.py {' '.join(argv)}".rstrip())
    print(f"data: {DATA.relative_to(ROOT)} ({len(rows)} messages), {took / len(rows) * 1000:.1f} ms a message\n")
    print(table(result))
    missed = meets_goals(result)
    print("\ngoals: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    if "--misses" in argv:
        for row in result["misses"]:
            print(f"miss [{row['category']}]: {row['text']}")
        for row in result["alarms"]:
            print(f"false alarm [{row['category']}]: {row['text']}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
