"""make clean / make distclean on a copy of the Makefile: what is rebuilt goes, what is not stays."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

REBUILDABLE = [
    "data/processed/train.jsonl", "data/processed/stats.json", "models/sft/adapter_model.safetensors",
    "models/ppo/train_summary.json", "models/base/embedded/model.safetensors", "models/medllm_finetuning.gguf",
    "models/medllm_finetuning.json", "models/Modelfile", "models/.sft.partial/checkpoints/x", "logs/eval/compare.json",
    "wandb/run/x", "pkg/__pycache__/m.pyc",
]
KEPT_BY_CLEAN = ["logs/sessions/session-1.json", "logs/sft/metrics.jsonl", "logs/ppo/metrics.jsonl",
                 "logs/export.log", "logs/.partial/sft/metrics.jsonl"]
ALWAYS_KEPT = ["data/sample/medqa.jsonl", ".venv/lib/__pycache__/x.pyc", "notes.txt"]


@pytest.fixture
def tree(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for name in REBUILDABLE + KEPT_BY_CLEAN + ALWAYS_KEPT:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    return tmp_path


def make(tree, target):
    subprocess.run(["make", "-s", target], cwd=tree, check=True, capture_output=True, timeout=60)


def test_clean_keeps_sessions_and_run_logs(tree):
    make(tree, "clean")
    assert [n for n in REBUILDABLE if (tree / n).exists()] == []
    assert all((tree / n).is_file() for n in KEPT_BY_CLEAN + ALWAYS_KEPT)
    assert (tree / "models" / ".gitkeep").exists() and (tree / "logs" / ".gitkeep").exists()


def test_distclean_removes_them_too(tree):
    make(tree, "distclean")
    assert [n for n in REBUILDABLE + KEPT_BY_CLEAN if (tree / n).exists()] == []
    assert all((tree / n).is_file() for n in ALWAYS_KEPT) and (tree / "logs" / ".gitkeep").exists()


# --------------------------------------------------------------------------- a second run does nothing

SETUP_INPUTS = ["requirements.txt", "requirements-nodeps.txt", "requirements-converter.txt", "requirements-llama.txt",
                "common/llama_build.py"]
# The demo's file targets in the order they are built, each with the command that builds it.
DEMO_STAGES = [
    ("data/processed/train.jsonl", "data_processor.py"),
    ("models/sft/train_summary.json", "train_sft.py"),
    ("models/ppo/train_summary.json", "train_ppo.py"),
    ("logs/eval/base.json", "evaluate.py --preset tiny --plots logs/sft"),
    ("models/medllm_finetuning.gguf", "export_gguf.py"),
    ("logs/eval/compare.json", "evaluate.py --preset tiny --compare"),
]
SOURCES = ["config.py", "data_processor.py", "train_sft.py", "train_ppo.py", "evaluate.py", "export_gguf.py", "medllm.py",
           "data/sample/medqa.jsonl", "data/sample/medmcqa.jsonl"]


def _touch(path: Path, when: float) -> None:
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (when, when))


@pytest.fixture
def fake_project(tmp_path):
    """The Makefile with a fake .venv/bin/python that records its arguments instead of installing anything."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    # the project's code, which the Makefile reads for each stage's dependencies (common/deps.py)
    for path in SOURCES + [str(p.relative_to(ROOT)) for pkg in ("common", "training", "chat")
                           for p in (ROOT / pkg).glob("*.py")]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
        _touch(tmp_path / path, 1_000_000)
    for name in SETUP_INPUTS:
        _touch(tmp_path / name, 1_000_000)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "$*" >> "{tmp_path}/calls.log"\n')
    python.chmod(0o755)
    return tmp_path


def make_run(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=tree, capture_output=True, text=True, timeout=60)


def calls(tree: Path) -> list[str]:
    log = tree / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_a_second_make_setup_installs_nothing(fake_project):
    first = make_run(fake_project, "setup")
    assert first.returncode == 0, first.stderr
    installs = calls(fake_project)
    assert any("pip install" in c for c in installs) and "-m common.llama_build build" in installs
    assert "-m common.llama_build check" in installs and (fake_project / ".venv" / ".installed").is_file()

    second = make_run(fake_project, "setup")
    assert second.returncode == 0 and calls(fake_project) == installs  # nothing ran a second time
    assert "pip" not in second.stdout and make_run(fake_project, "-q", "setup").returncode == 0

    import time

    _touch(fake_project / "requirements.txt", time.time() + 10)  # a changed pin: setup runs again
    assert make_run(fake_project, "-q", "setup").returncode != 0
    assert make_run(fake_project, "setup").returncode == 0 and len(calls(fake_project)) > len(installs)


def test_the_real_setup_stamp_is_current_so_make_setup_returns_at_once(repo_root):
    """After `make setup` (which `make test` runs first), a second `make setup` has nothing to do."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    if not (repo_root / ".venv" / ".installed").is_file():
        pytest.skip("make setup has not finished here")
    dry = subprocess.run(["make", "-n", "setup"], cwd=repo_root, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0 and "pip" not in dry.stdout and "llama_build" not in dry.stdout, dry.stdout
    assert subprocess.run(["make", "-q", "setup"], cwd=repo_root, timeout=60).returncode == 0


def _demo_tree(tree: Path) -> None:
    """Every demo output newer than its inputs, as a finished `make demo` leaves them."""
    when = 2_000_000
    _touch(tree / ".venv" / ".installed", when)
    for target, _ in DEMO_STAGES:
        when += 100
        _touch(tree / target, when)


def test_a_second_make_demo_runs_only_the_chat_answer(fake_project):
    _demo_tree(fake_project)
    dry = make_run(fake_project, "-n", "demo")
    assert dry.returncode == 0, dry.stderr
    assert "medllm.py --preset tiny --ask" in dry.stdout
    for _, command in DEMO_STAGES:
        assert command not in dry.stdout, command  # no stage runs again
    assert "pip install" not in dry.stdout
    for target, _ in DEMO_STAGES:
        assert make_run(fake_project, "-q", target).returncode == 0, target


@pytest.mark.parametrize("changed, source", [
    (0, "config.py"), (0, "common/questions.py"), (1, "train_sft.py"), (1, "training/letter_loss.py"),
    (2, "training/ppo_learner.py"), (3, "evaluate.py"), (3, "common/metrics.py"), (4, "common/faithfulness.py"),
    (4, "common/gguf.py"), (6, "chat/safety_rules.py")])
def test_make_demo_reruns_a_changed_stage_and_the_ones_after_it(fake_project, changed, source):
    """An edited source reruns the first stage whose code imports it and every stage after it; nothing before.
    (config.py: a changed preset reruns everything; the chat's code reruns no stage, only the final answer.)"""
    import time

    _demo_tree(fake_project)
    _touch(fake_project / source, time.time() + 10)
    dry = make_run(fake_project, "-n", "demo")
    assert dry.returncode == 0, dry.stderr
    for i, (_, command) in enumerate(DEMO_STAGES):
        assert (command in dry.stdout) == (i >= changed), (command, dry.stdout)
