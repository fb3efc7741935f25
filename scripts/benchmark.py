"""Time the engine, the site build and the tests on this machine; record the table.

Measures, in this order:

1. cold runs: every chapter executed with no checkpoint, so every model is fitted
   once, as on a fresh clone (nothing is written to outputs/): once with one worker
   (`--jobs 1`), once with two at a time (`--jobs 2`); each run's engine log, every
   section's line stamped with the seconds since the run began, goes to
   test-artifacts/benchmark-cold-jobs1.log and -jobs2.log;
2. no-op build: `mkdocs build` with nothing changed (inputs digests checked, nothing run);
3. build with execution off: the same build with ENGINE_EXECUTE=never (no check at all);
4. rebuild after editing one snippet: in a temporary copy of the project, with this one's
   checkpoints, a comment is added to the last section of a chapter that fits models, and
   `mkdocs build` must re-run that chapter and no other, restoring every section but that
   one; then the chapter is run again unchanged, every section restored;
5. the test suite (`pytest`, its whole output in test-artifacts/benchmark-suite.log), with
   the checkpoints this run saved; and, from the timings its draw-demo browser test
   wrote, one prediction in the page's JavaScript (Chromium).

Prints the table and writes it to outputs/benchmark.json, which the "About this site" page
shows. Targets: the cold run with two workers at most 0.75 x the one with one worker (and
at most 20 minutes), no-op build at most 1.2 x the build with execution off, the edit
re-runs exactly one chapter and in it the edited section alone, the chapter's run taking
at most 5 s, an unchanged chapter restores in at most 2 s, the test suite with warm
checkpoints passes in at most 600 s, and one prediction of the draw demo takes under 50 ms
(median; issue 6).

    .venv/bin/python scripts/benchmark.py [--repeat 5] [--skip-cold | --reuse-cold] [--skip-tests]

--reuse-cold keeps the cold-run rows of the last outputs/benchmark.json (measured by this script)
and re-measures the rest: for when only the tests or the build changed since the cold run. The
table then says which run the cold rows come from (`cold_measured`).
"""

import argparse
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import snippet_engine as engine  # noqa: E402
from snippet_engine.compare import loosened as within_tolerance  # noqa: E402

PROJECT = engine.Project(ROOT)
RESULT = ROOT / "outputs" / "benchmark.json"
COLD_RUN_TARGET_S = 1200  # issue 7: a fresh clone's outputs, CNN included, in 20 minutes
PARALLEL_TARGET_RATIO = 0.75  # issue 14: two workers at most this much of one worker's time
NO_OP_TARGET_RATIO = 1.2  # a no-op build may cost at most this much more than execution off
TESTS_TARGET_S = 600  # issue 14: the test suite with warm checkpoints
EDITED_CHAPTER = "first-classifier"  # its earlier sections fit for minutes
EDIT_TARGET_S = 5  # issue 29: the edited last section alone runs, restore included
RESTORE_TARGET_S = 2  # issue 29: a chapter with no section changed restores (sections
# after its last checkpoint, each quicker than checkpoint-after, run again)
DRAW_TARGET_MS = 50  # issue 6: one prediction of the in-page draw demo
# written by tests/test_draw_browser.py as it compares the page with Python on 1,000 digits
DRAW_TIMING = ROOT / "test-artifacts" / "draw-page-timing.json"
SUITE_LOG = ROOT / "test-artifacts" / "benchmark-suite.log"  # the timed run's whole output
# each cold run's engine log: every section's line, stamped with seconds since the run began
COLD_LOG = ROOT / "test-artifacts" / "benchmark-cold-jobs{}.log"


def build_seconds(mode: str, site_dir: str, cwd: Path = ROOT) -> tuple[float, str]:
    env = dict(os.environ, ENGINE_EXECUTE=mode)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", site_dir],
        cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, result.stderr


class Since(logging.Formatter):
    """A log line stamped with the seconds since ``start`` (a time.perf_counter())."""

    def __init__(self, start: float):
        super().__init__()
        self.start = start

    def format(self, record: logging.LogRecord) -> str:
        return f"{time.perf_counter() - self.start:8.1f} {record.getMessage()}"


