"""A chapter script's parts: named sections, the text cells before them, its title.

A chapter is a script in jupytext's percent format, the cell syntax that Jupyter, VS Code and
Spyder read too: each section is a code cell titled with its name, and text cells are
``# %% [markdown]`` followed by ``#`` comment lines::

    # %% [markdown]
    # Ten digits, drawn.

    # %% first-ten
    fig, axes = plt.subplots(2, 5)

A section's code runs from the line after its title to the next cell; blank lines at its
end are left out, so that a page shows exactly the code that ran and nothing else. Section
names are lower-case letters, digits, dashes and underscores, starting with a letter.

A section tagged ``site`` (``# %% leaderboard tags=["site"]``, jupytext's cell metadata)
is what only the site needs: the engine runs it and records its values, but no page shows
its code and the downloads leave it out (``reader_script``). So that the downloads still
give every output the page shows, site sections come after every other section, and print
and draw nothing (``execute.site_sections`` checks each run).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .config import CELL, LOOKS_LIKE_CELL, SECTION_NAME, SnippetError


SITE = "site"  # the tag of a section only the site needs
TAGS = re.compile(r"(?P<name>\S+)\s+tags=(?P<tags>.*)")


@dataclass(frozen=True)
class Section:
    name: str
    line: int  # first line of code, 1-based
    code: str
    site: bool = False  # tagged "site": run and recorded, never shown or downloaded


def _title(title: str, where: str, number: int) -> tuple[str, bool]:
    """A code cell's section name, and whether it is tagged ``site``."""
    tagged = TAGS.fullmatch(title)
    if not tagged:
        return title, False
    try:
        tags = json.loads(tagged["tags"])
    except ValueError:
        tags = None
    if not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise SnippetError(f"{where}:{number}: write a cell's tags as a JSON list of strings: "
                           f"'# %% {tagged['name']} tags=[\"{SITE}\"]'")
    return tagged["name"], SITE in tags


def section_title(title: str) -> str:
    """A code cell's title without its tags (``leaderboard tags=["site"]``: ``leaderboard``)."""
    tagged = TAGS.fullmatch(title)
    return tagged["name"] if tagged else title


def parse_sections(script: Path, where: str | None = None) -> list[Section]:
    """Split a chapter script into its titled code cells.

    Before the first cell only the title docstring, comments and blank lines are allowed,
    and a text cell holds only comments, so that running the sections in order is running
    the whole file, and everything that runs is shown.
    """
    where = where or script.name
    sections: list[Section] = []
    opening: list[str] = []  # before the first cell
    name, start, lines, text_cell, site = None, 0, [], False, False

    def close():
        if name is not None:
            while lines and not lines[-1].strip():
                lines.pop()
            sections.append(Section(name, start, "".join(f"{x}\n" for x in lines), site))

    for number, line in enumerate(script.read_text().splitlines(), 1):
        cell = CELL.match(line)
        if not cell and LOOKS_LIKE_CELL.match(line):
            raise SnippetError(f"{where}:{number}: write a cell as '# %% name' or "
                               "'# %% [markdown]', at the start of the line")
        if cell:
            close()
            name, lines = None, []
            title = cell["rest"].strip()
            text_cell = title == "[markdown]"
            if text_cell:
                continue
            title, site = _title(title, where, number)
            if not SECTION_NAME.fullmatch(title):
                raise SnippetError(
                    f"{where}:{number}: a code cell needs a section name (lower-case "
                    f"letters, digits, - and _, starting with a letter): "
                    f"'# %% {title or 'name'}'")
            if any(s.name == title for s in sections):
                raise SnippetError(f"{where}:{number}: section '{title}' is defined twice")
            if not site and any(s.site for s in sections):
                raise SnippetError(f"{where}:{number}: section '{title}' comes after a section "
                                   f"tagged \"{SITE}\": site sections come last, so that the "
                                   "downloads, which leave them out, give what the page shows")
            name, start = title, number + 1
        elif name is not None:
            if not lines and not line.strip():
                start += 1  # blank lines after the title: the code starts below them
                continue
            lines.append(line)
        elif text_cell:
            if line.strip() and not line.lstrip().startswith("#"):
                raise SnippetError(f"{where}:{number}: code in a text cell would not run: "
                                   "start a section ('# %% name') before it")
        else:
            opening.append(line)
    close()
    try:
        body = ast.parse("\n".join(opening), filename=where).body
    except SyntaxError as error:
        raise SnippetError(f"{where}: code before the first section: {error}") from None
    if [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]:
        raise SnippetError(f"{where}: code outside a named section would not be shown")
    return sections


def reader_script(script: Path, where: str | None = None) -> str:
    """The script a reader downloads: the chapter without its ``site`` sections (their
    cells, up to the next cell or the end)."""
    site = {s.name for s in parse_sections(script, where) if s.site}
    kept, skipping = [], False
    for line in script.read_text().splitlines(keepends=True):
        cell = CELL.match(line.rstrip("\n"))
        if cell:
            skipping = _title(cell["rest"].strip(), where or script.name, 0)[0] in site
        if not skipping:
            kept.append(line)
    return "".join(kept).rstrip("\n") + "\n"


def markdown_cells(script: Path) -> dict[str, list[str]]:
    """Text cells of a script, by the section they come before (``""``: after the last one)."""
    import jupytext

    found: dict[str, list[str]] = {}
    pending: list[str] = []
    for cell in jupytext.reads(script.read_text(), fmt="py:percent").cells:
        if cell.cell_type == "markdown":
            pending.append(cell.source.strip())
        elif cell.metadata.get("title") and pending:
            found[cell.metadata["title"]], pending = pending, []
    if pending:  # after the last section: a closing remark, kept at the notebook's end
        found[""] = pending
    return found


def title_markdown(script: Path) -> str:
    """The script's title docstring (a title underlined with ===) as Markdown."""
    text = ast.get_docstring(ast.parse(script.read_text())) or script.stem
    lines = text.splitlines()
    if len(lines) > 1 and set(lines[1]) == {"="}:
        lines = [f"# {lines[0]}"] + lines[2:]
    return "\n".join(lines).strip()
