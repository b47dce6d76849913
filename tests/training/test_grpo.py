"""training/grpo.py: the reward is the project's, the questions are PPO's, TRL's settings, the policy and reference."""
from __future__ import annotations

import json

import pytest
import torch

import config
from common import mcq_format, modeling, plots
from common.errors import UserError
from training import grpo
from training import ppo as ppo_run

OPTIONS = {"A": "Metformin", "B": "Insulin glargine", "C": "Glipizide", "D": "Sitagliptin"}
ANSWERS = ["(A) Metformin", "The answer is B.", "Insulin glargine", "A or B", "", "(C) Glipizide because", "D"]


def grpo_cfg(**changes) -> config.Config:
    cfg = config.get_preset("tiny")
    for key, value in changes.items():
        setattr(cfg.grpo, key, value)
    return cfg


# --------------------------------------------------------------------------- the reward


@pytest.mark.parametrize("correct, wrong", [(1.0, 0.1), (2.0, -1.0)])
def test_the_reward_is_correctness_reward_itself(correct, wrong):
    """Every answer, as text or as TRL's conversational completion, scores exactly what
    mcq_format.correctness_reward gives it with the section's reward_correct / reward_wrong."""
    fn = grpo.reward_function(config.GRPOConfig(reward_correct=correct, reward_wrong=wrong))
    assert fn.__name__ == grpo.REWARD_NAME
    n = len(ANSWERS)
    expected = [mcq_format.correctness_reward(a, "A", OPTIONS, correct, wrong) for a in ANSWERS]
    assert sorted(set(expected)) == sorted({correct, wrong})  # both outcomes occur
    as_text = fn(prompts=[None] * n, completions=ANSWERS, answer=["A"] * n, options=[json.dumps(OPTIONS)] * n)
    chats = [[{"role": "assistant", "content": a}] for a in ANSWERS]
    as_chat = fn(prompts=[None] * n, completions=chats, answer=["A"] * n, options=[json.dumps(OPTIONS)] * n)
    assert as_text == as_chat == expected


def test_the_reward_follows_correctness_reward_when_it_changes(monkeypatch):
    """One implementation: patching mcq_format.correctness_reward changes GRPO's reward, with the same arguments."""
    seen = []

    def fake(response, answer, options=None, correct=1.0, wrong=0.1):
        seen.append((response, answer, options, correct, wrong))
        return 0.5 + len(response)

    monkeypatch.setattr(mcq_format, "correctness_reward", fake)
    fn = grpo.reward_function(config.GRPOConfig(reward_correct=3.0, reward_wrong=0.25))
    scores = fn(completions=["ab", "abcd"], answer=["B", "C"], options=[json.dumps(OPTIONS)] * 2)
    assert scores == [2.5, 4.5]
    assert seen == [("ab", "B", OPTIONS, 3.0, 0.25), ("abcd", "C", OPTIONS, 3.0, 0.25)]


def test_the_reward_logs_the_share_of_right_letters():
    logged = []
    fn = grpo.reward_function(config.GRPOConfig())
    fn(completions=["(A) x", "(B) y", "(A)", "nothing"], answer=["A"] * 4, options=[json.dumps(OPTIONS)] * 4,
       log_metric=lambda name, value: logged.append((name, value)), trainer_state=None)
    assert logged == [("accuracy", 0.5)]


# --------------------------------------------------------------------------- the questions


def test_the_questions_are_ppos(train_file, tmp_path):
    """The same settings pick the same questions, in the same order, as training.ppo.select_questions."""
    common = dict(train_file=str(train_file), source="medqa", num_examples=5, seed=3, sft_adapter=str(tmp_path))
    cfg = grpo_cfg(**common)
    rows = grpo.select_questions(cfg)
    assert [r["id"] for r in rows] == [r["id"] for r in ppo_run.select_questions(config.PPOConfig(**common))]
    assert len(rows) == 5 and all(r["source"] == "medqa" for r in rows)
    cfg.grpo.source = "nothing"
    with pytest.raises(UserError, match=r"GRPO subset is empty.*--set grpo\.source="):
        grpo.select_questions(cfg)


