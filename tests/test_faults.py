"""Fault injection (issue 26, "nothing lost under faults"): each stage runs in a child process that is killed
with SIGKILL at a seeded moment (the N-th call of a chosen function, optionally counted only inside another one),
or that meets a full disk (RLIMIT_FSIZE, SIGXFSZ ignored: writes fail with EFBIG), or resumes from a checkpoint
cut in half. After each fault the previous outputs are byte-identical (or, past a stage's commit point, replaced
by the killed run's complete output), and the re-run or --resume ends where an uninterrupted run ends.

Every moment is drawn with random.Random(seed) from the calls an uninterrupted run made (a target called once
is killed at that call), so a run is reproducible; each test records what it killed where (FAULTS_REPORT=<file>
collects the records as JSON lines).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from common import outputs
from training import runs

ROOT = Path(__file__).resolve().parent.parent
KILLED = -signal.SIGKILL
SAMPLE = ROOT / "data" / "sample"

# The child: hooks the targets in the order given, then runs a script's main() under cli.main_wrapper (as its
# `__main__` block does) or calls module:function. A hook counts the calls of its target (only while inside
# `within`, when given) and sends its own process SIGKILL before the call numbered `kill`.
CHILD = r"""
import atexit, importlib, json, os, signal, sys
spec = json.loads(sys.argv[1])
if spec["fsize"] is not None:  # a full disk: no file may grow past fsize bytes; a write past it fails (EFBIG)
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec["fsize"], resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
sys.path[:0] = [spec["root"], os.path.join(spec["root"], "tests")]
counts, depth = {}, {}
def owner(target):
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    *parents, name = attr.split(".")
    for p in parents:
        obj = getattr(obj, p)
    return obj, name
def hook(target, within=None, kill=None, scope=False):
    obj, name = owner(target)
    real, key = getattr(obj, name), target + ("@" + within if within else "")
    def wrapper(*args, **kwargs):
        if scope:
            depth[target] = depth.get(target, 0) + 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[target] -= 1
        if within is None or depth.get(within):
            counts[key] = counts.get(key, 0) + 1
            if counts[key] == kill:
                sys.stdout.flush(); sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(obj, name, wrapper)
for h in spec["hooks"]:
    hook(**h)
if spec.get("counts"):
    atexit.register(lambda: open(spec["counts"], "w").write(json.dumps(counts)))
module, _, function = spec["run"].partition(":")
mod = importlib.import_module(module)
if function:
    getattr(mod, function)(*spec["argv"])
else:
    from common import cli
    sys.exit(cli.main_wrapper(mod.main, spec["argv"]))
