# crmdesk — the two commands of the README are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo/demo.db

.PHONY: run test screenshots bench lint clean demo venv dist dist-test

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,postgres]'
	touch $(STAMP)

$(DEMO_DB): | $(STAMP)
	mkdir -p $(dir $(DEMO_DB))
	$(BIN)/crmdesk --db $(DEMO_DB) demo

demo: $(DEMO_DB)

# Opens the app on the demo shop (log in as owner / demo). On Debian/Ubuntu the system
# libraries of Qt's window plugin and a CJK font are installed first when we may (root or sudo).
run: $(STAMP) $(DEMO_DB)
	-bash scripts/install-system-deps.sh --gui
	$(BIN)/crmdesk --db $(DEMO_DB)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 -q $(PYTEST_ARGS)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m crmdesk.ui.screenshots docs/screenshots

bench: $(STAMP)
	for script in bench/*_bench.py; do $(BIN)/python $$script || exit 1; done

# The packaged app (PyInstaller, one folder): dist/crmdesk/crmdesk, built in a venv of its own
# (.venv-dist: the app's dependencies, not the tests'). Its numpy is built from source without
# BLAS/LAPACK: the wheel's OpenBLAS (28 MiB) serves only linear algebra, which crmdesk never
# calls (numpy falls back to its own small LAPACK). The same numpy version as the test venv's;
# the wheel is kept in build/wheels, so only the first `make dist` compiles it (about 4 minutes).
DIST_VENV := .venv-dist
DIST_STAMP := $(DIST_VENV)/.installed
NUMPY_VERSION = $(shell $(BIN)/python -c 'import numpy; print(numpy.__version__)')
NUMPY_WHEELS := build/wheels

$(DIST_STAMP): pyproject.toml | $(STAMP)
	-bash scripts/install-system-deps.sh  # the compilers numpy's build needs, icupkg for slim_icu
	test -x $(DIST_VENV)/bin/python || $(PY) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install -q --upgrade pip
	ls $(NUMPY_WHEELS)/numpy-$(NUMPY_VERSION)-*.whl >/dev/null 2>&1 || \
	  $(DIST_VENV)/bin/python -m pip wheel -q --no-deps --no-binary numpy -w $(NUMPY_WHEELS) "numpy==$(NUMPY_VERSION)" \
	    -Csetup-args=-Dblas=none -Csetup-args=-Dlapack=none -Csetup-args=-Dallow-noblas=true
	$(DIST_VENV)/bin/python -m pip install -q --force-reinstall --no-deps $(NUMPY_WHEELS)/numpy-$(NUMPY_VERSION)-*.whl
	$(DIST_VENV)/bin/python -m pip install -q '.[postgres]' 'pyinstaller>=6.5'
	$(DIST_VENV)/bin/python -c 'import numpy; assert numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"] == "none"'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	$(DIST_VENV)/bin/python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installer/crmdesk.spec
	@du -sh --apparent-size dist/crmdesk

# Builds the frozen app and runs its self-test (exit 0 only when every step passed).
dist-test: dist
	QT_QPA_PLATFORM=offscreen dist/crmdesk/crmdesk --self-test
	$(BIN)/python scripts/frozen_smoke.py dist/crmdesk/crmdesk  # every report, a backup, a real CSV import

clean:
	rm -rf $(VENV) $(DIST_VENV) demo build dist *.egg-info
