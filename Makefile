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

# The packaged app (PyInstaller, one folder): dist/crmdesk/crmdesk. PyInstaller goes into the
# venv here only (not a dependency of the app or of the tests).
$(BIN)/pyinstaller: | $(STAMP)
	$(BIN)/python -m pip install -q 'pyinstaller>=6.5'

dist: $(STAMP) $(BIN)/pyinstaller
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installer/crmdesk.spec
	@du -sh --apparent-size dist/crmdesk

# Builds the frozen app and runs its self-test (exit 0 only when every step passed).
dist-test: dist
	QT_QPA_PLATFORM=offscreen dist/crmdesk/crmdesk --self-test
	$(BIN)/python scripts/frozen_smoke.py dist/crmdesk/crmdesk  # every report, a backup, a real CSV import

clean:
	rm -rf $(VENV) demo build dist *.egg-info
