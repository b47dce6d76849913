"""MedLLM chat: ask the fine-tuned medical model questions in your terminal, offline, on llama.cpp.

    python medllm.py                                 # chat with models/medllm_finetuning.gguf
    python medllm.py --model embedded                # chat with the embedded SmolLM2-135M base model
    python medllm.py --ask "What does metformin do?" # one answer, then exit (plain text when piped)
    echo "What does metformin do?" | python medllm.py --json    # the answer and its metadata as JSON
    python medllm.py --ask - --json < question.txt   # `--ask -` reads the question from stdin

In the chat, commands work bare or with a slash: help, info, training, save [path], clear, quit / exit.
Ctrl+C stops an answer; Ctrl+C or Ctrl+D at the prompt leaves.

The prompt is the model's own chat template: the system prompt, the conversation so far and the new
question; the oldest turns are dropped when they no longer fit --n-ctx. Every answer ends with the
disclaimer, whatever the model wrote (a short form after the session's first answer). When the user's
words in the last three turns raise an emergency red flag (chat/safety_rules.py, matched by
chat/safety.py), the emergency notice comes before the answer; it never depends on the model's text.

This file is the command line; the chat itself is in chat/runtime.py (finding, verifying and loading the GGUF),
chat/session.py (the conversation and the prompt), chat/record.py (the session record, `save`),
chat/text.py (what typed text may contain), chat/screens.py and chat/terminal.py (the interactive chat).
"""
from __future__ import annotations

import contextlib
import json
import sys

from rich.console import Console

from common import cli
from chat.runtime import find_model, load_llm, read_metadata, verify_export
from chat.screens import stats_line
from chat.session import MAX_INPUT_CHARS, ChatSession
from chat.terminal import TerminalChat
from chat.text import SURROGATES
from common.errors import UserError

# This script's own flags: ChatConfig field -> (type, help); --n-ctx sets chat.n_ctx and so on.
CHAT_FLAGS = {
    "n_gpu_layers": (int, "layers to offload to the GPU (-1 = all, 0 = CPU only)"),
    "n_ctx": (int, "context window in tokens; older turns are dropped to fit it"),
    "n_batch": (int, "prompt tokens evaluated per batch"),
    "threads": (int, "CPU threads (0 = let llama.cpp choose)"),
    "temperature": (float, "sampling temperature (0 = greedy)"),
    "top_p": (float, "nucleus sampling probability mass"),
    "top_k": (int, "sample from the k most likely tokens (0 = all)"),
    "repeat_penalty": (float, "penalty for repeated tokens (1 = none)"),
    "max_tokens": (int, "longest answer in tokens"),
}
STDIN_LIMIT = 10 * MAX_INPUT_CHARS  # characters read from stdin at most; more is refused without reading it all


# --------------------------------------------------------------------------- one question, no chat


def answer_once(session: ChatSession, question: str, as_json: bool, metadata_note: str) -> int:
    """--ask / stdin: print one answer (styled in a terminal, plain when piped, or JSON) and exit."""
    if as_json:
        turn = session.ask(question)
        out = {**turn, "model": session.model_record(), "parameters": session.parameters()}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        turn = TerminalChat(session, Console(highlight=False), metadata_note).answer(question)
        if turn is None:
            return 2
    else:
        turn = session.ask(question)
        print(turn["answer"], flush=True)
        if sys.stderr.isatty():
            print(stats_line(turn), file=sys.stderr)
    return 130 if turn["interrupted"] else 0


# --------------------------------------------------------------------------- command line


