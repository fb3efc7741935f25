"""Every chapter script, run afresh once, gives exactly what its page shows.

One run per chapter proves three things (see snippet_engine/check.py): the frozen outputs
are current (text and integers exact, floats within the tolerance, figures byte for byte;
a network chapter run where a pin did not take, within the machine tolerances: see How this
site works), the run is deterministic (the frozen outputs came from an earlier run), and the
`.py` download runs on its own: the engine runs it in a fresh process, in a folder holding only
what the page offers for download and data/mnist.npz. The `.ipynb` download is executed too,
as soon as its chapter has run, in a worker beside the chapters' (its models are cached by
then), and must print what the page shows.

That one check of every selected chapter starts as soon as pytest has collected the tests,
in a process of its own beside the other tests (tests/chapter_check.py: the ``checks``
fixture, each chapter's problems).
"""

import pytest

from site_support import PROJECT

CHAPTERS = PROJECT.chapters()


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
