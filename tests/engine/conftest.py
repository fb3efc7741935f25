"""Shared fixtures for the engine's tests: the tiny project in fixture/, frozen once per
session, and a throwaway copy of it per test.

The fixture project (fixture/pyproject.toml) has three chapters that each run in about a
second: ``printing`` (printed text, values, a DataFrame, a timing), ``drawing`` (three
figures, one labelled with ``num=``) and ``helped`` (imports ``tiny_helper``, which reads a
helper-file and the data; writes ``models/made.json``, an export). Its outputs are not
committed: ``frozen`` runs ``refresh`` on a copy once, so no test depends on outputs that
another library version would make stale.
"""

from __future__ import annotations

import pytest
from engine_support import CHAPTERS, ENGINE_VARIABLES, FIXTURE, copy_project

from snippet_engine import Project, refresh

# The fixture's scripts are chapters, not tests (pytest-markdown-docs would import them).
collect_ignore = ["fixture"]

@pytest.fixture(autouse=True)
def _engine_environment(monkeypatch):
    for name in ENGINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def frozen(tmp_path_factory) -> Project:
    """The fixture project with its outputs frozen by one ``refresh``. Read it only."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ENGINE_VARIABLES:
            patch.delenv(name, raising=False)
        project = copy_project(FIXTURE, tmp_path_factory.mktemp("frozen") / "project")
        assert refresh(project, jobs=1) == CHAPTERS
    return Project(project.root)


@pytest.fixture
def project(frozen, tmp_path) -> Project:
    """A fresh copy of the frozen fixture project, to edit and run."""
    return copy_project(frozen.root, tmp_path / "project")
