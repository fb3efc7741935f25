"""capture and figures: what a run records — printed text and warnings as a reader sees them,
the values a page may quote, and every figure as stable light and dark SVG files."""

import re
import subprocess
import sys

import numpy as np
import pandas as pd
from engine_support import load_manifest, section, write_chapter

from snippet_engine import run_chapter
from snippet_engine.capture import assigned_names, format_warning, to_plain, values
from snippet_engine.figures import DARK_INK, stable_ids

# ----------------------------------------------------------------- printed text and warnings


def test_warnings_are_captured_as_a_reader_sees_them(project):
    write_chapter(project, "warns", '''
# %% fit
import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] > 0).astype(int)
LogisticRegression(max_iter=1).fit(X, y)
print("fitted")
''')
    stdout = section(run_chapter("warns", project).manifest, "fit")["stdout"]
    assert re.match(r"sklearn/\S+\.py:\d+: ConvergenceWarning: lbfgs failed to converge", stdout)
    assert "site-packages" not in stdout and "/" + "sklearn" not in stdout
    assert stdout.endswith("fitted\n")


OLD_LIBRARY = '''import warnings


def inside():
    warnings.warn("inside is deprecated", DeprecationWarning, stacklevel=1)


def outside():
    warnings.warn("outside is deprecated", DeprecationWarning, stacklevel=2)
'''

DEPRECATED = '''
# %% calls
import warnings

from old_library import inside, outside

inside()
outside()
for _ in range(3):
    warnings.warn("mind the gap")
print("done")
'''


def test_library_deprecations_are_hidden_and_the_chapters_own_shown_as_python_does(project):
    """A library's own deprecation warnings are hidden from a reader running the script (by
    Python's default filters, and in Jupyter); one the reader's code triggers is shown, and
    a warning raised again from the same line is shown once."""
    (project.snippets / "old_library.py").write_text(OLD_LIBRARY)
    script = write_chapter(project, "deprecated", DEPRECATED)
    line = script.read_text().splitlines().index("outside()") + 1
    warn_line = script.read_text().splitlines().index('    warnings.warn("mind the gap")') + 1

    stdout = section(run_chapter("deprecated", project).manifest, "calls")["stdout"]

    assert f"deprecated.py:{line}: DeprecationWarning: outside is deprecated\n" in stdout
    assert "inside is deprecated" not in stdout
    assert stdout.count("UserWarning: mind the gap") == 1
    assert f"deprecated.py:{warn_line}: UserWarning: mind the gap\n" in stdout
    assert stdout.endswith("done\n")
    shown = subprocess.run([sys.executable, "deprecated.py"], cwd=project.snippets,
                           capture_output=True, text=True)
    assert "outside is deprecated" in shown.stderr and "inside" not in shown.stderr
    assert shown.stderr.count("UserWarning: mind the gap") == 1


def test_warning_paths_are_the_same_on_every_machine(tmp_path):
    formatted = format_warning(tmp_path)
    library = "/opt/venv/lib/python3.11/site-packages/sklearn/linear_model/_logistic.py"
    assert formatted("slow", UserWarning, library, 7, line="x = 1").startswith(
        "sklearn/linear_model/_logistic.py:7: UserWarning: slow\n")
    assert formatted("own", UserWarning, str(tmp_path / "chapter.py"), 3, line="y").startswith(
        "chapter.py:3: UserWarning: own")
    assert formatted("odd", UserWarning, "/elsewhere/x.py", 1, line="z").startswith(
        "/elsewhere/x.py:1: UserWarning: odd")


# ----------------------------------------------------------------- values


def test_values_are_the_sections_public_names_without_loop_variables(frozen):
    manifest = load_manifest(frozen, "printing")
    load = section(manifest, "load")["values"]
    assert load == {"n_numbers": 10, "mean": 5.7, "label": "five rows"}  # no _hidden, no array
    table = section(manifest, "table")["values"]
    assert set(table) == {"squares", "total", "work_seconds", "timings"}  # no item, no _started
    assert table["total"] == 6
    assert isinstance(table["work_seconds"], float)
    assert table["squares"] == {"table": {
        "columns": ["x", "square"], "index": ["a", "b", "c"], "index_name": "row",
        "rows": [[1, 1.0], [2, 4.0], [3, 9.0]]}}
    assert table["timings"]["table"]["columns"] == ["accuracy", "fit seconds"]


