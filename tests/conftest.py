"""Shared fixtures: the project as it is, and the built site."""

import functools
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from site_support import PROJECT, ROOT

from snippet_engine import numerics

# the chapters' check runs in the background from the end of collection (its ``checks``
# fixture serves test_chapters.py)
pytest_plugins = ["chapter_check"]

# Tests that compute in this process (the draw app's network, say) use the machine code the
# chapters run with. Set before anything imports NumPy; chapter runs set their own.
for _name, _value in numerics.pinned_environment(PROJECT.config.threads).items():
    if _name not in numerics.THREAD_VARIABLES:
        os.environ.setdefault(_name, _value)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site as publishing builds it: `make site` (.github/workflows/pages.yml), which runs
    no chapter and stops on a stale one (test_chapters checks they are current), with this
    interpreter's tools."""
    site_dir = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        ["make", "--no-print-directory", "--old-file=.venv/installed", "site",
         f"SITE_DIR={site_dir}", f"BIN={Path(sys.executable).parent}"],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # the build ran no chapter (ENGINE_EXECUTE=never), and would have stopped on a stale one
    assert "ENGINE_EXECUTE=never" in result.stdout and " ran in " not in result.stderr
    assert not re.search(r"^(WARNING|ERROR)\s+-", result.stderr, re.M), result.stderr
    return site_dir


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(site):
    """The built site served on 127.0.0.1, as `mkdocs serve` or any static host would."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (`make browser` installs it), driven by Playwright: one for the
    session. Each test opens its own context (test_browser.Visit), so no state is shared."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_crawl(browser, site, site_url):
    """Every page of the site, visited once in the light and once in the dark scheme, with
    what the every-page checks of test_browser, test_code_fits and test_accessibility assert
    on (tests/site_crawl.py: a ``Crawl``), and a screenshot of each chapter's page. Imported
    here, not above: the engine's tests (tests/engine) run without a browser installed."""
    from course import page_url
    from site_crawl import crawl

    chapters = [f"{page_url(chapter, PROJECT)}index.html" for chapter in PROJECT.chapters()]
    return crawl(browser, site, site_url, screenshots=chapters)
