"""Each chapter's downloads, the .py script and the .ipynb notebook, run on their own.

They run in an empty folder holding only what the page tells a reader to download, plus
data/mnist.npz. Models come from the project's model cache (test_chapters has filled it), so
this checks the downloads, not the fits again.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import snippet_engine as engine

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = engine.Project().chapters()


def reader_folder(tmp_path: Path, chapter: str) -> Path:
    """A folder as a reader would set it up from the chapter page's download links."""
    embed = engine._Embedder(chapter, engine.read_manifest(chapter), lambda uri: uri)
    for name in [f"{chapter}.py", *embed.helpers]:
        shutil.copy(ROOT / "snippets" / name, tmp_path / name)
    (tmp_path / f"{chapter}.ipynb").write_text(engine.notebook(chapter))
    for name in embed.model_files:  # the network, for the chapters that run it
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mnist.npz").symlink_to(ROOT / "data" / "mnist.npz")
    return tmp_path


def environment(**extra):
    import os

    return dict(os.environ, MPLBACKEND="Agg", MODEL_CACHE=str(ROOT / ".cache" / "models"),
                **extra)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_script_download_runs_standalone(tmp_path, chapter):
    folder = reader_folder(tmp_path, chapter)
    result = subprocess.run([sys.executable, f"{chapter}.py"], cwd=folder, env=environment(),
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]


def shortened(text: str) -> str:
    """Warnings name files by absolute path in a notebook; the frozen text by package path."""
    return re.sub(r"\S*/site-packages/", "", text)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_download_runs_and_prints_what_the_page_shows(tmp_path, chapter, monkeypatch):
    folder = reader_folder(tmp_path, chapter)
    monkeypatch.setenv("MODEL_CACHE", environment()["MODEL_CACHE"])
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend shows figures
    book = nbformat.read(folder / f"{chapter}.ipynb", as_version=4)
    frozen = {s["name"]: s for s in engine.read_manifest(chapter)["sections"]}
    NotebookClient(book, timeout=1200, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    for cell in (c for c in book.cells if c.cell_type == "code"):  # text cells have no output
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        # A kernel sends stdout and stderr (warnings) as separate streams, so their lines may
        # interleave differently than in the terminal the page shows: compare them unordered.
        assert sorted(shortened(printed).splitlines()) == \
            sorted(frozen[cell.id]["stdout"].splitlines()), f"{chapter}: cell {cell.id}"
        figures = [o for o in cell.outputs if o.output_type == "display_data"]
        assert len(figures) == len(frozen[cell.id]["figures"]), f"{chapter}: cell {cell.id}"
