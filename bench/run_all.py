"""Run every bench/bench_*.py and write bench/RESULTS.md.

Each benchmark module exposes `run(quick=False) -> list[dict]`; every dict is one figure measured
against its baseline in the same run: {"figure", "ours", "baseline", "unit", "ratio", "goal", "note"} and,
where the figure has a goal, "check": [lhs, op, value] (or a list of them) with lhs one of "ratio", "ours" or
"ours-baseline". Each row is printed with ✓ (the goal passed), ✗ (missed) or - (informational), and the
command exits 1 when any goal is missed or any benchmark failed. The part of RESULTS.md between the
run_all.py markers is written only here; notes by hand go in the dated sections below it.

    python bench/run_all.py            # all benchmarks, full size
    python bench/run_all.py --quick    # small sizes, to check they work
    python bench/run_all.py data sft   # only bench_data.py and bench_sft.py
"""
from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def machine() -> str:
    import os

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import torch

        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
        torch_v = torch.__version__
    except Exception:
        gpu, torch_v = "no GPU", "?"
    return f"{cpu}, {os.cpu_count()} cores, {gpu}, Python {platform.python_version()}, torch {torch_v}"


OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def verdict(row: dict) -> bool | None:
    """True when every check of the row passes, False when one fails, None for a row without a goal."""
    checks = row.get("check")
    if not checks:
        return None
    checks = checks if isinstance(checks[0], (list, tuple)) else [checks]
    for lhs, op, value in checks:
        x = {"ratio": row["ratio"], "ours": row["ours"], "ours-baseline": row["ours"] - row["baseline"]}[lhs]
        if not OPS[op](x, value):
            return False
    return True


def mark(row: dict) -> str:
    return {True: "✓", False: "✗", None: "-"}[verdict(row)]


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_rows(rows: list[dict]) -> None:
    """Print benchmark rows as a plain table (what each bench_*.py shows when run on its own)."""
    width = max([len("figure")] + [len(r["figure"]) for r in rows])
    print(f"   {'figure':<{width}}  {'ours':>10}  {'baseline':>10}  {'unit':<11} {'ratio':>7}  goal")
    for r in rows:
        print(f"{mark(r)}  {r['figure']:<{width}}  {fmt(r['ours']):>10}  {fmt(r['baseline']):>10}  "
              f"{r.get('unit', ''):<11} {fmt(r['ratio']):>7}  {r.get('goal', '')}")
        if r.get("note"):
            print(f"    {r['note']}")


BEGIN, END = "<!-- run_all.py: begin -->", "<!-- run_all.py: end -->"


def merge_results(path: Path, table: str) -> str:
    """RESULTS.md with the generated part (between BEGIN and END) replaced and the dated sections kept."""
    old = path.read_text() if path.is_file() else "# Benchmark results\n\n"
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    title, _, rest = old.partition("\n\n")
    return f"{title}\n\n{block}\n\n{rest}".rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the benchmarks work")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)

    files = sorted(HERE.glob("bench_*.py"))
    if args.names:
        files = [f for f in files if f.stem.removeprefix("bench_") in args.names]
    rows, failures = [], []
    for path in files:
        print(f"== {path.name}", flush=True)
        start = time.time()
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            results = module.run(quick=args.quick)
        except Exception as exc:
            traceback.print_exc()
            failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        for r in results:
            rows.append({"bench": path.stem, **r})
            print(f" {mark(r)} {r['figure']}: ours {fmt(r['ours'])} vs baseline {fmt(r['baseline'])} {r.get('unit', '')}"
                  f" -> ratio {fmt(r['ratio'])} (goal {r.get('goal', '')})", flush=True)
        print(f"   ({time.time() - start:.0f} s)", flush=True)

    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} on {machine()}"
        + (" (quick mode: small sizes)" if args.quick else "") + "; command: `"
        + " ".join(["python bench/run_all.py", *(sys.argv[1:] if argv is None else argv)]) + "`.",
        "Each figure is compared with its baseline in the same run; `make bench` rewrites this part of the file "
        "(the dated sections below it stay).",
        "",
        "| | benchmark | figure | ours | baseline | unit | ratio | goal | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {mark(r)} | {r['bench']} | {r['figure']} | {fmt(r['ours'])} | {fmt(r['baseline'])} | "
            f"{r.get('unit', '')} | {fmt(r['ratio'])} | {r.get('goal', '')} | {r.get('note', '')} |"
        )
    missed = [r for r in rows if verdict(r) is False]
    lines.append("")
    lines.append(f"{sum(verdict(r) is True for r in rows)} goals met, {len(missed)} missed, "
                 f"{sum(verdict(r) is None for r in rows)} rows without a goal, {len(failures)} benchmarks failed.")
    for f in failures:
        lines.append(f"\nFAILED: {f}")
    Path(args.output).write_text(merge_results(Path(args.output), "\n".join(lines[2:])))
    print(f"wrote {args.output}")
    for r in missed:
        print(f"✗ goal missed: {r['bench']}: {r['figure']}: ratio {fmt(r['ratio'])}, ours {fmt(r['ours'])} "
              f"(goal {r.get('goal', '')})")
    if missed or failures:
        print(f"make bench: {len(missed)} goal(s) missed, {len(failures)} benchmark(s) failed")
        return 1
    print("make bench: every goal met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
