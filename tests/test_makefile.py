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
