"""Run each chapter's script, freeze what it prints, draws and computes, and put it in the page.

The loop, one chapter at a time (``meet-mnist`` as the example):

    snippets/meet-mnist.py          the chapter's code: named sections, run top to bottom
        | run_chapter()             one shared namespace, like a notebook
    outputs/meet-mnist/             frozen: manifest.json (printed text, values, inputs
        |                           digest) and every figure as a light and a dark SVG
        | on_page_markdown()        {{ code("load") }}, {{ output("load") }}, {{ value("n") }},
    docs/chapters/posts/meet-mnist.md  {{ figure("gallery", alt=..., caption=...) }}

``mkdocs build`` (this file is a MkDocs hook) re-runs a chapter only when its inputs digest
changed: the script, the helper modules in ``snippets/``, the data file, the versions of the
libraries that shape results, ``FORMAT``, and for chapters that run the exported network
(through ``digit_net.py``) its files in ``models/``. The tests call ``check_chapter()``, which
runs the script afresh and compares the result with the frozen one.

Set ``ENGINE_EXECUTE`` to ``auto`` (default: run stale chapters), ``never`` (use frozen outputs
as they are) or ``always`` (run every chapter). ``python snippet_engine.py [chapter ...]``
refreshes outputs without building the site.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import linecache
import logging
import math
import os
import platform
import posixpath
import re
import shutil
import sys
import tempfile
import time
import traceback
import types
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent
FORMAT = 3  # bump when what run_chapter() writes changes shape: every chapter then re-runs
PACKAGES = ("numpy", "scipy", "scikit-learn", "matplotlib", "pandas")  # they shape the results
# ... and these too, for the chapters (or their helpers) that import them
IMPORTED_PACKAGES = {"keras": "keras", "torch": "torch", "skops": "skops", "flask": "flask",
                     "PIL": "pillow"}
# The convolutional network's chapter exports it here; chapters that run it with digit_net.py
# read these committed files (and a reader downloads them with the chapter).
MODEL_FILES = ("models/digit-cnn.json", "models/digit-cnn.bin")
FLOAT_TOLERANCE = 1e-9  # relative; printed text and integers must match exactly
# Wall-clock times are measurements, not results: a value (or table column) whose name says
# "seconds" is only checked to be there and be a number. Never print one: printed text must match.
MEASURED = re.compile(r"seconds")
SVG_SALT = "learning-from-digits"
MARKER = re.compile(r"^\s*# --8<-- \[(start|end):([a-z][-_0-9a-z]*)\]\s*$")  # as pymdownx
log = logging.getLogger("mkdocs.hooks.snippet_engine")

# A long iterative fit (2,000 lbfgs iterations, say) turns last-bit differences in linear
# algebra into a different model. OpenBLAS and numpy pick their machine code by CPU: AVX-512
# kernels on one server, AVX2 on another, with different rounding. Pin both to the AVX2 code
# paths every x86-64 server since 2015 has, so any such machine reproduces the frozen outputs
# bit for bit. They work only if set before numpy is first imported: hence here, at import.
PINNED_NUMERICS = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    # PyTorch: its own kernels, oneDNN's convolutions and MKL's matrix products
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2",
}
if platform.machine() in ("x86_64", "AMD64"):
    for _name, _value in PINNED_NUMERICS.items():
        os.environ.setdefault(_name, _value)


class SnippetError(Exception):
    """A chapter script cannot be parsed or run; the message names file:line."""


# ----------------------------------------------------------------------------- project layout


@dataclass(frozen=True)
class Project:
    root: Path = ROOT

    @property
    def snippets(self) -> Path:
        return self.root / "snippets"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def data(self) -> Path:
        return self.root / "data" / "mnist.npz"

    def script(self, chapter: str) -> Path:
        return self.snippets / f"{chapter}.py"

    def chapters(self) -> list[str]:
        """Scripts with named sections are chapters; other ``.py`` files are helpers."""
        return sorted(p.stem for p in self.snippets.glob("*.py") if _has_sections(p))

    def helpers(self) -> list[Path]:
        return sorted(p for p in self.snippets.glob("*.py") if not _has_sections(p))

    def exercise_sets(self) -> list[str]:
        """Chapters named ``exercises-*`` are worked exercises: they have no Markdown page;
        their notebook, rendered by mkdocs-jupyter, is their page (``exercises/<name>/``)."""
        return [chapter for chapter in self.chapters() if chapter.startswith("exercises-")]


def _has_sections(path: Path) -> bool:
    return any(MARKER.match(line) for line in path.read_text().splitlines())


# ----------------------------------------------------------------------------- sections


@dataclass
class Section:
    name: str
    line: int  # first line of code, 1-based
    code: str


def parse_sections(script: Path) -> list[Section]:
    """Split a chapter script at its ``# --8<-- [start:name]`` / ``[end:name]`` markers.

    Outside sections only the title docstring, comments and blank lines are allowed, so that
    running the sections in order is running the whole file.
    """
    sections: list[Section] = []
    current: Section | None = None
    outside: list[str] = []
    for number, line in enumerate(script.read_text().splitlines(), 1):
        marker = MARKER.match(line)
        where = f"{_rel(script)}:{number}"
        if marker and marker[1] == "start":
            if current:
                raise SnippetError(f"{where}: section '{marker[2]}' starts inside '{current.name}'")
            if any(s.name == marker[2] for s in sections):
                raise SnippetError(f"{where}: section '{marker[2]}' is defined twice")
            current = Section(marker[2], number + 1, "")
        elif marker:
            if not current or current.name != marker[2]:
                raise SnippetError(f"{where}: [end:{marker[2]}] does not close an open section")
            sections.append(current)
            current = None
        elif current:
            current.code += line + "\n"
        else:
            outside.append(line)
    if current:
        raise SnippetError(f"{_rel(script)}: section '{current.name}' is never closed")
    try:
        body = ast.parse("\n".join(outside)).body
    except SyntaxError as error:
        raise SnippetError(f"{_rel(script)}: code outside sections: {error}") from None
    if [n for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]:
        raise SnippetError(f"{_rel(script)}: code outside a named section would not be shown")
    return sections


# ----------------------------------------------------------------------------- freshness


def helpers_of(chapter: str, project: Project = Project()) -> list[Path]:
    """The helper modules a chapter imports, directly or through another helper."""
    available = {p.stem: p for p in project.helpers()}
    found, queue = {}, [project.script(chapter)]
    while queue:
        for name in _imported_modules(queue.pop().read_text()):
            if name in available and name not in found:
                found[name] = available[name]
                queue.append(available[name])
    return sorted(found.values())


def _imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def inputs_of(chapter: str, project: Project = Project()) -> dict:
    """Everything that can change a chapter's outputs, as fingerprints."""
    files = [project.script(chapter), *helpers_of(chapter, project)]
    imported = set().union(*(_imported_modules(p.read_text()) for p in files))
    packages = [*PACKAGES, *(IMPORTED_PACKAGES[m] for m in sorted(imported & IMPORTED_PACKAGES.keys()))]
    inputs = {
        "format": FORMAT,
        "files": {p.name: _sha256(p.read_bytes()) for p in files},
        "data": _sha256(project.data.read_bytes()) if project.data.exists() else "missing",
        "python": "%d.%d" % sys.version_info[:2],
        "packages": {name: metadata.version(name) for name in packages},
    }
    if any(p.name == "digit_net.py" for p in files):  # it runs the exported network's files
        inputs["models"] = {name: _sha256(path.read_bytes()) if path.exists() else "missing"
                            for name in MODEL_FILES for path in [project.root / name]}
    return inputs


