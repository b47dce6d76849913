"""Writing outputs so that nothing is lost: atomic files, output folders swapped in whole, manifests.

A file is written to a temp file in its folder and renamed into place. An output folder is written as a
staging folder beside it (.<name>.partial) and swapped in only when the stage finished, so the previous
output stays whole after any failure or Ctrl+C; `recover_swap` finishes or undoes a swap a killed process
left. --force replaces only a folder that is empty or carries the project's .medllm-output marker. Multi-file
outputs carry a manifest (sizes + sha256) written last, which readers verify.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import typing
from pathlib import Path
from typing import Any

from common.errors import UserError

# --------------------------------------------------------------------------- atomic files


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_text(path: str | os.PathLike, text: str, mode: int | None = None) -> Path:
    """Write text to path via a temp file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path: str | os.PathLike, data: Any, mode: int | None = None) -> Path:
    return atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", mode)


def atomic_write_jsonl(path: str | os.PathLike, rows: typing.Iterable[dict]) -> Path:
    return atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))



# --------------------------------------------------------------------------- output folders

# Written into every output folder the project creates. --force replaces a folder only when it carries this
# file (or is empty): a folder of someone else's files (models/, the repository, a home folder) is never removed.
MARKER_FILE = ".medllm-output"


def mark_output(folder: str | os.PathLike) -> Path:
    """Create folder (and parents) and put the project's marker in it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER_FILE
    if not marker.exists():
        marker.write_text("created by MedLLM; `--force` may replace this folder\n", encoding="utf-8")
    return folder


def check_replaceable(out: Path, flag: str = "--force") -> None:
    """UserError unless out is missing, an empty folder, or a folder the project made (it holds the marker).

    A symbolic link is never replaced (what it points to may hold anything), and no list of familiar file names
    stands in for the marker: an output written before the marker existed is refused with how to move it aside."""
    if out.is_symlink():
        raise UserError(f"{out} is a symbolic link: {flag} will not replace it; pass the folder it points to, or "
                        "another --output-dir")
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"{out} is a file, not an output folder: {flag} will not replace it; pass another --output-dir")
    if (out / MARKER_FILE).is_file() or not any(out.iterdir()):
        return
    raise UserError(
        f"{out} was not created by MedLLM (it has no {MARKER_FILE} marker; nor has an output from before the marker "
        f"existed): {flag} replaces only folders MedLLM made; move it aside (mv {out} {out}.old) or pass another "
        "--output-dir"
    )


def recover_swaps(*outs: str | os.PathLike) -> None:
    """recover_swap for each of a stage's inputs and outputs, before the stage looks at them."""
    for out in outs:
        if out and str(out).strip():
            recover_swap(out)


def staging_dir(out: str | os.PathLike) -> Path:
    """The folder beside out that a run writes into: .<name>.partial. It is swapped in for out only when the
    run finished, so the previous output stays whole until then, and after any failure or Ctrl+C."""
    out = Path(os.path.abspath(out))
    return out.with_name(f".{out.name}.partial")


def _aside(out: Path) -> Path:
    """Where swap_in keeps out while the stage takes its place: .<name>.old-<pid> beside it."""
    return out.with_name(f".{out.name}.old-{os.getpid()}")


def _remove(path: Path) -> None:
    """Delete a file, link or folder; a folder is first renamed to <name>.deleting, so a removal cut short leaves
    only a name that recover_swap deletes and never mistakes for a whole output."""
    if path.is_dir() and not path.is_symlink():
        doomed = path.with_name(f"{path.name}.deleting")
        try:
            os.replace(path, doomed)
        except FileNotFoundError:  # another process (a second rank) got there first
            return
        shutil.rmtree(doomed, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover_swap(out: str | os.PathLike) -> Path | None:
    """Undo what a process killed inside swap_in left behind, before a run looks at out.

    swap_in renames out to .<name>.old-<pid> for the moment the stage takes its place. If the process died in
    between, out is missing and the previous output sits under that hidden name: it is renamed back to out (the
    newest, if there are several) and a line says so. Once out is in place, any .old-<pid> left (a process killed
    before it removed the old output) and any .deleting folder are removed. Returns the restored path or None."""
    out = Path(os.path.abspath(out))
    prefix = f".{out.name}.old-"
    try:
        aside = [p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.name[len(prefix):].isdigit()]
    except OSError:  # no such folder yet, or one this user cannot list: nothing of ours is there
        return None
    restored = None
    if aside and not (out.exists() or out.is_symlink()):
        newest = max(aside, key=lambda p: p.lstat().st_ctime)
        try:
            os.replace(newest, out)
            restored = newest
            print(f"note: restored {out} from {newest.name}, where a run stopped while replacing it had left it",
                  file=sys.stderr)
        except OSError:  # another process restored it first (out exists now) or it is gone
            pass
    if out.exists() or out.is_symlink():
        for path in out.parent.iterdir():
            name = path.name
            stale = (name.startswith(prefix) and (name[len(prefix):].isdigit() or name.endswith(".deleting")))
            if stale and path != restored:
                _remove(path)
    return out if restored else None


def swap_in(stage: Path, out: Path) -> None:
    """Replace out with the finished stage: out is renamed aside, the stage renamed to out, the old one removed.
    A process killed between the renames leaves the old output aside; the next run puts it back (recover_swap)."""
    out = Path(out)
    recover_swap(out)
    mark_output(stage)
    out.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if out.exists() or out.is_symlink():
        old = _aside(out)
        os.replace(out, old)
    try:
        os.replace(stage, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        _remove(old)



# --------------------------------------------------------------------------- manifests

MANIFEST_FORMAT = "medllm-manifest/1"
MANIFEST_FILE = "manifest.json"


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(manifest: Path, files: list[Path], known: dict[str, str] | None = None) -> Path:
    """manifest (JSON): size and sha256 of each file (named relative to the manifest's folder). Written last, it
    says the set of files is complete and belongs together. `known`: sha256s already computed, by name."""
    known = known or {}
    entries = {Path(f).name: {"size": Path(f).stat().st_size, "sha256": known.get(Path(f).name) or file_sha256(f)}
               for f in files}
    return atomic_write_json(manifest, {"format": MANIFEST_FORMAT, "files": entries})


def verify_manifest(manifest: Path, names: list[str] | None = None, fix: str = "", hashes: bool = True) -> dict:
    """UserError unless every file the manifest lists (or just `names`) is there with its size and sha256."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"]
        if data.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{manifest} is not a readable manifest: {fix}") from None
    for name in names if names is not None else list(files):
        entry = files.get(name)
        path = manifest.parent / name
        if entry is None:
            raise UserError(f"{path} is not listed in {manifest}: the files do not belong together; {fix}")
        if not path.is_file() or path.stat().st_size != entry.get("size"):
            raise UserError(f"{path} is missing or changed since it was written (its size does not match "
                            f"{manifest.name}): {fix}")
        if hashes and file_sha256(path) != entry.get("sha256"):
            raise UserError(f"{path} changed since it was written (its sha256 does not match {manifest.name}): {fix}")
    return files
