"""The terminal chat on llama.cpp: loading and verifying the exported GGUF, the conversation, the session record,
the screens, and the red-flag rules that put an emergency notice before an answer."""
