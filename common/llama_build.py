"""The llama.cpp build MedLLM installs, and the check that proves it runs on this CPU.

Why this file exists: llama-cpp-python compiles llama.cpp from source, and by default with GGML_NATIVE
(-march=native). On many cloud VMs CPUID advertises instructions (AMX, some AVX-512) that the VM cannot
execute; those kernels run only for batched matmuls, so the build imports fine and dies with "Illegal
instruction" on the first long prompt. pip also reuses a wheel it built on another machine.

So MedLLM builds a *portable* wheel: GGML_NATIVE=OFF with an explicit instruction set (x86-64: AVX2, FMA,
F16C, BMI2; no AVX-512, no AMX), keeps it in a project-local folder named by a hash of those settings
(`.wheels/<key>/`), and never lets pip's cache supply it. `MEDLLM_LLAMA_NATIVE=1` asks for a native
build instead; its key includes this CPU's identity, so a native wheel is never reused on another CPU.

After installing, setup runs `self_check()`: the embedded SmolLM2 GGUF processes a prompt of at least
256 tokens (batch 512) and generates 16 tokens, in a subprocess, so a bad build fails with one readable
line instead of killing the caller. The scripts that load llama.cpp in-process call `require_runnable()`
first, which runs the same check once per (library file, CPU) and caches the verdict.

    python -m common.llama_build build     # build (or reuse) the wheel and install it into this Python
    python -m common.llama_build check     # the self-check; exit 0 when this build runs here
    python -m common.llama_build flags     # print the settings and the wheel key
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from common import modeling
from common.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements-llama.txt"
WHEELS = ROOT / ".wheels"
NATIVE_ENV = "MEDLLM_LLAMA_NATIVE"  # set to 1 for a -march=native build on this machine (never reused elsewhere)
EXTRA_ENV = "MEDLLM_LLAMA_CMAKE_ARGS"  # extra CMake flags appended to the portable ones (they join the wheel key)

# The portable instruction sets. Every x86-64 CPU since Haswell (2013) / Zen 1 runs AVX2+FMA+F16C+BMI2.
# AVX-512 and AMX are off: they are the kernels that VMs advertise and cannot run. llamafile's sgemm and
# the repacked Q4 kernels still use AVX2 here.
PORTABLE_FLAGS = {
    "x86_64": [
        "-DGGML_NATIVE=OFF", "-DGGML_CPU_ALL_VARIANTS=OFF", "-DGGML_BACKEND_DL=OFF",
        "-DGGML_SSE42=ON", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON", "-DGGML_BMI2=ON",
        "-DGGML_AVX_VNNI=OFF", "-DGGML_AVX512=OFF", "-DGGML_AVX512_VBMI=OFF", "-DGGML_AVX512_VNNI=OFF",
        "-DGGML_AVX512_BF16=OFF", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF",
    ],
    # ARMv8.0-A with NEON: Graviton, Ampere, Raspberry Pi 4 and newer. Not built or run on this project's
    # machines (x86-64); a user on aarch64 runs the same self-check.
    "aarch64": ["-DGGML_NATIVE=OFF", "-DGGML_CPU_ALL_VARIANTS=OFF", "-DGGML_BACKEND_DL=OFF",
                "-DGGML_CPU_ARM_ARCH=armv8-a"],
}
NATIVE_FLAGS = ["-DGGML_NATIVE=ON", "-DGGML_CPU_ALL_VARIANTS=OFF", "-DGGML_BACKEND_DL=OFF"]
COMMON_FLAGS = ["-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_SERVER=OFF",
                "-DGGML_OPENMP=ON"]

CHECK_PROMPT_TOKENS = 256  # at least this many prompt tokens, processed in batches of CHECK_BATCH
CHECK_BATCH = 512
CHECK_NEW_TOKENS = 16
CHECK_TIMEOUT_S = 180


class BuildError(Exception):
    """One line for the user: what failed and what to run."""


def pinned_version() -> str:
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("llama-cpp-python=="):
            return line.split("==", 1)[1].strip()
    raise BuildError(f"{REQUIREMENTS.name} has no `llama-cpp-python==VERSION` line")


def native_requested() -> bool:
    return os.environ.get(NATIVE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def cpu_identity() -> str:
    """The CPU model and its flag list: a native wheel is only ever valid for exactly this."""
    model, flags = platform.processor() or "", ""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "model name" and not model:
                model = value.strip()
            if key in ("flags", "Features") and not flags:
                flags = " ".join(sorted(value.split()))
    except OSError:
        pass
    return f"{platform.machine()}|{model}|{flags}"


def cpu_name() -> str:
    return cpu_identity().split("|")[1] or platform.machine()


def cmake_args(native: bool | None = None) -> list[str]:
    native = native_requested() if native is None else native
    if native:
        arch_flags = NATIVE_FLAGS
    else:
        arch = platform.machine().lower()
        arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)
        if arch not in PORTABLE_FLAGS:
            raise BuildError(f"no portable llama.cpp settings for {arch}; set {NATIVE_ENV}=1 to build for this CPU")
        arch_flags = PORTABLE_FLAGS[arch]
    extra = os.environ.get(EXTRA_ENV, "").split()
    return COMMON_FLAGS + arch_flags + extra


def wheel_key(native: bool | None = None) -> str:
    """A name for the wheel folder: the version, the flags, the Python ABI, the compiler, and (native) the CPU."""
    native = native_requested() if native is None else native
    parts = [pinned_version(), " ".join(cmake_args(native)), sysconfig.get_platform(),
             sys.implementation.cache_tag, _compiler_version()]
    if native:
        parts.append(cpu_identity())
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return f"{'native' if native else 'portable'}-{pinned_version()}-{digest}"


def _compiler_version() -> str:
    cc = os.environ.get("CC", "cc")
    try:
        return subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=20).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown-compiler"


def wheel_folder(native: bool | None = None) -> Path:
    return WHEELS / wheel_key(native)


def built_wheel(native: bool | None = None) -> Path | None:
    found = sorted(wheel_folder(native).glob("llama_cpp_python-*.whl"))
    return found[0] if found else None


def build_wheel(native: bool | None = None, log=print) -> Path:
    """The wheel for the current settings: reused from `.wheels/<key>/` or compiled there (temp folder + rename)."""
    native = native_requested() if native is None else native
    existing = built_wheel(native)
    if existing:
        log(f"llama.cpp: reusing {existing.relative_to(ROOT)}")
        return existing
    folder = wheel_folder(native)
    WHEELS.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=WHEELS))
    env = dict(os.environ, CMAKE_ARGS=" ".join(cmake_args(native)), FORCE_CMAKE="1",
               CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2))
    log(f"llama.cpp: compiling llama-cpp-python {pinned_version()} ({'native' if native else 'portable'}: "
        f"{' '.join(a for a in cmake_args(native) if a.startswith('-DGGML_') and a.endswith('=ON'))}); "
        "this takes 5-10 minutes on 2 cores")
    t0 = time.time()
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "--no-binary", "llama-cpp-python",
           "-w", str(work), f"llama-cpp-python=={pinned_version()}"]
    with open(work / "build.log", "w") as out:
        rc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        kept = WHEELS / f"failed-{folder.name}.log"
        shutil.move(str(work / "build.log"), kept)
        shutil.rmtree(work, ignore_errors=True)
        raise BuildError(f"compiling llama-cpp-python failed (exit {rc}); the compiler output is in {kept}")
    (work / "settings.json").write_text(json.dumps(
        {"version": pinned_version(), "native": native, "cmake_args": cmake_args(native),
         "cpu": cpu_name(), "built_seconds": round(time.time() - t0, 1)}, indent=2) + "\n")
    if folder.exists():  # a concurrent build finished first: keep its wheel
        shutil.rmtree(work, ignore_errors=True)
    else:
        os.replace(work, folder)
    log(f"llama.cpp: built in {time.time() - t0:.0f} s -> {folder.relative_to(ROOT)}")
    return built_wheel(native)


def install(native: bool | None = None, log=print) -> Path:
    """Build or reuse the wheel and install exactly that file (pip cannot swap in a cached native wheel)."""
    wheel = build_wheel(native, log=log)
    runtime_deps = [ln.split("#", 1)[0].strip() for ln in REQUIREMENTS.read_text().splitlines()]
    runtime_deps = [d for d in runtime_deps if d and not d.startswith("llama-cpp-python")]
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    if subprocess.run(pip + runtime_deps).returncode != 0:
        raise BuildError(f"installing llama-cpp-python's dependencies ({' '.join(runtime_deps)}) failed")
    if subprocess.run(pip + ["--force-reinstall", "--no-deps", str(wheel)]).returncode != 0:
        raise BuildError(f"installing {wheel} failed; delete {wheel.parent} and run `make setup` again")
    _forget_verdicts()
    return wheel


# --------------------------------------------------------------------------- the self-check

_PROBE = r"""
import sys
from llama_cpp import Llama
path, n_prompt, n_batch, n_new = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
llm = Llama(model_path=path, n_ctx=2048, n_batch=n_batch, n_threads=None, verbose=False)
print("loaded", flush=True)
case = ("A 61-year-old woman with type 2 diabetes and hypertension reports three days of worsening exertional "
        "breathlessness, ankle swelling and waking at night short of breath. Her pulse is irregular and a third "
        "heart sound is heard. ")
