"""Shared fixtures and helpers: a tiny random-initialised Llama for training mechanics, the embedded tokenizer,
and for the chat a fake llama.cpp model with exact token budgets and a sample export metadata."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Tests never touch the network and never start a W&B run.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["WANDB_MODE"] = "disabled"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import torch  # noqa: E402

import config  # noqa: E402
from common import mcq_format, outputs  # noqa: E402


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def embedded_tokenizer_dir(tmp_path_factory) -> Path:
    """The SmolLM2 tokenizer (with its chat template), read from the embedded GGUF and saved."""
    from transformers import AutoTokenizer

    from common import modeling

    gguf = modeling.embedded_gguf_path()
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    out = tmp_path_factory.mktemp("smol_tokenizer")
    tok.save_pretrained(out)
    return out


def build_tiny_llama(out: Path, tokenizer_dir: Path, seed: int = 0, hidden: int = 64, layers: int = 2) -> Path:
    """Save a random-initialised Llama with the embedded tokenizer's vocabulary to `out`."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    torch.manual_seed(seed)
    conf = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
    )
    model = LlamaForCausalLM(conf)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory, embedded_tokenizer_dir) -> Path:
    """A 2-layer, 64-wide random Llama saved as a Hugging Face folder (for fast training tests)."""
    return build_tiny_llama(tmp_path_factory.mktemp("tiny_llama"), embedded_tokenizer_dir)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return ROOT / "data" / "sample"


# --------------------------------------------------------------------------- the chat: a fake model, metadata

# the keys of one recorded chat turn (a saved session's turns, `--ask --json`)
TURN_KEYS = {
    "n", "conversation", "question", "answer", "response", "emergency", "red_flags", "disclaimer_added",
    "asked_at", "answered_at", "ttft_s", "total_s", "tokens", "tokens_per_s", "prompt_tokens", "max_tokens",
    "trimmed_turns", "finish_reason", "interrupted",
}


@pytest.fixture(scope="session")
def embedded_sha256() -> str:
    from common import modeling

    return hashlib.sha256(modeling.embedded_gguf_path().read_bytes()).hexdigest()


class FakeLlama:
    """Counts one token per word (no chat template: medllm adds 8 per message + 8) and streams `reply`."""

    chat_format = "fake"

    def __init__(self, n_ctx=120, reply="(B) Metformin lowers glucose.", interrupt_after=None):
        self.metadata: dict = {}
        self._n_ctx, self.reply, self.interrupt_after = n_ctx, reply, interrupt_after
        self.calls: list = []

    def n_ctx(self):
        return self._n_ctx

    def tokenize(self, data, add_bos=True, special=False):
        return data.decode().split()

    def create_chat_completion(self, messages, stream, **kwargs):
        self.calls.append((messages, kwargs))

        def chunks():
            yield {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]}
            for i, word in enumerate(self.reply.split(" ")):
                if i == self.interrupt_after:
                    raise KeyboardInterrupt
                yield {"choices": [{"delta": {"content": word if i == 0 else " " + word}, "finish_reason": None}]}
            yield {"choices": [{"delta": {}, "finish_reason": "stop"}]}

        return chunks()


def fake_session(tmp_path, llm=None, **chat):
    """A ChatSession of the tiny preset's chat settings on a FakeLlama (or llm)."""
    import config
    from chat import session as chat_session

    model = tmp_path / "fake.gguf"
    model.write_bytes(b"GGUF fake model")
    cfg = config.get_preset("tiny").chat
    cfg.system_prompt, cfg.max_tokens, cfg.seed = "Be brief.", 20, -1
    for key, value in chat.items():
        setattr(cfg, key, value)
    return chat_session.ChatSession(llm or FakeLlama(), cfg, model)


