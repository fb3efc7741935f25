"""checkpoints: a re-run restores the unchanged sections and runs the rest, with the same
outputs as a run from the start."""

import importlib.util
import json
import logging
import re

import pytest
from engine_support import (edit, load_manifest, section, without_measurements,
                            write_chapter)

from snippet_engine import SnippetError, refresh, run_chapter
from snippet_engine.checkpoints import ARRAY_BYTES

# Each section leaves state a later one reads: globals through a function, a class, the
# random generators, the environment, matplotlib's and NumPy's settings, a written file,
# one big array under two names.
STATEFUL = '''"""State carried from section to section."""

# %% setup
import os
import random

import matplotlib.pyplot as plt
import numpy as np

random.seed(1)
np.random.seed(2)
rng = np.random.default_rng(3)
scale = 2
big = np.arange(ARRAY_ITEMS, dtype=np.float64).reshape(-1, 8)
alias = big
columns = np.asfortranarray(big[:, :4])  # Fortran order, kept
dates = np.arange(ARRAY_ITEMS).astype("datetime64[s]")  # no buffer: pickled by NumPy


def scaled(x):
    return x * scale  # reads the global when called


class Box:
    def __init__(self, value):
        self.value = value

    def twice(self):
        return 2 * self.value


box = Box(21)
adder = (lambda k: lambda x: x + k)(5)  # a closure
os.environ["CHAPTER_SETTING"] = "set in setup"
plt.rcParams["lines.linewidth"] = 4.5
np.set_printoptions(precision=3)
with open("notes.txt", "w") as notes:
    notes.write("written in setup")

# %% middle
scale = 10
first_draws = [random.random(), float(np.random.rand()), float(rng.random())]
print(np.array([1 / 3]))

# %% last
draws = [random.random(), float(np.random.rand()), float(rng.random())]
scaled_value = scaled(3)
scale = 100  # after the restored sections: the restored function must see it
scaled_late = scaled(1)
boxed = box.twice()
is_box = isinstance(box, Box)
added = adder(1)
setting = os.environ["CHAPTER_SETTING"]
width = plt.rcParams["lines.linewidth"]
notes = open("notes.txt").read()
same_array = alias is big
big_sum = float(big.sum())
fortran = bool(columns.flags.f_contiguous and not columns.flags.c_contiguous)
last_date = str(dates[-1])
print(np.array([2 / 3]), draws)
plt.plot([0, 1], [1, 0])
plt.show()
'''.replace("ARRAY_ITEMS", str(2 * ARRAY_BYTES // 8))


def checkpointed(project, monkeypatch, body=STATEFUL, name="stateful"):
    """A chapter written to the project, checkpointed after every section."""
    edit(project.root / "pyproject.toml", 'svg-salt = "engine-tests"',
         'svg-salt = "engine-tests"\ncheckpoint-after = 0')
    write_chapter(project, name, body)
    return name


def messages(caplog, chapter):
    return [r.getMessage().removeprefix(f"{chapter}: ") for r in caplog.records
            if r.getMessage().startswith(f"{chapter}: ")]


def ran(caplog, chapter):
    """The sections that ran (not restored), from the log."""
    found = [re.fullmatch(r"([\w-]+) ran in [0-9.]+ s", m) for m in messages(caplog, chapter)]
    return [m[1] for m in found if m]


def comparable(run, project):
    """What a page can show of a run: its sections' text, values and figure names."""
    return json.dumps(without_measurements(run.manifest, project)["sections"], sort_keys=True)


def test_a_rerun_restores_the_unchanged_sections_and_gives_the_same_outputs(
        project, monkeypatch, caplog):
    chapter = checkpointed(project, monkeypatch)
    caplog.set_level(logging.INFO, logger="snippet_engine")
    fresh = run_chapter(chapter, project)
    values = section(fresh.manifest, "last")["values"]
    # the function saw the globals set after it
    assert (values["scaled_value"], values["scaled_late"]) == (30, 100)
    assert (values["boxed"], values["is_box"], values["added"]) == (42, True, 6)
    assert (values["setting"], values["width"], values["notes"]) == (
        "set in setup", 4.5, "written in setup")
    assert values["same_array"] is True and values["fortran"] is True
    assert [m.split(" in ")[0] for m in messages(caplog, chapter)
            if m.startswith("checkpoint after")] == [
        "checkpoint after setup", "checkpoint after middle", "checkpoint after last"]

    caplog.clear()
    again = run_chapter(chapter, project)  # nothing changed: every section restored
    said = messages(caplog, chapter)
    assert said[0].startswith("restored 3 of 3 sections, through 'last', from a checkpoint in ")
    assert ran(caplog, chapter) == []
    assert comparable(again, project) == comparable(fresh, project)
    assert again.files == fresh.files
    assert again.manifest["seconds"] >= fresh.manifest["seconds"] - 0.5  # the real run's

    caplog.clear()
    edit(project.script(chapter), "print(np.array([2 / 3]), draws)",
         "print(np.array([2 / 3]), draws)  # edited")
    edited = run_chapter(chapter, project)  # the last section alone runs again
    said = messages(caplog, chapter)
    assert said[0].startswith("restored 2 of 3 sections")
    assert ran(caplog, chapter) == ["last"]
    from_the_start = run_chapter(chapter, project, restore=False)
    assert comparable(edited, project) == comparable(from_the_start, project)
    assert edited.files == from_the_start.files
    assert edited.manifest["digest"] == from_the_start.manifest["digest"]


def test_without_restoring_every_section_runs_and_checkpoints_can_be_switched_off(
        project, monkeypatch, caplog, tmp_path):
    chapter = checkpointed(project, monkeypatch)
    caplog.set_level(logging.INFO, logger="snippet_engine")
    run_chapter(chapter, project)
    caplog.clear()
    run_chapter(chapter, project, restore=False)
    assert ran(caplog, chapter) == ["setup", "middle", "last"]

    monkeypatch.setenv("ENGINE_CHECKPOINTS", "off")
    caplog.clear()
    run_chapter(chapter, project)
    assert not [m for m in messages(caplog, chapter) if "checkpoint" in m]

    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("ENGINE_CHECKPOINTS", str(elsewhere))
    run_chapter(chapter, project)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["arrays", chapter]


def test_a_big_array_is_stored_once_and_old_checkpoints_are_pruned(project, monkeypatch):
    chapter = checkpointed(project, monkeypatch)
    run_chapter(chapter, project)
    store = project.cache / "checkpoints"
    # `big` (and `alias`, the same array) and `columns` in all three checkpoints: a file
    # each (`dates`, a dtype that no buffer takes, is pickled in the checkpoint itself)
    assert len(list((store / "arrays").glob("*.npy"))) == 2
    assert len(list((store / chapter).glob("*.pkl"))) == 3
    edit(project.script(chapter), "scale = 2\n", "scale = 3\n")  # the first section changed
    run_chapter(chapter, project)
    assert len(list((store / chapter).glob("*.pkl"))) == 3  # the old chain is gone


ENVIRONMENT = '''"""The environment and the data, across a restore."""

# %% first
import os

os.environ["CHAPTER_SETTING"] = "set in first"
os.environ.pop("FIXTURE_GONE", None)
os.remove("data/numbers.csv")  # the link to the data, replaced by a file
with open("data/numbers.csv", "w") as replaced:
    replaced.write("1,2\\n")

# %% second
setting = os.environ["CHAPTER_SETTING"]
caller = os.environ["FIXTURE_CALLER"]
gone = "FIXTURE_GONE" in os.environ
data = open("data/numbers.csv").read()
'''


def test_a_restore_puts_back_what_the_sections_changed_and_nothing_else(
        project, monkeypatch, caplog, tmp_path):
    chapter = checkpointed(project, monkeypatch, ENVIRONMENT, "environment")
    data = (project.root / "data" / "numbers.csv").read_bytes()
    monkeypatch.setenv("FIXTURE_GONE", "here")
    monkeypatch.setenv("FIXTURE_CALLER", "the first caller")
    first = section(run_chapter(chapter, project).manifest, "second")["values"]
    monkeypatch.setenv("FIXTURE_CALLER", "another caller")
    monkeypatch.chdir(tmp_path)  # a relative ENGINE_CHECKPOINTS is the caller's
    monkeypatch.setenv("ENGINE_CHECKPOINTS", "saved")
    run_chapter(chapter, project)
    caplog.set_level(logging.INFO, logger="snippet_engine")
    edit(project.script(chapter), "data = open", "data = open  # edited\ndata = open")
    again = section(run_chapter(chapter, project).manifest, "second")["values"]
    assert messages(caplog, chapter)[0].startswith("restored 1 of 2 sections, through 'first',")
    assert (again["setting"], again["gone"], again["data"]) == ("set in first", False, "1,2\n")
    assert first["caller"] != again["caller"] == "another caller"  # its own
    assert (tmp_path / "saved" / chapter).is_dir()
    assert (project.root / "data" / "numbers.csv").read_bytes() == data  # never written


def test_changed_inputs_other_than_the_script_restore_nothing(project, monkeypatch, caplog):
    # a chapter that reads the data file (and so depends on it)
    body = STATEFUL.replace("boxed = box.twice()\n",
                            "boxed = box.twice()\ntext = open('data/numbers.csv').read()\n")
    chapter = checkpointed(project, monkeypatch, body, "reader")
    caplog.set_level(logging.INFO, logger="snippet_engine")
    run_chapter(chapter, project)
    (project.root / "data" / "numbers.csv").write_text("9,9\n")  # the data changed
    caplog.clear()
    run_chapter(chapter, project)
    assert not [m for m in messages(caplog, chapter) if m.startswith("restored")]


LATE_HELPER = '''"""A helper the middle section's code imports, and one it imports in turn."""

from deeper import FACTOR


def bookkeeping(x):
    return x * FACTOR
'''


def test_a_changed_helper_reruns_the_sections_from_the_first_that_imports_it(
        project, monkeypatch, caplog):
    """A helper counts in the checkpoint keys from the first section that imports it, with
    the helpers it imports: editing it (or one of those) re-runs from there, not the
    chapter; a section that imports none keeps its checkpoint."""
    (project.snippets / "late_helper.py").write_text(LATE_HELPER)
    (project.snippets / "deeper.py").write_text("FACTOR = 2\n")
    body = STATEFUL.replace("# %% middle\n", "# %% middle\nfrom late_helper import bookkeeping\n\n"
                            "kept = bookkeeping(21)\n")
    chapter = checkpointed(project, monkeypatch, body, "late")
    caplog.set_level(logging.INFO, logger="snippet_engine")
    first = run_chapter(chapter, project)
    assert section(first.manifest, "middle")["values"]["kept"] == 42
    for helper, text in (("late_helper.py", LATE_HELPER + "# edited\n"),
                         ("deeper.py", "FACTOR = 3\n")):
        caplog.clear()
        (project.snippets / helper).write_text(text)
        again = run_chapter(chapter, project)
        assert messages(caplog, chapter)[0].startswith("restored 1 of 3 sections"), helper
        assert ran(caplog, chapter) == ["middle", "last"], helper
    assert section(again.manifest, "middle")["values"]["kept"] == 63
    from_the_start = run_chapter(chapter, project, restore=False)
    assert comparable(again, project) == comparable(from_the_start, project)


def test_a_damaged_checkpoint_is_deleted_and_the_chapter_runs_from_a_good_one(
        project, monkeypatch, caplog):
    chapter = checkpointed(project, monkeypatch)
    fresh = run_chapter(chapter, project)
    folder = project.cache / "checkpoints" / chapter
    newest = max(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime_ns)
    newest.write_bytes(newest.read_bytes()[:100])  # truncated
    caplog.set_level(logging.INFO, logger="snippet_engine")
    again = run_chapter(chapter, project)
    said = messages(caplog, chapter)
    assert said[0].startswith("could not restore the checkpoint after section 'last' (")
    assert said[0].endswith("; deleted it")
    assert said[1].startswith("restored 2 of 3 sections, through 'middle', from a checkpoint")
    assert comparable(again, project) == comparable(fresh, project)


def test_state_a_checkpoint_cannot_hold_stops_checkpoints_and_says_why(
        project, monkeypatch, caplog):
    body = STATEFUL.replace("scale = 10\n", "scale = 10\nnumbers = (n for n in range(3))\n")
    chapter = checkpointed(project, monkeypatch, body, "generator")
    caplog.set_level(logging.INFO, logger="snippet_engine")
    fresh = run_chapter(chapter, project)
    said = messages(caplog, chapter)
    assert "checkpoint after setup in " in " ".join(said)
    assert any(m.startswith("no checkpoint after middle or later: the namespace cannot be "
                            "pickled (TypeError: cannot pickle 'generator' object)")
               for m in said)
    caplog.clear()
    again = run_chapter(chapter, project)
    assert messages(caplog, chapter)[0].startswith("restored 1 of 3 sections")
    assert comparable(again, project) == comparable(fresh, project)

    body = STATEFUL.replace("scale = 10\n", "scale = 10\nimport sys, types\n"
                            "sys.modules['jax'] = types.ModuleType('jax')\n")
    chapter = checkpointed(project, monkeypatch, body, "library")
    caplog.clear()
    run_chapter(chapter, project)
    assert any(m.startswith("no checkpoint after middle or later: jax is imported, and keeps "
                            "state of its own") for m in messages(caplog, chapter))


def test_an_error_after_a_restore_names_the_line_as_a_full_run_does(project, monkeypatch):
    chapter = checkpointed(project, monkeypatch)
    run_chapter(chapter, project)
    edit(project.script(chapter), "boxed = box.twice()", "boxed = box.thrice()")
    line = project.script(chapter).read_text().splitlines().index("boxed = box.thrice()") + 1
    with pytest.raises(SnippetError) as caught:
        run_chapter(chapter, project)
    assert str(caught.value).startswith(
        f"snippets/{chapter}.py:{line}: section 'last' raised AttributeError: 'Box' object "
        "has no attribute 'thrice'")


def test_a_notebook_restores_its_slow_cells_and_runs_the_rest_on_their_state(
        project, monkeypatch, caplog):
    """The notebook check runs each slow computation once: a cell whose section was slow in
    the script run restores the checkpoint after it in the kernel; the later cells, run
    there, see its functions, random generators, settings and files."""
    from snippet_engine import compare_notebook, run_notebook

    body = STATEFUL.replace("scaled_late = scaled(1)\n",
                            "scaled_late = scaled(1)\nprint('scaled', scaled_value, scaled_late)\n")
    chapter = checkpointed(project, monkeypatch, body)
    edit(project.root / "pyproject.toml", "checkpoint-after = 0",
         "checkpoint-after = 0\nnotebook-restore-after = 1")
    refresh(project, [chapter])
    frozen = load_manifest(project, chapter)
    caplog.set_level(logging.INFO, logger="snippet_engine")
    executed = run_notebook(chapter, project, section_seconds=[5.0, 0.1, 0.1])
    cells = [c for c in executed.cells if c.cell_type == "code"]
    assert [c.metadata.get("restored", False) for c in cells] == [True, False, False]
    assert "restore_cell" in cells[0].source
    assert compare_notebook(frozen, executed) == []
    assert f"{chapter}.ipynb: 1 of 3 cells restored" in caplog.text
    # the last cell printed with the restored print options and random state
    printed = "".join(o.get("text", "") for o in cells[2].outputs)
    assert printed == section(frozen, "last")["stdout"]
    assert "scaled 30 100\n" in printed  # the restored function sees the kernel's globals


def test_a_notebook_runs_every_cell_without_a_checkpoint_or_a_slow_section(project,
                                                                           monkeypatch):
    from snippet_engine import run_notebook

    chapter = checkpointed(project, monkeypatch)
    refresh(project, [chapter])
    quick = run_notebook(chapter, project, section_seconds=[0.1, 0.1, 0.1])
    monkeypatch.setenv("ENGINE_CHECKPOINTS", "off")
    none = run_notebook(chapter, project, section_seconds=[50.0, 50.0, 50.0])
    for executed in (quick, none):
        assert not any(c.metadata.get("restored") for c in executed.cells)


def test_a_cell_that_shows_its_last_value_in_a_notebook_is_reported(project):
    from snippet_engine import compare_notebook, run_notebook

    edit(project.script("printing"), "print(\"done\")", "print(\"done\")\ntotal + 1")
    refresh(project, ["printing"])
    executed = run_notebook("printing", project)
    found = compare_notebook(load_manifest(project, "printing"), executed)
    assert found == ["printing.ipynb: cell table shows the value of its last line, which "
                     "the page does not show (print it, or assign it)"]


# A Keras network trained over two sections: a re-run that restores the first must train on
# exactly as the run from the start did (the dropout and shift layers' seed generators, the
# optimizer's moments, PyTorch's generator, Keras's layer-name counters and global seed).
KERAS = '''"""Training carried from section to section."""

# %% setup
import os

os.environ["KERAS_BACKEND"] = "torch"

import keras
import numpy as np
import torch
from keras import layers

x = np.random.default_rng(0).random((256, 8, 8, 1), dtype=np.float32)
y = np.arange(256) % 10
keras.utils.set_random_seed(42)
network = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    layers.RandomTranslation(0.2, 0.2),
    layers.Conv2D(4, 3, activation="relu"),
    layers.BatchNormalization(),
    layers.Flatten(),
    layers.Dropout(0.3),
    layers.Dense(10, activation="softmax"),
])
network.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
first = network.fit(x, y, epochs=1, batch_size=32, verbose=0)
noise = keras.random.uniform((2,))  # makes Keras's global seed generator

# %% middle
second = network.fit(x, y, epochs=1, batch_size=32, verbose=0).history["loss"]

# %% last
third = network.fit(x, y, epochs=1, batch_size=32, verbose=0).history["loss"]
weights = float(sum(np.abs(w).sum() for w in network.get_weights()))
names = [layer.name for layer in keras.Sequential([layers.Dense(2)]).layers]
draws = [float(torch.rand(1)), float(keras.random.uniform(()))]
same_history = first.model is network
threads = torch.get_num_threads()
print(weights, third, names, draws)
'''


def test_a_keras_network_restored_from_a_checkpoint_trains_on_as_in_a_full_run(
        project, monkeypatch, caplog):
    pytest.importorskip("torch")
    if importlib.util.find_spec("keras") is None:  # imported here, it would want TensorFlow
        pytest.skip("no Keras")
    chapter = checkpointed(project, monkeypatch, KERAS, "network")
    caplog.set_level(logging.INFO, logger="snippet_engine")
    run_chapter(chapter, project)
    said = messages(caplog, chapter)
    assert [m.split(" in ")[0] for m in said if m.startswith("checkpoint after")] == [
        "checkpoint after setup", "checkpoint after middle", "checkpoint after last"], said

    caplog.clear()
    edit(project.script(chapter), "print(weights, third, names, draws)",
         "print(weights, third, names, draws)  # edited")
    edited = run_chapter(chapter, project)
    assert messages(caplog, chapter)[0].startswith("restored 2 of 3 sections")
    assert ran(caplog, chapter) == ["last"]
    from_the_start = run_chapter(chapter, project, restore=False)
    assert section(edited.manifest, "last") == section(from_the_start.manifest, "last")
    assert comparable(edited, project) == comparable(from_the_start, project)
    values = section(edited.manifest, "last")["values"]
    assert values["names"] == ["dense_1"] and values["same_history"] is True
