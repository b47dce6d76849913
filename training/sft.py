"""SFT library: the prompt-completion data, TRL's SFTTrainer with the project's settings, and the run itself.

train_sft.py is the command line over `train(cfg)`. The trainer class adds the answer-letter loss weight
(training.letter_loss) and the letter metrics at each evaluation; the data side adds option-permuted copies
of each question (sft.permute_options) and a sampler that batches a question with its copies.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import time
from pathlib import Path
from typing import Any

from common import cli, mcq_format, modeling, run_logging
from common.errors import UserError
from common.outputs import atomic_write_json, file_sha256, staging_dir, swap_in
from training import letter_loss
from training.runs import (CHECKPOINTS, SUMMARY_FILE, StopOnInterrupt, TrainResult, begin_log_stage, begin_stage,
                           check_common_settings, check_log_dir, check_output_dir, checkpoint_sealer, last_checkpoint,
                           read_split, require, run_log_dir)


# --------------------------------------------------------------------------- data


def _is_chat_record(record: dict) -> bool:
    roles = [m["role"] for m in record["messages"]]
    return roles[-1] == "assistant" and "user" in roles and bool(record["messages"][-1]["content"])


def load_split(path: str | os.PathLike, what: str, limit: int = 0) -> list[dict]:
    """The records of a processed split; UserError when it is missing, empty or malformed."""
    path = Path(path)
    fix = "run `python data_processor.py` first (or point --set sft.train_file / sft.validation_file at your splits)"
    records = []
    for record in read_split(path, what, fix, _is_chat_record, "a chat record with a final assistant turn"):
        records.append(record)
        if limit and len(records) >= limit:
            break
    if not records:
        raise UserError(f"the {what} split {path} is empty: {fix}")
    return records


def augment_with_permutations(records: list[dict], copies: int, seed: int, balanced: bool = False,
                              keep_explanation: bool = True) -> list[dict]:
    """records plus `copies` option-shuffled versions of each (mcq_format.permute_options), seeded.

    balanced: copy c of a question puts its answer c+1 letters after the original's (cyclically), so with
    n-1 copies each question is seen with its answer at every one of its n letters and the training set
    holds no position the model could learn instead of the content. Else the shuffles are uniform at random.
    keep_explanation=False: the copies' targets are the letter and option text only, where the letter is
    1 token of ~10 instead of ~60, so the answer letter carries more of the copies' loss.
    """
    if copies <= 0:
        return records
    rng = random.Random(seed)
    out = list(records)
    for c in range(copies):
        for r in records:
            at = mcq_format.letter_after_answer(r, c + 1) if balanced else None
            out.append(mcq_format.permute_options(r, rng, answer_at=at, keep_explanation=keep_explanation))
    return out


def permutation_groups(n_source: int, copies: int) -> list[list[int]]:
    """Indices of each question and its copies in augment_with_permutations' output: [i, i+n, i+2n, ...]."""
    return [[i + k * n_source for k in range(copies + 1)] for i in range(n_source)]


def grouped_order(groups: list[list[int]], seed: int) -> list[int]:
    """Every index once, group by group, the groups in a (seed)-shuffled order: a batch as large as a group
    holds one question with its answer on each letter."""
    order = list(groups)
    random.Random(seed).shuffle(order)
    return [i for g in order for i in g]


class QuestionGroupSampler:
    """The Trainer's sampler under sft.group_permutations: grouped_order, reshuffled per (seed, epoch)."""

    def __init__(self, groups: list[list[int]], seed: int):
        self.groups, self.seed, self.epoch = groups, seed, 0

    def set_epoch(self, epoch: int) -> None:  # the Trainer calls it at the start of every epoch
        self.epoch = epoch

    def __len__(self) -> int:
        return sum(len(g) for g in self.groups)

    def __iter__(self):
        return iter(grouped_order(self.groups, self.seed + self.epoch))


def to_prompt_completion(record: dict) -> dict:
    """TRL's conversational prompt-completion form: loss on the completion (the assistant turn) only."""
    return {"prompt": record["messages"][:-1], "completion": record["messages"][-1:]}


