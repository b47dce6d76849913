"""What the chat draws, as Rich renderables: the welcome, the commands, `info`, `training`, the stats line.

Pure functions of the session (or of the export's metadata): they print nothing, so chat/terminal.py decides
where they go, and tests render them into a string. Values read from files are shown as plain text, never as
Rich markup.
"""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

COMMANDS = {
    "help": "show this help",
    "info": "model file, size, quantization, parameters, context used, session statistics",
    "training": "how the model was trained (the export's metadata JSON)",
    "save [path]": "save the session as JSON (default: logs/sessions/)",
    "clear": "forget the conversation; the next question starts afresh",
    "quit / exit": "leave (also Ctrl+D, or Ctrl+C at the prompt)",
}
HELP_NOTE = ("Ctrl+C stops an answer. The conversation is kept until `clear`; the oldest turns are dropped when the "
             "context is full.")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _row(table, *cells: Any) -> None:
    """A table row of plain text: values read from files may contain [brackets] that are not markup."""
    table.add_row(*(Text(str(c)) for c in cells))


def commands_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold green", no_wrap=True)
    table.add_column()
    for name, what in COMMANDS.items():
        _row(table, name, what)
    return table


def welcome_panel(session) -> Panel:
    s, c = session, session.cfg
    size = human_size(s.model_path.stat().st_size)
    head = Text.assemble(
        ("Model ", "bold"), f"{s.model_path.name}  ",
        (f"{s.quantization()} · {size} · context {s.n_ctx} tokens · temperature {c.temperature}", "dim"),
    )
    body = Group(
        head,
        Text("Ask a medical question, or type a command (bare or with a slash):"),
        commands_table(),
        Text("Answers are for education, not medical advice. In an emergency call your local emergency number.",
             style="italic yellow"),
    )
    return Panel(body, title="[bold cyan]MedLLM[/] · medical Q&A on your machine", border_style="cyan",
                 title_align="left")


def info_table(session, metadata_note: str) -> Table:
    """`info`: the model file, its parameters and hash, the settings, the context used and session statistics."""
    import llama_cpp

    s, c = session, session.cfg
    model = s.model_record()
    n_params = llama_cpp.llama_model_n_params(s.llm.model)
    stats = s.stats()
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    rows = [
        ("model file", model["file"]),
        ("size", f"{human_size(model['size_bytes'])} ({model['size_bytes']:,} bytes)"),
        ("quantization", model["quantization"]),
        ("parameters", f"{n_params / 1e6:,.1f} M ({s.llm.metadata.get('general.architecture', '?')})"),
        ("sha256", model["sha256"]),
        ("chat template", str(model["chat_format"])),
        ("context used", f"{s.context_used()} of {s.n_ctx} tokens "
                         f"({plural(len(s.history), 'turn')} in the conversation)"),
        ("settings", f"n_ctx {c.n_ctx} · n_batch {c.n_batch} · n_gpu_layers {c.n_gpu_layers} · threads "
                     f"{c.threads or 'auto'}"),
        ("sampling", f"temperature {c.temperature} · top_p {c.top_p} · top_k {c.top_k} · repeat_penalty "
                     f"{c.repeat_penalty} · max_tokens {c.max_tokens} · seed {c.seed}"),
        ("session", f"started {s.started_at} · {plural(stats['questions'], 'question')} · "
                    f"{plural(stats['tokens'], 'token')} · {stats['tokens_per_s']:.1f} tokens/s · first token "
                    f"{stats['ttft_s']:.2f} s · {plural(stats['emergencies'], 'emergency notice')}"),
        ("training metadata", metadata_note),
    ]
    for name, value in rows:
        _row(table, name, value)
    return table


def emergency_panel(notice: str) -> Panel:
    return Panel(Text(notice, style="bold"), title="[bold]Possible emergency[/]", border_style="bold red",
                 title_align="left")


