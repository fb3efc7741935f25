"""Site sections: code only the site needs (``# %% name tags=["site"]``) runs and is
recorded, but no page shows it and the downloads leave it out."""

import nbformat
import pytest
from engine_support import load_manifest, section, write_chapter

from snippet_engine import (ChapterDirectives, SnippetError, helpers_of, notebook,
                            parse_sections, reader_helpers, reader_script, refresh,
                            unshown)

CHAPTER = '''"""Scored
======

A chapter whose last section keeps a row for the site.
"""

# %% [markdown]
# The numbers.

# %% score
import numpy as np

numbers = np.loadtxt("data/numbers.csv", delimiter=",")
score = float(numbers.mean())
print(f"score {score:.2f}")

# %% bookkeeping tags=["site"]
from site_helper import describe

described = describe(score)
'''

HELPER = '''"""What only the site's bookkeeping imports."""


def describe(value):
    return f"value {value:.1f}"
'''


@pytest.fixture
def scored(project):
    (project.snippets / "site_helper.py").write_text(HELPER)
    write_chapter(project, "scored", CHAPTER)
    return project


def test_a_site_section_is_parsed_as_one(scored):
    sections = parse_sections(scored.script("scored"))
    assert [(s.name, s.site) for s in sections] == [("score", False), ("bookkeeping", True)]
    assert sections[1].code.startswith("from site_helper import describe\n")


def test_the_download_leaves_site_sections_out_and_the_rest_as_written(scored):
    text = reader_script(scored.script("scored"))
    assert "bookkeeping" not in text and "site_helper" not in text
    assert text == CHAPTER[:CHAPTER.index("# %% bookkeeping")].rstrip("\n") + "\n"
    downloaded = scored.snippets / "downloaded.py"
    downloaded.write_text(text)
    assert [s.name for s in parse_sections(downloaded)] == ["score"]


def test_a_site_section_runs_and_its_values_are_recorded(scored):
    assert "scored" in refresh(scored, ["scored"])
    frozen = load_manifest(scored, "scored")
    values = section(frozen, "bookkeeping")["values"]
    assert values["described"] == "value 5.7"


def test_pages_and_notebooks_never_show_a_site_section(scored):
    refresh(scored, ["scored"])
    frozen = load_manifest(scored, "scored")
    page = ChapterDirectives("scored", frozen, link=str, script=scored.script("scored"))
    assert "numbers.mean()" in page.code("score")
    with pytest.raises(ValueError, match="section 'bookkeeping' is tagged \"site\": a page "
                                         "shows only the code a reader runs"):
        page.code("bookkeeping")
    assert section(frozen, "bookkeeping")["site"] is True
    assert unshown(frozen, {"code:score", "output:score"}) == []
    book = nbformat.reads(notebook("scored", scored), as_version=4)
    assert [c.id for c in book.cells if c.cell_type == "code"] == ["score"]


def test_the_readers_helpers_are_those_the_download_imports(scored):
    assert [p.name for p in helpers_of("scored", scored)] == ["site_helper.py"]
    assert reader_helpers("scored", scored) == []


@pytest.mark.parametrize("change, complaint", [
    ("described = ", 'print("row")\ndescribed = '),
    ("described = ", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\ndescribed = "),
])
def test_a_site_section_that_prints_or_draws_is_refused(scored, change, complaint):
    script = scored.script("scored")
    script.write_text(script.read_text().replace(change, complaint))
    with pytest.raises(SnippetError, match=r"snippets/scored.py:\d+: section 'bookkeeping' is "
                                           r"tagged \"site\" and (printed|drew a figure)"):
        refresh(scored, ["scored"])
    assert not (scored.outputs / "scored").exists()


@pytest.mark.parametrize("body, complaint", [
    (CHAPTER + "\n# %% after\nx = 1\n",
     r"scored.py:\d+: section 'after' comes after a section tagged \"site\""),
    (CHAPTER.replace('tags=["site"]', "tags=site"),
     r"scored.py:\d+: write a cell's tags as a JSON list of strings"),
])
def test_site_sections_come_last_and_tags_are_a_json_list(tmp_path, body, complaint):
    script = tmp_path / "scored.py"
    script.write_text(body)
    with pytest.raises(SnippetError, match=complaint):
        parse_sections(script)


def test_other_tags_are_allowed_and_do_not_hide_a_section(tmp_path):
    script = tmp_path / "tagged.py"
    script.write_text('"""T\n=\n"""\n\n# %% shown tags=["keep"]\nx = 1\n')
    assert [(s.name, s.site) for s in parse_sections(script)] == [("shown", False)]
    assert reader_script(script) == script.read_text()


def test_a_tag_added_after_a_checkpoint_still_marks_and_checks_the_restored_section(scored):
    """The tag is not part of a checkpoint's key: a section restored from before it was
    tagged is marked site, and refused if it printed, all the same."""
    from engine_support import edit

    edit(scored.root / "pyproject.toml", 'svg-salt = "engine-tests"',
         'svg-salt = "engine-tests"\ncheckpoint-after = 0')
    script = scored.script("scored")
    edit(script, '# %% bookkeeping tags=["site"]\n', "# %% bookkeeping\n")
    edit(script, "described = ", 'print("bookkeeping")\ndescribed = ')
    refresh(scored, ["scored"])
    assert "site" not in section(load_manifest(scored, "scored"), "bookkeeping")

    edit(script, "# %% bookkeeping\n", '# %% bookkeeping tags=["site"]\n')
    with pytest.raises(SnippetError, match="section 'bookkeeping' is tagged \"site\" and "
                                           r"printed \(warnings included\)"):
        refresh(scored, ["scored"])
    edit(script, 'print("bookkeeping")\n', "")
    refresh(scored, ["scored"])
    assert section(load_manifest(scored, "scored"), "bookkeeping")["site"] is True
