"""train_ppo.py: the loop learns a toy task, adapters and outputs, resume, bad input."""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from common import outputs
from conftest import make_adapter, processed_records
import torch

from common import cli
import config
from common import mcq_format
from common import modeling
from common import run_logging
import train_ppo as tp
from conftest import build_tiny_llama
from training import ppo as ppo_run

SUMMARY_KEYS = {"reward_start", "reward_end", "accuracy_start", "accuracy_end", "kl_end", "steps", "tokens_per_s",
                "wall_time_s", "peak_memory_mb"}
METRIC_KEYS = {"step", "reward_mean", "accuracy", "kl", "policy_loss", "value_loss", "clip_frac", "entropy",
               "response_len", "tokens_per_s"}


# --------------------------------------------------------------------------- fixtures


def argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, *extra) -> list[str]:
    return [
        "--model", str(tiny_llama_dir), "--sft-adapter", str(sft_dir), "--output-dir", str(tmp_path / "ppo"),
        "--wandb", "disabled", "--max-steps", "3",
        "--set", f"ppo.train_file={train_file}", "--set", f"ppo.logs_dir={tmp_path / 'logs'}",
        "--set", "ppo.run_name=ppo",
        "--set", "ppo.batch_size=2", "--set", "ppo.mini_batch_size=1", "--set", "ppo.ppo_epochs=2",
        "--set", "ppo.max_new_tokens=4", "--set", "ppo.learning_rate=1e-3", "--set", "ppo.save_steps=1",
        # one answer per question with the value baseline, whatever the tiny preset uses (rloo has its own tests)
        "--set", "ppo.advantage=gae", "--set", "ppo.samples_per_question=1",
        "--set", "ppo.num_examples=32",  # every question of the small train files (the tiny preset takes 8)
        *extra,
    ]


