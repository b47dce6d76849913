"""Scoring a model on one multiple-choice question: the job evaluation, export's faithfulness check and the
benches share.

A Scorer answers a batch of chats in two ways: `letter_logprobs` (the log-probability of each option letter
right after the answer prefix "(", lm-evaluation-harness style) and `generate` (the greedy answer text).
HFModel runs a Transformers model (with a PEFT adapter or not), GGUFModel a .gguf file through llama.cpp;
`load_model` picks one from the settings, `predict` turns records into one prediction each.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Protocol, Sequence

import config as config_mod
from common import llama_build
from common import mcq_format
from common import modeling
from common.errors import UserError

MODES = ("loglik", "generate")


def system_prompt_of(record: dict, default: str) -> str:
    """The record's own system turn (what the model was trained with), else the default."""
    messages = record.get("messages") or []
    if messages and messages[0].get("role") == "system" and messages[0].get("content"):
        return messages[0]["content"]
    return default


# --------------------------------------------------------------------------- models


class Scorer(Protocol):
    """What the evaluator needs from a model; tests plug in scripted fakes."""

    def letter_logprobs(self, chats: list[list[dict]], letters: list[list[str]]) -> list[dict[str, float]]:
        """For each chat, the log-probability of each option letter right after the answer prefix "("."""

    def generate(self, chats: list[list[dict]]) -> list[str]:
        """For each chat, the greedy answer text."""


def answer_prefix_ids(encode: Callable[[str], list[int]], prompt: str,
                      letters: Sequence[str]) -> tuple[list[int], dict[str, int]]:
    """The token ids to run (prompt + "(" up to where the letters begin) and each letter's token id there.

    Usually "(" is its own token and the letter the next one. A tokenizer that merges "(A" into one
    token (Llama 3's pre-tokenizer allows it) gives the prompt alone and the merged tokens; either way
    one position scores every option, with the tokens the model would produce in generation.
    """
    seqs = {L: encode(prompt + mcq_format.ANSWER_PREFIX + L) for L in letters}
    common = list(os.path.commonprefix(list(seqs.values())))
    if len(seqs) < 2 or any(len(s) != len(common) + 1 for s in seqs.values()):
        raise UserError("this tokenizer does not encode the option letters as one token each after '('; "
                        "log-likelihood mode cannot score it: use --mode generate")
    return common, {L: s[-1] for L, s in seqs.items()}


class HFModel:
    """A Transformers causal LM (optionally with a PEFT adapter) behind the Scorer calls."""

    backend = "transformers"

    def __init__(self, model, tokenizer, max_new_tokens: int = 48):
        self.model = model.eval()
        self.tok = tokenizer
        self.max_new_tokens = max_new_tokens
        if self.tok.pad_token_id is None:
            self.tok.pad_token = self.tok.eos_token

    def _template(self, chat: list[dict]) -> str:
        return self.tok.apply_chat_template(chat, add_generation_prompt=True, tokenize=False)

    def _encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False)  # the template already has its special tokens

    def _left_pad(self, rows: list[list[int]]):
        import torch

        width = max(len(r) for r in rows)
        pad = self.tok.pad_token_id
        ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=self.model.device)
        mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=self.model.device)
        return ids, mask

    def last_logprobs(self, rows: list[list[int]]):
        """Log-softmax of the next-token logits after each row (one batched forward, left padded)."""
        import torch

        ids, mask = self._left_pad(rows)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # padding must not shift the real tokens' positions
        with torch.inference_mode():
            out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=1)
        return torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)

    def letter_logprobs(self, chats, letters):
        return [scores for scores, _ in self.answer_distributions(chats, letters)]

    def answer_distributions(self, chats, letters):
        """For each chat: (letter log-probs, the whole next-token log-softmax as a numpy vector)."""
        prepared = [answer_prefix_ids(self._encode, self._template(c), ls) for c, ls in zip(chats, letters)]
        logp = self.last_logprobs([ids for ids, _ in prepared])
        return [({L: float(logp[i, t]) for L, t in token_of.items()}, logp[i].double().cpu().numpy())
                for i, (_, token_of) in enumerate(prepared)]

    def generate(self, chats):
        import torch
        from transformers import GenerationConfig

        ids, mask = self._left_pad([self._encode(self._template(c)) for c in chats])
        eos = getattr(self.model.generation_config, "eos_token_id", None) or self.tok.eos_token_id
        gen = GenerationConfig(do_sample=False, max_new_tokens=self.max_new_tokens,
                               pad_token_id=self.tok.pad_token_id, eos_token_id=eos)
        with torch.inference_mode():
            out = self.model.generate(input_ids=ids, attention_mask=mask, generation_config=gen)
        return [t.strip() for t in self.tok.batch_decode(out[:, ids.shape[1]:], skip_special_tokens=True)]

    def close(self) -> None:
        pass