def sample_metadata(gguf: Path, sha256: str) -> dict:
    """A metadata JSON as export_gguf.py writes it (contract keys), with known values."""
    return {
        "model_file": gguf.name,
        "base_model": "embedded",
        "adapter": "models/ppo",
        "quantization": "Q4_1",
        "size_bytes": gguf.stat().st_size,
        "sha256": sha256,
        "created": "2026-11-25T12:00:00+00:00",
        "versions": {"llama_cpp_python": "0.3.36"},
        "system_prompt": "You are MedLLM, a careful medical assistant. Answer briefly.",
        "sft": {
            "config": {"preset": "tiny", "lora": {"r": 16, "alpha": 32, "target_modules": ["q_proj", "v_proj"]},
                       "sft": {"epochs": 2.0, "learning_rate": 0.0002, "batch_size": 4, "grad_accum": 1}},
            "summary": {"initial_eval_loss": 2.5, "final_eval_loss": 1.25, "final_train_loss": 1.125, "steps": 120,
                        "epochs": 2.0, "tokens_per_s": 850.5, "wall_time_s": 300.0, "peak_memory_mb": 1024.0},
        },
        "ppo": {
            "config": {"preset": "tiny", "ppo": {"num_examples": 64, "learning_rate": 1e-05, "clip_eps": 0.2,
                                                 "reward_correct": 1.0, "reward_wrong": 0.1}},
            "summary": {"reward_start": 0.325, "reward_end": 0.4375, "accuracy_start": 0.25, "accuracy_end": 0.375,
                        "kl_end": 0.0125, "steps": 16, "tokens_per_s": 120.0, "wall_time_s": 200.0,
                        "peak_memory_mb": 900.0},
        },
        "evaluation": {"models": [{"name": "base", "accuracy": 0.28}, {"name": "ppo", "accuracy": 0.44}]},
        "faithfulness": {"agreement": 0.875, "n": 8, "details": []},
    }


# --------------------------------------------------------------------------- training: splits and an SFT adapter

def sample_records(sample_dir: Path, n: int) -> list[dict]:
    """The first n MedQA sample questions as processed records (the data_processor.py format)."""
    records = []
    with open(sample_dir / "medqa.jsonl", encoding="utf-8") as fh:
        for i, line in zip(range(n), fh):
            row = json.loads(line)
            record = {"id": f"medqa-{i}", "source": "medqa", "question": row["question"], "options": row["options"],
                      "answer": row["answer_idx"], "answer_text": row["options"][row["answer_idx"]],
                      "explanation": "", "subject": row.get("meta_info", "")}
            record["messages"] = mcq_format.build_messages(record, config.SYSTEM_PROMPT)
            records.append(record)
    return records


@pytest.fixture(scope="module")
def splits(tmp_path_factory, sample_dir) -> Path:
    records = sample_records(sample_dir, 20)
    folder = tmp_path_factory.mktemp("processed")
    outputs.atomic_write_jsonl(folder / "train.jsonl", records[:16])
    outputs.atomic_write_jsonl(folder / "validation.jsonl", records[16:])
    return folder


@pytest.fixture
def one_thread():
    """Tiny models run far faster on one thread (and do not fight the other processes on the machine)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_adapter(base_dir: Path, out: Path, seed: int = 0, targets=("q_proj", "v_proj")) -> Path:
    """An SFT-like adapter: LoRA on base_dir with small random B (so it changes the model), saved by PEFT."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir),
                           LoraConfig(r=4, lora_alpha=8, target_modules=list(targets), task_type="CAUSAL_LM"))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.05)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def sft_dir(tiny_llama_dir, tmp_path_factory) -> Path:
    return make_adapter(tiny_llama_dir, tmp_path_factory.mktemp("sft"))


def processed_records(sample_dir: Path, medqa: int = 12, medmcqa: int = 0) -> list[dict]:
    """Records in data_processor's format, built from the shipped sample (SYSTEM_PROMPT, no explanation)."""
    rows = []
    for i, line in enumerate(open(sample_dir / "medqa.jsonl", encoding="utf-8")):
        if i >= medqa:
            break
        q = json.loads(line)
        rows.append({"id": f"medqa-{i}", "source": "medqa", "question": q["question"], "options": q["options"],
                     "answer": q["answer_idx"], "answer_text": q["answer"], "explanation": "", "subject": ""})
    for i, line in enumerate(open(sample_dir / "medmcqa.jsonl", encoding="utf-8")):
        if i >= medmcqa:
            break
        q = json.loads(line)
        options = {"A": q["opa"], "B": q["opb"], "C": q["opc"], "D": q["opd"]}
        letter = "ABCD"[q["cop"]]
        rows.append({"id": q["id"], "source": "medmcqa", "question": q["question"], "options": options,
                     "answer": letter, "answer_text": options[letter], "explanation": q.get("exp") or "",
                     "subject": q.get("subject_name") or ""})
    for row in rows:
        row["messages"] = mcq_format.build_messages(row, config.SYSTEM_PROMPT, include_explanation=False)
    return rows


@pytest.fixture(scope="session")
def train_file(sample_dir, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.jsonl"
    outputs.atomic_write_jsonl(path, processed_records(sample_dir, medqa=12, medmcqa=4))
    return path
