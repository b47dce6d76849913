"""The record of a chat session: the model it ran, its settings, every turn; saved as JSON by `save`.

SessionRecord is the part of ChatSession (chat/session.py) that describes the session rather than holding the
conversation. It reads the session's attributes: llm, cfg (the chat settings), model_path, metadata (the
export's JSON or None), system_prompt, n_ctx, started_at and turns (every turn, kept across `clear`).

A saved session ("format": "medllm-session/1") is written to a temporary file and renamed, readable by the
user only; an existing file is replaced only when asked, and only the default sessions folder is created.
"""
from __future__ import annotations

import datetime as dt
import platform
from pathlib import Path

from common import cli
from chat.runtime import quantization_name, verified_sha256

SESSION_FORMAT = "medllm-session/1"
PARAMETER_KEYS = ("n_ctx", "n_batch", "n_gpu_layers", "threads", "temperature", "top_p", "top_k", "repeat_penalty",
                  "max_tokens", "seed")


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class SessionRecord:
    """model_record, parameters, stats, record and save of a ChatSession."""

    _sha256: str | None = None

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
        return {k: getattr(self.cfg, k) for k in PARAMETER_KEYS} | {"n_ctx_effective": self.n_ctx}

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

    def record(self) -> dict:
        import llama_cpp

        return {
            "format": SESSION_FORMAT,
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
        if target.parent.exists() and not target.parent.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder", str(target.parent))
        if not target.parent.is_dir() and target.parent.resolve() != sessions:  # only sessions_dir is created
            raise FileNotFoundError(2, "the folder does not exist (create it first, or save elsewhere)",
                                    str(target.parent))
        if (target.exists() or target.is_symlink()) and not overwrite:
            raise FileExistsError(17, "the file exists", str(target))
        return cli.atomic_write_json(target, self.record(), mode=0o600)