def digest(inputs: dict) -> str:
    return _sha256(json.dumps(inputs, sort_keys=True).encode())


def read_manifest(chapter: str, project: Project = Project()) -> dict | None:
    path = project.outputs / chapter / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def is_fresh(chapter: str, project: Project = Project()) -> bool:
    manifest = read_manifest(chapter, project)
    return bool(manifest) and manifest["digest"] == digest(inputs_of(chapter, project))


# ----------------------------------------------------------------------------- running


@dataclass
class Run:
    manifest: dict
    files: dict[str, bytes] = field(default_factory=dict)  # figure file name -> SVG bytes


def run_chapter(chapter: str, project: Project = Project()) -> Run:
    """Run every section of a chapter in order, in one namespace; nothing is written."""
    script = project.script(chapter)
    sections = parse_sections(script)
    inputs = inputs_of(chapter, project)
    run = Run({"chapter": chapter, "digest": digest(inputs), "inputs": inputs, "sections": []})
    # The sections run as the script's __main__ module would, so that what they define can
    # be pickled by reference (joblib caching a pipeline with one of their functions, say).
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    namespace = main.__dict__
    _check_numerics()
    started = time.perf_counter()
    with _execution_context(project, main):
        for section in sections:
            t0 = time.perf_counter()
            record = _run_section(script, section, namespace, run.files)
            run.manifest["sections"].append(record)
            log.info("%s:%s ran in %.1f s", _rel(script), section.name, time.perf_counter() - t0)
    _check_numerics()  # again: a section may have imported PyTorch
    log.info("%s: %d sections in %.1f s", chapter, len(sections), time.perf_counter() - started)
    return run


