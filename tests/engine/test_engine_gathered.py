"""gathered: every chapter's table of one name, written into one CSV file after each freeze,
and a chapter that reads that file run again when a table changes."""

import pytest
from engine_support import edit, load_manifest, section, write_chapter

from snippet_engine import SnippetError, check_digests, gathered, refresh

TABLE = '''"""A chapter with a table for the board."""

# %% board
import pandas as pd

board = pd.DataFrame({"model": ["NAME"], "score": [SCORE]}).set_index("model")
'''

READER = '''"""A chapter that reads the gathered board."""

# %% read
import pandas as pd

rows = len(pd.read_csv("outputs/board.csv"))
best = float(pd.read_csv("outputs/board.csv")["score"].max())
'''


@pytest.fixture
def board_project(project):
    edit(project.root / "pyproject.toml", "[tool.snippet_engine.helper-files]\n",
         '[tool.snippet_engine.gathered]\n"outputs/board.csv" = "board"\n\n'
         '[tool.snippet_engine.helper-files]\nreader = ["outputs/board.csv"]\n')
    write_chapter(project, "table-a", TABLE.replace("NAME", "a").replace("SCORE", "0.5"))
    write_chapter(project, "table-b", TABLE.replace("NAME", "b").replace("SCORE", "0.1 + 0.2"))
    write_chapter(project, "reader", READER)
    return project.__class__(project.root)


def test_tables_are_gathered_after_each_freeze_and_their_reader_runs_after_them(board_project):
    project = board_project
    ran = refresh(project, jobs=1)
    assert ran[-1] == "reader" and {"table-a", "table-b"} <= set(ran)  # it waited for them
    text = (project.root / "outputs" / "board.csv").read_text()
    assert text == "model,chapter,score\na,table-a,0.5\nb,table-b,0.30000000000000004\n"
    values = section(load_manifest(project, "reader"), "read")["values"]
    assert values == {"rows": 2, "best": 0.5}
    assert check_digests(project) == {}

    edit(project.script("table-a"), "[0.5]", "[0.9]")
    assert refresh(project, jobs=1) == ["table-a", "reader"]  # the reader, once more
    assert section(load_manifest(project, "reader"), "read")["values"]["best"] == 0.9
    assert check_digests(project) == {}


def test_a_gathered_file_that_lags_the_manifests_is_stale_and_refresh_writes_it(board_project):
    project = board_project
    refresh(project, jobs=1)
    path = project.root / "outputs" / "board.csv"
    path.write_text("model,chapter,score\nmade,up,1.0\n")
    assert check_digests(project)["outputs/board.csv"].startswith(
        "outputs/board.csv differs from the 'board' tables in the chapters' frozen manifests")
    refresh(project, jobs=1)
    assert "made,up" not in path.read_text() and check_digests(project) == {}


def test_tables_that_disagree_on_their_columns_are_refused_naming_both(board_project):
    project = board_project
    write_chapter(project, "table-b", TABLE.replace('"score"', '"points"')
                  .replace("NAME", "b").replace("SCORE", "1"))
    with pytest.raises(SnippetError, match=r"table-b: its 'board' table has index 'model' "
                       r"and columns \['points'\], but table-a's has"):
        refresh(project, jobs=1)
