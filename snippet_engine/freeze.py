"""Freezing: a chapter's outputs replaced all at once, and refreshing the stale ones.

A chapter may read what another chapter's run wrote, its frozen outputs, an export or a file
gathered from every chapter's tables (``gathered.py``, rewritten after each freeze), through
``helper-files``: freezing the one then makes the other stale. ``refresh``
runs such chapters again, round after round, until no chapter that its runs made stale is
left (a fixed point, as many rounds at most as there are chapters: more means chapters that
read each other's outputs in a circle).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from . import gathered

from .config import Project, SnippetError
from .execute import LOG, Run, run_chapters
from .inputs import (changed_inputs, helper_files_of, inputs_of, is_fresh, manifest_state,
                     output_digests, read_manifest)


def write_outputs(chapter: str, run: Run, project: Project) -> None:
    """Replace a chapter's outputs all at once: a failed run never leaves a half-written set.
    Files the chapter exports (the project's copy of a trained network, say) follow."""
    project.outputs.mkdir(parents=True, exist_ok=True)
    final = project.outputs / chapter
    staging = Path(tempfile.mkdtemp(prefix=f".{chapter}-", dir=project.outputs))
    staging.chmod(0o755)  # mkdtemp makes it private; the outputs are for everyone
    for name, data in run.files.items():
        (staging / name).write_bytes(data)
    recorded = dict(run.manifest, outputs=output_digests(run.manifest["sections"], run.files,
                                                          run.exports,
                                                          run.manifest.get("claims")))
    manifest = json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False)
    (staging / "manifest.json").write_text(manifest + "\n")
    for name, data in run.exports.items():
        target = project.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    old = project.outputs / f".{chapter}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def refresh(project: Project, chapters=None, *, mode: str | None = None,
            jobs: int | None = None, log: logging.Logger = LOG,
            restore: bool = True) -> list[str]:
    """Run the chapters whose outputs are stale (``auto``), all (``always``) or none
    (``never``), each frozen as soon as it finishes; then, in further rounds, every chapter
    (of the project, named or not) that those runs made stale, until none is. Return those
    that ran, each once, round by round (``restore``: see ``run_chapter``). If any fails, the others still freeze,
    and the error names every failure."""
    mode = mode or project.config.execute
    chapters = project.chapters() if chapters is None else list(chapters)
    if mode == "never":
        return []
    # a gathered file that lags its tables (a failed run's round, a hand edit): right first,
    # so that the chapters reading it are judged on what it will hold
    for path in gathered.write(project):
        log.info("%s: rewritten from the frozen tables", path)
    todo = [c for c in chapters if mode == "always" or not is_fresh(c, project)]
    everything = project.chapters()
    ran: list[str] = []
    failed: list[str] = []

    freezing = threading.Lock()  # lanes finish at once; gathered files are shared

    def freeze(chapter, run):
        with freezing:
            write_outputs(chapter, run, project)
            for path in gathered.write(project):
                log.info("%s: rewritten from the frozen tables", path)

    gathered_files = set(project.config.gathered)

    def reads_gathered(chapter):
        return bool(gathered_files & set(helper_files_of(chapter, project)))

    for _ in range(len(everything) + 1):
        if not todo:
            break
        # A chapter that reads a gathered file waits for a round of its own, after the
        # chapters whose tables the file gathers: run beside them, it would read the old file
        # and run again.
        waiting = [c for c in todo if reads_gathered(c)] if len(todo) > 1 else []
        if len(waiting) < len(todo):
            todo = [c for c in todo if c not in waiting]
        else:
            waiting = []
        fresh = {c for c in everything if c not in todo and c not in waiting
                 and is_fresh(c, project)}
        for chapter in todo:
            state = manifest_state(chapter, project)
            log.info("%s: running (outputs %s)", chapter,
                     "stale" if state == "present" else state)
        results = run_chapters(todo, project, jobs=jobs, then=freeze, log=log,
                               restore=restore)
        failed += [str(r) for r in results.values() if isinstance(r, SnippetError)]
        frozen = [c for c in todo if isinstance(results.get(c), Run)]
        ran += [c for c in frozen if c not in ran]
        # Stale now, though fresh before this round or frozen in it: what this round wrote
        # (a manifest, an export) is an input of theirs. A chapter that failed is left alone.
        todo = [c for c in everything if (c in fresh or c in frozen)
                and not is_fresh(c, project)] + waiting
        for chapter in todo[:len(todo) - len(waiting)]:  # what changed: a file it reads
            # (helper-files), or its script
            manifest = read_manifest(chapter, project) or {}
            log.info("%s: stale again: %s changed while this round ran", chapter,
                     changed_inputs(manifest.get("inputs", {}), inputs_of(chapter, project)))
    if todo:
        failed.append(f"{', '.join(todo)}: still stale after {len(everything) + 1} rounds "
                      "of runs: chapters that read each other's outputs (helper-files) in a "
                      "circle, or their own, never settle")
    if failed:
        raise SnippetError("\n\n".join(failed))
    return ran
