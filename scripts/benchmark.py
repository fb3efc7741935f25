"""Time the engine and the site build on this machine.

Prints, for each chapter, a cold run (every section executed with an empty model cache, so
every model is fitted once, as on a fresh clone; nothing written), then the
median of several `mkdocs build` runs with nothing changed (the engine checks every chapter's
inputs digest and runs nothing) against the same build with execution switched off
(ENGINE_EXECUTE=never, no check at all). The target: no-op <= 1.2 x execution off.

    .venv/bin/python scripts/benchmark.py [--repeat 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import snippet_engine as engine  # noqa: E402


def build_seconds(mode: str, site_dir: str) -> float:
    env = dict(os.environ, ENGINE_EXECUTE=mode)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", site_dir],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warm", action="store_true",
                        help="use the project's model cache instead of an empty one")
    parser.add_argument("--skip-cold", action="store_true", help="time the builds only")
    args = parser.parse_args()

    stale = [c for c in engine.Project().chapters() if not engine.is_fresh(c)]
    if stale:
        print(f"outputs are stale for {stale}: run `make outputs` first", file=sys.stderr)
        return 1

    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as cache:
            if not args.warm:
                os.environ["MODEL_CACHE"] = cache  # model_cache.py reads it on import
            print(f"run of every chapter ({'warm' if args.warm else 'cold'} model cache)")
            total = 0.0
            for chapter in engine.Project().chapters():
                started = time.perf_counter()
                engine.run_chapter(chapter)
                seconds = time.perf_counter() - started
                total += seconds
                print(f"  {chapter:<28} {seconds:8.1f} s", flush=True)
            print(f"  {'all chapters':<28} {total:8.1f} s")
            os.environ.pop("MODEL_CACHE", None)

    times = {"auto": [], "never": []}
    with tempfile.TemporaryDirectory() as site_dir:
        build_seconds("never", site_dir)  # warm the file cache once
        for _ in range(args.repeat):  # interleaved, so drift affects both alike
            for mode in times:
                times[mode].append(build_seconds(mode, site_dir))
    no_op, off = statistics.median(times["auto"]), statistics.median(times["never"])
    print(f"mkdocs build, median of {args.repeat}")
    print(f"  no-op (digests checked, nothing run)  {no_op:6.2f} s")
    print(f"  execution off (ENGINE_EXECUTE=never)  {off:6.2f} s")
    ratio = no_op / off
    print(f"  ratio {ratio:.2f} (target <= 1.20): {'ok' if ratio <= 1.2 else 'TOO SLOW'}")
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
