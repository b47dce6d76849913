"""train_sft.py on a tiny random Llama: masking, outputs, reload, --max-steps, resume, bad input."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import sample_records

from common import cli
import config
from common import modeling
from common import run_logging
import train_sft
from common import outputs
from training import runs
from training import sft

SUMMARY_KEYS = {"initial_eval_loss", "final_eval_loss", "final_train_loss", "steps", "epochs", "tokens_per_s",
                "wall_time_s", "peak_memory_mb"}


def argv_for(tmp_path: Path, model_dir: Path, splits: Path, *extra: str) -> list[str]:
    return [
        "--model", str(model_dir), "--output-dir", str(tmp_path / "sft"), "--wandb", "disabled",
        "--set", f"sft.train_file={splits / 'train.jsonl'}",
        "--set", f"sft.validation_file={splits / 'validation.jsonl'}",
        "--set", f"sft.logs_dir={tmp_path / 'logs'}", "--set", "sft.run_name=sft",
        "--set", "sft.max_samples=0", "--set", "sft.permute_options=0",  # 16 rows exactly (the tiny preset adds copies)
        "--set", "sft.batch_size=4", "--set", "sft.eval_batch_size=4",
        "--set", "sft.learning_rate=0.01", "--set", "sft.warmup_ratio=0", "--set", "sft.lr_scheduler=constant",
        "--set", "sft.logging_steps=1", "--set", "sft.eval_steps=100", "--set", "sft.save_steps=2",
        "--set", "lora.r=4", "--set", "lora.alpha=8",
        *extra,
    ]


def config_for(argv: list[str]):
    return train_sft.parse_args(argv)[1]


def run_main(argv, capsys):
    code = cli.main_wrapper(train_sft.main, argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> bool:
    """Bad input ends in exactly one `error:` line (after the settings table) and no traceback."""
    lines = err.strip().splitlines()
    return lines[-1].startswith("error: ") and sum("error" in line for line in lines) == 1 and "Traceback" not in err


class SigintAtStep:
    """Sends this process a real SIGINT while step `step` + 1 runs (as Ctrl+C would)."""

    def __init__(self, step: int):
        from transformers import TrainerCallback

        target = step

        class _Cb(TrainerCallback):
            def on_step_begin(self, args, state, control, **kw):
                if state.global_step == target:
                    os.kill(os.getpid(), signal.SIGINT)

        self.callback = _Cb()


# --------------------------------------------------------------------------- masking


# --------------------------------------------------------------------------- training runs


def test_max_steps_run_writes_a_finished_adapter_that_learns(tmp_path, tiny_llama_dir, splits, capsys):
    code, out, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "6"), capsys)
    assert code == 0, err
    folder = tmp_path / "sft"
    for name in ("adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "config.json",
                 "train_summary.json"):
        assert (folder / name).is_file(), name
    assert not list(folder.glob(".final-*"))
    summary = json.loads((folder / "train_summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    assert summary["steps"] == 6 and summary["epochs"] == 1.5  # 16 examples, batch 4: 4 steps an epoch
    assert summary["final_eval_loss"] < summary["initial_eval_loss"] - 0.05  # it learns
    assert summary["tokens_per_s"] > 0 and summary["peak_memory_mb"] > 0
    saved = json.loads((folder / "config.json").read_text())
    assert saved["sft"]["max_steps"] == 6 and saved["model"]["name"] == str(tiny_llama_dir)
    before, after = summary["initial_eval_loss"], summary["final_eval_loss"]
    assert f"Eval loss: {before:.4f} before -> {after:.4f} after" in out
    assert sorted(p.name for p in (folder / "checkpoints").glob("checkpoint-*")) == ["checkpoint-4", "checkpoint-6"]

    records = run_logging.read_metrics(tmp_path / "logs" / "sft")
    assert [r["step"] for r in records if "loss" in r] == [1, 2, 3, 4, 5, 6]
    assert records[0]["step"] == 0 and records[0]["eval_loss"] == summary["initial_eval_loss"]
    assert all("learning_rate" in r and "grad_norm" in r and "peak_memory_mb" in r for r in records if "loss" in r)

    # The output folder is never overwritten without --force, and nothing is touched.
    before = (folder / "adapter_model.safetensors").read_bytes()
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "1"), capsys)
    assert code == 2 and "already exists" in err and "--force" in err and one_error_line(err)
    assert (folder / "adapter_model.safetensors").read_bytes() == before
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "1", "--force"), capsys)
    assert code == 0, err
    assert json.loads((folder / "train_summary.json").read_text())["steps"] == 1
    assert [p.name for p in (folder / "checkpoints").glob("checkpoint-*")] == ["checkpoint-1"]


def test_ctrl_c_saves_a_checkpoint_and_resume_reaches_the_same_end(tmp_path, tiny_llama_dir, splits, capsys):
    straight = config_for(argv_for(tmp_path / "a", tiny_llama_dir, splits, "--max-steps", "5"))
    reference = sft.train(straight).summary

    argv = argv_for(tmp_path / "b", tiny_llama_dir, splits, "--max-steps", "5", "--set", "sft.save_steps=100")
    stopped = sft.train(config_for(argv), callbacks=[SigintAtStep(2).callback])
    folder = tmp_path / "b" / "sft"
    stage = folder.with_name(".sft.partial")  # an unfinished run lives beside the output, never in it
    assert stopped.summary is None and stopped.checkpoint == stage / "checkpoints" / "checkpoint-3"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # our handler is gone again
    assert not (folder / "train_summary.json").exists() and not (folder / "adapter_config.json").exists()

    code, _, err = run_main(argv, capsys)  # an unfinished run is neither overwritten nor silently resumed
    assert code == 2 and "--resume" in err and "checkpoint-3" in err

    code, out, err = run_main(argv + ["--resume"], capsys)
    assert code == 0, err
    resumed = json.loads((folder / "train_summary.json").read_text())
    assert resumed["steps"] == reference["steps"] == 5
    assert not stage.exists() and (folder / "checkpoints" / "checkpoint-5").is_dir()
    # Same batches in the same order, same weights: the same numbers as the uninterrupted run.
    assert resumed["initial_eval_loss"] == reference["initial_eval_loss"]
    assert resumed["final_eval_loss"] == reference["final_eval_loss"]
    train_log = [(r["step"], r["loss"], r["tokens_seen"])
                 for r in run_logging.read_metrics(tmp_path / "b" / "logs" / "sft") if "loss" in r]
    assert train_log == [(r["step"], r["loss"], r["tokens_seen"])
                         for r in run_logging.read_metrics(tmp_path / "a" / "logs" / "sft") if "loss" in r]
    assert [step for step, _, _ in train_log] == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "split, content, fragment",
    [
        ("train.jsonl", None, "does not exist"),
        ("train.jsonl", "", "is empty"),
        ("validation.jsonl", "\n\n", "is empty"),
        ("train.jsonl", '{"question": "no messages"}\n', "line 1 is not a chat record"),
    ],
)
def test_missing_empty_or_malformed_splits(tmp_path, tiny_llama_dir, splits, capsys, split, content, fragment):
    data = tmp_path / "processed"
    shutil.copytree(splits, data)
    (data / split).unlink()
    if content is not None:
        (data / split).write_text(content)
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, data), capsys)
    assert code == 2 and fragment in err and "data_processor.py" in err
    assert one_error_line(err)
    assert not (tmp_path / "sft").exists() and not (tmp_path / "logs").exists()


def test_unsloth_without_cuda(tmp_path, tiny_llama_dir, splits, capsys):
    if modeling.cuda_available():
        pytest.skip("this machine has CUDA")
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--backend", "unsloth"), capsys)
    assert code == 2 and "needs a CUDA GPU" in err and one_error_line(err)
    assert not (tmp_path / "sft").exists()


def test_model_that_is_not_a_causal_lm(tmp_path, splits, capsys):
    from transformers import BertConfig, BertModel

    bert = tmp_path / "bert"
    BertModel(BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
              ).save_pretrained(bert)
    code, _, err = run_main(argv_for(tmp_path, bert, splits), capsys)
    assert code == 2 and "not a causal language model" in err and one_error_line(err)
    assert not (tmp_path / "sft").exists()


def test_existing_output_and_resume_without_checkpoint(tmp_path, tiny_llama_dir, splits, capsys):
    (tmp_path / "sft").mkdir()
    (tmp_path / "sft" / "notes.txt").write_text("keep me")
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits), capsys)
    assert code == 2 and "already exists" in err and "--force" in err
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--resume"), capsys)
    assert code == 2 and "no checkpoint" in err
    assert (tmp_path / "sft" / "notes.txt").read_text() == "keep me"


def test_force_replaces_only_folders_the_project_made(tmp_path, tiny_llama_dir, splits, capsys, monkeypatch):

    models = tmp_path / "models"  # e.g. `--output-dir models --force`: someone's folder, not an SFT output
    (models / "base").mkdir(parents=True)
    (models / "keep.gguf").write_bytes(b"GGUF")
    argv = argv_for(tmp_path, tiny_llama_dir, splits, "--force")
    code, _, err = run_main([*argv, "--output-dir", str(models)], capsys)
    assert code == 2 and "not created by MedLLM" in err and one_error_line(err)
    assert (models / "keep.gguf").read_bytes() == b"GGUF" and (models / "base").is_dir()
    # --set sft.output_dir=. in a folder of other files
    monkeypatch.chdir(models)
    code, _, err = run_main([*argv, "--set", "sft.output_dir=."], capsys)
    assert code == 2 and "not created by MedLLM" in err and one_error_line(err)
    assert (models / "keep.gguf").is_file()
    # a file is never an output folder
    code, _, err = run_main([*argv, "--output-dir", str(models / "keep.gguf")], capsys)
    assert code == 2 and "is a file" in err and (models / "keep.gguf").is_file()
    # --resume --force on a foreign folder with a checkpoint in it: refused too
    (models / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    (models / "checkpoints" / "checkpoint-2" / "trainer_state.json").write_text("{}")
    (models / "adapter_config.json").write_text("{}")
    code, _, err = run_main([*argv, "--resume", "--output-dir", str(models)], capsys)
    assert code == 2 and "not created by MedLLM" in err
    # an empty folder, or one carrying the marker, may be replaced
    (tmp_path / "empty").mkdir()
    assert runs.check_output_dir(tmp_path / "empty", resume=False, force=True) is None
    outputs.mark_output(tmp_path / "ours")
    (tmp_path / "ours" / "adapter_config.json").write_text("{}")
    assert runs.check_output_dir(tmp_path / "ours", resume=False, force=True) is None
    # no list of familiar names stands in for the marker, and nothing inside a folder is looked past
    thesis = tmp_path / "thesis"  # a README and a checkpoints folder, as a trainer writes, holding someone's work
    (thesis / "checkpoints" / "important").mkdir(parents=True)
    (thesis / "README.md").write_text("my notes")
    (thesis / "checkpoints" / "important" / "thesis.tex").write_text("chapter 1")
    legacy = tmp_path / "legacy"  # an adapter written before the marker existed
    (legacy / "checkpoints").mkdir(parents=True)
    (legacy / "adapter_config.json").write_text("{}")
    for folder in (thesis, legacy):
        code, _, err = run_main([*argv, "--output-dir", str(folder)], capsys)
        assert code == 2 and "not created by MedLLM" in err and "move it aside" in err and one_error_line(err)
    assert (thesis / "checkpoints" / "important" / "thesis.tex").read_text() == "chapter 1"
    assert (legacy / "adapter_config.json").is_file()
    # a symbolic link is never replaced, even to a folder MedLLM made
    (tmp_path / "link").symlink_to(tmp_path / "ours")
    code, _, err = run_main([*argv, "--output-dir", str(tmp_path / "link")], capsys)
    assert code == 2 and "symbolic link" in err and (tmp_path / "link").is_symlink()
    assert (tmp_path / "ours" / "adapter_config.json").is_file()


@pytest.mark.parametrize("extra, fragment", [
    (["--epochs", "0"], "sft.epochs (--epochs) must be above 0"),
    (["--epochs", "nan"], "sft.epochs (--epochs) must be above 0"),
    (["--set", "sft.max_samples=-1"], "sft.max_samples (--max-samples) must be 0 (all) or a positive count"),
    (["--max-steps", "-5"], "sft.max_steps (--max-steps) must be -1 or 0"),
    (["--set", "sft.learning_rate=0"], "sft.learning_rate must be above 0"),
    (["--set", "sft.learning_rate=-1e-4"], "sft.learning_rate must be above 0"),
    (["--set", "sft.batch_size=0"], "sft.batch_size must be at least 1"),
    (["--set", "sft.grad_accum=0"], "sft.grad_accum must be at least 1"),
    (["--set", "sft.eval_steps=0"], "sft.eval_steps must be at least 1"),
    (["--set", "sft.save_steps=-1"], "sft.save_steps must be at least 1"),
    (["--set", "sft.max_length=0"], "sft.max_length must be at least 8"),
    (["--set", "sft.letter_loss_weight=-2"], "sft.letter_loss_weight must be 0 or more"),
    (["--set", "sft.letter_loss_weight=nan"], "sft.letter_loss_weight must be 0 or more"),
    (["--set", "lora.r=0"], "lora.r must be at least 1"),
    (["--set", "lora.dropout=1.5"], "lora.dropout must be at least 0 and below 1"),
    (["--set", "sft.output_dir="], "sft.output_dir (--output-dir) must be a folder path"),
])
def test_nonsense_settings_are_refused_before_anything_is_touched(tmp_path, tiny_llama_dir, splits, capsys,
                                                                   extra, fragment):

    folder = outputs.mark_output(tmp_path / "sft")
    (folder / "adapter_config.json").write_text("old")
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--force", *extra), capsys)
    assert code == 2 and fragment in err and one_error_line(err), err
    assert (folder / "adapter_config.json").read_text() == "old" and not (tmp_path / "logs").exists()
    assert not (tmp_path / ".sft.partial").exists()


def test_a_failed_run_keeps_the_previous_output(tmp_path, tiny_llama_dir, splits, capsys, monkeypatch):
    """--force no longer deletes the old adapter first: the run writes beside it and swaps at the end."""
    from transformers import TrainerCallback

    folder = outputs.mark_output(tmp_path / "sft")
    (folder / "adapter_config.json").write_text("old")
    (folder / "train_summary.json").write_text("{}")

    class Boom(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            if state.global_step == 1:
                raise RuntimeError("disk on fire")

    real = sft.train
    monkeypatch.setattr(train_sft, "train", lambda cfg, **kw: real(cfg, callbacks=[Boom()], **kw))
    code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "3", "--force"), capsys)
    assert code == 1 and "disk on fire" in err
    assert (folder / "adapter_config.json").read_text() == "old" and (folder / "train_summary.json").is_file()


def test_each_output_keeps_its_own_run_log(tmp_path, tiny_llama_dir, splits, capsys, monkeypatch):

    # the default output folder logs to logs/sft (the Makefile demo and `evaluate.py --plots logs/sft`)
    monkeypatch.chdir(tmp_path)
    default = config.get_preset("tiny").sft
    default.logs_dir = "logs"
    assert runs.run_log_dir(default, "sft") == Path("logs/sft")
    default.output_dir = str(tmp_path / "models" / "sft")  # the same folder, spelled absolutely
    assert runs.run_log_dir(default, "sft") == Path("logs/sft")
    for bad in ("../..", "a/b", ".", ""):
        if bad:
            code, _, err = run_main(argv_for(tmp_path, tiny_llama_dir, splits, "--set", f"sft.run_name={bad}"), capsys)
            assert code == 2 and "sft.run_name must be letters" in err and one_error_line(err)
    # two runs into two output folders: two logs, neither overwritten
    logs = {}
    for name in ("one", "two"):
        argv = argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "1")
        i = argv.index("sft.run_name=sft")
        del argv[i - 1:i + 1]  # the default run name
        code, out, err = run_main([*argv, "--output-dir", str(tmp_path / name)], capsys)
        assert code == 0, err
        summary = json.loads((tmp_path / name / "train_summary.json").read_text())
        logs[name] = Path(summary["run_dir"])
        assert logs[name].parent == tmp_path / "logs" and logs[name].name.startswith(f"sft-{name}-")
        assert f"metrics in {logs[name]}/metrics.jsonl" in out
    assert logs["one"] != logs["two"] and all((p / "metrics.jsonl").is_file() for p in logs.values())
    assert not (tmp_path / "logs" / ".partial").exists() or not any((tmp_path / "logs" / ".partial").iterdir())


# --------------------------------------------------------------------------- slow


@pytest.mark.slow
def test_data_parallel_run_with_accelerate_on_two_cpu_processes(tmp_path, tiny_llama_dir, splits, repo_root):
    # `--cpu --num_processes 2` starts a single process in accelerate 1.15 (several CPU processes need
    # mpirun); `--multi_gpu` starts them through torchrun, and with no GPU visible they use gloo on CPU.
    accelerate = Path(sys.executable).parent / "accelerate"
    cmd = [str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", str(repo_root / "train_sft.py"),
           *argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "3", "--set", "sft.batch_size=2")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "sft" / "train_summary.json").read_text())
    assert summary["steps"] == 3
    assert summary["epochs"] == 0.75  # 2 processes x batch 2 = 4 examples a step, 16 examples an epoch
    records = run_logging.read_metrics(tmp_path / "logs" / "sft")
    assert [r["step"] for r in records if "loss" in r] == [1, 2, 3]  # one writer, not one per process


@pytest.mark.slow
def test_tiny_preset_on_the_sample_data_lowers_eval_loss(tmp_path, sample_dir, capsys):
    """The real embedded SmolLM2-135M with the tiny preset's settings (minutes on 2 cores)."""
    records = sample_records(sample_dir, 110)
    outputs.atomic_write_jsonl(tmp_path / "train.jsonl", records[:90])
    outputs.atomic_write_jsonl(tmp_path / "validation.jsonl", records[90:])
    argv = ["--output-dir", str(tmp_path / "sft"), "--wandb", "disabled", "--max-steps", "10",
            "--set", f"sft.train_file={tmp_path / 'train.jsonl'}",
            "--set", f"sft.validation_file={tmp_path / 'validation.jsonl'}",
            "--set", f"sft.logs_dir={tmp_path / 'logs'}"]
    code, out, err = run_main(argv, capsys)
    assert code == 0, err
    summary = json.loads((tmp_path / "sft" / "train_summary.json").read_text())
    assert summary["final_eval_loss"] < 0.9 * summary["initial_eval_loss"]
    assert "before" in out


