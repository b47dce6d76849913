"""The figures of an evaluation: accuracy with its Wilson interval, macro P/R/F1, reward, format compliance,
confusion matrix, accuracy per subject and source, and BLEU / ROUGE-L of the explanation (pure functions)."""
from __future__ import annotations

import re

import sacrebleu
from rouge_score import rouge_scorer
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from common import mcq_format

Z95 = 1.959963984540054  # two-sided 95% normal quantile




def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (95% by default).

    centre = (p + z^2/2n) / (1 + z^2/n), half width = z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
    Unlike the normal (Wald) interval it stays inside [0, 1] and behaves at p = 0 or 1 and small n.
    """
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


_HEAD = re.compile(r"^\s*[\(\[]?([A-E])[\)\].:]\s*")


def explanation_part(text: str, options: dict | None = None) -> str:
    """The explanation in an answer: what follows the "(B) Option text" head (or the whole text)."""
    text = (text or "").strip()
    m = _HEAD.match(text)
    if not m:
        return text
    rest = text[m.end():]
    option = (options or {}).get(m.group(1), "").strip()
    if option and rest.lower().startswith(option.lower()):
        rest = rest[len(option):]
    return rest.lstrip(" \t.,;:-\n").strip()


def text_overlap(hypotheses: list[str], references: list[str]) -> dict:
    """Corpus BLEU (sacreBLEU, 0-100) and mean ROUGE-L F1 (0-1, stemmed) of hypotheses vs references."""
    if not references:
        return {"bleu": None, "rouge_l": None, "n_references": 0}
    bleu = sacrebleu.corpus_bleu(hypotheses, [references]).score
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    rouge = sum(scorer.score(ref, hyp)["rougeL"].fmeasure for hyp, ref in zip(hypotheses, references)) / len(references)
    return {"bleu": round(bleu, 3), "rouge_l": round(rouge, 4), "n_references": len(references)}


def _group_accuracy(records: list[dict], hits: list[bool], key: str) -> dict:
    groups: dict[str, list[int]] = {}
    for r, hit in zip(records, hits):
        name = str(r.get(key) or "").strip()
        if name:
            g = groups.setdefault(name, [0, 0])
            g[0] += int(hit)
            g[1] += 1
    return {name: {"n": n, "correct": k, "accuracy": round(k / n, 4)} for name, (k, n) in sorted(groups.items())}


def compute_metrics(records: list[dict], preds: list[str | None], responses: list[str] | None = None,
                    reward_correct: float = 1.0, reward_wrong: float = 0.1) -> dict:
    """Every metric of one mode from the gold records and the predicted letters (None = no letter).

    `responses` are the generated texts (generate mode): the reward reads them and BLEU / ROUGE-L
    compare their explanation part with the records' explanations. Without them (loglik mode) the
    response is taken to be "(<letter>)".
    """
    n = len(records)
    gold = [r["answer"] for r in records]
    letters = sorted(set(gold) | {p for p in preds if p})  # letters never used by either stay out of macro
    pred_labels = [p if p else "none" for p in preds]
    hits = [p == g for p, g in zip(preds, gold)]
    k = sum(hits)
    low, high = wilson_interval(k, n)
    prec, rec, f1, support = precision_recall_fscore_support(
        gold, pred_labels, labels=letters, average=None, zero_division=0
    )
    texts = responses if responses is not None else [f"({p})" if p else "" for p in preds]
    rewards = [
        mcq_format.correctness_reward(t, r["answer"], r["options"], reward_correct, reward_wrong)
        for t, r in zip(texts, records)
    ]
    matrix = confusion_matrix(gold, pred_labels, labels=letters + ["none"])[: len(letters)]
    out = {
        "n": n,
        "correct": k,
        "accuracy": round(k / n, 4),
        "ci95": [round(low, 4), round(high, 4)],
        "ci_method": "wilson",
        "precision_macro": round(float(prec.mean()), 4),
        "recall_macro": round(float(rec.mean()), 4),
        "f1_macro": round(float(f1.mean()), 4),
        "per_letter": {
            L: {"precision": round(float(p), 4), "recall": round(float(r_), 4), "f1": round(float(f), 4),
                "support": int(s), "predicted": pred_labels.count(L)}
            for L, p, r_, f, s in zip(letters, prec, rec, f1, support)
        },
        "avg_reward": round(sum(rewards) / n, 4),
        "reward_values": [reward_correct, reward_wrong],
        "format_compliance": round(sum(p is not None for p in preds) / n, 4),
        "confusion_matrix": {"true": letters, "predicted": letters + ["none"], "matrix": matrix.tolist()},
        "per_subject": _group_accuracy(records, hits, "subject"),
        "per_source": _group_accuracy(records, hits, "source"),
    }
    if responses is not None:
        pairs = [(explanation_part(t, r["options"]), r["explanation"].strip())
                 for t, r in zip(responses, records) if (r.get("explanation") or "").strip()]
        out.update(text_overlap([h for h, _ in pairs], [ref for _, ref in pairs]))
    return out
