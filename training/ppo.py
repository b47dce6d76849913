"""PPO library: the questions and the reward, saving and resuming, and the run (`train(cfg)`).

train_ppo.py is the command line over `train(cfg)`; its docstring describes one step. The math is in
training.ppo_core, the model side (generation, log-probs, the update) in training.ppo_learner.
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from pathlib import Path
from typing import Any

import torch

from common import cli, mcq_format, modeling, run_logging
from common.errors import UserError
from common.outputs import atomic_write_json, file_sha256, staging_dir, swap_in
from training.ppo_learner import (POLICY, Learner, RewardFn, attach_adapters, make_accelerator, make_learner,
                                  ppo_step)
from training.runs import (CHECKPOINTS, SUMMARY_FILE, StopOnInterrupt, TrainResult, begin_log_stage, begin_stage,
                           check_common_settings, check_log_dir, check_output_dir, read_split, require,
                           run_log_dir, seal_checkpoint)

VALUE_HEAD_FILE = "value_head.safetensors"
ADVANTAGES = ("gae", "rloo")


# --------------------------------------------------------------------------- inputs


def check_settings(ppo) -> None:
    """UserError for settings PPO cannot run with (each names its allowed range)."""
    check_common_settings(ppo, "ppo")
    require(ppo.value_learning_rate > 0, "ppo.value_learning_rate", ppo.value_learning_rate, "above 0")
    require(0 < ppo.clip_eps, "ppo.clip_eps", ppo.clip_eps, "above 0, e.g. 0.2")
    require(0 < ppo.value_clip_eps, "ppo.value_clip_eps", ppo.value_clip_eps, "above 0, e.g. 0.2")
    require(ppo.kl_coef >= 0, "ppo.kl_coef", ppo.kl_coef, "0 or more")
    require(0 <= ppo.gamma <= 1 and 0 <= ppo.lam <= 1, "ppo.gamma and ppo.lam", (ppo.gamma, ppo.lam),
            "between 0 and 1")
    require(ppo.top_k >= 0, "ppo.top_k", ppo.top_k, "0 (off) or more")
    require(0 < ppo.top_p <= 1, "ppo.top_p", ppo.top_p, "above 0 and at most 1")
    positive = ("batch_size", "mini_batch_size", "micro_batch_size", "samples_per_question", "ppo_epochs",
                "max_new_tokens", "save_steps", "logging_steps")
    for name in positive:
        if getattr(ppo, name) < 1:
            raise UserError(f"ppo.{name} must be at least 1, not {getattr(ppo, name)}")
    if ppo.advantage not in ADVANTAGES:
        raise UserError(f"ppo.advantage must be one of {', '.join(ADVANTAGES)}, not {ppo.advantage!r}")
    if ppo.advantage == "rloo" and ppo.samples_per_question < 2:
        raise UserError("ppo.advantage=rloo needs ppo.samples_per_question of 2 or more (its baseline is the "
                        f"other answers to the same question), not {ppo.samples_per_question}")
    if ppo.temperature <= 0:
        raise UserError(f"ppo.temperature must be above 0, not {ppo.temperature} (PPO needs sampled answers)")
    if ppo.num_examples < 0 or ppo.max_samples < 0:
        raise UserError("ppo.num_examples and ppo.max_samples must be 0 (all) or positive")
    if ppo.epochs <= 0 and ppo.max_steps <= 0:
        raise UserError("nothing to train: give --epochs above 0 or --max-steps above 0")
    if ppo.wandb not in run_logging.WANDB_MODES:
        raise UserError(f"ppo.wandb must be one of {', '.join(run_logging.WANDB_MODES)}, not {ppo.wandb!r}")


def check_sft_adapter(path: str | os.PathLike) -> Path:
    """The SFT adapter folder PPO starts from; UserError naming the command that makes it."""
    path = Path(path)
    if not (path / "adapter_config.json").is_file() or not (path / "adapter_model.safetensors").is_file():
        raise UserError(
            f"no SFT adapter in {path}: run `python train_sft.py` first (it writes models/sft), "
            "or pass the folder of one with --sft-adapter"
        )
    return path


def _is_question_record(row: dict) -> bool:
    return bool(row["question"]) and isinstance(row["options"], dict) and row["answer"] in row["options"]


def sft_rows_seen(ppo, path: Path) -> int | None:
    """How many leading rows of the PPO train file SFT trained on, or None when unknown (no summary, another file).

    SFT's train_summary.json names its train_file, that file's sha256 and train_rows: SFT saw the first
    train_rows rows. The sha256 decides, so a copy of the same file under another name counts as the same.
    """
    summary_file = Path(ppo.sft_adapter) / SUMMARY_FILE
    try:
        summary = json.loads(summary_file.read_text())
        digest, rows = summary["train_file_sha256"], int(summary["train_rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return rows if digest == file_sha256(path) else None


def select_questions(ppo) -> list[dict]:
    """The questions PPO samples from: rows of ppo.source, shuffled with the seed, num_examples of them.

    When SFT trained on this very file, the rows it did not see come first (each group shuffled with the
    seed); every row carries "_sft_seen" (True, False, or None when unknown) for question_overlap.
    """
    path = Path(ppo.train_file)
    fix = "run `python data_processor.py` first (or point --set ppo.train_file at a processed split)"
    seen_rows = sft_rows_seen(ppo, path) if path.is_file() else None
    rows = []
    for number, row in enumerate(read_split(path, "training", fix, _is_question_record,
                                            "a question record with options and an answer letter")):
        if not ppo.source or row.get("source") == ppo.source:
            rows.append({**row, "_sft_seen": None if seen_rows is None else number < seen_rows})
    if not rows:
        where = f"with source {ppo.source!r} " if ppo.source else ""
        raise UserError(
            f"the PPO subset is empty: {path} has no rows {where}(use --set ppo.source= for every source, "
            "or rebuild the data with `python data_processor.py`)"
        )
    unseen, seen = [r for r in rows if not r["_sft_seen"]], [r for r in rows if r["_sft_seen"]]
    random.Random(ppo.seed).shuffle(unseen)
    random.Random(ppo.seed + 1).shuffle(seen)
    rows = unseen + seen
    limit = min([n for n in (ppo.num_examples, ppo.max_samples) if n > 0], default=0)
    return rows[:limit] if limit else rows


def question_overlap(records: list[dict]) -> dict:
    """How many of PPO's questions SFT trained on: {sft_seen_questions, sft_seen_fraction} (None when unknown)."""
    if not records or any(r.get("_sft_seen") is None for r in records):
        return {"sft_seen_questions": None, "sft_seen_fraction": None}
    n = sum(bool(r["_sft_seen"]) for r in records)
    return {"sft_seen_questions": n, "sft_seen_fraction": round(n / len(records), 4)}


