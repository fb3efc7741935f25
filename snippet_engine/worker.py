"""The worker: one fresh Python process runs one chapter, as a reader would.

The engine (``execute.py``) starts it in a folder holding only what the chapter page tells a
reader to download, with the numerics pinned in its environment::

    python -c "import snippet_engine.worker as w; w.main()" job.json

The sections run in order in this process's own ``__main__`` namespace, as ``python
chapter.py`` runs them (so what they define pickles by reference). For each section the
worker records what it printed (warnings included), its figures (light and dark SVG files)
and the values it defined; it writes them to ``job["out"]/result.json``, or the error that
stopped the run. One line per section goes to stderr for the engine's log.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

from . import capture, checkpoints, figures, numerics
from .config import SnippetError
from .sections import Section, parse_sections


COMMAND = "import snippet_engine.worker as w; w.main()"  # how execute.py starts it


def main() -> None:
    job = json.loads(Path(sys.argv[-1]).read_text())
    out = Path(job["out"])
    try:
        # and the pins this processor did not honour (numerics.unpinned): the run used other
        # machine code than where they all take, which the comparison must know
        result = {**run(job, out), "unpinned": numerics.unpinned()}
    except SnippetError as error:
        result = {"error": str(error)}
    result["cpu_seconds"] = _cpu_seconds()
    (out / "result.partial").write_text(json.dumps(result))
    os.replace(out / "result.partial", out / "result.json")
    sys.exit(1 if "error" in result else 0)


def _cpu_seconds() -> float | None:
    """The CPU time this process's threads used (all of them: BLAS's, PyTorch's): what the
    benchmark compares with the wall time to see how many cores a chapter kept busy."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 1)


def run(job: dict, out: Path) -> dict:
    """Run the chapter's sections, after restoring the longest unchanged prefix of them that
    has a checkpoint (``checkpoints.py``); checkpoint as the job says."""
    script = Path(job["script"])
    sections = parse_sections(script, job["where"])
    namespace = sys.modules["__main__"].__dict__
    for name in [n for n in namespace if not n.startswith("__")]:
        del namespace[name]  # the `w` of the command line: the reader's namespace is empty
    namespace.update(__file__=str(script), __doc__=_docstring(script))
    sys.path[0] = str(script.parent)  # as for `python chapter.py`
    folder = Path.cwd()
    initial, environ = checkpoints.folder_listing(folder), dict(os.environ)

    import matplotlib
    import numpy  # noqa: F401  (loads OpenBLAS, so that its threads can be checked)

    matplotlib.use("Agg", force=True)
    own_threads = job.get("own_threads")  # PyTorch's, set by the chapter's code
    numerics.check(job["threads"], own_threads)
    store, keys, saving = None, [], True
    if job.get("checkpoints"):
        store = checkpoints.Store(job["checkpoints"], job["chapter"])
        keys = checkpoints.prefix_keys(job["checkpoint_base"], sections,
                                       job["checkpoint_helpers"])
    records, figure_files, restored, seconds = [], {}, 0, []
    with matplotlib.rc_context({"svg.hashsalt": job["svg_salt"]}):
        while store and job.get("restore", True) and store.latest(keys):
            started = time.perf_counter()
            restored = store.latest(keys)
            try:
                records, figure_files, seconds = store.restore(
                    keys[restored - 1], namespace, out, folder, environ)
            except Exception as error:  # a damaged file, an array deleted by hand...
                store.path(keys[restored - 1]).unlink(missing_ok=True)
                _say(f"could not restore the checkpoint after section "
                     f"'{sections[restored - 1].name}' ({type(error).__name__}: "
                     f"{str(error)[:200]}); deleted it")
                restored = 0
                continue
            _say(f"restored {restored} of {len(sections)} sections, through "
                 f"'{sections[restored - 1].name}', from a checkpoint in "
                 f"{time.perf_counter() - started:.1f} s (they ran in {sum(seconds):.1f} s)")
            break
        since, restored_seconds = 0.0, sum(seconds)
        for index in range(restored, len(sections)):
            section = sections[index]
            started = time.perf_counter()
            records.append(run_section(job, section, namespace, out))
            took = time.perf_counter() - started
            _say(f"{section.name} ran in {took:.1f} s")
            since = since + took
            seconds.append(took)
            for figure in records[-1]["figures"]:
                for name in (f"{figure}.light.svg", f"{figure}.dark.svg"):
                    figure_files[name] = (out / name).read_bytes()
            if store and saving and since >= job["checkpoint_after"]:
                started = time.perf_counter()
                try:
                    store.save(keys[index], namespace, records, figure_files, seconds,
                               folder, initial, environ)
                except checkpoints.CannotSave as why:
                    _say(f"no checkpoint after {section.name} or later: {why}; the sections "
                         "after the last checkpoint run again on every run")
                    saving = False
                else:
                    since = 0.0
                    _say(f"checkpoint after {section.name} in "
                         f"{time.perf_counter() - started:.1f} s")
    numerics.check(job["threads"], own_threads)  # again: a section may have imported PyTorch
    if store:
        store.prune(keys)
    # each section's seconds (restored ones: from their run) tell a notebook's run which
    # sections were slow (notebooks.py)
    return {"sections": records, "restored": restored, "restored_seconds": restored_seconds,
            "section_seconds": [round(s, 3) for s in seconds]}


