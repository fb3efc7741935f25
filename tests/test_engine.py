"""The engine: it runs sections in order, freezes outputs, and its check can fail."""

import json
import os
import platform
import re
import subprocess
import sys

import pytest

import snippet_engine as engine
from snippet_engine import (Project, SnippetError, check_chapter, parse_sections, refresh,
                            run_chapter, write_outputs)


def write_chapter(project: Project, name: str, body: str) -> None:
    (project.snippets / f"{name}.py").write_text(body)


TINY = '''"""A tiny chapter."""

# --8<-- [start:hello]
greeting = "hello"
answer = 6 * 7
print(greeting, answer)
# --8<-- [end:hello]
'''


# ----------------------------------------------------------------- the check can fail


def test_altered_frozen_number_is_reported(project_copy):
    manifest_path = project_copy.outputs / "meet-mnist" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    pixels = next(s for s in manifest["sections"] if s["name"] == "pixels")
    pixels["values"]["empty_share"] *= 1.001
    pixels["stdout"] = pixels["stdout"].replace("0 to 255", "0 to 254")
    manifest_path.write_text(json.dumps(manifest))

    problems = check_chapter("meet-mnist", project_copy)

    assert any("value empty_share was" in p for p in problems), problems
    assert any("meet-mnist:pixels: printed output differs" in p and "0 to 254" in p
               for p in problems), problems


def test_float_within_tolerance_is_not_reported(project_copy):
    manifest_path = project_copy.outputs / "meet-mnist" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    pixels = next(s for s in manifest["sections"] if s["name"] == "pixels")
    pixels["values"]["empty_share"] *= 1 + engine.FLOAT_TOLERANCE / 10
    manifest_path.write_text(json.dumps(manifest))

    assert check_chapter("meet-mnist", project_copy) == []


def test_altered_snippet_is_reported(project_copy):
    script = project_copy.script("meet-mnist")
    source = script.read_text()
    assert "default_rng(seed=42)" in source
    script.write_text(source.replace("default_rng(seed=42)", "default_rng(seed=7)"))

    problems = check_chapter("meet-mnist", project_copy)

    assert any("frozen outputs are stale (changed: files.meet-mnist.py)" in p for p in problems)
    assert any("figure five-random-1.light.svg differs" in p for p in problems), problems


def test_edited_helper_module_makes_every_chapter_stale(project_copy):
    helper = project_copy.snippets / "mnist_data.py"
    helper.write_text(helper.read_text() + "\n# a comment is a change too\n")
    assert not engine.is_fresh("meet-mnist", project_copy)


def test_re_exported_network_makes_the_chapters_that_run_it_stale(project_copy):
    weights = project_copy.root / "models" / "digit-cnn.bin"
    weights.write_bytes(weights.read_bytes()[::-1])
    assert not engine.is_fresh("shipping-a-model", project_copy)
    assert engine.is_fresh("convolutional-network", project_copy)  # it writes them


def test_a_run_imports_helpers_afresh_and_gives_the_callers_back(project_copy):
    # The run must see an edited helper; the caller (a test holding digit_net's exception
    # class, say) must keep the module objects it imported, or `except` stops matching.
    import mnist_data

    write_chapter(project_copy, "tiny", "# --8<-- [start:which]\nimport mnist_data\n"
                  "helper_id = id(mnist_data)\n# --8<-- [end:which]\n")
    run = run_chapter("tiny", project_copy)
    assert run.manifest["sections"][0]["values"]["helper_id"] != id(mnist_data)
    assert sys.modules["mnist_data"] is mnist_data


# ----------------------------------------------------------------- freshness and rebuilds


def test_nothing_runs_when_nothing_changed(project_copy):
    assert refresh(project=project_copy) == []


def test_only_the_edited_chapter_runs_again(project_copy):
    # Every chapter is considered; only the new, then the edited, one may run.
    write_chapter(project_copy, "tiny", TINY)
    assert refresh(project=project_copy) == ["tiny"]  # new: no outputs yet
    assert refresh(project=project_copy) == []
    write_chapter(project_copy, "tiny", TINY.replace("6 * 7", "6 * 8"))
    assert refresh(project=project_copy) == ["tiny"]
    manifest = engine.read_manifest("tiny", project_copy)
    assert manifest["sections"][0]["values"] == {"answer": 48, "greeting": "hello"}
    assert manifest["sections"][0]["stdout"] == "hello 48\n"


