"""data_processor.py: validation counts, dedupe, cop letters, 5-option rows, splits, leakage, bad input."""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from common import cli
import config
import data_processor as dp
from common import mcq_format
from common import outputs
from common.errors import UserError
from common import questions
from training import sft

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MEDQA_RULES = FIXTURES / "medqa_rules.jsonl"
MEDMCQA_RULES = FIXTURES / "medmcqa_rules.jsonl"
RECORD_KEYS = {"id", "source", "question", "options", "answer", "answer_text", "explanation", "subject", "messages"}


def make_cfg(tmp_path: Path, medqa="", medmcqa="", **data) -> config.Config:
    cfg = config.get_preset("tiny")
    cfg.data.medqa, cfg.data.medmcqa = str(medqa), str(medmcqa)
    cfg.data.output_dir = str(tmp_path / "out")
    cfg.data.cache_dir = str(tmp_path.parent / "datasets_cache")
    for name, value in data.items():
        setattr(cfg.data, name, value)
    return cfg


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_outputs(cfg) -> tuple[list[dict], list[dict], dict]:
    out = Path(cfg.data.output_dir)
    return read_jsonl(out / "train.jsonl"), read_jsonl(out / "validation.jsonl"), json.loads(
        (out / "stats.json").read_text())


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def mcqa_rows(n: int, variants: int = 1) -> list[dict]:
    """n distinct valid MedMCQA questions, each with `variants` different option sets (not duplicates)."""
    rows = []
    for i in range(n):
        for v in range(variants):
            rows.append({"id": f"q{i}-{v}", "question": f"Question number {i} asks which of the four options "
                         "listed below is the correct one?", "opa": f"alpha {v}", "opb": f"beta {v}",
                         "opc": f"gamma {v}", "opd": f"delta {v}", "cop": (i + v) % 4, "exp": "",
                         "subject_name": "Medicine", "topic_name": None, "choice_type": "single"})
    return rows


@pytest.fixture(scope="module")
def rules_run(tmp_path_factory):
    """Both rule fixtures through the processor once; (stats, records by id, cfg)."""
    tmp = tmp_path_factory.mktemp("rules")
    cfg = make_cfg(tmp, MEDQA_RULES, MEDMCQA_RULES, val_ratio=0.2)
    stats = dp.process(cfg)
    train, val, saved = read_outputs(cfg)
    assert saved == json.loads(json.dumps(stats))
    return stats, {r["id"]: r for r in train + val}, cfg


# --------------------------------------------------------------------------- validation and dedupe


def test_each_validation_rule_is_counted(rules_run):
    stats, _, _ = rules_run
    one_each = {"missing_label": 1, "short_question": 1, "empty_option": 1, "duplicate_options": 1,
                "answer_not_in_options": 1}
    # MedQA: answer_idx "" and null; MedMCQA: cop -1 (test split) and null
    assert stats["sources"]["medqa"]["dropped"] == {**one_each, "missing_label": 2}
    assert stats["sources"]["medmcqa"]["dropped"] == {**one_each, "missing_label": 2}
    assert stats["dropped"] == {"missing_label": 4, "short_question": 2, "empty_option": 2,
                                "duplicate_options": 2, "answer_not_in_options": 2}
    assert (stats["sources"]["medqa"]["rows"], stats["sources"]["medmcqa"]["rows"]) == (13, 11)


def test_exact_duplicates_are_removed_after_normalising(rules_run):
    stats, records, _ = rules_run
    # medqa row 5 repeats row 1; row 6 repeats row 3 with other case and spacing; fx-11 repeats fx-2
    assert (stats["sources"]["medqa"]["duplicates"], stats["sources"]["medmcqa"]["duplicates"]) == (2, 1)
    assert stats["duplicates"] == 3
    assert sorted(records) == sorted(["medqa-0", "medqa-1", "medqa-2", "medqa-3", "medqa-12",
                                      "fx-1", "fx-2", "fx-3", "fx-4"])
    # row 13 has row 1's question with other options: not a duplicate, kept
    assert records["medqa-12"]["question"] == records["medqa-0"]["question"]
    assert sum(stats["splits"].values()) == 9


