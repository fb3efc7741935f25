"""execute and worker: each chapter in a fresh process, in a reader's folder, several at once."""

import dataclasses
import json
import logging
import os
import re
import threading
import time

import pytest
from engine_support import section, snapshot, staging_folders, write_chapter

from snippet_engine import (Project, Run, SnippetError, prepare_folder, refresh, run_chapter,
                            run_chapters)
from snippet_engine import execute, numerics

WHERE = '''"""Where a chapter runs."""

# %% look
import os
from pathlib import Path

listing = sorted(p.as_posix() for p in Path().rglob("*"))
has_snippets = Path("snippets").exists()
data_is_link = os.path.islink("data/numbers.csv")
cwd = os.getcwd()
script = __file__
name = __name__
doc = __doc__
leaked = sorted(k for k in ("FIXTURE_UNSET", "PYTHONWARNINGS", "PYTHONSTARTUP", "PYTHONPATH")
                if k in os.environ)
passed = os.environ.get("FIXTURE_PASSED")
backend = os.environ["MPLBACKEND"]
print(listing)

# %% helper
from tiny_helper import load_table

factor = load_table()["factor"]
'''


def test_a_chapter_runs_in_a_reader_folder_holding_only_the_reader_files(project, monkeypatch,
                                                                          tmp_path, caplog):
    for variable in ("FIXTURE_UNSET", "PYTHONWARNINGS", "PYTHONSTARTUP"):
        monkeypatch.setenv(variable, "ignore")
    monkeypatch.setenv("FIXTURE_PASSED", "yes")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    write_chapter(project, "where", WHERE)
    caplog.set_level(logging.INFO, logger="snippet_engine")

    run = run_chapter("where", project)

    look = section(run.manifest, "look")["values"]
    assert look["listing"] == ["data", "data/numbers.csv", "models", "models/table.json",
                               "tiny_helper.py", "where.py"]
    assert look["has_snippets"] is False
    assert look["data_is_link"] is True  # data is linked, not copied
    assert not look["cwd"].startswith(str(project.root))
    assert not os.path.exists(look["cwd"])  # the temporary folder is gone
    assert look["script"] == os.path.join(look["cwd"], "where.py")
    assert (look["name"], look["doc"]) == ("__main__", "Where a chapter runs.")
    assert look["leaked"] == []  # the caller's settings, and unset-environment, stay out
    assert look["passed"] == "yes"  # the rest of the caller's environment is passed
    assert look["backend"] == "Agg"
    assert section(run.manifest, "helper")["values"] == {"factor": 3}
    assert run.manifest["chapter"] == "where" and run.seconds > 0
    assert any(r.getMessage().startswith("where: look ran in ") for r in caplog.records)
    assert not (project.outputs / "where").exists()  # a run alone writes nothing


def test_prepare_folder_copies_code_and_helper_files_and_links_data(frozen, tmp_path):
    prepare_folder("helped", frozen, tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "data", "data/numbers.csv", "helped.py", "models", "models/table.json",
        "tiny_helper.py"]
    assert (tmp_path / "data" / "numbers.csv").resolve() == frozen.root / "data" / "numbers.csv"
    assert not (tmp_path / "models" / "table.json").is_symlink()
    assert (tmp_path / "helped.py").read_bytes() == frozen.script("helped").read_bytes()


