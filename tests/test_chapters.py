"""Every chapter script, run afresh once, gives exactly what its page shows.

One run per chapter proves three things (see snippet_engine/check.py): the frozen outputs
are current (text and integers exact, floats within the tolerance, figures byte for byte),
the run is deterministic (the frozen outputs came from an earlier run), and the `.py`
download runs on its own: the engine runs it in a fresh process, in a folder holding only
what the page offers for download and data/mnist.npz. The `.ipynb` download is executed too,
as soon as its chapter has run, in a worker beside the chapters' (its models are cached by
then), and must print what the page shows.
"""

import pytest

from site_support import PROJECT
from snippet_engine import check_chapters

CHAPTERS = PROJECT.chapters()


@pytest.fixture(scope="session")
def checks() -> dict[str, list[str]]:
    """Every chapter's problems, from one parallel run of them all (and their notebooks)."""
    return check_chapters(PROJECT, CHAPTERS, notebooks=True)


def test_there_are_chapters():
    assert "meet-mnist" in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_frozen_outputs_match_a_fresh_run_of_the_download(checks, chapter):
    problems = [p for p in checks[chapter] if not p.startswith(f"{chapter}.ipynb")]
    assert not problems, "\n".join(problems) + "\nRun `make outputs` if the change is intended."


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_download_runs_and_prints_what_the_page_shows(checks, chapter):
    problems = [p for p in checks[chapter] if p.startswith(f"{chapter}.ipynb")]
    assert not problems, "\n".join(problems)
