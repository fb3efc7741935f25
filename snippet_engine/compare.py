"""Checking: a fresh run against the frozen outputs the pages show, one readable line each.

Printed text and integers must match exactly, floats within ``tolerance`` (relative),
figures byte for byte, exported files byte for byte. Values whose name matches ``measured``
(wall-clock seconds) are measurements, not results: they only have to be numbers.
"""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path

from .config import Config
from .inputs import changed_inputs


def compare(frozen: dict, frozen_dir: Path, fresh, config: Config,
            project_root: Path | None = None) -> list[str]:
    """Differences between frozen outputs and a fresh ``execute.Run``."""
    problems = []
    chapter = frozen["chapter"]
    if frozen["digest"] != fresh.manifest["digest"]:
        changed = changed_inputs(frozen["inputs"], fresh.manifest["inputs"])
        problems.append(f"{chapter}: frozen outputs are stale (changed: {changed})")
    old = {s["name"]: s for s in frozen["sections"]}
    new = {s["name"]: s for s in fresh.manifest["sections"]}
    if list(old) != list(new):
        problems.append(f"{chapter}: sections {list(old)} are now {list(new)}")
    for name in [n for n in old if n in new]:
        a, b = old[name], new[name]
        at = f"{chapter}:{name}"
        if a["stdout"] != b["stdout"]:
            problems.append(f"{at}: printed output differs\n{diff(a['stdout'], b['stdout'])}")
        for key in sorted(a["values"].keys() | b["values"].keys()):
            if not same(a["values"].get(key), b["values"].get(key), config, key):
                problems.append(f"{at}: value {key} was {a['values'].get(key)!r}, "
                                f"now {b['values'].get(key)!r}")
        if a["figures"] != b["figures"]:
            problems.append(f"{at}: figures {a['figures']} are now {b['figures']}")
    for name, data in sorted(fresh.files.items()):
        path = frozen_dir / name
        if not path.exists():
            problems.append(f"{chapter}: figure {name} is missing from {frozen_dir.name}/")
        elif path.read_bytes() != data:
            problems.append(f"{chapter}: figure {name} differs from the frozen one")
    for name, data in sorted(fresh.exports.items()):
        path = (project_root or frozen_dir.parent.parent) / name
        if not path.exists() or path.read_bytes() != data:
            problems.append(f"{chapter}: the exported {name} differs from the project's")
    return problems


def same(a, b, config: Config, name: str = "") -> bool:
    if name and config.is_measured(name):
        return isinstance(a, (int, float)) and isinstance(b, (int, float))
    if isinstance(a, dict) and "table" in a and isinstance(b, dict) and "table" in b:
        a, b = a["table"], b["table"]
        if a["columns"] != b["columns"] or a["index"] != b["index"]:
            return False
        return len(a["rows"]) == len(b["rows"]) and all(
            same(x, y, config, column)
            for row_a, row_b in zip(a["rows"], b["rows"])
            for x, y, column in zip(row_a, row_b, a["columns"]))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=config.tolerance) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, config) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], config) for k in a)
    return type(a) is type(b) and a == b


def diff(a: str, b: str) -> str:
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "frozen", "fresh", lineterm="")
    return "\n".join(list(lines)[:40])


def compare_notebook(frozen: dict, executed) -> list[str]:
    """An executed notebook download (nbformat) against the frozen sections it shows.

    A kernel sends stdout and stderr (warnings) as separate streams, so their lines may
    interleave differently than in the terminal text the page shows: they are compared
    unordered. Warnings name files by absolute path in a notebook: shortened as frozen."""
    problems = []
    chapter = frozen["chapter"]
    sections = {s["name"]: s for s in frozen["sections"]}
    for cell in (c for c in executed.cells if c.cell_type == "code"):
        section = sections.get(cell.get("id"))
        if section is None:
            problems.append(f"{chapter}.ipynb: cell {cell.get('id')} is no section")
            continue
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        printed = re.sub(r"\S*/site-packages/", "", printed)
        if sorted(printed.splitlines()) != sorted(section["stdout"].splitlines()):
            problems.append(f"{chapter}.ipynb: cell {cell.id} printed other lines\n"
                            + diff(section["stdout"], printed))
        shown = [o for o in cell.outputs if o.output_type == "display_data"]
        if len(shown) != len(section["figures"]):
            problems.append(f"{chapter}.ipynb: cell {cell.id} shows {len(shown)} figures, "
                            f"not {len(section['figures'])}")
    return problems
