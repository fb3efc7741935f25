"""A chapter as a Jupyter notebook, and running that notebook as a reader would.

``notebook`` writes a title cell, the script's text cells, then one code cell per section
with the frozen printed output and figures, so it reads complete before it is run. A site
that renders notebooks as pages passes ``figure_html`` to show its own figure markup in
place of the embedded SVG.

``run_notebook`` executes the download in a reader's folder, in a worker process with the
same pinned environment as a chapter run, and returns the executed notebook. So that a
check runs each slow computation once, not twice, a cell whose section took
``notebook-restore-after`` seconds or more in the chapter's script run (the check's, just
before) is not executed in the kernel: the kernel restores the checkpoint that run saved
after that section (``checkpoints.py``: the same code, the same inputs), and the cells
after it run on that state. The cell is marked ``restored`` in the executed notebook; what
it computed was compared in the script run.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from . import checkpoints
from .config import Project, SnippetError
from .execute import (LOG, _start_worker, checkpoint_folder, checkpoint_job, prepare_folder,
                      worker_environment)
from .inputs import inputs_of, read_manifest
from .sections import markdown_cells, parse_sections, title_markdown

NOTEBOOK_WORKER = "import snippet_engine.notebooks as n; n.execute_main()"


def notebook(chapter: str, project: Project, figure_html=None) -> str:
    """The notebook's JSON text. ``figure_html(chapter, section, figure, alt)`` -> HTML."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    script = project.script(chapter)
    manifest = read_manifest(chapter, project)
    if manifest is None:
        raise SnippetError(f"{chapter}: no frozen outputs to make its notebook from")
    cells = [new_markdown_cell(title_markdown(script), id="title")]
    texts = markdown_cells(script)
    sections = parse_sections(script, f"snippets/{script.name}")
    if [s.name for s in sections] != [r["name"] for r in manifest["sections"]]:
        raise SnippetError(f"{chapter}: the frozen outputs are of other sections than "
                           f"snippets/{script.name} has: run the chapter again")
    shown = [(s, r) for s, r in zip(sections, manifest["sections"]) if not s.site]
    for number, (section, record) in enumerate(shown, 1):
        cells += [new_markdown_cell(text, id=f"{section.name}-text{'' if n == 1 else n}")
                  for n, text in enumerate(texts.get(section.name, []), 1)]
        outputs = []
        if record["stdout"]:
            outputs.append(new_output("stream", name="stdout", text=record["stdout"]))
        for figure in record["figures"]:
            if figure_html:
                alt = record.get("alt", {}).get(figure, "")
                data = {"text/html": figure_html(chapter, section.name, figure, alt)}
            else:
                data = {"image/svg+xml":
                        (project.outputs / chapter / f"{figure}.light.svg").read_text()}
            outputs.append(new_output("display_data", data={**data, "text/plain": f"<{figure}>"}))
        cells.append(new_code_cell(section.code.strip("\n"), id=section.name,
                                   execution_count=number, outputs=outputs))
    cells += [new_markdown_cell(text, id=f"closing{'' if n == 1 else n}")
              for n, text in enumerate(texts.get("", []), 1)]
    book = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    return nbformat.writes(book)