def _check_numerics() -> None:
    """Refuse to run (and freeze) under machine code other than the pinned one."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    from threadpoolctl import threadpool_info

    problems = [f"OpenBLAS uses {lib.get('architecture')} kernels"
                for lib in threadpool_info()
                if lib["internal_api"] == "openblas" and lib.get("architecture") != "Haswell"]
    problems += [f"numpy dispatches {name}" for name in __cpu_dispatch__
                 if name != "X86_V3" and __cpu_features__.get(name)]
    if "torch" in sys.modules:  # imported already: a chapter or helper before this run
        capability = sys.modules["torch"].backends.cpu.get_cpu_capability()
        if capability != "AVX2":
            problems.append(f"PyTorch uses {capability} kernels")
    if problems:
        pins = " ".join(f"{k}='{v}'" for k, v in PINNED_NUMERICS.items())
        raise SnippetError(
            f"the numerics are not pinned ({'; '.join(problems)}), so results would differ "
            f"from the frozen ones in the last bits and beyond. numpy was imported before "
            f"snippet_engine could set {pins}; set them in the environment and run again.")


def _reader_warning_filters() -> None:
    """The warnings a reader sees running the script with ``python`` or in Jupyter: each
    once per place, except deprecations raised inside libraries, which Python's own default
    filters hide (the library's authors, not its users, are the ones to act on them)."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning,
                     DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def _run_section(script: Path, section: Section, namespace: dict, files: dict) -> dict:
    import matplotlib.pyplot as plt

    record = {"name": section.name, "line": section.line, "stdout": "", "figures": [], "values": {}}
    assigned = _assigned_names(section.code)
    text = io.StringIO()

    def show(*args, **kwargs):  # plt.show() in a snippet: freeze the open figures, in order
        for number in plt.get_fignums():
            figure = plt.figure(number)
            name = f"{section.name}-{len(record['figures']) + 1}"
            files[f"{name}.light.svg"], files[f"{name}.dark.svg"] = _svg_pair(figure)
            record["figures"].append(name)
            if figure.get_label():  # plt.figure(num="..."): the alt text of a notebook page
                record.setdefault("alt", {})[name] = figure.get_label()
        plt.close("all")

    # Line numbers in tracebacks are the script's own: pad the code down to where it starts.
    code = compile("\n" * (section.line - 1) + section.code, str(script), "exec")
    with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
        with warnings.catch_warnings():
            _reader_warning_filters()
            warnings.showwarning = lambda *w, **k: text.write(_format_warning(*w))
            plt.show = show
            try:
                exec(code, namespace)
                show()
            except Exception as error:
                raise SnippetError(_explain(script, section, error, text.getvalue())) from None
            finally:
                plt.show = _REAL_SHOW
                plt.close("all")
    record["stdout"] = text.getvalue()
    record["values"] = _values({name: namespace[name] for name in assigned if name in namespace})
    return record


def _assigned_names(code: str) -> set[str]:
    """Names a section binds at its top level (``x = ...``, ``from m import x``): what it
    means to define. Loop variables and names inside functions are left out."""
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


_REAL_SHOW = None


@contextlib.contextmanager
def _execution_context(project: Project, main: types.ModuleType):
    """Run as a reader would from the project folder, with figures going to files."""
    global _REAL_SHOW
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    _REAL_SHOW = plt.show
    helpers = [p.stem for p in project.helpers()]
    saved = (os.getcwd(), list(sys.path), os.environ.pop("MNIST_NPZ", None),
             sys.modules["__main__"])
    sys.modules["__main__"] = main
    # An edited helper must be imported afresh; the caller's copies come back afterwards,
    # so a test holding `digit_net.ModelFileError` still catches what `draw_app` raises.
    callers_helpers = {name: sys.modules.pop(name) for name in helpers if name in sys.modules}
    if "keras" in sys.modules:  # layer names count up per process; a reader's starts at 0
        sys.modules["keras"].backend.clear_session()
    os.chdir(project.root)
    sys.path.insert(0, str(project.snippets))
    try:
        with matplotlib.rc_context({"svg.hashsalt": SVG_SALT}):
            yield
    finally:
        os.chdir(saved[0])
        sys.path[:] = saved[1]
        sys.modules["__main__"] = saved[3]
        if saved[2] is not None:
            os.environ["MNIST_NPZ"] = saved[2]
        for name in helpers:
            sys.modules.pop(name, None)
        sys.modules.update(callers_helpers)


def _explain(script: Path, section: Section, error: Exception, printed: str) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename == str(script)]
    line = ours[-1].lineno if ours else section.line
    shown = [f for f in frames if f.filename != __file__]
    trace = "".join(traceback.format_list(shown)).rstrip()
    tail = "\n".join(printed.rstrip().splitlines()[-10:])
    message = str(error) if len(str(error)) < 600 else str(error)[:600] + " [...]"
    return (
        f"{_rel(script)}:{line}: section '{section.name}' raised "
        f"{type(error).__name__}: {message}\n"
        f"Traceback (most recent call last):\n{trace}\n"
        + (f"Printed before the error:\n{tail}\n" if tail else "")
        + "No output was written; the frozen outputs are unchanged."
    )


def _format_warning(message, category, filename, lineno, file=None, line=None) -> str:
    line = line or linecache.getline(filename, lineno)
    return warnings.formatwarning(message, category, _short(filename), lineno, line)


def _short(filename: str) -> str:
    """site-packages/sklearn/x.py -> sklearn/x.py, so output is the same on every machine."""
    path = Path(filename)
    for parent in path.parents:
        if parent.name in ("site-packages", "dist-packages"):
            return path.relative_to(parent).as_posix()
    return _rel(path, Path.cwd())  # the project folder while a chapter runs


def _values(namespace: dict) -> dict:
    """The public scalars (and small tables) of a namespace: what a page may quote."""
    found = {}
    for name, value in namespace.items():
        if not name.startswith("_"):
            plain = _plain(value)
            if plain is not None:
                found[name] = plain
    return found


def _plain(value, depth=0):
    import numpy as np

    if isinstance(value, np.generic) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 500):
        return value
    if depth == 0 and isinstance(value, (list, tuple)) and len(value) <= 100:
        items = [_plain(v, 1) for v in value]
        return items if all(i is not None for i in items) else None
    if depth == 0 and type(value).__name__ == "DataFrame" and len(value) <= 100:
        rows = [[_plain(v, 1) for v in row] for row in value.itertuples(index=False)]
        if all(c is not None for row in rows for c in row):
            return {"table": {"columns": [str(c) for c in value.columns],
                              "index": [str(i) for i in value.index], "rows": rows,
                              "index_name": str(value.index.name or "")}}
    return None


# ----------------------------------------------------------------------------- figures


