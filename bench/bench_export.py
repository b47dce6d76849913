"""Export faithfulness per quant type: size, log-likelihood letter agreement and KL against the source model.

    .venv/bin/python bench/bench_export.py [--quick] [N]

The tiny preset's base (embedded SmolLM2-135M, converted to safetensors) is the source model. It is
converted to an F16 GGUF by llama.cpp's converter, then quantized to Q8_0, Q5_K_M and Q4_K_M, exactly as
export_gguf.py does. Each GGUF and the source answer the same real MedQA questions (../shared/data, the
first N, default 200; 60 with --quick) through faithfulness.compare: the log-likelihood letter each ranks
first, KL(source || GGUF) of the next-token distribution at the answer position, and greedy letter agreement
on the first 20. The baseline of every row is the F16 GGUF, the lossless reference. The figures set the
thresholds in config.ExportConfig.faithfulness_gate. Skipped with one line when ../shared/data is absent.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config  # noqa: E402
from common import scoring  # noqa: E402
from common import faithfulness  # noqa: E402
from common import modeling  # noqa: E402
from common import gguf as gguf_files  # noqa: E402
from common import questions  # noqa: E402

MEDQA = ROOT.parent / "shared" / "data" / "medqa_us_test.jsonl"
QUANTS = ("F16", "Q8_0", "Q5_K_M", "Q4_K_M")


def measure(n: int, n_generate: int = 20) -> list[dict]:
    if not MEDQA.is_file():
        print(f"export faithfulness: skipped ({MEDQA} is absent)")
        return []
    cfg = config.get_preset("tiny")
    records, _ = questions.load_questions(MEDQA, max_samples=n, seed=0)
    ref = Path(modeling.resolve_model("embedded", ROOT / "models" / "base"))
    model, tok, _ = modeling.load_base_model(cfg.model, ref=str(ref), backend="hf")
    source = scoring.HFModel(model, tok, max_new_tokens=32)
    results, cache = [], {}
    (ROOT / "bench" / "_work").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "_work") as work:
        work = Path(work)
        log = work / "export.log"
        f16 = work / "model-F16.gguf"
        gguf_files.convert_to_gguf(ref, f16, cfg, log, "bench")
        for quant in QUANTS:
            path = f16 if quant == "F16" else work / f"model-{quant}.gguf"
            if quant != "F16":
                gguf_files.quantize(f16, path, quant, log)
            gguf = scoring.GGUFModel(path, max_new_tokens=32, n_ctx=2048, seed=0)
            t0 = time.time()
            try:
                loglik = faithfulness.compare(source, gguf, records, cfg.chat.system_prompt, generate=False,
                                              source_cache=cache)
                gen = faithfulness.compare(source, gguf, records[:n_generate], cfg.chat.system_prompt, generate=True,
                                           source_cache=cache)
            finally:
                gguf.close()
            results.append({"quant": quant, "size_mb": path.stat().st_size / 1e6, "n": loglik["n"],
                            "agreement": loglik["loglik_agreement"], "kl_mean": loglik["kl_mean"],
                            "kl_max": loglik["kl_max"], "gen_n": gen["n"], "gen_agreement": gen["generate_agreement"],
                            "seconds": time.time() - t0})
            r = results[-1]
            print(f"{quant:7s} {r['size_mb']:7.1f} MB  loglik letters agree {r['agreement']:.1%} of {r['n']}  "
                  f"KL mean {r['kl_mean']:.4f} max {r['kl_max']:.4f}  greedy agree {r['gen_agreement']:.0%} "
                  f"of {r['gen_n']}  ({r['seconds']:.0f} s)", flush=True)
    return results


def run(quick: bool = False, n: int | None = None) -> list[dict]:
    results = measure(n or (60 if quick else 200))
    if not results:
        return []
    f16 = results[0]
    note = (f"source: embedded SmolLM2-135M as safetensors; {f16['n']} real MedQA test questions (loglik), "
            f"first {f16['gen_n']} for greedy; baseline: the F16 GGUF")
    rows = []
    for r in results[1:]:
        rows.append({"figure": f"export {r['quant']}: loglik letter agreement with the source",
                     "ours": round(r["agreement"], 4), "baseline": round(f16["agreement"], 4), "unit": "share",
                     "ratio": round(r["agreement"] / f16["agreement"], 3),
                     "goal": "none: the gate (>= 0.90) decides whether it may be exported", "note": f"{r['size_mb']:.1f} MB vs {f16['size_mb']:.1f} MB; "
                     f"KL mean {r['kl_mean']:.4f} (F16 {f16['kl_mean']:.4f}) max {r['kl_max']:.4f}; greedy "
                     f"agreement {r['gen_agreement']:.0%}; {note}"})
    return rows


if __name__ == "__main__":
    from run_all import print_rows

    args = [a for a in sys.argv[1:] if a != "--quick"]
    print_rows(run(quick="--quick" in sys.argv, n=int(args[0]) if args else None))
