"""Every chapter script, run afresh, gives exactly what its page shows."""

import pytest

from snippet_engine import Project, check_chapter

CHAPTERS = Project().chapters()


def test_there_are_chapters():
    assert "meet-mnist" in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_frozen_outputs_match_a_fresh_run(chapter):
    problems = check_chapter(chapter)
    assert not problems, "\n".join(problems) + "\nRun `make outputs` if the change is intended."