def cold_run(jobs: int, by_chapter: dict, keep_fits: bool,
             loosened: dict) -> tuple[float, list[str]]:
    """Every chapter with no checkpoint and ``jobs`` workers: the wall time, and how
    the results differ from the frozen outputs (a refactor that changes a number is a bug,
    and so is a number that depends on --jobs). ``keep_fits``: copy the checkpoints into
    the project's, for the tests below. ``loosened`` gets the chapters compared
    within the machine tolerance, since a pin did not take (How this site works), and why."""
    COLD_LOG.parent.mkdir(exist_ok=True)
    log = logging.getLogger(f"benchmark.cold.jobs{jobs}")
    log.setLevel(logging.INFO)
    handler = logging.FileHandler(str(COLD_LOG).format(jobs), mode="w")
    log.addHandler(handler)
    with tempfile.TemporaryDirectory() as saved:
        os.environ["ENGINE_CHECKPOINTS"] = saved  # no checkpoint to restore
        started = time.perf_counter()
        handler.setFormatter(Since(started))
        runs = engine.run_chapters(PROJECT.chapters(), PROJECT, jobs=jobs, log=log)
        seconds = time.perf_counter() - started
        log.removeHandler(handler)
        handler.close()
        os.environ.pop("ENGINE_CHECKPOINTS")
        failed = [str(r) for r in runs.values() if isinstance(r, engine.SnippetError)]
        if failed:
            raise SystemExit("\n".join(failed))
        problems = []
        for chapter, run in sorted(runs.items()):
            frozen = engine.read_manifest(chapter, PROJECT)
            problems += engine.compare(frozen, PROJECT.outputs / chapter, run,
                                       PROJECT.config, ROOT)
            why = within_tolerance(chapter, frozen, run.manifest, PROJECT.config)
            if why:
                loosened[chapter] = why
            # when it ran and how many cores it kept busy: where two workers gain or not
            by_chapter[chapter] = {"seconds": round(run.seconds, 1),
                                   "started": round(run.started - started, 1),
                                   "cpu_seconds": run.cpu_seconds}
            print(f"  cold run, --jobs {jobs}, {chapter:<32} {run.seconds:8.1f} s, started "
                  f"at {run.started - started:.0f} s, CPU {run.cpu_seconds} s", flush=True)
        if keep_fits:  # the tests below then find every checkpoint it made
            shutil.copytree(saved, PROJECT.cache / "checkpoints", dirs_exist_ok=True)
    cpu = sum(r["cpu_seconds"] or 0 for r in by_chapter.values())
    print(f"  cold run, --jobs {jobs}: {seconds:.1f} s, CPU {cpu:.0f} s ({cpu / seconds:.2f} "
          f"cores busy), {len(problems)} differences from the frozen outputs", flush=True)
    print("\n".join(problems), flush=True)
    return seconds, problems


def cold_runs(rows: list, result: dict) -> None:
    # --jobs 1 first: the engine then knows each chapter's cold run time, and starts the
    # longest first with two workers
    loosened: dict = {}
    one, one_problems = cold_run(1, result.setdefault("cold_run_by_chapter", {}), True,
                                 loosened)
    two, two_problems = cold_run(2, result.setdefault("cold_run_by_chapter_jobs2", {}), False,
                                 loosened)
    rows.append({"measure": "cold run of every chapter, --jobs 1 (no checkpoint)",
                 "seconds": round(one, 1), "target": "", "ok": True})
    rows += cold_rows(one, two)
    rows.append({"measure": "both cold runs give the frozen outputs (figures, values, text)",
                 "seconds": None, "target": "no difference",
                 "differences": len(one_problems) + len(two_problems),
                 "within_machine_tolerance": loosened,
                 "ok": not one_problems and not two_problems})


def cold_rows(one: float, two: float) -> list[dict]:
    """The two targets of the cold run with two workers, one row each: how much two
    workers save (issue 14) and how long a fresh clone's outputs take (issue 7)."""
    return [{"measure": "cold run of every chapter, --jobs 2 (no checkpoint)",
             "seconds": round(two, 1),
             "target": f"at most {PARALLEL_TARGET_RATIO} x --jobs 1 (here {two / one:.2f} x)",
             "ok": two <= PARALLEL_TARGET_RATIO * one},
            {"measure": "the same cold run: every chapter's outputs from a fresh clone",
             "seconds": round(two, 1),
             "target": f"at most {COLD_RUN_TARGET_S} s ({COLD_RUN_TARGET_S // 60} minutes)",
             "ok": two <= COLD_RUN_TARGET_S}]