def read_question(ask: str | None) -> str | None:
    """The one question to answer: --ask's text, stdin's for `--ask -` or when stdin is not a terminal, or None
    (the interactive chat). UserError for an empty question, stdin that is not UTF-8 text, or too much of it."""
    if ask == "-" or (ask is None and not sys.stdin.isatty()):
        try:
            ask = sys.stdin.read(STDIN_LIMIT + 1)
        except UnicodeDecodeError as exc:
            raise UserError(f"the question on stdin is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if len(ask) > STDIN_LIMIT:
            raise UserError(f"the question on stdin is longer than {STDIN_LIMIT:,} characters; shorten it")
    if ask is not None and not ask.strip():
        raise UserError("the question is empty: pass --ask \"...\" or pipe a question on stdin")
    if ask is not None and SURROGATES.search(ask):  # argv and a C-locale stdin decode bad bytes to surrogates
        raise UserError("the question is not UTF-8 text: save it as UTF-8 (e.g. `iconv -t utf-8`) and ask again")
    return ask


def build_parser():
    parser = cli.make_parser("medllm.py", __doc__, "chat")
    for action in parser._actions:  # the shared --model help talks about training models
        if action.dest == "model":
            action.help = "GGUF file to chat with, or 'embedded' for the base model (default: chat.model)"
    group = parser.add_argument_group("model and sampling (defaults from the preset's chat section)")
    for name, (typ, text) in CHAT_FLAGS.items():
        group.add_argument("--" + name.replace("_", "-"), dest=name, type=typ, default=None, help=text,
                           metavar="N" if typ is int else "X")
    group = parser.add_argument_group("one question, no chat")
    group.add_argument("--ask", metavar="QUESTION",
                       help="answer this question and exit ('-' or a pipe: read it from stdin)")
    group.add_argument("--json", action="store_true", help="print the answer as JSON with its metadata")
    group.add_argument("--show-config", action="store_true", help="print the resolved chat settings first")
    return parser


def check_settings(c) -> None:
    checks = [
        (c.n_ctx > 0, f"--n-ctx must be a positive number of tokens (got {c.n_ctx})"),
        (c.n_batch > 0, f"--n-batch must be positive (got {c.n_batch})"),
        (c.threads >= 0, f"--threads must be 0 (auto) or more (got {c.threads})"),
        (c.max_tokens > 0, f"--max-tokens must be positive (got {c.max_tokens})"),
        (c.temperature >= 0, f"--temperature must be 0 or more (got {c.temperature})"),
        (0 < c.top_p <= 1, f"--top-p must be in (0, 1] (got {c.top_p})"),
        (c.top_k >= 0, f"--top-k must be 0 (all) or more (got {c.top_k})"),
        (c.repeat_penalty > 0, f"--repeat-penalty must be positive (got {c.repeat_penalty})"),
        (c.seed < 2**32, f"--seed must be below {2**32} (-1: a new seed each run) (got {c.seed})"),
    ]
    for ok, message in checks:
        if not ok:
            raise UserError(message)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cfg = cli.resolve_config(args, "chat")
    for name in CHAT_FLAGS:
        if getattr(args, name) is not None:
            cli.set_field(cfg, f"chat.{name}", getattr(args, name), from_text=False)
    chat_cfg = cfg.chat
    check_settings(chat_cfg)

    question = read_question(args.ask)
    if args.json and question is None:
        raise UserError("--json answers one question: pass --ask \"...\" or pipe the question on stdin")

    import colorama

    colorama.just_fix_windows_console()  # ANSI colours on old Windows terminals; a no-op elsewhere
    err = Console(stderr=True, highlight=False)
    if args.show_config:
        cli.show_config(cfg, "chat", err)
    path = find_model(chat_cfg.model, is_default=args.model is None)
    with err.status(f"Verifying {path.name}...", spinner="dots") if err.is_terminal else contextlib.nullcontext():
        verify_export(path)
    with err.status(f"Loading {path.name}...", spinner="dots") if err.is_terminal else contextlib.nullcontext():
        llm = load_llm(path, chat_cfg)
    try:
        metadata, note = read_metadata(path)
        # The exported model was trained with the metadata's system prompt; --set chat.system_prompt wins.
        system_override = any(o.split("=", 1)[0].strip() == "chat.system_prompt" for o in args.overrides)
        system_prompt = None if system_override else (metadata or {}).get("system_prompt")
        if system_prompt is not None and not isinstance(system_prompt, str):
            raise UserError(f"the system_prompt in {note} is not text: export the model again with export_gguf.py")
        session = ChatSession(llm, chat_cfg, path, metadata, system_prompt)
        if question is not None:
            return answer_once(session, question.strip(), args.json, note)
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history at the prompt)
        return TerminalChat(session, Console(highlight=False), note).run()
    finally:
        with contextlib.suppress(Exception):
            llm.close()


if __name__ == "__main__":
    sys.exit(cli.main_wrapper(main))
