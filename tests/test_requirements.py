"""The pins: every requirement file pins exact versions; the GPU set (Unsloth) is the CPU set with only the three
packages Unsloth caps held back, and pip resolves it as written.

The slow test asks pip to resolve requirements-gpu.txt (a dry run against the package registry, nothing
installed): it fails if Unsloth's metadata rules out a pinned version, which would make the documented GPU
install fail or silently swap transformers / TRL / datasets for others.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from training import sft

ROOT = Path(__file__).resolve().parent.parent
FILES = ["requirements.txt", "requirements-gpu.txt", "requirements-nodeps.txt", "requirements-converter.txt",
         "requirements-llama.txt"]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)$")


def pins(name: str) -> dict[str, str]:
    out = {}
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = PIN.match(line)
        assert m, f"{name}: {line!r} is not pinned with =="
        out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


CAPPED = {"transformers", "trl", "datasets"}  # what Unsloth holds back on the GPU path
GPU_ONLY = {"unsloth", "unsloth-zoo"}


def test_every_requirement_is_pinned_once():
    seen: dict[str, str] = {}
    for name in FILES:
        if name == "requirements-gpu.txt":  # a complete set of its own, compared below
            continue
        for pkg in pins(name):
            assert pkg not in seen, f"{pkg} is pinned in both {seen[pkg]} and {name}"
            seen[pkg] = name
    assert pins("requirements.txt")["torch"] == "2.13.0"  # the CPU build; a newer one pulls CUDA
    assert "unsloth" not in pins("requirements.txt")


def test_the_gpu_set_differs_from_the_cpu_pins_only_where_unsloth_caps_them():
    cpu, gpu = pins("requirements.txt"), pins("requirements-gpu.txt")
    assert set(gpu) == set(cpu) | GPU_ONLY
    differ = {pkg for pkg in cpu if gpu[pkg] != cpu[pkg]}
    assert differ <= CAPPED, f"the GPU set changes {sorted(differ - CAPPED)} too"
    assert gpu["torch"] == cpu["torch"] and gpu["unsloth"] == gpu["unsloth-zoo"]


@pytest.mark.slow
def test_the_gpu_set_resolves_to_its_own_pins(tmp_path):
    """pip resolves requirements-gpu.txt (Unsloth's metadata included) without changing one pinned version."""
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
           "--disable-pip-version-check", "--report", str(report), "-r", str(ROOT / "requirements-gpu.txt")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    offline = re.search(r"(?i)connection (refused|error)|network is unreachable|temporary failure in name", proc.stderr)
    if proc.returncode != 0 and offline:
        pytest.skip("the package registry is not reachable: " + offline.group(0))
    assert proc.returncode == 0, proc.stderr[-3000:]
    resolved = {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"].split("+")[0]
                for i in json.loads(report.read_text())["install"]}
    for pkg, version in pins("requirements-gpu.txt").items():
        assert resolved.get(pkg) == version, f"{pkg}: pinned {version}, pip resolves {resolved.get(pkg)}"



def test_sft_names_checkpointing_the_way_each_sets_trl_does():
    """TRL 1.16 (CPU set) calls it activation_checkpointing, TRL 1.15 (GPU set) gradient_checkpointing."""
    import dataclasses


    @dataclasses.dataclass
    class Trl115:
        gradient_checkpointing: bool = False

    @dataclasses.dataclass
    class Trl116(Trl115):
        activation_checkpointing: bool = False

    assert sft._checkpointing_field(Trl115) == "gradient_checkpointing"
    assert sft._checkpointing_field(Trl116) == "activation_checkpointing"
    from trl import SFTConfig

    args = sft.trainer_args(__import__("config").get_preset("tiny"), "hf", False, output_dir="/tmp/x")
    assert getattr(args, sft._checkpointing_field(SFTConfig)) is False  # the tiny preset turns it off
    assert dataclasses.is_dataclass(SFTConfig)
