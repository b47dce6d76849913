"""The answer letter on its own, in SFT: a heavier weight for it in the training loss, and its validation metrics.

An SFT target such as "(B) Vitamin C deficiency. ..." has one token that decides the answer, the letter,
among 10-60 loss tokens. The plain token-averaged loss can fall while that one token gets worse, and the
gradients of the option text reach the letter's position through attention and move its distribution
(measured: a balanced, grouped run drifted from answering A to answering C, bench/RESULTS.md).
`sft.letter_loss_weight` = w makes the letter count w times in the loss: the trainer adds
(w - 1) x the letter's cross-entropy, normalised like the token average, so w = 1 is the plain loss.

The letter's logits come from the hidden state that the model's final norm hands to the LM head, taken
with a forward hook (TRL's fused LM head never builds the full logits), times the LM head: a few rows of
the head's work per batch.
"""
from __future__ import annotations

import contextlib
import math
import string
from typing import Iterator

from common import scoring
from common.errors import UserError

LETTERS = frozenset(string.ascii_uppercase[:10])  # option letters A-J
SEARCH = 2  # the letter is the completion's first token ("(B" merged) or its second ("(" then "B")


class LetterTokens:
    """Which token ids are an option letter, as decoded by the tokenizer (cached per id)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self._is_letter: dict[int, bool] = {}

    def __call__(self, token_id: int) -> bool:
        known = self._is_letter.get(token_id)
        if known is None:
            text = self.tokenizer.decode([token_id]).strip().lstrip("(").strip()
            known = self._is_letter[token_id] = text in LETTERS
        return known


def letter_positions(labels, is_letter: LetterTokens) -> tuple[list[int], list[int]]:
    """(rows, positions) of the answer letter in each row of a batch of labels (-100 outside the completion).

    A row whose completion does not begin with a letter in its first SEARCH tokens has none (skipped).
    """
    rows, positions = [], []
    for row, seq in enumerate(labels.tolist()):
        start = next((i for i, t in enumerate(seq) if t != -100), None)
        if start is None:
            continue
        for i in range(start, min(start + SEARCH, len(seq))):
            if seq[i] != -100 and is_letter(seq[i]):
                rows.append(row)
                positions.append(i)
                break
    return rows, positions


def unwrap(model):
    """The model inside DistributedDataParallel / DataParallel wrappers (what `accelerate launch` trains)."""
    while hasattr(model, "module") and not hasattr(model, "get_output_embeddings"):
        model = model.module
    return model


def final_norm(model):
    """The module whose output the LM head reads (the decoder's final norm), through DDP and PEFT wrappers."""
    model = unwrap(model)
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    decoder = base.get_decoder() if hasattr(base, "get_decoder") else getattr(base, "model", None)
    norm = getattr(decoder, "norm", None)
    if norm is None:
        raise UserError(f"sft.letter_loss_weight: {type(base).__name__} has no final norm to read the answer "
                         "letter's hidden state from; set sft.letter_loss_weight=1")
    return norm


@contextlib.contextmanager
def captured_hidden(model) -> Iterator[dict]:
    """While inside, the first output of the model's final norm is in the yielded dict under "hidden" (the
    training forward's; a later no-grad forward that recomputes logits for the caller leaves it alone)."""
    seen: dict = {}

    def keep(_module, _inputs, output):
        seen.setdefault("hidden", output[0] if isinstance(output, tuple) else output)

    handle = final_norm(model).register_forward_hook(keep)
    try:
        yield seen
    finally:
        handle.remove()


def letter_loss_sum(model, hidden, labels, is_letter: LetterTokens):
    """Sum over the batch of -log p(answer letter) at the position that predicts it, and how many letters."""
    import torch
    import torch.nn.functional as F

    rows, positions = letter_positions(labels, is_letter)
    if not rows:
        return hidden.new_zeros(()), 0
    rows_t = torch.tensor(rows, device=hidden.device)
    pos_t = torch.tensor(positions, device=hidden.device)
    logits = unwrap(model).get_output_embeddings()(hidden[rows_t, pos_t - 1]).float()
    return F.cross_entropy(logits, labels[rows_t, pos_t].to(logits.device), reduction="sum"), len(rows)


def metrics(model, tokenizer, records: list[dict], batch_size: int = 8) -> dict[str, float]:
    """The answer letter alone, scored on the validation questions as evaluate.py's loglik mode does (common/scoring.py).

    letter_loss: mean -log p(correct letter) over the whole vocabulary at the answer position (the one
    token of the completion that decides the answer; the whole-answer loss can fall while it rises);
    letter_acc: how often the correct letter has the highest probability among the options;
    letter_frac_<L>: the share of questions whose top option is L (a collapse onto one letter shows here).
    """
    scored = [r for r in records if r.get("options") and r.get("answer") in r["options"]]
    if not scored:
        return {}
    preds = scoring.predict(scoring.HFModel(model, tokenizer), scored, "loglik", batch_size=max(1, batch_size))
    losses, hits, counts = [], 0, {}
    for record, pred in zip(scored, preds):
        scores = pred["scores"]
        losses.append(-scores[record["answer"]])
        hits += pred["pred"] == record["answer"]
        counts[pred["pred"]] = counts.get(pred["pred"], 0) + 1
    n = len(scored)
    out = {"letter_loss": round(math.fsum(losses) / n, 4), "letter_acc": round(hits / n, 4)}
    letters = sorted({L for r in scored for L in r["options"]})
    out.update({f"letter_frac_{L}": round(counts.get(L, 0) / n, 4) for L in letters})
    out["letter_top_frac"] = round(max(counts.values()) / n, 4)
    return out
