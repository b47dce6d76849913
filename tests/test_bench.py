"""The benchmarks' verdicts: make bench marks each goal ✓ or ✗ and exits non-zero when one is missed; the accuracy
bench's pass/fail lines follow the figures; the generated block of RESULTS.md is run_all.py's own."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_accuracy  # noqa: E402
import run_all  # noqa: E402


def results(base, sft, ppo, sft_top):
    models = [{"name": n, "loglik": {"accuracy": a, "f1_macro": f}} for n, (a, f) in
              (("base", base), ("sft", sft), ("ppo", ppo))]
    hist = {"base": {"A": 0.9, "B": 0.1}, "sft": {"A": 1 - sft_top, "C": sft_top}, "ppo": {"B": 1.0}}
    return {"MedQA": {"summary": {"models": models, "n": 100}, "histograms": hist}}


def test_goals_pass_and_fail_on_each_bar():
    ok = bench_accuracy.goals(results((0.30, 0.15), (0.29, 0.19), (0.28, 0.2), 0.5))
    assert [p for p, _ in ok] == [True, True, True, True]
    bad = bench_accuracy.goals(results((0.30, 0.15), (0.27, 0.14), (0.24, 0.2), 0.75))
    assert [p for p, _ in bad] == [False, False, False, False]
    assert "C is 75%" in bad[2][1]


def test_answer_key_and_histogram_count_the_letters():
    preds = [{"answer": a, "loglik": p} for a, p in ("AA", "BA", "CA", "AC")]
    assert bench_accuracy.letter_shares(preds, "answer") == {"A": 0.5, "B": 0.25, "C": 0.25}
    assert bench_accuracy.letter_shares(preds, "loglik") == {"A": 0.75, "C": 0.25}


def row(ratio, ours=1.0, baseline=1.0, check=None):
    r = {"figure": "f", "ours": ours, "baseline": baseline, "unit": "s", "ratio": ratio, "goal": "g"}
    return r | ({"check": check} if check else {})


def test_a_goal_passes_fails_or_is_informational():
    assert run_all.verdict(row(1.5, check=["ratio", ">=", 1.3])) is True
    assert run_all.verdict(row(1.2, check=["ratio", ">=", 1.3])) is False
    assert run_all.verdict(row(3.7, ours=9.6, check=[["ratio", "<=", 3.0], ["ours", "<", 15.0]])) is False
    assert run_all.verdict(row(2.0, ours=9.6, check=[["ratio", "<=", 3.0], ["ours", "<", 15.0]])) is True
    assert run_all.verdict(row(0.9, ours=0.25, baseline=0.28, check=["ours-baseline", ">=", -0.02])) is False
    assert run_all.verdict(row(0.9)) is None and run_all.mark(row(0.9)) == "-"


def test_make_bench_exits_non_zero_when_a_goal_is_missed(tmp_path, monkeypatch, capsys):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "bench_fake.py").write_text(
        "def run(quick=False):\n"
        "    return [{'figure': 'met', 'ours': 2, 'baseline': 1, 'unit': 'x', 'ratio': 2.0, 'goal': '>= 1.5x',\n"
        "             'check': ['ratio', '>=', 1.5]},\n"
        "            {'figure': 'missed', 'ours': 1, 'baseline': 1, 'unit': 'x', 'ratio': 1.0, 'goal': '>= 1.5x',\n"
        "             'check': ['ratio', '>=', 1.5]}]\n")
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n<!-- run_all.py: begin -->\nold\n<!-- run_all.py: end -->\n\n## notes\nkept\n")
    monkeypatch.setattr(run_all, "HERE", bench)
    assert run_all.main(["--output", str(results)]) == 1
    out = capsys.readouterr().out
    assert "✗ goal missed: bench_fake: missed" in out and "1 goal(s) missed" in out
    text = results.read_text()
    assert "| ✓ | bench_fake | met |" in text and "| ✗ | bench_fake | missed |" in text and "old" not in text
    assert "command: `python bench/run_all.py --output" in text and text.endswith("## notes\nkept\n")
    (bench / "bench_fake.py").write_text(
        "def run(quick=False):\n"
        "    return [{'figure': 'met', 'ours': 2, 'baseline': 1, 'unit': 'x', 'ratio': 2.0, 'goal': '>= 1.5x',\n"
        "             'check': ['ratio', '>=', 1.5]}]\n")
    assert run_all.main(["--output", str(results)]) == 0


def test_the_generated_block_of_results_md_is_run_alls_own():
    """Every row between the markers carries a verdict and the block names the command that wrote it."""
    text = (Path(__file__).resolve().parent.parent / "bench" / "RESULTS.md").read_text()
    block = text.split(run_all.BEGIN, 1)[1].split(run_all.END, 1)[0]
    assert "command: `python bench/run_all.py" in block and "goals met" in block
    rows = [line for line in block.splitlines() if line.startswith("| ") and not line.startswith("| |")
            and "---" not in line]
    assert rows and all(line.split("|")[1].strip() in ("✓", "✗", "-") for line in rows)


def test_every_benchmark_gives_run_all_its_rows_and_finds_the_project():
    """run_all.py calls run(quick=...) of every bench/bench_*.py, and a benchmark that starts a subprocess runs
    this file as a script: each file defines run(quick) and puts the project on sys.path before importing any
    of its packages (two benchmarks failed in make bench for want of one or the other)."""
    import ast

    packages = {"common", "training", "chat", "config"}
    for path in sorted((Path(__file__).resolve().parent.parent / "bench").glob("bench_*.py")):
        tree = ast.parse(path.read_text())
        runs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"]
        assert runs and "quick" in [a.arg for a in runs[0].args.args], f"{path.name}: no run(quick=...)"
        path_line = min((n.lineno for n in tree.body if "sys.path.insert" in ast.unparse(n)), default=None)
        for node in tree.body:  # module-level imports of the project come after sys.path.insert
            names = ([a.name.split(".")[0] for a in node.names] if isinstance(node, ast.Import) else
                     [(node.module or "").split(".")[0]] if isinstance(node, ast.ImportFrom) else [])
            if packages.intersection(names):
                assert path_line is not None and node.lineno > path_line, f"{path.name}:{node.lineno} before sys.path"
