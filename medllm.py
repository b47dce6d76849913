"""MedLLM chat: ask the fine-tuned medical model questions in your terminal, offline, on llama.cpp.

    python medllm.py                                 # chat with models/medllm_finetuning.gguf
    python medllm.py --model embedded                # chat with the embedded SmolLM2-135M base model
    python medllm.py --ask "What does metformin do?" # one answer, then exit (plain text when piped)
    echo "What does metformin do?" | python medllm.py --json    # the answer and its metadata as JSON

In the chat, commands work bare or with a slash: help, info, training, save [path], clear, quit / exit.
Ctrl+C stops an answer; Ctrl+C or Ctrl+D at the prompt leaves.

The prompt is the model's own chat template: the system prompt, the conversation so far and the new
question; the oldest turns are dropped when they no longer fit --n-ctx. Every answer ends with the
disclaimer, whatever the model wrote (a short form after the session's first answer). When the user's
words in the last three turns raise an emergency red flag (chat.red_flags in config.py, matched by
safety.py), the emergency notice comes before the answer; it never depends on the model's text.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

import cli
import llama_build
import safety
from cli import UserError

MIN_ROOM = 64  # tokens a question and its answer need beyond the system prompt
COMMANDS = {
    "help": "show this help",
    "info": "model file, size, quantization, parameters, context used, session statistics",
    "training": "how the model was trained (the export's metadata JSON)",
    "save [path]": "save the session as JSON (default: logs/sessions/)",
    "clear": "forget the conversation; the next question starts afresh",
    "quit / exit": "leave (also Ctrl+D, or Ctrl+C at the prompt)",
}
COMMAND_NAMES = ("help", "info", "training", "save", "clear", "quit", "exit")
# This script's own flags: ChatConfig field -> (type, help); --n-ctx sets chat.n_ctx and so on.
CHAT_FLAGS = {
    "n_gpu_layers": (int, "layers to offload to the GPU (-1 = all, 0 = CPU only)"),
    "n_ctx": (int, "context window in tokens; older turns are dropped to fit it"),
    "n_batch": (int, "prompt tokens evaluated per batch"),
    "threads": (int, "CPU threads (0 = let llama.cpp choose)"),
    "temperature": (float, "sampling temperature (0 = greedy)"),
    "top_p": (float, "nucleus sampling probability mass"),
    "top_k": (int, "sample from the k most likely tokens (0 = all)"),
    "repeat_penalty": (float, "penalty for repeated tokens (1 = none)"),
    "max_tokens": (int, "longest answer in tokens"),
}


# Terminal escape sequences (CSI, OSC, DCS/PM/APC strings, two-byte ESC sequences) and the other control
# characters (C0 but tab and newline, DEL, C1): typed or pasted text is stored and echoed without them.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"                        # CSI ... final byte (colours, cursor moves, clears)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"           # OSC ... BEL or ST (window titles, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"                  # DCS / SOS / PM / APC ... ST
    r"|\x1b[ -/]*[0-~]?"                               # other ESC sequences, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"                          # 8-bit CSI
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"                    # the remaining control characters
)
# Chat-template control tokens: <|im_start|>, <|eot_id|>, <|start_header_id|>, <s>, </s>, [INST], <<SYS>>,
# <start_of_turn>, ... Typed by a user they would be read as special tokens and could forge a system or
# assistant turn; a zero-width joiner after the first character keeps them visible but plain text.
_CONTROL_TOKENS = re.compile(
    r"<\|[^<>|\n]{0,40}\|>|<｜[^<>｜\n]{0,40}｜>|</?s>|\[/?INST\]|<</?SYS>>|\[/?(?:SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS)\]"
    r"|</?(?:bos|eos|unk|pad|start_of_turn|end_of_turn|eot|sep|cls|mask)>",
    re.IGNORECASE,
)
ZWJ = "\u2060"  # WORD JOINER: invisible, and no tokenizer's special-token match spans it
MAX_INPUT_CHARS = 100_000  # longer input is refused before it is tokenized


def clean_user_text(text: str) -> str:
    """User text without terminal escapes or control characters, and with chat control tokens neutralised."""
    text = _ESCAPES.sub("", text.replace("\r\n", "\n"))
    return _CONTROL_TOKENS.sub(lambda m: m.group(0)[0] + ZWJ + m.group(0)[1:], text)


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


# --------------------------------------------------------------------------- model files


def find_model(name: str, is_default: bool) -> Path:
    """The GGUF file to load: 'embedded', or a path (checked to exist and to be GGUF)."""
    import modeling

    if name == modeling.EMBEDDED:
        return modeling.embedded_gguf_path()
    path = Path(name).expanduser()
    if not path.exists():
        if is_default:
            raise UserError(
                f"no exported model at {path} yet: run `python export_gguf.py` to create it, "
                "or chat with the base model: `python medllm.py --model embedded`"
            )
        raise UserError(f"model file not found: {path} (pass a .gguf file, or --model embedded for the base model)")
    if path.is_dir():
        raise UserError(f"{path} is a folder: pass the .gguf file inside it, or --model embedded")
    return modeling.check_gguf(path)


# --------------------------------------------------------------------------- verified files


def _hash_cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "medllm" / "gguf-sha256.json"


def verified_sha256(path: Path) -> str:
    """The file's sha256, computed once per version of the file: cached under ~/.cache/medllm keyed by the
    resolved path, size, mtime and inode, so a file changed in place (even to the same size) is hashed again."""
    import modeling

    return modeling.cached_sha256(path, _hash_cache_file())


def verify_export(gguf: Path) -> None:
    """UserError when the GGUF, its metadata JSON or Modelfile do not match the export's manifest (or, for an
    export without one, when the GGUF's sha256 differs from its metadata's)."""
    import export_gguf
    import train_outputs

    fix = "the export was cut short or a file changed since: run `python export_gguf.py --force` again"
    manifest = export_gguf.manifest_path(gguf)
    expected = None
    if manifest.is_file():
        files = train_outputs.verify_manifest(manifest, [], fix)
        others = [name for name in files if name != gguf.name]
        train_outputs.verify_manifest(manifest, others, fix)
        entry = files.get(gguf.name)
        if not isinstance(entry, dict):
            raise UserError(f"{gguf} is not listed in {manifest}: {fix}")
        if gguf.stat().st_size != entry.get("size"):
            raise UserError(f"{gguf} does not match {manifest.name} (its size differs): {fix}")
        expected = entry.get("sha256")
    else:
        meta, _ = read_metadata(gguf)
        expected = (meta or {}).get("sha256")
    if expected and verified_sha256(gguf) != expected:
        raise UserError(f"{gguf} does not match its {'manifest' if manifest.is_file() else 'metadata'} "
                        f"(sha256 differs): {fix}")


def load_llm(path: Path, c) -> Any:
    """llama.cpp's model with the chat settings; its log output stays off the screen (verbose=False)."""
    llama_build.require_runnable()
    from llama_cpp import LLAMA_DEFAULT_SEED, Llama

    try:
        return Llama(
            model_path=str(path),
            n_ctx=c.n_ctx,
            n_batch=c.n_batch,
            n_gpu_layers=c.n_gpu_layers,
            n_threads=c.threads or None,  # both like llama-cli's -t: prompt and generation threads
            n_threads_batch=c.threads or None,
            seed=c.seed if c.seed >= 0 else LLAMA_DEFAULT_SEED,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        raise UserError(
            f"llama.cpp could not load {path} ({exc}); the file may be truncated or from a newer "
            "llama.cpp: export it again with export_gguf.py"
        ) from None


def read_metadata(gguf: Path) -> tuple[dict | None, str]:
    """(metadata, its path) from the JSON export_gguf.py writes beside the GGUF, or (None, why not)."""
    path = gguf.with_suffix(".json")
    if not path.is_file():
        return None, f"no training metadata: {path} does not exist (export_gguf.py writes it beside the model)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"the training metadata {path} cannot be read: {exc}"
    if not isinstance(data, dict):
        return None, f"the training metadata {path} is not a JSON object"
    return data, str(path)


def quantization_name(llm) -> str:
    """The GGUF's quantization (general.file_type) by its llama.cpp name, e.g. Q4_K_M."""
    import llama_cpp

    names = {
        getattr(llama_cpp, n): n.removeprefix("LLAMA_FTYPE_MOSTLY_").removeprefix("LLAMA_FTYPE_ALL_")
        for n in dir(llama_cpp)
        if n.startswith(("LLAMA_FTYPE_MOSTLY_", "LLAMA_FTYPE_ALL_"))
    }
    with contextlib.suppress(TypeError, ValueError):
        return names.get(int(llm.metadata.get("general.file_type", "")), "unknown")
    return "unknown"


# --------------------------------------------------------------------------- the conversation


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


class ChatSession:
    """The model, the conversation it sees, and the record of every turn (for save and --json)."""

    def __init__(self, llm, chat_cfg, model_path: Path, metadata: dict | None = None, system_prompt: str | None = None):
        self.llm, self.cfg, self.model_path, self.metadata = llm, chat_cfg, Path(model_path), metadata
        self.system_prompt = system_prompt or chat_cfg.system_prompt
        self.n_ctx = min(chat_cfg.n_ctx, llm.n_ctx())
        self.history: list[tuple[str, str]] = []  # (question, response) pairs the model sees
        self.turns: list[dict] = []  # every turn of the session, kept across `clear`
        self.conversation = 1
        self.started_at = now_iso()
        self._sha256: str | None = None
        self._formatter = self._chat_formatter()
        self.system_tokens = self.count_tokens([self._system()])
        if self.system_tokens + MIN_ROOM > self.n_ctx:
            need = self.system_tokens + max(MIN_ROOM, chat_cfg.max_tokens)
            suggest = -(-need // 256) * 256  # rounded up to a multiple of 256
            raise UserError(
                f"--n-ctx {self.n_ctx} is too small: the system prompt alone takes {self.system_tokens} tokens "
                f"and a question with its answer needs at least {MIN_ROOM} more; use --n-ctx {suggest} or more"
            )

    # -- prompt

    def _chat_formatter(self):
        """The GGUF's own chat template, rendered the way create_chat_completion renders it."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            return None

        def text(token: int) -> str:
            return self.llm.detokenize([token], special=True).decode("utf-8", "ignore") if token >= 0 else ""

        return Jinja2ChatFormatter(template, eos_token=text(self.llm.token_eos()), bos_token=text(self.llm.token_bos()))

    def count_tokens(self, messages: list[dict]) -> int:
        """Tokens of the rendered prompt (an estimate when the GGUF carries no chat template)."""
        if self._formatter is not None:
            prompt = self._formatter(messages=messages).prompt
            return len(self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True))
        return sum(len(self.llm.tokenize(m["content"].encode("utf-8"), add_bos=False)) + 8 for m in messages) + 8

    def _system(self) -> dict:
        return {"role": "system", "content": self.system_prompt}

    def messages(self, question: str | None = None, skip: int = 0) -> list[dict]:
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
        flags = safety.find_red_flags_in_conversation([q for q, _ in self.history] + [question],
                                                      self.cfg.red_flags, self.cfg.red_flag_exceptions)
        max_tokens = min(self.cfg.max_tokens, self.n_ctx - tokens)
        return Prepared(question, messages, flags, skip, tokens, max_tokens, started, asked_at)

    # -- generation

    def generate(self, prep: Prepared, on_text: Callable[[str], Any] | None = None) -> dict:
        """Stream the answer (on_text gets each piece), add the safety text, record the turn.

        Ctrl+C stops the answer: the turn is kept, marked interrupted, and left out of the history.
        """
        c = self.cfg
        pieces: list[str] = []
        first = last = None
        finish = None
        stream = None
        try:
            stream = self.llm.create_chat_completion(
                prep.messages,
                stream=True,
                max_tokens=prep.max_tokens,
                temperature=c.temperature,
                top_p=c.top_p,
                top_k=c.top_k,
                repeat_penalty=c.repeat_penalty,
                seed=c.seed if c.seed >= 0 else None,
            )
            for chunk in stream:
                choice = chunk["choices"][0]
                piece = choice["delta"].get("content")
                if piece:
                    last = time.perf_counter()
                    first = first or last
                    pieces.append(piece)
                    if on_text is not None:
                        on_text(piece)
                finish = choice.get("finish_reason") or finish
        except KeyboardInterrupt:
            finish = "interrupted"
        finally:
            if stream is not None:
                stream.close()
        ended = time.perf_counter()
        response = "".join(pieces)
        answer, added = safety.compose_answer(
            response,
            emergency=bool(prep.red_flags),
            emergency_notice=c.emergency_notice,
            disclaimer=c.disclaimer,
            first=not self.turns,
            short_disclaimer=c.disclaimer_short,
        )
        n = len(pieces)
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
            "ttft_s": round(first - prep.started, 4) if first else None,
            "total_s": round(ended - prep.started, 4),
            "tokens": n,
            "tokens_per_s": round((n - 1) / (last - first), 2) if n > 1 and last > first else None,
            "prompt_tokens": prep.prompt_tokens,
            "max_tokens": prep.max_tokens,
            "trimmed_turns": prep.trimmed,
            "finish_reason": finish,
            "interrupted": finish == "interrupted",
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

    # -- records

    def sha256(self) -> str:
        """The GGUF's sha256, hashed once per version of the file (verified_sha256)."""
        if self._sha256 is None:
            self._sha256 = verified_sha256(self.model_path)
        return self._sha256

    def quantization(self) -> str:
        return (self.metadata or {}).get("quantization") or quantization_name(self.llm)

    def model_record(self) -> dict:
        meta = self.metadata or {}
        return {
            "file": str(self.model_path.resolve()),
            "name": self.model_path.name,
            "size_bytes": self.model_path.stat().st_size,
            "sha256": self.sha256(),
            "quantization": self.quantization(),
            "base_model": meta.get("base_model"),
            "chat_format": self.llm.chat_format,
        }

    def parameters(self) -> dict:
        c = self.cfg
        keys = ("n_ctx", "n_batch", "n_gpu_layers", "threads", "temperature", "top_p", "top_k",
                "repeat_penalty", "max_tokens", "seed")
        return {k: getattr(c, k) for k in keys} | {"n_ctx_effective": self.n_ctx}

    def record(self) -> dict:
        import llama_cpp

        return {
            "format": "medllm-session/1",
            "model": self.model_record(),
            "parameters": self.parameters(),
            "system_prompt": self.system_prompt,
            "started_at": self.started_at,
            "ended_at": now_iso(),
            "versions": {"python": platform.python_version(), "llama_cpp_python": llama_cpp.__version__},
            "turns": self.turns,
        }

    def save_target(self, path: str | None = None) -> Path:
        """Where `save [path]` writes: path, a timestamped file in it when it is a folder, or in sessions_dir."""
        default_name = f"session-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        target = Path(path).expanduser() if path else Path(self.cfg.sessions_dir) / default_name
        if target.is_dir():
            target = target / default_name
        if not path or target.name == default_name:  # a default name is never taken: -2, -3, ...
            n = 2
            while target.exists():
                target = target.with_name(f"{default_name[:-5]}-{n}.json")
                n += 1
        return target

    def save(self, path: str | None = None, overwrite: bool = False) -> Path:
        """The session as JSON: temp file + rename, readable by the user only. An existing file is replaced only
        with overwrite=True (FileExistsError otherwise)."""
        if path is not None and "\0" in path:
            raise ValueError("the path contains a NUL character")
        target = self.save_target(path)
        sessions = Path(self.cfg.sessions_dir).expanduser().resolve()
        if not target.parent.is_dir() and target.parent.resolve() != sessions:  # only sessions_dir is created
            raise FileNotFoundError(2, "the folder does not exist (create it first, or save elsewhere)",
                                    str(target.parent))
        if (target.exists() or target.is_symlink()) and not overwrite:
            raise FileExistsError(17, "the file exists", str(target))
        return cli.atomic_write_json(target, self.record(), mode=0o600)

    def stats(self) -> dict:
        done = [t for t in self.turns if t["tokens_per_s"]]
        mean = lambda key: sum(t[key] for t in done) / len(done) if done else 0.0  # noqa: E731
        return {
            "questions": len(self.turns),
            "tokens": sum(t["tokens"] for t in self.turns),
            "tokens_per_s": mean("tokens_per_s"),
            "ttft_s": mean("ttft_s"),
            "emergencies": sum(t["emergency"] for t in self.turns),
        }


# --------------------------------------------------------------------------- the terminal


def parse_command(line: str) -> tuple[str, str] | None:
    """('save', 'a.json') for a command line; ('unknown', word) for an unknown /command; None for a question.

    Bare words are commands only when they stand alone ('clear', not 'clear fluid from the ear?'),
    and bare `save` takes one path-like argument.
    """
    text = line.strip()
    word, _, arg = text.lstrip("/").partition(" ")
    word, arg = word.lower(), arg.strip()
    if text.startswith("/"):
        return (word, arg) if word in COMMAND_NAMES else ("unknown", word)
    if word in COMMAND_NAMES and (not arg or (word == "save" and " " not in arg and ("/" in arg or "." in arg))):
        return word, arg
    return None


class TerminalChat:
    """The Rich interface: welcome, prompt, streamed answers in a panel, commands."""

    def __init__(self, session: ChatSession, console, metadata_note: str = ""):
        self.session, self.console, self.metadata_note = session, console, metadata_note

    # -- screens

    def welcome(self) -> None:
        s, c = self.session, self.session.cfg
        size = human_size(s.model_path.stat().st_size)
        head = Text.assemble(
            ("Model ", "bold"), f"{s.model_path.name}  ",
            (f"{s.quantization()} · {size} · context {s.n_ctx} tokens · temperature {c.temperature}", "dim"),
        )
        body = Group(
            head,
            Text("Ask a medical question, or type a command (bare or with a slash):"),
            self._commands_table(),
            Text("Answers are for education, not medical advice. In an emergency call your local emergency number.",
                 style="italic yellow"),
        )
        self.console.print(Panel(body, title="[bold cyan]MedLLM[/] · medical Q&A on your machine", border_style="cyan",
                                 title_align="left"))

    def _commands_table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold green", no_wrap=True)
        table.add_column()
        for name, what in COMMANDS.items():
            _row(table, name, what)
        return table

    def show_help(self) -> None:
        self.console.print(self._commands_table())
        self.console.print("[dim]Ctrl+C stops an answer. The conversation is kept until `clear`; the oldest turns are "
                           "dropped when the context is full.[/]")

    def show_info(self) -> None:
        s, c = self.session, self.session.cfg
        slow = s._sha256 is None and not (s.metadata or {}).get("sha256")
        with self.console.status("Computing the model's sha256...") if slow else contextlib.nullcontext():
            model = s.model_record()
        import llama_cpp

        n_params = llama_cpp.llama_model_n_params(s.llm.model)
        stats = s.stats()
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(overflow="fold")
        rows = [
            ("model file", model["file"]),
            ("size", f"{human_size(model['size_bytes'])} ({model['size_bytes']:,} bytes)"),
            ("quantization", model["quantization"]),
            ("parameters", f"{n_params / 1e6:,.1f} M ({s.llm.metadata.get('general.architecture', '?')})"),
            ("sha256", model["sha256"]),
            ("chat template", str(model["chat_format"])),
            ("context used", f"{s.context_used()} of {s.n_ctx} tokens "
                             f"({plural(len(s.history), 'turn')} in the conversation)"),
            ("settings", f"n_ctx {c.n_ctx} · n_batch {c.n_batch} · n_gpu_layers {c.n_gpu_layers} · threads "
                         f"{c.threads or 'auto'}"),
            ("sampling", f"temperature {c.temperature} · top_p {c.top_p} · top_k {c.top_k} · repeat_penalty "
                         f"{c.repeat_penalty} · max_tokens {c.max_tokens} · seed {c.seed}"),
            ("session", f"started {s.started_at} · {plural(stats['questions'], 'question')} · "
                        f"{plural(stats['tokens'], 'token')} · {stats['tokens_per_s']:.1f} tokens/s · first token "
                        f"{stats['ttft_s']:.2f} s · {plural(stats['emergencies'], 'emergency notice')}"),
            ("training metadata", self.metadata_note),
        ]
        for name, value in rows:
            _row(table, name, value)
        self.console.print(table)

    def show_training(self) -> None:
        meta = self.session.metadata
        if meta is None:
            self.console.print(Text(self.metadata_note, style="yellow"))
            return
        for table in training_tables(meta):
            self.console.print(table)

    def save(self, arg: str) -> None:
        try:
            target = self.session.save_target(arg or None)
            overwrite = False
            if target.exists() or target.is_symlink():
                if target.is_dir() or not target.is_file():
                    self.console.print(Text(f"{target} is not a file: nothing saved; try `save` with another path.",
                                            style="red"))
                    return
                reply = self.console.input(Text.assemble(f"{target} exists. Overwrite it? [y/N] ")).strip().lower()
                if reply not in ("y", "yes"):
                    self.console.print(f"Not saved; `save {Path(target).with_name('another-name.json')}` saves under "
                                       "another name.", markup=False)
                    return
                overwrite = True
            path = self.session.save(str(target), overwrite=overwrite)
        except (KeyboardInterrupt, EOFError):
            self.console.print("Not saved.")
            return
        except ValueError as exc:
            self.console.print(Text(f"Could not save to {arg!r}: {exc}. The session is still in memory.", style="red"))
            return
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.console.print(Text.assemble((f"Could not save to {exc.filename or arg}: {reason}.", "red"),
                                             " The session is still in memory: try `save` with another path."))
            return
        saved = plural(len(self.session.turns), "turn")
        self.console.print(Text.assemble(f"Saved {saved} to ", (str(path), "bold"), "."))

    # -- answers

    def answer(self, question: str) -> dict | None:
        """Ask, showing the emergency notice first, then the answer streaming in a panel and a stats line."""
        s = self.session
        try:
            prep = s.prepare(question)
        except UserError as exc:
            self.console.print(Text(str(exc), style="red"))
            return None
        if prep.red_flags:
            self.console.print(Panel(Text(s.cfg.emergency_notice, style="bold"), title="[bold]Possible emergency[/]",
                                     border_style="bold red", title_align="left"))
        if prep.trimmed:
            self.console.print(f"[yellow]Context full: forgot the oldest {plural(prep.trimmed, 'turn')} to fit "
                               f"{s.n_ctx} tokens.[/]")
        text = Text()
        panel = Panel(text, title="[bold cyan]MedLLM[/]", title_align="left", border_style="cyan")
        last_refresh = 0.0
        with Live(panel, console=self.console, auto_refresh=False, vertical_overflow="visible") as live:

            def on_text(piece: str) -> None:
                nonlocal last_refresh
                text.append(_ESCAPES.sub("", piece))  # the model's text cannot drive the terminal either
                now = time.perf_counter()
                if now - last_refresh > 0.08:  # ~12 frames/s: smooth, and cheap next to decoding
                    live.refresh()
                    last_refresh = now

            turn = s.generate(prep, on_text)
            if not turn["response"].strip():
                text.append("(no answer)", style="dim")
            if turn["interrupted"]:
                text.append(" [stopped]", style="yellow")
            if turn["disclaimer_added"]:
                text.append("\n\n" + (s.cfg.disclaimer if turn["n"] == 1 else s.cfg.disclaimer_short),
                            style="dim italic")
            live.refresh()
        self.console.print(Text(stats_line(turn), style="dim"))
        return turn

    # -- the loop

    def run(self) -> int:
        self.welcome()
        input_errors = 0
        while True:
            try:
                line = self.console.input("[bold cyan]you ›[/] ")
                input_errors = 0
            except (KeyboardInterrupt, EOFError):
                self.console.print("\nGoodbye.")
                return 0
            except Exception as exc:  # e.g. bytes that are not UTF-8: the line is lost, the chat is not
                input_errors += 1
                self.console.print(Text(f"Could not read that line ({type(exc).__name__}: {exc}); type it again.",
                                        style="red"))
                if input_errors >= 5:
                    raise UserError("the terminal input keeps failing; leaving") from None
                continue
            line = clean_user_text(line)
            if not line.strip():
                continue
            command = parse_command(line)
            try:
                if command is None:
                    self.answer(line.strip())
                elif not self.dispatch(*command):
                    self.console.print("Goodbye.")
                    return 0
            except KeyboardInterrupt:
                self.console.print("[yellow]Stopped.[/]")
            except Exception as exc:  # one command or one answer failed: say so in one line, keep the chat
                what = "answer" if command is None else command[0]
                self.console.print(Text(f"The {what} failed: {_one_line(exc)}. The conversation is kept; "
                                        "try again or type `help`.", style="red"))

    def dispatch(self, name: str, arg: str) -> bool:
        """Run a command; False means leave."""
        if name in ("quit", "exit"):
            return False
        if name == "help":
            self.show_help()
        elif name == "info":
            self.show_info()
        elif name == "training":
            self.show_training()
        elif name == "save":
            self.save(arg)
        elif name == "clear":
            dropped = self.session.clear()
            self.console.print(f"Conversation cleared ({plural(dropped, 'turn')} forgotten); the next question "
                               "starts afresh.")
        else:
            close = difflib.get_close_matches(arg, COMMAND_NAMES, n=1)
            hint = f" Did you mean /{close[0]}?" if close else ""
            self.console.print(Text.assemble((f"Unknown command /{arg}.", "yellow"), f"{hint} Type ", ("help", "bold"),
                                             " for the commands."))
        return True


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = _ESCAPES.sub("", text)
    return (text[:300] + "...") if len(text) > 300 else text


def stats_line(turn: dict) -> str:
    parts = []
    if turn["ttft_s"] is not None:
        parts.append(f"first token {turn['ttft_s']:.2f} s")
    if turn["tokens_per_s"] is not None:
        parts.append(f"{turn['tokens_per_s']:.1f} tokens/s")
    parts.append(f"{turn['tokens']} tokens in {turn['total_s']:.1f} s")
    if turn["interrupted"]:
        parts.append("stopped with Ctrl+C")
    elif turn["finish_reason"] == "length":
        parts.append("cut at --max-tokens")
    return " · ".join(parts)


def _row(table, *cells: Any) -> None:
    """A table row of plain text: values read from files may contain [brackets] that are not markup."""
    table.add_row(*(Text(str(c)) for c in cells))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _numbers(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Numeric leaves of nested JSON as (dotted path, value); list items named by their 'name' key."""
    if isinstance(obj, bool) or obj is None:
        return []
    if isinstance(obj, (int, float)):
        return [(prefix, obj)]
    out: list[tuple[str, Any]] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            out += _numbers(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            name = value.get("name", i) if isinstance(value, dict) else i
            out += _numbers(value, f"{prefix}[{name}]")
    return out


TRAINING_KEYS = {
    "sft": ("epochs", "max_steps", "learning_rate", "batch_size", "grad_accum", "lr_scheduler", "max_length"),
    "ppo": ("num_examples", "epochs", "learning_rate", "batch_size", "clip_eps", "kl_coef", "reward_correct",
            "reward_wrong"),
}


def training_tables(meta: dict) -> list:
    """Rich tables of the export metadata: model, SFT and PPO (presets, hyperparameters, summaries), evaluation."""
    def table(title: str) -> Table:
        t = Table(title=title, title_justify="left", title_style="bold cyan", show_header=False, box=None,
                  padding=(0, 2))
        t.add_column(style="bold", no_wrap=True)
        t.add_column(overflow="fold")
        return t

    model = table("Model")
    for key in ("base_model", "adapter", "quantization", "created", "model_file"):
        if meta.get(key) is not None:
            _row(model, key, _fmt(meta[key]))
    faith = meta.get("faithfulness")
    if isinstance(faith, dict) and "agreement" in faith:
        _row(model, "GGUF faithfulness",
             f"{_fmt(faith['agreement'])} agreement with the merged model on {faith.get('n', '?')} questions")
    tables = [model]
    for stage in ("sft", "ppo"):
        section = meta.get(stage)
        t = table(stage.upper())
        if not isinstance(section, dict):
            _row(t, "", "not run" if stage == "ppo" else "no record")
            tables.append(t)
            continue
        conf, summary = section.get("config") or {}, section.get("summary") or {}
        if conf.get("preset"):
            _row(t, "preset", str(conf["preset"]))
        lora = conf.get("lora") or {}
        if lora:
            _row(t, "LoRA", f"r {lora.get('r')} · alpha {lora.get('alpha')} · {_fmt(lora.get('target_modules', []))}")
        hyper = conf.get(stage) or {}
        for key in TRAINING_KEYS[stage]:
            if key in hyper:
                _row(t, key, _fmt(hyper[key]))
        for key, value in summary.items():
            if not isinstance(value, (dict, list)):
                _row(t, key, _fmt(value))
        tables.append(t)
    evaluation = table("Evaluation")
    rows = _numbers(meta.get("evaluation"))
    for key, value in rows[:30]:
        _row(evaluation, key, _fmt(value))
    if not rows:
        _row(evaluation, "", "no evaluation in the metadata (run evaluate.py --compare before exporting)")
    tables.append(evaluation)
    return tables


# --------------------------------------------------------------------------- one question, no chat


def answer_once(session: ChatSession, question: str, as_json: bool, metadata_note: str) -> int:
    """--ask / stdin: print one answer (styled in a terminal, plain when piped, or JSON) and exit."""
    if as_json:
        turn = session.ask(question)
        out = {**turn, "model": session.model_record(), "parameters": session.parameters()}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        turn = TerminalChat(session, Console(highlight=False), metadata_note).answer(question)
        if turn is None:
            return 2
    else:
        turn = session.ask(question)
        print(turn["answer"], flush=True)
        if sys.stderr.isatty():
            print(stats_line(turn), file=sys.stderr)
    return 130 if turn["interrupted"] else 0


# --------------------------------------------------------------------------- command line


def build_parser():
    parser = cli.make_parser("medllm.py", __doc__, "chat")
    for action in parser._actions:  # the shared --model help talks about training models
        if action.dest == "model":
            action.help = "GGUF file to chat with, or 'embedded' for the base model (default: chat.model)"
    group = parser.add_argument_group("model and sampling (defaults from the preset's chat section)")
    for name, (typ, text) in CHAT_FLAGS.items():
        group.add_argument("--" + name.replace("_", "-"), dest=name, type=typ, default=None, help=text,
                           metavar="N" if typ is int else "X")
    group = parser.add_argument_group("one question, no chat")
    group.add_argument("--ask", metavar="QUESTION", help="answer this question and exit (or pipe it on stdin)")
    group.add_argument("--json", action="store_true", help="print the answer as JSON with its metadata")
    group.add_argument("--show-config", action="store_true", help="print the resolved chat settings first")
    return parser


def check_settings(c) -> None:
    checks = [
        (c.n_ctx > 0, f"--n-ctx must be a positive number of tokens (got {c.n_ctx})"),
        (c.n_batch > 0, f"--n-batch must be positive (got {c.n_batch})"),
        (c.threads >= 0, f"--threads must be 0 (auto) or more (got {c.threads})"),
        (c.max_tokens > 0, f"--max-tokens must be positive (got {c.max_tokens})"),
        (c.temperature >= 0, f"--temperature must be 0 or more (got {c.temperature})"),
        (0 < c.top_p <= 1, f"--top-p must be in (0, 1] (got {c.top_p})"),
        (c.top_k >= 0, f"--top-k must be 0 (all) or more (got {c.top_k})"),
        (c.repeat_penalty > 0, f"--repeat-penalty must be positive (got {c.repeat_penalty})"),
    ]
    for ok, message in checks:
        if not ok:
            raise UserError(message)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cfg = cli.resolve_config(args, "chat")
    for name in CHAT_FLAGS:
        if getattr(args, name) is not None:
            cli.set_field(cfg, f"chat.{name}", getattr(args, name), from_text=False)
    chat_cfg = cfg.chat
    check_settings(chat_cfg)

    question = args.ask
    if question is None and not sys.stdin.isatty():
        question = sys.stdin.read()
    if question is not None and not question.strip():
        raise UserError("the question is empty: pass --ask \"...\" or pipe a question on stdin")
    if args.json and question is None:
        raise UserError("--json answers one question: pass --ask \"...\" or pipe the question on stdin")

    import colorama

    colorama.just_fix_windows_console()  # ANSI colours on old Windows terminals; a no-op elsewhere
    err = Console(stderr=True, highlight=False)
    if args.show_config:
        cli.show_config(cfg, "chat", err)
    path = find_model(chat_cfg.model, is_default=args.model is None)
    with err.status(f"Verifying {path.name}...", spinner="dots") if err.is_terminal else contextlib.nullcontext():
        verify_export(path)
    with err.status(f"Loading {path.name}...", spinner="dots") if err.is_terminal else contextlib.nullcontext():
        llm = load_llm(path, chat_cfg)
    try:
        metadata, note = read_metadata(path)
        # The exported model was trained with the metadata's system prompt; --set chat.system_prompt wins.
        system_override = any(o.split("=", 1)[0].strip() == "chat.system_prompt" for o in args.overrides)
        system_prompt = None if system_override else (metadata or {}).get("system_prompt")
        session = ChatSession(llm, chat_cfg, path, metadata, system_prompt)
        if question is not None:
            return answer_once(session, question.strip(), args.json, note)
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history at the prompt)
        return TerminalChat(session, Console(highlight=False), note).run()
    finally:
        with contextlib.suppress(Exception):
            llm.close()


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