# --------------------------------------------------------------------------- trainer


def _checkpointing_field(config_class) -> str:
    """TRL 1.16 names it activation_checkpointing; 1.15 (the GPU set's, Unsloth's cap) gradient_checkpointing."""
    names = {f.name for f in dataclasses.fields(config_class)}
    return "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"


def trainer_args(cfg, backend: str, resume: bool, **overrides: Any):
    """TRL SFTConfig from our config: precision, checkpoints, evaluation and throughput settings."""
    import torch
    from trl import SFTConfig

    s = cfg.sft
    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()
    kwargs: dict[str, Any] = dict(
        output_dir=str(Path(s.output_dir) / CHECKPOINTS),
        num_train_epochs=s.epochs,
        max_steps=s.max_steps if s.max_steps > 0 else -1,
        per_device_train_batch_size=s.batch_size,
        per_device_eval_batch_size=s.eval_batch_size or s.batch_size,
        gradient_accumulation_steps=s.grad_accum,
        learning_rate=s.learning_rate,
        lr_scheduler_type=s.lr_scheduler,
        warmup_steps=s.warmup_ratio,  # a float below 1 is a fraction of the total steps
        weight_decay=s.weight_decay,
        optim=s.optim,
        max_grad_norm=s.max_grad_norm,
        bf16=bf16,
        fp16=cuda and not bf16,
        use_cpu=not cuda,
        max_length=s.max_length,
        completion_only_loss=True,
        train_sampling_strategy="group_by_length" if s.group_by_length else "random",
        include_num_input_tokens_seen="non_padding",
        logging_steps=s.logging_steps,
        eval_strategy="steps",
        eval_steps=s.eval_steps,
        eval_on_start=not resume,
        save_strategy="steps",
        save_steps=s.save_steps,
        save_total_limit=s.save_total_limit,
        seed=s.seed,
        data_seed=s.seed,
        ddp_find_unused_parameters=False,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
    )
    # Unsloth checkpoints activations itself (get_peft_model(use_gradient_checkpointing="unsloth")).
    kwargs[_checkpointing_field(SFTConfig)] = s.gradient_checkpointing and backend != "unsloth"
    kwargs.update(overrides)
    return SFTConfig(**kwargs)


@contextlib.contextmanager
def _answer_tokens_only_on_cpu():
    """Make TRL's fused LM head score only the answer tokens on CPU too.

    TRL projects every position through the LM head on devices without Triton (a fixed shape
    avoids recompiling on Neuron) and masks the prompt afterwards. Eager CPU has nothing to
    recompile, and the prompt is ~80% of an MCQ example, so the head's work drops ~5x. Same loss.
    """
    import trl.trainer.utils as trl_utils

    original = getattr(trl_utils, "_use_triton", None)
    if original is None:  # TRL 1.15 (the GPU set) has no fused LM head to steer: nothing to patch
        yield
        return
    trl_utils._use_triton = lambda device: device.type == "cpu" or original(device)
    try:
        yield
    finally:
        trl_utils._use_triton = original