def _svg_pair(figure) -> tuple[bytes, bytes]:
    light = _svg(figure)
    _darken(figure)
    return light, _svg(figure)


def _svg(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _stable_ids(buffer.getvalue().decode()).encode()


def _stable_ids(svg: str) -> str:
    """Number the element ids in order of appearance: some depend on object addresses."""
    ids = re.findall(r'\bid="([^"]+)"', svg)
    hashed = [i for i in dict.fromkeys(ids) if re.fullmatch(r"[a-z]+[0-9a-f]{10}", i)]
    mapping = {old: f"{re.match('[a-z]+', old)[0]}{n}" for n, old in enumerate(hashed)}
    if not mapping:
        return svg
    pattern = re.compile(r'(?<=["#])(' + "|".join(map(re.escape, mapping)) + r')(?=[")])')
    return pattern.sub(lambda m: mapping[m[1]], svg)


DARK_INK = "#d5d8e2"  # reads well on Material's slate background


def _darken(figure) -> None:
    """Recolour a drawn figure for the dark palette; data colours and images stay as they are."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    def grey(color, below=0.35, above=None):
        r, g, b, a = to_rgba(color)
        if a == 0 or max(r, g, b) - min(r, g, b) > 0.15:
            return False
        level = 0.299 * r + 0.587 * g + 0.114 * b
        return level > above if above is not None else level < below

    # Texts drawn on top of images (counts on a confusion matrix) keep their contrast colour.
    on_images = {id(t) for ax in figure.axes if ax.images for t in ax.texts}
    figure.patch.set_facecolor("none")
    for artist in figure.findobj():
        if isinstance(artist, Text) and id(artist) not in on_images and grey(artist.get_color()):
            artist.set_color(DARK_INK)
        elif isinstance(artist, Line2D):
            if grey(artist.get_color()):
                artist.set_color(DARK_INK)
            if grey(artist.get_markeredgecolor()):
                artist.set_markeredgecolor(DARK_INK)
        elif isinstance(artist, Patch) and artist is not figure.patch:
            if grey(artist.get_facecolor(), above=0.9):
                artist.set_facecolor("none")
            if grey(artist.get_edgecolor()):
                artist.set_edgecolor(DARK_INK)
        elif isinstance(artist, Collection) and artist.get_array() is None:
            edges = artist.get_edgecolor()
            if len(edges) and all(grey(c) for c in edges):
                artist.set_edgecolor(DARK_INK)
            faces = artist.get_facecolor()
            if len(faces) and all(grey(c) for c in faces):
                artist.set_facecolor(DARK_INK)
    for ax in figure.axes:
        if grey(ax.get_facecolor(), above=0.9):
            ax.set_facecolor("none")


# ----------------------------------------------------------------------------- freezing


def write_outputs(chapter: str, run: Run, project: Project = Project()) -> None:
    """Replace a chapter's outputs all at once: a failed run never leaves a half-written set."""
    project.outputs.mkdir(parents=True, exist_ok=True)
    final = project.outputs / chapter
    staging = Path(tempfile.mkdtemp(prefix=f".{chapter}-", dir=project.outputs))
    staging.chmod(0o755)  # mkdtemp makes it private; the outputs are for everyone
    for name, data in run.files.items():
        (staging / name).write_bytes(data)
    manifest = json.dumps(run.manifest, indent=1, sort_keys=True, ensure_ascii=False)
    (staging / "manifest.json").write_text(manifest + "\n")
    old = project.outputs / f".{chapter}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def refresh(chapters=None, mode: str = "auto", project: Project = Project()) -> list[str]:
    """Run the chapters whose outputs are stale (or all, or none); return those that ran."""
    ran = []
    for chapter in chapters or project.chapters():
        if mode == "never" or (mode == "auto" and is_fresh(chapter, project)):
            continue
        log.info("%s: running (outputs %s)", chapter,
                 "stale" if read_manifest(chapter, project) else "missing")
        write_outputs(chapter, run_chapter(chapter, project), project)
        ran.append(chapter)
    return ran


# ----------------------------------------------------------------------------- notebooks


def notebook(chapter: str, project: Project = Project(), page: bool = False) -> str:
    """The chapter as a Jupyter notebook: a title cell, then one code cell per section with
    the frozen printed output and figures, so it reads complete before it is run.

    ``page=True``: the notebook a site page renders (mkdocs-jupyter), whose figures are the
    published light and dark SVGs with their alt text (the figure's label) and a caption,
    as on chapter pages; the download embeds the light SVG, which any Jupyter shows."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    script = project.script(chapter)
    manifest = read_manifest(chapter, project)
    cells = [new_markdown_cell(_docstring_markdown(script), id="title")]
    texts = markdown_cells(script)
    for number, (section, record) in enumerate(zip(parse_sections(script),
                                                   manifest["sections"]), 1):
        cells += [new_markdown_cell(text, id=f"{section.name}-text{'' if n == 1 else n}")
                  for n, text in enumerate(texts.get(section.name, []), 1)]
        outputs = []
        if record["stdout"]:
            outputs.append(new_output("stream", name="stdout", text=record["stdout"]))
        for figure in record["figures"]:
            if page:
                html = _notebook_figure(chapter, section.name, figure, record.get("alt", {}))
                data = {"text/html": html}
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


def _notebook_figure(chapter: str, section: str, figure: str, alts: dict) -> str:
    """A figure of a notebook page, from exercises/<name>/ to outputs/<name>/."""
    from html import escape

    if len(alts.get(figure, "")) < 15:
        raise SnippetError(f"snippets/{chapter}.py:{section}: figure {figure} needs alt text of "
                           "15 characters or more: describe it in its label, "
                           'plt.figure(num="...") or plt.subplots(..., num="...")')
    alt = escape(alts[figure])
    base = f"../../outputs/{chapter}/{figure}"
    number = figure.rsplit("-", 1)[1]
    return (f'<figure class="notebook-figure">\n'
            f'<img src="{base}.light.svg#only-light" alt="{alt}" loading="lazy">\n'
            f'<img src="{base}.dark.svg#only-dark" alt="{alt}" loading="lazy">\n'
            f"<figcaption>Figure {number} of <code>{section}</code>, drawn by the cell above "
            f'(<a href="../../downloads/{chapter}.py">{chapter}.py</a>)</figcaption>\n'
            f"</figure>")


MARKDOWN_CELL = re.compile(r"^# %% \[markdown\]\s*$")  # jupytext's percent format


def markdown_cells(script: Path) -> dict[str, list[str]]:
    """Text cells of a script, by the section they come before (``""``: after the last one):
    a ``# %% [markdown]`` line and the ``#`` comment lines right after it (jupytext's
    convention), as Markdown."""
    found: dict[str, list[str]] = {}
    pending: list[str] = []
    cell = None  # the lines of the text cell being read
    for line in script.read_text().splitlines():
        if cell is not None and line.startswith("#") and not (
                line.startswith("# %%") or MARKER.match(line)):
            cell.append(line[2:] if line.startswith("# ") else line[1:])
            continue
        if cell is not None:
            pending.append("\n".join(cell).strip())
            cell = None
        if MARKDOWN_CELL.match(line):
            cell = []
        elif (marker := MARKER.match(line)) and marker[1] == "start" and pending:
            found[marker[2]], pending = pending, []
    if cell is not None:
        pending.append("\n".join(cell).strip())
    if pending:  # after the last section: a closing remark, kept at the notebook's end
        found[""] = pending
    return found


def _docstring_markdown(script: Path) -> str:
    """The script's title docstring (a title underlined with ===) as Markdown."""
    text = ast.get_docstring(ast.parse(script.read_text())) or script.stem
    lines = text.splitlines()
    if len(lines) > 1 and set(lines[1]) == {"="}:
        lines = [f"# {lines[0]}"] + lines[2:]
    return "\n".join(lines).strip()


