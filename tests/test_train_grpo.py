"""train_grpo.py: a short run's outputs (evaluate.py and export_gguf.py take them), Ctrl+C and --resume, bad input."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import config
import evaluate
import export_gguf
import train_grpo
from common import cli, mcq_format, modeling, outputs, run_logging
from conftest import make_adapter, processed_records
from test_train_ppo import write_sft_summary

SUMMARY_KEYS = {"reward_start", "reward_end", "accuracy_start", "accuracy_end", "kl_end", "steps", "tokens_per_s",
                "wall_time_s", "peak_memory_mb", "questions", "sft_seen_questions", "trainer", "sft_adapter"}
METRIC_KEYS = {"step", "epoch", "loss", "learning_rate", "grad_norm", "reward_mean", "reward_std", "accuracy", "kl",
               "entropy", "completion_len", "completion_len_max", "step_time_s", "tokens_per_s", "peak_memory_mb"}


def argv_for(model, sft, train_file, tmp_path, *extra) -> list[str]:
    return [
        "--model", str(model), "--sft-adapter", str(sft), "--output-dir", str(tmp_path / "grpo"),
        "--wandb", "disabled", "--max-steps", "2",
        "--set", f"grpo.train_file={train_file}", "--set", f"grpo.logs_dir={tmp_path / 'logs'}",
        "--set", "grpo.run_name=grpo", "--set", "grpo.num_examples=32",
        "--set", "grpo.batch_size=2", "--set", "grpo.num_generations=2", "--set", "grpo.micro_batch_size=2",
        "--set", "grpo.max_completion_length=4", "--set", "grpo.learning_rate=1e-2", "--set", "grpo.save_steps=1",
        "--set", "grpo.gradient_checkpointing=false", "--set", "grpo.torch_threads=1",
        *extra,
    ]


def run(argv, capsys) -> tuple[int, str, str]:
    code = cli.main_wrapper(train_grpo.main, [str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def varied_reward(monkeypatch):
    """correctness_reward made to vary on a random model (its answers are never right): every other answer earns
    `correct`, the others the real reward, so each group of 2 has a spread. GRPO reads it from mcq_format, so
    this is what it trains on."""
    real = mcq_format.correctness_reward
    calls = []

    def reward(response, answer, options=None, correct=1.0, wrong=0.1):
        calls.append(response)
        return correct if len(calls) % 2 else real(response, answer, options, correct, wrong)

    monkeypatch.setattr(mcq_format, "correctness_reward", reward)
    return calls


# --------------------------------------------------------------------------- a run and what takes its output


def test_a_two_step_run_writes_an_adapter_evaluate_and_export_accept(tiny_llama_dir, sft_dir, train_file, tmp_path,
                                                                      capsys, varied_reward, one_thread):
    sft = tmp_path / "sft"  # SFT trained on the first 6 rows of this very file
    shutil.copytree(sft_dir, sft)
    write_sft_summary(sft, train_file, rows=6)
    (sft / "config.json").write_text(json.dumps({"preset": "tiny", "sft": {"epochs": 1.0}}))
    code, out, err = run(argv_for(tiny_llama_dir, sft, train_file, tmp_path, "--max-samples", "8"), capsys)
    assert code == 0, err
    assert varied_reward  # the answers were scored through mcq_format.correctness_reward
    folder = tmp_path / "grpo"
    names = {p.name for p in folder.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "config.json", "train_summary.json",
            "tokenizer.json", "checkpoints"} <= names
    assert not (folder / "ref").exists() and not (tmp_path / ".grpo.partial").exists()
    summary = json.loads((folder / "train_summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary) and summary["steps"] == 2 and summary["questions"] == 8
    assert (summary["sft_seen_questions"], summary["sft_seen_fraction"]) == (2, 0.25)  # PPO's pick: unseen first
    saved = json.loads((folder / "config.json").read_text())
    assert saved["grpo"]["max_steps"] == 2 and saved["grpo"]["sft_adapter"] == str(sft) and "ppo" not in saved
    records = run_logging.read_metrics(tmp_path / "logs" / "grpo")
    assert [r["step"] for r in records] == [1, 2] and all(METRIC_KEYS <= set(r) for r in records)
    assert records[0]["kl"] == pytest.approx(0.0, abs=1e-6)  # the first answers come from the reference itself
    assert all(0 < r["completion_len"] <= 4 and r["tokens_per_s"] > 0 for r in records)
    assert "Reward:" in out and str(folder) in out
    assert sorted(p.name for p in (folder / "checkpoints").iterdir() if p.is_dir()) == ["checkpoint-1", "checkpoint-2"]
    from safetensors.torch import load_file

    new, old = load_file(str(folder / "adapter_model.safetensors")), load_file(str(sft / "adapter_model.safetensors"))
    assert new.keys() == old.keys() and any(not torch.equal(new[k], old[k]) for k in new)  # the reward moved it

    # evaluate.py --adapter models/grpo: base + the GRPO adapter
    data = tmp_path / "validation.jsonl"
    outputs.atomic_write_jsonl(data, processed_records(Path(__file__).parent.parent / "data" / "sample", medqa=2))
    code = cli.main_wrapper(evaluate.main, ["--model", str(tiny_llama_dir), "--adapter", str(folder), "--data",
                                            str(data), "--mode", "loglik", "--set",
                                            f"eval.output_dir={tmp_path / 'eval'}", "--set", "eval.plots=false"])
    assert code == 0, capsys.readouterr().err
    result = json.loads((tmp_path / "eval" / "grpo.json").read_text())
    assert result["adapter"] == str(folder) and result["modes"]["loglik"]["n"] == 2
    # evaluate.py --plots logs/grpo draws the run
    assert cli.main_wrapper(evaluate.main, ["--plots", str(tmp_path / "logs" / "grpo")]) == 0
    assert (tmp_path / "logs" / "grpo" / "plots" / "reward.png").is_file()
    # export_gguf.py's metadata names the SFT adapter GRPO started from, as for a PPO adapter
    sft_info, rl_info = export_gguf.training_info(folder)
    assert sft_info["config"]["sft"] == {"epochs": 1.0} and rl_info["summary"]["trainer"].startswith("trl.GRPOTrainer")
    # a second run does not overwrite it without --force
    code, _, err = run(argv_for(tiny_llama_dir, sft, train_file, tmp_path), capsys)
    assert code == 2 and "already exists" in err and "--force" in err


def test_ctrl_c_saves_a_checkpoint_and_resume_continues_from_it(tiny_llama_dir, sft_dir, train_file, tmp_path,
                                                                capsys, monkeypatch, one_thread):
    """Ctrl+C during step 2 saves checkpoint-2 in the staging folder and exits 130 (nothing published); --resume
    loads it (adapter, optimizer, trainer state) and runs step 3 only; the log has steps 1, 2, 3 once each."""
    real, calls = mcq_format.correctness_reward, []

    def reward_then_ctrl_c(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # the first answer of step 2 (2 questions x 2 answers a step)
            os.kill(os.getpid(), signal.SIGINT)  # the handler sets the flag; the step finishes
        return real(*args, **kwargs)

    monkeypatch.setattr(mcq_format, "correctness_reward", reward_then_ctrl_c)
    argv = argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, "--max-steps", "3", "--set", "grpo.save_steps=10")
    code, out, err = run(argv, capsys)
    assert code == 130 and "Continue with --resume" in out, err
    stage = tmp_path / ".grpo.partial"
    assert not (tmp_path / "grpo").exists()  # an interrupted run never looks finished
    assert (stage / "checkpoints" / "checkpoint-2" / "trainer_state.json").is_file()
    monkeypatch.setattr(mcq_format, "correctness_reward", real)

    code, _, err = run(argv, capsys)  # no --resume, no --force: refused
    assert code == 2 and "--resume" in err and "checkpoint-2" in err
    import trl

    resumed_from = []
    real_train = trl.GRPOTrainer.train

    def spy(self, resume_from_checkpoint=None, **kwargs):
        resumed_from.append(resume_from_checkpoint)
        return real_train(self, resume_from_checkpoint=resume_from_checkpoint, **kwargs)

    monkeypatch.setattr(trl.GRPOTrainer, "train", spy)
    calls.clear()

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mcq_format, "correctness_reward", counting)
    code, out, err = run(argv + ["--resume"], capsys)
    assert code == 0, err
    assert resumed_from == [str(stage / "checkpoints" / "checkpoint-2")]
    assert len(calls) == 4  # step 3 only: 2 questions x 2 answers
    summary = json.loads((tmp_path / "grpo" / "train_summary.json").read_text())
    assert summary["steps"] == 3
    assert [r["step"] for r in run_logging.read_metrics(tmp_path / "logs" / "grpo")] == [1, 2, 3]
    state = json.loads((tmp_path / "grpo" / "checkpoints" / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["global_step"] == 3


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "case, fragments",
    [
        ("one_generation", ["grpo.num_generations must be at least 2"]),
        ("micro_batch", ["grpo.micro_batch_size must be a divisor of batch_size x num_generations = 4"]),
        ("zero_lr", ["grpo.learning_rate must be above 0"]),
        ("zero_epochs", ["grpo.epochs (--epochs) must be above 0"]),
        ("bad_loss", ["grpo.loss_type must be one of"]),
        ("trl_refuses", ["TRL's GRPOConfig refuses these settings"]),
        ("no_sft_adapter", ["no SFT adapter", "train_sft.py"]),
        ("no_train_file", ["does not exist", "data_processor.py"]),
        ("validation_split", ["grpo.train_file", "is the validation split"]),
        ("resume_without_checkpoint", ["no checkpoint"]),
        ("foreign_folder", ["not created by MedLLM"]),
        ("unsloth_without_cuda", ["--backend unsloth needs a CUDA GPU"]),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_is_loaded(case, fragments, tiny_llama_dir, sft_dir, train_file,
                                                            tmp_path, capsys, monkeypatch):
    def no_loading(*args, **kwargs):
        raise AssertionError("a model was loaded before the settings were checked")

    monkeypatch.setattr(modeling, "load_base_model", no_loading)
    extra, sft, data = [], sft_dir, train_file
    if case == "one_generation":
        extra = ["--set", "grpo.num_generations=1"]
    elif case == "micro_batch":
        extra = ["--set", "grpo.micro_batch_size=3"]
    elif case == "zero_lr":
        extra = ["--set", "grpo.learning_rate=0"]
    elif case == "zero_epochs":
        extra = ["--epochs", "0"]
    elif case == "bad_loss":
        extra = ["--set", "grpo.loss_type=ppo"]
    elif case == "trl_refuses":
        extra = ["--set", "grpo.lr_scheduler=sideways"]
    elif case == "no_sft_adapter":
        sft = tmp_path / "models" / "sft"
    elif case == "no_train_file":
        data = tmp_path / "missing.jsonl"
    elif case == "validation_split":  # a copy of the train file named as the validation split: same bytes
        shutil.copy(train_file, tmp_path / "validation.jsonl")
        extra = ["--set", f"eval.data={tmp_path / 'validation.jsonl'}"]
    elif case == "resume_without_checkpoint":
        extra = ["--resume"]
    elif case == "foreign_folder":
        extra = ["--force", "--output-dir", str(tmp_path)]
        (tmp_path / "notes.txt").write_text("keep")
    elif case == "unsloth_without_cuda":
        if torch.cuda.is_available():
            pytest.skip("CUDA is here")
        extra = ["--backend", "unsloth"]
    code, _, err = run(argv_for(tiny_llama_dir, sft, data, tmp_path, *extra), capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[-1]
    assert not (tmp_path / "grpo").exists() and not (tmp_path / "logs").exists()  # nothing written
    assert not (tmp_path / ".grpo.partial").exists()
    assert case != "foreign_folder" or (tmp_path / "notes.txt").read_text() == "keep"


def test_the_script_refuses_one_generation_in_one_line(repo_root, tmp_path):
    """From the shell: one line on stderr, exit 2, before any model or data is read."""
    proc = subprocess.run([sys.executable, "train_grpo.py", "--set", "grpo.num_generations=1", "--output-dir",
                           str(tmp_path / "out"), "--wandb", "disabled"], cwd=repo_root, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "error: grpo.num_generations must be at least 2 (each answer is scored against the other answers to its "
        "question), not 1")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- slow: export, two processes, the preset


@pytest.mark.slow
def test_export_gguf_takes_a_grpo_adapter(tiny_llama_dir, sft_dir, train_file, tmp_path, capsys, varied_reward,
                                          one_thread):
    code, _, err = run(argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path, "--max-steps", "1"), capsys)
    assert code == 0, err
    data = tmp_path / "validation.jsonl"
    outputs.atomic_write_jsonl(data, processed_records(Path(__file__).parent.parent / "data" / "sample", medqa=2))
    code = cli.main_wrapper(export_gguf.main, [
        "--model", str(tiny_llama_dir), "--adapter", str(tmp_path / "grpo"), "--output-dir", str(tmp_path / "out"),
        "--quant", "F16", "--set", f"export.validation_file={data}", "--set", f"export.log_file={tmp_path / 'x.log'}",
        "--set", f"eval.output_dir={tmp_path / 'eval'}", "--set", "export.faithfulness_generate=0"])
    assert code == 0, capsys.readouterr().err
    meta = json.loads((tmp_path / "out" / "medllm_finetuning.json").read_text())
    assert meta["adapter"] == str(tmp_path / "grpo") and meta["ppo"]["config"]["grpo"]["sft_adapter"] == str(sft_dir)


@pytest.mark.slow
def test_accelerate_launch_two_cpu_processes(tiny_llama_dir, sft_dir, train_file, repo_root, tmp_path):
    """Data-parallel GRPO on two CPU processes (gloo): one log writer, one output."""
    env = dict(os.environ, OMP_NUM_THREADS="1", WANDB_MODE="disabled")
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
           str(repo_root / "train_grpo.py"), *argv_for(tiny_llama_dir, sft_dir, train_file, tmp_path)]
    proc = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "grpo" / "train_summary.json").read_text())
    assert summary["steps"] == 2 and summary["questions"] == 12
    assert [r["step"] for r in run_logging.read_metrics(tmp_path / "logs" / "grpo")] == [1, 2]
    assert proc.stdout.count("GRPO adapter saved") == 1


@pytest.mark.slow
def test_tiny_preset_runs_on_the_embedded_model(repo_root, sample_dir, tmp_path, capsys):
    """`python train_grpo.py` on the tiny preset's settings (SmolLM2-135M, an SFT-like adapter), 4 steps."""
    base = Path(modeling.resolve_model("embedded", repo_root / "models" / "base"))
    sft = make_adapter(base, tmp_path / "sft", targets=config.tiny().lora.target_modules)
    data = tmp_path / "train.jsonl"
    outputs.atomic_write_jsonl(data, processed_records(sample_dir, medqa=40))
    code, out, err = run(["--sft-adapter", str(sft), "--output-dir", str(tmp_path / "grpo"), "--wandb", "disabled",
                          "--max-steps", "4", "--set", f"model.base_dir={repo_root / 'models' / 'base'}",
                          "--set", f"grpo.train_file={data}", "--set", f"grpo.logs_dir={tmp_path / 'logs'}",
                          "--set", "grpo.torch_threads=1"], capsys)
    assert code == 0, err
    summary = json.loads((tmp_path / "grpo" / "train_summary.json").read_text())
    assert summary["steps"] == 4 and summary["questions"] == config.tiny().grpo.num_examples
    assert 0.1 <= summary["reward_end"] <= 1.0
