"""Chat speed: medllm's generation path against raw llama-cpp-python on the same GGUF, prompt and settings.

    .venv/bin/python bench/bench_chat.py [--quick]

* Decode speed (tokens/s after the first token) and time to first token. Ours: a question through
  ChatSession.prepare + generate (red-flag check, chat-template token count, history trimming) rendered
  live in the Rich panel on an off-screen terminal, exactly as the chat shows it. Baseline:
  create_chat_completion(stream=True) on the same Llama with the same messages and sampling settings.
  Both clocks start when the question is handed over and stop at the first / last streamed piece. Runs
  alternate (ours, raw, ours, ...) after one warm-up each; the prompt cache is reset before every run;
  medians are reported. The same seed makes both sides generate the same tokens.
* Start to first prompt: `medllm.py --model embedded` in a pseudo-terminal until the prompt appears,
  against a Python process that imports llama_cpp, loads the same GGUF and prints a line.

* Build speed (issue 15): the portable llama.cpp build setup installs (GGML_NATIVE=OFF, AVX2) against a
  -march=native build of the same version on this machine, each in its own subprocess, alternating:
  prompt processing (a 512-token prompt, batch 512) and decode (64 tokens one at a time) on the embedded
  GGUF, 2 threads, median of the runs. The native wheel is built by
  `.venv/bin/python -c "import llama_build; llama_build.build_wheel(native=True)"` (skipped with a line when
  absent). Only meaningful on a CPU where the native build runs.

Goals: tokens/s >= 0.95x the raw path, time to first token <= 1.1x (issue 9); portable decode >= 0.9x native,
prompt processing >= 0.8x (issue 15).
"""
from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from chat.runtime import load_llm  # noqa: E402
from chat.session import ChatSession  # noqa: E402
from chat.terminal import TerminalChat  # noqa: E402
from common import modeling  # noqa: E402

QUESTION = (
    "A 58-year-old man with hypertension and type 2 diabetes comes to the emergency department with two hours "
    "of substernal chest pressure radiating to his left arm. His ECG shows ST elevation in leads II, III and "
    "aVF. Which of the following is the most appropriate next step in management?\n\n"
    "A) Oral metformin\nB) Primary percutaneous coronary intervention\nC) Exercise stress test\n"
    "D) Discharge with follow-up\n\nExplain each option in detail before you answer."
)
THREADS = 1  # one thread: the figures compare code paths, not the scheduling of a shared CPU


def _settings(quick: bool):
    c = config.get_preset("tiny").chat
    c.max_tokens, c.seed, c.threads = (32 if quick else 128), 7, THREADS
    return c


def _raw(llm, messages: list[dict], c) -> tuple[float, float, int]:
    """(time to first token, decode tokens/s, tokens) of plain create_chat_completion(stream=True)."""
    llm.reset()
    start = time.perf_counter()
    first = last = None
    n = 0
    stream = llm.create_chat_completion(
        messages, stream=True, max_tokens=c.max_tokens, temperature=c.temperature, top_p=c.top_p,
        top_k=c.top_k, repeat_penalty=c.repeat_penalty, seed=c.seed,
    )
    for chunk in stream:
        if chunk["choices"][0]["delta"].get("content"):
            last = time.perf_counter()
            first = first or last
            n += 1
    return first - start, (n - 1) / (last - first), n


def _ours(ui: TerminalChat) -> tuple[float, float, int]:
    """The same question through medllm's path, drawn in the Rich panel."""
    ui.session.llm.reset()
    ui.session.clear()
    turn = ui.answer(QUESTION)
    return turn["ttft_s"], turn["tokens_per_s"], turn["tokens"]


def generation(quick: bool) -> list[dict]:
    from rich.console import Console

    c = _settings(quick)
    gguf = modeling.embedded_gguf_path()
    llm = load_llm(gguf, c)
    try:
        session = ChatSession(llm, c, gguf)
        screen = Console(file=io.StringIO(), force_terminal=True, width=100, highlight=False)
        ui = TerminalChat(session, screen)
        messages = [{"role": "system", "content": session.system_prompt}, {"role": "user", "content": QUESTION}]
        _ours(ui), _raw(llm, messages, c)  # warm-up
        ours, raw = [], []
        for _ in range(3 if quick else 7):
            ours.append(_ours(ui))
            raw.append(_raw(llm, messages, c))
    finally:
        llm.close()
    med = lambda runs, i: statistics.median(r[i] for r in runs)  # noqa: E731
    tokens = sorted({r[2] for r in ours + raw})
    note = (f"embedded SmolLM2-135M Q4_1, {len(ours)} interleaved runs each, {c.max_tokens} max tokens "
            f"(generated: {tokens}), {THREADS} thread, median")
    ours_tps, raw_tps, ours_ttft, raw_ttft = med(ours, 1), med(raw, 1), med(ours, 0), med(raw, 0)
    return [
        {"figure": "chat decode speed", "ours": round(ours_tps, 2), "baseline": round(raw_tps, 2),
         "unit": "tokens/s", "ratio": round(ours_tps / raw_tps, 3), "goal": ">= 0.95x", "check": ["ratio", ">=", 0.95], "note": note},
        {"figure": "chat time to first token", "ours": round(ours_ttft, 4), "baseline": round(raw_ttft, 4),
         "unit": "s", "ratio": round(ours_ttft / raw_ttft, 3), "goal": "<= 1.1x", "check": ["ratio", "<=", 1.1], "note": note},
    ]