# ----------------------------------------------------------------------------- checking


def compare(frozen: dict, frozen_dir: Path, fresh: Run) -> list[str]:
    """Differences between frozen outputs and a fresh run, one readable line each."""
    problems = []
    chapter = frozen["chapter"]
    if frozen["digest"] != fresh.manifest["digest"]:
        changed = _changed_inputs(frozen["inputs"], fresh.manifest["inputs"])
        problems.append(f"{chapter}: frozen outputs are stale (changed: {changed})")
    old = {s["name"]: s for s in frozen["sections"]}
    new = {s["name"]: s for s in fresh.manifest["sections"]}
    if list(old) != list(new):
        problems.append(f"{chapter}: sections {list(old)} are now {list(new)}")
    for name in old.keys() & new.keys():
        a, b = old[name], new[name]
        where = f"{chapter}:{name}"
        if a["stdout"] != b["stdout"]:
            problems.append(f"{where}: printed output differs\n{_diff(a['stdout'], b['stdout'])}")
        for key in sorted(a["values"].keys() | b["values"].keys()):
            if not _same(a["values"].get(key), b["values"].get(key), MEASURED.search(key)):
                problems.append(f"{where}: value {key} was {a['values'].get(key)!r}, "
                                f"now {b['values'].get(key)!r}")
        if a["figures"] != b["figures"]:
            problems.append(f"{where}: figures {a['figures']} are now {b['figures']}")
    for name, data in sorted(fresh.files.items()):
        path = frozen_dir / name
        if path.exists() and path.read_bytes() != data:
            problems.append(f"{chapter}: figure {name} differs from the frozen one")
    return problems


def check_chapter(chapter: str, project: Project = Project()) -> list[str]:
    """Run a chapter afresh and compare it with what the pages show."""
    frozen = read_manifest(chapter, project)
    if frozen is None:
        return [f"{chapter}: no frozen outputs in {_rel(project.outputs / chapter)}"]
    return compare(frozen, project.outputs / chapter, run_chapter(chapter, project))


def _same(a, b, measured=False) -> bool:
    if measured:
        return isinstance(a, (int, float)) and isinstance(b, (int, float))
    if isinstance(a, dict) and "table" in a and isinstance(b, dict) and "table" in b:
        a, b = a["table"], b["table"]
        if a["columns"] != b["columns"] or a["index"] != b["index"]:
            return False
        return all(_same(x, y, MEASURED.search(column))
                   for row_a, row_b in zip(a["rows"], b["rows"])
                   for x, y, column in zip(row_a, row_b, a["columns"])) and \
            len(a["rows"]) == len(b["rows"])
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def _changed_inputs(old: dict, new: dict) -> str:
    flat = lambda d, p="": (  # noqa: E731
        {k2: v2 for k, v in d.items() for k2, v2 in flat(v, f"{p}{k}.").items()}
        if isinstance(d, dict) else {p.rstrip("."): d})
    a, b = flat(old), flat(new)
    return ", ".join(sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))) or "none"


