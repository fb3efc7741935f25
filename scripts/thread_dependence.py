"""Which chapters' results depend on the BLAS thread count? Measured, not guessed.

Every chapter runs with `threads` (pyproject.toml, [tool.snippet_engine]) BLAS and OpenMP
threads, and its frozen outputs are those of such a run. This script runs chapters again with
another count (two if the project runs one, else one), compares each run with the frozen outputs exactly as the tests do, and writes
what differs to outputs/thread-dependence.json. Each chapter's "Run this chapter yourself"
box (hooks/site_content.py) says from it whether the chapter's numbers depend on the thread
count, or that it was not measured for the chapter as it is now (its inputs digest changed
since). A chapter whose own code sets its thread count (`os.environ` in its first
block, before NumPy loads, as the scikit-learn chapters do) is skipped: its
reader's run uses the page's count on any machine, and the environment cannot change it.

    .venv/bin/python scripts/thread_dependence.py                 # every chapter
    .venv/bin/python scripts/thread_dependence.py first-classifier   # some: others kept

Those fits go to the model cache under their own keys (the thread count is part of the
key), so a second measurement costs only the chapters that changed. The network chapters set
PyTorch's thread count in their own code, so their training does not follow this one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from snippet_engine.check import check_chapters  # noqa: E402
from snippet_engine.config import Project  # noqa: E402
from snippet_engine.inputs import read_manifest  # noqa: E402

RESULT = ROOT / "outputs" / "thread-dependence.json"


def other_count(threads: int) -> int:
    """The thread count to compare with: two against one, else one."""
    return 2 if threads == 1 else 1


def measure(chapters: list[str]):
    """Yield ``(chapter, finding)`` as each chapter has run with the other thread count."""
    frozen = Project(ROOT)
    config = dataclasses.replace(frozen.config, threads=other_count(frozen.config.threads),
                                 jobs=1)
    project = Project(ROOT, config)
    for chapter in chapters:  # one at a time: what has run is kept if a later one fails
        started = time.perf_counter()
        problems = check_chapters(project, [chapter], jobs=1)[chapter]
        # the thread count is an input, so every run is "stale": that is the point here
        problems = [p for p in problems if "frozen outputs are stale" not in p]
        sections = sorted({m.group(1) for p in problems
                           if (m := re.match(rf"{re.escape(chapter)}:([-\w]+): ", p))})
        found = {
            "digest": read_manifest(chapter, frozen)["digest"],
            "same": not problems,
            "sections that differ": sections,
            "differences": [p.splitlines()[0][:300] for p in problems],
            "seconds": round(time.perf_counter() - started, 1),
        }
        print(f"{chapter}: {'same' if not problems else 'differs: ' + ', '.join(sections)}"
              f" ({found['seconds']} s)", flush=True)
        yield chapter, found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="default: every chapter")
    args = parser.parse_args(argv)
    project = Project(ROOT)
    sys.path.insert(0, str(ROOT / "hooks"))
    from site_content import sets_own_threads

    chapters = [c for c in args.chapters or project.chapters()
                if not sets_own_threads(c, project)
                or print(f"{c}: sets its threads in its own code, skipped")]
    result = json.loads(RESULT.read_text()) if RESULT.exists() else {"chapters": {}}
    if result.get("frozen with threads") != project.config.threads:
        result["chapters"] = {}  # measured against outputs frozen with another count
    result.update({"frozen with threads": project.config.threads,
                   "measured with threads": other_count(project.config.threads)})
    result["chapters"] = {c: found for c, found in result["chapters"].items()
                          if not sets_own_threads(c, project)}
    for chapter, found in measure(chapters):
        result["chapters"][chapter] = found
        result["chapters"] = dict(sorted(result["chapters"].items()))
        partial = RESULT.with_suffix(".partial")
        partial.write_text(json.dumps(result, indent=1) + "\n")
        partial.replace(RESULT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
