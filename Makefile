# layerwise: all set-up happens here, on a fresh clone with nothing installed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Pinned for the project's machines: a local CPU wheel (a newer torch pulls CUDA).
TORCH_SPEC ?= torch==2.13.0
# Tests and benchmarks share 2 cores: keep torch to the cores we have.
export OMP_NUM_THREADS ?= 2

.PHONY: demo test test-all bench lint clean

$(VENV)/.base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(TORCH_SPEC)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PY) -m pip install -q -e '.[test]' ruff
	touch $@

demo: $(VENV)/.base
	-$(PY) -c "import matplotlib" 2>/dev/null || $(PY) -m pip install -q matplotlib  # report figures
	$(PY) -m layerwise.cli demo

test: $(VENV)/.test
	KERAS_BACKEND=torch $(PY) -m pytest -q -m "not slow" tests

test-all: $(VENV)/.test
	KERAS_BACKEND=torch $(PY) -m pytest -q tests

# Own venv (.venv-bench: keras, jax, tensorflow-cpu, layerwise); ARGS=--quick etc.
bench:
	$(MAKE) -C benchmarks run PYTHON=$(PYTHON)

lint: $(VENV)/.test
	$(VENV)/bin/ruff check layerwise tests benchmarks examples
	$(PY) -m pytest -q -p no:cacheprovider tests/test_import_layering.py  # import-layering contract
	PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(VENV)/bin/pyright --pythonpath $(PY)  # types: [tool.pyright]

clean:
	rm -rf $(VENV) build *.egg-info