def test_medmcqa_cop_maps_to_letters(rules_run):
    _, records, _ = rules_run
    got = {i: (records[i]["answer"], records[i]["answer_text"]) for i in ("fx-1", "fx-2", "fx-3", "fx-4")}
    assert got == {"fx-1": ("A", "Axillary nerve"), "fx-2": ("B", "Phenylalanine hydroxylase"),
                   "fx-3": ("C", "Ethosuximide"), "fx-4": ("D", "Haemophilus influenzae type b")}
    assert records["fx-3"]["explanation"] == "Ethosuximide blocks T-type calcium channels in thalamic neurons."
    assert records["fx-3"]["subject"] == "Pharmacology"
    assert list(records["fx-1"]["options"]) == ["A", "B", "C", "D"]


def test_five_option_medqa_rows(rules_run):
    _, records, _ = rules_run
    rec = records["medqa-1"]
    assert list(rec["options"]) == ["A", "B", "C", "D", "E"]
    assert (rec["answer"], rec["answer_text"]) == ("E", "Anti-TSH receptor antibody")
    assert rec["messages"][1]["content"].endswith("D) Anti-smooth muscle antibody\nE) Anti-TSH receptor antibody")
    assert rec["messages"][2]["content"] == "(E) Anti-TSH receptor antibody"
    assert list(records["medqa-0"]["options"]) == ["A", "B", "C", "D"]  # 4-option rows get no empty E


def test_records_keep_the_contract(rules_run):
    _, records, cfg = rules_run
    for rec in records.values():
        assert set(rec) == RECORD_KEYS
        assert rec["source"] == ("medqa" if rec["id"].startswith("medqa-") else "medmcqa")
        assert rec["options"][rec["answer"]] == rec["answer_text"]
        assert rec["messages"] == mcq_format.build_messages(rec, cfg.data.system_prompt, cfg.data.include_explanation)
    assert records["fx-4"]["messages"][2]["content"] == "(D) Haemophilus influenzae type b"  # empty exp
    assert records["fx-1"]["messages"][2]["content"] == (
        "(A) Axillary nerve\n\nThe axillary nerve winds around the surgical neck of the humerus.")
    assert records["medqa-2"]["subject"] == "step1" and records["medqa-2"]["explanation"] == ""


def test_stats_letters_lengths_and_leakage(rules_run):
    stats, records, cfg = rules_run
    letters = {L: 0 for L in "ABCDE"}
    for rec in records.values():
        letters[rec["answer"]] += 1
    both = {L: stats["answer_letters"]["train"][L] + stats["answer_letters"]["validation"][L] for L in "ABCDE"}
    assert both == letters == {"A": 3, "B": 2, "C": 2, "D": 1, "E": 1}
    words = stats["question_words"]["train"]
    assert set(words) == {"min", "p5", "p25", "p50", "p75", "p95", "max", "mean"}
    assert words["min"] <= words["p50"] <= words["max"] <= 22
    # the figures are the train split's own word counts, counted here independently
    counts = sorted(len(r["question"].split()) for r in read_outputs(cfg)[0])
    assert (words["min"], words["max"]) == (counts[0], counts[-1])
    assert words["mean"] == pytest.approx(sum(counts) / len(counts), abs=0.05)
    assert stats["leakage"] == {"train_validation_overlap": 0, "exclude_file": "", "exclude_questions": 0,
                                "exclude_overlap": 0}
    for source in ("medqa", "medmcqa"):
        assert stats["sources"][source]["validation"] == 1  # round(0.2 x 4 or 5 questions)


# --------------------------------------------------------------------------- splits