def run(argv, capsys) -> tuple[int, str, str]:
    code = cli.main_wrapper(tp.main, argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --------------------------------------------------------------------------- a toy model for the loop itself


# --------------------------------------------------------------------------- policy and reference adapters


# --------------------------------------------------------------------------- the script


def test_train_ppo_end_to_end(tiny_llama_dir, sft_dir, train_file, tmp_path, capsys, one_thread):
    sft = tmp_path / "sft"  # SFT trained on the first 6 rows of this very file
    shutil.copytree(sft_dir, sft)
    write_sft_summary(sft, train_file, rows=6)
    code, out, err = run(argv_for(tiny_llama_dir, sft, train_file, tmp_path, "--max-samples", "8"), capsys)
    assert code == 0, err
    folder = tmp_path / "ppo"
    names = {p.name for p in folder.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "value_head.safetensors", "config.json",
            "train_summary.json", "tokenizer.json", "checkpoints"} <= names
    summary = json.loads((folder / "train_summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary) and summary["steps"] == 3 and summary["questions"] == 8
    # 8 questions: the 6 medqa rows SFT did not see, then 2 it did
    assert (summary["sft_seen_questions"], summary["sft_seen_fraction"]) == (2, 0.25)
    saved = json.loads((folder / "config.json").read_text())
    assert saved["ppo"]["max_steps"] == 3 and saved["model"]["name"] == str(tiny_llama_dir)
    records = run_logging.read_metrics(tmp_path / "logs" / "ppo")
    assert [r["step"] for r in records] == [1, 2, 3]
    assert all(METRIC_KEYS <= set(r) for r in records)
    # each step logs the share of its questions SFT saw: the epoch's seeded order over the 8 questions
    pool = ppo_run.select_questions(config.PPOConfig(train_file=str(train_file), num_examples=32, max_samples=8,
                                              sft_adapter=str(sft)))
    order = random.Random(config.PPOConfig().seed).sample(range(8), 8)
    assert [r["sft_seen"] for r in records] == [sum(pool[i]["_sft_seen"] for i in order[k:k + 2]) / 2
                                                for k in (0, 2, 4)]
    # the score is the 1.0 / 0.1 rule: each step's mean reward is 0.1 + 0.9 x its accuracy
    assert all(r["reward_mean"] == pytest.approx(0.1 + 0.9 * r["accuracy"], abs=1e-6) for r in records)
    # the summary's start / end are the first / last step (window of 1 step for 3 steps)
    assert summary["reward_start"] == round(records[0]["reward_mean"], 4)
    assert summary["kl_end"] == round(records[-1]["kl"], 4) and summary["window_steps"] == 1
    assert records[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the first rollout comes from the reference itself
    assert "Reward:" in out and str(folder) in out
    # only the last save_total_limit (2) checkpoints are kept, each complete
    assert sorted(p.name for p in (folder / "checkpoints").iterdir()) == ["checkpoint-2", "checkpoint-3"]
    # the adapter moved away from SFT's
    from safetensors.torch import load_file

    ppo_w = load_file(str(folder / "adapter_model.safetensors"))
    sft_w = load_file(str(sft_dir / "adapter_model.safetensors"))
    assert ppo_w.keys() == sft_w.keys()
    assert any(not torch.equal(ppo_w[k], sft_w[k]) for k in ppo_w)
    # a second run does not overwrite it without --force
    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path), capsys)
    assert code == 2 and "already exists" in err and "--force" in err


def test_ctrl_c_saves_and_resume_matches_an_uninterrupted_run(
    tiny_llama_dir, sft_dir, train_file, tmp_path, capsys, monkeypatch, one_thread
):
    from safetensors.torch import load_file

    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path / "a"), capsys)
    assert code == 0, err

    real_step, calls = ppo_run.ppo_step, []

    def step_then_ctrl_c(*args, **kwargs):
        stats = real_step(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # the handler sets the flag; the step finishes
        return stats

    monkeypatch.setattr(ppo_run, "ppo_step", step_then_ctrl_c)
    argv = argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path / "b", "--set", "ppo.save_steps=10")
    code, out, err = run(argv, capsys)
    assert code == 130 and "Continue with --resume" in out
    folder = tmp_path / "b" / "ppo"
    assert not (folder / "train_summary.json").exists()  # an interrupted run never looks finished
    assert not (folder / "checkpoints").exists()  # the interrupted run lives beside the output
    assert (tmp_path / "b" / ".ppo.partial" / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file()
    monkeypatch.setattr(ppo_run, "ppo_step", real_step)

    code, _, err = run(argv[:-2], capsys)  # no --resume, no --force: refused
    assert code == 2 and "--resume" in err
    code, _, err = run(argv + ["--resume"], capsys)
    assert code == 0, err
    assert [r["step"] for r in run_logging.read_metrics(tmp_path / "b" / "logs" / "ppo")] == [1, 2, 3]
    a = load_file(str(tmp_path / "a" / "ppo" / "adapter_model.safetensors"))
    b = load_file(str(folder / "adapter_model.safetensors"))
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    sa = json.loads((tmp_path / "a" / "ppo" / "train_summary.json").read_text())
    sb = json.loads((folder / "train_summary.json").read_text())
    assert (sa["reward_end"], sa["kl_end"], sa["steps"]) == (sb["reward_end"], sb["kl_end"], sb["steps"])


def test_rloo_samples_each_question_several_times(tiny_llama_dir, sft_dir, train_file, tmp_path, capsys,
                                                  monkeypatch, one_thread):
    """--set ppo.advantage=rloo: each question's prompt k times in the batch, its group named for the baseline."""
    real_step, seen = ppo_run.ppo_step, []

    def spy(learner, query, query_mask, reward_fn, groups=None):
        seen.append((query.clone(), query_mask.clone(), groups.clone()))
        return real_step(learner, query, query_mask, reward_fn, groups=groups)

    monkeypatch.setattr(ppo_run, "ppo_step", spy)
    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, "--max-steps", "2",
                                "--set", "ppo.advantage=rloo", "--set", "ppo.samples_per_question=3",
                                "--set", "ppo.balanced_permutations=false"), capsys)  # k answers to one prompt
    assert code == 0, err
    for query, mask, groups in seen:
        assert len(query) == 6 and groups.tolist()[::3] == groups.tolist()[1::3] == groups.tolist()[2::3]
        assert len(set(groups.tolist())) == 2  # 2 questions x 3 answers
        for g in set(groups.tolist()):
            rows = query[groups == g]
            assert all(torch.equal(r, rows[0]) for r in rows)
        assert not torch.equal(query[0], query[3])
    records = run_logging.read_metrics(tmp_path / "logs" / "ppo")
    assert all("kl_loss" in r and r["response_len"] > 0 for r in records)


