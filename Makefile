# supportbot: `make run` sets everything up and runs the bot; `make test` sets up and tests.
# Every target is idempotent: a second run reuses the venvs and the cached model.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON311 ?= $(shell for p in "$$(command -v python3.11)" $$(ls -d $(HOME)/.pyenv/versions/3.11.*/bin/python3.11 2>/dev/null | sort -V -r); do \
	[ -n "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: setup run test lint typecheck unit browser mailserver clean messages

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON311)" ]; then echo "supportbot: no Python 3.11 found: looked for python3.11 on PATH and in ~/.pyenv/versions/3.11.*; install one (e.g. pyenv install 3.11) and run make again." >&2; exit 1; fi
	@echo "[setup] app venv $(VENV) with $(PYTHON311)"
	@$(PYTHON311) -m venv $(VENV)
	@$(BIN)/pip install --disable-pip-version-check -q --upgrade pip
	@echo "[setup] installing the app and its dev tools"
	@$(BIN)/pip install --disable-pip-version-check --progress-bar on -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)
	@$(BIN)/supportbot setup

run: setup
	@$(BIN)/supportbot run

lint: $(STAMP)
	@echo "[test] ruff"
	@$(BIN)/ruff check bot nlu channels actions console wiring cli tests bench

typecheck: $(STAMP)
	@echo "[test] mypy --strict"
	@$(BIN)/mypy

# The browser tests drive Debian's Chromium (playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { echo "[setup] installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		{ $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
		  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; } || \
		{ echo "supportbot: could not install chromium with apt-get; install Debian's chromium package and run make again." >&2; exit 1; }; }
	@[ -f tests/browser/node_modules/axe-core/axe.min.js ] || { echo "[setup] installing axe-core for the accessibility checks"; \
		command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
			$$SUDO apt-get install -y -q npm >/dev/null 2>&1 || \
			{ echo "supportbot: could not install npm with apt-get (needed for axe-core); install Debian's npm package and run make again." >&2; exit 1; }; }; \
		npm ci --prefix tests/browser --no-audit --no-fund --silent; }

# The e-mail tests run Debian's Dovecot (IMAP, and LMTP to deliver into its mailboxes).
mailserver:
	@{ command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/lmtp ]; } || { echo "[setup] installing Debian's dovecot for the e-mail tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		{ $$SUDO apt-get install -y -q dovecot-imapd dovecot-lmtpd >/dev/null 2>&1 || \
		  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q dovecot-imapd dovecot-lmtpd >/dev/null; }; } || \
		{ echo "supportbot: could not install dovecot with apt-get; install Debian's dovecot-imapd and dovecot-lmtpd and run make again." >&2; exit 1; }; }

unit: setup browser mailserver
	@echo "[test] pytest"
	@$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# The console's message catalogues: extract the texts of templates, scripts and views and
# merge them into console/locale/{nl,de}/LC_MESSAGES/console.po (translate, then commit).
messages: $(STAMP)
	@$(BIN)/pybabel extract -F console/babel.cfg -k N_ -k translate:2 -k t -k tn:1,2 -k count:1,2 -k of:2,3 -k DeskError \
		--no-wrap --sort-by-file -o console/locale/console.pot .
	@for lang in nl de; do \
		if [ -f console/locale/$$lang/LC_MESSAGES/console.po ]; then \
			$(BIN)/pybabel update --no-wrap -D console -i console/locale/console.pot -d console/locale -l $$lang; \
		else $(BIN)/pybabel init --no-wrap -D console -i console/locale/console.pot -d console/locale -l $$lang; fi; \
	done
