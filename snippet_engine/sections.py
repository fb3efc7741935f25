"""A chapter script's parts: named sections, the text cells before them, its title.

Sections are marked as ``pymdownx.snippets`` expects (``# --8<-- [start:name]`` ...
``# --8<-- [end:name]``), so a page embeds exactly the code that ran. Text cells are
jupytext's percent format (``# %% [markdown]`` followed by ``#`` comment lines), read by
jupytext itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .config import MARKER, SnippetError


@dataclass(frozen=True)
class Section:
    name: str
    line: int  # first line of code, 1-based
    code: str


def parse_sections(script: Path, where: str | None = None) -> list[Section]:
    """Split a chapter script at its markers.

    Outside sections only the title docstring, comments and blank lines are allowed, so that
    running the sections in order is running the whole file.
    """
    where = where or script.name
    sections: list[Section] = []
    name, start, lines = None, 0, []
    outside: list[str] = []
    for number, line in enumerate(script.read_text().splitlines(), 1):
        marker = MARKER.match(line)
        if marker and marker[1] == "start":
            if name:
                raise SnippetError(f"{where}:{number}: section '{marker[2]}' starts inside "
                                   f"'{name}'")
            if any(s.name == marker[2] for s in sections):
                raise SnippetError(f"{where}:{number}: section '{marker[2]}' is defined twice")
            name, start, lines = marker[2], number + 1, []
        elif marker:
            if name != marker[2]:
                raise SnippetError(f"{where}:{number}: [end:{marker[2]}] does not close an "
                                   "open section")
            sections.append(Section(name, start, "".join(f"{x}\n" for x in lines)))
            name = None
        elif name:
            lines.append(line)
        else:
            outside.append(line)
    if name:
        raise SnippetError(f"{where}: section '{name}' is never closed")
    try:
        body = ast.parse("\n".join(outside)).body
    except SyntaxError as error:
        raise SnippetError(f"{where}: code outside sections: {error}") from None
    if [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]:
        raise SnippetError(f"{where}: code outside a named section would not be shown")
    return sections


def markdown_cells(script: Path) -> dict[str, list[str]]:
    """Text cells of a script, by the section they come before (``""``: after the last one)."""
    import jupytext

    found: dict[str, list[str]] = {}
    pending: list[str] = []
    for cell in jupytext.reads(script.read_text(), fmt="py:percent").cells:
        if cell.cell_type == "markdown":
            pending.append(cell.source.strip())
            continue
        starts = [m[2] for m in map(MARKER.match, cell.source.splitlines())
                  if m and m[1] == "start"]
        if starts and pending:
            found[starts[0]], pending = pending, []
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