def check_not_validation(train_file: str | os.PathLike, validation_files) -> None:
    """UserError when PPO's train file is a validation split (the same path or the same bytes)."""
    train = Path(train_file)
    if not train.is_file():
        return  # read_split names the missing file
    train_digest = None  # hashed once, and only against a file of the same size (the same bytes need it)
    for other in validation_files:
        other = Path(other) if other else None
        if not (other and other.is_file()):
            continue
        same = other.resolve() == train.resolve()
        if not same and other.stat().st_size == train.stat().st_size:
            train_digest = train_digest or file_sha256(train)
            same = file_sha256(other) == train_digest
        if same:
            raise UserError(f"ppo.train_file {train} is the validation split {other}: PPO samples training "
                            "questions only (point --set ppo.train_file at data/processed/train.jsonl)")


def encode_prompts(tokenizer, records: list[dict], system_prompt: str, max_len: int) -> tuple[list, list[dict]]:
    """Chat-template token ids of each question's prompt (system + user turns), skipping those over max_len."""
    if not getattr(tokenizer, "chat_template", None):
        raise UserError("the tokenizer has no chat template; PPO needs an instruction-tuned (chat) base model")
    ids, kept = [], []
    for record in records:
        messages = record.get("messages") or []
        system = messages[0]["content"] if messages and messages[0].get("role") == "system" else system_prompt
        text = tokenizer.apply_chat_template(
            mcq_format.prompt_messages(record, system), add_generation_prompt=True, tokenize=False
        )
        tokens = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(tokens) <= max_len:
            ids.append(tokens)
            kept.append(record)
    if not ids:
        raise UserError(
            f"every PPO prompt is longer than {max_len} tokens: raise --set model.max_seq_length or lower "
            "--set ppo.max_new_tokens"
        )
    return ids, kept


