"""evaluate.py and plots.py: metrics with known answers, both scoring modes, bad input, charts."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from test_evaluate import full_forward_letter_logprobs, rec, tiny_cfg

import config
import evaluate
from common import metrics
from common import outputs
from common.errors import UserError
from common import questions
from common import scoring

OPTIONS = {"A": "alpha fever", "B": "beta rash", "C": "gamma cough", "D": "delta pain"}


def test_answer_prefix_ids_handles_split_and_merged_letter_tokens():
    def encode_split(text):  # "(" and the letter are separate tokens
        return [1, 2] + ([3, {"A": 4, "B": 5}[text[-1]]] if text.endswith(("(A", "(B")) else [])

    assert scoring.answer_prefix_ids(encode_split, "p", "AB") == ([1, 2, 3], {"A": 4, "B": 5})

    def encode_merged(text):  # "(A" is one token (Llama 3): score it right after the prompt
        return [1, 2, {"A": 7, "B": 8}[text[-1]]]

    assert scoring.answer_prefix_ids(encode_merged, "p", "AB") == ([1, 2], {"A": 7, "B": 8})

    def encode_multi(text):  # a letter that takes two tokens cannot be read off one position
        return [1, 2, 3, 9, 9] if text.endswith("A") else [1, 2, 3, 5]

    with pytest.raises(UserError, match="--mode generate"):
        scoring.answer_prefix_ids(encode_multi, "p", "AB")


def build_rigged_llama(out: Path, tokenizer_dir: Path, letter: str) -> Path:
    """A 1-layer Llama that is a bigram machine: "\\n" -> "(" -> letter -> ")" -> end of turn.

    Attention and MLP outputs are zeroed, so the last hidden state is the current token's embedding;
    five tokens get orthogonal embeddings and lm_head maps each to the next token of the chain.
    """
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    conf = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=1,
                       num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
                       bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id)
    model = LlamaForCausalLM(conf)
    chain = [tok.encode(t, add_special_tokens=False)[-1] for t in ("x\n", "(", letter, ")")] + [tok.eos_token_id]
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        model.model.embed_tokens.weight.zero_()
        model.lm_head.weight.zero_()
        for i, (cur, nxt) in enumerate(zip(chain, chain[1:])):
            model.model.embed_tokens.weight[cur, i] = 1.0
            model.lm_head.weight[nxt, i] = 10.0
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def hf_scorer(folder: Path, max_new_tokens: int = 8):
    cfg = config.tiny()
    cfg.model.name = str(folder)
    cfg.eval.max_new_tokens = max_new_tokens
    return scoring.load_model(cfg)


@pytest.mark.parametrize("letter", ["C", "E"])
def test_both_modes_agree_on_a_model_rigged_to_prefer_one_letter(tmp_path, embedded_tokenizer_dir, letter):
    folder = build_rigged_llama(tmp_path / "rigged", embedded_tokenizer_dir, letter)
    five = dict(OPTIONS, E="epsilon")
    records = [rec(0, "C", options=five), rec(1, "A", options=five), rec(2, "E", options=five), rec(3, "D", options=five),
               rec(4, "C", options=five)]
    records[3]["question"] = "A much longer question, so that the batch needs left padding: " * 4
    out = evaluate.evaluate_model(hf_scorer(folder), records, tiny_cfg(mode="both", batch_size=3), "rigged",
                                  show_progress=False)
    assert [p["loglik"] for p in out["predictions"]] == [letter] * 5
    assert [p["generate"] for p in out["predictions"]] == [letter] * 5
    assert all(p["response"] == f"({letter})" for p in out["predictions"])
    assert out["mode_agreement"] == 1.0
    expected = sum(r["answer"] == letter for r in records) / 5  # C: 0.4, E: 0.2
    assert out["modes"]["loglik"]["accuracy"] == out["modes"]["generate"]["accuracy"] == expected


def test_batched_loglik_equals_one_question_at_a_time(tiny_llama_dir):
    scorer = hf_scorer(tiny_llama_dir)
    records = [rec(0, "A"), rec(1, "B"), rec(2, "C")]
    records[1]["question"] = "A question long enough to need padding in the batch, " * 5
    chats = [metrics.mcq_format.prompt_messages(r, "sys") for r in records]
    letters = [list(r["options"]) for r in records]
    batched = scorer.letter_logprobs(chats, letters)
    for chat, ls, together in zip(chats, letters, batched):
        alone = scorer.letter_logprobs([chat], [ls])[0]
        reference = full_forward_letter_logprobs(scorer.model, scorer.tok, chat, ls)
        for L in ls:
            assert alone[L] == pytest.approx(together[L], abs=1e-4)
            assert together[L] == pytest.approx(reference[L], abs=1e-4)
    assert batched[0] != pytest.approx(batched[1], abs=1e-3)  # other questions, other scores


def test_gguf_model_runs_both_modes_through_llama_cpp():
    from common import modeling

    cfg = tiny_cfg(mode="both", max_new_tokens=4)
    cfg.model.name = str(modeling.embedded_gguf_path())
    scorer = scoring.load_model(cfg)
    try:
        assert scorer.backend == "llama.cpp"
        out = evaluate.evaluate_model(scorer, [rec(0, "A")], cfg, "gguf", show_progress=False)
        # the KV cache of a shared prefix is reused between questions: scores must not depend on it
        chats = [metrics.mcq_format.prompt_messages(r, "sys") for r in (rec(1, "A"), rec(22, "B"), rec(1, "A"))]
        first, other, again = scorer.letter_logprobs(chats, [list("ABCD")] * 3)
        # the reference: the whole prompt from an empty KV cache, letter log-probs read off llama.cpp's logits
        import llama_cpp

        llm = scorer.llm

        def reference(record, system):
            chat = metrics.mcq_format.prompt_messages(record, system)
            prompt = scorer._format(messages=chat).prompt + "("
            ids = llm.tokenize(prompt.encode(), add_bos=False, special=True)
            llm.reset()
            llm.eval(ids)
            row = llama_cpp.llama_get_logits(llm.ctx)  # the last evaluated token's logits
            logits = [float(row[i]) for i in range(llm.n_vocab())]
            norm = max(logits) + math.log(math.fsum(math.exp(x - max(logits)) for x in logits))
            token = {L: llm.tokenize((prompt + L).encode(), add_bos=False, special=True)[len(ids)] for L in "ABCD"}
            text = llm.create_chat_completion(messages=chat, temperature=0.0, max_tokens=4, seed=cfg.eval.seed)
            return {L: logits[t] - norm for L, t in token.items()}, text["choices"][0]["message"]["content"].strip()

        scores, text = reference(rec(0, "A"), config.SYSTEM_PROMPT)
    finally:
        scorer.close()
    assert first == pytest.approx(again, abs=1e-3)
    p = out["predictions"][0]
    assert p["loglik_scores"] == pytest.approx(scores, abs=2e-3)
    assert p["loglik"] == max(scores, key=scores.get)
    assert p["response"] == text and p["generate"] == metrics.mcq_format.extract_answer(text, OPTIONS)
    # different questions get different scores (a constant scorer fails here)
    assert first != pytest.approx(other, abs=1e-3)


def test_native_medqa_and_medmcqa_files_are_read_with_labels(sample_dir):
    mcqa, info = questions.load_questions(sample_dir / "medmcqa.jsonl", max_samples=4, seed=1)
    assert info["format"] == "medmcqa" and info["n"] == 4 and info["rows"] == 124
    assert all(r["answer"] in r["options"] and r["explanation"] and r["subject"] for r in mcqa)
    again, _ = questions.load_questions(sample_dir / "medmcqa.jsonl", max_samples=4, seed=1)
    assert [r["id"] for r in again] == [r["id"] for r in mcqa]  # the same questions every time
    other, _ = questions.load_questions(sample_dir / "medmcqa.jsonl", max_samples=4, seed=2)
    assert [r["id"] for r in other] != [r["id"] for r in mcqa]  # ... chosen by the seed
    medqa, info = questions.load_questions(sample_dir / "medqa.jsonl")
    assert info["format"] == "medqa" and info["n"] == 126
    first = json.loads((sample_dir / "medqa.jsonl").read_text().splitlines()[0])
    assert medqa[0]["answer"] == first["answer_idx"] and medqa[0]["options"] == first["options"]


def test_processed_records_are_read_as_they_are(tmp_path):
    path = tmp_path / "validation.jsonl"
    rows = [dict(rec(0, "B", "ENT", "medmcqa", "why"), messages=[{"role": "system", "content": "custom"}]), rec(1, "D")]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    records, info = questions.load_questions(path)
    assert info == {"path": str(path), "format": "processed", "rows": 2, "dropped": {}, "n": 2}
    assert [r["answer"] for r in records] == ["B", "D"]
    assert scoring.system_prompt_of(records[0], "default") == "custom"
    assert scoring.system_prompt_of(records[1], "default") == "default"


def test_a_processed_split_that_does_not_match_its_manifest_is_refused(tmp_path):
    import data_processor

    cfg = config.get_preset("tiny")
    cfg.data.output_dir = str(tmp_path / "processed")
    cfg.data.cache_dir = str(tmp_path / "cache")
    data_processor.process(cfg)
    split = tmp_path / "processed" / "validation.jsonl"
    lines = split.read_text().splitlines(keepends=True)
    records, _ = questions.load_questions(split)  # verified, then read: every record of the file, in order
    assert [r["id"] for r in records] == [json.loads(line)["id"] for line in lines] and len(lines) > 1
    split.write_text("".join(lines[:-1]))  # cut short, e.g. copied while it was written
    with pytest.raises(UserError, match="validation.jsonl is missing or changed"):
        questions.load_questions(split)
    assert (tmp_path / "processed" / outputs.MANIFEST_FILE).is_file()