"""


def child(cwd: Path, run: str, argv: list, hooks=(), counts: Path | None = None, fsize: int | None = None,
          stdin: str = "") -> subprocess.CompletedProcess:
    """Run `run` (a script module, or module:function) in a child process with the hooks; fsize: RLIMIT_FSIZE."""
    spec = {"root": str(ROOT), "run": run, "argv": [str(a) for a in argv], "hooks": list(hooks),
            "counts": str(counts) if counts else None, "fsize": fsize}
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "WANDB_MODE": "disabled",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "XDG_CACHE_HOME": str(cwd / ".cache"), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def counted(cwd: Path, run: str, argv: list, hooks) -> dict:
    """The calls an uninterrupted run makes of each hooked target (it must succeed)."""
    path = cwd / f".counts-{len(list(cwd.glob('.counts-*')))}.json"
    proc = child(cwd, run, argv, hooks, counts=path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(path.read_text())


def kill_at(cwd: Path, run: str, argv: list, hooks, key: str, n: int, log: list, what: str):
    """Run with the hooks, killed before call n of key; records the moment. (stdin: y, for the chat's question.)"""
    target, _, within = key.partition("@")
    armed = [dict(h, kill=n) if h["target"] == target and h.get("within") == (within or None) else h for h in hooks]
    proc = child(cwd, run, argv, armed, stdin="y\n")
    log.append(f"{what}: SIGKILL before call {n} of {key} -> exit {proc.returncode}")
    assert proc.returncode == KILLED, f"{what}: the run was not killed at call {n} of {key}:\n{proc.stderr[-3000:]}"
    return proc


STAGING = re.compile(r"^\..+\.partial$|^\.partial$|\.old-\d+(\.deleting)?$|\.deleting$|^\..+\.tmp$|-export-|"
                     r"^\.write-test-|^\.counts-|^\.cache$")


def snapshot(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under folder, skipping only the documented staging names."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not STAGING.search(d)]
        for name in filenames:
            if not STAGING.search(name):
                path = Path(dirpath) / name
                out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def one_clear_line(proc) -> bool:
    """A failure that ends in exactly one `error:` line, a non-zero exit and no traceback."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    return (proc.returncode not in (0, KILLED) and bool(lines) and lines[-1].startswith("error: ")
            and "Traceback" not in proc.stderr and sum(line.startswith("error: ") for line in lines) == 1)


@pytest.fixture
def log(request):
    """The test's record of what it killed where and what it found (FAULTS_REPORT=<file> collects them)."""
    events: list[str] = []
    yield events
    print("\n".join(events))
    if os.environ.get("FAULTS_REPORT"):
        with open(os.environ["FAULTS_REPORT"], "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"test": request.node.name, "events": events}) + "\n")


def leftovers(folder: Path) -> list[str]:
    """Staging names left in folder (the test's own .counts-* and .cache aside)."""
    return sorted(p.name for p in folder.iterdir() if STAGING.search(p.name) and p.name != ".cache"
                  and not p.name.startswith(".counts-"))


def tensors(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(path))


def same_tensors(a: Path, b: Path) -> bool:
    import torch

    x, y = tensors(a), tensors(b)
    return x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x)


def staged_checkpoint(out: Path) -> Path | None:
    return runs.last_checkpoint(outputs.staging_dir(out) / runs.CHECKPOINTS)


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


# --------------------------------------------------------------------------- training (SFT and PPO)

SWAP = [{"target": "os:replace", "within": "common.outputs:swap_in"},
        {"target": "common.outputs:swap_in", "scope": True}]


def keep_reference(out: Path, run_dir: Path, ref: Path) -> Path:
    """The uninterrupted run's adapter and metrics, copied before the faults replace them."""
    ref.mkdir()
    (ref / "adapter_model.safetensors").write_bytes((out / "adapter_model.safetensors").read_bytes())
    (ref / "metrics.jsonl").write_bytes((run_dir / "metrics.jsonl").read_bytes())
    return ref


def check_training_fault(work: Path, out: Path, run_dir: Path, previous: dict, ref: Path, log: list,
                         what: str) -> bool:
    """After a fault: put back what a kill inside swap_in left aside (what the next run does first); then the
    previous output and its log are byte-identical, or (killed past the output's swap, the commit point) out is
    the finished run: the uninterrupted run's adapter. Returns whether the killed run had committed."""
    outputs.recover_swap(out)
    outputs.recover_swap(run_dir)
    now = snapshot(work)
    committed = {k: v for k, v in now.items() if k.startswith(out.name + "/")} != \
        {k: v for k, v in previous.items() if k.startswith(out.name + "/")}
    if committed:
        assert not outputs.staging_dir(out).exists(), f"{what}: out was swapped in but its stage is still there"
        assert same_tensors(out / "adapter_model.safetensors", ref / "adapter_model.safetensors")
        log_is_new = {k: v for k, v in now.items() if k.startswith("logs/")} != \
            {k: v for k, v in previous.items() if k.startswith("logs/")}
        stranded = outputs.staging_dir(run_dir).exists() or (run_dir.parent / ".partial" / run_dir.name).exists()
        log.append(f"{what}: past the commit point: the output is the finished run's (adapter identical to the "
                   f"uninterrupted run's); the run log is the {'new' if log_is_new else 'previous'} one"
                   + ("; the new log is still in logs/.partial" if stranded else ""))
    else:
        log.append(f"{what}: previous output and run log byte-identical: True")
    return committed


def finish(work: Path, run: str, argv: list, out: Path, log: list, what: str) -> subprocess.CompletedProcess:
    """--resume when the staging folder holds a checkpoint, else --force; the run must finish."""
    mode = "--resume" if staged_checkpoint(out) else "--force"
    proc = child(work, run, argv + [mode])
    log.append(f"{what}: {mode} -> exit {proc.returncode}")
    assert proc.returncode == 0, f"{what}: {mode} failed:\n{proc.stderr[-3000:]}"
    return proc


def train_steps(metrics: Path) -> list[int]:
    return [r["step"] for r in map(json.loads, metrics.read_text().splitlines()) if "loss" in r or "reward_mean" in r]


def assert_like_reference(out: Path, run_dir: Path, ref: Path, steps: int, log: list) -> None:
    """The finished run: the uninterrupted run's steps, adapter (bit for bit) and logged steps; no staging left."""
    summary = json.loads((out / runs.SUMMARY_FILE).read_text())
    assert summary["steps"] == steps
    assert same_tensors(out / "adapter_model.safetensors", ref / "adapter_model.safetensors"), \
        "the final adapter differs from the uninterrupted run's"
    assert train_steps(run_dir / "metrics.jsonl") == train_steps(ref / "metrics.jsonl")
    partial = run_dir.parent / ".partial"
    left = leftovers(out.parent) + ([p.name for p in partial.iterdir()] if partial.is_dir() else [])
    assert left == [], f"staging folders left after the run finished: {left}"
    log.append(f"final: steps {summary['steps']} (uninterrupted: {steps}), adapter bit-identical to the "
               "uninterrupted run's, the same logged steps, no staging folders left")


def full_disk(work: Path, run: str, argv: list, out: Path, log: list, what: str) -> None:
    """A run that meets a full disk (no file may grow past 1 MB: tokenizer.json is 3.5 MB) ends in one line."""
    mode = "--resume" if staged_checkpoint(out) else "--force"
    proc = child(work, run, argv + [mode], fsize=1 << 20)
    log.append(f"{what} ({mode}): exit {proc.returncode}, last line: {proc.stderr.strip().splitlines()[-1]}")
    assert one_clear_line(proc) and "the disk is full" in proc.stderr, proc.stderr[-3000:]


def sft_argv(work: Path, tiny: Path, splits: Path) -> list:
    return ["--model", tiny, "--output-dir", work / "sft", "--wandb", "disabled", "--max-steps", "4",
            "--set", f"sft.train_file={splits / 'train.jsonl'}",
            "--set", f"sft.validation_file={splits / 'validation.jsonl'}",
            "--set", f"sft.logs_dir={work / 'logs'}", "--set", "sft.run_name=sft", "--set", "sft.max_samples=0",
            "--set", "sft.permute_options=0", "--set", "sft.batch_size=4", "--set", "sft.eval_batch_size=4",
            "--set", "sft.learning_rate=0.01", "--set", "sft.warmup_ratio=0", "--set", "sft.lr_scheduler=constant",
            "--set", "sft.logging_steps=1", "--set", "sft.eval_steps=100", "--set", "sft.save_steps=1",
            "--set", "sft.save_total_limit=2", "--set", "sft.torch_threads=1", "--set", "lora.r=4",
            "--set", "lora.alpha=8"]


# the checkpoint's own files: optimizer, scheduler, RNG state, training args (the adapter is safetensors)
SFT_CHECKPOINT = [{"target": "torch:save", "within": "transformers.trainer:Trainer._save_checkpoint"},
                  {"target": "transformers.trainer:Trainer._save_checkpoint", "scope": True}]


@pytest.mark.slow
def test_sft_survives_kills_a_full_disk_and_a_truncated_checkpoint(tmp_path, tiny_llama_dir, splits, log):
    rng, work = random.Random(2601), tmp_path / "work"
    work.mkdir()
    hooks, argv = SWAP + SFT_CHECKPOINT, sft_argv(work, tiny_llama_dir, splits)
    counts = counted(work, "train_sft", argv, hooks)  # the uninterrupted run: the previous output, and the reference
    out, run_dir = work / "sft", work / "logs" / "sft"
    ref, previous = keep_reference(out, run_dir, tmp_path / "ref"), snapshot(work)

    # 1. killed while it writes checkpoint 2, 3 or 4 (the N-th torch.save inside Trainer._save_checkpoint)
    key = "torch:save@transformers.trainer:Trainer._save_checkpoint"
    n = rng.randint(counts[key] // 4 + 1, counts[key])
    kill_at(work, "train_sft", argv + ["--force"], hooks, key, n, log, "SFT kill 1 (--force)")
    assert not check_training_fault(work, out, run_dir, previous, ref, log, "SFT kill 1")
    log.append(f"SFT kill 1: the newest whole checkpoint left: {staged_checkpoint(out).name}")

    # 2. a full disk: the next checkpoint's tokenizer.json does not fit
    full_disk(work, "train_sft", argv, out, log, "SFT full disk")
    assert not check_training_fault(work, out, run_dir, previous, ref, log, "SFT full disk")

    # 3. killed inside swap_in past the output's rename (the N-th os.replace there, as a run replacing an output
    # makes them: 1 out aside, 2 the stage in, 3 the old output away, 4-6 the same for the run log)
    key = "os:replace@common.outputs:swap_in"
    kill_at(work, "train_sft", argv + ["--resume"], hooks, key, rng.randint(3, 6), log, "SFT kill 2 (--resume)")
    assert check_training_fault(work, out, run_dir, previous, ref, log, "SFT kill 2")

    # 4. the finished output's newest checkpoint with its weights cut in half: --resume --force trains on from the
    # checkpoint before it (a note names the damaged one) and reaches the uninterrupted run's adapter
    newest = runs.last_checkpoint(out / runs.CHECKPOINTS)
    cut_in_half(newest / "adapter_model.safetensors")
    proc = child(work, "train_sft", argv + ["--resume", "--force"])
    notes = [line for line in proc.stderr.splitlines() if line.startswith("note: skipping")]
    log.append(f"SFT: {newest.name}/adapter_model.safetensors cut in half, --resume --force: exit {proc.returncode}; "
               f"{notes[0][:60] + '...' if notes else 'no note'}")
    assert proc.returncode == 0 and notes, proc.stderr[-3000:]
    assert_like_reference(out, run_dir, ref, 4, log)


def ppo_argv(work: Path, tiny: Path, sft: Path, train_file: Path) -> list:
    return ["--model", tiny, "--sft-adapter", sft, "--output-dir", work / "ppo", "--wandb", "disabled",
            "--max-steps", "3", "--set", f"ppo.train_file={train_file}", "--set", f"ppo.logs_dir={work / 'logs'}",
            "--set", "ppo.run_name=ppo", "--set", "ppo.batch_size=2", "--set", "ppo.mini_batch_size=1",
            "--set", "ppo.ppo_epochs=1", "--set", "ppo.max_new_tokens=4", "--set", "ppo.learning_rate=1e-3",
            "--set", "ppo.save_steps=1", "--set", "ppo.save_total_limit=2", "--set", "ppo.advantage=gae",
            "--set", "ppo.samples_per_question=1", "--set", "ppo.num_examples=8", "--set", "ppo.torch_threads=1"]


# inside save_checkpoint: the adapter's files moved out of PEFT's folder, trainer_state.json, the manifest, the rename
PPO_CHECKPOINT = [{"target": "os:replace", "within": "training.ppo:save_checkpoint"},
                  {"target": "training.ppo:save_checkpoint", "scope": True}]


@pytest.mark.slow
def test_ppo_survives_kills_a_full_disk_and_a_truncated_checkpoint(tmp_path, tiny_llama_dir, sft_dir, train_file,
                                                                    log):
    rng, work = random.Random(2602), tmp_path / "work"
    work.mkdir()
    hooks, argv = SWAP + PPO_CHECKPOINT, ppo_argv(work, tiny_llama_dir, sft_dir, train_file)
    counts = counted(work, "train_ppo", argv, hooks)
    out, run_dir = work / "ppo", work / "logs" / "ppo"
    ref, previous = keep_reference(out, run_dir, tmp_path / "ref"), snapshot(work)

    # 1. killed inside save_checkpoint of step 2 or 3
    key = "os:replace@training.ppo:save_checkpoint"
    n = rng.randint(counts[key] // 3 + 1, counts[key])
    kill_at(work, "train_ppo", argv + ["--force"], hooks, key, n, log, "PPO kill 1 (--force)")
    assert not check_training_fault(work, out, run_dir, previous, ref, log, "PPO kill 1")
    log.append(f"PPO kill 1: the newest whole checkpoint left: {staged_checkpoint(out).name}")

    # 2. a full disk: the final tokenizer.json does not fit (every checkpoint did)
    full_disk(work, "train_ppo", argv, out, log, "PPO full disk")
    assert not check_training_fault(work, out, run_dir, previous, ref, log, "PPO full disk")

    # 3. the newest staged checkpoint's trainer_state.json cut in half; --resume is killed inside swap_in before
    # the output's rename (so the stage keeps a checkpoint at the last step)
    newest = staged_checkpoint(out)
    cut_in_half(newest / "trainer_state.json")
    log.append(f"PPO: {newest.name}/trainer_state.json cut in half")
    key = "os:replace@common.outputs:swap_in"
    kill_at(work, "train_ppo", argv + ["--resume"], hooks, key, rng.randint(1, 2), log, "PPO kill 2 (--resume)")
    assert not check_training_fault(work, out, run_dir, previous, ref, log, "PPO kill 2")
    log.append(f"PPO kill 2: the newest whole checkpoint left: {staged_checkpoint(out).name}")

    # 4. --resume from the checkpoint at the last step: only the output is left to write
    finish(work, "train_ppo", argv, out, log, "PPO after kill 2")
    assert_like_reference(out, run_dir, ref, 3, log)


# --------------------------------------------------------------------------- data_processor.py


def data_argv(out: Path) -> list:
    return ["--medqa", SAMPLE / "medqa.jsonl", "--medmcqa", SAMPLE / "medmcqa.jsonl", "--output-dir", out,
            "--max-samples", "40"]


@pytest.mark.slow
def test_data_processor_keeps_the_previous_splits(tmp_path, log):
    """The previous splits (seed 42) are replaced by a run with another seed, killed at seeded moments: after each
    kill the folder holds the previous splits or (past the swap) the new run's, byte for byte, never a mix."""
    rng, ref, work = random.Random(2603), tmp_path / "ref", tmp_path / "work"
    ref.mkdir(), work.mkdir()
    hooks = [{"target": "os:replace"}, {"target": "os:replace", "within": "common.outputs:swap_in"},
             {"target": "common.outputs:swap_in", "scope": True}]
    out, new = work / "processed", ["--seed", "7"]
    assert child(ref, "data_processor", data_argv(ref / "processed") + new).returncode == 0  # the new, uninterrupted
    assert child(work, "data_processor", data_argv(out)).returncode == 0  # the previous splits
    previous = snapshot(work)
    counts = counted(work, "data_processor", data_argv(out), hooks)  # a run that replaces them (the same bytes)
    assert snapshot(work) == previous
    splits = ("processed/train.jsonl", "processed/validation.jsonl", "processed/stats.json")
    fresh = [snapshot(ref)[n] for n in splits]  # (config.json names its own output folder)
    moments = [("os:replace", n) for n in sorted(rng.sample(range(1, counts["os:replace"] + 1), 3))]
    moments.append(("os:replace@common.outputs:swap_in", rng.randint(1, counts["os:replace@common.outputs:swap_in"])))
    for key, n in moments:
        kill_at(work, "data_processor", data_argv(out) + new, hooks, key, n, log, "data (--seed 7)")
        outputs.recover_swap(out)  # what the next run (or a reader: the trainers verify the manifest) does first
        now = snapshot(work)
        whole = now == previous or [now.get(name) for name in splits] == fresh
        outputs.verify_manifest(out / outputs.MANIFEST_FILE)
        log.append(f"data: after call {n} of {key}: the previous splits byte-identical: {now == previous}"
                   + ("" if now == previous else f"; the new run's whole splits: {whole}"))
        assert whole, f"data: a mix of splits after a kill at call {n} of {key}"
        if now != previous:  # past the commit: that run's splits are the previous ones now
            previous = now
    proc = child(work, "data_processor", data_argv(out) + new, fsize=4096)
    log.append(f"data full disk: exit {proc.returncode}, last line: {proc.stderr.strip().splitlines()[-1]}")
    assert one_clear_line(proc) and "the disk is full" in proc.stderr, proc.stderr[-3000:]
    assert snapshot(work) == previous
    proc = child(work, "data_processor", data_argv(out) + new)
    assert proc.returncode == 0 and [snapshot(work)[n] for n in splits] == fresh and leftovers(work) == []
    log.append("data final: the re-run exits 0, its splits identical to the uninterrupted run's, no staging left")


# --------------------------------------------------------------------------- export_gguf.py


def export_argv(work: Path, tiny: Path, adapter: Path, splits: Path) -> list:
    return ["--model", tiny, "--adapter", adapter, "--output-dir", work / "out", "--quant", "Q8_0",
            "--set", f"export.log_file={work / 'export.log'}", "--set", f"eval.output_dir={work / 'eval'}",
            "--set", f"export.validation_file={splits / 'validation.jsonl'}",
            "--set", "export.faithfulness_questions=2", "--set", "export.faithfulness_max_tokens=4",
            "--set", "export.faithfulness_generate=0"]


PUBLISH = [{"target": "os:replace", "within": "export_gguf:publish"}, {"target": "export_gguf:publish", "scope": True}]


def whole_export(out: Path) -> dict:
    """The chat's own check (the GGUF, metadata and Modelfile against the manifest) passes; -> the snapshot."""
    from chat import runtime

    runtime.verify_export(out / "medllm_finetuning.gguf")
    assert leftovers(out) == [], f"the export left {leftovers(out)}"
    return snapshot(out)


@pytest.mark.slow
def test_export_keeps_a_whole_export_through_a_kill_and_a_full_disk(tmp_path, tiny_llama_dir, sft_dir, splits, log,
                                                                     monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))  # the chat's sha256 cache
    rng, out = random.Random(2604), tmp_path / "out"
    argv = export_argv(tmp_path, tiny_llama_dir, sft_dir, splits)
    counts = counted(tmp_path, "export_gguf", argv, PUBLISH)  # the previous export
    previous = whole_export(out)
    gguf = "medllm_finetuning.gguf"

    # 1. killed inside publish while the three files and the manifest are renamed into place (the last 4 calls)
    key = "os:replace@export_gguf:publish"
    n = rng.randint(counts[key] - 3, counts[key])
    kill_at(tmp_path, "export_gguf", argv + ["--force"], PUBLISH, key, n, log, "export kill (--force)")

    # 2. a full disk (no file above 1 MB: the merged model does not fit); the run first finishes or undoes the
    # publish the kill cut short: the set is the previous export or the killed run's, whole either way
    proc = child(tmp_path, "export_gguf", argv + ["--force"], fsize=1 << 20)
    log.append(f"export full disk (--force): exit {proc.returncode}, last line: {proc.stderr.strip().splitlines()[-1]}")
    assert one_clear_line(proc) and "the disk is full" in proc.stderr, proc.stderr[-3000:]
    now = whole_export(out)
    log.append(f"export kill: the export in place is whole; byte-identical to the previous one: {now == previous}"
               + ("" if now == previous else f"; it is the killed run's (same GGUF: {now[gguf] == previous[gguf]})"))
    assert now == previous or now[gguf] == previous[gguf]

    # 3. the re-run finishes, with the same GGUF
    proc = child(tmp_path, "export_gguf", argv + ["--force"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert whole_export(out)[gguf] == previous[gguf]
    log.append("export final: --force re-run exit 0, whole export, the same GGUF bytes as the uninterrupted export")


# --------------------------------------------------------------------------- the chat's save


def chat_save(folder: str, target: str) -> None:
    """(In the child) a one-question session on the fake model, saved by the chat's `save` command (stdin: y)."""
    from rich.console import Console

    from chat.terminal import TerminalChat
    from conftest import fake_session

    session = fake_session(Path(folder))
    session.ask("Which drug lowers blood glucose first in type 2 diabetes?")
    TerminalChat(session, Console(width=200)).save(target)


SAVE = [{"target": "os:fsync", "within": "common.cli:atomic_write_json"},
        {"target": "os:replace", "within": "common.cli:atomic_write_json"},
        {"target": "common.cli:atomic_write_json", "scope": True}]


@pytest.mark.slow
def test_chat_save_keeps_the_previous_session_file(tmp_path, log):
    sessions, save = tmp_path / "sessions", "test_faults:chat_save"
    sessions.mkdir()
    args = [tmp_path, sessions / "session.json"]
    assert child(tmp_path, save, args).returncode == 0
    previous = snapshot(sessions)
    for key in ("os:fsync@common.cli:atomic_write_json", "os:replace@common.cli:atomic_write_json"):  # one call each
        kill_at(tmp_path, save, args, SAVE, key, 1, log, "chat save over the previous file (y)")
        assert snapshot(sessions) == previous
        log.append(f"chat save: previous session file byte-identical: True; temp files: {len(leftovers(sessions))}")
    temps = leftovers(sessions)
    proc = child(tmp_path, save, args, fsize=512, stdin="y\n")
    lines = [line for line in proc.stdout.splitlines() if "Could not save" in line]
    log.append(f"chat save on a full disk: exit {proc.returncode}, {lines[0].split('? [y/N] ')[-1][-110:]}")
    assert proc.returncode == 0 and len(lines) == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert snapshot(sessions) == previous and leftovers(sessions) == temps  # its own temp file removed
    proc = child(tmp_path, save, args, stdin="y\n")
    assert proc.returncode == 0 and "Saved 1 turn" in proc.stdout, proc.stdout + proc.stderr
    saved = json.loads(args[1].read_text())
    assert saved["format"] == "medllm-session/1" and len(saved["turns"]) == 1
    log.append("chat save final: the re-save writes a whole session file (1 turn)")