def builds(rows: list, repeat: int) -> None:
    times = {"auto": [], "never": []}
    with tempfile.TemporaryDirectory() as site_dir:
        build_seconds("never", site_dir)  # warm the file cache once
        for _ in range(repeat):  # interleaved, so that drift affects both alike
            for mode in times:
                times[mode].append(build_seconds(mode, site_dir)[0])
    no_op, off = statistics.median(times["auto"]), statistics.median(times["never"])
    rows.append({"measure": f"no-op mkdocs build (median of {repeat})",
                 "seconds": round(no_op, 2),
                 "target": f"at most {NO_OP_TARGET_RATIO} x execution off",
                 "ok": no_op <= NO_OP_TARGET_RATIO * off})
    rows.append({"measure": f"mkdocs build, execution off (median of {repeat})",
                 "seconds": round(off, 2), "target": "", "ok": True})
    print(f"  no-op build {no_op:.2f} s, execution off {off:.2f} s, ratio {no_op / off:.2f}")


def readers_of(chapter: str) -> list[str]:
    """The chapters that read this one's frozen outputs (helper-files): a re-freeze of it
    makes them stale, and a build runs them again too (the recap)."""
    path = f"outputs/{chapter}/manifest.json"
    return sorted(c for c in PROJECT.chapters()
                  if path in engine.inputs_of(c, PROJECT).get("helper-files", {}))


def chapter_run(log: str, chapter: str) -> tuple[float, list[str], int]:
    """From an engine log: the chapter's run seconds, the sections it ran, how many it
    restored."""
    seconds = float(re.search(rf"{chapter}: \d+ sections in ([0-9.]+) s", log)[1])
    restored = re.search(rf"{chapter}: restored (\d+) of", log)
    return (seconds, re.findall(rf"{chapter}: ([\w-]+) ran in ", log),
            int(restored[1]) if restored else 0)


def edit_one_snippet(rows: list) -> None:
    """In a copy of the project that has this one's checkpoints (linked, not copied), edit
    the last section of a chapter whose earlier sections fit models, and rebuild: the
    engine must restore the sections before it and run that one alone (and then the
    chapters that read its outputs). Then run the chapter again unchanged: it restores up
    to its last checkpoint. The times that count are the chapter's own runs (the worker,
    from its start to its outputs); the whole build's is in the row's text."""
    chapter, readers = EDITED_CHAPTER, readers_of(EDITED_CHAPTER)
    last = engine.parse_sections(PROJECT.script(chapter))[-1].name
    with tempfile.TemporaryDirectory() as temp:
        copy = Path(temp) / "project"
        shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(
            ".venv", "site", ".git", ".cache", "test-artifacts", "__pycache__",
            ".pytest_cache"))
        if (PROJECT.cache / "checkpoints").exists():
            shutil.copytree(PROJECT.cache / "checkpoints", copy / ".cache" / "checkpoints",
                            copy_function=os.link)
        script = copy / "snippets" / f"{chapter}.py"
        script.write_text(script.read_text() + "# an edit in the last section\n")
        seconds, log = build_seconds("auto", str(Path(temp) / "site"), cwd=copy)
        ran = sorted(set(re.findall(r"INFO\s+-\s+([\w-]+): running", log)))
        run_s, sections, restored = chapter_run(log, chapter)
        rows.append({"measure": f"edit the last section of snippets/{chapter}.py, rebuild: "
                                f"the chapter's run (sections run: {', '.join(sections)}; "
                                f"the whole mkdocs build {seconds:.1f} s)",
                     "seconds": round(run_s, 2),
                     "target": f"that section alone runs, in at most {EDIT_TARGET_S} s",
                     "ok": ran == sorted([chapter, *readers]) and sections == [last]
                     and run_s <= EDIT_TARGET_S})
        print(f"  after editing the last section: the chapter {run_s} s, sections run: "
              f"{sections}; the build {seconds:.2f} s, chapters re-run: {ran}")
        started = time.perf_counter()
        again = subprocess.run([sys.executable, "-m", "snippet_engine", chapter], cwd=copy,
                               capture_output=True, text=True, check=True)
        command_s = time.perf_counter() - started
        run_s, sections, restored = chapter_run(again.stderr, chapter)
        rows.append({"measure": f"python -m snippet_engine {chapter}, nothing changed: the "
                                f"chapter's run ({restored} sections restored, run: "
                                f"{', '.join(sections) or 'none'}; the command {command_s:.1f}"
                                f" s, {', '.join(readers) or 'no reader'} included)",
                     "seconds": round(run_s, 2),
                     "target": f"restored, at most {RESTORE_TARGET_S} s",
                     "ok": restored > 0 and run_s <= RESTORE_TARGET_S})
        print(f"  unchanged: the chapter {run_s} s ({restored} restored, run: {sections}); "
              f"the command {command_s:.2f} s")