def _trainer_class():
    """TRL's SFTTrainer with two CPU-side fixes.

    1. Length-grouped batches that a resumed run replays exactly: transformers' LengthGroupedSampler
       shuffles with the global RNG, which a run resumed from a checkpoint has already advanced, so
       the rest of the epoch would see other batches. Here the shuffle depends on (seed, epoch) only.
    2. The LM head scores the answer tokens only (see _answer_tokens_only_on_cpu).
    (Built on first use: trl must load after Unsloth.)
    """
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler
    from trl import SFTTrainer

    class EpochSeededLengthSampler(LengthGroupedSampler):
        def __init__(self, batch_size, lengths, seed):
            super().__init__(batch_size, lengths=lengths)
            self.seed, self.epoch = seed, 0

        def set_epoch(self, epoch):  # the Trainer calls it at the start of every epoch
            self.epoch = epoch

        def __iter__(self):
            self.generator = torch.Generator().manual_seed(self.seed + self.epoch)
            return super().__iter__()

    class MedSFTTrainer(SFTTrainer):
        question_groups: list[list[int]] | None = None  # set by build_trainer when sft.group_permutations

        def _get_train_sampler(self, train_dataset=None):
            if self.question_groups:  # (the Trainer passes the train set with unused columns dropped: same rows)
                sampler = QuestionGroupSampler(self.question_groups, self.args.data_seed)
                rows = len(train_dataset if train_dataset is not None else self.train_dataset)
                if len(sampler) != rows:
                    raise ValueError(f"question groups cover {len(sampler)} rows, the training set has {rows}")
                return sampler
            sampler = super()._get_train_sampler(train_dataset)
            if type(sampler) is LengthGroupedSampler:
                sampler = EpochSeededLengthSampler(sampler.batch_size, sampler.lengths, self.args.data_seed)
            return sampler

        letter_weight: float = 1.0  # set by build_trainer from sft.letter_loss_weight (see letter_loss.py)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            with _answer_tokens_only_on_cpu():
                if self.letter_weight == 1.0 or not model.training:
                    return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
                with letter_loss.captured_hidden(model) as seen:
                    result = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            loss = result[0] if return_outputs else result
            if "hidden" not in seen:
                raise UserError("sft.letter_loss_weight: this backend computes the final norm without calling "
                                 "its module, so the letter's hidden state is not seen; set sft.letter_loss_weight=1")
            labels = inputs["labels"]
            letter_sum, _ = letter_loss.letter_loss_sum(model, seen["hidden"], labels, self.letter_tokens)
            # normalised as TRL normalises the token sum, so the letter counts letter_weight times in the loss
            tokens = num_items_in_batch if num_items_in_batch is not None else (labels[:, 1:] != -100).sum()
            extra = (self.letter_weight - 1.0) * letter_sum / torch.as_tensor(tokens).clamp(min=1)
            if self.args.average_tokens_across_devices and num_items_in_batch is not None:
                extra = extra * self.accelerator.num_processes
            loss = loss + extra.to(loss.device)
            return (loss, result[1]) if return_outputs else loss

        letter_records: list[dict] = []  # set by build_trainer: the validation questions

        def evaluation_loop(self, *args, **kwargs):
            """The Trainer's evaluation, plus the answer letter's own loss, accuracy and letter histogram."""
            output = super().evaluation_loop(*args, **kwargs)
            prefix = kwargs.get("metric_key_prefix", "eval")
            if self.letter_records:
                was_training = self.model.training
                letters = letter_loss.metrics(self.model, self.processing_class, self.letter_records,
                                         self.args.per_device_eval_batch_size)
                self.model.train(was_training)
                output.metrics.update({f"{prefix}_{k}": v for k, v in letters.items()})
            return output

    return MedSFTTrainer


def build_trainer(
    cfg, model, tokenizer, train_records, eval_records, backend="hf", resume=False, callbacks=(), groups=None,
    **overrides
):
    """An SFTTrainer over prompt-completion datasets built from the records (groups: see QuestionGroupSampler)."""
    import datasets
    from transformers import PrinterCallback

    datasets.disable_progress_bars()
    train_ds = datasets.Dataset.from_list([to_prompt_completion(r) for r in train_records])
    eval_ds = datasets.Dataset.from_list([to_prompt_completion(r) for r in eval_records])
    trainer = _trainer_class()(
        model=model,
        args=trainer_args(cfg, backend, resume, **overrides),
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        processing_class=tokenizer,
        callbacks=list(callbacks),
    )
    trainer.remove_callback(PrinterCallback)  # our TrainingMonitor reports instead
    # TRL casts a 4-bit model's LoRA weights to bf16 while it builds the trainer; in bf16 the paper's lr 3e-6
    # updates round away. Back to fp32 before the optimiser is made (it is made in train()).
    modeling.keep_lora_fp32(trainer.model)
    trainer.letter_records = list(eval_records)
    trainer.question_groups = groups
    trainer.letter_weight = float(cfg.sft.letter_loss_weight)
    trainer.letter_tokens = letter_loss.LetterTokens(tokenizer)
    return trainer