def _diff(a: str, b: str) -> str:
    import difflib

    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "frozen", "fresh", lineterm="")
    return "\n".join(list(lines)[:40])


# ----------------------------------------------------------------------------- MkDocs hook

# Directives inside code (fenced or inline) are text about directives: leave them alone.
CODE_OR_DIRECTIVE = re.compile(
    r"^(?P<fence>[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\2[ \t]*$)"
    r"|(?P<inline>`[^`\n]+`)|\{\{(?P<call>.+?)\}\}", re.DOTALL | re.MULTILINE)
_shown: set[tuple[str, str]] = set()  # (chapter, what) that pages embedded in this build


def on_pre_build(config) -> None:
    from mkdocs.exceptions import PluginError

    _shown.clear()
    mode = os.environ.get("ENGINE_EXECUTE", "auto")
    if mode not in ("auto", "never", "always"):
        raise PluginError(f"ENGINE_EXECUTE={mode!r}: use auto, never or always")
    try:
        refresh(mode=mode)
    except SnippetError as error:
        raise PluginError(str(error)) from None


@event_priority(10)  # before mkdocs-jupyter's on_files, which makes .ipynb files pages
def on_files(files, config):
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    project = Project()
    for chapter in project.chapters():
        folder = project.outputs / chapter
        for path in sorted(folder.glob("*.svg")):
            files.append(File.generated(config, f"outputs/{chapter}/{path.name}",
                                        abs_src_path=str(path)))
    for path in sorted(project.snippets.glob("*.py")):
        files.append(File.generated(config, f"downloads/{path.name}", abs_src_path=str(path)))
    for chapter in project.chapters():
        if read_manifest(chapter, project):
            files.append(File.generated(config, f"downloads/{chapter}.ipynb",
                                        content=notebook(chapter, project)))
    pages = project.root / ".cache" / "notebook-pages"  # see _notebook_page()
    for name in project.exercise_sets():
        if read_manifest(name, project):
            try:
                _notebook_page(name, project, pages / "exercises" / f"{name}.ipynb")
            except SnippetError as error:
                raise PluginError(str(error)) from None
            # A File with a source folder, as if in docs/: mkdocs-jupyter wraps the File
            # and loses the path of a File.generated(abs_src_path=...).
            files.append(File(f"exercises/{name}.ipynb", src_dir=str(pages),
                              dest_dir=config.site_dir,
                              use_directory_urls=config.use_directory_urls))
    return files


def _notebook_page(name: str, project: Project, path: Path) -> None:
    """Write the notebook (the download's) where mkdocs-jupyter, which reads pages from files
    only, finds it: under .cache/, because a file written into docs/ during a build would
    make ``mkdocs serve`` rebuild forever. Written only when it changed."""
    text = notebook(name, project, page=True)
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def on_page_markdown(markdown: str, page, config, files) -> str:
    from mkdocs.exceptions import PluginError

    if not page.file.src_uri.endswith(".md"):  # a notebook page: mkdocs-jupyter renders it
        return markdown
    project = Project()
    chapter = Path(page.file.src_uri).stem
    manifest = read_manifest(chapter, project) if chapter in project.chapters() else None
    if chapter in project.chapters() and manifest is None:
        raise PluginError(f"{page.file.src_uri}: no frozen outputs in outputs/{chapter}/")
    page_dir = posixpath.dirname(page.file.src_uri)
    link = lambda uri: posixpath.relpath(uri, page_dir or ".")  # noqa: E731
    embed = _Embedder(chapter, manifest, link) if manifest else _SiteEmbedder(project)

    def expand(match):
        if match["call"] is None:
            return match[0]
        try:
            text = embed(match["call"])
        except (SnippetError, ValueError, SyntaxError, TypeError) as error:
            raise PluginError(f"{page.file.src_uri}: {{{{{match['call']}}}}}: {error}") from None
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        indent = re.match(r"[ \t]*", markdown[line_start:match.start()])[0]
        return text.replace("\n", "\n" + indent)  # keep blocks inside admonitions and tabs

    return CODE_OR_DIRECTIVE.sub(expand, markdown) + embed.footer()


def on_page_content(html: str, page, config, files) -> str:
    """An exercise set's page, rendered from its notebook, ends with its downloads too."""
    import markdown as python_markdown
    from mkdocs.utils import get_relative_url

    project = Project()
    name = Path(page.file.src_uri).stem
    if not page.file.src_uri.endswith(".ipynb") or name not in project.exercise_sets():
        return html
    link = lambda uri: get_relative_url(uri, page.url)  # noqa: E731
    footer = _Embedder(name, read_manifest(name, project), link).footer()
    return html + python_markdown.markdown(footer, extensions=config.markdown_extensions,
                                           extension_configs=config.mdx_configs)


def on_post_build(config) -> None:
    """Everything a chapter prints or draws must be on its page: warn (strict fails) if not.
    (An exercise set's page is its notebook, which shows everything.)"""
    project = Project()
    for chapter in project.chapters():
        if chapter in project.exercise_sets():
            continue
        manifest = read_manifest(chapter, project) or {"sections": []}
        for s in manifest["sections"]:
            missing = [("code", s["name"])] + [("figure", f) for f in s["figures"]]
            missing += [("output", s["name"])] if s["stdout"] else []
            for what, name in missing:
                if (chapter, f"{what}:{name}") not in _shown:
                    log.warning("%s: %s '%s' is not shown on the chapter's page",
                                chapter, what, name)


