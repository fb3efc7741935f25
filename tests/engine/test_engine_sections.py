"""sections: a chapter script's named sections, its text cells and its title."""

import re

import pytest
from engine_support import FIXTURE

from snippet_engine import SnippetError, markdown_cells, parse_sections
from snippet_engine.config import has_sections
from snippet_engine.sections import title_markdown

PRINTING = FIXTURE / "snippets" / "printing.py"


def test_sections_are_the_titled_code_cells_with_their_first_code_line():
    lines = PRINTING.read_text().splitlines()
    sections = parse_sections(PRINTING)
    assert [s.name for s in sections] == ["load", "table", "claims"]
    for found in sections:
        title = next(i for i, line in enumerate(lines)
                     if line in (f"# %% {found.name}", f'# %% {found.name} tags=["site"]'))
        assert found.line == title + 2  # 1-based, the line after the title
        code = found.code.splitlines()
        assert lines[title + 1:title + 1 + len(code)] == code
    assert sections[0].code.startswith("import numpy as np\n")
    assert sections[0].code.endswith('print(f"{n_numbers} numbers, mean {mean:.4f}")\n')
    assert "# %%" not in sections[0].code + sections[1].code
    assert [s.site for s in sections] == [False, False, True]


def test_before_the_first_section_only_a_docstring_and_comments_are_allowed(tmp_path):
    script = tmp_path / "ok.py"
    script.write_text('"""Title\n=====\n"""\n\n# a comment\n# %% [markdown]\n# text\n\n'
                      "# %% a-1_b\n\nx = 1\n\n\n# %% [markdown]\n# more text\n")
    # blank lines around the code are not part of it; its line is its first one
    assert [(s.name, s.line, s.code) for s in parse_sections(script)] == [("a-1_b", 11, "x = 1\n")]


def test_a_script_without_titled_code_cells_is_no_chapter(tmp_path):
    script = tmp_path / "helper.py"
    script.write_text("import os\n\n# %%\nx = 1\n\n# %% [markdown]\n# text\n")
    assert not has_sections(script)
    script.write_text("import os\n\n# %% a\nx = 1\n")
    assert has_sections(script)


@pytest.mark.parametrize("body, complaint", [
    ("# %%\nx = 1\n", "snippets/bad.py:1: a code cell needs a section name"),
    ("# %% Upper\nx = 1\n", "snippets/bad.py:1: a code cell needs a section name (lower-case "
     "letters, digits, - and _, starting with a letter): '# %% Upper'"),
    ("# %% a\nx = 1\n# %% a\ny = 2\n", "snippets/bad.py:3: section 'a' is defined twice"),
    ("x = 1\n# %% a\n", "snippets/bad.py: code outside a named section would not be shown"),
    ("# %% a\nx = 1\n# %% [markdown]\n# text\nprint('hidden')\n",
     "snippets/bad.py:5: code in a text cell would not run"),
    ("def f(:\n# %% a\n", "snippets/bad.py: code before the first section:"),
    ("# %% a\nx = 1\n#%% b\ny = 2\n", "snippets/bad.py:3: write a cell as '# %% name'"),
    ("# %% a\nx = 1\n# %% [md]\n# text\n", "snippets/bad.py:3: a code cell needs a section"),
])
def test_malformed_scripts_are_refused(tmp_path, body, complaint):
    script = tmp_path / "bad.py"
    script.write_text(body)
    with pytest.raises(SnippetError, match=re.escape(complaint)):
        parse_sections(script, "snippets/bad.py")


def test_messages_name_the_script_by_default(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("# %%\n")
    with pytest.raises(SnippetError, match=r"^mine\.py:1: a code cell needs a section name"):
        parse_sections(script)


def test_text_cells_belong_to_the_next_section_and_a_trailing_one_to_the_end():
    assert markdown_cells(PRINTING) == {
        "load": ["Some numbers, read from the data file."],
        "table": ["A table, and a *timing*.", "Two text cells before one section."],
        "": ["That is all."],
    }


def test_a_script_without_text_cells_has_none():
    assert markdown_cells(FIXTURE / "snippets" / "drawing.py") == {}


def test_consecutive_text_cells_all_belong_to_the_next_section(tmp_path):
    script = tmp_path / "cells.py"
    script.write_text("# %% [markdown]\n# First.\n\n# %% [markdown]\n# Second.\n\n"
                      "# %% s\nx = 1\n")
    assert markdown_cells(script) == {"s": ["First.", "Second."]}


def test_the_title_docstring_becomes_a_markdown_heading(tmp_path):
    assert title_markdown(PRINTING) == (
        "# Printing\n\nA chapter that prints, and defines values a page can quote.")
    plain = tmp_path / "plain.py"
    plain.write_text('"""Just a sentence.\n\nAnd another."""\n')
    assert title_markdown(plain) == "Just a sentence.\n\nAnd another."
    untitled = tmp_path / "untitled.py"
    untitled.write_text("# %% a\nx = 1\n")
    assert title_markdown(untitled) == "untitled"


def test_a_script_whose_sections_all_carry_tags_is_a_chapter(tmp_path):
    script = tmp_path / "tagged.py"
    script.write_text('# %% shown tags=["keep"]\nx = 1\n\n# %% rows tags=["site"]\ny = 2\n')
    assert has_sections(script)
