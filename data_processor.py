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
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import cli
import mcq_format
import train_outputs
from cli import UserError

LETTERS = mcq_format.LETTERS  # "ABCDE"
SOURCES = ("medqa", "medmcqa")
NAMES = {"medqa": "MedQA", "medmcqa": "MedMCQA"}
REQUIRED = {
    "medqa": ("question", "options", "answer_idx"),
    "medmcqa": ("question", "opa", "opb", "opc", "opd", "cop"),
}
REASONS = ("missing_label", "short_question", "empty_option", "duplicate_options", "answer_not_in_options")
FORMATS = {".jsonl": "json", ".json": "json", ".parquet": "parquet", ".csv": "csv"}
HUB_ID = re.compile(r"[\w-][\w.-]*(/[\w-][\w.-]*)?")  # "name" or "owner/name"

# Both sources are mapped to this one table; the option letters are columns, null where a row has
# no such option. `reason` is "" for a valid row, `key` is the dedupe key, `qkey` the normalised question.
UNIFIED = pa.schema(
    [("id", pa.string()), ("source", pa.string()), ("question", pa.string())]
    + [(letter, pa.string()) for letter in LETTERS]
    + [("answer", pa.string()), ("explanation", pa.string()), ("subject", pa.string()),
       ("words", pa.int32()), ("reason", pa.string()), ("key", pa.string()), ("qkey", pa.string())]
)
BATCH = 10_000
# one encoder for every record (json.dumps builds one per call); records are trees, no cycle check needed
_JSON = json.JSONEncoder(ensure_ascii=False, check_circular=False)


# --------------------------------------------------------------------------- loading


def is_local(spec: str) -> bool:
    """A path (existing, with a file extension, or not shaped like 'owner/name') rather than a hub id."""
    path = Path(spec).expanduser()
    if path.exists() or spec.startswith((".", "/", "~")) or re.fullmatch(r"\.[A-Za-z]{2,8}", path.suffix):
        return True
    return not HUB_ID.fullmatch(spec)


def load_source(spec: str, label: str, split: str, cache_dir: str = "") -> datasets.Dataset:
    """A local file or a hub dataset split as a `datasets.Dataset`, or a UserError saying what is wrong."""
    if is_local(spec):
        return load_local(Path(spec).expanduser(), label, cache_dir)
    return load_hub(spec, label, split, cache_dir)


def load_local(path: Path, label: str, cache_dir: str = "") -> datasets.Dataset:
    where = f"{label} {path}"
    if not path.is_file():
        raise UserError(f"{where}: no such file; give an existing .jsonl, .json, .parquet or .csv file, or a "
                        "Hugging Face dataset id")
    builder = FORMATS.get(path.suffix.lower())
    if builder is None:
        raise UserError(f"{where}: unknown extension {path.suffix!r}; use .jsonl, .json, .parquet or .csv")
    if path.stat().st_size == 0:
        raise UserError(f"{where}: the file is empty; give a file with at least one row")
    if path.suffix.lower() == ".jsonl":
        check_json_lines(path, where)
    try:
        ds = _load_file(builder, path, cache_dir)
    except Exception as exc:  # datasets' message names neither the file nor the line: find them
        if builder == "json":
            find_bad_json(path, where)
        raise UserError(f"{where}: could not be read as {path.suffix[1:]}: {_brief(exc)}") from exc
    if len(ds) == 0:
        raise UserError(f"{where}: the file has no rows")
    return ds


def _load_file(builder: str, path: Path, cache_dir: str) -> datasets.Dataset:
    if builder != "json":
        return datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=cache_dir or None)
    # MedQA's options with 4 and 5 letters become one struct (E null where absent) rather than JSON text,
    # and datasets skips its row-by-row pre-scan for such mixed fields. Its schema comes from the first
    # 10 MB; when a later row adds a field (a 5-option row after 4-option ones), read the file as one chunk.
    kwargs = {"split": "train", "cache_dir": cache_dir or None, "on_mixed_types": None}
    try:
        return datasets.load_dataset("json", data_files=str(path), **kwargs)
    except Exception as exc:
        if "cast" not in _brief(exc).lower():
            raise
        return datasets.load_dataset("json", data_files=str(path), chunksize=path.stat().st_size + 1, **kwargs)