def run_notebook(chapter: str, project: Project, log: logging.Logger = LOG, timeout=1200,
                 section_seconds=()):
    """Execute the chapter's notebook download in a reader's folder; the executed notebook.
    ``section_seconds``: each section's seconds in the chapter's script run; the slow ones
    are restored from that run's checkpoints, where it saved one after them."""
    import nbformat

    with tempfile.TemporaryDirectory(prefix=f"{chapter}-notebook-") as temp:
        folder, out = Path(temp) / "reader", Path(temp) / "out"
        folder.mkdir()
        out.mkdir()
        prepare_folder(chapter, project, folder)
        (folder / f"{chapter}.ipynb").write_text(notebook(chapter, project))
        job = {"notebook": str(folder / f"{chapter}.ipynb"), "out": str(out / "run.ipynb"),
               "timeout": timeout,
               "restore": restore_plan(chapter, project, section_seconds, folder, out)}
        if job["restore"]["cells"]:
            cells = sum(not s.site for s in parse_sections(project.script(chapter)))
            log.info("%s.ipynb: %d of %d cells restored from the script run's checkpoints "
                     "(they took %s s or more there)", chapter, len(job["restore"]["cells"]),
                     cells, project.config.notebook_restore_after)
        (out / "job.json").write_text(json.dumps(job))
        env = worker_environment(project, side_by_side=True)  # it runs in the pool
        del env["MPLBACKEND"]  # the kernel's inline backend shows the figures
        _start_worker(f"{chapter}.ipynb", [sys.executable, "-c", NOTEBOOK_WORKER,
                                           str(out / "job.json")], folder, env, log)
        result = json.loads((out / "result.json").read_text())
        if "error" in result:
            raise SnippetError(f"{chapter}.ipynb: {result['error']}")
        return nbformat.read(out / "run.ipynb", as_version=4)


def restore_plan(chapter: str, project: Project, section_seconds, folder: Path,
                 out: Path) -> dict:
    """Which cells the kernel restores rather than runs: those whose section took
    ``notebook-restore-after`` seconds or more and has a checkpoint right after it."""
    plan = {"cells": {}, "checkpoints": None, "folder": str(folder), "out": str(out)}
    root = checkpoint_folder(project)
    if root is None or not section_seconds:
        return plan
    sections = parse_sections(project.script(chapter), f"snippets/{project.script(chapter).name}")
    if len(sections) != len(section_seconds):
        return plan  # not the run of this script: run every cell
    base = checkpoint_job(chapter, project, inputs_of(chapter, project), True)
    keys = checkpoints.prefix_keys(base["checkpoint_base"], sections,
                                   base["checkpoint_helpers"])
    store = checkpoints.Store(root, chapter)
    plan["checkpoints"] = str(root)
    plan["chapter"] = chapter
    for section, key, seconds in zip(sections, keys, section_seconds):
        if seconds >= project.config.notebook_restore_after and store.path(key).exists():
            plan["cells"][section.name] = key
    return plan


RESTORE_CELL = "__import__('snippet_engine.notebooks').notebooks.restore_cell({job!r}, {key!r})"


def restore_cell(job_path: str, key: str) -> None:
    """In the kernel, in place of a slow cell: the state after it, from its checkpoint."""
    from IPython import get_ipython

    plan = json.loads(Path(job_path).read_text())["restore"]
    shell = get_ipython()
    store = checkpoints.Store(plan["checkpoints"], plan["chapter"])
    store.restore(key, shell.user_ns, Path(plan["out"]), Path(plan["folder"]),
                  dict(os.environ), keep=frozenset(shell.user_ns_hidden))


def execute_main() -> None:
    """In the worker: run the notebook with nbclient, where it lies; the cells the job's
    restore plan names restore their checkpoint instead (marked ``restored``)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    job = json.loads(Path(sys.argv[-1]).read_text())
    path = Path(job["notebook"])
    book = nbformat.read(path, as_version=4)
    restored = job.get("restore", {}).get("cells", {})
    for cell in book.cells:
        if cell.cell_type == "code" and cell.get("id") in restored:
            cell.source = RESTORE_CELL.format(job=sys.argv[-1], key=restored[cell.id])
            cell.metadata["restored"] = True
    # Unix sockets, not TCP ports on localhost: no other user of the machine can reach the
    # kernel (over TCP it warns that its traffic is unencrypted, rightly)
    ipc = Config({"KernelManager": {"transport": "ipc"}})
    client = NotebookClient(book, timeout=job["timeout"], kernel_name="python3", config=ipc,
                            resources={"metadata": {"path": str(path.parent)}})
    result = Path(job["out"]).with_name("result.json")
    try:
        client.execute()
    except CellExecutionError as error:
        result.write_text(json.dumps({"error": str(error)[-3000:]}))
        sys.exit(1)
    nbformat.write(book, job["out"])
    result.write_text(json.dumps({"ran": len(book.cells)}))
