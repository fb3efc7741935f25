"""The chapters' check, started in the background as soon as the tests are collected.

Running every chapter and its notebook afresh (test_chapters.py) is the longest job of a
test session: two chapters and a notebook at a time, about 1.6 cores' worth when it runs
alone, while the browser, site and engine tests need a core in bursts. So, once pytest knows
which chapter tests it will run, this plugin starts
``python -m snippet_engine --verify [--notebooks] --report ... <chapters>`` as a separate
process and lets the other tests run beside it; the chapter tests, moved to the end of the
session, wait for its report (the ``checks`` fixture).
Nothing a chapter computes depends on what runs beside it (the engine pins every thread
count), so the comparison is the same as a check run alone; only the timings the engine
logs grow. The check runs at niceness 15: the other tests wait on a browser, a server or a
small chapter in turn and need a core in bursts, so they get it at once (Chromium runs a
page it takes for hidden at niceness 5), and the check, which can use both cores, takes
all the time they leave (its chapters' tests come last anyway).

Its log goes to test-artifacts/chapter-check.log; if the session ends first (``-x``, an
interrupt), the check and its worker processes are stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from site_support import ROOT

LOG = ROOT / "test-artifacts" / "chapter-check.log"
NOTEBOOK_TEST = "test_notebook_download_runs_and_prints_what_the_page_shows"


class BackgroundCheck:
    """One ``snippet_engine --verify`` process and the report it leaves."""

    def __init__(self, chapters: list[str], notebooks: bool):
        self.chapters = chapters
        self.folder = tempfile.TemporaryDirectory(prefix="chapter-check-")
        self.report = Path(self.folder.name) / "report.json"
        LOG.parent.mkdir(exist_ok=True)
        command = ["nice", "-n", "15", sys.executable, "-m", "snippet_engine", "--verify",
                   "--root", str(ROOT), "--report", str(self.report),
                   *(["--notebooks"] if notebooks else []), *chapters]
        with LOG.open("w") as log:
            # a session of its own, so that stop() reaches the workers it starts too
            self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def problems(self) -> dict[str, list[str]]:
        """Wait for the check; each chapter's problems (empty when it matches)."""
        code = self.process.wait()
        if not self.report.exists():
            tail = "".join(LOG.read_text(errors="replace").splitlines(True)[-40:])
            pytest.fail(f"the chapters' check stopped with exit code {code} and no report "
                        f"({LOG.relative_to(ROOT)}); its last lines:\n{tail}", pytrace=False)
        found = json.loads(self.report.read_text())
        missing = set(self.chapters) - set(found)
        assert not missing, f"the check reported nothing on {sorted(missing)}"
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.folder.cleanup()


CHECK = pytest.StashKey[BackgroundCheck]()


def selected(items) -> tuple[list[str], bool]:
    """The chapters whose tests will run, and whether a notebook test is among them."""
    chapters, notebooks = [], False
    for item in items:
        if "checks" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec"):
            chapter = item.callspec.params["chapter"]
            if chapter not in chapters:
                chapters.append(chapter)
            notebooks = notebooks or item.originalname == NOTEBOOK_TEST
    return chapters, notebooks


def pytest_collection_modifyitems(items):
    # The chapter tests wait on the check: run them last, so that every other test runs
    # beside it first. Just before them, the tests of the session's crawl of the site
    # (site_crawl.py), whose two browser tabs keep both cores busy: they take up the cores
    # the check leaves as it ends, where the tests that wait on one process at a time would
    # leave one idle. A stable sort keeps each group's order.
    def group(item):
        fixtures = getattr(item, "fixturenames", ())
        return "checks" in fixtures, "site_crawl" in fixtures

    items.sort(key=group)


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    chapters, notebooks = selected(session.items)
    if chapters:
        session.config.stash[CHECK] = BackgroundCheck(chapters, notebooks)


def pytest_unconfigure(config):
    check = config.stash.get(CHECK, None)
    if check is not None:
        check.stop()


@pytest.fixture(scope="session")
def checks(pytestconfig) -> dict[str, list[str]]:
    """Every selected chapter's problems, from the one check started after collection."""
    check = pytestconfig.stash.get(CHECK, None)
    if check is None:
        pytest.fail("the chapters' check was not started: run these tests through pytest's "
                    "collection (tests/chapter_check.py)", pytrace=False)
    return check.problems()
