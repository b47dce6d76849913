"""MedQA + MedMCQA -> validated, de-duplicated, chat-formatted train / validation splits.

    python data_processor.py                                  # tiny preset: the sample in data/sample/
    python data_processor.py --preset paper                   # the real datasets from the Hugging Face Hub
    python data_processor.py --medqa my_medqa.parquet --medmcqa ''   # one local source, MedMCQA left out
    python data_processor.py --exclude eval_questions.jsonl   # keep these questions out of both splits
    python data_processor.py --max-samples 500                # the first 500 rows of each source (quick runs)

Each source is a Hugging Face dataset id or a local .jsonl / .json / .parquet / .csv file in that
dataset's native schema:
    MedQA    question, options {"A": text, ...} (4 or 5), answer_idx, answer, [meta_info]
    MedMCQA  id, question, opa, opb, opc, opd, cop (0-3), exp, subject_name, topic_name, choice_type

Steps: load (the `datasets` library) -> validate every row and drop the invalid ones, counted per
reason -> drop exact duplicates (normalised question + options) -> drop the --exclude questions ->
keep a seeded MedMCQA subset -> seeded train / validation split in which a question text never lands
in both splits. Writes data/processed/train.jsonl, validation.jsonl (one record per line, messages
from mcq_format.build_messages), stats.json and config.json, each by temp file + rename. Record ids
are MedMCQA's own; MedQA has none, so its rows get "medqa-<row number>". `subject` is MedMCQA's
subject_name and MedQA's meta_info (step1, step2&3).

Validation rules, checked in this order; a dropped row is counted under the first rule it breaks:
    missing_label          no answer key (MedQA answer_idx empty; MedMCQA cop missing or -1, as in its test split)
    short_question         fewer than data.min_question_words words
    empty_option           fewer than two options, a gap in the letters, or an option with no text
    duplicate_options      two options with the same (normalised) text
    answer_not_in_options  the answer key is not one of the option letters
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from common import cli
from common.errors import UserError
from common.outputs import (MANIFEST_FILE, atomic_write_json, check_replaceable, mark_output, recover_swap,
                            staging_dir, swap_in,
                            write_manifest)
from common.questions import (LETTERS, NAMES, REASONS, SOURCES, check_schema, load_local, load_source, normalise,
                              prepare_source, records, text_column, value_counts)

# --------------------------------------------------------------------------- dedupe, exclude, split


def group_ids(keys) -> np.ndarray:
    """One number per distinct key (dictionary encoding), for every row."""
    keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    return _np(pc.dictionary_encode(keys).indices)


def first_occurrences(keys, among: np.ndarray) -> np.ndarray:
    """Boolean mask: True at the first row, of the rows `among` marks, of every distinct key."""
    rows = np.flatnonzero(among)
    codes = group_ids(keys)[rows]
    keep = np.zeros(len(among), dtype=bool)
    keep[rows[np.unique(codes, return_index=True)[1]]] = True
    return keep


def _np(col) -> np.ndarray:
    return col.to_numpy(zero_copy_only=False) if isinstance(col, pa.Array) else col.to_numpy()


def split_rows(qkeys, sources: np.ndarray, val_ratio: float, rng: np.random.Generator) -> tuple:
    """Seeded (train, validation) row indices. Rows with the same question text always share a split,
    and each source gives the same share of its questions to validation."""
    groups = group_ids(qkeys)
    first_row = np.unique(groups, return_index=True)[1]
    group_source = sources[first_row]
    val_group = np.zeros(len(first_row), dtype=bool)
    for src in np.unique(group_source):
        members = np.flatnonzero(group_source == src)
        n_val = round(len(members) * val_ratio)
        if val_ratio > 0 and len(members) >= 2:
            n_val = min(max(n_val, 1), len(members) - 1)
        val_group[rng.permutation(members)[:n_val]] = True
    order = rng.permutation(len(groups))
    in_val = val_group[groups[order]]
    return order[~in_val], order[in_val]


def load_exclude(spec: str, cache_dir: str = "") -> pa.Array:
    """The normalised question texts of --exclude FILE (any supported format with a 'question' field)."""
    ds = load_local(Path(spec).expanduser(), "--exclude", cache_dir)
    if "question" not in ds.column_names:
        raise UserError(f"--exclude {spec}: no 'question' field (found: {', '.join(ds.column_names)}); give a "
                        "file of questions, e.g. a processed validation.jsonl or a MedQA / MedMCQA file")
    return pc.unique(normalise(pc.fill_null(text_column(ds.with_format("arrow")["question"]), "")))


def _percentiles(words: np.ndarray) -> dict:
    if len(words) == 0:
        return {}
    p = np.percentile(words, [5, 25, 50, 75, 95])
    return {"min": int(words.min()), **{f"p{q}": round(float(v), 1) for q, v in zip((5, 25, 50, 75, 95), p)},
            "max": int(words.max()), "mean": round(float(words.mean()), 1)}


# --------------------------------------------------------------------------- the whole run


def check_settings(data) -> None:
    if not (data.medqa or data.medmcqa):
        raise UserError("no sources: give --medqa and/or --medmcqa (a hub dataset id or a local file)")
    if not 0 <= data.val_ratio < 1:
        raise UserError(f"data.val_ratio={data.val_ratio}: must be at least 0 and below 1, e.g. 0.05")
    for name in ("min_question_words", "medmcqa_subset", "max_samples"):
        if getattr(data, name) < 0:
            raise UserError(f"data.{name}={getattr(data, name)}: must be 0 or more")


def process(cfg, progress=None) -> dict:
    """Build the splits and write them; returns stats (also written to <output_dir>/stats.json)."""
    data = cfg.data
    check_settings(data)
    if not str(data.output_dir).strip() or "\0" in str(data.output_dir):
        raise UserError(f"data.output_dir (--output-dir) must be a folder path, not {data.output_dir!r}")
    # The folder is replaced as a whole at the end: only one this script made (or an empty one) may be.
    recover_swap(data.output_dir)  # a run killed while it replaced the splits left them aside: put them back
    check_replaceable(Path(data.output_dir), "data_processor.py")
    check_replaceable(staging_dir(data.output_dir), "data_processor.py")
    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    task = progress.add_task("loading", total=4) if progress else None

    def step(text: str) -> None:
        if progress:
            progress.update(task, description=text, advance=1)

    # 1. load and validate each source (every error is raised here, before anything is written)
    specs = {"medqa": (data.medqa, data.medqa_split), "medmcqa": (data.medmcqa, data.medmcqa_split)}
    stats_src: dict[str, dict] = {}
    parts = []
    for source, (spec, split) in specs.items():
        if not spec:
            continue
        step(f"loading {NAMES[source]}")
        ds = load_source(spec, f"--{source}", split, data.cache_dir)
        check_schema(ds, source, f"--{source} {spec}")
        unified, rows, dropped = prepare_source(ds, source, data.min_question_words, data.max_samples)
        stats_src[source] = {"input": spec, "rows": rows, "dropped": {r: dropped[r] for r in REASONS}}
        parts.append(unified)
    exclude = load_exclude(data.exclude, data.cache_dir) if data.exclude else None

    # 2. one table of the valid rows; drop duplicates, excluded questions, MedMCQA rows outside the subset.
    # (pyarrow's filter and take here: datasets' .filter/.select would gather the rows one by one in Python)
    step("de-duplicating")
    table = datasets.concatenate_datasets(parts).with_format("arrow")[:]
    names = np.array(SOURCES)[_np(pc.equal(table["source"], "medmcqa")).astype(int)]
    valid = _np(pc.equal(table["reason"], ""))
    keep = valid & first_occurrences(table["key"], valid) if data.dedupe else valid
    excluded = np.zeros(table.num_rows, dtype=bool)
    if exclude is not None:
        excluded = keep & _np(pc.is_in(table["qkey"], value_set=exclude))
    rng = np.random.default_rng(data.seed)
    outside = np.zeros(table.num_rows, dtype=bool)
    mcqa_left = np.flatnonzero(keep & ~excluded & (names == "medmcqa"))
    if data.medmcqa_subset and len(mcqa_left) > data.medmcqa_subset:
        outside[rng.permutation(mcqa_left)[data.medmcqa_subset:]] = True
    for source, entry in stats_src.items():
        mine = names == source
        entry["duplicates"] = int((mine & valid & ~keep).sum())
        entry["excluded"] = int((mine & excluded).sum())
        entry["outside_subset"] = int((mine & outside).sum())
    rows = np.flatnonzero(keep & ~excluded & ~outside)
    if len(rows) == 0:
        raise UserError("no valid questions left after validation, de-duplication and --exclude; the dropped "
                        f"rows per reason: {json.dumps({s: e['dropped'] for s, e in stats_src.items()})}")

    # 3. the split, and the leakage check on its result
    step("splitting")
    train_idx, val_idx = split_rows(table["qkey"].take(rows), names[rows], data.val_ratio, rng)
    table = table.select(["id", "source", "question", *LETTERS, "answer", "explanation", "subject", "words", "qkey"])
    train, val = table.take(rows[train_idx]), table.take(rows[val_idx])
    overlap = int(pc.sum(pc.is_in(val["qkey"], value_set=pc.unique(train["qkey"]))).as_py() or 0)
    in_exclude = 0
    if exclude is not None:
        for part in (train, val):
            in_exclude += int(pc.sum(pc.is_in(part["qkey"], value_set=exclude)).as_py() or 0)
    if overlap or in_exclude:
        raise RuntimeError(f"leakage check failed: {overlap} shared questions, {in_exclude} excluded ones")

    splits = {"train": (train, names[rows[train_idx]]), "validation": (val, names[rows[val_idx]])}
    stats = {
        "sources": stats_src,
        "splits": {name: t.num_rows for name, (t, _) in splits.items()},
        "dropped": {r: sum(e["dropped"][r] for e in stats_src.values()) for r in REASONS},
        "duplicates": sum(e["duplicates"] for e in stats_src.values()),
        "excluded": sum(e["excluded"] for e in stats_src.values()),
        "answer_letters": {},
        "question_words": {},
        "leakage": {"train_validation_overlap": overlap, "exclude_file": data.exclude,
                    "exclude_questions": 0 if exclude is None else len(exclude), "exclude_overlap": in_exclude},
        "seed": data.seed,
        "val_ratio": data.val_ratio,
    }
    for name, (t, src) in splits.items():
        for source in stats_src:
            stats_src[source][name] = int((src == source).sum())
        letters = dict(zip(*value_counts(t["answer"]))) if t.num_rows else {}
        stats["answer_letters"][name] = {L: int(letters.get(L, 0)) for L in LETTERS}
        stats["question_words"][name] = _percentiles(t["words"].to_numpy())

    # 4. write: both splits to temp files first, then rename them all into place
    out = Path(data.output_dir)
    write_outputs(out, {name: t for name, (t, _) in splits.items()}, stats, cfg, progress)
    return stats


def write_outputs(out: Path, splits: dict[str, pa.Table], stats: dict, cfg, progress=None) -> None:
    """Splits, stats.json and config.json into a staging folder beside out, manifest.json (sizes and sha256)
    last, then the folder replaces out in one rename: readers see the old set or the new one, never a mix."""
    stage = staging_dir(out)
    if stage.exists():
        shutil.rmtree(stage)
    mark_output(stage)
    try:
        written = []
        for name, table in splits.items():
            final = stage / f"{name}.jsonl"
            task = progress.add_task(f"writing {final.name}", total=table.num_rows) if progress else None
            with open(final, "w", encoding="utf-8") as fh:
                for n, text in records(table, cfg.data.system_prompt, cfg.data.include_explanation):
                    fh.write(text)
                    if progress:
                        progress.advance(task, n)
                fh.flush()
                os.fsync(fh.fileno())
            written.append(final)
        written.append(atomic_write_json(stage / "stats.json", stats))
        written.append(cli.save_config(cfg, "data", stage))
        write_manifest(stage / MANIFEST_FILE, written)
        swap_in(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# --------------------------------------------------------------------------- command line


def summary_table(stats: dict):
    from rich.table import Table

    table = Table(title="rows per source", title_justify="left",
                  caption="skipped: MedMCQA rows outside data.medmcqa_subset", caption_justify="left")
    for col in ("source", "rows", "invalid", "duplicate", "excluded", "skipped", "train", "val"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for source, e in stats["sources"].items():
        counts = (e["rows"], sum(e["dropped"].values()), e["duplicates"], e["excluded"], e["outside_subset"],
                  e["train"], e["validation"])
        table.add_row(NAMES[source], *map(str, counts))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = cli.make_parser("data_processor.py", __doc__, "data")
    own = parser.add_argument_group("data sources")
    own.add_argument("--medqa", default=None, metavar="ID_OR_FILE",
                     help="MedQA: a hub dataset id or a local .jsonl/.json/.parquet/.csv file; '' leaves it out "
                          "(sets data.medqa)")
    own.add_argument("--medmcqa", default=None, metavar="ID_OR_FILE",
                     help="MedMCQA: a hub dataset id or a local file; '' leaves it out (sets data.medmcqa)")
    own.add_argument("--exclude", default=None, metavar="FILE",
                     help="a file of questions (with a 'question' field) to keep out of both splits, e.g. an "
                          "evaluation set (sets data.exclude)")
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "data")
    for name in ("medqa", "medmcqa", "exclude"):
        if getattr(args, name) is not None:
            setattr(cfg.data, name, getattr(args, name))
    cli.show_config(cfg, "data")

    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        stats = process(cfg, progress)
    console = Console()
    console.print(summary_table(stats))
    dropped = ", ".join(f"{r} {n}" for r, n in stats["dropped"].items() if n) or "none"
    console.print(f"dropped: {dropped}; duplicates: {stats['duplicates']}; excluded: {stats['excluded']}; "
                  f"train/validation question overlap: {stats['leakage']['train_validation_overlap']}")
    console.print(f"wrote {stats['splits']['train']} train and {stats['splits']['validation']} validation records "
                  f"to {cfg.data.output_dir}/ (stats.json, config.json)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