def test_the_validation_split_is_refused(train_file, tmp_path):
    cfg = grpo_cfg(train_file=str(train_file))
    cfg.sft.validation_file = str(train_file)
    with pytest.raises(UserError, match=r"grpo\.train_file .* is the validation split.*GRPO samples training"):
        grpo.select_questions(cfg)


def test_prompts_are_the_tokens_ppo_generates_from(embedded_tokenizer_dir, train_file, tmp_path):
    """TRL applies the chat template to the dataset's conversational prompts: the same ids as PPO's prompts."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(embedded_tokenizer_dir)
    records = grpo.select_questions(grpo_cfg(train_file=str(train_file), sft_adapter=str(tmp_path)))
    ppo_ids, kept = ppo_run.encode_prompts(tok, records, config.SYSTEM_PROMPT, 10_000)
    rows = grpo.question_rows(kept, config.SYSTEM_PROMPT)
    trl_ids = tok.apply_chat_template([r["prompt"] for r in rows], add_generation_prompt=True, tokenize=True,
                                      return_dict=True)["input_ids"]
    assert [list(x) for x in trl_ids] == ppo_ids
    assert [r["answer"] for r in rows] == [r["answer"] for r in kept]
    assert [json.loads(r["options"]) for r in rows] == [r["options"] for r in kept]


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("field, value, fragment", [
    ("num_generations", 1, "grpo.num_generations must be at least 2"),
    ("micro_batch_size", 3, "grpo.micro_batch_size must be a divisor of batch_size x num_generations = 8"),
    ("beta", -0.1, "grpo.beta must be 0"),
    ("loss_type", "ppo", "grpo.loss_type must be one of grpo, dr_grpo, dapo, bnpo"),
    ("scale_rewards", "yes", "grpo.scale_rewards must be one of group, batch, none"),
    ("learning_rate", 0.0, "grpo.learning_rate must be above 0"),
    ("top_p", 0.0, "grpo.top_p must be above 0 and at most 1"),
    ("temperature", 0.0, "grpo.temperature must be above 0"),
    ("max_completion_length", 0, "grpo.max_completion_length must be at least 1"),
    ("wandb", "cloud", "grpo.wandb must be one of offline, online, disabled"),
])
def test_bad_settings_are_named_with_their_range(field, value, fragment):
    with pytest.raises(UserError, match=fragment.replace(".", r"\.").replace("(", r"\(")):
        grpo.check_settings(grpo_cfg(**{field: value}))


def test_trainer_args_make_one_update_per_batch_of_questions(tmp_path):
    """batch_size questions x num_generations answers = one generation batch = one step, accumulated over
    micro-batches; on a CPU no bf16 (TRL's default would autocast), and only arguments TRL 1.15 has too."""
    cfg = grpo_cfg(batch_size=2, num_generations=4, micro_batch_size=2, beta=0.04, max_completion_length=16)
    args = grpo.trainer_args(cfg, tmp_path / "ckpt")
    assert (args.per_device_train_batch_size, args.gradient_accumulation_steps) == (2, 4)
    assert (args.generation_batch_size, args.steps_per_generation, args.num_generations) == (8, 4, 4)
    assert (args.beta, args.max_completion_length, args.num_iterations, args.loss_type) == (0.04, 16, 1, "dapo")
    assert args.bf16 is False and args.use_cpu is True and args.report_to == []
    assert args.lr_scheduler_type == "constant" and args.disable_dropout is True
    cfg.grpo.lr_scheduler = "sideways"
    with pytest.raises(UserError, match="TRL's GRPOConfig refuses these settings"):
        grpo.trainer_args(cfg, tmp_path / "ckpt")


# --------------------------------------------------------------------------- the policy and its reference


def logits_of(model, ids):
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_the_policy_starts_as_sft_and_the_reference_is_a_frozen_copy(tiny_llama_dir, sft_dir, train_file, tmp_path,
                                                                    one_thread):
    """GRPOTrainer keeps the SFT adapter trainable ("default") and adds a frozen copy ("ref") as the reference,
    not the bare base model; the trained adapter saves as a plain PEFT folder of the base."""

    cfg = grpo_cfg(train_file=str(train_file), sft_adapter=str(sft_dir), max_completion_length=4)
    cfg.model = config.ModelConfig(name=str(tiny_llama_dir))
    model, tok, backend = grpo.load_policy(cfg, sft_dir, "hf")
    records = grpo.select_questions(cfg)
    trainer = grpo.build_trainer(cfg, model, tok, records, grpo.trainer_args(cfg, tmp_path / "ckpt"))
    peft_model = trainer.model
    assert set(peft_model.peft_config) == {"default", "ref"} and peft_model.active_adapter == "default"
    trainable = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all(".default." in n for n in trainable)
    ids = torch.tensor([[1, 500, 600, 700, 800]])
    sft_model, _, _ = modeling.load_with_adapter(cfg.model, sft_dir)
    assert torch.allclose(logits_of(peft_model, ids), logits_of(sft_model, ids), atol=1e-6)
    with torch.no_grad():  # what training does: move the trained adapter only
        for n, p in peft_model.named_parameters():
            if ".default." in n and "lora_B" in n:
                p.add_(0.05)
    moved = logits_of(peft_model, ids)
    peft_model.set_adapter("ref")
    assert torch.allclose(logits_of(peft_model, ids), logits_of(sft_model, ids), atol=1e-6)  # the reference: SFT
    peft_model.set_adapter("default")
    peft_model.save_pretrained(str(tmp_path / "out"), selected_adapters=[grpo.POLICY])
    assert not (tmp_path / "out" / "ref").exists()
    reloaded, _, _ = modeling.load_with_adapter(cfg.model, tmp_path / "out")
    assert torch.allclose(logits_of(reloaded, ids), moved, atol=1e-6)


# --------------------------------------------------------------------------- summary and plots


def test_summary_averages_the_first_and_last_quarter():
    history = [{"steps": 1, "reward_mean": r, "accuracy": a, "kl": k, "tokens": 8.0, "step_time_s": 2.0}
               for r, a, k in [(0.1, 0.0, 0.0), (0.3, 0.25, None), (0.1, 0, 0.2), (0.1, 0, 0.2),
                               (0.1, 0, 0.2), (0.1, 0, 0.2), (0.55, 0.5, 0.3), (1.0, 1.0, 0.5)]]
    s = ppo_run.summarize(history)  # GRPO summarises its log with PPO's function
    assert (s["window_steps"], s["reward_start"], s["reward_end"]) == (2, 0.2, 0.775)
    assert (s["accuracy_start"], s["accuracy_end"], s["kl_end"]) == (0.125, 0.75, 0.4)
    assert s["tokens_per_s"] == 4.0  # 64 answer tokens in 16 s


def test_plots_draw_a_grpo_run(tmp_path):
    """evaluate.py --plots logs/grpo: PPO's charts where the names agree, plus the answer lengths."""
    run = tmp_path / "grpo"
    run.mkdir()
    rows = [{"step": s, "loss": 0.01 * s, "learning_rate": 1e-4, "grad_norm": 0.5, "reward_mean": 0.1 + 0.1 * s,
             "reward_std": 0.2, "accuracy": 0.1 * s, "kl": 0.01 * s, "entropy": 2.0, "clip_frac": 0.0,
             "completion_len": 7.5, "completion_len_max": 8, "clipped_ratio": 0.5} for s in range(1, 5)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    names = sorted(p.name for p in plots.plot_run(run))
    assert names == ["accuracy.png", "clip_fraction.png", "clipped_ratio.png", "completion_length.png", "entropy.png",
                     "grad_norm.png", "kl.png", "learning_rate.png", "loss.png", "reward.png"]