class _SiteEmbedder:
    """Turns one ``{{ call(...) }}`` of any page into Markdown: facts about the whole site."""

    def __init__(self, project: Project):
        self.project = project

    def __call__(self, source: str) -> str:
        call = ast.parse(source.strip(), mode="eval").body
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            raise ValueError("expected a call such as value(\"name\")")
        function = getattr(self, f"do_{call.func.id}", None)
        if function is None:
            raise ValueError(f"unknown directive {call.func.id}()")
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        return function(*args, **kwargs)

    def footer(self) -> str:
        return ""

    def do_versions(self) -> str:
        """The pinned versions of what shapes the results and builds the site."""
        lock = (self.project.root / "requirements.lock").read_text()
        pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", lock, re.M))
        pins = {name.lower(): version for name, version in pins.items()}
        names = [*PACKAGES, *IMPORTED_PACKAGES.values(),
                 "mkdocs", "mkdocs-material", "pymdown-extensions", "mkdocs-jupyter"]
        lines = ["| package | version |", "|---|---|",
                 "| Python | %d.%d |" % sys.version_info[:2]]
        lines += [f"| {name} | {pins.get(name, 'not pinned')} |" for name in names]
        return "\n".join(lines)

    def do_benchmark(self) -> str:
        """The table scripts/benchmark.py last wrote."""
        path = self.project.outputs / "benchmark.json"
        if not path.exists():  # the benchmark builds the site itself before it has a result
            return '!!! warning "Not measured yet"\n    Run `make benchmark` to fill this table.'

        result = json.loads(path.read_text())
        lines = [f"Measured on {result['machine']}.", "",
                 "| measure | seconds | target | met |", "|---|---:|---|---|"]
        lines += [f"| {r['measure']} | {r['seconds']:,} | {r['target'] or '-'} | "
                  f"{'yes' if r['ok'] else '**no**'} |" for r in result["rows"]]
        by_chapter = result.get("cold_run_by_chapter", {})
        if by_chapter:  # where a cold run's time goes: mostly fitting models
            lines += ["", '??? info "The cold run, chapter by chapter"', "",
                      "    | chapter | seconds |", "    |---|---:|"]
            lines += [f"    | [{c}]({self._page_of(c)}) | {s:,} |"
                      for c, s in sorted(by_chapter.items(), key=lambda item: -item[1])]
        return "\n".join(lines)

    def _page_of(self, chapter: str) -> str:
        if chapter in self.project.exercise_sets():
            return f"exercises/{chapter}.ipynb"
        return f"chapters/posts/{chapter}.md"


    LEADERBOARD = ["features", "training images", "test images", "test accuracy",
                   "fit seconds", "predict seconds", "size MB"]

    def do_leaderboard(self) -> str:
        """Every chapter's ``leaderboard`` table as one, best test accuracy first."""
        entries = []
        for chapter in self.project.chapters():
            manifest = read_manifest(chapter, self.project) or {"sections": []}
            for section in manifest["sections"]:
                table = section["values"].get("leaderboard", {}).get("table")
                if table is None:
                    continue
                if table["columns"] != self.LEADERBOARD:
                    raise ValueError(f"leaderboard of {chapter} has columns {table['columns']}, "
                                     f"expected {self.LEADERBOARD} (use leaderboard.row)")
                entries += [(dict(zip(table["columns"], r)), model, chapter)
                            for model, r in zip(table["index"], table["rows"])]
        if not entries:
            raise ValueError("no chapter has a leaderboard table yet")
        entries.sort(key=lambda e: (-e[0]["test accuracy"], e[0]["fit seconds"]))
        lines = ["| model | features | chapter | training images | test images | test accuracy "
                 "| fit seconds | predict seconds | size MB |", "|---|---|---|" + "---:|" * 6]
        for r, model, chapter in entries:
            lines.append(
                f"| {model} | {r['features']} | [{chapter}](chapters/posts/{chapter}.md) "
                f"| {r['training images']:,} | {r['test images']:,} | {r['test accuracy']:.4f} "
                f"| {r['fit seconds']:.1f} | {r['predict seconds']:.2f} | {r['size MB']:.1f} |")
        return "\n".join(lines)


