"""GRPO library: TRL's GRPOTrainer on PPO's questions and reward, and the run (`train(cfg)`).

train_grpo.py is the command line over `train(cfg)`. There is no loop here: TRL's GRPOTrainer samples
grpo.num_generations answers to each question, scores them with the project's reward (mcq_format's
correctness_reward, wrapped by `reward_function`), takes each answer's advantage against its group, and
updates the adapter. This module gives it what PPO has: the SFT adapter as the starting policy and as the
frozen reference, the same questions (training.ppo.select_questions), the run's checkpoints, log and
output folder (training.runs), and the answers to a question as one group of consecutive completions.

One step = grpo.batch_size questions x grpo.num_generations answers (per process), generated in one
batch, then one optimizer update accumulated over micro-batches of grpo.micro_batch_size answers
(grpo.num_iterations > 1: that many updates per batch, each one step).
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from common import cli, mcq_format, modeling, run_logging
from common.errors import UserError
from common.outputs import atomic_write_json, staging_dir, swap_in
from training import ppo as ppo_run
from training.sft import _answer_tokens_only_on_cpu as answer_tokens_only_on_cpu  # TRL's LM head: answers only
from training.runs import (CHECKPOINTS, SUMMARY_FILE, StopOnInterrupt, TrainResult, begin_log_stage, begin_stage,
                           check_common_settings, check_log_dir, check_output_dir, last_checkpoint, require,
                           run_log_dir)

REWARD_NAME = "correctness"  # the reward function's name in TRL's logs (rewards/correctness/mean)
LOSS_TYPES = ("grpo", "dr_grpo", "dapo", "bnpo")
SCALE_REWARDS = ("group", "batch", "none")
POLICY = "default"  # the trained adapter's name; TRL copies it as "ref", the frozen reference


# --------------------------------------------------------------------------- settings and inputs


def check_settings(cfg) -> None:
    """UserError, naming the allowed range, for any setting GRPO cannot run with (before anything is loaded)."""
    g = cfg.grpo
    check_common_settings(g, "grpo")
    require(g.num_generations >= 2, "grpo.num_generations", g.num_generations,
            "at least 2 (each answer is scored against the other answers to its question)")
    for name in ("micro_batch_size", "num_iterations", "max_completion_length"):
        require(getattr(g, name) >= 1, f"grpo.{name}", getattr(g, name), "at least 1")
    answers = g.batch_size * g.num_generations
    require(answers % g.micro_batch_size == 0, "grpo.micro_batch_size", g.micro_batch_size,
            f"a divisor of batch_size x num_generations = {answers}")
    require(g.beta >= 0, "grpo.beta", g.beta, "0 (no reference) or more, e.g. 0.04")
    require(g.epsilon > 0, "grpo.epsilon", g.epsilon, "above 0, e.g. 0.2")
    require(g.temperature > 0, "grpo.temperature", g.temperature, "above 0 (GRPO needs sampled answers)")
    require(g.top_k >= 0, "grpo.top_k", g.top_k, "0 (off) or more")
    require(0 < g.top_p <= 1, "grpo.top_p", g.top_p, "above 0 and at most 1")
    require(g.loss_type in LOSS_TYPES, "grpo.loss_type", g.loss_type, "one of " + ", ".join(LOSS_TYPES))
    require(g.scale_rewards in SCALE_REWARDS, "grpo.scale_rewards", g.scale_rewards,
            "one of " + ", ".join(SCALE_REWARDS))
    require(g.num_examples >= 0, "grpo.num_examples", g.num_examples, "0 (all) or a positive count")
    require(g.wandb in run_logging.WANDB_MODES, "grpo.wandb", g.wandb, "one of " + ", ".join(run_logging.WANDB_MODES))


def as_grpo(exc: UserError) -> UserError:
    """PPO's input checks, reworded for GRPO (they read the same fields of the grpo section)."""
    text = re.sub(r"\bppo\.", "grpo.", str(exc))
    return UserError(re.sub(r"\bPPO\b", "GRPO", text))


def select_questions(cfg) -> list[dict]:
    """PPO's pick of questions (training.ppo.select_questions) from cfg.grpo's file, source, seed and counts:
    with the same settings, the same questions in the same order; never the validation split."""
    try:
        ppo_run.check_not_validation(cfg.grpo.train_file, [cfg.sft.validation_file, cfg.eval.data])
        return ppo_run.select_questions(cfg.grpo)
    except UserError as exc:
        raise as_grpo(exc) from None