def test_the_worker_environment_pins_numerics_over_the_callers_shell(project, monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Sandybridge")
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    monkeypatch.setenv("PYTHONWARNINGS", "error")
    monkeypatch.setenv("FIXTURE_UNSET", "gone")
    monkeypatch.setenv("SOMETHING_ELSE", "kept")
    env = execute.worker_environment(project)
    for name, value in numerics.pinned_environment(2).items():
        assert env[name] == value
    assert "PYTHONWARNINGS" not in env and "FIXTURE_UNSET" not in env
    assert env["SOMETHING_ELSE"] == "kept"
    assert env["MPLBACKEND"] == "Agg"


def test_a_failing_snippet_names_its_line_and_refresh_writes_nothing(project):
    script = project.script("printing")
    lines = script.read_text().splitlines()
    start = lines.index("# %% table")
    lines[start + 2:start + 2] = ['print("about to fail")', 'raise ValueError("a broken snippet")']
    script.write_text("\n".join(lines) + "\n")
    at = start + 4  # 1-based: the raise, the third line of the section
    before = snapshot(project.outputs)

    with pytest.raises(SnippetError) as caught:
        refresh(project, ["printing"])

    message = str(caught.value)
    assert message.startswith(
        f"snippets/printing.py:{at}: section 'table' raised ValueError: a broken snippet\n")
    assert f'File "snippets/printing.py", line {at}, in <module>' in message
    assert "snippet_engine" not in message and "/reader/" not in message
    assert "Printed before the error:\nabout to fail\n" in message
    assert message.endswith("No output was written; the frozen outputs are unchanged.")
    assert snapshot(project.outputs) == before
    assert staging_folders(project) == []


def test_an_error_inside_a_helper_names_the_chapters_line_and_the_helpers_frame(project):
    (project.root / "models" / "table.json").write_text("{not json")
    line = project.script("helped").read_text().splitlines().index("table = load_table()") + 1
    with pytest.raises(SnippetError) as caught:
        run_chapter("helped", project)
    message = str(caught.value)
    assert message.startswith(f"snippets/helped.py:{line}: section 'use' raised JSONDecodeError")
    assert 'File "snippets/tiny_helper.py"' in message


def test_a_worker_that_dies_gives_an_error_naming_its_exit_code(project):
    write_chapter(project, "dies", '''
# %% first
print("fine so far")

# %% second
import os

os._exit(3)
''')
    with pytest.raises(SnippetError) as caught:
        run_chapter("dies", project)
    message = str(caught.value)
    assert message.startswith("dies: the worker process stopped with exit code 3 before it "
                              "finished; its last output:\n")
    assert "first ran in" in message  # the worker's last words


def test_a_snippet_that_exits_early_gives_a_clear_error(project):
    write_chapter(project, "quits", '''
# %% bye
import sys

sys.exit(0)
''')
    with pytest.raises(SnippetError, match=r"quits\.py:\d+: section 'bye' raised SystemExit"):
        run_chapter("quits", project)


def test_an_unknown_chapter_is_refused(project):
    with pytest.raises(SnippetError, match=re.escape(
            "no chapter nowhere: snippets/nowhere.py does not exist")):
        run_chapter("nowhere", project)


def test_an_export_the_run_does_not_write_is_refused(project):
    config = dataclasses.replace(project.config, exports={"printing": ("models/none.json",)})
    with pytest.raises(SnippetError, match=re.escape(
            "printing: the run did not write models/none.json, which the project's exports "
            "say it makes")):
        run_chapter("printing", Project(project.root, config))


# A chapter's code that returns only once the other chapter's worker is running too: it
# touches ME and waits for OTHER (the test names the files so that the two meet).
WAIT_FOR_THE_OTHER = '''_here = Path(os.environ["RENDEZVOUS"])
(_here / "ME").touch()
_deadline = time.monotonic() + 120  # generous: the suite may load both cores
while not (_here / "OTHER").exists():  # only a second worker running now can make it
    if time.monotonic() > _deadline:
        raise TimeoutError("OTHER did not start within 120 s of ME")
    time.sleep(0.05)
'''

MEET = '''
# %% meet
import os
import time
from pathlib import Path

from threadpoolctl import threadpool_info

''' + WAIT_FOR_THE_OTHER + '''threads = sorted({lib["num_threads"] for lib in threadpool_info()})
libraries = sorted({lib["internal_api"] for lib in threadpool_info()})
print("met OTHER")
'''

COUNT = '''
# %% count
import numpy as np
from threadpoolctl import threadpool_info

threads = sorted({lib["num_threads"] for lib in threadpool_info()})
libraries = sorted({lib["internal_api"] for lib in threadpool_info()})
'''


def test_two_jobs_run_two_chapters_at_once_with_the_configured_threads(project, monkeypatch,
                                                                       tmp_path):
    monkeypatch.setenv("RENDEZVOUS", str(tmp_path))
    write_chapter(project, "meet-a", MEET.replace("ME", "a").replace("OTHER", "b"))
    write_chapter(project, "meet-b", MEET.replace("ME", "b").replace("OTHER", "a"))

    runs = run_chapters(["meet-a", "meet-b"], project, jobs=2)

    assert set(runs) == {"meet-a", "meet-b"}
    for chapter, run in runs.items():
        assert isinstance(run, Run), run
        values = section(run.manifest, "meet")["values"]
        assert values["threads"] == [project.config.threads] == [2]
        assert "openblas" in values["libraries"]
    a, b = runs["meet-a"], runs["meet-b"]
    # the runs overlapped
    assert a.started < b.started + b.seconds and b.started < a.started + a.seconds
    timings = json.loads((project.cache / execute.TIMINGS).read_text())
    assert set(timings) >= {"meet-a", "meet-b"}


def test_a_run_records_when_it_ran_and_the_cpu_time_of_its_threads(project):
    write_chapter(project, "busy", '''"""Busy, then idle."""

# %% busy
import time

end = time.process_time() + 1.0
while time.process_time() < end:  # a second of CPU time
    pass
time.sleep(1.0)  # and a second of none
''')
    run = run_chapter("busy", project)
    assert 0 < run.started < time.perf_counter() - run.seconds
    assert run.seconds > 2.0
    # the second of work and the worker's start (Python, NumPy), not the second asleep
    assert 1.0 <= run.cpu_seconds < run.seconds - 0.9


def test_the_thread_count_comes_from_the_configuration_with_one_job(project):
    write_chapter(project, "count", COUNT)
    one_thread = Project(project.root, dataclasses.replace(project.config, threads=1))
    values = section(run_chapters(["count"], one_thread, jobs=1)["count"].manifest,
                     "count")["values"]
    assert values["threads"] == [1]
    assert "openblas" in values["libraries"]


def test_the_slowest_known_chapters_are_started_first(project):
    (project.cache / "engine").mkdir(parents=True)
    (project.cache / execute.TIMINGS).write_text(json.dumps({"printing": 5.0,
                                                             "drawing": 1.0}))
    helped = project.outputs / "helped" / "manifest.json"  # and no time frozen for it
    helped.write_text(json.dumps({**json.loads(helped.read_text()), "seconds": None}))
    assert execute.order(["drawing", "printing", "helped"], project) == [
        "helped", "printing", "drawing"]  # unknown ones count as slow


def test_run_times_are_recorded_chapter_by_chapter(project):
    run_chapters(["printing"], project, jobs=1)
    run_chapters(["drawing"], project, jobs=1)
    timings = json.loads((project.cache / execute.TIMINGS).read_text())
    assert set(timings) == {"printing", "drawing"}
    assert all(isinstance(seconds, float) for seconds in timings.values())


def test_a_fresh_clone_orders_chapters_by_the_seconds_their_outputs_record(project):
    """No timings in the cache (a fresh clone has no cache): the manifests' run times."""
    assert not (project.cache / execute.TIMINGS).exists()
    for chapter, seconds in {"drawing": 0.5, "printing": 9.0, "helped": 3.0}.items():
        path = project.outputs / chapter / "manifest.json"
        manifest = json.loads(path.read_text())
        assert isinstance(manifest["seconds"], float)  # every frozen run records its own
        path.write_text(json.dumps({**manifest, "seconds": seconds}))
    assert execute.order(["drawing", "printing", "helped"], project) == [
        "printing", "helped", "drawing"]



def pretend_runs(seconds: dict[str, float], default: float):
    """A stand-in for ``run_chapter`` that sleeps ``seconds[chapter]`` (else ``default``),
    and the record it fills: each chapter's [start, end]."""
    spans, lock = {}, threading.Lock()

    def pretend(chapter, project, log, side_by_side, restore=True):
        with lock:
            spans[chapter] = [time.monotonic(), None]
        time.sleep(seconds.get(chapter, default))
        with lock:
            spans[chapter][1] = time.monotonic()
        return Run({"chapter": chapter, "seconds": default}, seconds=default)

    return pretend, spans


def test_chapters_with_threads_of_their_own_run_one_after_another_in_the_first_lane(
        project, monkeypatch):
    """PyTorch's two threads in two chapters at once would put four threads on two cores:
    such chapters (own-threads) run in one lane, one after the other; the others fill the
    other lanes, slowest first, and the first lane once it is done with its own."""
    config = dataclasses.replace(project.config, threads=1,
                                 own_threads={"wide": 2, "wide-b": 2, "single": 1})
    lanes = Project(project.root, config)
    chapters = ["narrow-a", "narrow-b", "wide", "narrow-c", "wide-b", "single", "narrow-d"]
    narrow = [c for c in chapters if not c.startswith("wide")]
    assert execute.order(chapters, lanes)[:2] == ["wide", "wide-b"]
    pretend, spans = pretend_runs({"wide": 0.6, "wide-b": 0.6}, 0.2)
    finished = []
    monkeypatch.setattr(execute, "run_chapter", pretend)

    runs = run_chapters(chapters, lanes, jobs=2, then=lambda c, run: finished.append(c))

    assert set(runs) == set(spans) == set(finished) == set(chapters)
    assert len(finished) == len(chapters)  # then: once each

    def overlap(a, b):
        return spans[a][0] < spans[b][1] and spans[b][0] < spans[a][1]

    assert spans["wide-b"][0] >= spans["wide"][1]  # one after the other
    assert all(any(overlap(w, c) for w in ("wide", "wide-b")) for c in narrow[:3])
    for t in sorted(t for span in spans.values() for t in span):
        assert len([c for c, (a, b) in spans.items() if a <= t < b]) <= 2  # two lanes
    monkeypatch.setattr(execute, "run_chapter", pretend_runs({}, 0.01)[0])
    one_lane = run_chapters(chapters, lanes, jobs=1)
    assert list(one_lane) == execute.order(chapters, lanes)  # one lane: in order


def test_a_chapter_that_fails_leaves_the_others_running(project, monkeypatch):
    pretend, spans = pretend_runs({}, 0.05)

    def failing(chapter, *args, **kwargs):
        if chapter == "bad":
            raise SnippetError("bad: broken")
        return pretend(chapter, *args, **kwargs)

    monkeypatch.setattr(execute, "run_chapter", failing)
    runs = run_chapters(["good", "bad", "other"], project, jobs=2)
    assert str(runs["bad"]) == "bad: broken"
    assert isinstance(runs["good"], Run) and isinstance(runs["other"], Run)