class _Embedder(_SiteEmbedder):
    """Turns one ``{{ call(...) }}`` of a chapter page into Markdown."""

    def __init__(self, chapter: str, manifest: dict, link):
        super().__init__(Project())
        self.chapter, self.manifest, self.link = chapter, manifest, link
        self.sections = {s["name"]: s for s in manifest["sections"]}

    def section(self, name: str) -> dict:
        if name not in self.sections:
            raise ValueError(f"no section '{name}' in snippets/{self.chapter}.py "
                             f"(sections: {', '.join(self.sections)})")
        return self.sections[name]

    def shown(self, what: str) -> None:
        _shown.add((self.chapter, what))

    def do_code(self, name: str) -> str:
        if name.endswith(".py"):  # a whole helper module
            return f'```python title="{name}"\n--8<-- "{name}"\n```'
        self.section(name)
        self.shown(f"code:{name}")
        return f'```python title="{self.chapter}.py › {name}"\n--8<-- "{self.chapter}.py:{name}"\n```'

    def do_output(self, name: str) -> str:
        text = self.section(name)["stdout"]
        if not text:
            raise ValueError(f"section '{name}' prints nothing")
        self.shown(f"output:{name}")
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall("`+", text)), default=0))
        return f'{fence}text title="Output"\n{text.rstrip()}\n{fence}'

    def do_figure(self, name: str, number: int = 1, *, alt: str = "", caption: str = "") -> str:
        figures = self.section(name)["figures"]
        if not 1 <= number <= len(figures):
            raise ValueError(f"section '{name}' draws {len(figures)} figure(s), not {number}")
        if not alt.strip() or not caption.strip():
            raise ValueError("a figure needs alt text and a caption: alt=\"...\", caption=\"...\"")
        figure = figures[number - 1]
        self.shown(f"figure:{figure}")
        alt = alt.replace("[", "(").replace("]", ")").replace('"', "'")
        base = self.link(f"outputs/{self.chapter}/{figure}")
        return (f"![{alt}]({base}.light.svg#only-light){{ loading=lazy }}\n"
                f"![{alt}]({base}.dark.svg#only-dark){{ loading=lazy }}\n"
                f"/// caption\n{caption}\n///")

    def value(self, name: str):
        hits = [s["values"][name] for s in self.manifest["sections"] if name in s["values"]]
        if not hits:
            raise ValueError(f"no value '{name}' in the outputs of snippets/{self.chapter}.py")
        if len(hits) > 1 and any(h != hits[0] for h in hits):
            raise ValueError(f"'{name}' changes between sections; give it one meaning")
        return hits[0]

    def do_value(self, name: str, spec: str = "") -> str:
        return format(self.value(name), spec)

    def do_table(self, name: str, spec: str | dict = "") -> str:
        """A DataFrame as a Markdown table; ``spec`` formats floats, or per column as a dict."""
        value = self.value(name)
        if not (isinstance(value, dict) and "table" in value):
            raise ValueError(f"'{name}' is not a table (a pandas DataFrame)")
        table = value["table"]
        specs = spec if isinstance(spec, dict) else {c: spec for c in table["columns"]}
        if set(specs) - set(table["columns"]):
            raise ValueError(f"no column {sorted(set(specs) - set(table['columns']))} in {name}")

        def cell(v, column):
            return format(v, specs.get(column, "")) if isinstance(v, float) else str(v)

        lines = [f"| {table.get('index_name', '')} | " + " | ".join(table["columns"]) + " |",
                 "|---|" + "---:|" * len(table["columns"])]
        for index, row in zip(table["index"], table["rows"]):
            cells = " | ".join(cell(v, c) for v, c in zip(row, table["columns"]))
            lines.append(f"| {index} | {cells} |")
        return "\n".join(lines)

    def footer(self) -> str:
        inputs = self.manifest["inputs"]
        versions = ", ".join(f"{k} {v}" for k, v in inputs["packages"].items())
        link = lambda name: f"[`{name}`]({self.link(f'downloads/{name}')})"  # noqa: E731
        helpers = " and ".join(link(name) for name in self.helpers)
        what = "these exercises" if self.chapter in self.project.exercise_sets() else "this chapter"
        return (
            f'\n\n!!! info "Run {what} yourself"\n'
            f"    Download the script {link(self.chapter + '.py')} or the notebook "
            f"{link(self.chapter + '.ipynb')}"
            + (f", with {helpers} in the same folder" if helpers else "")
            + (", and run it from a folder that holds `data/mnist.npz` (or with a network)"
               if "mnist_data.py" in self.helpers else "")
            + (", and the network's " + " and ".join(
                f"[`{Path(f).name}`]({self.link('assets/' + f)})" for f in self.model_files)
               + " in its `models/` folder" if self.model_files else "")
            + ". The code blocks above are its sections, in order, sharing one namespace like "
            f"notebook cells. Every output on this page came from that script, run with "
            f"Python {inputs['python']}, {versions}.\n"
        )

    @property
    def helpers(self) -> list[str]:
        """The helper modules of snippets/ that the chapter needs beside it."""
        return [name for name in self.manifest["inputs"]["files"] if name != f"{self.chapter}.py"]

    @property
    def model_files(self) -> list[str]:
        """The exported network (published by draw_demo.py), for chapters that run it."""
        return list(MODEL_FILES) if "digit_net.py" in self.helpers else []


# ----------------------------------------------------------------------------- helpers


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rel(path: Path, base: Path = ROOT) -> str:
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if any(arg.startswith("-") for arg in argv):
        print(__doc__.split("\n\n")[0] + "\n\nusage: python snippet_engine.py [chapter ...]\n"
              "  no chapter: run the stale ones; named chapters: run those, fresh or not")
        return 0 if {"-h", "--help"} >= set(argv) else 2
    unknown = sorted(set(argv) - set(Project().chapters()))
    if unknown:
        print(f"no chapter named {', '.join(unknown)} in snippets/ "
              f"(chapters: {', '.join(Project().chapters())})", file=sys.stderr)
        return 2
    mode = "always" if argv else os.environ.get("ENGINE_EXECUTE", "auto")
    try:
        ran = refresh(argv or None, mode=mode)
    except SnippetError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"refreshed: {', '.join(ran) or 'nothing (all fresh)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
