"""The interactive chat in a terminal: the prompt, the commands, answers streaming into a panel.

TerminalChat runs the loop: read a line (escapes stripped), run it as a command (help, info, training,
save [path], clear, quit / exit, bare or with a slash) or ask it. A command or an answer that fails prints
one line and the prompt comes back with the conversation intact; Ctrl+C stops an answer, Ctrl+C or Ctrl+D at
the prompt leaves. What it draws comes from chat/screens.py; the conversation is chat.session.ChatSession.
"""
from __future__ import annotations

import contextlib
import difflib
import time
from pathlib import Path

from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from chat import screens
from chat.screens import plural
from chat.text import clean_user_text, one_line, strip_escapes
from common.errors import UserError

COMMAND_NAMES = ("help", "info", "training", "save", "clear", "quit", "exit")
MAX_INPUT_ERRORS = 5  # unreadable lines in a row before the chat gives up on the terminal


def parse_command(line: str) -> tuple[str, str] | None:
    """('save', 'a.json') for a command line; ('unknown', word) for an unknown /command; None for a question.

    Bare words are commands only when they stand alone ('clear', not 'clear fluid from the ear?'),
    and bare `save` takes one path-like argument.
    """
    text = line.strip()
    word, _, arg = text.lstrip("/").partition(" ")
    word, arg = word.lower(), arg.strip()
    if text.startswith("/"):
        return (word, arg) if word in COMMAND_NAMES else ("unknown", word)
    if word in COMMAND_NAMES and (not arg or (word == "save" and " " not in arg and ("/" in arg or "." in arg))):
        return word, arg
    return None


