"""Is one model really better than another on the same questions? The exact McNemar test.

Two models answer the same n questions. Only the discordant questions carry information: b where the
first is right and the second wrong, c the reverse. Under "no difference" each discordant question is a
fair coin, so the two-sided p-value is P(Binomial(b + c, 1/2) is as far from (b + c) / 2 as observed),
computed exactly (no chi-square approximation, which is poor for the small counts a validation split has).
"""
from __future__ import annotations

from math import comb
from typing import Sequence

ALPHA = 0.05


def mcnemar_exact(first_correct: Sequence[bool], second_correct: Sequence[bool]) -> dict:
    """{"b", "c", "n_discordant", "p_value", "significant", "verdict"} for two paired lists of right/wrong."""
    if len(first_correct) != len(second_correct):
        raise ValueError(f"paired lists differ in length ({len(first_correct)} vs {len(second_correct)})")
    b = sum(1 for x, y in zip(first_correct, second_correct) if x and not y)
    c = sum(1 for x, y in zip(first_correct, second_correct) if y and not x)
    n = b + c
    p = 1.0 if n == 0 else min(1.0, 2 * sum(comb(n, k) for k in range(min(b, c) + 1)) / 2 ** n)
    significant = p < ALPHA
    return {"b": b, "c": c, "n_discordant": n, "p_value": round(p, 6), "significant": significant,
            "verdict": verdict(b, c, p)}


def verdict(b: int, c: int, p: float) -> str:
    if p >= ALPHA:
        return f"no significant difference (p={p:.3g}, {b} vs {c} discordant)"
    better = "first" if b > c else "second"
    return f"{better} is better (p={p:.3g}, {b} vs {c} discordant)"


def paired_tests(docs: Sequence[dict], mode: str) -> list[dict]:
    """McNemar between every pair of evaluated models, on the questions both answered (matched by id)."""
    rows = []
    for i, a in enumerate(docs):
        for b in docs[i + 1:]:
            right_a = {p["id"]: p.get(mode) == p["answer"] for p in a["predictions"] if mode in p}
            right_b = {p["id"]: p.get(mode) == p["answer"] for p in b["predictions"] if mode in p}
            ids = [k for k in right_a if k in right_b]
            if not ids:
                continue
            test = mcnemar_exact([right_a[k] for k in ids], [right_b[k] for k in ids])
            rows.append({"first": a["name"], "second": b["name"], "mode": mode, "n": len(ids), **test,
                         "verdict": test["verdict"].replace("first", a["name"]).replace("second", b["name"])})
    return rows
