# Two entry points (see README.md): `make serve` and `make test`. Both create .venv from
# requirements.lock first, so a fresh clone gets the versions that made the frozen outputs.

VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve build site offline test outputs benchmark lock browser app

$(VENV)/installed: pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[test,deep,app]"
	touch $@

serve: $(VENV)/installed  ## run stale chapters, serve the site on http://127.0.0.1:8000
	$(BIN)/mkdocs serve

# Each build writes a fresh folder, FOLDER.partial, and only a build that succeeded replaces
# FOLDER with it: MkDocs empties its site folder before writing, so a broken edit would
# otherwise take down the last good site (a failed build's folder stays, for a look).
BUILD_INTO = rm -rf $(1).partial && $(2) --site-dir $(1).partial && \
	rm -rf $(1).old && { [ ! -e $(1) ] || mv $(1) $(1).old; } && mv $(1).partial $(1) && \
	rm -rf $(1).old

build: $(VENV)/installed  ## run stale chapters, build the site into site/
	$(call BUILD_INTO,site,$(BIN)/mkdocs build --strict)

# What publishing runs (.github/workflows/pages.yml), and the tests' site fixture too: no
# chapter runs; a stale one stops the build, named (run `make outputs`, commit, push).
SITE_DIR ?= site
site: $(VENV)/installed  ## the published site from the frozen outputs alone, into $(SITE_DIR)/
	$(call BUILD_INTO,$(SITE_DIR),ENGINE_EXECUTE=never $(BIN)/mkdocs build --strict)

# The offline copy: the same site built for reading from disk (file://) with Material's
# offline plugin (OFFLINE=true; mkdocs.yml), into $(OFFLINE_DIR)/, then zipped under that
# folder's name. Like `site`, it runs no chapter. shutil deflates (python -m zipfile stores).
OFFLINE_DIR ?= dist/learning-from-digits-offline
OFFLINE_ZIP ?= dist/learning-from-digits-offline.zip
ZIP_FOLDER = import os, shutil, sys; zip, folder = sys.argv[1:]; \
	shutil.make_archive(zip.removesuffix(".zip"), "zip", *os.path.split(folder)); \
	print(f"{zip}: {os.path.getsize(zip) / 1e6:.1f} MB")
offline: $(VENV)/installed  ## the site to read from disk, zipped: $(OFFLINE_ZIP)
	$(call BUILD_INTO,$(OFFLINE_DIR),OFFLINE=true ENGINE_EXECUTE=never $(BIN)/mkdocs build --strict)
	$(BIN)/python -c '$(ZIP_FOLDER)' $(OFFLINE_ZIP) $(OFFLINE_DIR)

test: $(VENV)/installed browser  ## re-run every chapter and compare; build; browser checks
	$(BIN)/pytest

# The draw-a-digit app for more than one user, under waitress (a production WSGI server, not
# Flask's own). 127.0.0.1 by default; APP_LISTEN=0.0.0.0:5000 lets other computers reach it.
# Bodies are read 64 kB at a time (waitress's default is 8 kB): a 10 MB one costs less to
# refuse. Slow or idle clients: up to 500 connections (waitress's default, 100, let 100 idle
# ones lock everyone else out), each closed after 10 s without a byte either way, checked
# every 5 s (the defaults: 120 s, every 30 s). tests/test_draw_load.py starts the app with
# this recipe, loads it, and holds 150 idle connections open beside real requests.
APP_LISTEN ?= 127.0.0.1:5000
app: $(VENV)/installed  ## serve the draw-a-digit app on http://$(APP_LISTEN), for many users
	PYTHONPATH=snippets $(BIN)/waitress-serve --listen=$(APP_LISTEN) --recv-bytes=65536 \
		--connection-limit=500 --channel-timeout=10 --cleanup-interval=5 \
		--call draw_app:create_app

browser:  ## the browser tests drive Debian's chromium (playwright cannot download one here)
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

# One worker: the leaderboard's fit and predict seconds are then measured with no other
# chapter beside them (builds and tests run chapters side by side; no number but a time
# depends on it). Every section runs (--fresh: none is restored from a checkpoint), so every
# fit and prediction is timed again.
outputs: $(VENV)/installed  ## re-run every chapter and freeze its outputs
	$(BIN)/python -m snippet_engine --all --fresh --jobs 1

benchmark: $(VENV)/installed  ## time a no-op build against a build with execution off
	$(BIN)/python scripts/benchmark.py

lock:  ## after changing dependencies: re-resolve and pin (then re-run `make outputs`)
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[test,deep,app]"
	(echo "# Exact versions that made the frozen outputs. Regenerate with: make lock"; \
	 $(BIN)/python -m pip freeze --exclude-editable | grep -v "^-e ") > requirements.lock
	touch $(VENV)/installed