@pytest.mark.parametrize("chapter", Project().chapters())
def test_two_runs_write_byte_identical_outputs(tmp_path, chapter):
    # Models come from the cache that test_chapters filled, as in any second build.
    first, second = Project(tmp_path / "a"), Project(tmp_path / "b")
    for copy in (first, second):
        write_outputs(chapter, run_chapter(chapter), copy)
    a, b = first.outputs / chapter, second.outputs / chapter
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert "manifest.json" in names and len(names) > 1
    for name in names:
        if name == "manifest.json":  # identical, but for the wall-clock times it records
            assert (_without_measurements(json.loads((a / name).read_text()))
                    == _without_measurements(json.loads((b / name).read_text())))
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def _without_measurements(manifest: dict) -> dict:
    for section in manifest["sections"]:
        for name, value in section["values"].items():
            if engine.MEASURED.search(name):
                section["values"][name] = "measured"
            elif isinstance(value, dict) and "table" in value:
                columns = value["table"]["columns"]
                for row in value["table"]["rows"]:
                    for i, column in enumerate(columns):
                        if engine.MEASURED.search(column):
                            row[i] = "measured"
    return manifest


# ----------------------------------------------------------------- failures are clear and safe


def test_failing_snippet_names_file_line_and_writes_nothing(project_copy):
    script = project_copy.script("meet-mnist")
    lines = script.read_text().splitlines()
    at = lines.index("# --8<-- [start:pixels]") + 2  # the second line of the section
    lines.insert(at - 1, 'raise ValueError("a broken snippet")')
    script.write_text("\n".join(lines) + "\n")
    frozen = {p.name: p.read_bytes() for p in (project_copy.outputs / "meet-mnist").iterdir()}

    with pytest.raises(SnippetError) as caught:
        refresh(["meet-mnist"], project=project_copy)

    message = str(caught.value)
    assert f"meet-mnist.py:{at}: section 'pixels' raised ValueError: a broken snippet" in message
    assert "Traceback" in message
    after = {p.name: p.read_bytes() for p in (project_copy.outputs / "meet-mnist").iterdir()}
    assert after == frozen
    assert not [p for p in project_copy.outputs.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("body, complaint", [
    ("# --8<-- [start:a]\nx = 1\n", "section 'a' is never closed"),
    ("# --8<-- [start:a]\n# --8<-- [start:b]\n", "section 'b' starts inside 'a'"),
    ("# --8<-- [start:a]\n# --8<-- [end:a]\n# --8<-- [start:a]\n# --8<-- [end:a]\n",
     "section 'a' is defined twice"),
    ("x = 1\n# --8<-- [start:a]\n# --8<-- [end:a]\n", "code outside a named section"),
    ("# --8<-- [end:a]\n", "[end:a] does not close an open section"),
])
def test_malformed_scripts_are_refused(tmp_path, body, complaint):
    script = tmp_path / "bad.py"
    script.write_text(body)
    with pytest.raises(SnippetError, match=re.escape(complaint)):
        parse_sections(script)


# ----------------------------------------------------------------- what a run captures


def test_warnings_are_captured_as_a_reader_sees_them(project_copy):
    write_chapter(project_copy, "warns", '''
# --8<-- [start:fit]
import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = (X[:, 0] > 0).astype(int)
LogisticRegression(max_iter=1).fit(X, y)
print("fitted")
# --8<-- [end:fit]
''')
    stdout = run_chapter("warns", project_copy).manifest["sections"][0]["stdout"]
    assert re.match(r"sklearn/\S+\.py:\d+: ConvergenceWarning: lbfgs failed to converge", stdout)
    assert "site-packages" not in stdout and stdout.endswith("fitted\n")


def test_deprecations_show_as_python_shows_them(project_copy):
    """A library's own deprecation warnings are hidden from a reader running the script (by
    Python's default filters, and in Jupyter); one the reader's code triggers is shown."""
    (project_copy.snippets / "old_library.py").write_text(
        "import warnings\n\n\ndef inside():\n"
        "    warnings.warn('inside is deprecated', DeprecationWarning, stacklevel=1)\n\n\n"
        "def outside():\n"
        "    warnings.warn('outside is deprecated', DeprecationWarning, stacklevel=2)\n")
    write_chapter(project_copy, "deprecated", '''
# --8<-- [start:calls]
from old_library import inside, outside

inside()
outside()
# --8<-- [end:calls]
''')
    stdout = run_chapter("deprecated", project_copy).manifest["sections"][0]["stdout"]
    assert "outside is deprecated" in stdout
    assert "inside is deprecated" not in stdout
    shown = subprocess.run([sys.executable, "deprecated.py"], cwd=project_copy.snippets,
                           capture_output=True, text=True)
    assert ("outside is deprecated" in shown.stderr) and ("inside" not in shown.stderr)


def test_figures_are_frozen_in_order_in_light_and_dark(project_copy):
    write_chapter(project_copy, "plots", '''
# --8<-- [start:two]
import matplotlib.pyplot as plt

plt.plot([0, 1], [1, 0], color="black")
plt.title("first")
plt.show()
plt.figure()
plt.bar([0, 1], [2, 3])
# --8<-- [end:two]
''')
    run = run_chapter("plots", project_copy)
    assert run.manifest["sections"][0]["figures"] == ["two-1", "two-2"]
    assert set(run.files) == {f"two-{n}.{v}.svg" for n in (1, 2) for v in ("light", "dark")}
    light, dark = run.files["two-1.light.svg"].decode(), run.files["two-1.dark.svg"].decode()
    assert "#000000" in light and engine.DARK_INK in dark and "#000000" not in dark
    assert "<dc:date>" not in light  # no timestamp in the file


def test_stable_ids_renumber_hashed_ids_consistently():
    svg = '<clipPath id="p1a2b3c4d5e"/><g clip-path="url(#p1a2b3c4d5e)"/><use xlink:href="#m0f0f0f0f0f"/><path id="m0f0f0f0f0f"/>'
    assert engine._stable_ids(svg) == ('<clipPath id="p0"/><g clip-path="url(#p0)"/>'
                                       '<use xlink:href="#m1"/><path id="m1"/>')


# ----------------------------------------------------------------- what pages may embed


@pytest.fixture
def embed():
    manifest = engine.read_manifest("meet-mnist")
    return engine._Embedder("meet-mnist", manifest, lambda uri: f"../../{uri}")


def test_directives_expand_from_frozen_outputs(embed):
    assert embed('value("n_images", ",")') == "70,000"
    assert embed('code("pixels")').splitlines()[1] == '--8<-- "meet-mnist.py:pixels"'
    assert embed('output("pixels")').startswith('```text title="Output"\npixel range: 0 to 255')
    figure = embed('figure("first-ten", alt="Ten digits", caption="The first ten.")')
    assert "![Ten digits](../../outputs/meet-mnist/first-ten-1.light.svg#only-light)" in figure
    assert "/// caption\nThe first ten.\n///" in figure


@pytest.mark.parametrize("call, complaint", [
    ('value("no_such_value")', "no value 'no_such_value'"),
    ('code("no-such-section")', "no section 'no-such-section'"),
    ('figure("first-ten", alt="Ten digits")', "needs alt text and a caption"),
    ('figure("first-ten", 2, alt="a", caption="b")', "draws 1 figure(s), not 2"),
    ('output("labels-to-int") + 1', "expected a call"),
    ('shell("rm -rf /")', "unknown directive shell()"),
])
def test_bad_directives_are_refused(embed, call, complaint):
    with pytest.raises(ValueError, match=re.escape(complaint)):
        embed(call)


# ----------------------------------------------------------------- measurements and the model cache


def test_timings_are_measurements_not_results(project_copy):
    write_chapter(project_copy, "timed", '''
# --8<-- [start:time]
import time

import pandas as pd

_started = time.perf_counter()  # private names are not frozen
total = sum(range(1000))
fit_seconds = time.perf_counter() - _started
timings = pd.DataFrame({"accuracy": [0.5], "fit seconds": [fit_seconds]})
# --8<-- [end:time]
''')
    refresh(["timed"], project=project_copy)
    assert check_chapter("timed", project_copy) == []  # the times differ, nothing else does
    manifest_path = project_copy.outputs / "timed" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["sections"][0]["values"]["timings"]["table"]["rows"][0][0] = 0.6
    manifest_path.write_text(json.dumps(manifest))
    assert any("value timings was" in p for p in check_chapter("timed", project_copy))


def test_cached_model_replays_its_fit_warnings(project_copy):
    write_chapter(project_copy, "cached", '''
# --8<-- [start:fit]
import numpy as np
from sklearn.linear_model import LogisticRegression

from model_cache import fit

rng = np.random.default_rng(0)
X = rng.normal(size=(80, 4))
y = (X[:, 0] + X[:, 1] > 0).astype(int)
model, fit_seconds = fit(LogisticRegression(max_iter=2), X, y)
score = model.score(X, y)
print("score", score)
# --8<-- [end:fit]
''')
    cold = run_chapter("cached", project_copy).manifest["sections"][0]
    cache = list((project_copy.root / ".cache" / "models").glob("LogisticRegression-*.joblib"))
    assert len(cache) == 1
    warm = run_chapter("cached", project_copy).manifest["sections"][0]
    assert "ConvergenceWarning" in cold["stdout"]
    assert warm["stdout"] == cold["stdout"] and warm["values"] == cold["values"]


# ----------------------------------------------------------------- the same bits everywhere


def test_numerics_are_pinned_in_the_test_process():
    engine._check_numerics()  # raises if numpy was imported before the engine set the pins


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the pins are for x86-64")
def test_chapters_refuse_to_run_under_other_machine_code():
    env = {**os.environ, "OPENBLAS_CORETYPE": "Sandybridge"}  # AVX, not AVX2 kernels
    done = subprocess.run(
        [sys.executable, "-c", "import snippet_engine as e; e.run_chapter('meet-mnist')"],
        cwd=engine.ROOT, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "numerics are not pinned (OpenBLAS uses Sandybridge kernels" in done.stderr


def test_network_chapters_refuse_pytorch_under_other_machine_code(project_copy):
    write_chapter(project_copy, "torch-chapter", '''
# --8<-- [start:tensor]
import torch

print(torch.ones(2).sum().item())
# --8<-- [end:tensor]
''')
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "default"}  # no vector kernels at all
    script = ("import snippet_engine as e; "
              "from pathlib import Path; "
              f"e.run_chapter('torch-chapter', e.Project(Path({str(project_copy.root)!r})))")
    done = subprocess.run([sys.executable, "-c", script], cwd=engine.ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "numerics are not pinned (PyTorch uses DEFAULT kernels" in done.stderr


def test_text_cells_before_a_section_are_markdown_cells_of_its_notebook(project_copy):
    import nbformat

    write_chapter(project_copy, "stated", '''"""
A title
=======
"""

# %% [markdown]
# ## Exercise 1
#
# Say *hello*.

# %%
# --8<-- [start:hello]
print("hello")  # a comment in the code stays code
# --8<-- [end:hello]

# %% [markdown]
# That is all.
''')
    refresh(["stated"], project=project_copy)
    book = nbformat.reads(engine.notebook("stated", project_copy), as_version=4)
    assert [cell.cell_type for cell in book.cells] == ["markdown", "markdown", "code", "markdown"]
    assert book.cells[3].source == "That is all."
    assert book.cells[0].source == "# A title"
    assert book.cells[1].source == "## Exercise 1\n\nSay *hello*."
    assert book.cells[2].source.endswith("# a comment in the code stays code")
    assert book.cells[2].outputs[0].text == "hello\n"


def test_notebook_page_shows_labelled_figures_and_refuses_unlabelled_ones(project_copy):
    import nbformat

    drawing = '''# --8<-- [start:draw]
import matplotlib.pyplot as plt

fig, ax = plt.subplots(num=LABEL)
ax.plot([0, 1], [1, 0])
plt.show()
# --8<-- [end:draw]
'''
    write_chapter(project_copy, "drawn", drawing.replace("LABEL", '"A line falling from 1 to 0"'))
    refresh(["drawn"], project=project_copy)
    assert engine.read_manifest("drawn", project_copy)["sections"][0]["alt"] == {
        "draw-1": "A line falling from 1 to 0"}
    page = nbformat.reads(engine.notebook("drawn", project_copy, page=True), as_version=4)
    html = page.cells[-1].outputs[0].data["text/html"]
    assert '<img src="../../outputs/drawn/draw-1.dark.svg#only-dark" alt="A line falling' in html
    assert "<figcaption>" in html
    download = nbformat.reads(engine.notebook("drawn", project_copy), as_version=4)
    assert download.cells[-1].outputs[0].data["image/svg+xml"].startswith("<?xml")

    write_chapter(project_copy, "drawn", drawing.replace("LABEL", "None"))
    refresh(["drawn"], project=project_copy)
    with pytest.raises(SnippetError, match=r"draw: figure draw-1 needs alt text .*num="):
        engine.notebook("drawn", project_copy, page=True)


def test_network_chapter_runs_alike_twice_in_one_process(project_copy):
    """Keras numbers its layers per process (conv2d, conv2d_1, ...); a second chapter run in
    the same process must see the names a reader's fresh run sees."""
    write_chapter(project_copy, "names", '''
# --8<-- [start:build]
import os

os.environ["KERAS_BACKEND"] = "torch"
import keras
from keras import layers

network = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
print([layer.name for layer in network.layers])
# --8<-- [end:build]
''')
    first = run_chapter("names", project_copy).manifest["sections"][0]["stdout"]
    second = run_chapter("names", project_copy).manifest["sections"][0]["stdout"]
    assert first == second == "['dense']\n"