def test_suite(rows: list) -> None:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    SUITE_LOG.parent.mkdir(exist_ok=True)  # a failure here is read in full, not re-run
    SUITE_LOG.write_text(result.stdout + result.stderr)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
    rows.append({"measure": f"test suite, warm checkpoints ({summary.strip('= ')})",
                 "seconds": round(seconds, 1), "target": f"passes in at most {TESTS_TARGET_S} s",
                 "ok": result.returncode == 0 and seconds <= TESTS_TARGET_S})
    print(f"  tests {seconds:.1f} s: {summary}")
    if result.returncode != 0:  # say which tests, not only how many
        print("\n".join(line for line in result.stdout.splitlines()
                        if line.startswith(("FAILED", "ERROR"))), flush=True)
        print(f"  the suite's whole output: {SUITE_LOG.relative_to(ROOT)}", flush=True)
    draw_prediction(rows, since=time.time() - seconds)


def draw_prediction(rows: list, since: float) -> None:
    """One prediction in the draw demo's page, as the suite's browser test just timed it;
    a timing file older than the suite (the test did not run) is not this run's."""
    measure = "draw demo: one prediction in Chromium's JavaScript"
    if not DRAW_TIMING.exists() or DRAW_TIMING.stat().st_mtime < since:
        rows.append({"measure": f"{measure}: not measured (the browser test did not run)",
                     "seconds": None, "target": f"under {DRAW_TARGET_MS} ms", "ok": False})
        return
    timing = json.loads(DRAW_TIMING.read_text())
    median, p95, count = timing["median_ms"], timing["p95_ms"], timing["predictions"]
    rows.append({"measure": f"{measure}, median of {count:,} during the suite "
                            f"(95th percentile {p95} ms)",
                 "seconds": round(median / 1000, 5), "target": f"under {DRAW_TARGET_MS} ms",
                 "ok": median < DRAW_TARGET_MS})
    print(f"  draw demo: one prediction {median} ms (median), {p95} ms (95th percentile)")


def cpu_model() -> str:
    """The processor's name (", AMD EPYC", say): its maker decides which code paths MKL
    honours (see How this site works), so a table names it."""
    model = engine.numerics.processor()
    return "" if model == platform.machine() else f", {model}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--reuse-cold", action="store_true")
    parser.add_argument("--skip-tests", action="store_true")
    args = parser.parse_args()

    stale = engine.stale(PROJECT)
    if stale:
        print(f"outputs are stale for {stale}: run `make outputs` first", file=sys.stderr)
        return 1
    rows: list = []
    result: dict = {}
    if args.reuse_cold:
        last = json.loads(RESULT.read_text())
        cold = {r["measure"].split(" (")[0]: r for r in last["rows"]
                if "cold run" in r["measure"]}
        one = cold["cold run of every chapter, --jobs 1"]
        two = cold["cold run of every chapter, --jobs 2"]["seconds"]
        rows += [one, *cold_rows(one["seconds"], two),  # targets as this script states them
                 cold["both cold runs give the frozen outputs"]]
        result = {k: v for k, v in last.items() if k.startswith("cold_run_by_chapter")}
        # the page says which run its cold rows come from
        result["cold_measured"] = (last.get("cold_measured") or last.get("measured")
                                   or "its date not recorded")
    elif not args.skip_cold:
        cold_runs(rows, result)
    builds(rows, args.repeat)
    edit_one_snippet(rows)
    if not args.skip_tests:
        test_suite(rows)

    width = max(len(r["measure"]) for r in rows)
    for row in rows:
        seconds = "-" if row["seconds"] is None else f"{row['seconds']:.2f} s"
        print(f"{row['measure']:<{width}} {seconds:>11}  "
              f"{row['target']:<30} {'ok' if row['ok'] else 'MISSED'}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    RESULT.write_text(json.dumps({
        "machine": f"{os.cpu_count()} cores, {platform.machine()}{cpu_model()}, Python "
                   f"{platform.python_version()}",
        "measured": f"{time.strftime('%Y-%m-%d', time.gmtime())}, commit {commit or '?'}",
        "rows": rows,
        **result,
    }, indent=1) + "\n")
    print(f"written to {RESULT.relative_to(ROOT)}")
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