def _say(line: str) -> None:
    """One line for the engine's log (the chapter's own output is captured)."""
    print(line, file=sys.__stderr__, flush=True)


def _docstring(script: Path) -> str | None:
    import ast

    return ast.get_docstring(ast.parse(script.read_text()), clean=False)


def run_section(job: dict, section: Section, namespace: dict, out: Path) -> dict:
    import matplotlib.pyplot as plt

    script = Path(job["script"])
    record = {"name": section.name, "line": section.line, "stdout": "", "figures": [],
              "values": {}}
    text = io.StringIO()

    def show(*args, **kwargs):  # plt.show() in a snippet: freeze the open figures, in order
        for number in plt.get_fignums():
            figure = plt.figure(number)
            name = f"{section.name}-{len(record['figures']) + 1}"
            light, dark = figures.svg_pair(figure)
            (out / f"{name}.light.svg").write_bytes(light)
            (out / f"{name}.dark.svg").write_bytes(dark)
            record["figures"].append(name)
            if figure.get_label():  # plt.figure(num="..."): the alt text of a notebook page
                record.setdefault("alt", {})[name] = figure.get_label()
        plt.close("all")

    # Line numbers in tracebacks are the script's own: pad the code down to where it starts.
    code = compile("\n" * (section.line - 1) + section.code, str(script), "exec")
    plt.show = show
    printed_tables = []
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text), \
            _tables_printed(text, job.get("measured"), printed_tables):
        with warnings.catch_warnings():
            capture.reader_warning_filters()
            formatted = capture.format_warning(script.parent)
            warnings.showwarning = lambda *w, **k: text.write(formatted(*w))
            try:
                exec(code, namespace)
                show()
            except (Exception, SystemExit) as error:  # sys.exit() stops a reader's run too
                raise SnippetError(explain(job, section, error, text.getvalue())) from None
            finally:
                plt.close("all")
    record["stdout"] = text.getvalue()
    record["values"] = capture.values(namespace, capture.assigned_names(section.code))
    if printed_tables:
        record["printed_tables"] = printed_tables
    claims = capture.claims(namespace, capture.assigned_names(section.code),
                            f"{job['where']}:{section.line}")
    if claims:
        record["claims"] = claims
    return record


@contextlib.contextmanager
def _tables_printed(text: io.StringIO, measured: str | None, found: list):
    """Note where ``print(table)`` wrote a DataFrame with a timing column (one whose name
    matches ``measured``): its text differs on every run, so a check compares the table's
    values there, its timings only as numbers (``compare.same_printed``), and the rest of
    the printed text exactly. The reader's ``print`` is Python's own; this only watches."""
    import builtins
    import re

    real = builtins.print

    def watching(*args, **kwargs):
        table = args[0] if len(args) == 1 else None
        timed = (measured and type(table).__name__ == "DataFrame"
                 and kwargs.get("file") in (None, sys.stdout) and sys.stdout is text
                 and any(re.search(measured, str(c)) for c in table.columns))
        start = len(text.getvalue())
        real(*args, **kwargs)
        plain = capture.to_plain(table) if timed else None
        if plain is not None:
            found.append({"at": [start, len(text.getvalue())], **plain})

    builtins.print = watching
    try:
        yield
    finally:
        builtins.print = real


def explain(job: dict, section: Section, error: Exception, printed: str) -> str:
    """The error as the chapter's author needs it: the script's file:line, the traceback
    without the engine's frames, and the last lines printed before it."""
    folder = str(Path(job["script"]).parent) + os.sep
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename == job["script"]]
    line = ours[-1].lineno if ours else section.line
    shown = [f for f in frames if Path(f.filename).parent != Path(__file__).parent]
    trace = "".join(traceback.format_list(shown)).rstrip().replace(folder, "snippets/")
    tail = "\n".join(printed.rstrip().splitlines()[-10:])
    message = str(error) if len(str(error)) < 600 else str(error)[:600] + " [...]"
    return (
        f"{job['where']}:{line}: section '{section.name}' raised "
        f"{type(error).__name__}: {message}\n"
        f"Traceback (most recent call last):\n{trace}\n"
        + (f"Printed before the error:\n{tail}\n" if tail else "")
        + "No output was written; the frozen outputs are unchanged."
    )
