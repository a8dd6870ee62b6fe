# nianbao — two commands do everything on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

.PHONY: install run test lint bench fuzz clean

install: $(STAMP)

$(STAMP): pyproject.toml
	bash .ci/system-packages
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,camelot,dask,ocr,pandas]'
	touch $(STAMP)

run: install
	rm -rf $(OUT) && mkdir -p $(OUT)
	$(BIN)/nianbao convert samples --recursive -o $(OUT) --summary
	@echo "reports written to $(OUT)/"

test: install
	$(BIN)/ruff check pipeline extractors tests
	$(BIN)/mypy
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check pipeline extractors tests
	$(BIN)/mypy

bench: install
	$(PY) tests/bench/run.py

fuzz: install
	$(PY) tests/fuzz/run_fuzz.py --cases 1000 --jobs 2

clean:
	rm -rf $(OUT) $(VENV) .pytest_cache .ruff_cache *.egg-info
