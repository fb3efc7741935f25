"""The "Run this chapter yourself" box: after a page's introduction, the exact versions to
install, the data file and how to make it, and no project module in the reader's code."""

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup

from course import exercise_sets, page_url
from site_content import MAKE_DATA
from site_support import PROJECT
from snippet_engine import reader_helpers

ROOT = Path(__file__).resolve().parent.parent


def run_box(site: Path, chapter: str):
    article = BeautifulSoup((site / page_url(chapter, PROJECT) / "index.html").read_text(),
                            "html.parser").select_one("article")
    boxes = [box for box in article.select("details.info")
             if "yourself" in box.summary.get_text()]
    assert len(boxes) == 1, f"{chapter}: one collapsed 'Run ... yourself' box"
    return article, boxes[0]


@pytest.mark.parametrize("chapter", PROJECT.chapters())
def test_the_run_box_comes_after_the_introduction_before_the_first_section(site, chapter):
    article, box = run_box(site, chapter)
    assert "open" not in box.attrs, f"{chapter}: the box starts collapsed"
    headings = article.find_all(["h1", "h2"])
    first_h2 = next((h for h in headings if h.name == "h2"), None)
    assert headings[0].name == "h1" and box in headings[0].find_all_next("details")
    if first_h2 is not None:
        assert first_h2 in box.find_all_next("h2"), f"{chapter}: the box, then the sections"
        code_before = box.find_all_previous("div", class_="highlight")
        assert not [c for c in code_before if article in c.parents], \
            f"{chapter}: no code block before the box"


@pytest.mark.parametrize("chapter", PROJECT.chapters())
def test_the_run_box_installs_exactly_the_locked_versions(site, chapter):
    lock = {name.lower(): version for name, version in re.findall(
        r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)}
    _, box = run_box(site, chapter)
    line = next(code.get_text() for code in box.select("code")
                if code.get_text().startswith("pip install "))
    pins = dict(re.findall(r"(\S+)==(\S+)", line))
    assert {"numpy", "scikit-learn", "matplotlib"} <= pins.keys(), (chapter, line)
    assert all(lock[name] == version for name, version in pins.items()), (chapter, line)
    if any(v.endswith("+cpu") for v in pins.values()):  # PyTorch's CPU builds: its index
        assert line.rstrip().endswith("--extra-index-url https://download.pytorch.org/whl/cpu"), \
            line


def test_the_data_file_is_published_and_the_recipe_from_openml_makes_the_same_arrays(
        site, tmp_path, monkeypatch):
    """The box's recipe, run with fetch_openml answering as OpenML does (the 70,000 rows as
    64-bit floats, the labels as strings: this machine has no network), writes the very
    arrays of the published file."""
    data = ROOT / "data" / "mnist.npz"
    assert (site / "downloads" / "mnist.npz").read_bytes() == data.read_bytes()
    with np.load(data) as mnist:
        arrays = {key: mnist[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    openml_X = np.concatenate([arrays["x_train"], arrays["x_test"]]).reshape(-1, 784)
    openml_y = np.concatenate([arrays["y_train"], arrays["y_test"]]).astype(str)

    def fetch_openml(name, *, version, as_frame, return_X_y, parser):
        # the pinned pandas breaks the default parser on numeric labels: liac-arff
        assert (name, version, as_frame, return_X_y, parser) == (
            "mnist_784", 1, False, True, "liac-arff")
        return openml_X.astype(np.float64), openml_y.astype(object)

    datasets = types.ModuleType("sklearn.datasets")
    datasets.fetch_openml = fetch_openml
    monkeypatch.setitem(sys.modules, "sklearn.datasets", datasets)
    monkeypatch.chdir(tmp_path)
    exec(MAKE_DATA, {})
    with np.load(tmp_path / "data" / "mnist.npz") as made:
        for key, array in arrays.items():
            assert made[key].dtype == array.dtype and np.array_equal(made[key], array), key


def test_pages_that_read_the_data_say_where_it_comes_from(site):
    told = set()
    for chapter in PROJECT.chapters():
        _, box = run_box(site, chapter)
        links = {a["href"].rsplit("/", 1)[-1] for a in box.select("a[href]")}
        if "data/mnist.npz" in (site / "downloads" / f"{chapter}.py").read_text():
            assert "mnist.npz" in links and "fetch_openml" in box.get_text(), chapter
            told.add(chapter)
    assert len(told) >= 10


@pytest.mark.parametrize("chapter", PROJECT.chapters())
def test_the_reader_code_imports_no_project_module(site, chapter):
    """What a reader copies runs without this project: no helper of snippets/ in the
    download, and the box asks for no thread variable (the first block sets threads)."""
    assert reader_helpers(chapter, PROJECT) == [], chapter
    _, box = run_box(site, chapter)
    text = box.get_text()
    assert "NUM_THREADS" not in text and "in the same folder" not in text, chapter
    script = (site / "downloads" / f"{chapter}.py").read_text()
    for module in ("mnist_data", "leaderboard", "published", "contrast"):
        assert f"{module}.py" not in script and f"import {module}" not in script, \
            (chapter, module)


@pytest.mark.parametrize("chapter", [c for c in PROJECT.chapters()
                                     if c not in exercise_sets(PROJECT)])
def test_copying_every_block_of_a_page_in_order_gives_its_download(site, chapter):
    """The page's code blocks, in the order a reader meets them, are the download's sections
    in order, each exactly once, so that a reader who copies them all runs the script the
    tests ran. (Blocks of other files, such as a helper shown whole, are not the chapter's.)"""
    from snippet_engine import parse_sections

    article = BeautifulSoup((site / page_url(chapter, PROJECT) / "index.html").read_text(),
                            "html.parser").select_one("article")
    prefix = f"{chapter}.py › "
    blocks = [(title.get_text()[len(prefix):], title.find_next("code").get_text())
              for title in article.select("div.highlight > span.filename")
              if title.get_text().startswith(prefix)]
    sections = [s for s in parse_sections(site / "downloads" / f"{chapter}.py")]
    assert [name for name, _ in blocks] == [s.name for s in sections], chapter
    for (name, shown), section in zip(blocks, sections):
        assert shown.rstrip("\n") == section.code.rstrip("\n"), (chapter, name)


@pytest.mark.parametrize("chapter", sorted(
    set(PROJECT.chapters()) - set(exercise_sets(PROJECT))))
def test_every_table_a_page_shows_is_one_its_code_prints(chapter):
    """What a page shows, a reader who copies its blocks sees: a chapter page embeds its
    tables as printed output (``output(...)``), which the download run compares, never as a
    site-rendered ``table(...)`` of a value the reader's code does not print. (An exercise
    page is its notebook, made from the script: it shows only what the code displays.)"""
    from course import page_of

    source = (ROOT / "docs" / page_of(chapter, PROJECT)).read_text()
    tables = re.findall(r"\{\{\s*table\(\s*\"([^\"]+)\"", source)
    assert not tables, (f"{chapter} shows {tables} with table(): print them in the code "
                        "and embed the output instead")
