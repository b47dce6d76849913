"""The conversation: what the model sees, how a question becomes a prompt, and what an answer records.

A question is cleaned (chat/text.py), checked for red flags over the last user turns (chat/safety.py), and rendered
with the system prompt and the conversation so far in the GGUF's own chat template; the oldest turns are
dropped when the prompt and the longest answer no longer fit n_ctx. The answer streams from llama.cpp, gets
the disclaimer (and, for a red flag, the emergency notice first) from safety.compose_answer, and is recorded
as a turn. The session record and `save` are in chat/record.py.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Callable

from chat import safety, safety_rules
from chat.record import SessionRecord, now_iso
from chat.runtime import chat_formatter
from chat.text import clean_user_text
from common.errors import UserError

MIN_ROOM = 64  # tokens a question and its answer need beyond the system prompt
MAX_INPUT_CHARS = 100_000  # longer input is refused before it is tokenized


@dataclasses.dataclass
class Prepared:
    """A question ready to answer: the prompt messages and what the checks found."""

    question: str
    messages: list[dict]
    red_flags: list[str]
    trimmed: int  # oldest turns dropped to fit n_ctx
    prompt_tokens: int
    max_tokens: int
    started: float  # perf_counter when the question came in
    asked_at: str


@dataclasses.dataclass
class Streamed:
    """What llama.cpp sent for one answer."""

    pieces: list[str]
    first: float | None  # perf_counter at the first and the last piece of text
    last: float | None
    finish: str | None  # "stop", "length", or "interrupted" (Ctrl+C)
    ended: float


class ChatSession(SessionRecord):
    """The model, the conversation it sees, and the record of every turn (for save and --json)."""

    def __init__(self, llm, chat_cfg, model_path: Path, metadata: dict | None = None, system_prompt: str | None = None):
        self.llm, self.cfg, self.model_path, self.metadata = llm, chat_cfg, Path(model_path), metadata
        self.system_prompt = system_prompt or chat_cfg.system_prompt
        self.n_ctx = min(chat_cfg.n_ctx, llm.n_ctx())
        self.history: list[tuple[str, str]] = []  # (question, response) pairs the model sees
        self.turns: list[dict] = []  # every turn of the session, kept across `clear`
        self.conversation = 1
        self.started_at = now_iso()
        self._formatter = chat_formatter(llm)
        self.system_tokens = self.count_tokens([self._system()])
        if self.system_tokens + MIN_ROOM > self.n_ctx:
            need = self.system_tokens + max(MIN_ROOM, chat_cfg.max_tokens)
            suggest = -(-need // 256) * 256  # rounded up to a multiple of 256
            raise UserError(
                f"--n-ctx {self.n_ctx} is too small: the system prompt alone takes {self.system_tokens} tokens "
                f"and a question with its answer needs at least {MIN_ROOM} more; use --n-ctx {suggest} or more"
            )

    # -- the prompt

    def count_tokens(self, messages: list[dict]) -> int:
        """Tokens of the rendered prompt (an estimate when the GGUF carries no chat template)."""
        if self._formatter is not None:
            prompt = self._formatter(messages=messages).prompt
            return len(self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
        return sum(len(self.llm.tokenize(m["content"].encode("utf-8"), add_bos=False)) + 8 for m in messages) + 8

    def _system(self) -> dict:
        return {"role": "system", "content": self.system_prompt}

    def messages(self, question: str | None = None, skip: int = 0) -> list[dict]:
        """The system prompt, the conversation without its oldest `skip` turns, and the question."""
        out = [self._system()]
        for q, a in self.history[skip:]:
            out += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        if question is not None:
            out.append({"role": "user", "content": question})
        return out

    def context_used(self) -> int:
        return self.count_tokens(self.messages())

    def prepare(self, question: str) -> Prepared:
        """Check the question for red flags and build the prompt, dropping the oldest turns that do not fit."""
        started, asked_at = time.perf_counter(), now_iso()
        question = clean_user_text(question).strip()
        if not question:
            raise UserError("the question is empty once control characters are removed; type a question")
        if len(question) > MAX_INPUT_CHARS:
            raise UserError(f"the question is too long: {len(question):,} characters (at most {MAX_INPUT_CHARS:,}); "
                            "shorten it")
        skip, tokens = 0, self.count_tokens(self.messages(question))
        while tokens + self.cfg.max_tokens > self.n_ctx and skip < len(self.history):
            skip += 1
            tokens = self.count_tokens(self.messages(question, skip))
        if tokens >= self.n_ctx:
            raise UserError(
                f"the question is too long: with the system prompt it takes {tokens} tokens of the "
                f"{self.n_ctx}-token context; shorten it or raise --n-ctx"
            )
        messages = self.messages(question, skip)  # the history is trimmed once the answer is in (generate)
        # the user's last turns of this conversation too: a situation can become urgent over two messages
        flags = safety.find_red_flags_in_conversation(
            [q for q, _ in self.history] + [question], safety_rules.RED_FLAGS + list(self.cfg.extra_red_flags),
            safety_rules.RED_FLAG_EXCEPTIONS + list(self.cfg.extra_red_flag_exceptions))
        max_tokens = min(self.cfg.max_tokens, self.n_ctx - tokens)
        return Prepared(question, messages, flags, skip, tokens, max_tokens, started, asked_at)

    # -- the answer

    def _stream(self, prep: Prepared, on_text: Callable[[str], Any] | None) -> Streamed:
        """The answer from llama.cpp, piece by piece (on_text gets each); Ctrl+C ends it as 'interrupted'."""
        c = self.cfg
        out = Streamed([], None, None, None, 0.0)
        stream = None
        try:
            stream = self.llm.create_chat_completion(
                prep.messages, stream=True, max_tokens=prep.max_tokens, temperature=c.temperature, top_p=c.top_p,
                top_k=c.top_k, repeat_penalty=c.repeat_penalty, seed=c.seed if c.seed >= 0 else None,
            )
            for chunk in stream:
                choice = chunk["choices"][0]
                piece = choice["delta"].get("content")
                if piece:
                    out.last = time.perf_counter()
                    out.first = out.first or out.last
                    out.pieces.append(piece)
                    if on_text is not None:
                        on_text(piece)
                out.finish = choice.get("finish_reason") or out.finish
        except KeyboardInterrupt:
            out.finish = "interrupted"
        finally:
            if stream is not None:
                stream.close()
        out.ended = time.perf_counter()
        return out

    def generate(self, prep: Prepared, on_text: Callable[[str], Any] | None = None) -> dict:
        """Stream the answer (on_text gets each piece), add the safety text, record the turn.

        Ctrl+C stops the answer: the turn is kept, marked interrupted, and left out of the history.
        """
        c = self.cfg
        got = self._stream(prep, on_text)
        response = "".join(got.pieces)
        answer, added = safety.compose_answer(
            response, emergency=bool(prep.red_flags), emergency_notice=c.emergency_notice, disclaimer=c.disclaimer,
            first=not self.turns, short_disclaimer=c.disclaimer_short,
        )
        n = len(got.pieces)
        turn = {
            "n": len(self.turns) + 1,
            "conversation": self.conversation,
            "question": prep.question,
            "answer": answer,
            "response": response,
            "emergency": bool(prep.red_flags),
            "red_flags": prep.red_flags,
            "disclaimer_added": added,
            "asked_at": prep.asked_at,
            "answered_at": now_iso(),
            "ttft_s": round(got.first - prep.started, 4) if got.first else None,
            "total_s": round(got.ended - prep.started, 4),
            "tokens": n,
            "tokens_per_s": round((n - 1) / (got.last - got.first), 2) if n > 1 and got.last > got.first else None,
            "prompt_tokens": prep.prompt_tokens,
            "max_tokens": prep.max_tokens,
            "trimmed_turns": prep.trimmed,
            "finish_reason": got.finish,
            "interrupted": got.finish == "interrupted",
        }
        self.turns.append(turn)
        self.history = self.history[prep.trimmed:]
        if not turn["interrupted"]:
            self.history.append((prep.question, response))
        return turn

    def ask(self, question: str, on_text: Callable[[str], Any] | None = None) -> dict:
        return self.generate(self.prepare(question), on_text)

    def clear(self) -> int:
        """Forget the conversation the model sees (the turns stay in the session record)."""
        dropped = len(self.history)
        self.history = []
        self.conversation += 1
        return dropped
