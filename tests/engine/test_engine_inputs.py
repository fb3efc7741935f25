"""inputs: what makes a chapter stale, and what a reader downloads to run it."""

import dataclasses
import re
import sys
from importlib import metadata

import pytest
from engine_support import CHAPTERS, edit, write_chapter

from snippet_engine import (Project, SnippetError, check_digests, helpers_of, inputs_of,
                            is_fresh, read_manifest, reader_files, stale)
from snippet_engine.inputs import changed_inputs, digest, imported_modules, sha256


def test_a_frozen_project_is_fresh(project):
    assert stale(project) == []
    assert check_digests(project) == {}
    for chapter in CHAPTERS:
        assert read_manifest(chapter, project)["digest"] == digest(inputs_of(chapter, project))


def test_editing_a_chapter_makes_only_that_chapter_stale(project):
    edit(project.script("drawing"), "seed=42", "seed=7")
    assert stale(project) == ["drawing"]
    assert check_digests(project) == {"drawing": "changed: files.drawing.py"}


def test_editing_a_helper_makes_its_importers_stale_and_no_other_chapter(project):
    helper = project.snippets / "tiny_helper.py"
    helper.write_text(helper.read_text() + "\n# a comment is a change too\n")
    assert stale(project) == ["helped"]
    assert check_digests(project) == {"helped": "changed: files.tiny_helper.py"}


def test_changing_a_helper_file_makes_only_the_chapters_importing_that_helper_stale(project):
    (project.root / "models" / "table.json").write_text('{"factor": 4, "values": [1]}\n')
    assert stale(project) == ["helped"]
    assert check_digests(project) == {"helped": "changed: helper-files.models/table.json"}


def test_a_missing_helper_file_is_a_change_too(project):
    (project.root / "models" / "table.json").unlink()
    assert stale(project) == ["helped"]
    assert inputs_of("helped", project)["helper-files"] == {"models/table.json": "missing"}


def test_changing_the_data_makes_stale_every_chapter_that_reads_it_and_no_other(project):
    # printing names data/numbers.csv, helped through tiny_helper; drawing never reads it
    data = project.root / "data" / "numbers.csv"
    data.write_text(data.read_text() + "11.0,12.0\n")
    assert stale(project) == ["helped", "printing"]
    assert set(check_digests(project).values()) == {"changed: data.data/numbers.csv"}
    assert inputs_of("drawing", project)["data"] == {}
    data.unlink()  # a missing data file: stale, recorded as missing, for its readers alone
    assert stale(project) == ["helped", "printing"]
    assert inputs_of("printing", project)["data"] == {"data/numbers.csv": "missing"}
    assert "data/numbers.csv" not in reader_files("drawing", project)


def test_the_thread_count_and_the_format_are_inputs_of_every_chapter(project):
    for change, name in ((dict(threads=1), "threads"), (dict(format=2), "format")):
        other = Project(project.root, dataclasses.replace(project.config, **change))
        assert stale(other) == CHAPTERS
        assert check_digests(other, ["printing"]) == {"printing": f"changed: {name}"}


def test_stale_looks_only_at_the_chapters_asked_for(project):
    edit(project.script("drawing"), "seed=42", "seed=7")
    assert stale(project, ["printing", "helped"]) == []
    assert stale(project, ["drawing", "printing"]) == ["drawing"]


def test_a_chapter_without_outputs_is_stale(project):
    write_chapter(project, "new", "# %% a\nx = 1\n")
    assert read_manifest("new", project) is None
    assert not is_fresh("new", project)
    assert check_digests(project) == {"new": "no frozen outputs"}


def test_a_syntax_error_names_the_file_and_line(project):
    write_chapter(project, "typo", "# %% a\nx = 1\nprint(x\n")
    with pytest.raises(SnippetError, match=re.escape("snippets/typo.py:3: '(' was never closed")):
        inputs_of("typo", project)
    (project.snippets / "tiny_helper.py").write_text("def f(:\n")
    with pytest.raises(SnippetError, match=re.escape("snippets/tiny_helper.py:1: ")):
        inputs_of("helped", project)


