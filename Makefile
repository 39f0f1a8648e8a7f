# The two commands a newcomer needs: `make run` and `make test`. Both create the virtual
# environment on first use and reinstall only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean docs

# A .venv left by a failed first try (an old Python, no venv module) is made again rather than
# reused; a Python that is too old stops here with one line saying what to do.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "studybot needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1 || echo missing)." \
		"Install one and run: make PYTHON=python3.11 run" >&2; exit 2; }
	@$(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) || { \
		echo "could not create .venv: install your Python's venv module (Debian/Ubuntu: sudo apt install python3-venv)" >&2; \
		rm -rf $(VENV); exit 2; }; }
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/studybot run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/python -m pytest -q

# The README's command table and console transcripts, from the code (tests/test_readme.py checks).
docs: $(STAMP)
	$(VENV)/bin/python -m bot.readme

clean:
	rm -rf $(VENV) build *.egg-info
