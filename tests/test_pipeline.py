"""The whole pipeline on a very small slice, and the README's commands.

The slow test runs every stage as a user would (the real scripts, their default paths, the embedded
model) in a scratch folder and checks every artefact: splits, both adapters, metrics.jsonl files, eval
JSON, plots, GGUF, metadata, Modelfile and a chat answer.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[tuple[str, list[str]]]:
    """(script, args) for every `python <script>.py ...` line in the README's code blocks."""
    text = (ROOT / "README.md").read_text()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            m = re.search(r"(?:^|\s)(?:\.venv/bin/)?python\s+([\w]+\.py)(.*)$", line)
            if m:
                commands.append((m.group(1), shlex.split(m.group(2))))
    return commands


def test_readme_commands_use_real_scripts_and_flags():
    """Each README command names a script that exists and only flags its --help lists."""
    commands = readme_commands()
    assert len(commands) >= 10
    helps: dict[str, str] = {}
    for script, args in commands:
        assert (ROOT / script).is_file(), script
        if script not in helps:
            proc = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True, text=True,
                                  timeout=120)
            assert proc.returncode == 0, proc.stderr
            helps[script] = proc.stdout
        for flag in (a.split("=")[0] for a in args if a.startswith("--")):
            assert flag in helps[script], f"README: {script} has no flag {flag}"


