"""evaluate.py and plots.py: metrics with known answers, both scoring modes, bad input, charts."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from common import cli
import config
import evaluate
from common import plots
from common import metrics
from common import questions
from common import scoring

OPTIONS = {"A": "alpha fever", "B": "beta rash", "C": "gamma cough", "D": "delta pain"}


def rec(i: int, answer: str, subject: str = "", source: str = "medqa", explanation: str = "", options=None) -> dict:
    options = dict(options or OPTIONS)
    return {"id": f"q{i}", "source": source, "question": f"Which finding fits patient number {i} best?",
            "options": options, "answer": answer, "answer_text": options[answer], "explanation": explanation,
            "subject": subject}


class AlwaysA:
    """A scripted model: the letter A scores highest, and the generated answer is "(A) ..."."""

    backend = "scripted"

    def letter_logprobs(self, chats, letters):
        return [{L: (-0.1 if L == "A" else -3.0) for L in ls} for ls in letters]

    def generate(self, chats):
        return ["(A) alpha fever\n\nBecause it is always A." for _ in chats]

    def close(self):
        pass


class Scripted(AlwaysA):
    """Generates the given texts in order (to test answer extraction and text metrics)."""

    def __init__(self, texts):
        self.texts = list(texts)

    def generate(self, chats):
        out, self.texts = self.texts[: len(chats)], self.texts[len(chats):]
        return out


def tiny_cfg(**eval_values):
    cfg = config.tiny()
    for k, v in eval_values.items():
        setattr(cfg.eval, k, v)
    return cfg


def run_main(argv, capsys):
    code = cli.main_wrapper(evaluate.main, argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *words):
    assert code == 2
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ")
    for w in words:
        assert w in last, last


# --------------------------------------------------------------------------- confidence interval


# --------------------------------------------------------------------------- metrics with known answers


# --------------------------------------------------------------------------- real (tiny) models


# --------------------------------------------------------------------------- data


# --------------------------------------------------------------------------- bad input: one line, exit 2


def test_data_file_without_labels_is_a_user_error(tmp_path, sample_dir, capsys):
    rows = [json.loads(line) for line in (sample_dir / "medmcqa.jsonl").read_text().splitlines()[:3]]
    test_split = tmp_path / "medmcqa_test.jsonl"
    test_split.write_text("".join(json.dumps(dict(r, cop=-1)) + "\n" for r in rows))
    out_dir = tmp_path / "out"
    code, _, err = run_main(["--data", str(test_split), "--output-dir", str(out_dir)], capsys)
    assert_one_line_error(code, err, "label", str(test_split))
    assert not out_dir.exists()
    processed = tmp_path / "processed.jsonl"
    processed.write_text(json.dumps(dict(rec(0, "A"), answer="")) + "\n")
    code, _, err = run_main(["--data", str(processed), "--output-dir", str(out_dir)], capsys)
    assert_one_line_error(code, err, "label")


def test_missing_data_file_is_a_user_error(tmp_path, capsys):
    code, _, err = run_main(["--data", str(tmp_path / "nope.jsonl")], capsys)
    assert_one_line_error(code, err, "no such file")


def test_adapter_trained_on_another_model_is_a_user_error(tmp_path, tiny_llama_dir, embedded_tokenizer_dir, capsys):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from conftest import build_tiny_llama

    other = build_tiny_llama(tmp_path / "narrow", embedded_tokenizer_dir, hidden=32)
    peft_model = get_peft_model(AutoModelForCausalLM.from_pretrained(other),
                                LoraConfig(r=2, target_modules=["q_proj", "k_proj"], task_type="CAUSAL_LM"))
    peft_model.save_pretrained(tmp_path / "adapter")
    data = tmp_path / "v.jsonl"
    data.write_text(json.dumps(rec(0, "A")) + "\n")
    out_dir = tmp_path / "out"
    code, _, err = run_main(["--model", str(tiny_llama_dir), "--adapter", str(tmp_path / "adapter"),
                             "--data", str(data), "--output-dir", str(out_dir)], capsys)
    assert_one_line_error(code, err, "adapter", "another base model")
    assert not out_dir.exists()


def test_gguf_that_does_not_load_is_a_user_error(tmp_path, capsys):
    data = tmp_path / "v.jsonl"
    data.write_text(json.dumps(rec(0, "A")) + "\n")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64)  # right magic, nothing behind it
    code, _, err = run_main(["--model", str(broken), "--data", str(data), "--output-dir", str(tmp_path / "o")], capsys)
    assert_one_line_error(code, err, "does not load", str(broken))
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_text("this is not a model")
    code, _, err = run_main(["--model", str(not_gguf), "--data", str(data), "--output-dir", str(tmp_path / "o")],
                            capsys)
    assert_one_line_error(code, err, "not a GGUF file")
    assert not (tmp_path / "o").exists()


def test_plots_folder_without_metrics_is_a_user_error(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    code, _, err = run_main(["--plots", str(tmp_path / "run")], capsys)
    assert_one_line_error(code, err, "no metrics.jsonl")
    code, _, err = run_main(["--plots", str(tmp_path / "missing")], capsys)
    assert_one_line_error(code, err, "no such folder")
    (tmp_path / "run" / "metrics.jsonl").write_text(json.dumps({"step": 1, "tokens_per_s": 3.0}) + "\n")
    code, _, err = run_main(["--plots", str(tmp_path / "run")], capsys)
    assert_one_line_error(code, err, "none of the charted metrics")
    assert not (tmp_path / "run" / "plots").exists()


# --------------------------------------------------------------------------- charts


def _is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _pixels(path: Path) -> bytes:
    """The decoded image (not the file, whose metadata could differ on its own)."""
    import matplotlib.image

    return matplotlib.image.imread(path).tobytes()


def test_plots_of_an_sft_and_a_ppo_run(tmp_path, capsys):
    sft = tmp_path / "sft"
    sft.mkdir()
    rows = [{"step": s, "epoch": s / 40, "loss": 2.5 - s / 40, "learning_rate": 2e-4 * (1 - s / 40), "grad_norm": 0.5}
            for s in range(1, 41)]
    rows += [{"step": s, "eval_loss": 2.4 - s / 50} for s in (10, 20, 30, 40)]
    (sft / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run_main(["--plots", str(sft)], capsys)
    assert code == 0 and "wrote 3 charts" in out
    assert sorted(p.name for p in (sft / "plots").iterdir()) == ["grad_norm.png", "learning_rate.png", "loss.png"]
    assert all(_is_png(p) for p in (sft / "plots").iterdir())
    charts = {p.name: _pixels(p) for p in (sft / "plots").iterdir()}
    assert len(set(charts.values())) == 3  # three different pictures
    rows = [dict(r, loss=r["loss"] ** 2) if "loss" in r else r for r in rows]  # other losses: another loss chart
    (sft / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    plots.plot_run(sft, tmp_path / "again")
    assert _pixels(tmp_path / "again" / "loss.png") != charts["loss.png"]
    assert _pixels(tmp_path / "again" / "learning_rate.png") == charts["learning_rate.png"]

    ppo = tmp_path / "ppo"
    ppo.mkdir()
    rows = [{"step": s, "reward_mean": 0.1 + 0.9 * (s % 3 == 0), "accuracy": 0.5, "kl": 0.01 * s, "clip_frac": 0.1,
             "policy_loss": -0.01, "value_loss": 1 / s, "entropy": 2.0, "grad_norm": None} for s in range(1, 41)]
    (ppo / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))  # the keys train_ppo.py logs
    paths = plots.plot_run(ppo, tmp_path / "ppo_plots")
    assert sorted(p.name for p in paths) == ["accuracy.png", "clip_fraction.png", "entropy.png", "kl.png",
                                             "policy_loss.png", "reward.png", "value_loss.png"]
    assert all(p.parent == tmp_path / "ppo_plots" for p in paths)
    assert all(_is_png(p) for p in paths)
    # both runs in one command (as make demo draws them): each run's charts in its own plots folder
    code, out, _ = run_main(["--plots", str(sft), str(ppo)], capsys)
    assert code == 0 and "wrote 3 charts" in out and "wrote 7 charts" in out
    assert sorted(p.name for p in (ppo / "plots").iterdir()) == sorted(p.name for p in paths)


# --------------------------------------------------------------------------- end to end
# The real embedded model runs here and in the GGUF test above: about 5 s and 1 s on 2 idle cores.


def save_random_adapter(base_dir: Path, out: Path, seed: int, targets: list[str]) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    peft_model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_dir),
                                LoraConfig(r=2, target_modules=targets, task_type="CAUSAL_LM", init_lora_weights=False))
    peft_model.save_pretrained(out)
    return out


def test_compare_runs_every_stage_on_the_same_questions_and_skips_missing_ones(tmp_path, tiny_llama_dir, sample_dir,
                                                                                capsys):
    sft = save_random_adapter(tiny_llama_dir, tmp_path / "sft", 1, ["q_proj", "v_proj"])
    ppo = save_random_adapter(tiny_llama_dir, tmp_path / "ppo", 2, ["q_proj", "k_proj", "o_proj"])
    out_dir = tmp_path / "eval"
    code, out, err = run_main([
        "--compare", "--model", str(tiny_llama_dir), "--data", str(sample_dir / "medmcqa.jsonl"), "--max-samples", "3",
        "--output-dir", str(out_dir), "--set", "eval.max_new_tokens=3", "--set", f"eval.sft_adapter={sft}",
        "--set", f"eval.ppo_adapter={ppo}", "--set", f"eval.gguf={tmp_path / 'no.gguf'}",
    ], capsys)
    assert code == 0, err
    summary = json.loads((out_dir / "compare.json").read_text())
    assert [m["name"] for m in summary["models"]] == ["base", "sft", "ppo"]
    assert [s["name"] for s in summary["skipped"]] == ["gguf"] and "skipping gguf" in out
    assert summary["n"] == 3 and summary["modes"] == ["loglik", "generate"] and summary["chance"] == 0.25
    for m in summary["models"]:
        assert set(m["loglik"]) >= {"accuracy", "ci95", "f1_macro", "avg_reward", "format_compliance"}
    docs = {name: json.loads((out_dir / f"{name}.json").read_text()) for name in ("base", "sft", "ppo")}
    assert len({tuple(p["id"] for p in d["predictions"]) for d in docs.values()}) == 1  # the same questions
    scores = {name: d["predictions"][0]["loglik_scores"] for name, d in docs.items()}
    assert scores["base"] != scores["sft"] != scores["ppo"] != scores["base"]  # each adapter was the active one
    # the PPO model of the shared base equals base + the PPO adapter loaded on its own
    cfg = tiny_cfg()
    cfg.model.name = str(tiny_llama_dir)
    alone = scoring.load_model(cfg, str(ppo))
    records, _ = questions.load_questions(sample_dir / "medmcqa.jsonl", max_samples=3, seed=cfg.eval.seed)
    first = alone.letter_logprobs([metrics.mcq_format.prompt_messages(records[0], config.SYSTEM_PROMPT)],
                                  [list(records[0]["options"])])[0]
    assert first == pytest.approx(scores["ppo"], abs=2e-4)
    md = (out_dir / "compare.md").read_text()
    assert "| model | loglik accuracy (95% CI) |" in md and "| ppo |" in md and "gguf: not evaluated" in md
    assert_compare_follows_the_predictions(summary, docs)
    assert {(t["first"], t["second"]) for t in summary["paired_tests"]} == {("base", "sft"), ("base", "ppo"),
                                                                          ("sft", "ppo")}
    assert "McNemar" in md
    assert all(_is_png(out_dir / f) for f in ("compare.png", "base_confusion.png", "sft_confusion.png"))
    # a second --compare reuses every result whose model files, questions and settings are unchanged ...
    argv = ["--compare", "--model", str(tiny_llama_dir), "--data", str(sample_dir / "medmcqa.jsonl"), "--max-samples",
            "3", "--output-dir", str(out_dir), "--set", "eval.max_new_tokens=3", "--set", f"eval.sft_adapter={sft}",
            "--set", f"eval.ppo_adapter={ppo}", "--set", f"eval.gguf={tmp_path / 'no.gguf'}"]
    code, out, err = run_main(argv, capsys)
    assert code == 0, err
    assert all(f"{name}: reusing" in out for name in ("base", "sft", "ppo"))
    assert json.loads((out_dir / "ppo.json").read_text()) == docs["ppo"]
    # ... and evaluates again the model whose adapter changed, and every model when a setting changed
    save_random_adapter(tiny_llama_dir, tmp_path / "ppo", 3, ["q_proj", "k_proj", "o_proj"])
    code, out, err = run_main(argv, capsys)
    assert code == 0 and "base: reusing" in out and "sft: reusing" in out and "ppo: reusing" not in out, err
    assert json.loads((out_dir / "ppo.json").read_text())["predictions"][0]["loglik_scores"] != scores["ppo"]
    code, out, err = run_main([*argv, "--set", "eval.max_new_tokens=4"], capsys)
    assert code == 0 and "reusing" not in out, err


def assert_compare_follows_the_predictions(summary: dict, docs: dict) -> None:
    """compare.json's figures and paired tests recomputed from each model's own predictions."""
    for row in summary["models"]:
        preds = docs[row["name"]]["predictions"]
        for mode in summary["modes"]:
            right = [p[mode] == p["answer"] for p in preds]
            assert row[mode]["correct"] == sum(right) and row[mode]["n"] == len(preds)
            assert row[mode]["accuracy"] == pytest.approx(sum(right) / len(preds), abs=1e-4)
            answered = sum(p[mode] is not None for p in preds)  # a letter was read off the answer
            assert row[mode]["format_compliance"] == pytest.approx(answered / len(preds), abs=1e-4)
    for t in summary["paired_tests"]:
        first, second = ([p[t["mode"]] == p["answer"] for p in docs[name]["predictions"]]
                         for name in (t["first"], t["second"]))
        b = sum(x and not y for x, y in zip(first, second))
        c = sum(y and not x for x, y in zip(first, second))
        # exact two-sided McNemar: twice the smaller binomial tail of b + c fair coins
        p = min(1.0, 2 * sum(math.comb(b + c, k) for k in range(min(b, c) + 1)) / 2 ** (b + c))
        assert (t["b"], t["c"]) == (b, c) and t["p_value"] == pytest.approx(p, abs=1e-6), t


@pytest.mark.slow  # about 25 s on the 2 busy cores it was written on
def test_compare_evaluates_the_gguf_through_llama_cpp_on_the_same_questions(tmp_path, tiny_llama_dir, sample_dir,
                                                                            capsys):
    """--compare with eval.gguf set: a gguf row scored by llama.cpp, in compare.json/.md and the paired tests."""
    from common import modeling

    gguf = modeling.embedded_gguf_path()
    out_dir = tmp_path / "eval"
    code, out, err = run_main([
        "--compare", "--model", str(tiny_llama_dir), "--data", str(sample_dir / "medqa.jsonl"), "--max-samples", "3",
        "--output-dir", str(out_dir), "--set", "eval.max_new_tokens=4", "--set", f"eval.gguf={gguf}",
        "--set", f"eval.sft_adapter={tmp_path / 'none'}", "--set", f"eval.ppo_adapter={tmp_path / 'none'}",
        "--set", "eval.plots=false",
    ], capsys)
    assert code == 0, err
    summary = json.loads((out_dir / "compare.json").read_text())
    assert [m["name"] for m in summary["models"]] == ["base", "gguf"]
    assert [s["name"] for s in summary["skipped"]] == ["sft", "ppo"]
    gguf_row = summary["models"][1]
    assert gguf_row["backend"] == "llama.cpp" and gguf_row["model"] == str(gguf)
    docs = {name: json.loads((out_dir / f"{name}.json").read_text()) for name in ("base", "gguf")}
    assert [p["id"] for p in docs["gguf"]["predictions"]] == [p["id"] for p in docs["base"]["predictions"]]
    assert_compare_follows_the_predictions(summary, docs)
    assert {(t["first"], t["second"], t["mode"]) for t in summary["paired_tests"]} == {
        ("base", "gguf", "loglik"), ("base", "gguf", "generate")}
    # the gguf row is the embedded model's own scores, not the base model's: recompute one through llama.cpp
    cfg = tiny_cfg(max_new_tokens=4)
    cfg.model.name = str(gguf)
    scorer = scoring.load_model(cfg)
    try:
        records, _ = questions.load_questions(sample_dir / "medqa.jsonl", max_samples=3, seed=cfg.eval.seed)
        first = scorer.letter_logprobs([metrics.mcq_format.prompt_messages(records[0], config.SYSTEM_PROMPT)],
                                       [list(records[0]["options"])])[0]
    finally:
        scorer.close()
    assert docs["gguf"]["predictions"][0]["loglik_scores"] == pytest.approx(first, abs=2e-3)
    assert docs["base"]["predictions"][0]["loglik_scores"] != pytest.approx(first, abs=1e-2)
    md = (out_dir / "compare.md").read_text()
    assert "| gguf |" in md and "gguf: not evaluated" not in md and "base vs gguf" in md


def test_embedded_base_model_both_modes_writes_the_json_fields(tmp_path, sample_dir, capsys, monkeypatch):
    loaded = []
    real_load = scoring.load_model
    monkeypatch.setattr(evaluate, "load_model", lambda *a, **k: loaded.append(real_load(*a, **k)) or loaded[-1])
    out_dir = tmp_path / "eval"
    code, out, err = run_main(["--data", str(sample_dir / "medmcqa.jsonl"), "--max-samples", "3",
                               "--output-dir", str(out_dir), "--set", "eval.max_new_tokens=24"], capsys)
    assert code == 0, err
    doc = json.loads((out_dir / "base.json").read_text())
    assert doc["name"] == "base" and doc["backend"] == "transformers" and doc["adapter"] is None
    assert doc["data"]["n"] == 3 and doc["config"]["eval"]["max_new_tokens"] == 24
    for mode in ("loglik", "generate"):
        m = doc["modes"][mode]
        assert set(m) >= {"accuracy", "ci95", "precision_macro", "recall_macro", "f1_macro", "avg_reward",
                          "format_compliance", "confusion_matrix", "per_subject", "per_source", "questions_per_s"}
        assert m["n"] == 3 and 0 <= m["ci95"][0] <= m["accuracy"] <= m["ci95"][1] <= 1
    assert doc["modes"]["loglik"]["format_compliance"] == 1.0
    assert doc["modes"]["generate"]["n_references"] == 3  # BLEU's value: recomputed below
    assert all(p["response"] and p["loglik"] in "ABCD" for p in doc["predictions"])
    assert (out_dir / "base_confusion.png").is_file() and "accuracy [95% Wilson CI]" in out
    # the figures are computed from the predictions, not made up: recompute them
    preds = doc["predictions"]
    for mode in ("loglik", "generate"):
        m = doc["modes"][mode]
        right = sum(p[mode] == p["answer"] for p in preds)
        assert m["correct"] == right and m["accuracy"] == pytest.approx(right / 3, abs=1e-4)
        answered = sum(p[mode] is not None for p in preds)
        assert m["format_compliance"] == pytest.approx(answered / 3, abs=1e-4)
        assert sum(m["confusion_matrix"]["matrix"][i][j] for i in range(len(m["confusion_matrix"]["true"]))
                   for j in range(len(m["confusion_matrix"]["predicted"]))) == 3
    for p in preds:  # the log-likelihood answer is the letter it scored highest
        assert p["loglik"] == max(p["loglik_scores"], key=p["loglik_scores"].get)
    # the scores are the model's: recompute them with one unpadded full forward pass per question
    scorer = loaded[0]
    records, _ = questions.load_questions(sample_dir / "medmcqa.jsonl", max_samples=3, seed=doc["config"]["eval"]["seed"])
    assert [r["id"] for r in records] == [p["id"] for p in preds]
    import sacrebleu  # BLEU of the answers' explanation part against the questions' explanations, by sacreBLEU itself

    hyps = [metrics.explanation_part(p["response"], r["options"]) for r, p in zip(records, preds)]
    bleu = sacrebleu.corpus_bleu(hyps, [[r["explanation"].strip() for r in records]]).score
    assert doc["modes"]["generate"]["bleu"] == pytest.approx(bleu, abs=1e-3)
    for r, p in zip(records, preds):
        chat = metrics.mcq_format.prompt_messages(r, config.SYSTEM_PROMPT)
        assert p["loglik_scores"] == pytest.approx(full_forward_letter_logprobs(scorer.model, scorer.tok, chat,
                                                                                list(r["options"])), abs=2e-4)
    # and the longest question (no padding in its row) answers as it does alone
    longest = max(range(3), key=lambda i: len(metrics.mcq_format.user_message(records[i]["question"],
                                                                                records[i]["options"])))
    chat = metrics.mcq_format.prompt_messages(records[longest], config.SYSTEM_PROMPT)
    assert scorer.generate([chat]) == [preds[longest]["response"]]


def full_forward_letter_logprobs(model, tok, chat, letters) -> dict[str, float]:
    """The reference: one unpadded forward over prompt + "(", full logits, log-softmax at the last position."""
    import torch

    prompt = tok.apply_chat_template(chat, add_generation_prompt=True, tokenize=False) + "("
    ids = tok.encode(prompt, add_special_tokens=False)
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0, -1].float(), dim=-1)
    letter_ids = {L: tok.encode(prompt + L, add_special_tokens=False)[len(ids)] for L in letters}
    return {L: float(logp[t]) for L, t in letter_ids.items()}