def test_splits_are_reproducible_per_seed(tmp_path):
    src = write_jsonl(tmp_path / "mcqa.jsonl", mcqa_rows(40))

    def val_ids(seed: int, name: str) -> list[str]:
        cfg = make_cfg(tmp_path / name, medmcqa=src, val_ratio=0.25, seed=seed)
        dp.process(cfg)
        train, val, stats = read_outputs(cfg)
        assert (len(train), len(val)) == (30, 10) == (stats["splits"]["train"], stats["splits"]["validation"])
        return [r["id"] for r in val]

    first, again, other = val_ids(1, "a"), val_ids(1, "b"), val_ids(2, "c")
    assert first == again
    assert sorted(first) != sorted(other)
    assert (Path(tmp_path / "a/out/train.jsonl").read_bytes() == Path(tmp_path / "b/out/train.jsonl").read_bytes())


def test_a_question_text_never_lands_in_both_splits(tmp_path):
    # 20 questions, each with 3 different option sets: 60 valid rows, no duplicates
    src = write_jsonl(tmp_path / "mcqa.jsonl", mcqa_rows(20, variants=3))
    for seed in (0, 1, 2):
        cfg = make_cfg(tmp_path / str(seed), medmcqa=src, val_ratio=0.3, seed=seed)
        stats = dp.process(cfg)
        train, val, _ = read_outputs(cfg)
        assert (len(train), len(val)) == (42, 18)  # 6 of 20 questions, all 3 variants of each
        assert not {r["question"] for r in train} & {r["question"] for r in val}
        assert stats["leakage"]["train_validation_overlap"] == 0 and stats["duplicates"] == 0


def test_exclude_keeps_questions_out_of_both_splits(tmp_path, rules_run):
    _, records, _ = rules_run
    upper = records["fx-2"]["question"].upper().replace(" ", "  ")  # compared normalised
    exclude = write_jsonl(tmp_path / "eval.jsonl", [{"question": records["medqa-0"]["question"]},
                                                   {"question": upper}, {"question": "Not in the data at all."}])
    cfg = make_cfg(tmp_path, MEDQA_RULES, MEDMCQA_RULES, exclude=str(exclude))
    stats = dp.process(cfg)
    train, val, _ = read_outputs(cfg)
    ids = {r["id"] for r in train + val}
    assert ids == {"medqa-1", "medqa-2", "medqa-3", "fx-1", "fx-3", "fx-4"}  # medqa-0 and -12 share a question
    assert (stats["sources"]["medqa"]["excluded"], stats["sources"]["medmcqa"]["excluded"]) == (2, 1)
    assert stats["leakage"]["exclude_questions"] == 3 and stats["leakage"]["exclude_overlap"] == 0


def test_exclude_accepts_a_processed_split(tmp_path):
    src = write_jsonl(tmp_path / "mcqa.jsonl", mcqa_rows(30))
    first = make_cfg(tmp_path / "first", medmcqa=src, val_ratio=0.2, seed=3)
    dp.process(first)
    _, held_out, _ = read_outputs(first)
    again = make_cfg(tmp_path / "again", medmcqa=src, val_ratio=0.2, seed=4,
                     exclude=str(Path(first.data.output_dir) / "validation.jsonl"))
    stats = dp.process(again)
    train, val, _ = read_outputs(again)
    assert stats["excluded"] == len(held_out) == 6
    assert not {r["question"] for r in held_out} & {r["question"] for r in train + val}
    assert len(train) + len(val) == 24


def test_medmcqa_subset_and_max_samples(tmp_path):
    cfg = make_cfg(tmp_path / "subset", MEDQA_RULES, MEDMCQA_RULES, medmcqa_subset=2, val_ratio=0.0)
    stats = dp.process(cfg)
    train, val, _ = read_outputs(cfg)
    assert stats["sources"]["medmcqa"]["outside_subset"] == 2
    assert sum(r["source"] == "medmcqa" for r in train) == 2 and val == []
    assert sum(r["source"] == "medqa" for r in train) == 5

    cfg = make_cfg(tmp_path / "cap", MEDQA_RULES, MEDMCQA_RULES, max_samples=4)
    stats = dp.process(cfg)
    assert (stats["sources"]["medqa"]["rows"], stats["sources"]["medmcqa"]["rows"]) == (4, 4)
    assert sum(stats["splits"].values()) == 4 + 4  # the first four rows of each are valid and distinct


