"""Every setting of the MedLLM pipeline, in typed dataclasses, and the two named presets.

`tiny` (the default) runs the whole pipeline offline on a laptop CPU in minutes: the embedded
SmolLM2-135M-Instruct and the sample questions in data/sample/. `paper` holds the settings of the
report the project was designed from: Llama-3.1-8B-Instruct in 4-bit on one 8 GB GPU, MedQA + MedMCQA
from the Hugging Face Hub.

Scripts never read settings from anywhere else: `common/cli.py` resolves a preset, applies the user's flags
and `--set section.field=value` overrides, prints the result and saves it beside the stage's outputs.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SYSTEM_PROMPT = (
    "You are a knowledgeable medical AI assistant. Answer the multiple-choice question by giving the "
    "letter and text of the single best option, then a short explanation."
)

DISCLAIMER = (
    "Educational information only, not medical advice: an AI model can be wrong. Ask a doctor, nurse "
    "or pharmacist about your own symptoms and treatment."
)

EMERGENCY_NOTICE = (
    "This may be a medical emergency. Call your local emergency number now (911 in the US, 112 in the "
    "EU, 999 in the UK) or go to the nearest emergency department. If you are thinking about harming "
    "yourself, call or text a crisis line (988 in the US) or your emergency number. Do not wait for an "
    "AI answer."
)

# Short disclaimer shown under every answer after the first one in a session.
DISCLAIMER_SHORT = "Not medical advice: ask a doctor, nurse or pharmacist about your own care."

# Phrases that count as a safety notice in a model's answer; answers without one get the disclaimer.
NOTICE_MARKERS: list[str] = [
    "not medical advice|not professional medical advice|not a substitute|not a replacement|no substitute",
    "educational|informational + purpose|only",
    "consult|seek advice|speak to|speak with|talk to + doctor|physician|clinician|pharmacist|"
    "healthcare|health care|medical professional",
    "seek + medical attention|medical help|medical care|emergency care|immediate care",
]


@dataclass
class ModelConfig:
    name: str = "embedded"  # 'embedded', a hub id, a local HF folder, or a .gguf file
    backend: str = "auto"  # auto | unsloth | hf
    load_in_4bit: bool = False  # nf4 4-bit: Unsloth on CUDA, else bitsandbytes (CUDA or CPU)
    max_seq_length: int = 1024
    dtype: str = "auto"  # auto | float32 | float16 | bfloat16
    base_dir: str = "models/base"  # converted GGUF checkpoints are cached here


@dataclass
class DataConfig:
    medqa: str = "data/sample/medqa.jsonl"  # hub dataset id or local file; '' to leave out
    medmcqa: str = "data/sample/medmcqa.jsonl"
    medqa_split: str = "train"  # hub split to read
    medmcqa_split: str = "train"
    medmcqa_subset: int = 0  # rows of MedMCQA to keep after shuffling (0 = all)
    val_ratio: float = 0.1
    min_question_words: int = 10
    system_prompt: str = SYSTEM_PROMPT
    include_explanation: bool = True
    output_dir: str = "data/processed"
    exclude: str = ""  # a file whose questions must appear in neither split
    max_samples: int = 0  # cap on rows per source (0 = no cap)
    seed: int = 42
    dedupe: bool = True  # drop exact duplicates (normalised question + options)
    cache_dir: str = ""  # datasets cache for loaded files and hub downloads ('' = datasets' default)


@dataclass
class LoraConfig:
    r: int = 16
    alpha: int = 8
    dropout: float = 0.0
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj"])


@dataclass
class SFTConfig:
    output_dir: str = "models/sft"
    train_file: str = "data/processed/train.jsonl"
    validation_file: str = "data/processed/validation.jsonl"
    epochs: float = 5.0
    max_steps: int = -1  # > 0 overrides epochs
    max_samples: int = 0  # cap on training rows (0 = all)
    batch_size: int = 1
    grad_accum: int = 8
    learning_rate: float = 3e-6
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    optim: str = "adamw_torch"
    max_grad_norm: float = 1.0
    gradient_checkpointing: bool = True
    max_length: int = 1024
    logging_steps: int = 10
    eval_steps: int = 100
    save_steps: int = 200
    save_total_limit: int = 2
    seed: int = 42
    wandb: str = "offline"  # offline | online | disabled
    run_name: str = ""  # logs/<run_name>/; default 'sft'
    logs_dir: str = "logs"
    eval_batch_size: int = 0  # 0 = batch_size
    eval_max_samples: int = 0  # cap on validation rows (0 = all)
    group_by_length: bool = True  # batch similar lengths together: less padding
    torch_threads: int = 0  # CPU threads for torch (0 = torch's default, one per core)
    permute_options: int = 0  # extra copies of each training question with its options shuffled (0 = off)
    balanced_permutations: bool = False  # copies move the answer to each other letter in turn (else random order)
    permuted_explanations: bool = True  # copies keep the explanation (False: letter and option text only)
    # batches take a question with its copies side by side (set batch_size to the copies + 1): with balanced
    # copies every batch has the answer on each letter once; no effect without copies (permute_options 0)
    group_permutations: bool = False
    # the answer letter token counts this many times in the SFT loss (1 = the plain token average; training/letter_loss.py)
    letter_loss_weight: float = 1.0


@dataclass
class PPOConfig:
    output_dir: str = "models/ppo"
    sft_adapter: str = "models/sft"
    train_file: str = "data/processed/train.jsonl"
    source: str = "medqa"  # which training rows PPO samples questions from ('' = all)
    num_examples: int = 500  # questions PPO samples from (0 = all rows of `source`)
    epochs: float = 2.0
    max_steps: int = -1  # > 0: number of rollout batches, overrides epochs
    max_samples: int = 0  # alias cap on num_examples (0 = no cap)
    batch_size: int = 2  # questions per rollout batch
    samples_per_question: int = 1  # answers sampled per question (rloo needs 2 or more)
    # each of a question's answers sees its own option order, the answer moved one letter on per answer
    # (train_ppo.balanced_variants): a letter preference then earns nothing; off = k answers to one prompt
    balanced_permutations: bool = False
    mini_batch_size: int = 2  # answers per optimizer step
    micro_batch_size: int = 1  # answers per forward/backward (gradients accumulated over the minibatch)
    gradient_checkpointing: bool = True  # recompute each layer in the backward (train mode; rollouts keep the KV cache)
    ppo_epochs: int = 4  # optimisation passes over each rollout batch
    advantage: str = "gae"  # gae (value baseline) | rloo (group baseline over samples_per_question answers)
    learning_rate: float = 5e-7
    value_learning_rate: float = 1e-4  # the value head's own AdamW learning rate (it starts from zero; its loss
    # trains only the head, so this, not a loss weight, sets how fast the value baseline learns)
    clip_eps: float = 0.2
    value_clip_eps: float = 0.2
    kl_coef: float = 0.05
    gamma: float = 1.0
    lam: float = 1.0  # with gamma 1: the answer's reward reaches every token undiscounted (lam 0.95 over 128 tokens left the letter's advantage to value noise)
    whiten_advantages: bool = True
    max_grad_norm: float = 1.0
    max_new_tokens: int = 48
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    reward_correct: float = 1.0
    reward_wrong: float = 0.1
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int = 2  # checkpoints kept under <output_dir>/checkpoints
    torch_threads: int = 0  # CPU threads for torch (0 = torch's default, one per core)
    seed: int = 42
    wandb: str = "offline"
    run_name: str = ""
    logs_dir: str = "logs"


@dataclass
class GRPOConfig:
    """TRL's GRPOTrainer beside our PPO loop: the same SFT start, questions and reward (train_grpo.py)."""

    output_dir: str = "models/grpo"
    sft_adapter: str = "models/sft"
    train_file: str = "data/processed/train.jsonl"
    source: str = "medqa"  # which training rows GRPO samples questions from ('' = all); the same pick as PPO's
    num_examples: int = 500  # questions (0 = all rows of `source`)
    epochs: float = 2.0
    max_steps: int = -1  # > 0: number of steps (one step = one batch of questions, one optimizer update)
    max_samples: int = 0  # alias cap on num_examples (0 = no cap)
    batch_size: int = 2  # questions per step (per process)
    num_generations: int = 4  # answers sampled per question; each is scored against its group's mean (>= 2)
    micro_batch_size: int = 1  # answers per forward/backward (the step's gradient is accumulated over them)
    num_iterations: int = 1  # optimisation passes over each batch of answers (GRPO's mu; each pass is a step)
    learning_rate: float = 1e-6
    lr_scheduler: str = "constant"  # as PPO's loop: no schedule
    beta: float = 0.04  # weight of the KL to the SFT reference in the loss (0: no reference pass)
    epsilon: float = 0.2  # clip range of the policy ratio
    loss_type: str = "dapo"  # TRL's token aggregation: grpo | dr_grpo | dapo | bnpo
    scale_rewards: str = "group"  # advantages divided by the std of: group | batch | none
    max_completion_length: int = 48  # new tokens per answer
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    reward_correct: float = 1.0
    reward_wrong: float = 0.1
    max_grad_norm: float = 1.0
    gradient_checkpointing: bool = True
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int = 2  # checkpoints kept under <output_dir>/checkpoints
    torch_threads: int = 0  # CPU threads for torch (0 = torch's default, one per core)
    seed: int = 42
    wandb: str = "offline"
    run_name: str = ""
    logs_dir: str = "logs"