text = ""
while len(llm.tokenize(text.encode())) < n_prompt:
    text += case
prompt = llm.tokenize((text + "Which investigation should come first? A) Echocardiography B) BNP C) ECG D) Chest X-ray. Answer:").encode())
llm.eval(prompt)
generated = []
for _ in range(n_new):
    tok = llm.sample(temp=0.0)
    generated.append(tok)
    llm.eval([tok])
print(f"ok {len(prompt)} {len(generated)}")
"""


def _signal_name(rc: int) -> str:
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return f"signal {-rc}"


def self_check(gguf: str | os.PathLike | None = None, python: str | None = None,
               n_prompt: int = CHECK_PROMPT_TOKENS, n_batch: int = CHECK_BATCH,
               n_new: int = CHECK_NEW_TOKENS) -> tuple[bool, str]:
    """(ok, one line): run prompt processing and decoding on a GGUF (default: the embedded one) in a subprocess.

    ok is None when the file itself did not load (a Python error before any kernel ran): that says nothing about
    the build, and the caller's own load reports it."""
    if gguf is None:
        gguf = modeling.embedded_gguf_path()
    cmd = [python or sys.executable, "-c", _PROBE, str(gguf), str(n_prompt), str(n_batch), str(n_new)]
    t0 = time.time()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S,
                              env=dict(os.environ, OMP_WAIT_POLICY="PASSIVE"))
    except subprocess.TimeoutExpired:
        return False, (f"llama.cpp self-check timed out after {CHECK_TIMEOUT_S} s on {cpu_name()}; "
                       f"rebuild with `make rebuild-llama`")
    seconds = time.time() - t0
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode == 0 and last.startswith("ok "):
        _, n_tok, n_gen = last.split()
        return True, f"llama.cpp runs here: {n_tok}-token prompt + {n_gen} new tokens in {seconds:.1f} s on {cpu_name()}"
    if proc.returncode > 0 and "loaded" not in proc.stdout.split():
        return None, f"{Path(gguf).name} did not load in the self-check"
    if proc.returncode < 0:
        what = _signal_name(proc.returncode)
        if what == "SIGILL":
            what = "SIGILL, Illegal instruction: the build uses instructions this CPU cannot execute"
    else:
        err = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        what = f"exit {proc.returncode}: {err[-1] if err else 'no message'}"
    hint = (f"unset {NATIVE_ENV} and run `make rebuild-llama`" if native_requested() else
            f"run `make rebuild-llama` (the instruction sets are PORTABLE_FLAGS in llama_build.py; "
            f"{EXTRA_ENV} adds flags)")
    return False, (f"llama.cpp self-check failed on {cpu_name()} ({what}) processing a {n_prompt}-token prompt with "
                   f"{Path(gguf).name}; {hint}")


