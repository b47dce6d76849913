"""The paper preset's path end to end on the CPU: a tiny random Llama loaded in nf4 4-bit (bitsandbytes) with the
paper's LoRA (r 16, alpha 8, q_proj/k_proj), through SFT, PPO, evaluation and export, each by its real main()."""
from __future__ import annotations

import json

import pytest
from common import outputs

from common import cli
import evaluate
import export_gguf
import train_ppo
import train_sft
from conftest import sample_records

bnb = pytest.importorskip("bitsandbytes")


def run(main, argv: list, capsys) -> tuple[int, str]:
    code = cli.main_wrapper(main, [str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err[-3000:]
    return code, out


def lora_tensors(folder) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "adapter_model.safetensors"))


def test_paper_preset_in_4bit_trains_evaluates_and_exports(tmp_path, tiny_llama_dir, sample_dir, capsys):
    import torch

    records = sample_records(sample_dir, 14)
    splits = tmp_path / "processed"
    outputs.atomic_write_jsonl(splits / "train.jsonl", records[:10])
    outputs.atomic_write_jsonl(splits / "validation.jsonl", records[10:])
    common = ["--preset", "paper", "--model", tiny_llama_dir, "--set", "model.max_seq_length=512"]

    # SFT: the paper's learning rate 3e-6 on nf4 weights (the LoRA tensors stay fp32, so the updates count)
    sft = tmp_path / "sft"
    run(train_sft.main, common + [
        "--output-dir", sft, "--wandb", "disabled", "--max-steps", "3",
        "--set", f"sft.train_file={splits / 'train.jsonl'}", "--set", f"sft.validation_file={splits / 'validation.jsonl'}",
        "--set", f"sft.logs_dir={tmp_path / 'logs'}", "--set", "sft.run_name=sft", "--set", "sft.grad_accum=1",
        "--set", "sft.batch_size=2", "--set", "sft.max_length=512", "--set", "sft.eval_steps=3",
        "--set", "sft.save_steps=3"], capsys)
    saved = json.loads((sft / "adapter_config.json").read_text())
    assert (saved["r"], saved["lora_alpha"], sorted(saved["target_modules"])) == (16, 8, ["k_proj", "q_proj"])
    tensors = lora_tensors(sft)
    assert tensors and all(t.dtype == torch.float32 for t in tensors.values())
    zero = [k for k, t in tensors.items() if "lora_B" in k and not t.abs().sum() > 0]
    assert not zero, zero  # B starts at 0: every one moved
    summary = json.loads((sft / "train_summary.json").read_text())
    assert summary["steps"] == 3 and summary["letter_eval"]["final"]["letter_loss"] > 0

    # PPO from that adapter, on the same 4-bit base
    ppo = tmp_path / "ppo"
    run(train_ppo.main, common + [
        "--sft-adapter", sft, "--output-dir", ppo, "--wandb", "disabled", "--max-steps", "2",
        "--set", f"ppo.train_file={splits / 'train.jsonl'}", "--set", f"ppo.logs_dir={tmp_path / 'logs'}",
        "--set", "ppo.run_name=ppo", "--set", "ppo.source=", "--set", "ppo.batch_size=2",
        "--set", "ppo.mini_batch_size=2", "--set", "ppo.ppo_epochs=1", "--set", "ppo.max_new_tokens=4",
        "--set", "ppo.learning_rate=1e-3", "--set", "ppo.save_steps=2"], capsys)
    after = lora_tensors(ppo)
    assert set(after) == set(tensors)
    assert any(not torch.equal(after[k], tensors[k]) for k in tensors)  # PPO changed the policy's adapter
    ppo_summary = json.loads((ppo / "train_summary.json").read_text())
    assert ppo_summary["steps"] == 2

    # evaluation of both adapters on the 4-bit base, log-likelihood mode
    for name, adapter in (("sft", sft), ("ppo", ppo)):
        run(evaluate.main, common + ["--adapter", adapter, "--data", splits / "validation.jsonl", "--mode", "loglik",
                                     "--name", name, "--output-dir", tmp_path / "eval", "--set", "eval.plots=false"],
            capsys)
        doc = json.loads((tmp_path / "eval" / f"{name}.json").read_text())
        assert doc["modes"]["loglik"]["n"] == 4 and all(p["loglik"] in "ABCDE" for p in doc["predictions"])

    # export: LoRA is merged into the 16-bit original (export.merge_base), converted and checked against it
    out = tmp_path / "export"
    run(export_gguf.main, common + [
        "--adapter", ppo, "--output-dir", out, "--quant", "f16", "--set", f"export.merge_base={tiny_llama_dir}",
        "--set", f"export.log_file={tmp_path / 'export.log'}", "--set", f"eval.output_dir={tmp_path / 'eval'}",
        "--set", f"export.validation_file={splits / 'validation.jsonl'}", "--set", "export.faithfulness_questions=4",
        "--set", "export.faithfulness_generate=0"], capsys)
    meta = json.loads((out / "medllm_finetuning.json").read_text())
    assert meta["quantization"] == "F16" and meta["faithfulness"]["gate"]["passed"] is True
    assert meta["faithfulness"]["n"] == 4
    assert (out / "medllm_finetuning.gguf").stat().st_size == meta["size_bytes"]