def system_prompt_of(record: dict, default: str) -> str:
    """The record's own system turn, else the default (as PPO's prompts do)."""
    messages = record.get("messages") or []
    return messages[0]["content"] if messages and messages[0].get("role") == "system" else default


def question_rows(records: list[dict], system_prompt: str) -> list[dict]:
    """The GRPOTrainer's dataset: a conversational prompt (system + user, as PPO prompts) and the columns the
    reward reads: the answer letter and the options (as JSON: questions have 4 or 5 options)."""
    return [{"prompt": mcq_format.prompt_messages(r, system_prompt_of(r, system_prompt)), "answer": r["answer"],
             "options": json.dumps(r["options"], ensure_ascii=False)} for r in records]


def completion_text(completion: Any) -> str:
    """A TRL completion as text: a string, or a conversation [{"role": "assistant", "content": ...}]."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        return "".join(completion_text(m) for m in completion)
    if isinstance(completion, dict):
        content = completion.get("content")
        return content if isinstance(content, str) else completion_text(content or "")
    return str(completion)


def reward_function(grpo):
    """A TRL reward function over the project's reward: mcq_format.correctness_reward (grpo.reward_correct for the
    right letter, grpo.reward_wrong otherwise). It also logs the share of right answers as `accuracy`."""

    def correctness(prompts=None, completions=(), answer=(), options=(), log_metric=None, **kwargs) -> list[float]:
        scores, right = [], []
        for completion, letter, opts in zip(completions, answer, options, strict=True):
            text, opts = completion_text(completion), json.loads(opts) if isinstance(opts, str) else opts
            scores.append(float(mcq_format.correctness_reward(text, letter, opts, grpo.reward_correct,
                                                              grpo.reward_wrong)))
            right.append(mcq_format.extract_answer(text, opts) == letter)
        if log_metric is not None and right:
            log_metric("accuracy", sum(right) / len(right))
        return scores

    correctness.__name__ = REWARD_NAME
    return correctness


# --------------------------------------------------------------------------- TRL's trainer


def trainer_args(cfg, output_dir, **overrides: Any):
    """trl.GRPOConfig from cfg.grpo (arguments TRL 1.15 and 1.16 both have). UserError for a combination TRL
    refuses."""
    import torch
    from trl import GRPOConfig as TRLConfig

    g = cfg.grpo
    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()
    answers = g.batch_size * g.num_generations
    kwargs: dict[str, Any] = dict(
        output_dir=str(output_dir),
        num_train_epochs=g.epochs,
        max_steps=g.max_steps if g.max_steps > 0 else -1,
        # a step's answers come from one generation batch; the update is accumulated over micro-batches
        per_device_train_batch_size=g.micro_batch_size,
        gradient_accumulation_steps=answers // g.micro_batch_size,
        num_generations=g.num_generations,
        num_iterations=g.num_iterations,
        max_completion_length=g.max_completion_length,
        temperature=g.temperature,
        top_k=g.top_k,
        top_p=g.top_p,
        beta=g.beta,
        epsilon=g.epsilon,
        loss_type=g.loss_type,
        scale_rewards=g.scale_rewards,
        learning_rate=g.learning_rate,
        lr_scheduler_type=g.lr_scheduler,
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=g.max_grad_norm,
        bf16=bf16,  # TRL's default is bf16 everywhere; on a CPU that would train in bf16 autocast
        fp16=cuda and not bf16,
        use_cpu=not cuda,
        gradient_checkpointing=g.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        disable_dropout=True,  # as PPO: the first ratio is exactly 1
        logging_steps=g.logging_steps,
        save_strategy="steps",
        save_steps=g.save_steps,
        save_total_limit=g.save_total_limit,
        seed=g.seed,
        data_seed=g.seed,
        report_to="none",  # our RunLogger reports (metrics.jsonl and W&B)
        disable_tqdm=True,
        dataloader_num_workers=0,
        ddp_find_unused_parameters=False,
        log_completions=False,
    )
    kwargs.update(overrides)
    try:
        return TRLConfig(**kwargs)
    except ValueError as exc:
        raise UserError(f"TRL's GRPOConfig refuses these settings: {str(exc).splitlines()[0]}") from None


def load_policy(cfg, sft_dir: Path, backend: str):
    """(PeftModel with the SFT adapter as the trainable "default", tokenizer, backend): base + SFT, as PPO starts.
    GRPOTrainer adds the frozen copy "ref" (the reference) itself."""
    from peft import PeftModel

    model, tokenizer, backend = modeling.load_base_model(cfg.model, backend=backend)
    modeling.check_adapter_matches(sft_dir, model)
    model = PeftModel.from_pretrained(model, str(sft_dir), adapter_name=POLICY, is_trainable=True)
    modeling.keep_4bit_differentiable(model)  # rollouts run in eval mode: no CPU repacking of nf4 weights
    modeling.keep_lora_fp32(model)
    return model, tokenizer, backend


def build_trainer(cfg, model, tokenizer, records: list[dict], args, callbacks=()):
    """TRL's GRPOTrainer on the questions, with the project's reward."""
    import datasets
    from transformers import PrinterCallback
    from trl import GRPOTrainer

    datasets.disable_progress_bars()
    dataset = datasets.Dataset.from_list(question_rows(records, cfg.data.system_prompt))
    trainer = GRPOTrainer(model=model, reward_funcs=reward_function(cfg.grpo), args=args, train_dataset=dataset,
                          processing_class=tokenizer, callbacks=list(callbacks))
    trainer.remove_callback(PrinterCallback)  # our callback reports instead
    # TRL casts a 4-bit model's LoRA weights to bf16; at lr 1e-6 bf16 updates round away (modeling.keep_lora_fp32)
    modeling.keep_lora_fp32(trainer.model)
    return trainer


# --------------------------------------------------------------------------- the run log

# TRL's metric names -> ours (PPO's where the meaning is the same, so the plots draw both)
METRICS = {
    "loss": "loss", "learning_rate": "learning_rate", "grad_norm": "grad_norm",
    "reward": "reward_mean", "reward_std": "reward_std", "frac_reward_zero_std": "frac_reward_zero_std",
    "accuracy": "accuracy", "kl": "kl", "entropy": "entropy", "clip_ratio/region_mean": "clip_frac",
    "completions/mean_length": "completion_len", "completions/max_length": "completion_len_max",
    "completions/clipped_ratio": "clipped_ratio", "step_time": "step_time_s",
}


def run_monitor(run: run_logging.RunLogger | None, answers_per_step: int):
    """A TrainerCallback that turns GRPOTrainer's logs into metrics.jsonl records (one per logging step) and
    keeps each step's figures for the summary (.history; on every process, for the summary's numbers)."""
    from transformers import TrainerCallback

    class GRPOMonitor(TrainerCallback):
        history: list[dict] = []
        _last_step = 0

        def on_train_begin(self, args, state, control, **kw):
            self._last_step = state.global_step
            if run is not None and run._progress is not None:
                run._progress.update(run._task, total=state.max_steps, completed=state.global_step)

        def on_log(self, args, state, control, logs=None, **kw):
            logs = dict(logs or {})
            if "reward" not in logs:  # the end-of-training summary line (train_runtime, ...)
                return
            steps = max(1, state.global_step - self._last_step)
            self._last_step = state.global_step
            record = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
            record.update({ours: logs[theirs] for theirs, ours in METRICS.items() if logs.get(theirs) is not None})
            tokens = record.get("completion_len", 0.0) * answers_per_step
            if record.get("step_time_s"):
                record["tokens_per_s"] = round(tokens / record["step_time_s"], 2)  # generated tokens per step second
            record["peak_memory_mb"] = round(run_logging.peak_memory_mb(), 1)
            self.history.append({"steps": steps, "reward_mean": record.get("reward_mean"),
                                 "accuracy": record.get("accuracy"), "kl": record.get("kl"),
                                 "tokens": tokens * steps, "step_time_s": record.get("step_time_s", 0.0) * steps})
            if run is not None:
                run.log(record)

        def on_step_end(self, args, state, control, **kw):
            if run is not None and self.history:
                last = self.history[-1]
                run.advance(state.global_step, reward=last["reward_mean"], kl=last["kl"])

    monitor = GRPOMonitor()
    monitor.history = []
    return monitor


# --------------------------------------------------------------------------- the run


def train(cfg, resume: bool = False, force: bool = False, callbacks=(), console=None) -> TrainResult:
    """Run GRPO as cfg describes and write the adapter to cfg.grpo.output_dir."""
    from accelerate import PartialState

    start = time.time()
    # created before the Trainer and shared with it: several CPU processes must know they run on the CPU
    state = PartialState(cpu=not modeling.cuda_available())
    g = cfg.grpo
    check_settings(cfg)
    out = Path(g.output_dir)
    try:
        sft_dir = ppo_run.check_sft_adapter(g.sft_adapter)
    except UserError as exc:
        raise as_grpo(exc) from None
    if out.resolve() == sft_dir.resolve():
        raise UserError(f"--output-dir {out} is the SFT adapter folder; GRPO must write elsewhere (default models/grpo)")
    backend = modeling.pick_backend(cfg.model)
    if backend == "unsloth":
        import unsloth  # noqa: F401  (patches transformers and TRL; must come first)
    ckpt = check_output_dir(out, resume, force)
    run_dir = run_log_dir(g, "grpo")
    check_log_dir(run_dir)
    records = select_questions(cfg)
    args = trainer_args(cfg, staging_dir(out) / CHECKPOINTS)  # TRL's own checks, still before any loading

    if g.torch_threads > 0:
        import torch

        torch.set_num_threads(g.torch_threads)
    from transformers import set_seed

    set_seed(g.seed)
    model, tokenizer, backend = load_policy(cfg, sft_dir, backend)
    _, records = ppo_run.encode_prompts(tokenizer, records, cfg.data.system_prompt,
                                        cfg.model.max_seq_length - g.max_completion_length)
    if len(records) < g.batch_size * state.num_processes:
        raise UserError(f"{len(records)} GRPO questions do not fill one step of grpo.batch_size={g.batch_size} "
                        f"x {state.num_processes} process(es): lower grpo.batch_size or give more questions")

    state.wait_for_everyone()  # every process has checked the folder before anything is written
    stage = staging_dir(out)
    if state.is_main_process:  # inputs are valid: the run writes into a staging folder beside out
        stage, ckpt = begin_stage(out, ckpt, resume)
    state.wait_for_everyone()
    if ckpt is not None and stage not in ckpt.parents:  # the other processes: the same folder (shared disk)
        ckpt = stage / CHECKPOINTS / ckpt.name

    logger = log_stage = None
    if state.is_main_process:  # the log, too, is written beside its final place and swapped in at the end
        log_stage = begin_log_stage(run_dir, resume, int(ckpt.name.split("-")[-1]) if ckpt else None)
        logger = run_logging.RunLogger(log_stage, config=cli.stage_config(cfg, "grpo"), total_steps=max(g.max_steps, 1),
                                       wandb_mode=g.wandb, description="GRPO", console=console)
    monitor = run_monitor(logger, g.batch_size * g.num_generations * state.num_processes)
    stopper = StopOnInterrupt()
    trainer = build_trainer(cfg, model, tokenizer, records, args, [monitor, stopper.callback(), *callbacks])
    if logger is not None:
        overlap = ppo_run.question_overlap(records)
        seen = ("SFT's rows unknown (no matching SFT summary)" if overlap["sft_seen_questions"] is None
                else f"{overlap['sft_seen_questions']} of them seen by SFT")
        trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
        logger.console.print(f"GRPO (TRL {_trl_version()}) on {len(records)} questions ({seen}), steps of "
                             f"{g.batch_size} x {g.num_generations} answers; {trainable:,} trainable parameters")
    try:
        with stopper, answer_tokens_only_on_cpu():
            trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)
    finally:
        if logger is not None:
            logger.close()

    step = trainer.state.global_step
    if stopper.stopped_at is not None:
        return TrainResult(None, step, last_checkpoint(stage / CHECKPOINTS), run_dir, trainer)
    history = monitor.history
    if not history:
        raise UserError("GRPO logged no step (nothing to train?): raise --max-steps or --epochs")
    summary = {
        **ppo_run.summarize(history),  # kl_end: TRL's per-token KL estimate (k3), averaged over the answers' tokens
        "steps": step,
        "wall_time_s": round(time.time() - start, 1),
        "peak_memory_mb": round(run_logging.peak_memory_mb(), 1),
        "questions": len(records),
        **ppo_run.question_overlap(records),
        "answers_per_question": g.num_generations,
        "trainer": f"trl.GRPOTrainer {_trl_version()}",
        "backend": backend,
        "base_model": cfg.model.name,
        "sft_adapter": str(sft_dir),
        "run_dir": str(run_dir),
    }
    if state.is_main_process:  # the finished files beside the checkpoints, the summary last; then swap
        trainer.model.save_pretrained(str(stage), selected_adapters=[POLICY])  # a plain adapter of the base
        tokenizer.save_pretrained(str(stage))
        cli.save_config(cfg, "grpo", stage)
        atomic_write_json(stage / SUMMARY_FILE, summary)
        swap_in(stage, out)
        swap_in(log_stage, run_dir)
    state.wait_for_everyone()
    return TrainResult(summary, step, None, run_dir, trainer)


def _trl_version() -> str:
    import trl

    return trl.__version__