def set_threads(threads: int) -> None:
    """Use `threads` intra-op threads (0: torch's default, one per physical core)."""
    import torch

    if threads > 0:
        torch.set_num_threads(threads)


def _step_timer():
    """A callback that adds up the time and the real tokens of the optimiser steps only.

    The Trainer's own runtime includes evaluation and checkpoint saving; tokens/s here does not.
    """
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        seconds, tokens = 0.0, 0

        def on_step_begin(self, args, state, control, **kw):
            self._start = (time.perf_counter(), state.num_input_tokens_seen)

        def on_step_end(self, args, state, control, **kw):
            start, seen = self._start
            self.seconds += time.perf_counter() - start
            self.tokens += state.num_input_tokens_seen - seen

    return StepTimer()


def _eval_losses(log_history: list[dict]) -> list[tuple[int, float]]:
    return [(h["step"], h["eval_loss"]) for h in log_history if "eval_loss" in h]


def check_settings(cfg) -> None:
    """UserError, naming the allowed range, for any setting SFT cannot run with (before anything is loaded)."""
    s = cfg.sft
    check_common_settings(s, "sft", cfg.lora)
    require(s.grad_accum >= 1, "sft.grad_accum", s.grad_accum, "at least 1")
    require(s.eval_batch_size >= 0, "sft.eval_batch_size", s.eval_batch_size, "0 (= batch_size) or more")
    require(s.eval_max_samples >= 0, "sft.eval_max_samples", s.eval_max_samples, "0 (all) or a positive count")
    require(s.eval_steps >= 1, "sft.eval_steps", s.eval_steps, "at least 1")
    require(s.max_length >= 8, "sft.max_length", s.max_length, "at least 8 tokens, e.g. 1024")
    require(s.warmup_ratio >= 0, "sft.warmup_ratio", s.warmup_ratio, "0 or more (below 1: a fraction of the steps)")
    require(s.weight_decay >= 0, "sft.weight_decay", s.weight_decay, "0 or more")
    require(s.permute_options >= 0, "sft.permute_options", s.permute_options, "0 (off) or a number of shuffled copies")
    require(0 <= s.letter_loss_weight < float("inf"), "sft.letter_loss_weight", s.letter_loss_weight,
            "0 or more, finite (1 = the plain token average)")
    if s.wandb not in run_logging.WANDB_MODES:
        raise UserError(f"sft.wandb must be one of {', '.join(run_logging.WANDB_MODES)}, not {s.wandb!r}")


