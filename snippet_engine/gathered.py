"""Tables gathered across chapters: one CSV file from every chapter's table of one name.

``gathered = { "outputs/leaderboard.csv" = "leaderboard" }`` in ``[tool.snippet_engine]``:
each chapter whose run made a DataFrame named ``leaderboard`` has it frozen in its manifest,
and after every freeze the engine writes all of them, chapter by chapter, into the one CSV
file, with the chapter's name in a column of its own. A chapter that reads that file names it
in its ``helper-files``, so a re-frozen table makes that chapter stale, and ``refresh`` runs it
again; a reader downloads the file beside the chapter. The file is written only from the
frozen manifests, so it is the same on every machine that has the same outputs.
"""

from __future__ import annotations

import csv
import io
import os

from .config import Project, SnippetError, relative
from .inputs import read_manifest


def rows(name: str, project: Project) -> list[dict]:
    """Every frozen table named ``name``, row by row: dicts of the index (under its name),
    ``chapter``, then the table's columns; chapter by chapter, each table in its order. Every
    table must have the same index name and columns, or the file would mix meanings."""
    found, shape = [], None
    for chapter in project.chapters():
        manifest = read_manifest(chapter, project)
        for section in (manifest or {}).get("sections", []):
            table = section["values"].get(name, {}).get("table")
            if table is None:
                continue
            this = (table.get("index_name"), table["columns"])
            if shape is None:
                shape, first = this, chapter
            elif this != shape:
                raise SnippetError(
                    f"{chapter}: its '{name}' table has index {this[0]!r} and columns "
                    f"{this[1]}, but {first}'s has index {shape[0]!r} and columns "
                    f"{shape[1]}: tables gathered into one file must agree")
            if not this[0]:
                raise SnippetError(f"{chapter}: its '{name}' table has no index name (the "
                                   "gathered file's first column): set_index('model'), say")
            for label, cells in zip(table["index"], table["rows"]):
                found.append({this[0]: label, "chapter": chapter,
                              **dict(zip(table["columns"], cells))})
    return found


def render(name: str, project: Project) -> str:
    """The CSV text of ``rows``: floats written as Python writes them (``repr``), so that
    reading the file back gives the frozen numbers."""
    found = rows(name, project)
    if not found:
        return ""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(found[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(found)
    return text.getvalue()


def write(project: Project) -> list[str]:
    """Write every gathered file whose text changed, atomically; return their paths."""
    written = []
    for path, name in sorted(project.config.gathered.items()):
        target = project.root / path
        text = render(name, project)
        if target.exists() and target.read_text() == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text)
        os.replace(partial, target)
        written.append(path)
    return written


def out_of_date(project: Project) -> list[str]:
    """Gathered files that do not hold what the frozen manifests say, each with why."""
    problems = []
    for path, name in sorted(project.config.gathered.items()):
        target = project.root / path
        if not target.exists():
            problems.append(f"{path} is missing")
        elif target.read_text() != render(name, project):
            problems.append(f"{relative(target, project.root)} differs from the '{name}' "
                            "tables in the chapters' frozen manifests")
    return problems