def balanced_variants(tokenizer, records: list[dict], prompts: list, k: int, system_prompt: str,
                      seed: int) -> list[list[tuple[list[int], dict]]]:
    """For each question, k (prompt ids, record) pairs: the question as it is, then k-1 copies with the options
    permuted so that answer j sits j letters after the original's (cyclically; mcq_format.permute_options).

    With these as a question's k answers, a batch rewards the same letter on one copy and penalises it on
    another, so PPO cannot raise its reward by moving its letter preference, only by reading the question.
    """
    out = []
    for i, (ids, record) in enumerate(zip(prompts, records)):
        rng = random.Random(seed * 1_000_003 + i)
        copies = [mcq_format.permute_options(record, rng, answer_at=mcq_format.letter_after_answer(record, j),
                                             keep_explanation=False) for j in range(1, k)]
        # no length limit: a copy holds the original's words (which passed it), reordered
        copy_ids, _ = encode_prompts(tokenizer, copies, system_prompt, max_len=10**9) if copies else ([], [])
        out.append([(ids, record)] + list(zip(copy_ids, copies)))
    return out


def left_pad(sequences: list[list[int]], pad_id: int, device) -> tuple[Any, Any]:
    """(ids, attention mask), padded on the left so every prompt ends where generation starts."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        if seq:
            ids[row, width - len(seq):] = torch.tensor(seq)
            mask[row, width - len(seq):] = 1
    return ids.to(device), mask.to(device)


# --------------------------------------------------------------------------- policy and reward


def load_policy(cfg, sft_dir: Path):
    """(model with both adapters, tokenizer, backend); UserError when the adapter fits another base."""
    model, tokenizer, backend = modeling.load_base_model(cfg.model)
    modeling.check_adapter_matches(sft_dir, model)
    return attach_adapters(model, sft_dir), tokenizer, backend


def mcq_reward_fn(tokenizer, records: list[dict], ppo) -> RewardFn:
    """The rule reward on decoded answers: ppo.reward_correct for the right letter, ppo.reward_wrong otherwise."""

    def reward(response, mask):
        texts = tokenizer.batch_decode(response, skip_special_tokens=True)
        scores, correct = [], []
        for text, record in zip(texts, records):
            scores.append(mcq_format.correctness_reward(
                text, record["answer"], record["options"], ppo.reward_correct, ppo.reward_wrong
            ))
            correct.append(mcq_format.extract_answer(text, record["options"]) == record["answer"])
        return scores, {"accuracy": sum(correct) / len(correct), "sample": texts[0][:200]}

    return reward


# --------------------------------------------------------------------------- saving


def save_adapter(learner: Learner, folder: Path) -> None:
    """The "ppo" adapter as a plain PEFT folder (PEFT would nest a non-default adapter in ppo/)."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".peft-save"
    shutil.rmtree(tmp, ignore_errors=True)
    learner.model.save_pretrained(str(tmp), selected_adapters=[POLICY])
    nested = tmp / POLICY
    for src in (nested, tmp):
        if src.is_dir():
            for item in src.iterdir():
                if item.is_file():
                    os.replace(item, folder / item.name)
    shutil.rmtree(tmp, ignore_errors=True)
    head = learner.policy.value_head
    save_file({k: v.detach().cpu().contiguous() for k, v in head.state_dict().items()}, str(folder / VALUE_HEAD_FILE))


def save_checkpoint(learner: Learner, out: Path, step: int, history: list[dict], keep: int) -> Path:
    """checkpoints/checkpoint-<step>: adapter, value head, optimizer state, step and history."""
    root = out / CHECKPOINTS
    final = root / f"checkpoint-{step}"
    tmp = root / f".checkpoint-{step}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    save_adapter(learner, tmp)
    torch.save(learner.optimizer.state_dict(), tmp / "optimizer.pt")
    atomic_write_json(tmp / "trainer_state.json", {"step": step, "history": history})
    seal_checkpoint(tmp)
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    older = sorted((p for p in root.glob("checkpoint-*") if p.name[11:].isdigit()), key=lambda p: int(p.name[11:]))
    for stale in older[:-keep] if keep > 0 else []:
        shutil.rmtree(stale, ignore_errors=True)
    return final


def load_checkpoint(learner: Learner, ckpt: Path) -> tuple[int, list[dict]]:
    """Restore adapter, value head and optimizer from a checkpoint -> (step, history)."""
    from peft import set_peft_model_state_dict
    from peft.utils import load_peft_weights
    from safetensors.torch import load_file

    device = next(learner.policy.value_head.parameters()).device
    weights = load_peft_weights(str(ckpt), device=str(device))
    result = set_peft_model_state_dict(learner.model, weights, adapter_name=POLICY)
    if getattr(result, "unexpected_keys", None):
        raise UserError(f"{ckpt} does not fit this model (unexpected weights); start over with --force")
    learner.model.set_adapter(POLICY)
    learner.policy.value_head.load_state_dict(load_file(str(ckpt / VALUE_HEAD_FILE), device=str(device)))
    learner.optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", map_location=device, weights_only=True))
    state = json.loads((ckpt / "trainer_state.json").read_text())
    return int(state["step"]), list(state["history"])


