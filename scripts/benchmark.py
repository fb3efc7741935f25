"""Time the engine, the site build and the tests on this machine; record the table.

Measures, in this order:

1. cold run: every chapter executed with an empty model cache, so every model is fitted
   once, as on a fresh clone (nothing is written to outputs/);
2. no-op build: `mkdocs build` with nothing changed (inputs digests checked, nothing run);
3. build with execution off: the same build with ENGINE_EXECUTE=never (no check at all);
4. rebuild after editing one snippet: in a temporary copy of the project, one chapter script
   gets a comment added and `mkdocs build` must re-run that chapter and no other;
5. the test suite (`pytest`), with the model cache this run filled.

Prints the table and writes it to outputs/benchmark.json, which the "About this site" page
shows. Targets: cold run <= 20 minutes, no-op build <= 1.2 x the build with execution off,
and the edit re-runs exactly one chapter.

    .venv/bin/python scripts/benchmark.py [--repeat 5] [--skip-cold | --reuse-cold] [--skip-tests]

--reuse-cold keeps the cold-run row of the last outputs/benchmark.json (measured by this script)
and re-measures the rest: for when only the tests or the build changed since the cold run.
"""

import argparse
import json
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

RESULT = ROOT / "outputs" / "benchmark.json"
COLD_RUN_TARGET_S = 1200  # issue 7: a fresh clone's outputs, CNN included, in 20 minutes
NO_OP_TARGET_RATIO = 1.2  # a no-op build may cost at most this much more than execution off


def build_seconds(mode: str, site_dir: str, cwd: Path = ROOT) -> tuple[float, str]:
    env = dict(os.environ, ENGINE_EXECUTE=mode)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", site_dir],
        cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, result.stderr


def cold_run(rows: list, by_chapter: dict) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MODEL_CACHE"] = cache  # model_cache.py and networks.py read it
        total = 0.0
        for chapter in engine.Project().chapters():
            started = time.perf_counter()
            engine.run_chapter(chapter)
            seconds = time.perf_counter() - started
            by_chapter[chapter] = round(seconds, 1)
            total += seconds
            print(f"  cold run, {chapter:<32} {seconds:8.1f} s", flush=True)
        os.environ.pop("MODEL_CACHE")
        # the tests below then find every model this run fitted, whatever the cache held
        shutil.copytree(cache, ROOT / ".cache" / "models", dirs_exist_ok=True)
    rows.append({"measure": "cold run of every chapter (empty model cache)",
                 "seconds": round(total, 1), "target": f"at most {COLD_RUN_TARGET_S} s",
                 "ok": total <= COLD_RUN_TARGET_S})


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


def edit_one_snippet(rows: list) -> None:
    chapter = "sigmoid-to-logistic-regression"  # the quickest chapter to re-run
    with tempfile.TemporaryDirectory() as temp:
        copy = Path(temp) / "project"
        shutil.copytree(ROOT, copy, symlinks=True, ignore=shutil.ignore_patterns(
            ".venv", "site", ".git", "test-artifacts", "__pycache__", ".pytest_cache"))
        script = copy / "snippets" / f"{chapter}.py"
        script.write_text(script.read_text() + "\n# an edit\n")
        seconds, log = build_seconds("auto", str(Path(temp) / "site"), cwd=copy)
    ran = sorted(set(re.findall(r"INFO\s+-\s+([\w-]+): running", log)))
    rows.append({"measure": f"mkdocs build after editing snippets/{chapter}.py",
                 "seconds": round(seconds, 2), "target": "re-runs that chapter only",
                 "ok": ran == [chapter]})
    print(f"  after one edit {seconds:.2f} s, chapters re-run: {ran}")


def test_suite(rows: list) -> None:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "no output"
    rows.append({"measure": f"test suite, warm model cache ({summary.strip('= ')})",
                 "seconds": round(seconds, 1), "target": "passes",
                 "ok": result.returncode == 0})
    print(f"  tests {seconds:.1f} s: {summary}")
    if result.returncode != 0:  # say which tests, not only how many
        print("\n".join(line for line in result.stdout.splitlines()
                        if line.startswith(("FAILED", "ERROR"))), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--reuse-cold", action="store_true")
    parser.add_argument("--skip-tests", action="store_true")
    args = parser.parse_args()

    stale = [c for c in engine.Project().chapters() if not engine.is_fresh(c)]
    if stale:
        print(f"outputs are stale for {stale}: run `make outputs` first", file=sys.stderr)
        return 1
    rows: list = []
    by_chapter: dict = {}
    if args.reuse_cold:
        last = json.loads(RESULT.read_text())
        rows += [r for r in last["rows"] if r["measure"].startswith("cold run")]
        by_chapter = last.get("cold_run_by_chapter", {})
        assert rows, f"no cold run in {RESULT} to reuse"
    elif not args.skip_cold:
        cold_run(rows, by_chapter)
    builds(rows, args.repeat)
    edit_one_snippet(rows)
    if not args.skip_tests:
        test_suite(rows)

    width = max(len(r["measure"]) for r in rows)
    for row in rows:
        print(f"{row['measure']:<{width}} {row['seconds']:9.2f} s  "
              f"{row['target']:<30} {'ok' if row['ok'] else 'MISSED'}")
    RESULT.write_text(json.dumps({
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
                   f"{platform.python_version()}",
        "rows": rows,
        "cold_run_by_chapter": by_chapter,
    }, indent=1) + "\n")
    print(f"written to {RESULT.relative_to(ROOT)}")
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
