"""The paper preset's 4-bit path on the CPU: nf4 layers from bitsandbytes, the paper's LoRA (r 16, alpha 8,
q_proj/k_proj), LoRA weights kept in fp32 so that lr 3e-6 updates are not rounded away, and no fp32 upcast
of the embeddings."""
from __future__ import annotations

import pytest
import torch

import config
import modeling

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