@dataclass
class EvalConfig:
    data: str = "data/processed/validation.jsonl"
    mode: str = "both"  # loglik | generate | both
    max_samples: int = 0
    max_new_tokens: int = 96
    batch_size: int = 8
    output_dir: str = "logs/eval"
    seed: int = 42
    adapter: str = ""  # a LoRA adapter folder to load on top of model.name ('' = the base model alone)
    system_prompt: str = ""  # '' = each record's own system turn (else config.SYSTEM_PROMPT)
    n_ctx: int = 2048  # llama.cpp context when the model is a .gguf file
    plots: bool = True  # also write confusion-matrix / accuracy PNGs next to the JSON
    reuse: bool = True  # --compare reuses a model's saved result when its files, the questions and settings match
    # what --compare evaluates beside the base model; a missing one is skipped with a note
    sft_adapter: str = "models/sft"
    ppo_adapter: str = "models/ppo"
    gguf: str = "models/medllm_finetuning.gguf"


# The export's faithfulness gate, per quant type: the lowest share of validation questions whose log-likelihood
# answer letter the GGUF keeps, and the highest mean KL(merged || GGUF) at the answer position (nats). Every type
# keeps 90% of the letters; the KL limit tells them apart (measurements: bench/RESULTS.md, "Export faithfulness").
FAITHFULNESS_GATE = {
    "F16": {"min_loglik_agreement": 0.90, "max_kl": 0.002},
    "Q8_0": {"min_loglik_agreement": 0.90, "max_kl": 0.01},
    "Q5_K_M": {"min_loglik_agreement": 0.90, "max_kl": 0.05},
    "Q4_K_M": {"min_loglik_agreement": 0.90, "max_kl": 0.10},
}


