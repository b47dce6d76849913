"""Our PPO loop (RLOO advantages) against TRL's GRPOTrainer: step time, rollout speed, memory, reward, learning.

    .venv/bin/python bench/bench_rl.py [--quick]

Two comparisons, each contender in a fresh Python process (bench_ppo.py's way: MALLOC_MMAP_THRESHOLD_ so
that RSS follows live memory, one torch thread):

* MedQA steps. The tiny preset's model (SmolLM2-135M) with its SFT adapter (models/sft, else a fresh LoRA),
  the first 8 MedQA sample questions, steps of 2 questions x 4 answers, up to 8 new tokens, the project's
  reward (1.0 / 0.1), one optimizer update per step, one answer per forward/backward. Ours: train_ppo's
  ppo_step with ppo.advantage=rloo (the tiny preset's PPO). Theirs: train_grpo's GRPOTrainer (the tiny
  preset's GRPO). Reported: wall time per step (mean over the steps after the first), rollout tokens/s
  (answer tokens per second of model.generate), the peak RSS of the steps above the memory after set-up
  (model, adapters, trainer), and the mean reward of each step.
* The cue task of tests/training/test_ppo.py (a 16-token toy Llama: answer the token the prompt ends with, 1
  in 16 by chance, reward 1 for it): how many steps (rollout batches of 4 prompts x 4 answers, 1 new token)
  and seconds each takes until the mean reward of the last 20 steps reaches 0.8. Ours: PPO with RLOO, 2 PPO
  epochs of minibatches of 8 (4 updates a batch), the test's settings. Theirs: GRPOTrainer with the same 4
  updates a batch (num_iterations 2, steps_per_generation 2, batches of 8), the same learning rate and KL
  weight.

The last line gives the per-step time ratio ours / theirs with the settings (goal: ours at least as fast per
step). Exits non-zero when a contender fails.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import config  # noqa: E402

THREADS = 1  # one thread: the figures compare code paths, not the scheduling of a shared CPU
QUESTIONS = 8  # the first MedQA sample questions, as the tiny preset's 8
CUE_LIMIT = 300  # steps the cue task may take (the test's limit)


def settings(quick: bool) -> dict:
    cfg = config.get_preset("tiny")
    return {"steps": 4 if quick else 8, "questions_per_step": cfg.ppo.batch_size,
            "answers_per_question": cfg.ppo.samples_per_question, "max_new_tokens": cfg.ppo.max_new_tokens,
            "threads": THREADS, "cue_limit": 150 if quick else CUE_LIMIT}


def _cfg(quick: bool):
    """The tiny preset with PPO and GRPO on the same footing (answers, tokens, steps, learning rate, KL weight)."""
    s = settings(quick)
    cfg = config.get_preset("tiny")
    cfg.model.base_dir = str(ROOT / cfg.model.base_dir)
    p, g = cfg.ppo, cfg.grpo
    p.advantage, p.samples_per_question, p.batch_size = "rloo", s["answers_per_question"], s["questions_per_step"]
    p.mini_batch_size, p.ppo_epochs, p.micro_batch_size = p.batch_size * p.samples_per_question, 1, 1
    g.num_generations, g.batch_size, g.micro_batch_size = s["answers_per_question"], s["questions_per_step"], 1
    g.max_completion_length = p.max_new_tokens = s["max_new_tokens"]
    g.learning_rate, g.beta, g.num_iterations, g.max_steps = p.learning_rate, p.kl_coef, 1, s["steps"]
    g.gradient_checkpointing = p.gradient_checkpointing = False
    return cfg


# --------------------------------------------------------------------------- MedQA steps, one contender a process


def measure_mcq(kind: str, quick: bool) -> dict:
    import torch

    import bench_ppo
    from training import grpo
    from training import ppo as ppo_run

    torch.set_num_threads(THREADS)
    cfg = _cfg(quick)
    steps = settings(quick)["steps"]
    adapter, which = bench_ppo._adapter(cfg)
    records = bench_ppo._questions(QUESTIONS)
    step_times, rewards, tokens, gen_seconds = [], [], 0.0, 0.0
    if kind == "ppo":
        learner, tok = bench_ppo._learner(cfg, adapter)
        prompts, records = ppo_run.encode_prompts(tok, records, config.SYSTEM_PROMPT, cfg.model.max_seq_length)
        bench_ppo._touch_weights(learner.model)
        after = bench_ppo._rss_mb()
        k, n = cfg.ppo.samples_per_question, cfg.ppo.batch_size
        with bench_ppo.StepPeak() as peak:
            for step in range(steps):
                batch = [(step * n + i) % len(prompts) for i in range(n)]
                answers = [i for i in batch for _ in range(k)]
                torch.manual_seed(step)
                query, mask = ppo_run.left_pad([prompts[i] for i in answers], learner.pad_id, "cpu")
                reward_fn = ppo_run.mcq_reward_fn(tok, [records[i] for i in answers], cfg.ppo)
                stats = ppo_run.ppo_step(learner, query, mask, reward_fn, groups=torch.tensor(answers))
                step_times.append(stats["step_time_s"])
                rewards.append(stats["reward_mean"])
                tokens += stats["tokens"]
                gen_seconds += stats["tokens"] / max(stats["gen_tokens_per_s"], 1e-9)
    else:
        from transformers import TrainerCallback

        class Timer(TrainerCallback):
            def on_step_begin(self, args, state, control, **kw):
                self.t0 = time.perf_counter()

            def on_step_end(self, args, state, control, **kw):
                step_times.append(time.perf_counter() - self.t0)

            def on_log(self, args, state, control, logs=None, **kw):
                if logs and "reward" in logs:
                    rewards.append(logs["reward"])

        model, tok, _ = grpo.load_policy(cfg, adapter, "hf")
        with tempfile.TemporaryDirectory() as out:
            args = grpo.trainer_args(cfg, out, save_strategy="no", logging_steps=1)
            trainer = grpo.build_trainer(cfg, model, tok, records, args, callbacks=[Timer()])
            generate = trainer._generate_single_turn  # model.generate, timed as ours is

            def timed(*a, **kw):
                nonlocal tokens, gen_seconds
                t0 = time.perf_counter()
                completion_ids, logprobs = generate(*a, **kw)
                gen_seconds += time.perf_counter() - t0
                tokens += sum(len(c) for c in completion_ids)
                return completion_ids, logprobs

            trainer._generate_single_turn = timed
            bench_ppo._touch_weights(trainer.model)
            after = bench_ppo._rss_mb()
            with bench_ppo.StepPeak() as peak:
                trainer.train()
    if len(step_times) != steps or len(rewards) != steps:
        raise RuntimeError(f"{kind}: {len(step_times)} step times and {len(rewards)} rewards for {steps} steps")
    return {"step_times": step_times, "rewards": rewards, "tokens": tokens, "gen_seconds": gen_seconds,
            "step_extra_mb": peak.extra, "after_setup_mb": after, "cuda": peak.cuda, "adapter": which}


# --------------------------------------------------------------------------- the cue task


def _toy_tokenizer():
    """A word-level tokenizer over the toy's 16 ids: "<pad>" 0, "</s>" 1, "t2" ... "t15" (no special tokens added)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, **{f"t{i}": i for i in range(2, 16)}}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="</s>")