def _library_file() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    pkg = Path(list(spec.submodule_search_locations)[0])
    libs = sorted((pkg / "lib").glob("libggml-cpu*")) + sorted((pkg / "lib").glob("libllama*"))
    return libs[0] if libs else None


def _verdict_file() -> Path:
    return Path(sys.prefix) / "medllm-llama-check.json"


def _verdict_key(lib: Path) -> str:
    st = lib.stat()
    return hashlib.sha256(f"{lib.resolve()}|{st.st_size}|{st.st_mtime_ns}|{cpu_identity()}".encode()).hexdigest()


def _forget_verdicts() -> None:
    try:
        _verdict_file().unlink()
    except OSError:
        pass


_checked_in_process: set[str] = set()


def require_runnable(gguf: str | os.PathLike | None = None) -> None:
    """Raise a one-line UserError unless the installed llama.cpp has run this very GGUF on this CPU.

    The self-check loads the file about to be loaded (default: the embedded model) in a subprocess and runs a
    256+-token prompt and a few new tokens through it, so the kernels of its own tensor types (F16, Q4_K_M, ...)
    are exercised, not only those of the embedded Q4_1 model: a build that dies on them ends in the same one
    line, never in a dead process. The verdict is cached per (library file, CPU, file sha256) in the virtual
    environment: one subprocess the first time a build meets a machine and a file, nothing afterwards.
    """
    gguf = Path(gguf) if gguf is not None else modeling.embedded_gguf_path()
    lib = _library_file()
    if lib is None:
        raise UserError("llama-cpp-python is not installed; run `make setup`")
    key = hashlib.sha256(f"{_verdict_key(lib)}|{modeling.file_digest(gguf)}".encode()).hexdigest()
    if key in _checked_in_process:
        return
    store = _verdict_file()
    try:
        cached = json.loads(store.read_text())
    except (OSError, ValueError):
        cached = {}
    if cached.get(key) is True:
        _checked_in_process.add(key)
        return
    ok, line = self_check(gguf)
    if ok is None:  # the file does not load at all: the caller's own load says so, in its own words
        return
    if not ok:
        raise UserError(line)
    cached[key] = True
    try:
        tmp = store.with_suffix(".tmp")
        tmp.write_text(json.dumps(cached))
        os.replace(tmp, store)
    except OSError:
        pass  # a read-only venv: the check simply runs again next time
    _checked_in_process.add(key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.llama_build", description=__doc__.split("\n\n")[0],
        epilog=f"{NATIVE_ENV}=1 builds for this CPU only; {EXTRA_ENV} appends CMake flags.")
    parser.add_argument("action", choices=["build", "check", "flags"],
                        help="build: compile or reuse the wheel and install it; check: the self-check; "
                             "flags: print the settings")
    args = parser.parse_args(argv)
    try:
        if args.action == "flags":
            print(json.dumps({"key": wheel_key(), "cmake_args": cmake_args(), "cpu": cpu_name()}, indent=2))
            return 0
        if args.action == "build":
            install()
            return 0
        ok, line = self_check()
        print(line, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
