"""outputs.swap_in and recover_swap: a process killed while it replaces an output never loses the old one.

The kill is real: a child process runs swap_in and dies (os._exit) at the chosen point, with no except or finally
block running, as under SIGKILL or a power cut. The next run's first look at the output folder repairs it.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest


from common.errors import UserError
from common import outputs
from training import runs

ROOT = Path(__file__).resolve().parents[2]


def make_output(folder: Path, text: str) -> Path:
    outputs.mark_output(folder)
    (folder / runs.SUMMARY_FILE).write_text(text)
    (folder / "adapter_config.json").write_text("{}")
    return folder


def die_inside_swap_in(stage: Path, out: Path, at_call: int) -> None:
    """Run swap_in(stage, out) in a child that dies at its at_call-th os.replace (1: out aside, 2: stage in,
    3: old renamed for removal), before that call runs."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from common import outputs
        from pathlib import Path
        calls, real = [0], os.replace
        def replace(src, dst):
            calls[0] += 1
            if calls[0] == {at_call}:
                os._exit(9)
            real(src, dst)
        outputs.os.replace = replace
        outputs.swap_in(Path({str(stage)!r}), Path({str(out)!r}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_run_killed_between_the_renames_gets_its_old_output_back(tmp_path, capsys):
    out = make_output(tmp_path / "sft", "old run")
    stage = make_output(outputs.staging_dir(out), "new run")
    die_inside_swap_in(stage, out, at_call=2)
    assert not out.exists() and any(n.startswith(".sft.old-") for n in hidden(tmp_path))  # the bug: out hidden
    with pytest.raises(UserError, match="already exists"):  # the next run finds the old output where it was
        runs.check_output_dir(out, resume=False, force=False)
    assert (out / runs.SUMMARY_FILE).read_text() == "old run"
    assert hidden(tmp_path) == [".sft.partial"]  # the finished stage is still there, nothing else
    assert "restored" in capsys.readouterr().err
    outputs.swap_in(stage, out)  # and a later swap works as ever
    assert (out / runs.SUMMARY_FILE).read_text() == "new run" and hidden(tmp_path) == []


def test_a_run_killed_after_the_swap_leaves_no_stale_copy(tmp_path):
    out = make_output(tmp_path / "sft", "old run")
    stage = make_output(outputs.staging_dir(out), "new run")
    die_inside_swap_in(stage, out, at_call=3)  # the new output is in, the old one was still aside
    assert (out / runs.SUMMARY_FILE).read_text() == "new run" and len(hidden(tmp_path)) == 1
    make_output(tmp_path / ".sft.old-77.deleting", "half removed")  # as a kill inside the removal leaves it
    assert outputs.recover_swap(out) is None  # nothing to restore: out is the new run
    assert (out / runs.SUMMARY_FILE).read_text() == "new run" and hidden(tmp_path) == []


def test_recovery_touches_only_this_outputs_leftovers(tmp_path):
    out = tmp_path / "sft"
    make_output(tmp_path / ".sft.old-123", "old sft")
    others = [make_output(tmp_path / name, name) for name in (".ppo.old-123", ".sft.old-notapid", ".sft2.old-1")]
    assert outputs.recover_swap(out) == out
    assert (out / runs.SUMMARY_FILE).read_text() == "old sft"
    assert all(p.is_dir() for p in others) and len(hidden(tmp_path)) == 3
    # several copies aside (never made by swap_in, but possible by hand): the newest comes back, the rest go
    out2 = tmp_path / "logs"
    make_output(tmp_path / ".logs.old-1", "older")
    time.sleep(0.05)  # the newest is the one renamed aside last (its ctime)
    make_output(tmp_path / ".logs.old-2", "newer")
    runs.check_log_dir(out2)
    assert (out2 / runs.SUMMARY_FILE).read_text() == "newer"
    assert not any(n.startswith(".logs.") for n in hidden(tmp_path))


def test_swap_in_replaces_a_file_output_and_leaves_nothing_aside(tmp_path):
    out = tmp_path / "data"
    out.write_text("a file in the way")  # swap_in has always replaced files and links too
    stage = make_output(outputs.staging_dir(out), "new")
    outputs.swap_in(stage, out)
    assert (out / runs.SUMMARY_FILE).read_text() == "new" and hidden(tmp_path) == []


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "out.json"
    outputs.atomic_write_json(target, {"a": 1})

    with pytest.raises(TypeError):
        outputs.atomic_write_text(target, object())  # type: ignore[arg-type]  # fails mid-write
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
