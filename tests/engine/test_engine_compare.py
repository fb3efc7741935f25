"""compare and check: a fresh run against the frozen outputs — the mutation tests. Each
alters what is frozen (or the script) and expects the check to say so, in one readable line."""

import copy
import dataclasses
import json
import math
import shutil

import pytest
from engine_support import CHAPTERS, copy_project, edit, load_manifest, save_manifest, section

from snippet_engine import Config, check_chapters, compare, run_chapters
from snippet_engine.compare import near, same


@pytest.fixture(scope="module")
def fresh(frozen, tmp_path_factory):
    """A second run of every chapter of the frozen fixture (in a copy: a run writes timings)."""
    project = copy_project(frozen.root, tmp_path_factory.mktemp("fresh") / "project")
    runs = run_chapters(CHAPTERS, project, jobs=1)
    assert all(hasattr(run, "manifest") for run in runs.values()), runs
    return runs


def problems(frozen, fresh, chapter, manifest=None, outputs=None, root=None):
    """compare() of the fresh run with a (changed) copy of the frozen manifest."""
    return compare(manifest or load_manifest(frozen, chapter),
                   outputs or frozen.outputs / chapter, fresh[chapter], frozen.config,
                   root or frozen.root)


def altered(frozen, chapter):
    return copy.deepcopy(load_manifest(frozen, chapter))


def test_a_fresh_run_matches_the_frozen_outputs(frozen, fresh):
    for chapter in CHAPTERS:
        assert problems(frozen, fresh, chapter) == [], chapter


def test_an_altered_frozen_number_and_printed_text_are_reported(frozen, fresh):
    manifest = altered(frozen, "printing")
    load = section(manifest, "load")
    load["values"]["mean"] *= 1.001
    load["stdout"] = load["stdout"].replace("mean", "average")

    found = problems(frozen, fresh, "printing", manifest)

    assert len(found) == 2, found
    assert f"printing:load: value mean was {5.7 * 1.001!r}, now 5.7" in found
    printed = next(p for p in found if p.startswith("printing:load: printed output differs"))
    assert "-10 numbers, average 5.7000" in printed and "+10 numbers, mean 5.7000" in printed


def test_a_float_within_the_tolerance_is_not_reported_and_beyond_it_is(frozen, fresh):
    tolerance = frozen.config.tolerance
    for factor, reported in ((1 + tolerance / 10, False), (1 + tolerance * 10, True)):
        manifest = altered(frozen, "printing")
        section(manifest, "load")["values"]["mean"] *= factor
        found = problems(frozen, fresh, "printing", manifest)
        assert bool(found) is reported, (factor, found)


def test_whole_numbers_and_strings_must_match_exactly(frozen, fresh):
    for name, value in (("n_numbers", 10.0), ("n_numbers", 11), ("label", "Five rows")):
        manifest = altered(frozen, "printing")
        section(manifest, "load")["values"][name] = value
        assert problems(frozen, fresh, "printing", manifest) == [
            f"printing:load: value {name} was {value!r}, now "
            f"{section(fresh['printing'].manifest, 'load')['values'][name]!r}"]


def test_a_value_that_appears_or_disappears_is_reported(frozen, fresh):
    manifest = altered(frozen, "printing")
    del section(manifest, "load")["values"]["label"]
    section(manifest, "load")["values"]["gone"] = 1
    found = problems(frozen, fresh, "printing", manifest)
    assert sorted(found) == ["printing:load: value gone was 1, now None",
                             "printing:load: value label was None, now 'five rows'"]


def test_a_timing_may_differ_but_must_be_a_number(frozen, fresh):
    manifest = altered(frozen, "printing")
    table = section(manifest, "table")["values"]
    table["work_seconds"] = 123.0
    table["timings"]["table"]["rows"][0][1] = 99.0  # the "fit seconds" column
    assert problems(frozen, fresh, "printing", manifest) == []

    for value in ("slow", None):
        manifest = altered(frozen, "printing")
        section(manifest, "table")["values"]["work_seconds"] = value
        found = problems(frozen, fresh, "printing", manifest)
        assert len(found) == 1 and found[0].startswith(
            "printing:table: value work_seconds was"), found


