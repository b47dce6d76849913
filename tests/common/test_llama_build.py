"""The llama.cpp build: portable settings, a wheel key that never matches another CPU's native wheel, and the
self-check that runs the real prompt-processing path (>= 256 tokens, batch >= 64) in a subprocess."""
import json
import signal
import subprocess
import sys

import pytest

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


def test_require_runnable_caches_its_verdict_per_library_and_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(llama_build, "_verdict_file", lambda: tmp_path / "verdict.json")
    monkeypatch.setattr(llama_build, "_checked_in_process", False)
    calls = []
    monkeypatch.setattr(llama_build, "self_check", lambda: calls.append(1) or (True, "ok"))
    llama_build.require_runnable()
    monkeypatch.setattr(llama_build, "_checked_in_process", False)
    llama_build.require_runnable()
    assert calls == [1]
    assert list(json.loads((tmp_path / "verdict.json").read_text()).values()) == [True]
    # another CPU: checked again, and a failure is a one-line UserError
    monkeypatch.setattr(llama_build, "_checked_in_process", False)
    monkeypatch.setattr(llama_build, "cpu_identity", lambda: "x86_64|Another CPU|avx2")
    monkeypatch.setattr(llama_build, "self_check", lambda: (False, "llama.cpp self-check failed on Another CPU"))
    from common.errors import UserError

    with pytest.raises(UserError, match="self-check failed"):
        llama_build.require_runnable()


def test_flags_command_prints_the_settings():
    out = subprocess.run([sys.executable, "-m", "common.llama_build", "flags"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["key"] == llama_build.wheel_key() and "-DGGML_NATIVE=OFF" in data["cmake_args"]
