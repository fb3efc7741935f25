"""``python -m snippet_engine``: refresh or check a project's chapters without building a site.

    python -m snippet_engine                  run the stale chapters and freeze them
    python -m snippet_engine meet-mnist       run these chapters, fresh or not
    python -m snippet_engine --all            run every chapter
    python -m snippet_engine --check          run nothing: exit 1 naming the stale chapters
    python -m snippet_engine --verify         run every chapter afresh and compare, write nothing
    options: --jobs N (default: the configuration's, else cores // threads), --root DIR,
    --fresh (run every section: restore none from a checkpoint, see checkpoints.py);
    with --verify: --notebooks (execute each chapter's .ipynb download too),
    --report FILE (each chapter's problems as JSON, for a program to read)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .check import check_chapters, check_digests
from .config import Project, SnippetError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snippet_engine",
                                     description=__doc__.splitlines()[0].split(": ", 1)[1])
    parser.add_argument("chapters", nargs="*", help="chapters to run (default: the stale ones)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--all", action="store_true", help="run every chapter")
    what.add_argument("--check", action="store_true",
                      help="run nothing; exit 1 if any chapter's frozen outputs are stale")
    what.add_argument("--verify", action="store_true",
                      help="run afresh and compare with the frozen outputs; write nothing")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="chapters run at once")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder")
    parser.add_argument("--fresh", action="store_true",
                        help="run every section; restore none from a checkpoint")
    parser.add_argument("--notebooks", action="store_true",
                        help="with --verify: execute each chapter's notebook download too")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="with --verify: write each chapter's problems to FILE as JSON")
    args = parser.parse_args(argv)
    if (args.notebooks or args.report) and not args.verify:
        parser.error("--notebooks and --report go with --verify")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        project = Project(args.root)
        known = project.chapters()
        if not known:  # a mistyped --root, or run from another folder: never "all fresh"
            raise SnippetError(
                f"{project.root} is not a project: {project.snippets} holds no chapter "
                "(a script with a '# %% name' section); run this from the project's folder "
                "or give its path with --root")
        unknown = sorted(set(args.chapters) - set(known))
        if unknown:
            parser.error(f"no chapter named {', '.join(unknown)} in {project.snippets} "
                         f"(chapters: {', '.join(known)})")
        if args.jobs is not None and args.jobs < 1:
            parser.error("--jobs needs a number of at least 1")
        chapters = args.chapters or known
        if args.check:
            return _report_stale(check_digests(project, chapters))
        if args.verify:
            problems = check_chapters(project, chapters, jobs=args.jobs,
                                      notebooks=args.notebooks, restore=not args.fresh)
            if args.report:
                args.report.write_text(json.dumps(problems, indent=1))
            for lines in problems.values():
                for line in lines:
                    print(line, file=sys.stderr)
            bad = [c for c, lines in problems.items() if lines]
            print(f"differ: {', '.join(bad)}" if bad else f"all {len(chapters)} match")
            return 1 if bad else 0
        from .freeze import refresh

        mode = "always" if args.all or args.chapters else None
        ran = refresh(project, chapters, mode=mode, jobs=args.jobs, restore=not args.fresh)
    except SnippetError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"refreshed: {', '.join(ran) or 'nothing (all fresh)'}")
    return 0


def _report_stale(found: dict[str, str]) -> int:
    for chapter, why in found.items():
        print(f"stale: {chapter} ({why})", file=sys.stderr)
    print(f"stale: {', '.join(found)}" if found else "all frozen outputs are fresh")
    return 1 if found else 0