def test_a_printed_table_with_timings_is_compared_by_its_values(frozen, fresh):
    """print(timings) writes other seconds on every run: the check compares that table's
    values (its timings only as numbers) and the rest of the printed text exactly."""
    frozen_table = section(load_manifest(frozen, "printing"), "table")
    [printed] = frozen_table["printed_tables"]  # print(timings), not print(squares)
    start, end = printed["at"]
    assert frozen_table["stdout"][start:end].split()[:3] == ["accuracy", "fit", "seconds"]
    assert frozen_table["stdout"][end:] == "done\n"
    assert printed["table"]["columns"] == ["accuracy", "fit seconds"]
    fresh_table = section(fresh["printing"].manifest, "table")
    assert fresh_table["printed_tables"][0]["table"]["rows"][0][1] != \
        printed["table"]["rows"][0][1]  # another run, other seconds: yet no problem
    assert problems(frozen, fresh, "printing") == []

    manifest = altered(frozen, "printing")
    section(manifest, "table")["printed_tables"][0]["table"]["rows"][0][0] = 0.6
    found = problems(frozen, fresh, "printing", manifest)
    assert len(found) == 1 and found[0].startswith("printing:table: printed table 1 differs")

    manifest = altered(frozen, "printing")
    section(manifest, "table")["stdout"] = frozen_table["stdout"].replace("done", "finished")
    found = problems(frozen, fresh, "printing", manifest)
    assert len(found) == 1 and found[0].startswith("printing:table: printed output differs")
    assert "-finished" in found[0] and "+done" in found[0]

    manifest = altered(frozen, "printing")
    del section(manifest, "table")["printed_tables"]  # as if printed as plain text
    found = problems(frozen, fresh, "printing", manifest)
    assert len(found) == 1 and found[0].startswith("printing:table: printed output differs")


def test_a_tables_other_cells_columns_and_rows_must_match(frozen, fresh):
    def change(edit_table):
        manifest = altered(frozen, "printing")
        edit_table(section(manifest, "table")["values"])
        return problems(frozen, fresh, "printing", manifest)

    def accuracy(values):
        values["timings"]["table"]["rows"][0][0] = 0.6

    def cell(values):
        values["squares"]["table"]["rows"][2][1] = 9.5

    def column(values):
        values["squares"]["table"]["columns"][1] = "squared"

    def row(values):
        values["squares"]["table"]["rows"].pop()

    assert [p.split(" was")[0] for p in change(accuracy)] == ["printing:table: value timings"]
    for edit_table in (cell, column, row):
        assert [p.split(" was")[0] for p in change(edit_table)] == [
            "printing:table: value squares"]


def test_changed_sections_and_figure_lists_are_reported(frozen, fresh):
    manifest = altered(frozen, "drawing")
    manifest["sections"][1]["name"] = "dots"
    section(manifest, "lines")["figures"] = ["lines-1"]
    found = problems(frozen, fresh, "drawing", manifest)
    assert "drawing: sections ['lines', 'dots'] are now ['lines', 'scatter']" in found
    assert "drawing:lines: figures ['lines-1'] are now ['lines-1', 'lines-2']" in found


def test_an_altered_frozen_figure_is_reported(frozen, fresh, tmp_path):
    outputs = tmp_path / "drawing"
    shutil.copytree(frozen.outputs / "drawing", outputs)
    svg = outputs / "scatter-1.dark.svg"
    svg.write_text(svg.read_text().replace("#1f77b4", "#1f77b5", 1))
    assert problems(frozen, fresh, "drawing", outputs=outputs) == [
        "drawing: figure scatter-1.dark.svg differs from the frozen one"]


def test_a_missing_frozen_figure_is_reported(frozen, fresh, tmp_path):
    outputs = tmp_path / "drawing"
    shutil.copytree(frozen.outputs / "drawing", outputs)
    (outputs / "lines-2.light.svg").unlink()
    assert problems(frozen, fresh, "drawing", outputs=outputs) != []


def test_an_altered_or_missing_exported_file_is_reported(frozen, fresh, tmp_path):
    root = tmp_path / "root"
    (root / "models").mkdir(parents=True)
    assert problems(frozen, fresh, "helped", root=root) == [
        "helped: the exported models/made.json differs from the project's"]
    (root / "models" / "made.json").write_text('{"values": [3, 6, 13]}\n')
    assert problems(frozen, fresh, "helped", root=root) == [
        "helped: the exported models/made.json differs from the project's"]
    shutil.copy(frozen.root / "models" / "made.json", root / "models" / "made.json")
    assert problems(frozen, fresh, "helped", root=root) == []


def test_stale_frozen_outputs_are_reported_with_what_changed(frozen, fresh):
    manifest = altered(frozen, "printing")
    manifest["digest"] = "0" * 64
    manifest["inputs"]["files"]["printing.py"] = "an older script"
    assert problems(frozen, fresh, "printing", manifest) == [
        "printing: frozen outputs are stale (changed: files.printing.py)"]