@dataclass
class ExportConfig:
    output: str = "models/medllm_finetuning.gguf"
    adapter: str = ""  # '' = models/ppo if present, else models/sft
    quant: str = "Q4_K_M"  # Q4_K_M | Q5_K_M | Q8_0 | F16
    faithfulness_questions: int = 0  # validation questions the GGUF is checked on (0 = all of them)
    faithfulness_generate: int = 20  # of those, how many are also compared by greedy generation (the slow part)
    faithfulness_max_tokens: int = 32  # greedy tokens per answer in the faithfulness check
    faithfulness_gate: dict = field(default_factory=lambda: {k: dict(v) for k, v in FAITHFULNESS_GATE.items()})
    validation_file: str = "data/processed/validation.jsonl"  # else questions from data.medqa / data.medmcqa
    merge_base: str = ""  # 16-bit base to merge into ('' = model.name); for a pre-quantized 4-bit base
    converter_dir: str = ".venv/convert-hf-to-gguf"  # llama.cpp's converter (make setup); relative to the repo
    log_file: str = "logs/export.log"


@dataclass
class ChatConfig:
    model: str = "models/medllm_finetuning.gguf"
    n_gpu_layers: int = 0
    n_ctx: int = 2048
    n_batch: int = 512
    threads: int = 0  # 0 = let llama.cpp choose
    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 256
    seed: int = -1
    system_prompt: str = SYSTEM_PROMPT
    disclaimer: str = DISCLAIMER
    disclaimer_short: str = DISCLAIMER_SHORT  # under every answer after a session's first
    emergency_notice: str = EMERGENCY_NOTICE
    # the red-flag rule book is the chat's own (chat/safety_rules.py); these add rules / figures of speech to it
    extra_red_flags: list[str] = field(default_factory=list)  # chat/safety.py pattern language, e.g. "cardiac: chest pain"
    extra_red_flag_exceptions: list[str] = field(default_factory=list)  # phrases removed before matching
    notice_markers: list[str] = field(default_factory=lambda: list(NOTICE_MARKERS))
    sessions_dir: str = "logs/sessions"


