"""MkDocs hook: on an exercise page, each solution is collapsed until the reader opens it.

An exercise set's page is its notebook, rendered by mkdocs-jupyter (``hooks/chapters.py``
writes it). Its cells are the direct children of ``div.jp-Notebook``, in this order for every
exercise (``snippets/exercises-*.py``, see "Exercises" in docs/how-it-works.md):

- the statement: a text cell whose heading reads "Exercise N: ...", maybe more text cells;
- the solution: its code cell or cells (code, printed output, figures), then a text cell that
  starts "**What it shows.**", maybe more text cells, up to the next statement or the end.

The solution's cells are moved, as they are, into
``<details class="success exercise-solution"><summary>Solution to exercise N</summary>``,
which Material styles as a collapsible ``??? success`` admonition: native HTML, so it opens
with a click or with Enter on the focused summary, offline, with no script. Only the rendered
page changes: the notebook downloads (``downloads/*.ipynb``, ``*.py``) keep their solutions
in the open. A page whose cells are not in that order stops the build, naming the cell.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

import course  # noqa: I001  (beside this hook: MkDocs puts its folder on sys.path)
from snippet_engine import Project

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"Exercise (\d+):")
SHOWS = "What it shows."


def on_page_content(html: str, page, config, files) -> str:
    project = Project(ROOT)
    name = Path(page.file.src_uri).stem
    if not (page.file.src_uri.endswith(".ipynb")
            and name in course.exercise_sets(project)):
        return html
    expected = sorted(n for n, (where, _) in course.exercises(project).items()
                      if where == name)
    try:
        return collapse_solutions(html, expected)
    except ValueError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None


def _kind(cell) -> str:
    classes = cell.get("class") or []
    if "jp-MarkdownCell" in classes:
        return "text"
    if "jp-CodeCell" in classes:
        return "code"
    raise ValueError(f"an element that is not a notebook cell: <{cell.name} "
                     f"class={' '.join(classes)!r}>")


def _cell_name(cell) -> str:
    found = cell if cell.get("id") else cell.find(id=True)
    return (found.get("id") if found else "") or "(a cell without id)"


def _exercise(cell) -> int | None:
    """The number of the exercise that this text cell states, if it is a statement."""
    for heading in cell.find_all(re.compile("^h[1-6]$")):
        found = HEADING.match(heading.get_text().strip())
        if found:
            return int(found[1])
    return None


def collapse_solutions(html: str, expected: list[int]) -> str:
    """The page's HTML with each exercise's solution in a closed <details>; ``expected``:
    the exercise numbers the page must state, in order."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    notebooks = soup.select("div.jp-Notebook")
    if len(notebooks) != 1:
        raise ValueError(f"expected one notebook (div.jp-Notebook), found {len(notebooks)}")
    cells = notebooks[0].find_all(recursive=False)
    kinds = [_kind(cell) for cell in cells]
    starts = [at for at, (cell, kind) in enumerate(zip(cells, kinds))
              if kind == "text" and _exercise(cell) is not None]
    numbers = [_exercise(cells[at]) for at in starts]
    if numbers != expected:
        raise ValueError(f"the page states exercises {numbers}, its script {expected}")
    if any(kind == "code" for kind in kinds[:starts[0] if starts else len(cells)]):
        raise ValueError("a code cell before the first exercise's statement: which "
                         "exercise's solution is it?")
    for number, start, end in zip(numbers, starts, starts[1:] + [len(cells)]):
        where = f"exercise {number} ({_cell_name(cells[start])})"
        part = kinds[start + 1:end]
        if "code" not in part:
            raise ValueError(f"{where}: no code cell after its statement")
        first = start + 1 + part.index("code")  # statement text cells stay visible
        after = first + next((i for i, k in enumerate(kinds[first:end]) if k != "code"),
                             end - first)
        if after == end or not cells[after].get_text().strip().startswith(SHOWS):
            raise ValueError(f"{where}: its code cells must be followed by a text cell "
                             f'starting "**{SHOWS}**"')
        for cell, kind in zip(cells[after:end], kinds[after:end]):
            if kind == "code":
                raise ValueError(f"{where}: code cell {_cell_name(cell)} after "
                                 f'"{SHOWS}": whose solution is it?')
            if cell.find(re.compile("^h[1-6]$")):
                raise ValueError(f"{where}: text cell {_cell_name(cell)} after "
                                 f'"{SHOWS}" has a heading that is not an exercise\'s')
        details = soup.new_tag("details", attrs={"class": "success exercise-solution"})
        summary = soup.new_tag("summary")
        summary.string = f"Solution to exercise {number}"
        details.append(summary)
        cells[first].insert_before(details)
        for cell in cells[first:end]:
            details.append(cell.extract())
    return str(soup)
