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
                "llama_build.py"]
# The demo's file targets in the order they are built, each with the sources it depends on.
DEMO_STAGES = [
    ("data/processed/train.jsonl", ["data/sample/medqa.jsonl", "data/sample/medmcqa.jsonl", "data_processor.py",
                                    "mcq_format.py"], "data_processor.py"),
    ("models/sft/train_summary.json", ["train_sft.py", "answer_letter.py", "config.py"], "train_sft.py"),
    ("models/ppo/train_summary.json", ["train_ppo.py", "ppo_core.py", "ppo_learner.py"], "train_ppo.py"),
    ("logs/eval/compare.json", ["evaluate.py", "scoring.py"], "evaluate.py --preset tiny --compare"),
    ("models/medllm_finetuning.gguf", ["export_gguf.py"], "export_gguf.py"),
]


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
    assert any("pip install" in c for c in installs) and "llama_build.py build" in installs
    assert "llama_build.py check" in installs and (fake_project / ".venv" / ".installed").is_file()

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
    assert dry.returncode == 0 and "pip" not in dry.stdout and "llama_build.py" not in dry.stdout, dry.stdout
    assert subprocess.run(["make", "-q", "setup"], cwd=repo_root, timeout=60).returncode == 0


def _demo_tree(tree: Path) -> None:
    """Every demo output newer than its inputs, as a finished `make demo` leaves them."""
    when = 2_000_000
    _touch(tree / ".venv" / ".installed", when)
    for target, sources, _ in DEMO_STAGES:
        for source in sources:
            if not (tree / source).exists():
                _touch(tree / source, 1_000_000)
        when += 100
        _touch(tree / target, when)


def test_a_second_make_demo_runs_only_the_chat_answer(fake_project):
    _demo_tree(fake_project)
    dry = make_run(fake_project, "-n", "demo")
    assert dry.returncode == 0, dry.stderr
    assert "medllm.py --preset tiny --ask" in dry.stdout
    for _, _, command in DEMO_STAGES:
        assert command not in dry.stdout, command  # no stage runs again
    assert "pip install" not in dry.stdout
    for target, _, _ in DEMO_STAGES:
        assert make_run(fake_project, "-q", target).returncode == 0, target


@pytest.mark.parametrize("changed, source", [(1, "train_sft.py"), (1, "config.py"), (1, "answer_letter.py"),
                                             (2, "ppo_learner.py"), (3, "evaluate.py")])
def test_make_demo_reruns_a_changed_stage_and_the_ones_after_it(fake_project, changed, source):
    """An edited source (config.py: a changed preset) reruns its stage and every stage after it."""
    import time

    _demo_tree(fake_project)
    _touch(fake_project / source, time.time() + 10)
    dry = make_run(fake_project, "-n", "demo")
    assert dry.returncode == 0, dry.stderr
    for i, (_, _, command) in enumerate(DEMO_STAGES):
        assert (command in dry.stdout) == (i >= changed), (command, dry.stdout)
