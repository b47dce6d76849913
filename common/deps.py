"""The project files a script runs: its import closure over the project's own modules (config.py and the packages).

The Makefile makes each demo stage depend on exactly these, so editing any code a stage runs makes that stage,
and the ones after it, run again, and editing code it never runs does not:

    python3 -m common.deps export_gguf.py      # export_gguf.py config.py common/cli.py ... (one line)

Only the standard library is used, so it runs before `make setup` has installed anything.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_file(name: str) -> Path | None:
    """The project file of a dotted module name (a package's __init__.py or a module), else None."""
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """Dotted names a file imports, at any depth (`from pkg import mod` counts as pkg.mod too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def closure(script: Path) -> list[Path]:
    """script and every project file it imports, directly or through others, sorted."""
    seen, todo = set(), [script.resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_modules(path):
            found = module_file(name)
            if found is not None:
                todo.append(found.resolve())
    return sorted(seen)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 -m common.deps SCRIPT.py", file=sys.stderr)
        return 2
    script = Path(argv[0])
    if not script.is_file():
        print(f"error: {script}: no such file", file=sys.stderr)
        return 2
    print(" ".join(str(p.relative_to(ROOT)) for p in closure(script)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