# --------------------------------------------------------------------------- the LM head on answer tokens only


# --------------------------------------------------------------------------- Weights & Biases


def wandb_records(run_file: Path) -> list[bytes]:
    """The records of a W&B run file (.wandb): a ":W&B" header, then 32 KiB blocks of LevelDB-log-style
    chunks, each with a crc32 (seeded by its type), a length and a type (1 full, 2 first, 3 middle, 4 last)."""
    import struct
    import zlib

    data = run_file.read_bytes()
    ident, magic, version = struct.unpack("<4sHB", data[:7])
    assert (ident, magic, version) == (b":W&B", 0xBEE1, 0), "not a W&B run file"
    block, pos, records, parts = 32768, 7, [], []
    while pos + 7 <= len(data):
        if block - pos % block < 7:  # too little room left in this block for a chunk header: padding
            pos += block - pos % block
            continue
        crc, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        chunk = data[pos + 7:pos + 7 + length]
        if kind == 0 and length == 0:
            break
        assert zlib.crc32(chunk, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF == crc, f"bad checksum at byte {pos}"
        parts.append(chunk)
        if kind in (1, 4):
            records.append(b"".join(parts))
            parts = []
        pos += 7 + length
    return records


def _wandb_history(run_file: Path) -> list[dict]:
    """The metrics rows an offline W&B run file holds (its history records)."""
    from wandb.proto import wandb_internal_pb2

    rows = []
    for data in wandb_records(run_file):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(data)
        if record.WhichOneof("record_type") == "history":
            rows.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                         for item in record.history.item})
    return rows