class GGUFModel:
    """A .gguf file run by llama-cpp-python: chat completion for generate, raw logits for loglik."""

    backend = "llama.cpp"

    def __init__(self, path: str | os.PathLike, max_new_tokens: int = 48, n_ctx: int = 2048, seed: int = 42):
        path = modeling.check_gguf(Path(path).expanduser())
        try:
            import llama_cpp
        except ImportError as exc:
            raise UserError("llama-cpp-python is not installed; run `make setup`") from exc
        llama_build.require_runnable(path)
        try:
            self.llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, seed=seed, logits_all=False,
                                       n_threads=_cores(), verbose=False)
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UserError(f"{path} does not load in llama.cpp ({reason}); re-export it with export_gguf.py "
                            "or pass another .gguf file") from None
        self._llama_cpp = llama_cpp
        self.max_new_tokens = max_new_tokens
        self.seed = seed
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise UserError(f"{path} has no chat template in its metadata; export it with export_gguf.py")
        piece = lambda t: self.llm.detokenize([t], special=True).decode("utf-8", errors="ignore")  # noqa: E731
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self._format = Jinja2ChatFormatter(template=template, eos_token=piece(self.llm.token_eos()),
                                           bos_token=piece(self.llm.token_bos()))

    def _encode(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def letter_logprobs(self, chats, letters):
        return [scores for scores, _ in self.answer_distributions(chats, letters)]

    def answer_distributions(self, chats, letters):
        """For each chat: (letter log-probs, the whole next-token log-softmax as a numpy vector)."""
        import numpy as np

        out = []
        for chat, ls in zip(chats, letters):
            ids, token_of = answer_prefix_ids(self._encode, self._format(messages=chat).prompt, ls)
            if len(ids) >= self.llm.n_ctx():
                raise UserError(f"a prompt of {len(ids)} tokens does not fit the GGUF context; raise --set eval.n_ctx")
            # keep the KV cache of the prefix this prompt shares with the last one (the system turn)
            cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
            keep = min(len(os.path.commonprefix([cached, ids])), len(ids) - 1)
            self.llm.n_tokens = keep  # eval() drops the cache past n_tokens and appends from there
            self.llm.eval(ids[keep:])
            ptr = self._llama_cpp.llama_get_logits_ith(self.llm.ctx, -1)
            logits = np.ctypeslib.as_array(ptr, shape=(self.llm.n_vocab(),)).astype(np.float64)
            logp = logits - (logits.max() + np.log(np.exp(logits - logits.max()).sum()))
            out.append(({L: float(logp[t]) for L, t in token_of.items()}, logp))
        return out

    def generate(self, chats):
        texts = []
        for chat in chats:
            try:
                reply = self.llm.create_chat_completion(messages=chat, temperature=0.0,
                                                        max_tokens=self.max_new_tokens, seed=self.seed)
            except ValueError as exc:  # "Requested tokens (...) exceed context window of ..."
                raise UserError(f"llama.cpp: {exc}; raise --set eval.n_ctx") from None
            texts.append((reply["choices"][0]["message"]["content"] or "").strip())
        return texts

    def close(self) -> None:
        self.llm.close()


def _cores() -> int:
    """CPU cores this process may use (llama.cpp's own default takes half of them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def is_gguf_model(name: str) -> bool:
    path = Path(name).expanduser()
    return name.lower().endswith(".gguf") or (path.is_file() and modeling.is_gguf(path))


def load_model(cfg, adapter: str = "") -> Scorer:
    """The model of cfg.model.name (+ adapter) as a Scorer: llama.cpp for a .gguf, Transformers otherwise."""
    name = cfg.model.name
    if is_gguf_model(name):
        if adapter:
            raise UserError("--adapter cannot be applied to a .gguf model; export the adapter with export_gguf.py, "
                            "or pass the base model with --model")
        return GGUFModel(name, cfg.eval.max_new_tokens, cfg.eval.n_ctx, cfg.eval.seed)
    if adapter:
        model, tok, _ = modeling.load_with_adapter(cfg.model, adapter)
    else:
        model, tok, _ = modeling.load_base_model(cfg.model)
    return HFModel(model, tok, cfg.eval.max_new_tokens)


def attach_adapter(model, adapter_dir: str | os.PathLike, name: str):
    """Load a saved adapter onto an already loaded base (or PEFT) model and make it the active one."""
    from peft import PeftModel

    modeling.adapter_base_name(adapter_dir)  # a clear error when the folder holds no adapter
    base = model.get_base_model() if isinstance(model, PeftModel) else model
    modeling.check_adapter_matches(adapter_dir, base)
    if isinstance(model, PeftModel):
        model.load_adapter(str(adapter_dir), adapter_name=name)
        model.set_adapter(name)
        return model
    return PeftModel.from_pretrained(model, str(adapter_dir), adapter_name=name)


# --------------------------------------------------------------------------- predicting


def predict(scorer: Scorer, records: list[dict], mode: str, batch_size: int = 8, system_prompt: str = "",
            progress: Callable[[int], None] | None = None) -> list[dict]:
    """One prediction per record: {"pred": letter or None} plus "scores" (loglik) or "response" (generate).

    Questions are batched in order of length (less padding) and returned in their original order.
    """
    if mode not in MODES:
        raise UserError(f"unknown mode {mode!r}; use loglik, generate or both")
    default = system_prompt or config_mod.SYSTEM_PROMPT
    size = max(1, batch_size)
    order = sorted(range(len(records)), key=lambda i: len(mcq_format.user_message(records[i]["question"],
                                                                                   records[i]["options"])))
    out: list[dict] = [{} for _ in records]
    for start in range(0, len(order), size):
        idx = order[start:start + size]
        batch = [records[i] for i in idx]
        chats = [mcq_format.prompt_messages(r, system_prompt or system_prompt_of(r, default)) for r in batch]
        if mode == "loglik":
            for i, s in zip(idx, scorer.letter_logprobs(chats, [list(r["options"]) for r in batch])):
                out[i] = {"pred": max(s, key=s.get), "scores": {k: round(v, 4) for k, v in s.items()}}
        else:
            for i, r, text in zip(idx, batch, scorer.generate(chats)):
                out[i] = {"pred": mcq_format.extract_answer(text, r["options"]), "response": text}
        if progress:
            progress(len(batch))
    return out
