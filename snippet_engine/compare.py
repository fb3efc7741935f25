"""Checking: a fresh run against the frozen outputs the pages show, one readable line each.

Printed text and integers must match exactly, floats within ``tolerance`` (relative),
figures byte for byte, exported files byte for byte. Values whose name matches ``measured``
(wall-clock seconds) are measurements, not results: they only have to be numbers.

One exception: a chapter the project lists as ``machine-dependent``, run where a pin took
and frozen where it did not, or the other way round (their ``unpinned`` lists differ), ran
other machine code, and a network trained so ends on other weights. Such a run is compared
for its shape (sections, printed lines, value names, figures, exported sizes) and its
numbers within ``machine-tolerance`` (floats, absolute) and ``machine-count-tolerance``
(integers, relative); text values (a hash, say) and the figures' bytes cannot be compared.
Its exact comparison is left to a run on a processor like the freezing one's.
"""

from __future__ import annotations

import difflib
from collections import Counter
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
    problems += claim_differences(chapter, frozen.get("claims", {}),
                                  fresh.manifest.get("claims", {}))
    if loosened(chapter, frozen, fresh.manifest, config):
        return problems + _within_machine_tolerance(chapter, old, new, fresh, config,
                                                    project_root or frozen_dir.parent.parent)
    for name in [n for n in old if n in new]:
        a, b = old[name], new[name]
        at = f"{chapter}:{name}"
        problems += [f"{at}: {p}" for p in printed_differences(a, b, config)]
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
    other_code = other_machine_code(frozen, fresh.manifest)
    if other_code and problems:
        problems.append(f"{chapter}: {other_code}; if no pin can give its results on every "
                        "processor, list it in machine-dependent")
    return problems


def claim_differences(chapter: str, was: dict, now: dict) -> list[str]:
    """Claims that a fresh run no longer makes, makes anew, or that flipped: compared
    exactly, on any processor (a sentence is true or false)."""
    said = {True: "holds", False: "does not hold", None: "is not made"}
    return [f"{chapter}: claim {name} {said[was.get(name)]} in the frozen run, "
            f"{said[now.get(name)]} in this one"
            for name in sorted(was.keys() | now.keys()) if was.get(name) != now.get(name)]


def printed_differences(a: dict, b: dict, config: Config) -> list[str]:
    """How two runs of a section printed differently. Printed text must match exactly, but
    where the section printed a table with timings (``printed_tables``, noted by the worker)
    the table's values are compared instead, its timing columns only as numbers."""
    tables_a, tables_b = a.get("printed_tables", []), b.get("printed_tables", [])
    text_a, text_b = untimed_text(a), untimed_text(b)
    if text_a != text_b or len(tables_a) != len(tables_b):
        return [f"printed output differs\n{diff(a['stdout'], b['stdout'])}"]
    return [f"printed table {number} differs\n{diff(a['stdout'], b['stdout'])}"
            for number, (x, y) in enumerate(zip(tables_a, tables_b), 1)
            if not same(x, y, config)]


TABLE_PRINTED = "<a table with timings, compared by its values>"


def untimed_text(section: dict) -> str:
    """What a section printed, each table with timings replaced by a placeholder line."""
    text = section["stdout"]
    for table in reversed(section.get("printed_tables", [])):
        start, end = table["at"]
        text = text[:start] + TABLE_PRINTED + "\n" + text[end:]
    return text


def printed_lines(section: dict) -> tuple[list[str], int]:
    """A section's printed lines outside its timed tables, and how many lines it printed."""
    shown = section["stdout"].splitlines()
    return ([line for line in untimed_text(section).splitlines() if line != TABLE_PRINTED],
            len(shown))


def other_machine_code(frozen: dict, fresh: dict) -> str | None:
    """Why two runs of a chapter used other machine code (None: the same pins took)."""
    was, now = frozen.get("unpinned", []), fresh.get("unpinned", [])
    if was == now:
        return None
    said = lambda pins: "; ".join(pins) or "every pin took"  # noqa: E731
    return f"this run's processor ran other machine code ({said(now)}; frozen: {said(was)})"


