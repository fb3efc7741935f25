"""sections: a chapter script's named sections, its text cells and its title."""

import re

import pytest
from engine_support import FIXTURE

from snippet_engine import SnippetError, markdown_cells, parse_sections
from snippet_engine.sections import title_markdown

PRINTING = FIXTURE / "snippets" / "printing.py"


def test_sections_are_split_at_their_markers_with_their_first_code_line():
    lines = PRINTING.read_text().splitlines()
    sections = parse_sections(PRINTING)
    assert [s.name for s in sections] == ["load", "table"]
    for found in sections:
        start = lines.index(f"# --8<-- [start:{found.name}]")
        end = lines.index(f"# --8<-- [end:{found.name}]")
        assert found.line == start + 2  # 1-based, the line after the marker
        assert found.code == "".join(f"{line}\n" for line in lines[start + 1:end])
    assert sections[0].code.startswith("import numpy as np\n")
    assert "# --8<--" not in sections[0].code + sections[1].code


def test_outside_sections_only_a_docstring_comments_and_blank_lines_are_allowed(tmp_path):
    script = tmp_path / "ok.py"
    script.write_text('"""Title\n=====\n"""\n\n# a comment\n# %% [markdown]\n# text\n\n'
                      "  # --8<-- [start:a-1_b]\nx = 1\n  # --8<-- [end:a-1_b]\n")
    assert [(s.name, s.line, s.code) for s in parse_sections(script)] == [("a-1_b", 10, "x = 1\n")]


def test_a_marker_with_a_name_pymdownx_would_not_take_is_only_a_comment(tmp_path):
    script = tmp_path / "odd.py"
    script.write_text("# --8<-- [start:Upper]\n# --8<-- [end:Upper]\n")
    assert parse_sections(script) == []


@pytest.mark.parametrize("body, complaint", [
    ("# --8<-- [start:a]\nx = 1\n", "snippets/bad.py: section 'a' is never closed"),
    ("# --8<-- [start:a]\n# --8<-- [start:b]\n",
     "snippets/bad.py:2: section 'b' starts inside 'a'"),
    ("# --8<-- [start:a]\n# --8<-- [end:a]\n# --8<-- [start:a]\n# --8<-- [end:a]\n",
     "snippets/bad.py:3: section 'a' is defined twice"),
    ("x = 1\n# --8<-- [start:a]\n# --8<-- [end:a]\n",
     "snippets/bad.py: code outside a named section would not be shown"),
    ("# --8<-- [start:a]\n# --8<-- [end:a]\nprint('after')\n",
     "snippets/bad.py: code outside a named section"),
    ("# --8<-- [end:a]\n", "snippets/bad.py:1: [end:a] does not close an open section"),
    ("# --8<-- [start:a]\n# --8<-- [end:b]\n", "snippets/bad.py:2: [end:b] does not close"),
    ("def f(:\n# --8<-- [start:a]\n# --8<-- [end:a]\n", "snippets/bad.py: code outside sections:"),
])
def test_malformed_scripts_are_refused(tmp_path, body, complaint):
    script = tmp_path / "bad.py"
    script.write_text(body)
    with pytest.raises(SnippetError, match=re.escape(complaint)):
        parse_sections(script, "snippets/bad.py")


def test_messages_name_the_script_by_default(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("# --8<-- [start:a]\n")
    with pytest.raises(SnippetError, match=r"^mine\.py: section 'a' is never closed"):
        parse_sections(script)


def test_text_cells_belong_to_the_next_section_and_a_trailing_one_to_the_end():
    assert markdown_cells(PRINTING) == {
        "load": ["Some numbers, read from the data file."],
        "table": ["A table, and a *timing*.", "Two text cells before one section."],
        "": ["That is all."],
    }


def test_a_script_without_text_cells_has_none():
    assert markdown_cells(FIXTURE / "snippets" / "drawing.py") == {}


def test_text_cells_wait_for_a_cell_that_starts_a_section(tmp_path):
    script = tmp_path / "cells.py"
    script.write_text("# %% [markdown]\n# First.\n\n# %%\n# only a comment\n\n"
                      "# %% [markdown]\n# Second.\n\n# %%\n# --8<-- [start:s]\nx = 1\n"
                      "# --8<-- [end:s]\n")
    assert markdown_cells(script) == {"s": ["First.", "Second."]}


def test_the_title_docstring_becomes_a_markdown_heading(tmp_path):
    assert title_markdown(PRINTING) == (
        "# Printing\n\nA chapter that prints, and defines values a page can quote.")
    plain = tmp_path / "plain.py"
    plain.write_text('"""Just a sentence.\n\nAnd another."""\n')
    assert title_markdown(plain) == "Just a sentence.\n\nAnd another."
    untitled = tmp_path / "untitled.py"
    untitled.write_text("# --8<-- [start:a]\n# --8<-- [end:a]\n")
    assert title_markdown(untitled) == "untitled"
