"""The model file the chat runs: finding the GGUF, checking it against its export, loading it in llama.cpp.

* find_model: `--model embedded` or a path, checked to exist and to be a GGUF file.
* verify_export: the GGUF (by sha256, cached per version of the file under ~/.cache/medllm), its metadata
  JSON and Modelfile against the export's manifest, so a half-copied or edited export is refused at start.
* load_llm: llama.cpp's model with the chat settings, after llama_build's once-per-build self-check.
* chat_formatter / quantization_name: the GGUF's own chat template and type.
* read_metadata: what export_gguf.py wrote beside the model.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from common import llama_build, modeling
from common.errors import UserError
from common.gguf import manifest_path
from common.outputs import verify_manifest


def find_model(name: str, is_default: bool) -> Path:
    """The GGUF file to load: 'embedded', or a path (checked to exist and to be GGUF)."""
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


def _hash_cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "medllm" / "gguf-sha256.json"


def verified_sha256(path: Path) -> str:
    """The file's sha256, computed once per version of the file: cached under ~/.cache/medllm keyed by the
    resolved path, size, mtime and inode, so a file changed in place (even to the same size) is hashed again."""
    return modeling.cached_sha256(path, _hash_cache_file())


def verify_export(gguf: Path) -> None:
    """UserError when the GGUF, its metadata JSON or Modelfile do not match the export's manifest (or, for an
    export without one, when the GGUF's sha256 differs from its metadata's)."""
    fix = "the export was cut short or a file changed since: run `python export_gguf.py --force` again"
    manifest = manifest_path(gguf)
    expected = None
    if manifest.is_file():
        files = verify_manifest(manifest, [], fix)
        others = [name for name in files if name != gguf.name]
        verify_manifest(manifest, others, fix)
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


def _quiet():
    """Silence llama.cpp on stdout/stderr (file descriptors 1 and 2) while a model loads: with verbose=False
    llama-cpp-python still prints llama.cpp's warnings (e.g. a context longer than the training one)."""
    try:
        from llama_cpp._utils import suppress_stdout_stderr
    except ImportError:  # another llama-cpp-python layout: its own verbose=False is all there is
        return contextlib.nullcontext()
    return suppress_stdout_stderr(disable=False)


def load_llm(path: Path, c) -> Any:
    """llama.cpp's model with the chat settings; its log output stays off the screen. A context longer than the
    model was trained for works but answers may degrade: one note line on stderr says so."""
    llama_build.require_runnable(path)
    import llama_cpp
    from llama_cpp import LLAMA_DEFAULT_SEED, Llama

    try:
        with _quiet():
            llm = Llama(
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
        if "llama_context" in str(exc):  # the model loaded; its context (the KV cache for n_ctx tokens) did not
            raise UserError(
                f"llama.cpp could not make a {c.n_ctx}-token context for {path.name} ({exc}): lower --n-ctx "
                f"(the default is {type(c)().n_ctx}) or --n-batch"
            ) from None
        raise UserError(
            f"llama.cpp could not load {path} ({exc}); the file may be truncated or from a newer "
            "llama.cpp: export it again with export_gguf.py"
        ) from None
    trained = llama_cpp.llama_model_n_ctx_train(llm.model)
    if 0 < trained < c.n_ctx:
        print(f"note: --n-ctx {c.n_ctx} is more than the {trained} tokens {path.name} was trained with; answers "
              "past that length may degrade", file=sys.stderr)
    return llm


def chat_formatter(llm):
    """The GGUF's own chat template, rendered the way create_chat_completion renders it (None without one)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None

    def text(token: int) -> str:
        return llm.detokenize([token], special=True).decode("utf-8", "ignore") if token >= 0 else ""

    return Jinja2ChatFormatter(template, eos_token=text(llm.token_eos()), bos_token=text(llm.token_bos()))


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
