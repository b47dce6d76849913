"""medllm.py and its chat_*.py modules: the conversation logic on a fake model (exact token budgets),
one-question modes and bad input in-process on the embedded GGUF, and the real program in a pseudo-terminal
(pexpect).

The embedded SmolLM2-135M (Q4_1) loads in about a second; answers are kept short (--max-tokens) and
seeded. `--threads 1` keeps llama.cpp from spin-waiting on a CPU shared with other work.
"""
from __future__ import annotations

import io
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import TURN_KEYS, sample_metadata

from chat import runtime as chat_runtime
from chat import session as chat_session
from common import cli
import config
import medllm
from common import modeling
from chat import safety, safety_rules

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED = modeling.embedded_gguf_path()
DISCLAIMER = config.DISCLAIMER
FAST = ["--model", "embedded", "--max-tokens", "16", "--seed", "1", "--threads", "1"]


# --------------------------------------------------------------------------- a fake model: exact budgets


# --------------------------------------------------------------------------- the real model, in-process


def run_main(argv, capsys):
    rc = cli.main_wrapper(medllm.main, argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_chat_template_token_count_is_exact():
    c = config.get_preset("tiny").chat
    c.threads = 1
    llm = chat_runtime.load_llm(EMBEDDED, c)
    try:
        s = chat_session.ChatSession(llm, c, EMBEDDED, system_prompt="Be brief.")
        s.history = [("Hi?", "Hello.")]
        chatml = ("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi?<|im_end|>\n<|im_start|>assistant\n"
                  "Hello.<|im_end|>\n<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n")
        assert s.count_tokens(s.messages("Q?")) == len(llm.tokenize(chatml.encode(), add_bos=False, special=True))
    finally:
        llm.close()


def test_ask_prints_plain_text_and_json_carries_the_same_answer(capsys, embedded_sha256):
    question = "What is the first-line drug for type 2 diabetes?"
    rc, plain, err = run_main(FAST + ["--ask", question], capsys)
    assert rc == 0, err
    assert plain.endswith(DISCLAIMER + "\n") and "\x1b[" not in plain and "EMERGENCY" not in plain
    rc, out, err = run_main(FAST + ["--ask", question, "--json"], capsys)
    assert rc == 0, err
    data = json.loads(out)
    assert set(data) == TURN_KEYS | {"model", "parameters"}
    assert data["answer"] + "\n" == plain  # same seed, same answer in both modes
    assert data["question"] == question and data["answer"] == data["response"].strip() + "\n\n" + DISCLAIMER
    assert 0 < data["tokens"] <= 16 and data["ttft_s"] > 0 and data["emergency"] is False
    assert (data["model"]["sha256"], data["model"]["quantization"]) == (embedded_sha256, "Q4_1")
    assert (data["parameters"]["max_tokens"], data["parameters"]["seed"]) == (16, 1)


def test_question_on_stdin_with_red_flags_gets_the_emergency_notice_first(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("My dad's face is drooping and his speech is slurred\n"))
    rc, out, err = run_main(FAST, capsys)
    assert rc == 0, err
    assert out.startswith("EMERGENCY: " + config.EMERGENCY_NOTICE + "\n\n")
    assert out.endswith(DISCLAIMER + "\n") and len(out) > len(config.EMERGENCY_NOTICE) + len(DISCLAIMER) + 20


@pytest.mark.parametrize("args", [["--ask", "-", "--json"], ["--json"]])
def test_json_answers_the_question_piped_on_stdin_through_the_real_cli(args, tmp_path, embedded_sha256):
    """`echo "question" | medllm.py --ask - --json` (or without --ask) prints one JSON object, nothing else."""
    question = "What is the antidote for paracetamol overdose?"
    proc = subprocess.run([sys.executable, str(ROOT / "medllm.py"), *FAST, *args], input=f"  {question}\n",
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # the whole of stdout is one object
    assert isinstance(data, dict) and data["question"] == question
    assert data["answer"] == data["response"].strip() + "\n\n" + DISCLAIMER and 0 < data["tokens"] <= 16
    assert (data["model"]["sha256"], data["parameters"]["seed"], data["emergency"]) == (embedded_sha256, 1, False)
    assert list(tmp_path.iterdir()) == []  # --json writes nothing


def test_ask_dash_reads_stdin_even_from_a_terminal(capsys, monkeypatch):
    terminal = _Terminal("Which vitamin deficiency causes scurvy?\n")
    monkeypatch.setattr(sys, "stdin", terminal)
    rc, out, err = run_main(FAST + ["--ask", "-"], capsys)
    assert rc == 0, err
    assert out.endswith(DISCLAIMER + "\n") and terminal.tell() == len(terminal.getvalue())  # it read all of it


@pytest.mark.parametrize(
    "stdin,expected",
    [
        (io.StringIO(""), "the question is empty"),
        (io.StringIO(" \n\t\n"), "the question is empty"),
        (io.TextIOWrapper(io.BytesIO(b"caf\xe9 au lait?"), encoding="utf-8"), "the question on stdin is not UTF-8 text"),
        (io.StringIO("x" * (medllm.STDIN_LIMIT + 1)), "the question on stdin is longer than 1,000,000 characters"),
    ],
)
def test_bad_stdin_is_one_line_and_exit_2(stdin, expected, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", stdin)
    rc, out, err = run_main(FAST + ["--ask", "-", "--json"], capsys)
    assert (rc, out) == (2, "") and err.startswith("error: ") and expected in err and err.count("\n") == 1, err


def test_trimming_on_the_real_model_at_a_small_n_ctx(capsys):
    c = config.get_preset("tiny").chat
    c.threads, c.n_ctx, c.max_tokens, c.seed = 1, 256, 8, 1
    llm = chat_runtime.load_llm(EMBEDDED, c)
    try:
        s = chat_session.ChatSession(llm, c, EMBEDDED)
        question = "A 54-year-old man has had crushing chest pain for an hour. " * 4 + "What is the next step?"
        turns = [s.ask(question) for _ in range(3)]  # ~75 tokens each: the third no longer fits with two before it
    finally:
        llm.close()
    assert [t["trimmed_turns"] for t in turns] == [0, 0, 1]
    assert turns[2]["prompt_tokens"] == turns[1]["prompt_tokens"]  # system + one past turn + the question
    assert all(t["prompt_tokens"] + t["max_tokens"] <= 256 and t["tokens"] > 0 for t in turns)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize(
    "argv,expected",
    [
        (["--ask", "x"], "no exported model at models/medllm_finetuning.gguf yet: run `python export_gguf.py`"),
        (["--model", "missing.gguf", "--ask", "x"], "model file not found: missing.gguf"),
        (["--model", "notes.gguf", "--ask", "x"], "notes.gguf is not a GGUF file"),
        (["--model", "broken.gguf", "--ask", "x"], "llama.cpp could not load broken.gguf"),
        (FAST + ["--n-ctx", "32", "--ask", "x"], "--n-ctx 32 is too small: the system prompt alone takes"),
        (FAST + ["--top-p", "0", "--ask", "x"], "--top-p must be in (0, 1] (got 0.0)"),
        (FAST + ["--ask", "   "], "the question is empty"),
        (FAST + ["--json"], "--json answers one question"),
        (FAST + ["--ask", "caf\udce9 au lait?"], "the question is not UTF-8 text"),  # argv bytes that were latin-1
        (FAST + ["--seed", str(2**32), "--ask", "x"], "--seed must be below 4294967296"),
        (FAST + ["--n-ctx", "100000000", "--ask", "x"], "could not make a 100000000-token context for"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    (tmp_path / "notes.gguf").write_text("these are my notes, not a model\n")
    (tmp_path / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x00" * 64)
    rc, out, err = run_main(argv, capsys)
    assert rc == 2
    assert err.startswith("error: ") and expected in err and err.count("\n") == 1, err
    assert "Traceback" not in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.gguf", "notes.gguf"]  # nothing written


# --------------------------------------------------------------------------- the real program in a terminal

PROMPT = "you ›"
ANSI = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"


def spawn(args, cwd, timeout=40):
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160", LINES="50")
    child = pexpect.spawn(sys.executable, [str(ROOT / "medllm.py"), *args], cwd=str(cwd), env=env,
                          encoding="utf-8", dimensions=(50, 160), timeout=timeout)
    child.logfile_read = io.StringIO()
    return child


def test_interactive_session(tmp_path, embedded_sha256):
    """One session as a person would use it: the default model path with its metadata JSON beside it."""
    models = tmp_path / "models"
    models.mkdir()
    gguf = models / "medllm_finetuning.gguf"
    gguf.symlink_to(EMBEDDED)
    meta = sample_metadata(gguf, embedded_sha256)
    (models / "medllm_finetuning.json").write_text(json.dumps(meta))
    (tmp_path / "afile").write_text("a file, not a folder")
    child = spawn(["--max-tokens", "48", "--seed", "1", "--threads", "1"], tmp_path)

    child.expect("MedLLM")  # the welcome: model, commands
    child.expect("medllm_finetuning.gguf")
    child.expect("save \\[path\\]")
    child.expect(PROMPT)

    child.sendline("What is the first-line drug for type 2 diabetes?")
    child.expect("MedLLM")
    child.expect(re.escape(DISCLAIMER[:60]))
    child.expect(r"first token [\d.]+ s · [\d.]+ tokens/s · \d+ tokens in [\d.]+ s")
    child.expect(PROMPT)

    child.sendline("info")
    for text in ("Q4_1", "134.5 M", embedded_sha256, "1 turn in the conversation", "1 question"):
        child.expect(re.escape(text))
    child.expect(PROMPT)

    child.sendline("/training")
    for text in ("0\\.875 agreement", "final_eval_loss", "reward_end", "models\\[ppo\\]\\.accuracy"):
        child.expect(text)
    child.expect(PROMPT)

    child.sendline("/sav")
    child.expect("Unknown command /sav.")
    child.expect("Did you mean /save")
    child.expect(PROMPT)

    child.sendline(f"save {tmp_path / 'afile' / 'session.json'}")  # a file where a folder should be
    child.expect("Could not save to")
    child.expect("still in memory")
    child.expect(PROMPT)

    child.sendline("Write a long essay about the history of medicine.")
    child.expect("MedLLM")
    child.expect(f"│{ANSI} +{ANSI}[A-Za-z(]")  # the first streamed words are on screen
    child.sendintr()
    child.expect(r"stopped with Ctrl\+C")
    child.expect(PROMPT)

    child.sendline("What is aspirin used for?")  # the model answers normally after a stopped answer
    child.expect(re.escape(config.DISCLAIMER_SHORT[:40]))  # the short form after the first answer, never none
    child.expect(PROMPT)

    child.sendline("clear")  # the stopped answer never joined the conversation
    child.expect(re.escape("Conversation cleared (2 turns forgotten)"))
    child.expect(PROMPT)

    child.sendline("save")
    child.expect("Saved 3 turns to")
    child.expect(PROMPT)
    child.sendline("quit")
    child.expect("Goodbye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    screen = child.logfile_read.getvalue()
    assert "Traceback" not in screen
    assert not re.search(r"llama_|ggml_|load_tensors|llm_load", screen)  # llama.cpp's log stays off screen

    [saved] = list((tmp_path / "logs" / "sessions").glob("session-*.json"))
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    data = json.loads(saved.read_text())
    assert data["model"]["name"] == "medllm_finetuning.gguf" and data["model"]["sha256"] == embedded_sha256
    assert data["system_prompt"] == meta["system_prompt"]  # the prompt the model was trained with
    assert (data["parameters"]["max_tokens"], data["parameters"]["seed"], data["parameters"]["threads"]) == (48, 1, 1)
    assert data["started_at"] <= data["ended_at"]
    first, stopped, after = data["turns"]
    assert set(first) == TURN_KEYS
    assert first["question"] == "What is the first-line drug for type 2 diabetes?"
    assert first["answer"].endswith(DISCLAIMER) and first["tokens"] > 0 and first["ttft_s"] > 0
    assert first["interrupted"] is False and first["asked_at"] <= first["answered_at"]
    assert stopped["question"].startswith("Write a long essay")
    assert (stopped["interrupted"], stopped["finish_reason"]) == (True, "interrupted")
    assert after["interrupted"] is False and after["tokens"] > 0 and after["conversation"] == 1


@pytest.mark.parametrize("key", ["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_at_the_prompt_exits_cleanly(key, tmp_path):
    child = spawn(["--model", "embedded", "--threads", "1"], tmp_path)
    child.expect(PROMPT)
    if key == "ctrl-c":
        child.sendintr()
        child.expect("Goodbye")
    else:  # a ^D typed before readline has put the terminal in its own mode can be lost: type it again
        for _ in range(5):
            child.sendeof()
            if child.expect(["Goodbye", pexpect.TIMEOUT], timeout=8) == 0:
                break
        else:
            pytest.fail("Ctrl+D at the prompt did not end the chat")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in child.logfile_read.getvalue()


@pytest.mark.slow
def test_interactive_emergency_notice_comes_before_the_answer_and_history_is_trimmed(tmp_path):
    child = spawn(["--model", "embedded", "--max-tokens", "24", "--seed", "1", "--threads", "1", "--n-ctx", "256"],
                  tmp_path)
    child.expect(PROMPT)
    child.sendline("My husband's face is drooping and his speech is slurred, what should I do?")
    child.expect("Possible emergency")
    child.expect(re.escape(config.EMERGENCY_NOTICE[:50]))
    child.expect("MedLLM")
    child.expect(re.escape(DISCLAIMER[:60]))
    child.expect(PROMPT)
    long_question = "A 60-year-old woman with diabetes has had a cough and fever for three days. " * 2
    for _ in range(4):
        child.sendline(long_question + "What is the most likely diagnosis?")
        index = child.expect([r"Context full: forgot the oldest \d+ turns?", PROMPT])
        if index == 0:
            break
    else:
        pytest.fail("the history was never trimmed at n_ctx 256")
    child.expect(PROMPT)
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# --------------------------------------------------------------------------- nothing lost: the chat never dies


def test_chat_refuses_an_export_whose_gguf_does_not_match(tmp_path, monkeypatch, capsys, embedded_sha256):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    gguf = tmp_path / "m.gguf"
    gguf.symlink_to(EMBEDDED)
    (tmp_path / "m.json").write_text(json.dumps({"sha256": "0" * 64, "size_bytes": EMBEDDED.stat().st_size}))
    rc, out, err = run_main(["--model", str(gguf), "--ask", "x", "--threads", "1"], capsys)
    assert rc == 2 and "does not match its metadata (sha256 differs)" in err and err.count("\n") == 1, err
    # with the right hash it is hashed once, then served from the cache keyed by size + mtime + inode
    (tmp_path / "m.json").write_text(json.dumps({"sha256": embedded_sha256}))
    chat_runtime.verify_export(gguf)
    cache = json.loads((tmp_path / "cache" / "medllm" / "gguf-sha256.json").read_text())
    assert list(cache.values()) == [embedded_sha256]


def test_metadata_whose_system_prompt_is_not_text_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    (tmp_path / "m.gguf").symlink_to(EMBEDDED)
    (tmp_path / "m.json").write_text(json.dumps({"system_prompt": ["not", "text"]}))
    rc, out, err = run_main(FAST + ["--model", "m.gguf", "--ask", "x"], capsys)
    assert rc == 2 and "the system_prompt in m.json is not text" in err and err.count("\n") == 1, err


def test_a_context_longer_than_the_training_one_is_one_note_line(capsys):
    rc, out, err = run_main(FAST + ["--n-ctx", "8448", "--max-tokens", "4", "--ask", "What is aspirin?"], capsys)
    assert rc == 0 and out.endswith(DISCLAIMER + "\n")
    assert err == "note: --n-ctx 8448 is more than the 8192 tokens SmolLM2-135M-Instruct.Q4_1.gguf was trained with; " \
                  "answers past that length may degrade\n"  # and none of llama.cpp's own log lines


def test_a_conversation_that_becomes_urgent_over_two_turns_gets_the_notice(tmp_path):
    """Typed into the real chat: the second message alone is harmless, with the first it is an emergency."""
    assert not safety.find_red_flags("What should I do now?", safety_rules.RED_FLAGS)
    child = spawn(["--model", "embedded", "--max-tokens", "8", "--seed", "1", "--threads", "1"], tmp_path)
    child.expect(PROMPT)
    child.sendline("What does the thyroid gland do?")
    child.expect(re.escape(DISCLAIMER[:60]))
    child.expect(PROMPT)
    before = child.logfile_read.getvalue()
    child.sendline("My husband suddenly can't lift his right arm and his words are coming out slurred")
    child.expect(re.escape(config.EMERGENCY_NOTICE[:40]))
    child.expect(PROMPT)
    child.sendline("What should I do now?")
    child.expect(re.escape(config.EMERGENCY_NOTICE[:40]))  # the last turns count, not only this message
    child.expect(re.escape(config.DISCLAIMER_SHORT[:40]))
    child.expect(PROMPT)
    child.sendline("quit")
    child.expect(pexpect.EOF)
    assert config.EMERGENCY_NOTICE[:40] not in before  # the educational first question got no notice