def check_json_lines(path: Path, where: str) -> None:
    """Cheap first check of a JSON-lines file: every non-blank line must look like one {...} object.

    It catches truncated and run-together lines, which pyarrow's reader reports without a line number
    (find_bad_json, run when loading fails, catches the rest).
    """
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if line and (line[:1] != b"{" or line[-1:] != b"}"):
                raise UserError(f"{where}: line {number} is not one JSON object ({_snippet(line)}); fix or "
                                "delete that line")


def find_bad_json(path: Path, where: str) -> None:
    """Raise a UserError naming the first line that does not parse as a JSON object (if there is one)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.lstrip().startswith("["):  # one JSON document (a list of rows)
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{where}: line {exc.lineno} does not parse as JSON ({exc.msg}); fix that line") from None
        return
    for number, line in enumerate(text.splitlines(), 1):  # JSON lines
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{where}: line {number} does not parse as JSON ({exc.msg}); fix or delete that "
                            "line") from None
        if not isinstance(value, dict):
            raise UserError(f"{where}: line {number} is not a JSON object; fix or delete that line")


def load_hub(spec: str, label: str, split: str, cache_dir: str = "") -> datasets.Dataset:
    try:
        return datasets.load_dataset(spec, split=split, cache_dir=cache_dir or None)
    except Exception as exc:
        if _offline():
            raise UserError(f"{label} {spec!r}: the Hugging Face Hub is offline (HF_HUB_OFFLINE / "
                            "HF_DATASETS_OFFLINE is set) and this dataset is not in the local cache; run once "
                            "online to cache it, or pass a local .jsonl/.json/.parquet/.csv file") from exc
        raise UserError(f"{label} {spec!r}: could not load split {split!r} from the Hugging Face Hub "
                        f"({type(exc).__name__}: {_brief(exc)}); check the id, the split and your "
                        "network, or pass a local file") from exc


def check_schema(ds: datasets.Dataset, source: str, where: str) -> None:
    missing = [c for c in REQUIRED[source] if c not in ds.column_names]
    if not missing:
        return
    other = next(s for s in SOURCES if s != source)
    hint = (f"; it looks like {NAMES[other]}: pass it with --{other}"
            if all(c in ds.column_names for c in REQUIRED[other]) else "")
    raise UserError(f"{where}: not in the {NAMES[source]} schema, missing field(s) {', '.join(missing)} "
                    f"(found: {', '.join(ds.column_names)}){hint}")


def _offline() -> bool:
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("HF_DATASETS_OFFLINE", ""))
    return datasets.config.HF_HUB_OFFLINE or any(f.strip().lower() in ("1", "true", "yes", "on") for f in flags)


def _brief(exc: BaseException) -> str:
    """The innermost cause's message on one line (datasets wraps the useful message in a generic one)."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _snippet(line: bytes) -> str:
    text = line.decode("utf-8", errors="replace")
    return repr(text if len(text) <= 60 else text[:30] + " ... " + text[-25:])


# --------------------------------------------------------------------------- one unified table
# Everything below works on whole Arrow columns (pyarrow.compute), so a row costs no Python.


def _text(col) -> pa.Array:
    """Any column as trimmed strings (nulls kept); JSON-typed cells (mixed types in a file) are decoded."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if isinstance(col.type, pa.JsonType):
        values = [None if v is None else json.loads(v) for v in col.storage.to_pylist()]
        col = pa.array([None if v is None else str(v) for v in values], pa.string())
    elif not pa.types.is_string(col.type):
        col = col.cast(pa.string())
    return pc.utf8_trim_whitespace(col)


def _norm(col: pa.Array) -> pa.Array:
    """Lower case, whitespace runs collapsed: the form duplicates and leaked questions are compared in."""
    # the pattern leaves single spaces alone (the common case), which makes it several times faster than \s+
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(col), r"\s{2,}|[^\S ]", " "))


def _strings(values: list) -> pa.Array:
    return pa.array(values, pa.string())


def _medqa_options(col, n: int) -> dict[str, pa.Array]:
    """MedQA's options as one column per letter. Usually a struct {A, B, ...}; other layouts (JSON text
    in a CSV, a map, a list of {key, value}) go through Python row by row."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_struct(col.type):
        names = [col.type.field(i).name for i in range(col.type.num_fields)]
        return {L: _text(pc.struct_field(col, L)) if L in names else _strings([None] * n) for L in LETTERS}
    values = col.storage.to_pylist() if isinstance(col.type, pa.JsonType) else col.to_pylist()
    dicts = [_as_dict(v) for v in values]
    return {L: _text(_strings([None if d.get(L) is None else str(d[L]) for d in dicts])) for L in LETTERS}


