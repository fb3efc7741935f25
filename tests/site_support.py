"""The site's own project, for the tests that check it (not the engine's fixture project).

A module of its own because two conftest.py files (tests/ and tests/engine/) share the
module name ``conftest``: importing from one would give whichever pytest loaded last.
"""

from pathlib import Path

from snippet_engine import Project

ROOT = Path(__file__).resolve().parent.parent
PROJECT = Project(ROOT)
