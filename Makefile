# SEP Portal. `make run` serves the demo portal; `make test` runs the whole suite.
# Both start from nothing: they create .venv and install what they need.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := SEP_ENV=development $(BIN)/flask --app wsgi
PO     := $(wildcard sep_portal/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test lint translations extract-messages clean system-libs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-app
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

%.mo: %.po $(VENV)/.installed-app
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO)

# WeasyPrint (letters as PDF) needs Debian's pango and a serif font. Installed when missing and
# we may (root with apt-get); otherwise the command to run is printed.
PANGO_PKGS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
system-libs:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $(PANGO_PKGS) for WeasyPrint"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -qq $(PANGO_PKGS) >/dev/null 2>&1 || \
	      { apt-get update -qq && apt-get install -y -qq $(PANGO_PKGS); }; \
	  else \
	    echo "WeasyPrint needs the pango libraries: sudo apt-get install $(PANGO_PKGS)" >&2; exit 1; \
	  fi; \
	fi

run: system-libs $(VENV)/.installed-app translations
	$(FLASK) sep db upgrade
	$(FLASK) sep demo load
	$(FLASK) sep demo show
	$(FLASK) run --host 127.0.0.1 --port 5000

test: system-libs $(VENV)/.installed-test translations
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check sep_portal tests migrations bench config.py wsgi.py

# pybabel skips every folder whose name starts with "_" unless told otherwise: templates/_macros
# holds shared messages, so only hidden folders and caches are ignored (as in tests/test_translations.py).
extract-messages: $(VENV)/.installed-app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__' --project "SEP Portal" -o sep_portal/translations/messages.pot .
	$(BIN)/pybabel update -i sep_portal/translations/messages.pot -d sep_portal/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance .pytest_cache