def test_same_compares_kinds_as_well_as_values():
    config = Config()
    assert same(float("nan"), float("nan"), config)
    assert not same(1, 1.0, config) and not same(True, 1, config)
    assert same([1, 2.0], [1, 2.0 * (1 + 1e-12)], config)
    assert not same([1, 2], [1, 2, 3], config)
    assert same({"a": [1.0]}, {"a": [1.0]}, config) and not same({"a": 1}, {"b": 1}, config)
    assert same(1.0, 2.0, config, "fit_seconds") and not same(1.0, "x", config, "fit_seconds")
    assert not same(math.inf, 1.0, config)


# ------------------------------------------- a run on other machine code (a pin did not take)

UNPINNED = ["MKL_CBWR=AVX2 runs as AUTO"]


def loosened(frozen, chapters=("printing", "helped")):
    """The fixture's configuration with chapters listed as machine-dependent."""
    return dataclasses.replace(frozen.config, machine_dependent=tuple(chapters),
                               machine_tolerance=0.01, machine_count_tolerance=0.2)


def elsewhere(frozen, fresh, chapter, manifest, config, root=None):
    """compare() as if the frozen run had had a pin that did not take, and this one not."""
    manifest["unpinned"] = UNPINNED
    return compare(manifest, frozen.outputs / chapter, fresh[chapter], config,
                   root or frozen.root)


def test_a_machine_dependent_run_on_other_machine_code_is_compared_within_the_tolerances(
        frozen, fresh):
    config = loosened(frozen)
    manifest = altered(frozen, "printing")
    load = section(manifest, "load")
    load["values"]["mean"] += 0.009  # within 0.01
    load["values"]["n_numbers"] = 12  # 10 now: within 20 %
    load["values"]["label"] = "another label"  # a text value: not comparable
    load["stdout"] = load["stdout"].replace("mean", "average")  # as many lines
    section(manifest, "table")["values"]["timings"]["table"]["rows"][0][0] = 0.505
    assert elsewhere(frozen, fresh, "printing", manifest, config) == []

    load["values"]["mean"] += 0.002  # 0.011 in all
    load["values"]["n_numbers"] = 13
    load["stdout"] += "one more line\n"
    section(manifest, "table")["values"]["timings"]["table"]["rows"][0][0] = 0.6
    found = elsewhere(frozen, fresh, "printing", manifest, config)
    assert [p.split(" was")[0].split("\n")[0] for p in found] == [
        "printing:load: printed 1 lines, not 2",
        "printing:load: value mean", "printing:load: value n_numbers",
        "printing:table: value timings"]
    assert all(p.endswith("beyond the machine tolerance") for p in found[1:])


def test_a_machine_dependent_run_must_keep_its_shape(frozen, fresh):
    config = loosened(frozen, ["drawing", "printing"])
    manifest = altered(frozen, "drawing")
    section(manifest, "lines")["figures"] = ["lines-1"]
    manifest["sections"][1]["name"] = "dots"
    found = elsewhere(frozen, fresh, "drawing", manifest, config)
    assert "drawing: sections ['lines', 'dots'] are now ['lines', 'scatter']" in found
    assert "drawing:lines: figures ['lines-1'] are now ['lines-1', 'lines-2']" in found

    manifest = altered(frozen, "printing")
    section(manifest, "load")["values"]["gone"] = 1.0
    assert elsewhere(frozen, fresh, "printing", manifest, config) == [
        "printing:load: values ['gone', 'label', 'mean', 'n_numbers'] are now "
        "['label', 'mean', 'n_numbers']"]

    manifest = altered(frozen, "printing")
    manifest["digest"] = "0" * 64  # stale is stale, on any processor
    assert elsewhere(frozen, fresh, "printing", manifest, config)[0].startswith(
        "printing: frozen outputs are stale")


def test_a_machine_dependent_run_exports_a_file_of_the_same_size(frozen, fresh, tmp_path):
    config = loosened(frozen)
    root = tmp_path / "root"
    (root / "models").mkdir(parents=True)
    made = (frozen.root / "models" / "made.json").read_text()
    (root / "models" / "made.json").write_text(made.replace("3", "4"))  # other bytes
    assert elsewhere(frozen, fresh, "helped", altered(frozen, "helped"), config, root) == []
    (root / "models" / "made.json").write_text(made + " ")
    assert elsewhere(frozen, fresh, "helped", altered(frozen, "helped"), config, root) == [
        "helped: the exported models/made.json is not the size of the project's"]