def test_assigned_names_are_the_top_level_bindings():
    code = ("a = 1\nb, (c, d) = 2, (3, 4)\ne: int = 5\nf += 1\nfrom m import g, h as i\n"
            "import j\nfor k in range(2):\n    l = k\ndef n():\n    o = 1\nwith p() as q:\n"
            "    pass\nx = y = 0\n")
    assert assigned_names(code) == {"a", "b", "c", "d", "e", "f", "g", "i", "x", "y"}


def test_only_plain_values_are_kept():
    assert to_plain(np.int64(3)) == 3 and type(to_plain(np.int64(3))) is int
    assert type(to_plain(np.float32(0.5))) is float
    assert to_plain(True) is True and to_plain("short") == "short"
    assert to_plain("x" * 501) is None
    assert to_plain([1, 2.5, "a"]) == [1, 2.5, "a"]
    assert to_plain(list(range(101))) is None
    assert to_plain([[1, 2]]) is None  # no nested lists
    assert to_plain({"a": 1}) is None
    assert to_plain(np.arange(3)) is None
    assert to_plain(pd.DataFrame({"a": range(101)})) is None
    assert to_plain(pd.DataFrame({"a": [{"x": 1}]})) is None
    assert to_plain(pd.DataFrame({"a": [np.int64(1)]}, index=[7])) == {"table": {
        "columns": ["a"], "index": ["7"], "rows": [[1]], "index_name": ""}}


def test_values_skip_private_missing_and_unplain_names():
    namespace = {"a": 1, "_b": 2, "c": object(), "d": [1]}
    assert values(namespace, {"a", "_b", "c", "d", "missing"}) == {"a": 1, "d": [1]}


# ----------------------------------------------------------------- figures


def test_figures_are_frozen_in_order_in_light_and_dark(frozen):
    manifest = load_manifest(frozen, "drawing")
    assert [s["figures"] for s in manifest["sections"]] == [["lines-1", "lines-2"],
                                                            ["scatter-1"]]
    assert section(manifest, "lines")["alt"] == {"lines-2": "Bars of two heights"}
    assert "alt" not in section(manifest, "scatter")
    folder = frozen.outputs / "drawing"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json"] + [f"{f}.{v}.svg" for f in ("lines-1", "lines-2", "scatter-1")
                             for v in ("light", "dark")])
    light = (folder / "lines-1.light.svg").read_text()
    dark = (folder / "lines-1.dark.svg").read_text()
    assert "#000000" in light and "#ffffff" in light  # black ink, white background
    assert DARK_INK in dark and "#000000" not in dark and "#ffffff" not in dark
    assert "<dc:date>" not in light and "<dc:date>" not in dark  # no timestamp
    scatter_light = (folder / "scatter-1.light.svg").read_text()
    scatter_dark = (folder / "scatter-1.dark.svg").read_text()
    assert "#1f77b4" in scatter_light and "#1f77b4" in scatter_dark  # data colours stay
    for name in ("lines-1", "lines-2", "scatter-1"):
        text = (folder / f"{name}.light.svg").read_text()
        assert not re.search(r'id="[a-z]+[0-9a-f]{10}"', text)  # hashed ids renumbered


def test_stable_ids_renumber_hashed_ids_consistently():
    svg = ('<clipPath id="p1a2b3c4d5e"/><g clip-path="url(#p1a2b3c4d5e)"/>'
           '<use xlink:href="#m0f0f0f0f0f"/><path id="m0f0f0f0f0f"/><g id="axes_1"/>')
    assert stable_ids(svg) == ('<clipPath id="p0"/><g clip-path="url(#p0)"/>'
                               '<use xlink:href="#m1"/><path id="m1"/><g id="axes_1"/>')
    assert stable_ids('<g id="figure_1"/>') == '<g id="figure_1"/>'