# --------------------------------------------------------------------------- the run



def summarize(history: list[dict]) -> dict:
    """Start / end figures: means over the first and the last quarter of the steps (at least one step); PPO's and
    GRPO's (training.grpo) logs alike."""
    window = max(1, len(history) // 4)
    first, last = history[:window], history[-window:]

    def mean(rows, key):  # over the rows that have the figure (a GRPO log step may lack one); None if none has
        values = [r[key] for r in rows if r.get(key) is not None]
        return round(sum(values) / len(values), 4) if values else None

    time_s = sum(r["step_time_s"] for r in history)
    return {
        "reward_start": mean(first, "reward_mean"),
        "reward_end": mean(last, "reward_mean"),
        "accuracy_start": mean(first, "accuracy"),
        "accuracy_end": mean(last, "accuracy"),
        "kl_end": mean(last, "kl"),
        "steps": len(history),
        "tokens_per_s": round(sum(r["tokens"] for r in history) / max(time_s, 1e-9), 2),
        "window_steps": window,
    }


def eos_token_ids(model, tokenizer) -> list[int]:
    ids = model.generation_config.eos_token_id if getattr(model, "generation_config", None) else None
    ids = ids if isinstance(ids, list) else [ids] if ids is not None else []
    if tokenizer.eos_token_id is not None:
        ids.append(tokenizer.eos_token_id)
    return sorted(set(ids))


def train(cfg, resume: bool = False, force: bool = False, console=None) -> TrainResult:
    """Run PPO as cfg describes and write the policy adapter to cfg.ppo.output_dir."""
    start = time.time()
    ppo = cfg.ppo
    check_settings(ppo)
    out = Path(ppo.output_dir)
    sft_dir = check_sft_adapter(ppo.sft_adapter)
    if out.resolve() == sft_dir.resolve():
        raise UserError(f"--output-dir {out} is the SFT adapter folder; PPO must write elsewhere (default models/ppo)")
    ckpt = check_output_dir(out, resume, force)
    run_dir = run_log_dir(ppo, "ppo")
    check_log_dir(run_dir)
    check_not_validation(ppo.train_file, [cfg.sft.validation_file, cfg.eval.data])
    records = select_questions(ppo)
    backend = modeling.pick_backend(cfg.model)
    if backend == "unsloth":
        import unsloth  # noqa: F401  (patches transformers; must come first)

    if ppo.torch_threads > 0:
        torch.set_num_threads(ppo.torch_threads)
    accelerator = make_accelerator()
    model, tokenizer, backend = load_policy(cfg, sft_dir)
    prompts, records = encode_prompts(
        tokenizer, records, cfg.data.system_prompt, cfg.model.max_seq_length - ppo.max_new_tokens
    )
    per_question = ppo.samples_per_question
    variants = (balanced_variants(tokenizer, records, prompts, per_question, cfg.data.system_prompt, ppo.seed)
                if ppo.balanced_permutations else [[(ids, r)] * per_question for ids, r in zip(prompts, records)])
    # Each process takes its own, equally long share of the questions (DDP needs equal step counts).
    per_process = len(prompts) // accelerator.num_processes
    if per_process == 0:
        raise UserError(f"{len(prompts)} PPO questions cannot be shared by {accelerator.num_processes} processes")
    mine = list(range(accelerator.process_index, len(prompts), accelerator.num_processes))[:per_process]
    steps_per_epoch = math.ceil(per_process / ppo.batch_size)
    total = ppo.max_steps if ppo.max_steps > 0 else max(1, math.ceil(ppo.epochs * steps_per_epoch))

    learner = make_learner(model, ppo, tokenizer.pad_token_id, eos_token_ids(model, tokenizer), backend, accelerator)
    step, history = load_checkpoint(learner, ckpt) if ckpt else (0, [])
    # an interrupted run of this output that had reached its last step (killed while it saved or swapped in its
    # output) only has that left to do; a finished output's checkpoint needs more steps to train on
    if step > total or (step == total and staging_dir(out) not in ckpt.parents):
        raise UserError(f"{ckpt} is already at step {step} of {total}: raise --max-steps or --epochs to train on")

    main_process = accelerator.is_main_process
    stage = staging_dir(out)
    logger = None
    log_stage = None
    if main_process:  # inputs are valid: only now is anything written (into a staging folder beside out)
        stage, ckpt = begin_stage(out, ckpt, resume)
        # the log is written beside its final place too, and swapped in with the output
        log_stage = begin_log_stage(run_dir, resume, step if resume else None)
        wandb_mode = ppo.wandb  # WANDB_MODE=disabled in the environment still wins (run_logging)
        logger = run_logging.RunLogger(log_stage, config=cli.stage_config(cfg, "ppo"), total_steps=total,
                                       wandb_mode=wandb_mode, description="PPO", console=console)
        logger.advance(step)
        trainable = sum(p.numel() for p in learner.adapter_params)
        overlap = question_overlap(records)
        seen = ("SFT's rows unknown (no matching models/sft summary)" if overlap["sft_seen_questions"] is None
                else f"{overlap['sft_seen_questions']} of them seen by SFT")
        balanced = ", each answer to its own option order" if ppo.balanced_permutations and per_question > 1 else ""
        logger.console.print(f"PPO on {len(prompts)} questions ({per_process} per process; {seen}), {total} steps "
                             f"of {ppo.batch_size} x {per_question} answers{balanced} x {ppo.ppo_epochs} PPO "
                             f"epochs ({ppo.advantage}); {trainable:,} trainable parameters")
    accelerator.wait_for_everyone()

    stopped = False
    try:
        with StopOnInterrupt() as stopper:
            while step < total:
                epoch, k = divmod(step, steps_per_epoch)
                order = random.Random(ppo.seed + epoch).sample(mine, len(mine))
                batch = order[k * ppo.batch_size:(k + 1) * ppo.batch_size]
                answers = [i for i in batch for _ in range(per_question)]  # each question k times
                shown = [pair for i in batch for pair in variants[i]]  # (prompt ids, record) of each answer
                torch.manual_seed(ppo.seed * 1_000_003 + step * 101 + accelerator.process_index)
                query, query_mask = left_pad([ids for ids, _ in shown], learner.pad_id, accelerator.device)
                reward_fn = mcq_reward_fn(tokenizer, [r for _, r in shown], ppo)
                stats = ppo_step(learner, query, query_mask, reward_fn, groups=torch.tensor(answers))
                stats["sft_seen"] = sum(bool(records[i].get("_sft_seen")) for i in batch) / len(batch)
                sample = stats.pop("sample", "")
                if accelerator.num_processes > 1:  # average over processes (token counts add up)
                    keys = sorted(stats)
                    vec = accelerator.reduce(torch.tensor([stats[k] for k in keys], device=accelerator.device), "mean")
                    stats = {k: float(v) * (accelerator.num_processes if k in ("tokens", "tokens_per_s") else 1)
                             for k, v in zip(keys, vec)}
                step += 1
                history.append({k: round(stats[k], 6) for k in
                                ("reward_mean", "accuracy", "kl", "tokens", "step_time_s")})
                if logger is not None:
                    if step % ppo.logging_steps == 0 or step == total:
                        logger.log({"step": step, "epoch": round(step / steps_per_epoch, 4),
                                    **{k: round(v, 6) for k, v in stats.items()},
                                    "learning_rate": ppo.learning_rate,
                                    "peak_memory_mb": round(run_logging.peak_memory_mb(), 1), "sample": sample})
                    logger.advance(step, reward=stats["reward_mean"], kl=stats["kl"])
                stopped = stopper.agreed()
                if stopped or step % ppo.save_steps == 0 or step == total:
                    if main_process:
                        ckpt = save_checkpoint(learner, stage, step, history, ppo.save_total_limit)
                    accelerator.wait_for_everyone()
                if stopped:
                    break
    finally:
        if logger is not None:
            logger.close()

    if stopped:
        return TrainResult(None, step, ckpt, run_dir)
    summary = {
        **summarize(history),
        "wall_time_s": round(time.time() - start, 1),
        "peak_memory_mb": round(run_logging.peak_memory_mb(), 1),
        "questions": len(prompts),
        **question_overlap(records),
        "backend": backend,
        "base_model": cfg.model.name,
        "sft_adapter": str(sft_dir),
        "run_dir": str(run_dir),
    }
    if main_process:  # the finished files beside the checkpoints, the summary last; then swap
        save_adapter(learner, stage)
        tokenizer.save_pretrained(str(stage))
        cli.save_config(cfg, "ppo", stage)
        atomic_write_json(stage / SUMMARY_FILE, summary)
        swap_in(stage, out)
        swap_in(log_stage, run_dir)
    accelerator.wait_for_everyone()
    return TrainResult(summary, step, None, run_dir)