def test_makefile_targets_the_readme_names(repo_root):
    makefile = (repo_root / "Makefile").read_text()
    for target in ("setup", "test", "test-all", "demo", "bench", "clean"):
        assert re.search(rf"^{re.escape(target)}:", makefile, re.M), target
    ci = [line.strip() for line in (repo_root / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith("#")]
    assert "make test" in ci and ci[-1].endswith("make test-slow")  # the README's command, then the slow tests


def run(workdir: Path, *args: str, timeout: int = 600) -> str:
    env = dict(os.environ, WANDB_MODE="disabled", HF_HUB_OFFLINE="1", PYTHONPATH=str(workdir))
    proc = subprocess.run([sys.executable, *args], cwd=workdir, capture_output=True, text=True, env=env,
                          timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc.stdout


@pytest.mark.slow
def test_whole_pipeline_on_a_small_slice(tmp_path):
    from common import modeling

    modeling.resolve_model("embedded", ROOT / "models" / "base")  # convert once, shared with the scratch folder
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "models").mkdir()
    for name in [*ROOT.glob("*.py"), ROOT / "common", ROOT / "training", ROOT / "chat"]:
        (work / name.name).symlink_to(name)
    (work / "data" / "sample").symlink_to(ROOT / "data" / "sample")
    (work / "models" / "base").symlink_to(ROOT / "models" / "base")
    (work / ".venv").symlink_to(ROOT / ".venv")

    run(work, "data_processor.py", "--max-samples", "40")
    run(work, "train_sft.py", "--max-steps", "2", "--max-samples", "8", "--set", "sft.eval_max_samples=4")
    run(work, "train_ppo.py", "--max-steps", "1", "--set", "ppo.num_examples=4", "--set", "ppo.max_new_tokens=8")
    run(work, "evaluate.py", "--compare", "--max-samples", "3", "--set", "eval.max_new_tokens=16")
    run(work, "evaluate.py", "--plots", "logs/sft")
    run(work, "evaluate.py", "--plots", "logs/ppo")
    run(work, "export_gguf.py", "--set", "export.faithfulness_questions=2")
    answer = run(work, "medllm.py", "--ask", "Which vitamin deficiency causes scurvy? A) Vitamin A B) Vitamin C",
                 "--max-tokens", "16", "--threads", "1", "--seed", "1")

    check_pipeline_outputs(work, answer)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def assert_run_charts(run_dir: Path, records: list[dict], core: set[str]) -> None:
    """`evaluate.py --plots` drew one chart per charted metric the run logged with numbers, the core ones too."""
    import math

    from common import plots

    def number(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)

    logged = {k for r in records if number(r.get("step")) for k, v in r.items() if number(v)}
    expected = {f"{name}.png" for name, _, _, series in plots.RUN_CHARTS
                if logged & {k for _, keys in series for k in keys}}
    charts = {p.name for p in (run_dir / "plots").glob("*.png")}
    assert charts == expected and core <= charts, (sorted(charts), sorted(expected))


def check_pipeline_outputs(work: Path, answer: str) -> None:
    """Every artefact holds what the commands above asked for, recomputed where it can be."""
    import hashlib
    import math

    from common import mcq_format

    splits = {name: _jsonl(work / "data/processed" / f"{name}.jsonl") for name in ("train", "validation")}
    stats = json.loads((work / "data/processed/stats.json").read_text())
    assert {k: len(v) for k, v in splits.items()} == {k: stats["splits"][k] for k in ("train", "validation")}
    assert 0 < len(splits["validation"]) < len(splits["train"]) and sum(map(len, splits.values())) <= 2 * 40
    for row in splits["train"] + splits["validation"]:
        assert row["answer"] in row["options"] and row["messages"][-1]["role"] == "assistant"
        assert mcq_format.extract_answer(row["messages"][-1]["content"], row["options"]) == row["answer"]
    assert not {r["question"] for r in splits["train"]} & {r["question"] for r in splits["validation"]}

    sft = json.loads((work / "models/sft/train_summary.json").read_text())
    ppo = json.loads((work / "models/ppo/train_summary.json").read_text())
    copies = 1 + config.tiny().sft.permute_options  # each question plus its option-shuffled copies
    assert sft["steps"] == 2 and sft["train_rows"] == 8 and sft["train_examples"] == 8 * copies
    assert sft["eval_examples"] == 4
    assert ppo["steps"] == 1 and ppo["sft_adapter"].endswith("models/sft")
    for stage, summary in (("sft", sft), ("ppo", ppo)):
        out = work / "models" / stage
        for name in ("adapter_config.json", "adapter_model.safetensors", "config.json"):
            assert (out / name).is_file(), f"{stage}: {name}"
        records = _jsonl(work / "logs" / stage / "metrics.jsonl")
        assert max(r["step"] for r in records) == summary["steps"]
        assert_run_charts(work / "logs" / stage, records, {"sft": {"loss.png", "learning_rate.png"},
                                                          "ppo": {"reward.png", "kl.png"}}[stage])
    train_losses = [r["loss"] for r in _jsonl(work / "logs/sft/metrics.jsonl") if "loss" in r]
    assert len(train_losses) == 2 // config.tiny().sft.logging_steps  # one record every logging_steps steps
    assert all(math.isfinite(x) and x > 0 for x in train_losses)
    assert sft["final_train_loss"] == pytest.approx(train_losses[-1])
    ppo_steps = [r for r in _jsonl(work / "logs/ppo/metrics.jsonl") if "reward_mean" in r]
    assert [r["step"] for r in ppo_steps] == [1] and ppo["reward_end"] == pytest.approx(ppo_steps[0]["reward_mean"])
    assert (work / "models/ppo/value_head.safetensors").is_file()

    compare = json.loads((work / "logs/eval/compare.json").read_text())
    assert [m["name"] for m in compare["models"]] == ["base", "sft", "ppo"] and compare["n"] == 3
    validation_ids = [r["id"] for r in splits["validation"]]
    for row in compare["models"]:
        preds = json.loads((work / "logs/eval" / f"{row['name']}.json").read_text())["predictions"]
        assert len(preds) == 3 and all(p["id"] in validation_ids for p in preds)
        for mode in compare["modes"]:
            assert row[mode]["correct"] == sum(p[mode] == p["answer"] for p in preds)
    assert (work / "logs/eval/compare.md").is_file() and (work / "logs/eval/compare.png").is_file()

    gguf = work / "models/medllm_finetuning.gguf"
    assert gguf.read_bytes()[:4] == b"GGUF"
    meta = json.loads((work / "models/medllm_finetuning.json").read_text())
    assert meta["quantization"] == config.tiny().export.quant and meta["size_bytes"] == gguf.stat().st_size
    assert meta["sha256"] == hashlib.sha256(gguf.read_bytes()).hexdigest()
    assert meta["faithfulness"]["gate"]["passed"] is True and meta["faithfulness"]["n"] == 2
    assert meta["sft"]["summary"] == sft and meta["ppo"]["summary"] == ppo
    assert meta["adapter"].endswith("models/ppo")  # the export merged the PPO adapter, the last stage
    assert "FROM ./medllm_finetuning.gguf" in (work / "models/Modelfile").read_text()
    assert "not medical advice" in answer


def test_readme_layout_names_every_package_module_and_stage(repo_root):
    """The README's layout section lists each root script, each package and each of its modules."""
    text = (repo_root / "README.md").read_text()
    layout = text[text.index("## Layout"):text.index("## Licences")]
    names = [p.name for p in repo_root.glob("*.py")]
    for package in ("common", "training", "chat"):
        assert f"`{package}/`" in layout, package
        names += [p.name if package != "common" else f"common/{p.name}"
                  for p in (repo_root / package).glob("*.py") if p.name != "__init__.py"]
    missing = [n for n in names if n not in layout]
    assert missing == [], f"README layout misses {missing}"
    packages = sorted(p.parent.name for p in repo_root.glob("*/__init__.py"))
    assert packages == ["chat", "common", "training"], packages