class TerminalChat:
    """The Rich interface: welcome, prompt, streamed answers in a panel, commands."""

    def __init__(self, session, console, metadata_note: str = ""):
        self.session, self.console, self.metadata_note = session, console, metadata_note

    # -- the loop

    def run(self) -> int:
        self.console.print(screens.welcome_panel(self.session))
        input_errors = 0
        while True:
            try:
                line = self.console.input("[bold cyan]you ›[/] ")
                input_errors = 0
            except (KeyboardInterrupt, EOFError):
                self.console.print("\nGoodbye.")
                return 0
            except Exception as exc:  # e.g. bytes that are not UTF-8: the line is lost, the chat is not
                input_errors += 1
                self.console.print(Text(f"Could not read that line ({type(exc).__name__}: {exc}); type it again.",
                                        style="red"))
                if input_errors >= MAX_INPUT_ERRORS:
                    raise UserError("the terminal input keeps failing; leaving") from None
                continue
            line = clean_user_text(line)
            if not line.strip():
                continue
            command = parse_command(line)
            try:
                if command is None:
                    self.answer(line.strip())
                elif not self.dispatch(*command):
                    self.console.print("Goodbye.")
                    return 0
            except KeyboardInterrupt:
                self.console.print("[yellow]Stopped.[/]")
            except Exception as exc:  # one command or one answer failed: say so in one line, keep the chat
                what = "answer" if command is None else command[0]
                self.console.print(Text(f"The {what} failed: {one_line(exc)}. The conversation is kept; "
                                        "try again or type `help`.", style="red"))

    def dispatch(self, name: str, arg: str) -> bool:
        """Run a command; False means leave."""
        if name in ("quit", "exit"):
            return False
        if name == "help":
            self.console.print(screens.commands_table())
            self.console.print(Text(screens.HELP_NOTE, style="dim"))
        elif name == "info":
            s = self.session
            slow = s._sha256 is None and not (s.metadata or {}).get("sha256")
            with self.console.status("Computing the model's sha256...") if slow else contextlib.nullcontext():
                table = screens.info_table(s, self.metadata_note)
            self.console.print(table)
        elif name == "training":
            meta = self.session.metadata
            for item in screens.training_tables(meta) if meta is not None else [Text(self.metadata_note, style="yellow")]:
                self.console.print(item)
        elif name == "save":
            self.save(arg)
        elif name == "clear":
            dropped = self.session.clear()
            self.console.print(f"Conversation cleared ({plural(dropped, 'turn')} forgotten); the next question "
                               "starts afresh.")
        else:
            close = difflib.get_close_matches(arg, COMMAND_NAMES, n=1)
            hint = f" Did you mean /{close[0]}?" if close else ""
            self.console.print(Text.assemble((f"Unknown command /{arg}.", "yellow"), f"{hint} Type ", ("help", "bold"),
                                             " for the commands."))
        return True

    # -- save

    def save(self, arg: str) -> None:
        """`save [path]`: asks before replacing a file; any failure is one line, and the session stays in memory."""
        target = arg
        try:
            target = self.session.save_target(arg or None)
            overwrite = False
            if target.exists() or target.is_symlink():
                if target.is_dir() or not target.is_file():
                    self.console.print(Text(f"{target} is not a file: nothing saved; try `save` with another path.",
                                            style="red"))
                    return
                reply = self.console.input(Text.assemble(f"{target} exists. Overwrite it? [y/N] ")).strip().lower()
                if reply not in ("y", "yes"):
                    self.console.print(f"Not saved; `save {Path(target).with_name('another-name.json')}` saves under "
                                       "another name.", markup=False)
                    return
                overwrite = True
            path = self.session.save(str(target), overwrite=overwrite)
        except (KeyboardInterrupt, EOFError):
            self.console.print("Not saved.")
            return
        except (ValueError, RuntimeError) as exc:  # a NUL in the path; ~user of no such user
            self.console.print(Text(f"Could not save to {arg!r}: {str(exc).rstrip('.')}. The session is still in "
                                    "memory.", style="red"))
            return
        except OSError as exc:
            reason = exc.strerror or str(exc)
            # the target or its folder; never the temporary file the write goes through
            where = exc.filename if exc.filename in (str(target), str(Path(target).parent)) else target
            self.console.print(Text.assemble((f"Could not save to {where}: {reason}.", "red"),
                                             " The session is still in memory: try `save` with another path."))
            return
        saved = plural(len(self.session.turns), "turn")
        self.console.print(Text.assemble(f"Saved {saved} to ", (str(path), "bold"), "."))

    # -- answers

    def answer(self, question: str) -> dict | None:
        """Ask, showing the emergency notice first, then the answer streaming in a panel and a stats line."""
        s = self.session
        try:
            prep = s.prepare(question)
        except UserError as exc:
            self.console.print(Text(str(exc), style="red"))
            return None
        if prep.red_flags:
            self.console.print(screens.emergency_panel(s.cfg.emergency_notice))
        if prep.trimmed:
            self.console.print(f"[yellow]Context full: forgot the oldest {plural(prep.trimmed, 'turn')} to fit "
                               f"{s.n_ctx} tokens.[/]")
        text = Text()
        panel = Panel(text, title="[bold cyan]MedLLM[/]", title_align="left", border_style="cyan")
        last_refresh = 0.0
        with Live(panel, console=self.console, auto_refresh=False, vertical_overflow="visible") as live:

            def on_text(piece: str) -> None:
                nonlocal last_refresh
                text.append(strip_escapes(piece))  # the model's text cannot drive the terminal either
                now = time.perf_counter()
                if now - last_refresh > 0.08:  # ~12 frames/s: smooth, and cheap next to decoding
                    live.refresh()
                    last_refresh = now

            turn = s.generate(prep, on_text)
            if not turn["response"].strip():
                text.append("(no answer)", style="dim")
            if turn["interrupted"]:
                text.append(" [stopped]", style="yellow")
            if turn["disclaimer_added"]:
                text.append("\n\n" + (s.cfg.disclaimer if turn["n"] == 1 else s.cfg.disclaimer_short),
                            style="dim italic")
            live.refresh()
        self.console.print(Text(screens.stats_line(turn), style="dim"))
        return turn