def test_wandb_offline_writes_a_run_with_the_logged_metrics(tmp_path, tiny_llama_dir, splits, capsys, monkeypatch):
    pytest.importorskip("wandb")
    monkeypatch.delenv("WANDB_MODE", raising=False)  # conftest switches W&B off for every other test
    for var in ("WANDB_CONFIG_DIR", "WANDB_CACHE_DIR", "WANDB_DATA_DIR", "WANDB_ARTIFACT_DIR"):
        monkeypatch.setenv(var, str(tmp_path / "wandb-home"))
    argv = argv_for(tmp_path, tiny_llama_dir, splits, "--max-steps", "2")
    argv[argv.index("--wandb") + 1] = "offline"
    code, _, err = run_main(argv, capsys)
    assert code == 0, err

    run_dirs = list((tmp_path / "logs" / "sft" / "wandb").glob("offline-run-*"))
    assert len(run_dirs) == 1, list((tmp_path / "logs" / "sft").rglob("*"))
    run_files = list(run_dirs[0].glob("run-*.wandb"))
    assert len(run_files) == 1
    history = _wandb_history(run_files[0])
    metrics = run_logging.read_metrics(tmp_path / "logs" / "sft")
    logged = [r for r in metrics if "loss" in r]
    assert [r["step"] for r in logged] == [1, 2]
    for record in logged:  # every training record of metrics.jsonl is in the W&B run, with its values
        match = [h for h in history if h.get("_step") == record["step"] and "loss" in h]
        assert match and match[0]["loss"] == pytest.approx(record["loss"]), (record, history)
    assert any(h.get("eval_loss") == pytest.approx(metrics[0]["eval_loss"]) for h in history)
