"""freeze: the stale chapters run and their outputs are replaced all at once; two runs write
the same bytes; a chapter that reads another's frozen outputs runs again after it."""

import json
import logging
import re

import pytest
from engine_support import (CHAPTERS, FIXTURE, edit, load_manifest, section, snapshot,
                            staging_folders, without_measurements, write_chapter)

from snippet_engine import Project, SnippetError, check_digests, is_fresh, refresh, stale

TINY = '''"""A tiny chapter."""

# %% hello
greeting = "hello"
answer = 6 * 7
print(greeting, answer)
'''


def test_nothing_runs_when_nothing_changed(project):
    before = snapshot(project.outputs)
    assert refresh(project) == []
    assert snapshot(project.outputs) == before


def test_only_the_edited_chapter_runs_again(project):
    others = {c: (project.outputs / c).stat().st_ino for c in ("drawing", "helped")}
    edit(project.script("printing"), 'label = "five rows"', 'label = "5 rows"')

    assert refresh(project) == ["printing"]

    assert section(load_manifest(project, "printing"), "load")["values"]["label"] == "5 rows"
    assert {c: (project.outputs / c).stat().st_ino for c in others} == others  # untouched
    assert refresh(project) == []


def test_a_new_chapter_runs_then_reruns_only_when_edited(project):
    write_chapter(project, "tiny", TINY)
    assert refresh(project) == ["tiny"]  # new: no outputs yet
    assert refresh(project) == []
    write_chapter(project, "tiny", TINY.replace("6 * 7", "6 * 8"))
    assert refresh(project) == ["tiny"]
    record = load_manifest(project, "tiny")["sections"][0]
    assert record["values"] == {"answer": 48, "greeting": "hello"}
    assert record["stdout"] == "hello 48\n"


def test_never_runs_nothing_even_when_stale(project, monkeypatch):
    edit(project.script("printing"), "five rows", "5 rows")
    before = snapshot(project.outputs)
    assert refresh(project, mode="never") == []
    monkeypatch.setenv("ENGINE_EXECUTE", "never")
    assert refresh(Project(project.root)) == []  # the configured mode
    assert snapshot(project.outputs) == before
    assert stale(project) == ["printing"]


def test_two_runs_write_byte_identical_outputs(project):
    """The determinism proof: a second run of every chapter, two at a time this time (the
    first ran one at a time), writes the same files, but for the timings it measures."""
    first = snapshot(project.outputs)
    first_export = (project.root / "models" / "made.json").read_bytes()
    (project.outputs / "printing" / "stray.svg").write_text("<svg/>")

    assert sorted(refresh(project, mode="always", jobs=2)) == CHAPTERS

    second = snapshot(project.outputs)
    assert sorted(second) == sorted(first)  # the stray file is gone with the old outputs
    assert len([n for n in first if n.endswith(".svg")]) == 6
    for name in first:
        if name.endswith("manifest.json"):
            a, b = json.loads(first[name]), json.loads(second[name])
            assert without_measurements(a, project) == without_measurements(b, project)
        else:
            assert first[name] == second[name], name
    timing = section(json.loads(second["printing/manifest.json"]), "table")["values"]
    assert isinstance(timing["work_seconds"], float)
    assert (project.root / "models" / "made.json").read_bytes() == first_export
    assert staging_folders(project) == []
    assert (project.outputs / "printing").stat().st_mode & 0o777 == 0o755


def test_exports_are_written_into_the_project(frozen, project):
    assert not (FIXTURE / "models" / "made.json").exists()
    assert json.loads((frozen.root / "models" / "made.json").read_text()) == {
        "values": [3, 6, 12]}
    edit(project.root / "models" / "table.json", '"factor": 3', '"factor": 2')
    assert refresh(project) == ["helped"]  # a changed helper-file
    assert json.loads((project.root / "models" / "made.json").read_text()) == {
        "values": [2, 4, 8]}
    assert not list((project.root / "models").glob(".*.partial"))