def _time_to(argv: list[str], marker: str) -> float:
    """Seconds from spawning argv in a pseudo-terminal until it prints marker; the process is then ended."""
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], cwd=str(ROOT), encoding="utf-8", dimensions=(50, 160), timeout=120)
    try:
        child.expect(marker)
        elapsed = time.perf_counter() - start
        child.sendline("quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return elapsed


def startup(quick: bool) -> dict:
    gguf = modeling.embedded_gguf_path()
    ours_cmd = [sys.executable, str(ROOT / "medllm.py"), "--model", "embedded", "--threads", str(THREADS)]
    raw_cmd = [sys.executable, "-c", "import llama_cpp; llama_cpp.Llama(model_path=%r, n_ctx=2048, n_threads=%d, "
               "verbose=False); print('ready', flush=True); input()" % (str(gguf), THREADS)]
    ours, raw = [], []
    for _ in range(1 if quick else 3):
        ours.append(_time_to(ours_cmd, "you ›"))
        raw.append(_time_to(raw_cmd, "ready"))
    o, r = statistics.median(ours), statistics.median(raw)
    return {"figure": "chat start to first prompt", "ours": round(o, 3), "baseline": round(r, 3), "unit": "s",
            "ratio": round(o / r, 3), "goal": "none set (informational)",
            "note": f"medllm.py --model embedded until the prompt vs import llama_cpp + load; {len(ours)} runs, median"}


_SPEED_PROBE = r"""
import json, sys, time
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=1024, n_batch=512, n_threads=2, n_threads_batch=2, verbose=False)
base = llm.tokenize(b"The patient reports chest pain, breathlessness and a cough that has lasted for weeks. ")
prompt = (base * (512 // len(base) + 1))[:512]
llm.eval(prompt[:16]); llm.reset()  # warm-up
t = time.perf_counter(); llm.eval(prompt); pp = len(prompt) / (time.perf_counter() - t)
llm.reset(); llm.eval(prompt[:32])
t = time.perf_counter()
for i in range(64):
    llm.eval([prompt[32 + i]])
tg = 64 / (time.perf_counter() - t)
print(json.dumps({"pp": pp, "tg": tg}))
"""


def _site_of(wheel: Path, name: str) -> Path:
    """The wheel unpacked into bench/_work/<name> (pip --target), reused while the wheel is the same."""
    import subprocess

    target = ROOT / "bench" / "_work" / name
    stamp = target / ".wheel"
    if not (stamp.exists() and stamp.read_text() == str(wheel)):
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--upgrade", "--target",
                        str(target), str(wheel)], check=True)
        stamp.write_text(str(wheel))
    return target


def build_speed(quick: bool) -> list[dict]:
    import json
    import os
    import subprocess

    from common import llama_build

    native = llama_build.built_wheel(native=True)
    portable = llama_build.built_wheel(native=False)
    if native is None or portable is None:
        print("build speed: skipped (no native wheel in .wheels/; build one with "
              "`.venv/bin/python -c \"from common import llama_build; llama_build.build_wheel(native=True)\"`)")
        return []
    sites = {"portable": _site_of(portable, "llama-portable"), "native": _site_of(native, "llama-native")}
    gguf = str(modeling.embedded_gguf_path())
    runs: dict[str, list[dict]] = {"portable": [], "native": []}
    for _ in range(3 if quick else 7):
        for name, site in sites.items():
            env = dict(os.environ, PYTHONPATH=str(site), OMP_WAIT_POLICY="PASSIVE")
            out = subprocess.run([sys.executable, "-c", _SPEED_PROBE, gguf], env=env, capture_output=True,
                                 text=True, check=True).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
    med = {n: {k: statistics.median(r[k] for r in rs) for k in ("pp", "tg")} for n, rs in runs.items()}
    note = (f"llama-cpp-python {llama_build.pinned_version()}, portable {portable.parent.name} vs native "
            f"{native.parent.name} on {llama_build.cpu_name()}; embedded SmolLM2-135M Q4_1, 2 threads, "
            f"{len(runs['portable'])} alternating runs each, median")
    return [
        {"figure": "portable build: prompt processing (512 tokens)", "ours": round(med["portable"]["pp"], 1),
         "baseline": round(med["native"]["pp"], 1), "unit": "tokens/s",
         "ratio": round(med["portable"]["pp"] / med["native"]["pp"], 3), "goal": ">= 0.8x native", "check": ["ratio", ">=", 0.8], "note": note},
        {"figure": "portable build: decode", "ours": round(med["portable"]["tg"], 1),
         "baseline": round(med["native"]["tg"], 1), "unit": "tokens/s",
         "ratio": round(med["portable"]["tg"] / med["native"]["tg"], 3), "goal": ">= 0.9x native", "check": ["ratio", ">=", 0.9], "note": note},
    ]


def run(quick: bool = False) -> list[dict]:
    return generation(quick) + [startup(quick)] + build_speed(quick)


if __name__ == "__main__":
    from run_all import print_rows

    print_rows(run(quick="--quick" in sys.argv))