@dataclass
class Config:
    preset: str = "tiny"
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    lora: LoraConfig = field(default_factory=LoraConfig)
    sft: SFTConfig = field(default_factory=SFTConfig)
    ppo: PPOConfig = field(default_factory=PPOConfig)
    grpo: GRPOConfig = field(default_factory=GRPOConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    chat: ChatConfig = field(default_factory=ChatConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


SECTIONS = ("model", "data", "lora", "sft", "ppo", "grpo", "eval", "export", "chat")


def paper() -> Config:
    """The report's settings: Llama-3.1-8B-Instruct 4-bit, real datasets, one 8 GB GPU."""
    cfg = Config(preset="paper")
    cfg.model = ModelConfig(
        name="unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit",
        backend="auto",
        load_in_4bit=True,
        max_seq_length=2048,
    )
    cfg.data = DataConfig(
        medqa="GBaker/MedQA-USMLE-4-options",
        medmcqa="openlifescienceai/medmcqa",
        medmcqa_subset=50_000,
        val_ratio=0.05,
        min_question_words=10,
    )
    cfg.lora = LoraConfig(r=16, alpha=8, dropout=0.0, target_modules=["q_proj", "k_proj"])
    cfg.sft = SFTConfig(
        epochs=5.0,
        batch_size=1,
        grad_accum=8,
        learning_rate=3e-6,
        lr_scheduler="cosine",
        optim="adamw_torch",
        gradient_checkpointing=True,
        max_length=2048,
        logging_steps=10,
        eval_steps=500,
        save_steps=500,
        # ~3,100 validation questions at batch 1 would cost minutes per evaluation on an 8 GB card.
        eval_max_samples=500,
        eval_batch_size=4,
    )
    cfg.ppo = PPOConfig(
        num_examples=500,
        epochs=2.0,
        batch_size=2,
        mini_batch_size=2,
        learning_rate=5e-7,
        clip_eps=0.2,
        reward_correct=1.0,
        reward_wrong=0.1,
        max_new_tokens=128,
        save_steps=100,
    )
    cfg.grpo = GRPOConfig(
        num_examples=500,  # the same 500 MedQA questions as PPO (the same seed and selection)
        epochs=2.0,
        batch_size=2,
        # 4 answers a question: on a 4-option question a group of 4 often holds a right and a wrong answer, so
        # the group baseline has a signal; TRL's default of 8 would double the rollout time and its KV cache
        num_generations=4,
        # DeepSeekMath's GRPO KL weight: keeps the policy near SFT, as PPO's kl_coef 0.05 does
        beta=0.04,
        # DeepSeekMath's GRPO rate; PPO's 5e-7 makes 4 passes over each batch, GRPO one
        learning_rate=1e-6,
        # PPO's max_new_tokens: the letter, the option text and a short explanation, so the two compare
        max_completion_length=128,
        save_steps=100,
    )
    cfg.eval = EvalConfig(max_new_tokens=256, batch_size=4, n_ctx=4096)
    # 500 of the ~3,000 validation questions: a tight enough estimate (+-3 points) in minutes on the 8B model
    cfg.export = ExportConfig(quant="Q4_K_M", merge_base="unsloth/Meta-Llama-3.1-8B-Instruct", faithfulness_questions=500)
    cfg.chat = ChatConfig(n_gpu_layers=-1, n_ctx=4096)
    return cfg


def tiny() -> Config:
    """Embedded SmolLM2-135M-Instruct and the shipped sample: every stage in minutes on 2 CPU cores."""
    cfg = Config(preset="tiny")
    cfg.model = ModelConfig(name="embedded", backend="auto", load_in_4bit=False, max_seq_length=512)
    cfg.data = DataConfig(val_ratio=0.1)
    cfg.lora = LoraConfig(
        r=16,
        alpha=32,
        dropout=0.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    )
    # The demo proves that each stage runs and writes what it should, in about a minute a stage on 2 cores; it
    # does not try to teach a 135M model medicine (the fast tests show that SFT and PPO optimise). The sweeps
    # behind the SFT values are in bench/RESULTS.md ("Why the presets are set as they are").
    cfg.sft = SFTConfig(
        epochs=1.0,
        max_samples=16,  # 16 questions x 4 option orders = 16 steps of 4: about 75 s on 2 cores
        permute_options=3,  # 3 copies per question, so its answer sits on every letter once
        balanced_permutations=True,  # copies move the answer one letter on each: no letter to prefer
        permuted_explanations=False,  # copies train on the letter and option text alone
        group_permutations=True,  # a batch holds a question with its copies: the answer on A, B, C and D
        letter_loss_weight=10.0,  # without it the grouped run still drifted to one letter
        batch_size=4,
        grad_accum=1,
        learning_rate=5e-5,  # 1e-4 did no better at twice the time
        lr_scheduler="cosine",
        warmup_ratio=0.1,
        gradient_checkpointing=False,  # a 135M model fits easily; recomputing would only cost time
        max_length=512,
        logging_steps=2,
        eval_steps=8,  # validation loss at steps 0, 8 and 16
        save_steps=8,
        eval_batch_size=8,
    )
    cfg.ppo = PPOConfig(
        num_examples=2,  # questions SFT did not train on: one batch
        epochs=4.0,  # 4 steps on the same 2 questions, so the first and last steps' rewards compare like with like
        batch_size=2,
        samples_per_question=4,  # 4 answers per question for the leave-one-out baseline
        balanced_permutations=True,  # each answer sees its own option order: a fixed letter earns nothing
        advantage="rloo",
        mini_batch_size=8,
        ppo_epochs=1,  # one pass per batch: its ratio is 1, so no clipping to tune
        learning_rate=1e-4,  # lower rates showed no trend at this size
        max_new_tokens=8,  # the letter and the start of the option text: all the reward reads
        save_steps=4,
        gradient_checkpointing=False,  # a 135M model fits easily; recomputing would only cost time
    )
    cfg.grpo = GRPOConfig(
        num_examples=8,  # questions SFT did not train on (PPO's selection)
        epochs=1.0,  # 4 steps, each question once: about a minute on 2 cores
        batch_size=2,
        num_generations=4,  # PPO's samples_per_question
        learning_rate=1e-4,  # PPO's tiny rate
        max_completion_length=8,  # PPO's max_new_tokens: the letter and the start of the option text
        save_steps=2,
        gradient_checkpointing=False,  # a 135M model fits easily; recomputing would only cost time
    )
    # 16 new tokens: the letter and the option text, all the tiny SFT targets hold (no explanation to score)
    cfg.eval = EvalConfig(max_new_tokens=16, batch_size=8)
    cfg.export = ExportConfig(
        quant="F16",  # Q8_0 changes 8% of this 135M model's nearly tied letters
        faithfulness_max_tokens=8,  # the greedy check compares answer letters: "(B) " and the option's first words
    )
    cfg.chat = ChatConfig(n_ctx=2048, max_tokens=160, temperature=0.2)
    return cfg


PRESETS = {"tiny": tiny, "paper": paper}
DEFAULT_PRESET = "tiny"


def get_preset(name: str) -> Config:
    """A fresh Config for a named preset; KeyError names the valid ones."""
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; choose one of: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]()