def test_the_inputs_record_versions_python_and_fingerprints(frozen):
    inputs = inputs_of("helped", frozen)
    assert inputs["packages"] == {"numpy": metadata.version("numpy"),
                                  "matplotlib": metadata.version("matplotlib")}
    assert inputs["python"] == "%d.%d" % sys.version_info[:2]
    assert inputs["threads"] == 2 and inputs["format"] == 1
    assert inputs["files"] == {
        name: sha256((frozen.snippets / name).read_bytes())
        for name in ("helped.py", "tiny_helper.py")}
    assert inputs["data"] == {
        "data/numbers.csv": sha256((frozen.root / "data" / "numbers.csv").read_bytes())}
    assert inputs["helper-files"] == {
        "models/table.json": sha256((frozen.root / "models" / "table.json").read_bytes())}
    assert "helper-files" not in inputs_of("printing", frozen)


def test_imported_packages_count_only_for_chapters_that_import_them(frozen):
    # printing imports pandas itself; helped imports json only through its helper.
    config = dataclasses.replace(frozen.config,
                                 imported_packages={"pandas": "pandas", "json": "pytest"})
    other = Project(frozen.root, config)
    assert inputs_of("printing", other)["packages"]["pandas"] == metadata.version("pandas")
    assert "pytest" not in inputs_of("printing", other)["packages"]
    assert inputs_of("helped", other)["packages"]["pytest"] == metadata.version("pytest")
    assert set(inputs_of("drawing", other)["packages"]) == {"numpy", "matplotlib"}


def test_helpers_are_found_through_other_helpers(project):
    (project.snippets / "outer.py").write_text("import inner\nfrom os import path\n")
    (project.snippets / "inner.py").write_text("from tiny_helper import load_table\n")
    (project.snippets / "unused.py").write_text("X = 1\n")
    write_chapter(project, "deep", "# %% a\nimport outer\n")
    assert [p.name for p in helpers_of("deep", project)] == [
        "inner.py", "outer.py", "tiny_helper.py"]
    assert helpers_of("printing", project) == []
    assert set(reader_files("deep", project)) == {
        "deep.py", "outer.py", "inner.py", "tiny_helper.py", "data/numbers.csv",
        "models/table.json"}
    before = digest(inputs_of("deep", project))
    (project.snippets / "inner.py").write_text("from tiny_helper import load_table  # edited\n")
    assert digest(inputs_of("deep", project)) != before  # a helper's helper is an input too


def test_reader_files_are_exactly_the_script_its_helpers_the_data_and_helper_files(frozen):
    root = frozen.root
    assert reader_files("printing", frozen) == {
        "printing.py": root / "snippets" / "printing.py",
        "data/numbers.csv": root / "data" / "numbers.csv",
    }
    assert reader_files("helped", frozen) == {
        "helped.py": root / "snippets" / "helped.py",
        "tiny_helper.py": root / "snippets" / "tiny_helper.py",
        "data/numbers.csv": root / "data" / "numbers.csv",
        "models/table.json": root / "models" / "table.json",
    }


def test_imported_modules_are_top_level_names_of_absolute_imports():
    source = ("import a.b, c as d\nfrom e.f import g\nfrom . import h\nfrom .i import j\n"
              "def k():\n    import l\n")
    assert imported_modules(source) == {"a", "c", "e", "l"}


def test_changed_inputs_names_what_differs_dotted():
    old = {"files": {"a.py": "1", "b.py": "2"}, "threads": 2, "gone": 1}
    new = {"files": {"a.py": "1", "b.py": "3"}, "threads": 1, "added": 1}
    assert changed_inputs(old, new) == "added, files.b.py, gone, threads"
    assert changed_inputs(old, old) == "none"
