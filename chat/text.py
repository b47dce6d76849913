"""What the chat lets through to the model and to the terminal: no terminal escapes, no forged turns.

Typed or pasted text loses terminal escape sequences and control characters (so it cannot clear the screen,
retitle the window or move the cursor when echoed), and chat-template control tokens in it (`<|im_start|>`,
`<|eot_id|>`, `[INST]`, ...) are neutralised, so they cannot forge a system or assistant turn. The model's
own text is stripped of escapes before it is drawn.
"""
from __future__ import annotations

import re

# Terminal escape sequences (CSI, OSC, DCS/PM/APC strings, two-byte ESC sequences) and the other control
# characters (C0 but tab and newline, DEL, C1): typed or pasted text is stored and echoed without them.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"                        # CSI ... final byte (colours, cursor moves, clears)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"           # OSC ... BEL or ST (window titles, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"                  # DCS / SOS / PM / APC ... ST
    r"|\x1b[ -/]*[0-~]?"                               # other ESC sequences, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"                          # 8-bit CSI
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"                    # the remaining control characters
)
# Chat-template control tokens: <|im_start|>, <|eot_id|>, <|start_header_id|>, <s>, </s>, [INST], <<SYS>>,
# <start_of_turn>, ... Typed by a user they would be read as special tokens and could forge a system or
# assistant turn; a zero-width joiner after the first character keeps them visible but plain text.
_CONTROL_TOKENS = re.compile(
    r"<\|[^<>|\n]{0,40}\|>|<｜[^<>｜\n]{0,40}｜>|</?s>|\[/?INST\]|<</?SYS>>|\[/?(?:SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS)\]"
    r"|</?(?:bos|eos|unk|pad|start_of_turn|end_of_turn|eot|sep|cls|mask)>",
    re.IGNORECASE,
)
ZWJ = "\u2060"  # WORD JOINER: invisible, and no tokenizer's special-token match spans it


def strip_escapes(text: str) -> str:
    """text without terminal escape sequences or control characters (tab and newline stay)."""
    return _ESCAPES.sub("", text)


SURROGATES = re.compile("[\ud800-\udfff]")  # bytes that were not UTF-8, as Python decodes them for argv and ttys


def clean_user_text(text: str) -> str:
    """User text without terminal escapes or control characters, with chat control tokens neutralised and bytes
    that were not UTF-8 shown as U+FFFD (they could not be encoded for the model or a saved session)."""
    text = SURROGATES.sub("\ufffd", strip_escapes(text.replace("\r\n", "\n")))
    return _CONTROL_TOKENS.sub(lambda m: m.group(0)[0] + ZWJ + m.group(0)[1:], text)


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as one short printable line (for the chat's 'The answer failed: ...')."""
    text = strip_escapes(" ".join(str(exc).split())) or type(exc).__name__
    return (text[:limit] + "...") if len(text) > limit else text