def loosened(chapter: str, frozen: dict, fresh: dict, config: Config) -> str | None:
    """Why a fresh run of a chapter is compared within the machine tolerance, or None (it
    is compared exactly): it is machine-dependent and ran other machine code."""
    return (other_machine_code(frozen, fresh) if chapter in config.machine_dependent
            else None)


def _within_machine_tolerance(chapter: str, old: dict, new: dict, fresh, config: Config,
                              root: Path) -> list[str]:
    problems = []
    for name in [n for n in old if n in new]:
        a, b = old[name], new[name]
        at = f"{chapter}:{name}"
        lines = len(a["stdout"].splitlines()), len(b["stdout"].splitlines())
        if lines[0] != lines[1]:
            problems.append(f"{at}: printed {lines[1]} lines, not {lines[0]}\n"
                            f"{diff(a['stdout'], b['stdout'])}")
        if a["values"].keys() != b["values"].keys():
            problems.append(f"{at}: values {sorted(a['values'])} are now {sorted(b['values'])}")
        for key in sorted(a["values"].keys() & b["values"].keys()):
            if not near(a["values"][key], b["values"][key], config, key):
                problems.append(f"{at}: value {key} was {a['values'][key]!r}, now "
                                f"{b['values'][key]!r}: beyond the machine tolerance")
        if a["figures"] != b["figures"]:
            problems.append(f"{at}: figures {a['figures']} are now {b['figures']}")
    for name, data in sorted(fresh.exports.items()):
        path = root / name
        if not path.exists() or path.stat().st_size != len(data):
            problems.append(f"{chapter}: the exported {name} is not the size of the "
                            "project's")
    return problems


def same(a, b, config: Config, name: str = "") -> bool:
    """Whether a fresh value is the frozen one: floats within ``tolerance``, else equal."""
    return _alike(a, b, config, name, _exactly)


def near(a, b, config: Config, name: str = "") -> bool:
    """``same``, loosened for a run on other machine code (see the module's docstring)."""
    return _alike(a, b, config, name, _nearly)


def _alike(a, b, config: Config, name: str, alike_scalars) -> bool:
    """Two values the same shape, their scalars alike (timings only numbers), recursively."""
    if name and config.is_measured(name):
        return isinstance(a, (int, float)) and isinstance(b, (int, float))
    if isinstance(a, dict) and "table" in a and isinstance(b, dict) and "table" in b:
        a, b = a["table"], b["table"]
        if a["columns"] != b["columns"] or a["index"] != b["index"]:
            return False
        return len(a["rows"]) == len(b["rows"]) and all(
            _alike(x, y, config, column, alike_scalars)
            for row_a, row_b in zip(a["rows"], b["rows"])
            for x, y, column in zip(row_a, row_b, a["columns"]))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_alike(x, y, config, "", alike_scalars)
                                        for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_alike(a[k], b[k], config, "", alike_scalars)
                                            for k in a)
    return alike_scalars(a, b, config)


def _exactly(a, b, config: Config) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=config.tolerance) or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _nearly(a, b, config: Config) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int) and isinstance(b, int):
        return abs(a - b) <= config.machine_count_tolerance * max(abs(a), abs(b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= config.machine_tolerance or (math.isnan(a) and math.isnan(b))
    if isinstance(a, str) and isinstance(b, str):
        return True  # a hash of trained weights, a label read off a curve
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
        if cell.metadata.get("restored"):
            continue  # not run here: the script run computed it, and was compared
        if any(o.output_type == "execute_result" for o in cell.outputs):
            problems.append(f"{chapter}.ipynb: cell {cell.id} shows the value of its last "
                            "line, which the page does not show (print it, or assign it)")
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        printed = re.sub(r"\S*/site-packages/", "", printed)
        lines, count = printed_lines(section)
        got = printed.splitlines()
        # a table with timings prints other seconds in every run: only its line count counts
        if len(got) != count or Counter(lines) - Counter(got):
            problems.append(f"{chapter}.ipynb: cell {cell.id} printed other lines\n"
                            + diff(section["stdout"], printed))
        shown = [o for o in cell.outputs if o.output_type == "display_data"]
        if len(shown) != len(section["figures"]):
            problems.append(f"{chapter}.ipynb: cell {cell.id} shows {len(shown)} figures, "
                            f"not {len(section['figures'])}")
    return problems
