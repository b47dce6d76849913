"""MedQA and MedMCQA questions: their native schemas read into one table, and labelled questions for scoring.

`prepare_source` maps a MedQA or MedMCQA dataset (hub or local file, native schema) to one unified Arrow
table and marks each invalid row with the first rule it breaks; `records` turns such a table into the
project's question records (common.mcq_format) with their chat messages. data_processor.py builds the
splits from these; `load_questions` reads a processed split or a native file for evaluation and export.
"""
from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.compute as pc

import config as config_mod
from common import mcq_format
from common.errors import UserError
from common.outputs import MANIFEST_FILE, verify_manifest

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


def text_column(col) -> pa.Array:
    """Any column as trimmed strings (nulls kept); JSON-typed cells (mixed types in a file) are decoded."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if isinstance(col.type, pa.JsonType):
        values = [None if v is None else json.loads(v) for v in col.storage.to_pylist()]
        col = pa.array([None if v is None else str(v) for v in values], pa.string())
    elif not pa.types.is_string(col.type):
        col = col.cast(pa.string())
    return pc.utf8_trim_whitespace(col)


def normalise(col: pa.Array) -> pa.Array:
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
        return {L: text_column(pc.struct_field(col, L)) if L in names else _strings([None] * n) for L in LETTERS}
    values = col.storage.to_pylist() if isinstance(col.type, pa.JsonType) else col.to_pylist()
    dicts = [_as_dict(v) for v in values]
    return {L: text_column(_strings([None if d.get(L) is None else str(d[L]) for d in dicts])) for L in LETTERS}


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
    ids = text_column(batch["id"]) if "id" in cols else _strings([None] * n)
    has_id = pc.fill_null(pc.not_equal(ids, ""), False)
    if not pc.all(has_id).as_py():  # MedQA has no ids: "medqa-<row number in the input>"
        ids = pc.if_else(has_id, ids, _strings([f"{source}-{i}" for i in indices]))
    empty = _strings([""] * n)

    def optional(name: str) -> pa.Array:
        return pc.fill_null(text_column(batch[name]), "") if name in cols else empty

    if source == "medqa":
        options = _medqa_options(batch["options"], n)
        answer = pc.utf8_upper(text_column(batch["answer_idx"]))
        explanation, subject = empty, optional("meta_info")
    else:
        # MedMCQA always has four options: a missing one is an empty option, not an absent letter
        options = {L: pc.fill_null(text_column(batch[f"op{L.lower()}"]), "") for L in "ABCD"}
        options["E"] = _strings([None] * n)
        answer = _strings([_cop_letter(v) for v in batch["cop"].to_pylist()])
        explanation, subject = optional("exp"), optional("subject_name")

    question = pc.fill_null(text_column(batch["question"]), "")
    qkey = normalise(question)
    words = pc.if_else(pc.equal(qkey, ""), 0, pc.add(pc.count_substring(qkey, " "), 1)).cast(pa.int32())
    norms = [normalise(options[L]) for L in LETTERS]
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
    dropped = Counter({r: int(c) for r, c in zip(*value_counts(unified["reason"])) if r})
    return unified, len(ds), dropped


def value_counts(col) -> tuple[list, list]:
    counts = pc.value_counts(col)
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()



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


# --------------------------------------------------------------------------- labelled questions for scoring


def _first_object(path: Path) -> dict | None:
    """The first JSON object of a .jsonl / .json file (None for other formats or unreadable text)."""
    if path.suffix.lower() not in (".jsonl", ".json"):
        return None
    with open(path, encoding="utf-8") as fh:
        head = fh.read(1 << 20).lstrip()
    if head.startswith("["):
        try:
            rows = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise UserError(f"--data {path}: line {exc.lineno} does not parse as JSON ({exc.msg}); fix it") from None
        return rows[0] if rows and isinstance(rows[0], dict) else None
    line = head.split("\n", 1)[0]
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"--data {path}: line 1 does not parse as JSON ({exc.msg}); fix or delete that line") from None
    return row if isinstance(row, dict) else None


def is_processed(row: dict | None) -> bool:
    """A record of data/processed/*.jsonl (letter answer, options dict), not a native MedQA/MedMCQA row."""
    return (
        isinstance(row, dict)
        and isinstance(row.get("options"), dict)
        and "question" in row
        and "answer" in row
        and "answer_idx" not in row
        and "cop" not in row
    )


def _read_processed(path: Path) -> tuple[list[dict], dict[str, int]]:
    """Processed records; rows without an answer letter are counted as missing_label, not kept."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        rows = json.loads(text)
        numbered = list(enumerate(rows, 1))
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                numbered.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise UserError(f"--data {path}: line {number} does not parse as JSON ({exc.msg}); "
                                "fix or delete it") from None
    records, dropped = [], {}
    for number, row in numbered:
        if not isinstance(row, dict) or not isinstance(row.get("options"), dict) or not row.get("question"):
            raise UserError(f"--data {path}: row {number} is not a question record (question, options, answer)")
        answer = str(row.get("answer") or "").strip().upper()
        if not answer:
            dropped["missing_label"] = dropped.get("missing_label", 0) + 1
            continue
        if answer not in row["options"]:
            raise UserError(f"--data {path}: row {number}: answer {answer!r} is not one of its options "
                            f"{', '.join(row['options'])}; fix that row")
        rec = dict(row, answer=answer)
        rec.setdefault("id", f"row-{number}")
        rec.setdefault("source", "")
        rec.setdefault("subject", "")
        rec.setdefault("explanation", "")
        rec.setdefault("answer_text", row["options"][answer])
        records.append(rec)
    return records, dropped


def _read_native(path: Path, system_prompt: str) -> tuple[list[dict], dict[str, int], str]:
    """A MedQA / MedMCQA file in its native schema, normalised by prepare_source (no length filter)."""
    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    ds = load_local(path, "--data")
    found = [s for s in SOURCES if all(c in ds.column_names for c in REQUIRED[s])]
    if not found:
        raise UserError(
            f"--data {path}: neither a processed split nor a MedQA / MedMCQA file (columns: "
            f"{', '.join(ds.column_names)}); MedQA needs {', '.join(REQUIRED['medqa'])}, MedMCQA needs "
            f"{', '.join(REQUIRED['medmcqa'])}"
        )
    source = found[0]
    unified, _rows, dropped = prepare_source(ds, source, min_words=0)
    table = unified.with_format("arrow")[:]
    table = table.filter(pc.equal(table["reason"], ""))  # the valid rows; `dropped` counts the others
    rows = [
        json.loads(line)
        for _n, text in records(table, system_prompt, True)
        for line in text.splitlines()
        if line.strip()
    ]
    return rows, {k: int(v) for k, v in dropped.items() if v}, source


def load_questions(path: str | os.PathLike, max_samples: int = 0, seed: int = 42,
                   system_prompt: str = config_mod.SYSTEM_PROMPT) -> tuple[list[dict], dict]:
    """(records, info): the labelled questions of a processed split or a native MedQA / MedMCQA file.

    With max_samples, a seeded random subset (kept in file order), so every model sees the same questions.
    A file whose rows have no answer labels (e.g. MedMCQA's test split) is a UserError.
    """
    if max_samples < 0:
        raise UserError(f"eval.max_samples (--max-samples) must be 0 (all) or a positive count, not {max_samples}")
    path = Path(path).expanduser()
    if not path.is_file():
        hint = " (run data_processor.py first)" if "processed" in str(path) else ""
        raise UserError(f"--data {path}: no such file{hint}; pass a processed split or a MedQA / MedMCQA file")
    if path.stat().st_size == 0:
        raise UserError(f"--data {path}: the file is empty; pass a file with labelled questions")
    if is_processed(_first_object(path)):
        manifest = path.parent / MANIFEST_FILE
        if manifest.is_file():  # data_processor.py's manifest: the split is the one it wrote, whole
            verify_manifest(manifest, [path.name], "regenerate it with `python data_processor.py`")
        records, dropped = _read_processed(path)
        fmt = "processed"
    else:
        records, dropped, fmt = _read_native(path, system_prompt)
    total = len(records) + sum(dropped.values())
    if not records:
        if dropped.get("missing_label", 0) == total:
            raise UserError(
                f"--data {path}: none of its {total} questions has an answer label (like MedMCQA's test "
                "split); evaluation needs labelled questions: use a validation / dev split"
            )
        raise UserError(f"--data {path}: no valid questions in it (dropped: {dropped})")
    if max_samples and len(records) > max_samples:
        keep = sorted(random.Random(seed).sample(range(len(records)), max_samples))
        records = [records[i] for i in keep]
    info = {"path": str(path), "format": fmt, "rows": total, "dropped": dropped, "n": len(records)}
    return records, info
