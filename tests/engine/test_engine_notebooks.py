"""notebooks: a chapter's .ipynb download, complete before it runs, and running it."""

import copy

import nbformat
import pytest
from engine_support import load_manifest, save_manifest, section, write_chapter

from snippet_engine import (SnippetError, check_chapters, compare_notebook, notebook,
                            parse_sections, run_notebook)


def read(text):
    return nbformat.reads(text, as_version=4)


def test_text_cells_become_markdown_cells_before_their_sections_code(frozen):
    book = read(notebook("printing", frozen))
    assert [(c.cell_type, c.id) for c in book.cells] == [
        ("markdown", "title"), ("markdown", "load-text"), ("code", "load"),
        ("markdown", "table-text"), ("markdown", "table-text2"), ("code", "table"),
        ("markdown", "closing")]
    sources = [c.source for c in book.cells]
    assert sources[0] == "# Printing\n\nA chapter that prints, and defines values a page can quote."
    assert sources[1] == "Some numbers, read from the data file."
    assert sources[3:5] == ["A table, and a *timing*.", "Two text cells before one section."]
    assert sources[6] == "That is all."
    nbformat.validate(book)


def test_code_cells_hold_the_sections_code_and_their_frozen_output(frozen):
    book = read(notebook("printing", frozen))
    code = [c for c in book.cells if c.cell_type == "code"]
    sections = parse_sections(frozen.script("printing"))
    manifest = load_manifest(frozen, "printing")
    for number, (cell, found) in enumerate(zip(code, sections), 1):
        assert cell.source == found.code.strip("\n")
        assert cell.execution_count == number
        assert [o.output_type for o in cell.outputs] == ["stream"]
        assert cell.outputs[0].name == "stdout"
        assert cell.outputs[0].text == section(manifest, found.name)["stdout"]
    assert book.metadata.kernelspec.name == "python3"


def test_figures_are_embedded_as_svg_by_default(frozen):
    book = read(notebook("drawing", frozen))
    assert [c.cell_type for c in book.cells] == ["markdown", "code", "code"]
    assert book.cells[0].source.startswith("# Drawing\n\nTwo sections, three figures.")
    lines, scatter = book.cells[1], book.cells[2]
    assert [o.output_type for o in lines.outputs] == ["display_data", "display_data"]
    assert [o.output_type for o in scatter.outputs] == ["stream", "display_data"]
    shown = lines.outputs[1].data
    assert shown["image/svg+xml"] == (frozen.outputs / "drawing" / "lines-2.light.svg").read_text()
    assert shown["text/plain"] == "<lines-2>"


def test_a_sites_figure_html_is_used_when_given(frozen):
    calls = []

    def figure_html(chapter, name, figure, alt):
        calls.append((chapter, name, figure, alt))
        return f'<img src="{figure}.svg" alt="{alt}">'

    book = read(notebook("drawing", frozen, figure_html=figure_html))
    assert calls == [("drawing", "lines", "lines-1", ""),
                     ("drawing", "lines", "lines-2", "Bars of two heights"),
                     ("drawing", "scatter", "scatter-1", "")]
    data = book.cells[1].outputs[1].data
    assert data["text/html"] == '<img src="lines-2.svg" alt="Bars of two heights">'
    assert "image/svg+xml" not in data


def test_a_chapter_without_frozen_outputs_has_no_notebook(project):
    write_chapter(project, "new", "# %% a\nx = 1\n")
    with pytest.raises(SnippetError, match="new: no frozen outputs to make its notebook from"):
        notebook("new", project)


def test_a_run_notebook_matches_its_frozen_outputs_and_a_change_is_reported(project):
    executed = run_notebook("drawing", project)
    manifest = load_manifest(project, "drawing")
    assert [c.id for c in executed.cells if c.cell_type == "code"] == ["lines", "scatter"]
    assert compare_notebook(manifest, executed) == []

    printed = copy.deepcopy(manifest)
    section(printed, "scatter")["stdout"] = "21 points\n"
    found = compare_notebook(printed, executed)
    assert len(found) == 1
    assert found[0].startswith("drawing.ipynb: cell scatter printed other lines\n")
    assert "-21 points" in found[0] and "+20 points" in found[0]

    drawn = copy.deepcopy(manifest)
    section(drawn, "lines")["figures"] = ["lines-1"]
    assert compare_notebook(drawn, executed) == [
        "drawing.ipynb: cell lines shows 2 figures, not 1"]

    renamed = copy.deepcopy(manifest)
    renamed["sections"][1]["name"] = "dots"
    assert compare_notebook(renamed, executed) == ["drawing.ipynb: cell scatter is no section"]


def test_a_notebooks_table_with_timings_may_print_other_seconds(project):
    executed = run_notebook("printing", project)
    manifest = load_manifest(project, "printing")
    assert section(manifest, "table")["printed_tables"]
    assert compare_notebook(manifest, executed) == []

    done = copy.deepcopy(manifest)
    section(done, "table")["stdout"] = section(done, "table")["stdout"].replace("done", "end")
    found = compare_notebook(done, executed)
    assert len(found) == 1 and found[0].startswith("printing.ipynb: cell table printed other")

    squares = copy.deepcopy(manifest)  # a line of the table without timings: exact
    section(squares, "table")["stdout"] = section(squares, "table")["stdout"].replace(
        "9.0", "9.5")
    assert len(compare_notebook(squares, executed)) == 1


def test_check_chapters_runs_the_notebooks_too(project):
    manifest = load_manifest(project, "printing")
    section(manifest, "load")["stdout"] = "9 numbers, mean 5.7000\n"
    save_manifest(project, "printing", manifest)

    found = check_chapters(project, ["printing"], notebooks=True)["printing"]

    assert len(found) == 2, found
    assert found[0].startswith("printing:load: printed output differs")
    assert found[1].startswith("printing.ipynb: cell load printed other lines")