def _as_dict(value) -> dict:
    """One row's options as {letter: text}; {} when they cannot be read (the row then fails validation)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    if isinstance(value, list):  # a map column's (key, value) pairs, or [{"key": "A", "value": ...}, ...]
        pairs = [(v.get("key"), v.get("value")) if isinstance(v, dict) else tuple(v) for v in value]
        value = dict(p for p in pairs if len(p) == 2)
    return value if isinstance(value, dict) else {}


def _cop_letter(value) -> str | None:
    """MedMCQA's cop (0-3) as a letter; None for a missing label (-1 in its test split)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    if value < 0:
        return None
    return LETTERS[value] if value < 4 else f"cop={value}"  # an out-of-range cop is no option


def unify(batch: pa.Table, indices: list[int], source: str, min_words: int) -> pa.Table:
    """One batch of native rows -> the UNIFIED table, with each row's validation verdict."""
    n = batch.num_rows
    cols = batch.column_names
    ids = _text(batch["id"]) if "id" in cols else _strings([None] * n)
    has_id = pc.fill_null(pc.not_equal(ids, ""), False)
    if not pc.all(has_id).as_py():  # MedQA has no ids: "medqa-<row number in the input>"
        ids = pc.if_else(has_id, ids, _strings([f"{source}-{i}" for i in indices]))
    empty = _strings([""] * n)

    def optional(name: str) -> pa.Array:
        return pc.fill_null(_text(batch[name]), "") if name in cols else empty

    if source == "medqa":
        options = _medqa_options(batch["options"], n)
        answer = pc.utf8_upper(_text(batch["answer_idx"]))
        explanation, subject = empty, optional("meta_info")
    else:
        # MedMCQA always has four options: a missing one is an empty option, not an absent letter
        options = {L: pc.fill_null(_text(batch[f"op{L.lower()}"]), "") for L in "ABCD"}
        options["E"] = _strings([None] * n)
        answer = _strings([_cop_letter(v) for v in batch["cop"].to_pylist()])
        explanation, subject = optional("exp"), optional("subject_name")

    question = pc.fill_null(_text(batch["question"]), "")
    qkey = _norm(question)
    words = pc.if_else(pc.equal(qkey, ""), 0, pc.add(pc.count_substring(qkey, " "), 1)).cast(pa.int32())
    norms = [_norm(options[L]) for L in LETTERS]
    present = [pc.is_valid(options[L]) for L in LETTERS]

    def any_of(masks: list) -> pa.Array:
        out = pa.array([False] * n)
        for mask in masks:
            out = pc.or_(out, pc.fill_null(mask, False))
        return out

    count = present[0].cast(pa.int8())  # options per row
    for mask in present[1:]:
        count = pc.add(count, mask.cast(pa.int8()))
    rules = {  # in priority order; masks are True where a row breaks the rule
        "missing_label": pc.fill_null(pc.equal(answer, ""), True),
        "short_question": pc.less(words, min_words),
        "empty_option": any_of(
            [pc.less(count, 2)]
            + [pc.and_(present[i], pc.equal(norms[i], "")) for i in range(5)]
            + [pc.and_(present[i], pc.invert(present[i - 1])) for i in range(1, 5)]
        ),
        "duplicate_options": any_of(
            [pc.and_(pc.and_(present[i], present[j]), pc.equal(norms[i], norms[j]))
             for i in range(5) for j in range(i + 1, 5)]
        ),
        "answer_not_in_options": pc.invert(
            any_of([pc.and_(pc.equal(answer, L), present[i]) for i, L in enumerate(LETTERS)])
        ),
    }
    reason = pa.scalar("")
    for name in reversed(REASONS):
        reason = pc.if_else(rules[name], name, reason)
    key = pc.binary_join_element_wise(qkey, *norms, "\x1f", null_handling="replace", null_replacement="")
    columns = {"id": ids, "source": _strings([source] * n), "question": question, **options, "answer": answer,
               "explanation": explanation, "subject": subject, "words": words, "reason": reason, "key": key,
               "qkey": qkey}
    return pa.table(columns, schema=UNIFIED)


