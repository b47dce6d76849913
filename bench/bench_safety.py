"""Red-flag detector (issues 18, 27): recall per urgent category and false alarms, on every labelled set.

    .venv/bin/python bench/bench_safety.py [--misses] [--set NAME ...]

Reads the labelled sets in data/safety/ (one JSON object a line: text, urgent, category, lang; written for
this project, not taken from any dataset): messages.jsonl, the set the rules were first written on,
heldout*.jsonl, sets written later by someone who had not seen the rules at the time, and blind_a .. blind_z and blind_aa,
sets written by someone who never read the rules (issue 27). Runs safety.find_red_flags with
chat/safety_rules.py plus ChatConfig's extra red flags / exceptions on every message and prints the date,
machine, command and milliseconds a message, then one table with a column per set: recall per urgent category,
per language, false alarms per non-urgent kind (exam stems, education, everyday, ...), overall figures. For a
set in UNTUNED only the overall rows are filled: its per-category figures are not shown, so that no one tunes on
them. --misses lists every miss and false alarm of the sets tuned on; asked for an UNTUNED set by name it
refuses (exit 2). --set limits the run to the named sets (file stems).

Goals on messages.jsonl: recall >= 97% overall and >= 90% in every category; false alarms <= 3% overall,
<= 5% on exam stems. heldout..heldout4 were each measured once untuned (the README gives those figures)
and then used to tune the rules, so on them the bench checks a lower floor: recall >= 95%, false alarms
<= 5%, on exam stems <= 5%; so do blind_a (tuned on in issue 27's first round), blind_b (its second), blind_d
(its third), blind_c and blind_g (its fourth), blind_f (its fifth), blind_h (its sixth), blind_e and blind_i (its
seventh), blind_j (its eighth), blind_l (its ninth), blind_n and blind_o (its tenth), blind_r and blind_s (its
eleventh), blind_v (its twelfth), each measured once before it was tuned on; blind_p and blind_q, tuned in its
thirteenth round, and blind_x and blind_y, tuned in its fourteenth, all short of 5% false alarms, keep what their
round left them (TUNED_SHORT_FLOOR).
Sets in UNTUNED have never been used to tune anything: their figures are the honest ones, and their floor is
lower (heldout5: recall >= 85%, false alarms <= 10% overall and on exam stems; the blind ones: what they reached
when first measured, less a margin of about three messages). Issue 27's goal on the untouched blind sets,
recall >= 95% and false alarms <= 5%, is reported on its own line for each (a benchmark, not a floor). Exits 1 when
a goal or floor is missed.

single_message_phrases() is issue 27's audit: a rule alternative of three words or more that occurs in
exactly one message of the sets tuned on was written for that sentence, not for how people talk.
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
from chat import safety, safety_rules, safety_text  # noqa: E402

SAFETY_DIR = ROOT / "data" / "safety"
DATA = SAFETY_DIR / "messages.jsonl"
GOALS = {"recall": 0.97, "category_recall": 0.90, "false_alarms": 0.03, "exam_false_alarms": 0.05}
HELDOUT_FLOOR = {"recall": 0.95, "category_recall": 0.0, "false_alarms": 0.05, "exam_false_alarms": 0.05}
# Never used to change a rule (their misses and false alarms are not to be read): keep it that way, or write a
# new set and move this. Issue 27's rounds, each tuned on a set measured once before (recall / false alarms):
#   one:   blind_a (80d35ea rules: 90.8% / 24.8%);
#   two:   blind_b (82.9% / 16.7% before issue 27, 85.7% / 13.5% after round one);
#   three: blind_d (written 2026-12-05; 133/148 = 89.9%, 10/143 = 7.0% with round two's rules);
#   four:  blind_c (untouched through round three: 114/130 = 87.7%, 13/122 = 10.7% after round two, first
#          measured then; 117/130 = 90.0%, 11/122 = 9.0% after round three; its per-category figures were
#          published in the closing note of 2026-12-05, so it was tuned on next), then blind_g (336 messages
#          written 2026-12-05 by a helper who never read the rules, measured once with the rules tuned on blind_c:
#          156/168 = 92.9%, 13/168 = 7.7%, exam stems 5/24 = 20.8%).
#   five:  blind_f (336 messages written 2026-12-05 by a helper who never read the rules; two generic non-urgent
#          messages an earlier set held were dropped), measured once with round four's rules frozen: 155/168 =
#          92.3%, 21/166 = 12.7%, exam stems 3/24 = 12.5%.
# blind_e (written the same day by another helper, one duplicate dropped) was measured beside blind_f with round
# four's rules (160/168 = 95.2%, 18/167 = 10.8%, exam stems 5/24 = 20.8%) and has stayed untouched since (after
# round five: 160/168 = 95.2%, 16/167 = 9.6%). blind_h and blind_i (336 messages each, written 2026-12-05 by two
# more helpers who never read the rules; one duplicate dropped from blind_h) were measured once with round five's
# rules frozen; blind_i is untouched.
#   six:   blind_h (its first figure: 154/168 = 91.7%, 20/167 = 12.0%, exam stems 6/24 = 25.0%).
# After round six: blind_e 160/168 = 95.2%, 14/167 = 8.4%; blind_i 147/168 = 87.5%, 14/168 = 8.3%.
#   seven: blind_e and blind_i (their figures after round six, above, are their last untouched ones). Then two
#          new sets, blind_j and blind_k (336 messages each, written 2026-12-05 by two helpers who never read the
#          rules), were measured once with round seven's rules frozen (9603e94): blind_j 159/168 = 94.6%,
#          16/168 = 9.5%, exam stems 2/24; blind_k 160/168 = 95.2%, 20/168 = 11.9%, exam stems 1/24.
#   eight: blind_j. blind_k is untouched: after round eight 160/168 = 95.2%, 19/168 = 11.3%, exam stems 1/24.
#   nine:  blind_l. Two new sets, blind_l and blind_m (336 messages each, written 2026-12-06 by two helpers who never
#          read the rules; two generic messages an earlier set held dropped from blind_l), were measured once with
#          rounds eight's rules and the recurrence fix (c8e0a1d): blind_l 155/168 = 92.3%, 12/166 = 7.2%, exam stems
#          1/24; blind_m 154/168 = 91.7%, 21/168 = 12.5%, exam stems 2/24. blind_m is untouched: after round nine
#          and its review fixes (cdcd974) 153/168 = 91.1%, 20/168 = 11.9%; blind_k 160/168 = 95.2%, 18/168 = 10.7%.
#   ten:   blind_n and blind_o. Four new sets, blind_n .. blind_q (336 messages each, written 2026-12-06 by four
#          helpers who never read the rules, asked for harder non-urgent messages and many long ones; six messages
#          an earlier set or a sibling held dropped), were measured once with round nine's rules (ad8dda9): blind_n
#          160/168 = 95.2%, 29/168 = 17.3%, exam stems 2/24; blind_o 155/167 = 92.8%, 40/167 = 24.0%, exam stems
#          1/24; blind_p 156/168 = 92.9%, 37/167 = 22.2%, exam stems 1/24; blind_q 158/168 = 94.0%, 27/165 = 16.4%,
#          exam stems 2/24. blind_p and blind_q are untouched: after round ten (2408f13), measured once, blind_p
#          155/168 = 92.3%, 26/167 = 15.6%; blind_q 158/168 = 94.0%, 22/165 = 13.3%; blind_k 161/168 = 95.8%,
#          14/168 = 8.3%; blind_m 153/168 = 91.1%, 16/168 = 9.5%; heldout5 59/66 = 89.4%, 1/69 = 1.4%.
# Four new sets, blind_r .. blind_u (336 messages each, written 2026-12-06 by four helpers who never read the rules:
# carers at night; chronic conditions and off-duty health workers; second-language writers, workplaces and
# travellers; forum posts, voice-to-text, teenagers and parties; none an earlier set held), were measured once with
# round ten's rules (e3ed5c5): blind_r 151/168 = 89.9%, 19/168 = 11.3%, exam stems 4/24; blind_s 152/168 = 90.5%,
# 14/168 = 8.3%, exam stems 0/24; blind_t 160/168 = 95.2%, 19/168 = 11.3%, exam stems 1/24; blind_u 154/168 =
# 91.7%, 14/168 = 8.3%, exam stems 2/24.
#   eleven: blind_r and blind_s. blind_t and blind_u are untouched: after round eleven (6257626), measured once,
#          blind_t 160/168 = 95.2%, 20/168 = 11.9%; blind_u 154/168 = 91.7%, 13/168 = 7.7%; blind_k 161/168 = 95.8%,
#          13/168 = 7.7%; blind_m 153/168 = 91.1%, 15/168 = 8.9%; blind_p 155/168 = 92.3%, 25/167 = 15.0%; blind_q
#          158/168 = 94.0%, 20/165 = 12.1%; heldout5 60/66 = 90.9%, 1/69 = 1.4%.
# Two more sets, blind_v and blind_w (336 messages each, written 2026-12-06 by two helpers who never read the rules:
# older writers, families far away and remote places; students, new parents and hurried phone messages; none an
# earlier set held), were measured once with round eleven's rules (f9516cb): blind_v 143/168 = 85.1%, 10/168 = 6.0%,
# exam stems 1/24; blind_w 156/168 = 92.9%, 16/168 = 9.5%, exam stems 2/24.
#   twelve: blind_v. blind_w is untouched: after round twelve (4cbca8f), measured once, blind_w 156/168 = 92.9%,
#          17/168 = 10.1%; blind_t 160/168, 20/168; blind_u 155/168 = 92.3%, 13/168; blind_k 161/168, 14/168 = 8.3%;
#          blind_m 153/168, 15/168; blind_p 156/168 = 92.9%, 26/167 = 15.6%; blind_q 159/168 = 94.6%, 20/165;
#          heldout5 60/66, 1/69. After a reviewer's probes (be088f9), the same but blind_w 18/168 = 10.7%.
# Two more sets, blind_x and blind_y (336 messages each, written 2026-12-06 by two helpers who never read the rules,
# from round eleven's brief with genuinely hard non-urgent messages: shift workers, rural families, grandparents,
# coaches; long-term conditions, partners, travel, sport, care workers, students' own lives; none an earlier set
# held), were measured once with the rules of afb0c8a: blind_x 154/168 = 91.7%, 30/168 = 17.9%, exam stems 4/24;
# blind_y 157/168 = 93.5%, 30/168 = 17.9%, exam stems 1/24.
#   thirteen: blind_p and blind_q (untouched through round twelve; their last untouched figures, be088f9: blind_p
#          156/168 = 92.9%, 26/167 = 15.6%; blind_q 159/168 = 94.6%, 20/165 = 12.1%). blind_x and blind_y are untouched:
#          after round thirteen (4e8eb61), measured once, blind_x 154/168 = 91.7%, 29/168 = 17.3%; blind_y 158/168 =
#          94.0%, 29/168 = 17.3%; blind_k 162/168 = 96.4%, 14/168; blind_m 154/168 = 91.7%, 15/168; blind_t 160/168,
#          20/168; blind_u 155/168, 13/168; blind_w 156/168, 17/168 = 10.1%; heldout5 60/66, 1/69.
# Two more sets, blind_z and blind_aa (336 messages each, written 2026-12-07 by two helpers who never read the rules,
# from the same brief: older, rural and outdoor writers, teenagers, night workers, bystanders; parents, carers,
# teachers and coaches, students abroad in imperfect English, people in the middle of something else; nine messages
# that came within a long run of words of an earlier set's were rewritten by a third helper before any measurement),
# were measured once with the rules of b3785a2: blind_z 155/168 = 92.3%, 41/168 = 24.4%, exam stems 10/24;
# blind_aa 165/168 = 98.2%, 43/168 = 25.6%, exam stems 10/24.
#   fourteen: blind_x and blind_y (their last untouched figures, 4e8eb61: blind_x 154/168, 29/168; blind_y 158/168,
#          29/168). blind_z and blind_aa are untouched: after round fourteen (3924f0b), measured once, blind_z
#          155/168 = 92.3%, 41/168 = 24.4%; blind_aa 166/168 = 98.8%, 43/168 = 25.6%; blind_k 162/168, 14/168;
#          blind_m 154/168, 15/168; blind_t 160/168, 20/168; blind_u 155/168, 13/168; blind_w 157/168 = 93.5%,
#          17/168; heldout5 60/66, 1/69.
UNTUNED = {"heldout5", "blind_k", "blind_m", "blind_t", "blind_u", "blind_w", "blind_z", "blind_aa"}
UNTUNED_FLOOR = {"recall": 0.85, "category_recall": 0.0, "false_alarms": 0.10, "exam_false_alarms": 0.10}
# Each untouched blind set's first measurement (round four's rules, 2026-12-05): (recall, false alarms, exam stems).
# Its floor is that, less about three messages; issue 27's goal (BLIND_GOAL) is reported beside it.
BLIND_FIRST = {"blind_k": (160 / 168, 20 / 168, 1 / 24),  # round seven: 95.2% / 11.9%, exam stems 4.2%
               "blind_m": (154 / 168, 21 / 168, 2 / 24),  # c8e0a1d: 91.7% / 12.5%, exam stems 8.3%
               "blind_t": (160 / 168, 19 / 168, 1 / 24),  # e3ed5c5: 95.2% / 11.3%, exam stems 4.2%
               "blind_u": (154 / 168, 14 / 168, 2 / 24),  # e3ed5c5: 91.7% / 8.3%, exam stems 8.3%
               "blind_w": (156 / 168, 16 / 168, 2 / 24),  # f9516cb: 92.9% / 9.5%, exam stems 8.3%
               "blind_z": (155 / 168, 41 / 168, 10 / 24),  # b3785a2: 92.3% / 24.4%, exam stems 41.7%
               "blind_aa": (165 / 168, 43 / 168, 10 / 24)}  # b3785a2: 98.2% / 25.6%, exam stems 41.7%
BLIND_FLOOR = {name: {"recall": round(first[0] - 3 / 168, 3), "category_recall": 0.0,
                      "false_alarms": round(first[1] + 3 / 168, 3), "exam_false_alarms": round(first[2] + 2 / 24, 3)}
               for name, first in BLIND_FIRST.items() if first}
BLIND_GOAL = {"recall": 0.95, "category_recall": 0.0, "false_alarms": 0.05, "exam_false_alarms": 1.0}
# Tuned on, but not down to HELDOUT_FLOOR's false alarms: round thirteen reached 100% recall on blind_p and blind_q and
# cut their false alarms (26 -> 17 of 167, 20 -> 13 of 165), and stopped there, because two reviewers' probes showed
# that the readings that took both under 5% (an end in another language, a joke, a film, a scare, "what symptoms")
# cost 108-145 urgent probes the rules had caught. Round fourteen did the same on blind_x and blind_y (recall 154 ->
# 166 and 158 -> 164 of 168, false alarms 29 -> 27 and 29 -> 25 of 168): the readings that cut more (a list after
# "signs of", "now I'm scared", "back in the 80s", plans to move or travel, dates and ends in four languages, "someone
# explain" leads) cost 110 and then 72 of two reviewers' urgent probes and were taken out. Their floor: recall >= 95%,
# false alarms what their round left plus about three messages.
TUNED_SHORT_FLOOR = {name: {"recall": 0.95, "category_recall": 0.0, "false_alarms": round(alarms / n + 3 / n, 3),
                            "exam_false_alarms": round(max(0.05, (exam + 1) / 24), 3)}
                     for name, (alarms, n, exam) in {"blind_p": (17, 167, 0), "blind_q": (13, 165, 0),
                                                     "blind_x": (27, 168, 2), "blind_y": (25, 168, 1)}.items()}


def load(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def set_paths(names: list[str] | None = None) -> dict[str, Path]:
    """{stem: path}: messages first, then the held-out sets in order; `names` picks some (ValueError if unknown)."""
    found = {p.stem: p for p in sorted(SAFETY_DIR.glob("*.jsonl"))}
    ordered = {k: found[k] for k in ["messages"] + sorted(k for k in found if k != "messages") if k in found}
    if names:
        unknown = [n for n in names if n not in ordered]
        if unknown:
            raise ValueError(f"no labelled set {', '.join(unknown)} in {SAFETY_DIR.relative_to(ROOT)} "
                             f"(there are: {', '.join(ordered)})")
        ordered = {n: ordered[n] for n in names}
    return ordered


def evaluate(rows: list[dict], detect=None) -> dict:
    """Counts per category: {'urgent': {cat: [hits, n]}, 'lang': {...}, 'benign': {cat: [alarms, n]}, ...}."""
    chat = config.ChatConfig()
    detect = detect or (lambda text: bool(safety.find_red_flags(text, safety_rules.RED_FLAGS + chat.extra_red_flags, safety_rules.RED_FLAG_EXCEPTIONS + chat.extra_red_flag_exceptions)))
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
        "recall": hits / max(1, n_urgent), "n_urgent": n_urgent, "hits": hits,
        "false_alarms": fa / max(1, n_benign), "n_benign": n_benign, "alarms_n": fa,
        "exam_false_alarms": benign["exam"][0] / max(1, benign["exam"][1]) if "exam" in benign else 0.0,
    }


def _cell(pair) -> str:
    if not pair:
        return ""
    k, n = pair
    return f"{k}/{n} ({k / n:.0%})"


def table(results: dict[str, dict] | dict) -> str:
    """One markdown table, a column per set (a single result is shown as the set 'messages')."""
    if "urgent" in results:
        results = {"messages": results}
    names = list(results)
    head = "| | " + " | ".join(names) + " |"
    rule = "|---|" + "---|" * len(names)
    lines = [head, rule]

    def section(title: str, key: str) -> None:
        keys = sorted({k for s, r in results.items() if s not in UNTUNED for k in r[key]})
        lines.append(f"| **{title}** |" + " |" * len(names))
        for k in keys:  # an untuned set's per-category figures are left out (only its totals are shown)
            lines.append(f"| {k} | " + " | ".join("" if s in UNTUNED else _cell(results[s][key].get(k))
                                                   for s in names) + " |")

    section("urgent: recall by category", "urgent")
    lines.append("| **all urgent** | " + " | ".join(f"**{_cell((r['hits'], r['n_urgent']))}**"
                                                    for r in results.values()) + " |")
    section("urgent: recall by language", "lang")
    section("non-urgent: false alarms by kind", "benign")
    lines.append("| **all non-urgent** | " + " | ".join(f"**{_cell((r['alarms_n'], r['n_benign']))}**"
                                                        for r in results.values()) + " |")
    return "\n".join(lines)


def meets_goals(result: dict, goals: dict = GOALS) -> list[str]:
    """The goals missed (empty when all are met)."""
    out = []
    if result["recall"] < goals["recall"]:
        out.append(f"recall {result['recall']:.1%} < {goals['recall']:.0%}")
    out += [f"{c} recall {h / n:.1%} < {goals['category_recall']:.0%}" for c, (h, n) in result["urgent"].items()
            if h / n < goals["category_recall"]]
    if result["false_alarms"] > goals["false_alarms"]:
        out.append(f"false alarms {result['false_alarms']:.1%} > {goals['false_alarms']:.0%}")
    if result["exam_false_alarms"] > goals["exam_false_alarms"]:
        out.append(f"exam false alarms {result['exam_false_alarms']:.1%} > {goals['exam_false_alarms']:.0%}")
    return out


def phrase_alternatives(rules: list[str]) -> set[tuple]:
    """The alternatives that read like a piece of a sentence: three words or more, in any rule (two words are
    still a word of the language: "passed out", "kill herself", "quiero morir"). Numbers are not phrases."""
    return {alt for rule in rules for term in safety.compile_pattern(rule) for alt in term
            if alt[0] != "#" and len(alt) >= 3}


def phrase_counts(rules: list[str], texts: list[str]) -> dict[str, int]:
    """{phrase alternative: number of the texts it occurs in} (as the matcher reads it: stems, typos, negation)."""
    vocabulary = safety.vocabulary(tuple(rules))
    read = [safety._Text(safety_text.words(t), vocabulary) for t in texts]
    return {" ".join(alt): sum(safety._phrase_in(t, alt) for t in read) for alt in phrase_alternatives(rules)}


def single_message_phrases(rules: list[str] | None = None, texts: list[str] | None = None) -> list[str]:
    """Phrase alternatives that occur in exactly one message of the sets tuned on (issue 27): a rule written for
    one sentence. Occurring in none is allowed (a phrasing no set happens to use); the untuned sets are left out,
    so their messages never decide a rule."""
    rules = safety_rules.RED_FLAGS if rules is None else rules
    if texts is None:
        texts = [row["text"] for name, path in set_paths().items() if name not in UNTUNED for row in load(path)]
    return sorted(p for p, n in phrase_counts(rules, texts).items() if n == 1)


def goals_for(name: str) -> dict:
    if name == "messages":
        return GOALS
    if name in BLIND_FLOOR:
        return BLIND_FLOOR[name]
    if name in TUNED_SHORT_FLOOR:
        return TUNED_SHORT_FLOOR[name]
    if name == "heldout5":
        return UNTUNED_FLOOR
    return HELDOUT_FLOOR


# Each untouched set's first measurement (the rules it was first scored with): recall, false alarms.
FIRST = {"heldout5": (0.909, 0.058), **{name: first[:2] for name, first in BLIND_FIRST.items() if first}}


def run(quick: bool = False) -> list[dict]:
    """Rows for bench/run_all.py: the untouched sets against their first measurement, with issue 27's goal
    (blind_e, blind_f) or the floor (heldout5) as the check; the set the rules were written on against its goals; the
    tuned sets' floor; the time a message. `quick` changes nothing (the whole run takes seconds)."""
    paths = set_paths()
    started = time.perf_counter()
    results = {name: evaluate(load(path)) for name, path in paths.items()}
    ms = (time.perf_counter() - started) * 1000 / sum(r["n_urgent"] + r["n_benign"] for r in results.values())
    rows = []
    for name, goal in [(name, BLIND_GOAL) for name in sorted(BLIND_FLOOR)] + [("heldout5", UNTUNED_FLOOR)]:
        r, (recall0, alarms0) = results[name], FIRST[name]
        size = f"{r['n_urgent']} urgent / {r['n_benign']} not, never tuned on"
        rows.append({"figure": f"red flags, {name} (untouched): recall vs its first measurement", "ours": round(r["recall"], 3),
                     "baseline": recall0, "unit": "share", "ratio": round(r["recall"] / recall0, 3),
                     "goal": f">= {goal['recall']:.0%}", "check": ["ours", ">=", goal["recall"]],
                     "note": f"{size}; {r['hits']}/{r['n_urgent']} caught"})
        rows.append({"figure": f"red flags, {name} (untouched): false alarms vs its first measurement",
                     "ours": round(r["false_alarms"], 3), "baseline": alarms0, "unit": "share",
                     "ratio": round(r["false_alarms"] / alarms0, 3), "goal": f"<= {goal['false_alarms']:.0%}",
                     "check": ["ours", "<=", goal["false_alarms"]],
                     "note": f"{size}; {r['alarms_n']}/{r['n_benign']} flagged"})
    tuned = [n for n in results if n not in UNTUNED]
    low = min(tuned, key=lambda n: results[n]["recall"])
    high = max(tuned, key=lambda n: results[n]["false_alarms"])
    rows.append({"figure": "red flags, the sets tuned on: lowest recall", "ours": round(results[low]["recall"], 3),
                 "baseline": HELDOUT_FLOOR["recall"], "unit": "share",
                 "ratio": round(results[low]["recall"] / HELDOUT_FLOOR["recall"], 3), "goal": ">= 95% (the floor)",
                 "check": ["ours", ">=", HELDOUT_FLOOR["recall"]], "note": f"{low}; sets: {', '.join(tuned)}"})
    rows.append({"figure": "red flags, the sets tuned on: highest false alarms",
                 "ours": round(results[high]["false_alarms"], 3), "baseline": HELDOUT_FLOOR["false_alarms"],
                 "unit": "share", "ratio": round(results[high]["false_alarms"] / HELDOUT_FLOOR["false_alarms"], 3),
                 "goal": "<= 5% (the floor)", "check": ["ours", "<=", HELDOUT_FLOOR["false_alarms"]],
                 "note": f"{high}; sets: {', '.join(tuned)}"})
    rows.append({"figure": "red flags: time a message", "ours": round(ms, 2), "baseline": round(ms, 2), "unit": "ms",
                 "ratio": 1.0, "goal": "none (informational)",
                 "note": f"{len(safety_rules.RED_FLAGS)} rules, {len(safety_rules.RED_FLAG_EXCEPTIONS)} figures of "
                         "speech; one process, no baseline"})
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    names = [a for a in argv if not a.startswith("--")]
    if any(a not in ("--misses", "--set") for a in argv if a.startswith("--")) or (names and "--set" not in argv):
        print("usage: bench_safety.py [--misses] [--set NAME ...]", file=sys.stderr)
        return 2
    try:
        paths = set_paths(names or None)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if "--misses" in argv and UNTUNED.intersection(names):
        print(f"error: --misses refuses {', '.join(sorted(UNTUNED.intersection(names)))}: an untuned set's misses and "
              "false alarms are not to be read (reading them would tune on them)", file=sys.stderr)
        return 2
    results, n_rows, started = {}, 0, time.perf_counter()
    for name, path in paths.items():
        rows = load(path)
        n_rows += len(rows)
        results[name] = evaluate(rows)
    took = time.perf_counter() - started
    print(f"date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}")
    print(f"command: .venv/bin/python bench/bench_safety.py {' '.join(argv)}".rstrip())
    sizes = ", ".join(f"{p.relative_to(ROOT)} ({results[n]['n_urgent'] + results[n]['n_benign']})"
                      for n, p in paths.items())
    print(f"data: {sizes}; {took / max(1, n_rows) * 1000:.1f} ms a message\n")
    print(table(results))
    print()
    missed_any = False
    for name, result in results.items():
        missed = meets_goals(result, goals_for(name))
        missed_any |= bool(missed)
        kind = "goals" if name == "messages" else "floor (untuned set)" if name in UNTUNED else "floor (tuned on)"
        print(f"{name}: recall {result['recall']:.1%}, false alarms {result['false_alarms']:.1%}, "
              f"exam stems {result['exam_false_alarms']:.1%}; {kind}: " + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    for name in sorted(set(BLIND_FIRST) & set(results)):
        missed = meets_goals(results[name], BLIND_GOAL)
        print(f"{name} (untouched), issue 27's goal (recall >= 95%, false alarms <= 5%): "
              + ("met" if not missed else "MISSED: " + "; ".join(missed)))
    if "--misses" in argv:
        for name, result in results.items():
            if name in UNTUNED:  # reading them would tune on them
                print(f"{name}: untuned, its misses and false alarms are not listed")
                continue
            for row in result["misses"]:
                print(f"{name} miss [{row['category']}]: {row['text']}")
            for row in result["alarms"]:
                print(f"{name} false alarm [{row['category']}]: {row['text']}")
    return 1 if missed_any else 0


if __name__ == "__main__":
    sys.exit(main())
