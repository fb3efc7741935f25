"""The proof: every chapter run afresh (once) and compared with what its page shows.

One fresh run per chapter proves three things at once: the frozen outputs are current (the
comparison is exact), the run is deterministic (the frozen outputs came from an earlier
run), and the ``.py`` download runs on its own (the run happens in a reader's folder). With
``notebooks=True`` each chapter's ``.ipynb`` download is executed too, as soon as its chapter
has run, in one more worker beside the chapters' (one notebook at a time): the cells whose
sections were slow in that run restore the checkpoint it saved after them
(``notebooks.py``), so the notebook mostly loads, prints and draws, single threaded, while
the next chapter runs. On a processor where a pin
did not take, a ``machine-dependent`` chapter is compared within the machine tolerance
(``compare``), and its notebook with the script's fresh run. ``check_digests`` is the
cheap check that runs nothing: are the frozen outputs' inputs digests current?
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from . import gathered
from .compare import compare, compare_notebook, loosened
from .config import Project, SnippetError
from .execute import LOG, run_chapters
from .inputs import (DamagedManifest, altered_outputs, changed_inputs, digest, inputs_of,
                     read_manifest)


def check_chapters(project: Project, chapters=None, *, jobs: int | None = None,
                   notebooks: bool = False, log: logging.Logger = LOG,
                   restore: bool = True) -> dict[str, list[str]]:
    """Each chapter's problems: empty when a fresh run gives exactly the frozen outputs.
    ``restore``: the runs restore unchanged sections from checkpoints (``run_chapter``)."""
    chapters = project.chapters() if chapters is None else list(chapters)
    problems: dict[str, list[str]] = {c: [] for c in chapters}
    frozen = {}
    for chapter in chapters:
        try:
            frozen[chapter] = read_manifest(chapter, project)
        except DamagedManifest as error:
            frozen[chapter] = None
            problems[chapter].append(f"{chapter}: {error}")
            continue
        if frozen[chapter] is None:
            problems[chapter].append(f"{chapter}: no frozen outputs in outputs/{chapter}/")

    notebook_runs = []

    def compared(chapter, run):
        problems[chapter] += compare(frozen[chapter], project.outputs / chapter, run,
                                     project.config, project.root)
        shown = frozen[chapter]
        why = loosened(chapter, shown, run.manifest, project.config)
        if why:
            log.info("%s: %s: compared within the machine tolerance", chapter, why)
            shown = run.manifest  # its notebook, on the same processor, must print the same
        if notebooks:
            notebook_runs.append(notebook_pool.submit(notebook_problems, chapter, shown,
                                                      run.section_seconds))

    def notebook_problems(chapter, shown, section_seconds):
        from .notebooks import run_notebook

        try:
            executed = run_notebook(chapter, project, log, section_seconds=section_seconds)
            problems[chapter] += compare_notebook(shown, executed)
        except SnippetError as error:
            problems[chapter].append(str(error))

    with ThreadPoolExecutor(max_workers=1) as notebook_pool:
        runs = run_chapters([c for c in chapters if frozen[c]], project, jobs=jobs,
                            then=compared, log=log, restore=restore)
    for finished in notebook_runs:
        finished.result()  # a bug, not a notebook's problem (those are SnippetErrors): raise
    for chapter, run in runs.items():
        if isinstance(run, SnippetError):
            problems[chapter].append(str(run))
    return problems


def check_digests(project: Project, chapters=None) -> dict[str, str]:
    """The stale chapters and why (which inputs changed, which output was altered after its
    run), running nothing."""
    found = {}
    for chapter in project.chapters() if chapters is None else chapters:
        try:
            manifest = read_manifest(chapter, project)
        except DamagedManifest as error:
            found[chapter] = str(error)
            continue
        if manifest is None:
            found[chapter] = "no frozen outputs"
            continue
        inputs = inputs_of(chapter, project)
        if manifest["digest"] != digest(inputs):
            found[chapter] = f"changed: {changed_inputs(manifest['inputs'], inputs)}"
            continue
        altered = altered_outputs(chapter, project, manifest)
        if altered:
            found[chapter] = (f"altered: {altered}; run `python -m snippet_engine {chapter}` "
                              "to make its outputs again")
    for problem in gathered.out_of_date(project):
        path = problem.split(" ", 1)[0]
        found[path] = f"{problem}; run `python -m snippet_engine` to write it again"
    return found