def prepare_source(ds: datasets.Dataset, source: str, min_words: int, max_samples: int = 0) -> tuple:
    """(every row as a unified Dataset, input row count, Counter of invalid rows per reason)."""
    if max_samples and len(ds) > max_samples:
        ds = ds.select(range(max_samples))
    unified = ds.with_format("arrow").map(
        unify, with_indices=True, batched=True, batch_size=BATCH, remove_columns=ds.column_names,
        fn_kwargs={"source": source, "min_words": min_words}, keep_in_memory=True,
        features=datasets.Features.from_arrow_schema(UNIFIED),
    )
    dropped = Counter({r: int(c) for r, c in zip(*_value_counts(unified["reason"])) if r})
    return unified, len(ds), dropped


def _value_counts(col) -> tuple[list, list]:
    counts = pc.value_counts(col)
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


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
    return pc.unique(_norm(pc.fill_null(_text(ds.with_format("arrow")["question"]), "")))


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


OUTPUT_NAMES = frozenset({"train.jsonl", "validation.jsonl", "stats.json", "config.json", "manifest.json"})


def process(cfg, progress=None) -> dict:
    """Build the splits and write them; returns stats (also written to <output_dir>/stats.json)."""
    data = cfg.data
    check_settings(data)
    if not str(data.output_dir).strip() or "\0" in str(data.output_dir):
        raise UserError(f"data.output_dir (--output-dir) must be a folder path, not {data.output_dir!r}")
    # The folder is replaced as a whole at the end: only one this script made (or an empty one) may be.
    train_outputs.check_replaceable(Path(data.output_dir), "data_processor.py", OUTPUT_NAMES)
    train_outputs.check_replaceable(train_outputs.staging_dir(data.output_dir), "data_processor.py")
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
        letters = dict(zip(*_value_counts(t["answer"]))) if t.num_rows else {}
        stats["answer_letters"][name] = {L: int(letters.get(L, 0)) for L in LETTERS}
        stats["question_words"][name] = _percentiles(t["words"].to_numpy())

    # 4. write: both splits to temp files first, then rename them all into place
    out = Path(data.output_dir)
    write_outputs(out, {name: t for name, (t, _) in splits.items()}, stats, cfg, progress)
    return stats


def records(table: pa.Table, system_prompt: str, include_explanation: bool):
    """The output records (mcq_format's record format) of a unified table, as JSON lines, batch by batch."""
    fields = ["id", "source", "question", "answer", "explanation", "subject"]
    for batch in table.to_batches(max_chunksize=BATCH):
        columns = [batch.column(name).to_pylist() for name in fields]
        letters = [batch.column(L).to_pylist() for L in LETTERS]
        lines = []
        for (id_, source, question, answer, explanation, subject), texts in zip(zip(*columns), zip(*letters)):
            options = {L: text for L, text in zip(LETTERS, texts) if text is not None}
            rec = {"id": id_, "source": source, "question": question, "options": options, "answer": answer,
                   "answer_text": options[answer], "explanation": explanation, "subject": subject}
            rec["messages"] = mcq_format.build_messages(rec, system_prompt, include_explanation)
            lines.append(_JSON.encode(rec))
        yield batch.num_rows, "\n".join(lines) + "\n"


def write_outputs(out: Path, splits: dict[str, pa.Table], stats: dict, cfg, progress=None) -> None:
    """Splits, stats.json and config.json into a staging folder beside out, manifest.json (sizes and sha256)
    last, then the folder replaces out in one rename: readers see the old set or the new one, never a mix."""
    stage = train_outputs.staging_dir(out)
    if stage.exists():
        shutil.rmtree(stage)
    train_outputs.mark_output(stage)
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
        written.append(cli.atomic_write_json(stage / "stats.json", stats))
        written.append(cli.save_config(cfg, "data", stage))
        train_outputs.write_manifest(stage / train_outputs.MANIFEST_FILE, written)
        train_outputs.swap_in(stage, out)
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