def stats_line(turn: dict) -> str:
    parts = []
    if turn["ttft_s"] is not None:
        parts.append(f"first token {turn['ttft_s']:.2f} s")
    if turn["tokens_per_s"] is not None:
        parts.append(f"{turn['tokens_per_s']:.1f} tokens/s")
    parts.append(f"{turn['tokens']} tokens in {turn['total_s']:.1f} s")
    if turn["interrupted"]:
        parts.append("stopped with Ctrl+C")
    elif turn["finish_reason"] == "length":
        parts.append("cut at --max-tokens")
    return " · ".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _numbers(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Numeric leaves of nested JSON as (dotted path, value); list items named by their 'name' key."""
    if isinstance(obj, bool) or obj is None:
        return []
    if isinstance(obj, (int, float)):
        return [(prefix, obj)]
    out: list[tuple[str, Any]] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            out += _numbers(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            name = value.get("name", i) if isinstance(value, dict) else i
            out += _numbers(value, f"{prefix}[{name}]")
    return out


TRAINING_KEYS = {
    "sft": ("epochs", "max_steps", "learning_rate", "batch_size", "grad_accum", "lr_scheduler", "max_length"),
    "ppo": ("num_examples", "epochs", "learning_rate", "batch_size", "clip_eps", "kl_coef", "reward_correct",
            "reward_wrong"),
    "grpo": ("num_examples", "epochs", "learning_rate", "batch_size", "num_generations", "beta", "epsilon",
             "max_completion_length", "reward_correct", "reward_wrong"),
}


def training_tables(meta: dict) -> list:
    """Rich tables of the export metadata: model, SFT and the RL stage (presets, hyperparameters, summaries),
    evaluation. The RL record sits under "ppo" for either trainer; a GRPO run is told by its config's "grpo"
    section and is titled and listed as GRPO."""
    def table(title: str) -> Table:
        t = Table(title=title, title_justify="left", title_style="bold cyan", show_header=False, box=None,
                  padding=(0, 2))
        t.add_column(style="bold", no_wrap=True)
        t.add_column(overflow="fold")
        return t

    model = table("Model")
    for key in ("base_model", "adapter", "quantization", "created", "model_file"):
        if meta.get(key) is not None:
            _row(model, key, _fmt(meta[key]))
    faith = meta.get("faithfulness")
    if isinstance(faith, dict) and "agreement" in faith:
        _row(model, "GGUF faithfulness",
             f"{_fmt(faith['agreement'])} agreement with the merged model on {faith.get('n', '?')} questions")
    tables = [model]
    for stage in ("sft", "ppo"):
        section = meta.get(stage)
        if not isinstance(section, dict):
            t = table("PPO / GRPO" if stage == "ppo" else stage.upper())
            _row(t, "", "not run" if stage == "ppo" else "no record")
            tables.append(t)
            continue
        conf, summary = section.get("config") or {}, section.get("summary") or {}
        if stage == "ppo" and "grpo" in conf and "ppo" not in conf:
            stage = "grpo"
        t = table(stage.upper())
        if conf.get("preset"):
            _row(t, "preset", str(conf["preset"]))
        lora = conf.get("lora") or {}
        if lora:
            _row(t, "LoRA", f"r {lora.get('r')} · alpha {lora.get('alpha')} · {_fmt(lora.get('target_modules', []))}")
        hyper = conf.get(stage) or {}
        for key in TRAINING_KEYS[stage]:
            if key in hyper:
                _row(t, key, _fmt(hyper[key]))
        for key, value in summary.items():
            if not isinstance(value, (dict, list)):
                _row(t, key, _fmt(value))
        tables.append(t)
    evaluation = table("Evaluation")
    rows = _numbers(meta.get("evaluation"))
    for key, value in rows[:30]:
        _row(evaluation, key, _fmt(value))
    if not rows:
        _row(evaluation, "", "no evaluation in the metadata (run evaluate.py --compare before exporting)")
    tables.append(evaluation)
    return tables