def test_balanced_permutations_give_each_answer_its_own_option_order(tiny_llama_dir, sft_dir, train_file, tmp_path,
                                                                      capsys, monkeypatch, one_thread):
    """--set ppo.balanced_permutations=true: a question's k answers are sampled from k different prompts (its
    permuted copies), each rewarded against its own copy's answer letter, their group still the question."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    real_step, real_reward, seen, rewarded = ppo_run.ppo_step, ppo_run.mcq_reward_fn, [], []

    def spy(learner, query, query_mask, reward_fn, groups=None):
        seen.append((query.clone(), query_mask.clone(), groups.clone()))
        return real_step(learner, query, query_mask, reward_fn, groups=groups)

    def reward_spy(tokenizer, records, ppo):
        rewarded.append(records)
        return real_reward(tokenizer, records, ppo)

    monkeypatch.setattr(ppo_run, "ppo_step", spy)
    monkeypatch.setattr(ppo_run, "mcq_reward_fn", reward_spy)
    code, out, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, "--max-steps", "2",
                                  "--set", "ppo.advantage=rloo", "--set", "ppo.samples_per_question=3",
                                  "--set", "ppo.balanced_permutations=true"), capsys)
    assert code == 0, err
    assert "each answer to its own option order" in " ".join((out + err).split())
    assert len(seen) == len(rewarded) == 2
    for (query, mask, groups), records in zip(seen, rewarded):
        assert len(records) == len(query) == 6 and len(set(groups.tolist())) == 2
        for g in set(groups.tolist()):
            rows = [i for i in range(6) if groups[i] == g]
            answers = [records[i]["answer"] for i in rows]
            assert len(set(answers)) == 3  # the answer on a different letter for each of the 3 answers
            assert len({records[i]["question"] for i in rows}) == 1
            right = {records[i]["options"][records[i]["answer"]] for i in rows}
            assert len(right) == 1  # the same correct option text, moved
            for i in rows:  # each row's prompt shows its own copy's order
                assert mcq_format.format_options(records[i]["options"]) in tok.decode(query[i][mask[i].bool()])


# --------------------------------------------------------------------------- bad input


@pytest.fixture(scope="session")
def other_base_adapter(embedded_tokenizer_dir, tmp_path_factory) -> Path:
    """An adapter trained on a different (32-wide) base model."""
    base = build_tiny_llama(tmp_path_factory.mktemp("other_base"), embedded_tokenizer_dir, hidden=32)
    return make_adapter(base, tmp_path_factory.mktemp("other_adapter"))


@pytest.mark.parametrize(
    "case, fragments",
    [
        ("no_sft_adapter", ["no SFT adapter", "train_sft.py"]),
        ("other_base", ["another base model", "--model"]),
        ("empty_subset", ["PPO subset is empty", "source 'medqa'"]),
        ("no_train_file", ["does not exist", "data_processor.py"]),
        ("resume_without_checkpoint", ["no checkpoint"]),
        ("bad_setting", ["ppo.mini_batch_size must be at least 1"]),
        ("zero_lr", ["ppo.learning_rate must be above 0"]),
        ("zero_epochs", ["ppo.epochs (--epochs) must be above 0"]),
        ("top_p", ["ppo.top_p must be above 0 and at most 1"]),
        ("foreign_folder", ["not created by MedLLM"]),
        ("validation_split", ["is the validation split", "training questions only"]),
        ("rloo_one_answer", ["ppo.advantage=rloo needs ppo.samples_per_question of 2 or more"]),
        ("bad_advantage", ["ppo.advantage must be one of gae, rloo"]),
        ("micro_batch", ["ppo.micro_batch_size must be at least 1"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(case, fragments, tiny_llama_dir, sft_dir, train_file, other_base_adapter,
                                          tmp_path, capsys):
    extra, sft, data = [], sft_dir, train_file
    if case == "no_sft_adapter":
        sft = tmp_path / "models" / "sft"
    elif case == "other_base":
        sft = other_base_adapter
    elif case == "empty_subset":
        data = tmp_path / "only_medmcqa.jsonl"
        outputs.atomic_write_jsonl(data, _medmcqa_only(train_file))
    elif case == "no_train_file":
        data = tmp_path / "missing.jsonl"
    elif case == "resume_without_checkpoint":
        extra = ["--resume"]
    elif case == "bad_setting":
        extra = ["--set", "ppo.mini_batch_size=0"]
    elif case == "zero_lr":
        extra = ["--set", "ppo.learning_rate=0"]
    elif case == "zero_epochs":
        extra = ["--epochs", "0"]
    elif case == "top_p":
        extra = ["--set", "ppo.top_p=0"]
    elif case == "foreign_folder":
        extra = ["--force", "--output-dir", str(tmp_path)]
        (tmp_path / "notes.txt").write_text("keep")
    elif case == "validation_split":  # a copy of the train file named as the validation split: same bytes
        shutil.copy(train_file, tmp_path / "validation.jsonl")
        extra = ["--set", f"sft.validation_file={tmp_path / 'validation.jsonl'}"]
    elif case == "rloo_one_answer":
        extra = ["--set", "ppo.advantage=rloo"]
    elif case == "bad_advantage":
        extra = ["--set", "ppo.advantage=ppo"]
    elif case == "micro_batch":
        extra = ["--set", "ppo.micro_batch_size=0"]
    code, _, err = run(argv_for(tiny_llama_dir, sft, data, tmp_path, *extra), capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[-1]
    assert not (tmp_path / "ppo").exists() and not (tmp_path / "logs").exists()  # nothing written
    assert case != "foreign_folder" or (tmp_path / "notes.txt").read_text() == "keep"


def _medmcqa_only(train_file: Path) -> list[dict]:
    return [r for r in map(json.loads, open(train_file, encoding="utf-8")) if r["source"] == "medmcqa"]


# --------------------------------------------------------------------------- slow: real model, two processes


@pytest.mark.slow
def test_tiny_preset_runs_to_the_end(repo_root, sample_dir, tmp_path, capsys):
    """`python train_ppo.py` on the tiny preset (SmolLM2-135M) with an SFT-like adapter, timed.

    One torch thread: on a shared 2-core machine two threads per process spin against the other
    processes and run several times slower; on idle cores the default (2) is faster.
    """
    base = Path(modeling.resolve_model("embedded", repo_root / "models" / "base"))
    sft = make_adapter(base, tmp_path / "sft", targets=config.tiny().lora.target_modules)
    data = tmp_path / "train.jsonl"
    outputs.atomic_write_jsonl(data, processed_records(sample_dir, medqa=200))
    start = time.time()
    code, out, err = run(["--sft-adapter", str(sft), "--output-dir", str(tmp_path / "ppo"), "--wandb", "disabled",
                          "--set", f"model.base_dir={repo_root / 'models' / 'base'}",
                          "--set", f"ppo.train_file={data}", "--set", f"ppo.logs_dir={tmp_path / 'logs'}",
                          "--set", "ppo.run_name=ppo",  # logs/ppo: a non-default --output-dir gets its own folder
                          "--set", "ppo.torch_threads=1",
                          # the preset's settings on fewer questions: its epochs, batches and group size, in CI time
                          "--set", f"ppo.num_examples={min(4, config.tiny().ppo.num_examples)}"], capsys)
    took = time.time() - start
    assert code == 0, err
    summary = json.loads((tmp_path / "ppo" / "train_summary.json").read_text())
    print(f"\ntiny preset PPO: {took:.0f} s; {json.dumps(summary)}")
    for r in run_logging.read_metrics(tmp_path / "logs" / "ppo"):
        print(f"step {r['step']:3d} reward {r['reward_mean']:.3f} accuracy {r['accuracy']:.2f} kl {r['kl']:.4f} "
              f"len {r['response_len']:.1f} | {r['sample'][:60]!r}")
    records = run_logging.read_metrics(tmp_path / "logs" / "ppo")
    tiny = config.tiny().ppo
    # the preset's epochs of batches over those questions (fewer questions only if a prompt is too long)
    assert 0 < summary["questions"] <= 4
    assert summary["steps"] == len(records) == math.ceil(tiny.epochs * -(-summary["questions"] // tiny.batch_size))
    assert records[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the first rollout is the reference's own
    assert all(r["reward_mean"] == pytest.approx(0.1 + 0.9 * r["accuracy"], abs=1e-6) for r in records)
    assert all(math.isfinite(r[k]) for r in records for k in ("kl", "policy_loss", "value_loss", "entropy"))
    from safetensors.torch import load_file

    ppo_w, sft_w = (load_file(str(d / "adapter_model.safetensors")) for d in (tmp_path / "ppo", sft))
    assert ppo_w.keys() == sft_w.keys() and any(not torch.equal(ppo_w[k], sft_w[k]) for k in ppo_w)


@pytest.mark.slow
def test_accelerate_launch_two_cpu_processes(tiny_llama_dir, sft_dir, train_file, repo_root, tmp_path):
    """Data-parallel PPO on two CPU processes: each rolls out its own questions, gradients are averaged.

    (`accelerate launch --cpu` starts a single process; --multi_gpu starts two, and train_ppo's
    Accelerator(cpu=True) joins them over gloo.)
    """
    env = dict(os.environ, OMP_NUM_THREADS="1", WANDB_MODE="disabled")
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           str(repo_root / "train_ppo.py"), *argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path)]
    proc = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "12 questions (6 per process;" in proc.stderr.replace("\n", " ")
    summary = json.loads((tmp_path / "ppo" / "train_summary.json").read_text())
    assert summary["steps"] == 3 and summary["questions"] == 12
    assert [r["step"] for r in run_logging.read_metrics(tmp_path / "logs" / "ppo")] == [1, 2, 3]  # one writer
    assert proc.stdout.count("PPO adapter saved") == 1


def write_sft_summary(folder: Path, train_file: Path, rows: int, digest: str | None = None) -> None:
    from common.outputs import file_sha256

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "train_summary.json").write_text(json.dumps(
        {"train_file": str(train_file), "train_file_sha256": digest or file_sha256(train_file), "train_rows": rows}))