def train(cfg, resume: bool = False, force: bool = False, callbacks=(), console=None) -> TrainResult:
    """Train the SFT adapter described by cfg and write it to cfg.sft.output_dir."""
    from accelerate import PartialState

    start = time.time()
    # One process, or one of several under `accelerate launch` / torchrun. Created before the Trainer
    # and shared with it, so it must know about the CPU: else several CPU processes would not connect.
    state = PartialState(cpu=not modeling.cuda_available())
    s = cfg.sft
    check_settings(cfg)
    backend = modeling.pick_backend(cfg.model)
    if backend == "unsloth":
        import unsloth  # noqa: F401  (must be imported before trl / transformers to patch them)
    out = Path(s.output_dir)
    ckpt = check_output_dir(out, resume, force)
    run_dir = run_log_dir(s, "sft")
    check_log_dir(run_dir)
    source_records = load_split(s.train_file, "training", s.max_samples)
    n_source_rows = len(source_records)
    train_records = augment_with_permutations(source_records, s.permute_options, s.seed, s.balanced_permutations,
                                              s.permuted_explanations)
    eval_records = load_split(s.validation_file, "validation", s.eval_max_samples)

    set_threads(s.torch_threads)
    from transformers import set_seed

    set_seed(s.seed)  # the LoRA A matrices start random: same seed, same run
    model, tokenizer, backend = modeling.load_base_model(cfg.model, backend=backend)
    model = modeling.add_lora(model, cfg.lora, backend, gradient_checkpointing=s.gradient_checkpointing, seed=s.seed)

    state.wait_for_everyone()  # every process has checked the folder before anything is written
    stage = None
    if state.is_main_process:  # inputs are valid: the run writes into a staging folder beside out
        stage, ckpt = begin_stage(out, ckpt, resume)
    state.wait_for_everyone()
    if stage is None:  # the other processes: the same folder (a shared file system)
        stage = staging_dir(out)
        if ckpt is not None:
            ckpt = stage / CHECKPOINTS / ckpt.name

    logger = None
    monitor: list = []
    log_stage = None
    if state.is_main_process:  # the log, too, is written beside its final place and swapped in at the end
        log_stage = begin_log_stage(run_dir, resume, int(ckpt.name.split("-")[-1]) if ckpt else None)
        logger = run_logging.RunLogger(
            log_stage, config=cli.stage_config(cfg, "sft"), total_steps=max(s.max_steps, 1), wandb_mode=s.wandb,
            description="SFT", console=console,
        )
        monitor = [run_logging.training_monitor(logger)]

    stopper, timer = StopOnInterrupt(), _step_timer()
    grouped = s.group_permutations and s.permute_options > 0
    trainer = build_trainer(
        cfg, model, tokenizer, train_records, eval_records, backend, resume,
        [*monitor, timer, stopper.callback(), checkpoint_sealer(), *callbacks],
        output_dir=str(stage / CHECKPOINTS),
        groups=permutation_groups(n_source_rows, s.permute_options) if grouped else None,
    )
    if state.is_main_process:
        trainer.model.print_trainable_parameters()
    try:
        with stopper:
            output = trainer.train(resume_from_checkpoint=str(ckpt) if ckpt else None)
            history = trainer.state.log_history
            evals = _eval_losses(history)
            if stopper.stopped_at is None and (not evals or evals[-1][0] != trainer.state.global_step):
                trainer.evaluate()
                evals = _eval_losses(trainer.state.log_history)
    finally:
        if logger is not None:
            logger.close()

    if stopper.stopped_at is not None:
        return TrainResult(None, trainer.state.global_step, last_checkpoint(stage / CHECKPOINTS), run_dir, trainer)

    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    letter_evals = [h for h in trainer.state.log_history if "eval_letter_acc" in h]
    summary = {
        "initial_eval_loss": evals[0][1] if evals and evals[0][0] == 0 else None,
        "final_eval_loss": evals[-1][1] if evals else None,
        "final_train_loss": losses[-1] if losses else output.training_loss,
        # the answer letter alone at the first and the last evaluation (see letter_loss.metrics)
        "letter_eval": {when: {k[len("eval_"):]: v for k, v in h.items() if k.startswith("eval_letter_")}
                        for when, h in (("initial", letter_evals[0]), ("final", letter_evals[-1]))}
        if letter_evals else None,
        "steps": trainer.state.global_step,
        "epochs": round(trainer.state.epoch or 0.0, 4),
        "tokens_per_s": round(timer.tokens / max(timer.seconds, 1e-9), 2),  # optimiser steps only, all processes
        "wall_time_s": round(time.time() - start, 1),
        "peak_memory_mb": round(run_logging.peak_memory_mb(), 1),
        "train_examples": len(train_records),
        # which training rows this adapter saw: the first `train_rows` of `train_file` (PPO prefers the others)
        "train_file": str(s.train_file),
        "train_file_sha256": file_sha256(s.train_file),
        "train_rows": n_source_rows,
        "eval_examples": len(eval_records),
        "backend": backend,
        "base_model": cfg.model.name,
        "run_dir": str(run_dir),
    }
    if state.is_main_process:  # the finished files beside the checkpoints, the summary last; then swap
        trainer.model.save_pretrained(stage)
        tokenizer.save_pretrained(stage)
        cli.save_config(cfg, "sft", stage)
        atomic_write_json(stage / SUMMARY_FILE, summary)
        swap_in(stage, out)
        swap_in(log_stage, run_dir)
    state.wait_for_everyone()
    return TrainResult(summary, trainer.state.global_step, None, run_dir, trainer)


