# The two commands of the README:
#   make serve   set everything up, check the content, build the site and serve it on http://127.0.0.1:8000
#   make test    set up what the tests need and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8000
export NO_MKDOCS_2_WARNING = 1

.PHONY: serve site test lint setup setup-dev browser wordlists clean

serve: site
	@echo "Serving the knowledge base on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/kb serve --port $(PORT)

site: setup
	$(BIN)/kb index docs
	$(BIN)/kb check docs --index search_index
	$(BIN)/mkdocs build --strict --quiet
	@echo "Site built in site/"

test: setup-dev browser lint
	$(BIN)/python -m pytest

# Lint and type checks (configured in pyproject.toml); part of `make test`.
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

setup: $(VENV)/.installed wordlists
setup-dev: $(VENV)/.installed-dev wordlists

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kb needs Python 3.11 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m kb_tools.semantic.fetch
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Spelling suggestions never correct a word of Debian's English word lists; install them when missing.
wordlists:
	@bash scripts/install-wordlists.sh

# Browser tests drive Debian's chromium; install it when missing (root, or passwordless sudo).
browser:
	@bash scripts/install-browser.sh

clean:
	rm -rf site search_index/*/ $(VENV)
