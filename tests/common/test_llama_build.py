"""The llama.cpp build: portable settings, a wheel key that never matches another CPU's native wheel, and the
self-check that runs the real prompt-processing path (>= 256 tokens, batch >= 64) in a subprocess."""
import json
import signal
import subprocess
import sys

import pytest
from pathlib import Path

from common import llama_build


def test_portable_flags_never_ask_for_native_or_vm_trap_instructions():
    for arch, flags in llama_build.PORTABLE_FLAGS.items():
        assert "-DGGML_NATIVE=OFF" in flags, arch
        assert not any(f.startswith(("-DGGML_AMX", "-DGGML_AVX512")) and f.endswith("=ON") for f in flags), arch
    x86 = llama_build.PORTABLE_FLAGS["x86_64"]
    assert "-DGGML_AVX2=ON" in x86 and "-DGGML_AMX_INT8=OFF" in x86 and "-DGGML_AVX512=OFF" in x86


def test_wheel_key_follows_settings_and_native_keys_name_the_cpu(monkeypatch):
    monkeypatch.delenv(llama_build.EXTRA_ENV, raising=False)
    portable = llama_build.wheel_key(native=False)
    assert portable.startswith("portable-") and portable == llama_build.wheel_key(native=False)
    monkeypatch.setenv(llama_build.EXTRA_ENV, "-DGGML_AVX512=ON")
    assert llama_build.wheel_key(native=False) != portable
    monkeypatch.delenv(llama_build.EXTRA_ENV)
    native = llama_build.wheel_key(native=True)
    monkeypatch.setattr(llama_build, "cpu_identity", lambda: "x86_64|Some Other CPU|avx2 amx_tile")
    assert native.startswith("native-") and llama_build.wheel_key(native=True) != native
    assert llama_build.wheel_key(native=False) == portable  # the portable wheel is the same on every CPU


def test_the_installed_build_processes_a_long_prompt_here():
    """The check setup runs: fails with the readable line when the build cannot run on this CPU."""
    ok, line = llama_build.self_check(n_prompt=300, n_batch=64, n_new=16)
    assert ok, line
    n_prompt = int(line.split(":")[1].split("-token")[0])
    assert n_prompt >= 300


def test_a_crashing_build_gives_one_line_with_the_cpu_and_the_fix(tmp_path):
    """A python whose llama.cpp dies of SIGILL mid-prompt: the check reports it instead of dying with it."""
    fake = tmp_path / "python"
    fake.write_text(f"#!/bin/sh\nkill -{signal.SIGILL.value} $$\n")
    fake.chmod(0o755)
    ok, line = llama_build.self_check(python=str(fake))
    assert not ok
    assert "Illegal instruction" in line and llama_build.cpu_name() in line and "make rebuild-llama" in line
    assert "\n" not in line


def test_require_runnable_checks_the_file_about_to_be_loaded_once_per_file_library_and_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(llama_build, "_verdict_file", lambda: tmp_path / "verdict.json")
    monkeypatch.setattr(llama_build, "_checked_in_process", set())
    monkeypatch.setattr(llama_build.modeling.sys, "prefix", str(tmp_path))  # the sha256 cache
    f16, q4 = tmp_path / "model-f16.gguf", tmp_path / "model-q4.gguf"
    f16.write_bytes(b"GGUF f16 tensors")
    q4.write_bytes(b"GGUF q4_k_m tensors")
    checked = []
    monkeypatch.setattr(llama_build, "self_check", lambda gguf=None: checked.append(Path(gguf).name) or (True, "ok"))
    llama_build.require_runnable(f16)
    monkeypatch.setattr(llama_build, "_checked_in_process", set())  # a new process: the cached verdict holds
    llama_build.require_runnable(f16)
    assert checked == ["model-f16.gguf"]  # the file itself was probed, once
    llama_build.require_runnable(q4)  # another file, other tensor types: probed too
    assert checked == ["model-f16.gguf", "model-q4.gguf"]
    f16.write_bytes(b"GGUF f16 tensors, re-exported")  # a new version of the file: probed again
    llama_build.require_runnable(f16)
    assert checked == ["model-f16.gguf", "model-q4.gguf", "model-f16.gguf"]
    assert len(json.loads((tmp_path / "verdict.json").read_text())) == 3
    # another CPU: checked again, and a failure on a file's kernels is a one-line UserError naming it
    monkeypatch.setattr(llama_build, "cpu_identity", lambda: "x86_64|Another CPU|avx2")
    monkeypatch.setattr(llama_build, "self_check", lambda gguf=None: (
        False, f"llama.cpp self-check failed on Another CPU (SIGILL) processing a 300-token prompt with {gguf.name}"))
    from common.errors import UserError

    with pytest.raises(UserError, match="self-check failed .* with model-q4.gguf"):
        llama_build.require_runnable(q4)


def test_the_callers_probe_the_file_they_load(tmp_path, monkeypatch):
    """Evaluation (GGUFModel), export (open_gguf) and the chat (load_llm) hand their own file to the check."""
    from chat import runtime
    from common import gguf, scoring
    from common.errors import UserError

    seen = []

    def refuse(path=None):
        seen.append(Path(path).name)
        raise UserError("refused")

    monkeypatch.setattr(llama_build, "require_runnable", refuse)
    model = tmp_path / "exported.gguf"
    model.write_bytes(b"GGUF" + bytes(64))
    for load in (lambda: scoring.GGUFModel(model), lambda: gguf.open_gguf(model, None, tmp_path / "log"),
                 lambda: runtime.load_llm(model, None)):
        with pytest.raises(UserError, match="refused"):
            load()
    assert seen == ["exported.gguf"] * 3


def test_flags_command_prints_the_settings():
    out = subprocess.run([sys.executable, "-m", "common.llama_build", "flags"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["key"] == llama_build.wheel_key() and "-DGGML_NATIVE=OFF" in data["cmake_args"]
