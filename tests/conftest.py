"""Shared fixtures: the project as it is, and throwaway copies of it to break on purpose."""

import shutil
from pathlib import Path

import pytest

from snippet_engine import Project

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_copy(tmp_path) -> Project:
    """A copy of snippets/, outputs/ and data/ (linked, it is large) in a temporary folder."""
    shutil.copytree(ROOT / "snippets", tmp_path / "snippets",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "outputs", tmp_path / "outputs")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mnist.npz").symlink_to(ROOT / "data" / "mnist.npz")
    return Project(tmp_path)