def toy_sft(work: Path, seed: int = 0):
    """The cue task's 16-token, 2-layer Llama (tests/training/test_ppo.py's toy_policy) and its "SFT" adapter in
    work/toy_sft -> the LlamaConfig. One change: the LM head is trained whole (PEFT modules_to_save) instead of
    through a LoRA, because TRL's GRPOTrainer refuses a LoRA on lm_head (it reads lm_head.weight directly); a
    random head's logits are too flat for a peaked answer, so it must be trainable."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    conf = LlamaConfig(vocab_size=16, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, pad_token_id=0, bos_token_id=None,
                       eos_token_id=1, tie_word_embeddings=False)
    torch.manual_seed(seed)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"], modules_to_save=["lm_head"])
    get_peft_model(LlamaForCausalLM(conf), lora).save_pretrained(work / "toy_sft")
    return conf


def toy_base(conf, seed: int = 0):
    """The toy's base weights, as toy_sft made them (the same seed)."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    return LlamaForCausalLM(conf)


def measure_cue(kind: str, quick: bool) -> dict:
    """Steps and seconds until the mean reward of the last 20 steps reaches 0.8 (None: not within the limit)."""
    import torch

    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT / "tests" / "training"))
    import test_ppo as toy  # the cue task's settings, prompts, reward and PPO driver
    from training import ppo as ppo_run

    torch.set_num_threads(THREADS)
    limit = settings(quick)["cue_limit"]
    groups_of = 4
    # one pass per minibatch of 8, as GRPOTrainer's batches of 8 (the test's loop runs one answer at a time)
    ppo = toy.toy_config(advantage="rloo", samples_per_question=groups_of, micro_batch_size=8)
    work = Path(tempfile.mkdtemp(prefix="bench-rl-"))
    conf = toy_sft(work)
    if kind == "ppo":
        model = ppo_run.attach_adapters(toy_base(conf), work / "toy_sft")
        learner = ppo_run.make_learner(model, ppo, pad_id=0, eos_ids=[1])
        start = time.perf_counter()
        rewards, _ = toy.train_cue_task(learner, limit, groups_of, stop_at=0.8)
        seconds = time.perf_counter() - start
    else:
        from peft import PeftModel
        from transformers import PrinterCallback, TrainerCallback
        from trl import GRPOConfig, GRPOTrainer
        import datasets

        model = PeftModel.from_pretrained(toy_base(conf), str(work / "toy_sft"), is_trainable=True)
        prompts_per_step = ppo.batch_size // groups_of
        query, mask, cues = toy.cue_prompts(torch.Generator().manual_seed(1), prompts_per_step * limit)
        rows = [{"prompt": " ".join(f"t{int(t)}" for t in q[m.bool()]), "cue": int(c)}
                for q, m, c in zip(query, mask, cues)]

        def cue_reward(completions, completion_ids, cue, **kw):
            return [1.0 if len(ids) and int(ids[0]) == c else 0.0 for ids, c in zip(completion_ids, cue)]

        rewards = []

        class StopAt(TrainerCallback):
            def on_log(self, args, state, control, logs=None, **kw):
                if logs and "reward" in logs:  # logged once per rollout batch
                    rewards.append(logs["reward"])
                    if len(rewards) >= 20 and sum(rewards[-20:]) / 20 >= 0.8 or len(rewards) >= limit:
                        control.should_training_stop = True

        updates = ppo.ppo_epochs * (ppo.batch_size // ppo.mini_batch_size)  # PPO's updates a batch: 2 x 2
        args = GRPOConfig(
            output_dir=str(work / "grpo"), per_device_train_batch_size=ppo.mini_batch_size,
            steps_per_generation=ppo.batch_size // ppo.mini_batch_size, num_iterations=ppo.ppo_epochs,
            num_generations=groups_of, max_completion_length=ppo.max_new_tokens, learning_rate=ppo.learning_rate,
            beta=ppo.kl_coef, epsilon=ppo.clip_eps, temperature=ppo.temperature, top_k=0, top_p=1.0,
            max_grad_norm=ppo.max_grad_norm, lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.0,
            max_steps=limit * updates, gradient_checkpointing=False, disable_dropout=True, bf16=False,
            use_cpu=True, logging_steps=1, save_strategy="no", report_to="none", disable_tqdm=True, seed=1,
        )
        trainer = GRPOTrainer(model=model, reward_funcs=cue_reward, args=args,
                              train_dataset=datasets.Dataset.from_list(rows), processing_class=_toy_tokenizer(),
                              callbacks=[StopAt()])
        trainer.remove_callback(PrinterCallback)
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    reached = len(rewards) >= 20 and sum(rewards[-20:]) / 20 >= 0.8
    curve = [round(sum(rewards[i:i + 20]) / len(rewards[i:i + 20]), 3) for i in range(0, len(rewards), 20)]
    return {"steps": len(rewards) if reached else None, "seconds": seconds if reached else None,
            "ran_steps": len(rewards), "ran_seconds": seconds, "curve": curve}


# --------------------------------------------------------------------------- the table


def _measure_in_subprocess(what: str, kind: str, quick: bool) -> dict:
    cmd = [sys.executable, __file__, "--measure", what, kind] + (["--quick"] if quick else [])
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072", "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600, env=env)
    if proc.returncode != 0:
        tail = [line for line in proc.stderr.strip().splitlines() if line.strip()][-3:]
        raise RuntimeError(f"the {kind} contender failed ({what}): {' | '.join(tail)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _per_step(result: dict) -> float:
    times = result["step_times"][1:] or result["step_times"]  # the first step warms up
    return statistics.mean(times)


def run(quick: bool = False) -> list[dict]:
    s = settings(quick)
    ours, theirs = (_measure_in_subprocess("mcq", k, quick) for k in ("ppo", "grpo"))
    cue_ours, cue_theirs = (_measure_in_subprocess("cue", k, quick) for k in ("ppo", "grpo"))
    where = "CUDA allocation" if ours["cuda"] else "RSS"
    setting = (f"SmolLM2-135M + {ours['adapter']}; {s['steps']} steps of {s['questions_per_step']} questions x "
               f"{s['answers_per_question']} answers, up to {s['max_new_tokens']} new tokens, one update a step, "
               f"one answer per forward/backward, {THREADS} thread")
    step_ours, step_theirs = _per_step(ours), _per_step(theirs)
    speed = [r["tokens"] / max(r["gen_seconds"], 1e-9) for r in (ours, theirs)]
    reward = [statistics.mean(r["rewards"]) for r in (ours, theirs)]

    def cue_row(key: str, unit: str) -> dict:
        a, b = cue_ours[key], cue_theirs[key]
        missed = [name for name, r in (("ours", cue_ours), ("theirs", cue_theirs)) if r[key] is None]
        note = (f"mean reward per 20 steps: ours {cue_ours['curve']}, theirs {cue_theirs['curve']}; "
                f"ran {cue_ours['ran_steps']} / {cue_theirs['ran_steps']} steps in "
                f"{cue_ours['ran_seconds']:.0f} / {cue_theirs['ran_seconds']:.0f} s")
        if missed:
            note += f"; 0.8 not reached within {s['cue_limit']} steps by {' and '.join(missed)}"
        a_v, b_v = (float(s["cue_limit"]) if v is None else round(v, 1) for v in (a, b))
        return {"figure": f"cue task: {unit} to a mean reward of 0.8 (PPO-RLOO vs GRPOTrainer)", "ours": a_v,
                "baseline": b_v, "unit": unit, "ratio": round(a_v / max(b_v, 1e-9), 3), "goal": "(informational)",
                "note": note}

    return [
        {"figure": "RL step wall time (our PPO-RLOO vs TRL GRPOTrainer)", "ours": round(step_ours, 3),
         "baseline": round(step_theirs, 3), "unit": "s/step", "ratio": round(step_ours / step_theirs, 3),
         "goal": "<= 1x", "check": ["ratio", "<=", 1.0],
         "note": f"{setting}; mean over steps 2-{s['steps']}; per step ours "
                 f"{[round(t, 2) for t in ours['step_times']]}, theirs {[round(t, 2) for t in theirs['step_times']]}"},
        {"figure": "RL rollout tokens/s (model.generate; PPO-RLOO vs GRPOTrainer)", "ours": round(speed[0], 2),
         "baseline": round(speed[1], 2), "unit": "tokens/s", "ratio": round(speed[0] / max(speed[1], 1e-9), 3),
         "goal": "(informational)", "note": f"answer tokens {ours['tokens']:.0f} / {theirs['tokens']:.0f}"},
        {"figure": f"RL step memory above set-up ({where}; PPO-RLOO vs GRPOTrainer)",
         "ours": round(ours["step_extra_mb"], 1), "baseline": round(theirs["step_extra_mb"], 1), "unit": "MiB",
         "ratio": round(ours["step_extra_mb"] / max(theirs["step_extra_mb"], 1e-9), 3), "goal": "(informational)",
         "note": f"after set-up ours {ours['after_setup_mb']:.0f} MiB, theirs {theirs['after_setup_mb']:.0f} MiB"},
        {"figure": "RL mean reward per step (PPO-RLOO vs GRPOTrainer)", "ours": round(reward[0], 4),
         "baseline": round(reward[1], 4), "unit": "reward", "ratio": round(reward[0] / max(reward[1], 1e-9), 3),
         "goal": "(informational)",
         "note": f"per step ours {[round(r, 3) for r in ours['rewards']]}, theirs "
                 f"{[round(r, 3) for r in theirs['rewards']]} (sampled answers: {s['steps']} steps say little)"},
        cue_row("steps", "steps"),
        cue_row("seconds", "seconds"),
    ]


def ratio_line(rows: list[dict], quick: bool) -> str:
    s = settings(quick)
    step = rows[0]
    return (f"per-step time ours/theirs = {step['ratio']:.3f} ({step['ours']:.3f} s vs {step['baseline']:.3f} s; "
            f"goal <= 1): {s['questions_per_step']} questions x {s['answers_per_question']} answers, "
            f"{s['max_new_tokens']} new tokens, {s['steps']} steps, {s['threads']} thread")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if "--measure" in sys.argv:
        at = sys.argv.index("--measure")
        what, kind = sys.argv[at + 1], sys.argv[at + 2]
        result = (measure_mcq if what == "mcq" else measure_cue)(kind, quick)
        print(json.dumps(result))
        sys.exit(0)
    from run_all import machine, print_rows

    print(f"{time.strftime('%Y-%m-%d')}, {machine()}: python bench/bench_rl.py{' --quick' if quick else ''}")
    try:
        rows = run(quick)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    print_rows(rows)
    print(ratio_line(rows, quick))