def test_parquet_csv_and_json_array_inputs(tmp_path, rules_run):
    _, expected, _ = rules_run
    rows = read_jsonl(MEDMCQA_RULES)
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "mcqa.parquet")
    with open(tmp_path / "mcqa.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "mcqa.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    medqa = read_jsonl(MEDQA_RULES)
    with open(tmp_path / "medqa.csv", "w", newline="", encoding="utf-8") as fh:  # options as JSON text
        writer = csv.DictWriter(fh, fieldnames=list(medqa[0]))
        writer.writeheader()
        writer.writerows({**r, "options": json.dumps(r["options"])} for r in medqa)
    for name in ("mcqa.parquet", "mcqa.csv", "mcqa.json"):
        cfg = make_cfg(tmp_path / name.replace(".", "_"), medmcqa=tmp_path / name)
        stats = dp.process(cfg)
        train, val, _ = read_outputs(cfg)
        assert stats["sources"]["medmcqa"]["dropped"] == {"missing_label": 2, "short_question": 1,
                                                          "empty_option": 1, "duplicate_options": 1,
                                                          "answer_not_in_options": 1}, name
        assert {r["id"]: r for r in train + val} == {k: v for k, v in expected.items() if k.startswith("fx")}
    cfg = make_cfg(tmp_path / "medqa_csv", medqa=tmp_path / "medqa.csv")
    stats = dp.process(cfg)
    train, val, _ = read_outputs(cfg)
    assert stats["sources"]["medqa"]["duplicates"] == 2
    assert {r["id"]: r for r in train + val} == {k: v for k, v in expected.items() if k.startswith("medqa")}


def test_sources_and_hub_ids_are_told_apart():
    assert not questions.is_local("GBaker/MedQA-USMLE-4-options")
    assert not questions.is_local("openlifescienceai/medmcqa")
    for spec in ("data/sample/medqa.jsonl", "missing.csv", "./medqa", "/tmp/x/y/z", "notes.txt"):
        assert questions.is_local(spec), spec


# --------------------------------------------------------------------------- the command line and bad input


def run_main(argv, capsys) -> tuple[int, str, str]:
    rc = cli.main_wrapper(dp.main, argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_tiny_preset_turns_the_sample_into_splits(tmp_path, capsys, sample_dir):
    rc, out, _ = run_main(["--output-dir", str(tmp_path / "out"), "--set", f"data.cache_dir={tmp_path / 'c'}"],
                          capsys)
    assert rc == 0
    assert "rows per source" in out and "wrote" in out
    train, val, stats = read_outputs(make_cfg(tmp_path))
    saved = json.loads((tmp_path / "out" / "config.json").read_text())
    assert saved["preset"] == "tiny" and saved["data"]["medqa"] == "data/sample/medqa.jsonl"
    for source in ("medqa", "medmcqa"):
        entry = stats["sources"][source]
        lines = sum(1 for line in (sample_dir / f"{source}.jsonl").read_text().splitlines() if line.strip())
        assert entry["rows"] == lines >= 100
        # the shipped sample is clean: no row is dropped
        assert sum(entry["dropped"].values()) == 0 and entry["duplicates"] == 0
        assert entry["train"] + entry["validation"] == entry["rows"]
        assert entry["validation"] == round(entry["rows"] * 0.1)
    assert len(train) + len(val) == sum(e["rows"] for e in stats["sources"].values())
    assert stats["leakage"]["train_validation_overlap"] == 0
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_help_lists_the_flags(capsys):
    with pytest.raises(SystemExit) as exc:
        dp.main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--medqa", "--medmcqa", "--exclude", "--preset", "--output-dir", "--max-samples", "--seed",
                 "--set", "missing_label", "short_question"):
        assert flag in text, flag


BAD_INPUTS = [
    (["--medqa", str(FIXTURES / "nope.jsonl")], "nope.jsonl: no such file"),
    (["--medqa", str(FIXTURES / "questions.txt")], "unknown extension '.txt'"),
    (["--medmcqa", str(FIXTURES / "empty.jsonl")], "empty.jsonl: the file is empty"),
    (["--medqa", str(FIXTURES / "malformed_truncated.jsonl")], "malformed_truncated.jsonl: line 3 is not one JSON"),
    (["--medqa", str(FIXTURES / "malformed_inner.jsonl")], "malformed_inner.jsonl: line 2 does not parse as JSON"),
    (["--medqa", str(FIXTURES / "wrong_schema.jsonl")],
     "not in the MedQA schema, missing field(s) question, options, answer_idx (found: text, label)"),
    (["--medqa", str(MEDMCQA_RULES)], "missing field(s) options, answer_idx"),
    (["--medqa", "someone/medqa-never-cached"], "the Hugging Face Hub is offline"),
    (["--exclude", str(FIXTURES / "nope.jsonl")], "--exclude"),
    (["--medqa", "", "--medmcqa", ""], "no sources"),
    (["--set", "data.val_ratio=1.5"], "data.val_ratio=1.5"),
]


@pytest.mark.parametrize("argv, message", BAD_INPUTS, ids=[m.split(":")[0][:30] for _, m in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2_and_keeps_old_outputs(tmp_path, capsys, argv, message):
    out = outputs.mark_output(tmp_path / "out")  # a previous run's splits
    for name in ("train.jsonl", "validation.jsonl", "stats.json"):
        (out / name).write_text(f"old {name}\n")
    medmcqa = [] if "--medmcqa" in argv else ["--medmcqa", str(MEDMCQA_RULES)]
    rc, _, err = run_main(argv + medmcqa + ["--output-dir", str(out), "--set", f"data.cache_dir={tmp_path / 'c'}"],
                          capsys)
    assert rc == 2
    errors = [line for line in err.splitlines() if line.startswith("error: ")]  # stderr also has the settings
    assert len(errors) == 1 and message in errors[0], err
    assert err.rstrip().endswith(errors[0]) and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [outputs.MARKER_FILE, "stats.json", "train.jsonl",
                                                     "validation.jsonl"]
    for name in ("train.jsonl", "validation.jsonl", "stats.json"):
        assert (out / name).read_text() == f"old {name}\n"


def test_malformed_json_array_names_the_line(tmp_path):
    bad = tmp_path / "rows.json"
    bad.write_text('[\n  {"question": "a b c", "opa": "x"},\n  {"question": "d e f" "opa": "y"}\n]\n')
    with pytest.raises(UserError, match=r"rows.json: line 3 does not parse as JSON"):
        questions.load_local(bad, "--medmcqa", str(tmp_path / "c"))


def test_nothing_valid_left_is_a_user_error(tmp_path):
    src = write_jsonl(tmp_path / "short.jsonl", [{**r, "question": "Too short?"} for r in mcqa_rows(3)])
    with pytest.raises(UserError, match="no valid questions left"):
        dp.process(make_cfg(tmp_path, medmcqa=src))
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_five_option_rows_after_the_first_10_mb(tmp_path):
    """datasets fixes a JSON file's schema from its first 10 MB chunk; a later 'E' must still load."""
    filler = "x" * 2000
    rows = [{"question": f"Question {i} about a patient with a long history: {filler}", "answer": "a",
             "options": {"A": "a", "B": "b", "C": "c", "D": "d"}, "answer_idx": "A"} for i in range(6000)]
    rows += [{"question": "A final question with five different options to choose the best from?", "answer": "e",
              "options": {"A": "a", "B": "b", "C": "c", "D": "d", "E": "e"}, "answer_idx": "E"}]
    src = write_jsonl(tmp_path / "big.jsonl", rows)
    assert src.stat().st_size > 11 << 20
    cfg = make_cfg(tmp_path, medqa=src, val_ratio=0.0)
    stats = dp.process(cfg)
    train, _, _ = read_outputs(cfg)
    assert stats["splits"]["train"] == 6001
    last = next(r for r in train if r["id"] == "medqa-6000")
    assert last["options"]["E"] == "e" and last["answer"] == "E"


# --------------------------------------------------------------------------- nothing lost: one commit


def test_outputs_commit_as_one_with_a_manifest_and_readers_verify_it(tmp_path, capsys):
    cfg = make_cfg(tmp_path, medmcqa=str(MEDMCQA_RULES))
    dp.process(cfg)
    out = Path(cfg.data.output_dir)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {"train.jsonl", "validation.jsonl", "stats.json", "config.json"}
    for name, entry in manifest["files"].items():
        assert entry["size"] == (out / name).stat().st_size
        assert entry["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert (out / outputs.MARKER_FILE).is_file() and not list(tmp_path.glob(".out*"))
    # a reader verifies it and reads on: the records are the file's own
    assert sft.load_split(out / "train.jsonl", "training") == read_jsonl(out / "train.jsonl")
    # a split changed (or from another run) after the manifest: refused by every reader, one clear line
    with open(out / "validation.jsonl", "a", encoding="utf-8") as fh:
        fh.write(" \n")
    with pytest.raises(UserError, match="validation.jsonl is missing or changed .* data_processor.py"):
        sft.load_split(out / "validation.jsonl", "validation")
    # a failure while writing leaves the previous set whole
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    calls = []

    def boom(*a, **k):
        calls.append(a)
        raise OSError(28, "No space left on device")

    real = dp.write_manifest
    dp.write_manifest = boom
    try:
        with pytest.raises(OSError, match="No space left on device"):  # this failure, not some other one
            dp.process(cfg)
        assert len(calls) == 1  # the run got as far as writing the manifest
    finally:
        dp.write_manifest = real
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not outputs.staging_dir(out).exists()


def test_a_folder_of_other_files_is_never_replaced(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    rc, _, err = run_main(["--medqa", "", "--medmcqa", str(MEDMCQA_RULES), "--output-dir", str(mine)], capsys)
    assert rc == 2 and "not created by MedLLM" in err.strip().splitlines()[-1]
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"]
    # no list of familiar names stands in for the marker: a folder holding only someone's config.json, or the
    # splits of a run from before the marker existed, is refused with how to move it aside
    for name, files in (("cfg", ["config.json"]), ("old", ["train.jsonl", "validation.jsonl", "stats.json",
                                                          "config.json"])):
        folder = tmp_path / name
        folder.mkdir()
        for file in files:
            (folder / file).write_text("mine\n")
        rc, _, err = run_main(["--medqa", "", "--medmcqa", str(MEDMCQA_RULES), "--output-dir", str(folder)], capsys)
        last = err.strip().splitlines()[-1]
        assert rc == 2 and "not created by MedLLM" in last and f"mv {folder}" in last, err
        assert sorted(p.name for p in folder.iterdir()) == sorted(files)
        assert all((folder / f).read_text() == "mine\n" for f in files)
    # a symbolic link to an output folder is not replaced either
    ours = tmp_path / "ours"
    rc, _, err = run_main(["--medqa", "", "--medmcqa", str(MEDMCQA_RULES), "--output-dir", str(ours)], capsys)
    assert rc == 0 and (ours / ".medllm-output").is_file(), err
    (tmp_path / "link").symlink_to(ours)
    rc, _, err = run_main(["--medqa", "", "--medmcqa", str(MEDMCQA_RULES), "--output-dir", str(tmp_path / "link")],
                          capsys)
    assert rc == 2 and "symbolic link" in err and (tmp_path / "link").is_symlink()
    rc, _, err = run_main(["--medqa", "", "--medmcqa", str(MEDMCQA_RULES), "--output-dir", ""], capsys)
    assert rc == 2 and "must be a folder path" in err
