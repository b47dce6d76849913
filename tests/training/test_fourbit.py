"""The paper preset's 4-bit path on the CPU: nf4 layers from bitsandbytes, the paper's LoRA (r 16, alpha 8,
q_proj/k_proj), LoRA weights kept in fp32 so that lr 3e-6 updates are not rounded away, and no fp32 upcast
of the embeddings."""
from __future__ import annotations

import pytest
import torch

import config
from common import modeling
from training import sft

bnb = pytest.importorskip("bitsandbytes")


@pytest.fixture()
def fourbit_model(tiny_llama_dir):
    paper = config.get_preset("paper")
    model_cfg = config.ModelConfig(name=str(tiny_llama_dir), backend="hf", load_in_4bit=True, dtype="bfloat16")
    model, tok, backend = modeling.load_base_model(model_cfg)
    return model, tok, backend, paper.lora


def test_paper_lora_on_an_nf4_base_trains_every_lora_tensor_at_lr_3e_6(fourbit_model):
    model, tok, backend, lora = fourbit_model
    assert (lora.r, lora.alpha, sorted(lora.target_modules)) == (16, 8, ["k_proj", "q_proj"])
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in model.modules())
    peft_model = modeling.add_lora(model, lora, backend, gradient_checkpointing=True)
    # What TRL does to a 4-bit model's adapter when it builds the trainer: cast it to bf16.
    for p in peft_model.parameters():
        if p.requires_grad:
            p.data = p.data.to(torch.bfloat16)
    assert modeling.keep_lora_fp32(peft_model) > 0
    lora_params = {n: p for n, p in peft_model.named_parameters() if p.requires_grad}
    assert lora_params and all("lora_" in n for n in lora_params)
    assert all(p.dtype == torch.float32 for p in lora_params.values())
    # no upcast of the frozen embeddings (prepare_model_for_kbit_training would make them fp32)
    assert peft_model.get_input_embeddings().weight.dtype == torch.bfloat16

    before = {n: p.detach().clone() for n, p in lora_params.items()}
    opt = torch.optim.AdamW(lora_params.values(), lr=3e-6, weight_decay=0.0)
    torch.manual_seed(0)
    ids = torch.randint(0, len(tok), (2, 24))
    peft_model.train()
    for _ in range(4):
        loss = peft_model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert torch.isfinite(loss)
    unchanged = [n for n, p in lora_params.items() if torch.equal(p.detach(), before[n])]
    assert not unchanged, f"LoRA tensors that never changed: {unchanged}"


def test_without_the_fp32_cast_bf16_lora_loses_the_updates(fourbit_model):
    """The reason for keep_lora_fp32: the same steps with bf16 LoRA-A weights leave them unchanged."""
    model, tok, backend, lora = fourbit_model
    peft_model = modeling.add_lora(model, lora, backend)
    a_params = [p for n, p in peft_model.named_parameters() if p.requires_grad and "lora_A" in n]
    before = [p.detach().to(torch.bfloat16) for p in a_params]
    after = [(p.detach() - 3e-6).to(torch.bfloat16) for p in a_params]  # one AdamW-sized step, rounded
    frac_changed = sum((a != b).float().mean().item() for a, b in zip(after, before)) / len(a_params)
    assert frac_changed < 0.05


def test_two_trainer_steps_at_lr_3e_6_on_the_nf4_base_change_every_lora_tensor(fourbit_model, sample_dir, tmp_path):
    """The trainer's evaluation before the first step runs the 4-bit layers in eval mode; on a CPU with
    AVX512-BF16 bitsandbytes then repacks their weights for a kernel without a backward, and no gradient
    reached LoRA again (keep_4bit_differentiable, called by add_lora, prevents it)."""
    from conftest import sample_records

    model, tok, backend, lora = fourbit_model
    cfg = config.get_preset("paper")
    cfg.model.name, cfg.sft.output_dir = "tiny", str(tmp_path / "sft")
    cfg.sft.batch_size, cfg.sft.grad_accum, cfg.sft.max_length = 2, 1, 512
    peft_model = modeling.add_lora(model, lora, backend, gradient_checkpointing=cfg.sft.gradient_checkpointing)
    records = sample_records(sample_dir, 6)
    trainer = sft.build_trainer(cfg, peft_model, tok, records[:4], records[4:], backend, max_steps=2,
                                      warmup_steps=0, save_strategy="no", eval_steps=100, logging_steps=100)
    assert trainer.args.eval_on_start and trainer.args.learning_rate == 3e-6
    lora_params = {n: p for n, p in trainer.model.named_parameters() if p.requires_grad}
    assert lora_params and all(p.dtype == torch.float32 for p in lora_params.values())
    before = {n: p.detach().clone() for n, p in lora_params.items()}
    trainer.train()
    assert trainer.state.global_step == 2 and any(h.get("step") == 0 and "eval_loss" in h
                                                  for h in trainer.state.log_history)
    unchanged = [n for n, p in lora_params.items() if torch.equal(p.detach(), before[n])]
    assert not unchanged, f"LoRA tensors the trainer never changed: {unchanged}"


@pytest.mark.skipif(not bnb.functional.has_avx512bf16(), reason="bitsandbytes repacks for CPU inference only with AVX512-BF16")
def test_keep_4bit_differentiable_restores_weights_repacked_by_an_eval_forward(fourbit_model):
    model, tok, backend, lora = fourbit_model
    peft_model = modeling.add_lora(model, lora, backend)
    layers = [m for m in peft_model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    ids = torch.randint(0, len(tok), (2, 12), generator=torch.Generator().manual_seed(0))
    peft_model.train()
    reference = peft_model(input_ids=ids).logits.detach()
    for layer in layers:  # undo add_lora's setting, as a model repacked before add_lora would be
        layer.support_avx512bf16_for_cpu = True
    peft_model.eval()
    with torch.no_grad():
        peft_model(input_ids=ids)
    assert all(layer.weight.quant_state.packing_format_for_cpu for layer in layers)
    assert modeling.keep_4bit_differentiable(peft_model) == len(layers)
    assert not any(layer.weight.quant_state.packing_format_for_cpu for layer in layers)
    peft_model.train()
    out = peft_model(input_ids=ids).logits
    torch.testing.assert_close(out.detach(), reference, rtol=0.02, atol=0.02)
    out.float().pow(2).mean().backward()
    lora_b = [p for n, p in peft_model.named_parameters() if "lora_B" in n]
    assert lora_b and all(p.grad is not None and p.grad.abs().sum() > 0 for p in lora_b)