def test_a_chapter_not_listed_is_compared_exactly_and_told_why_it_may_differ(frozen, fresh):
    manifest = altered(frozen, "printing")
    assert elsewhere(frozen, fresh, "printing", manifest, frozen.config) == []  # same bits
    section(manifest, "load")["values"]["mean"] += 0.001
    found = elsewhere(frozen, fresh, "printing", manifest, frozen.config)
    assert found[0].startswith("printing:load: value mean was")
    assert found[1] == (
        "printing: this run's processor ran other machine code (every pin took; frozen: "
        "MKL_CBWR=AVX2 runs as AUTO); if no pin can give its results on every processor, "
        "list it in machine-dependent")


def test_near_loosens_numbers_only():
    config = Config(machine_tolerance=0.01, machine_count_tolerance=0.1)
    assert near(0.99, 0.999, config) and not near(0.99, 1.001, config)
    assert near(100, 110, config) and not near(100, 112, config) and near(0, 0, config)
    assert not near(True, False, config) and not near(True, 1, config)
    assert near("1ec4…", "1a52…", config) and not near("x", 1, config)
    assert near([1.0, 100], [1.005, 95], config) and not near([1.0], [1.0, 2.0], config)
    assert near({"a": 1.0}, {"a": 1.001}, config) and not near({"a": 1}, {"b": 1}, config)
    assert near(1.0, 50.0, config, "fit_seconds") and not near(1.0, None, config, "seconds")
    exact = Config()
    assert not near(0.99, 0.991, exact) and not near(88, 83, exact) and near(5, 5, exact)


def test_a_notebook_on_other_machine_code_is_compared_with_the_scripts_fresh_run(project):
    """Where a pin did not take, the frozen text is not what a notebook there prints; what
    the script just printed on the same processor is."""
    import re

    edit(project.root / "pyproject.toml", "[tool.snippet_engine]",
         "[tool.snippet_engine]\nmachine-dependent = [\"printing\"]\n"
         "machine-tolerance = 0.01\nmachine-count-tolerance = 0.2")
    manifest = load_manifest(project, "printing")
    manifest["unpinned"] = UNPINNED
    load = section(manifest, "load")
    load["stdout"] = re.sub(r"mean \S+", "mean 5.7031", load["stdout"])
    load["values"]["mean"] += 0.0031
    save_manifest(project, "printing", manifest)

    found = check_chapters(project, ["printing"], notebooks=True)

    assert found == {"printing": []}
    manifest["unpinned"] = []  # the same pins: the notebook must print the frozen text
    save_manifest(project, "printing", manifest)
    found = check_chapters(project, ["printing"], notebooks=True)["printing"]
    assert any(p.startswith("printing.ipynb: cell load printed other lines") for p in found)


# ----------------------------------------------------------------- check_chapters, end to end


def test_an_edited_snippet_is_reported_stale_and_its_figure_different(project):
    edit(project.script("drawing"), "default_rng(seed=42)", "default_rng(seed=7)")

    found = check_chapters(project, ["drawing"])

    assert list(found) == ["drawing"]
    problems = found["drawing"]
    assert "drawing: frozen outputs are stale (changed: files.drawing.py)" in problems
    assert "drawing: figure scatter-1.light.svg differs from the frozen one" in problems
    assert "drawing: figure scatter-1.dark.svg differs from the frozen one" in problems
    assert not [p for p in problems if "lines-" in p]  # the unchanged section draws the same


def test_check_chapters_reports_altered_outputs_exports_and_missing_ones(project):
    manifest = load_manifest(project, "printing")
    section(manifest, "table")["stdout"] += "one more line\n"
    save_manifest(project, "printing", manifest)
    (project.root / "models" / "made.json").write_text(json.dumps({"values": [0]}))
    shutil.rmtree(project.outputs / "drawing")

    found = check_chapters(project, jobs=1)

    assert set(found) == set(CHAPTERS)
    assert found["drawing"] == ["drawing: no frozen outputs in outputs/drawing/"]
    assert found["helped"] == ["helped: the exported models/made.json differs from the project's"]
    assert len(found["printing"]) == 1
    assert found["printing"][0].startswith("printing:table: printed output differs\n")
    assert "-one more line" in found["printing"][0]
    assert not (project.outputs / "drawing").exists()  # a check writes nothing


def test_check_chapters_reports_a_chapter_that_fails(project):
    edit(project.script("printing"), "import time\n", "import time\nraise KeyError('k')\n")
    line = project.script("printing").read_text().splitlines().index("raise KeyError('k')") + 1
    found = check_chapters(project, ["printing"])
    assert len(found["printing"]) == 1  # the error; there is no run to compare
    assert found["printing"][0].startswith(
        f"snippets/printing.py:{line}: section 'table' raised KeyError: 'k'\n")