def test_a_failing_chapter_does_not_stop_the_others(project):
    edit(project.script("drawing"), "seed=42", "seed=7")  # stale: it must freeze anyway
    for chapter, old in (("printing", "import time\n"), ("helped", "table = load_table()\n")):
        edit(project.script(chapter), old, old + 'raise RuntimeError("broken")\n')
    before = {c: snapshot(project.outputs / c) for c in ("printing", "helped")}

    with pytest.raises(SnippetError) as caught:
        refresh(project, jobs=2)

    message = str(caught.value)
    assert re.search(r"snippets/printing\.py:\d+: section 'table' raised RuntimeError: broken",
                     message)
    assert re.search(r"snippets/helped\.py:\d+: section 'use' raised RuntimeError: broken",
                     message)
    assert "drawing" not in message
    assert is_fresh("drawing", project)
    assert stale(project) == ["helped", "printing"]
    assert {c: snapshot(project.outputs / c) for c in before} == before
    assert staging_folders(project) == []


# A chapter that reads another chapter's frozen outputs (as the site's recap reads every
# chapter's leaderboard), through a helper whose helper-files name that manifest.
READER_HELPER = '''"""Reads the printing chapter's frozen outputs."""

import json
from pathlib import Path


def printing_label():
    manifest = json.loads(Path("outputs/printing/manifest.json").read_text())
    return manifest["sections"][0]["values"]["label"]
'''

READER = '''"""A chapter that quotes another chapter's outputs."""

# %% quote
from reader_helper import printing_label

quoted = printing_label()
print(quoted)
'''


def with_reader(project: Project, *reads: str) -> Project:
    """The project with the chapter ``reader``, whose helper reads ``reads``, frozen."""
    edit(project.root / "pyproject.toml", 'tiny_helper = ["models/table.json"]',
         f'tiny_helper = ["models/table.json"]\nreader_helper = {list(reads)!r}'
         .replace("'", '"'))
    (project.snippets / "reader_helper.py").write_text(READER_HELPER)
    write_chapter(project, "reader", READER)
    project = Project(project.root)  # the edited configuration
    assert refresh(project) == ["reader"]
    return project


def quoted(project: Project) -> str:
    return section(load_manifest(project, "reader"), "quote")["values"]["quoted"]


def test_a_chapter_reading_another_chapters_outputs_runs_again_after_it(project, caplog):
    caplog.set_level(logging.INFO, logger="snippet_engine")
    project = with_reader(project, "outputs/printing/manifest.json")
    assert quoted(project) == "five rows"
    edit(project.script("printing"), 'label = "five rows"', 'label = "5 rows"')
    assert stale(project) == ["printing"]  # the reader only once printing is frozen again

    assert refresh(project) == ["printing", "reader"]  # a second round: the fixed point
    assert stale(project) == [] and quoted(project) == "5 rows"
    assert ("reader: stale again: helper-files.outputs/printing/manifest.json changed while "
            "this round ran") in caplog.text
    # A chapter run by name, fresh or not, is followed by those that read it
    assert refresh(project, ["printing"], mode="always") == ["printing", "reader"]
    assert stale(project) == []
    # ... and a run of several side by side ends with the reader current too, whether it
    # ran after printing froze or beside it, reading the old outputs (then it runs again)
    edit(project.script("printing"), 'label = "5 rows"', 'label = "five rows"')
    edit(project.script("reader"), "print(quoted)", "print(quoted)  # edited")
    assert sorted(refresh(project, jobs=2)) == ["printing", "reader"]
    assert stale(project) == [] and quoted(project) == "five rows"


def test_chapters_that_never_settle_are_named_after_a_bounded_number_of_rounds(project):
    """A chapter reading its own outputs is stale after every run of it: refresh stops after
    one round more than there are chapters, and says why; the others are frozen."""
    project = with_reader(project, "outputs/printing/manifest.json")
    edit(project.root / "pyproject.toml", '"outputs/printing/manifest.json"',
         '"outputs/printing/manifest.json", "outputs/reader/manifest.json"')
    project = Project(project.root)
    edit(project.script("drawing"), "seed=42", "seed=7")
    with pytest.raises(SnippetError, match=r"^reader: still stale after 5 rounds of runs: "
                                           r"chapters that read each other's outputs"):
        refresh(project)
    assert is_fresh("drawing", project)
    assert check_digests(project) == {"reader": "changed: helper-files."
                                                "outputs/reader/manifest.json"}
