# SEP Portal. `make run` serves the demo portal; `make test` runs the whole suite.
# Both start from nothing: they create .venv and install what they need.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := SEP_ENV=development $(BIN)/flask --app wsgi
PO     := $(wildcard sep_portal/translations/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)

.PHONY: run test lint translations extract-messages clean

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

run: $(VENV)/.installed-app translations
	$(FLASK) sep db upgrade
	$(FLASK) sep demo load
	$(FLASK) sep demo show
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-test translations
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check sep_portal tests migrations config.py wsgi.py

extract-messages: $(VENV)/.installed-app
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project "SEP Portal" -o sep_portal/translations/messages.pot .
	$(BIN)/pybabel update -i sep_portal/translations/messages.pot -d sep_portal/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance .pytest_cache
