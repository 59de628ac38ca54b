# The commands of the README:
#   make write   the writer's preview: mkdocs serve with live reload and each page's kb check findings
#   make serve   set everything up, check the content, build the site and serve it on http://127.0.0.1:8000
#   make customer-site   the customer help centre (mkdocs.customer.yml) in site-customer/
#   make test    set up what the tests need (chromium, PostgreSQL) and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8000
export NO_MKDOCS_2_WARNING = 1

.PHONY: write serve site customer-site test lint setup setup-dev browser wordlists postgresql clean

serve: site
	@echo "Serving the knowledge base on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	$(BIN)/kb serve --port $(PORT)

# The writer's preview: live reload, and on each page a panel with its kb check findings (never built).
write: setup
	@echo "Writer's preview on http://127.0.0.1:$(PORT): each page shows its kb check findings; saving a file updates it (Ctrl-C to stop)"
	$(BIN)/mkdocs serve --livereload --dev-addr 127.0.0.1:$(PORT)

# Check first: an article that fails its checks never reaches the index a server may be answering from.
site: setup
	$(BIN)/kb check docs
	$(BIN)/kb index docs
	$(BIN)/mkdocs build --strict --quiet
	@echo "Site built in site/"

# The customer help centre from the same docs/: customer-visible articles only, no agent-only text, no desk.
customer-site: setup
	$(BIN)/kb check docs --no-findability
	$(BIN)/mkdocs build --strict --quiet -f mkdocs.customer.yml
	@echo "Customer help centre built in site-customer/"

test: setup-dev browser postgresql lint
	$(BIN)/python -m pytest

# Lint and type checks (configured in pyproject.toml); part of `make test`.
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

setup: $(VENV)/.installed $(VENV)/.model wordlists
setup-dev: $(VENV)/.installed-dev $(VENV)/.model wordlists

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kb needs Python 3.11 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The embedding model, fetched again whenever its pinned builds change (a no-op when the files are there).
$(VENV)/.model: $(VENV)/.installed kb_tools/semantic/store.py
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

# The shared activity log's tests start a real PostgreSQL server: Debian's, installed when missing.
postgresql:
	@bash scripts/install-postgresql.sh

clean:
	rm -rf site search_index/*/ $(VENV)
