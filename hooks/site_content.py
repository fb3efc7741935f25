"""What is particular to this site, on top of the engine and the course (``course.py``): the
"Run this chapter yourself" box after the introduction of every chapter and exercise page
(the exact versions to install, the data file, the downloads, the threads), the figures
of the exercise notebooks, and the directives any page may use (versions, benchmark,
leaderboard, course_cards, error_explorer). ``hooks/chapters.py`` wires them into the build."""

from __future__ import annotations

import json
import re
import sys
from html import escape
from pathlib import Path

import project_archive
from course import POSTS, course, exercise_sets, page_of  # noqa: I001  (beside this hook)
from snippet_engine import (Project, SnippetError, parse_sections, read_manifest,
                            reader_helpers)
from snippet_engine import gathered, numerics

SITE_PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "mkdocs-jupyter")


def model_files(manifest: dict) -> list[str]:
    """The exported network (published by draw_demo.py), for chapters that run it."""
    return [f for f in manifest["inputs"].get("helper-files", {}) if f.startswith("models/")]


def frozen_inputs(manifest: dict) -> list[str]:
    """Frozen outputs that a chapter reads (other chapters' manifests; the leaderboard the
    engine gathers from them), published at the same paths by hooks/chapters.py."""
    return [f for f in manifest["inputs"].get("helper-files", {}) if f.startswith("outputs/")]


def helpers(chapter: str, project: Project) -> list[str]:
    """The helper modules of snippets/ that the chapter's download needs beside it (not
    those that only its site sections import)."""
    return [path.name for path in reader_helpers(chapter, project)]


def reads_data(chapter: str, project: Project) -> bool:
    """Whether the chapter's download reads MNIST from the project's data file, itself or
    through a helper."""
    script = reader_script_text(chapter, project)
    return any(path in script for path in project.config.data) or \
        "mnist_data.py" in helpers(chapter, project)


def reader_script_text(chapter: str, project: Project) -> str:
    from snippet_engine import reader_script

    return reader_script(project.script(chapter), f"snippets/{chapter}.py")


def pip_lines(manifest: dict, width: int = 76) -> list[str]:
    """``pip install`` of the exact versions the run used, continued over lines of at most
    about ``width`` characters (a code block on the page must not scroll sideways)."""
    pins = manifest["inputs"]["packages"]
    words = [f"{name}=={version}" for name, version in pins.items()]
    if any(version.endswith("+cpu") for version in pins.values()):
        # PyTorch's CPU-only builds are on its own index, not on PyPI
        words.append("--extra-index-url https://download.pytorch.org/whl/cpu")
    lines, line = [], "pip install"
    for word in words:
        if len(f"{line} {word} \\") > width:
            lines.append(line + " \\")
            line = "   "
        line += " " + word
    return lines + [line]


MAKE_DATA = """\
from pathlib import Path

import numpy as np
from sklearn.datasets import fetch_openml

# parser="liac-arff": with the pinned pandas, the default parser fails on
# MNIST's numeric labels (TypeError); this one is slower, and works
X, y = fetch_openml("mnist_784", version=1, as_frame=False, return_X_y=True,
                    parser="liac-arff")
images, labels = X.astype(np.uint8).reshape(-1, 28, 28), y.astype(np.uint8)
Path("data").mkdir(exist_ok=True)
np.savez_compressed("data/mnist.npz",
                    x_train=images[:60000], y_train=labels[:60000],
                    x_test=images[60000:], y_test=labels[60000:])
"""


def run_box(chapter: str, manifest: dict, link, project: Project, how_it_works: str,
            archive: tuple[str, str]) -> str:
    """The "Run this chapter yourself" box, collapsed, before a chapter or exercise page's
    first heading: the exact versions to install, where the data comes from, the downloads,
    and how the run set its threads; ``how_it_works`` links that page, ``archive`` is the
    project's zip (its path in the site, its size)."""
    inputs = manifest["inputs"]
    download = lambda name: f"[`{name}`]({link(f'downloads/{name}')})"  # noqa: E731
    needed = helpers(chapter, project)
    what = "these exercises" if chapter in exercise_sets(project) else "this chapter"
    models = model_files(manifest)
    frozen = frozen_inputs(manifest)
    manifests = [f for f in frozen if f.endswith("/manifest.json")]
    gathered_files = [f for f in frozen if f not in manifests]  # outputs/leaderboard.csv
    fence = lambda language, lines: (  # noqa: E731
        f"\n    ```{language}\n" + "".join(f"    {line}\n" for line in lines) + "    ```\n")
    text = (
        f'\n\n??? info "Run {what} yourself"\n'
        f"    Install the versions that made this page's outputs (with Python "
        f"{inputs['python']}):\n" + fence("sh", pip_lines(manifest))
    )
    cpu_builds = [name for name, version in inputs["packages"].items() if "+cpu" in version]
    if cpu_builds:
        text += ("\n    On macOS, which has no such build, install "
                 + " and ".join(f"`{name}=={inputs['packages'][name].split('+')[0]}`"
                                for name in cpu_builds)
                 + " from PyPI instead.\n")
    if reads_data(chapter, project):
        data = project.config.data[0]
        found = project.root / data
        size = project_archive.megabytes(found.stat().st_size) if found.exists() else "missing"
        text += (
            f"\n    The code reads MNIST from `{data}`, relative to the folder it runs in: "
            f"download [`{Path(data).name}`]({link('downloads/' + Path(data).name)}) "
            f"({size}) into a folder `{Path(data).parent}/` there, or, with a network, make "
            "it once from OpenML:\n" + fence("python", MAKE_DATA.splitlines())
        )
    text += (
        f"\n    Download the script {download(chapter + '.py')} or the notebook "
        f"{download(chapter + '.ipynb')}"
        + (f", with {listing([download(n) for n in needed])} in the same folder"
           if needed else "")
        + (", and the network's " + " and ".join(
            f"[`{Path(f).name}`]({link('assets/' + f)})" for f in models)
           + " in its `models/` folder" if models else "")
        + (", and the frozen outputs it reads, each chapter's `manifest.json` in "
           "`outputs/<chapter>/`: " + ", ".join(
               f"[{f.split('/')[1]}]({link(f)})" for f in manifests) if manifests else "")
        + (", and " + " and ".join(f"[`{Path(f).name}`]({link(f)})" for f in gathered_files)
           + " in a folder `outputs/` there" if gathered_files else "")
        + f"; or download [the whole project]({link(archive[0])}) ({archive[1]}), where "
        f"everything is in place, and run `python snippets/{chapter}.py` in its folder"
        + ". The code blocks on this page are its sections, in order, sharing one "
        "namespace like notebook cells (paste them into Jupyter or IPython: the plain "
        "`python` prompt ends a function at its first blank line); every output on the "
        "page came from running it"
        + site_note(chapter, project) + ".\n"
    )
    threads = inputs.get("threads")
    if threads:
        plural = "s" * (threads != 1)
        if sets_own_threads(chapter, project):
            text += (
                f"\n    Its first code block sets {threads} BLAS and OpenMP thread{plural}, as "
                "the page's run used, before NumPy loads (`os.environ`)"
                + (", and PyTorch's own thread count (`torch.set_num_threads`, which "
                   "sets PyTorch's OpenMP and MKL threads whatever those variables say)"
                   if "torch.set_num_threads(" in reader_script_text(chapter, project)
                   else "")
                + ", so your run adds its "
                "sums in the same order whatever your cores (take the thread settings out of "
                "it to use them all; a long fit may then end on another model, some test digits labelled "
                "differently, as the chapter A first classifier measures). In a notebook, run it first in a fresh kernel (restart the "
                "kernel if NumPy is already loaded, as a plot loads it): once the libraries "
                "are loaded, they keep the threads they started with. The threads concern "
                "OpenBLAS (the linear-algebra library that NumPy's and SciPy's wheels for "
                "x86-64 Linux and Windows carry) and OpenMP (the parallel-loop runtime that "
                + ("PyTorch's and " if "torch" in inputs["packages"] else "")
                + "scikit-learn's wheels carry); on macOS 14 and later NumPy's and SciPy's wheels "
                "use Apple's "
                "Accelerate instead, which these settings do not control, so a long fit may "
                "end on another model there too."
                " The run also pinned the machine code, the AVX2 kernels of OpenBLAS and "
                + ("NumPy and PyTorch" if "torch" in inputs["packages"] else "NumPy")
                + f" (see [How this site works]({how_it_works}#same-bits-on-another-"
                "machine)): on an x86-64 processor that would pick others, such as one with "
                "AVX-512, they round differently, so a long fit may end on another model. "
                + ("To get the same bits on another x86-64 processor of the kind that made "
                   "this page (the next paragraph says what the other kind gets), "
                   if chapter in project.config.machine_dependent else
                   "To get the same bits there, ")
                + "set these too before Python or Jupyter "
                "starts (or add them to the first block's `os.environ.update`), then run the "
                f"script (`snippets/{chapter}.py` in the whole project):"
                + fence("sh", numerics.export_lines(threads, only=machine_code(inputs))
                        + [f"python {chapter}.py"]))
        else:
            text += (
                f"\n    It ran with {threads} BLAS and OpenMP thread{plural} and the "
                "machine code pinned "
                f"(see [How this site works]({how_it_works}#same-bits-on-another-machine)). "
                + thread_dependence(chapter, manifest, project)
                + " To get the same numbers to the last bit, start Python with them set:"
                + fence("sh", numerics.export_lines(threads) + [f"python {chapter}.py"]))
        if chapter in project.config.machine_dependent:
            text += machine_dependence(manifest, project.config, how_it_works)
    return text + "\n"


def machine_code(inputs: dict) -> list[str]:
    """The machine-code pins that concern a run: NumPy's and OpenBLAS's, and PyTorch's where
    the chapter imports it."""
    torch = "torch" in inputs["packages"]
    return [name for name in numerics.PINNED_MACHINE_CODE
            if torch or name in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")]


def sets_own_threads(chapter: str, project: Project) -> bool:
    """Whether the chapter's code sets its BLAS and OpenMP threads itself (``os.environ``
    before NumPy loads), so that a reader's run uses the page's thread count whatever the
    machine."""
    return "OMP_NUM_THREADS=" in reader_script_text(chapter, project)


def insert_run_box(text: str, box: str) -> str:
    """The box goes after the page's introduction: before its first second-level heading or
    code block, whichever comes first (Markdown ``## `` or a fence, HTML ``<h2`` or a
    highlighted block), or at the end of a page without either."""
    found = re.search(r"^## |^(```|~~~)|<h2[ >]|<div class=\"highlight", text, re.M)
    if found is None:
        return text + box
    at = found.start()
    cell = text.rfind('<div class="jp-Cell', 0, at)  # a notebook page: before the cell
    if text.startswith("<h2", at) and cell != -1:
        at = cell
    return text[:at] + box.lstrip("\n") + "\n" + text[at:]


def site_note(chapter: str, project: Project) -> str:
    """For a chapter with site sections: what the page and downloads leave out."""
    names = [s.name for s in parse_sections(project.script(chapter)) if s.site]
    if not names:
        return ""
    listed = listing([f"`{name}`" for name in names])
    return (f"; the tables of its last section{'s' * (len(names) > 1)} ({listed}), which "
            "only this site needs, come from code that the page and the downloads leave "
            f"out (it is in the project's zip, at the end of `snippets/{chapter}.py`)")


def machine_dependence(manifest: dict, config, how_it_works: str) -> str:
    """What a reader on another processor gets, for a chapter whose numbers no pin fixes
    everywhere (the networks: MKL ignores MKL_CBWR=AVX2 on AMD processors)."""
    unpinned = manifest.get("unpinned")
    where = (f"This page's run had a pin that did not take ({'; '.join(unpinned)}): on a "
             "processor where every pin takes, such as an Intel Xeon, the networks train "
             "other weights" if unpinned else
             "On an AMD processor the networks train other weights than this page's: MKL "
             "there ignores `MKL_CBWR=AVX2` and picks its own code path")
    return (f"\n    {where}, so the numbers differ a little. The tests accept such a run if "
            f"its accuracies are within {config.machine_tolerance:g} of this page's and its "
            f"counts within {config.machine_count_tolerance:.0%}, and its yes/no results "
            "(which network misreads fewer digits, say) are the same (see "
            f"[How this site works]({how_it_works}#same-bits-on-another-machine)).\n")


def listing(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 2 else items)


def thread_dependence(chapter: str, manifest: dict, project: Project) -> str:
    """What scripts/thread_dependence.py measured for this version of the chapter: do its
    results change with another thread count than the pinned one?"""
    path = project.outputs / "thread-dependence.json"
    measured = json.loads(path.read_text()) if path.exists() else {"chapters": {}}
    found = measured["chapters"].get(chapter)
    if not found:
        return "Whether its results change with the thread count has not been measured."
    if found["digest"] != manifest["digest"] or \
            measured["frozen with threads"] != manifest["inputs"]["threads"]:
        return ("Whether its results change with the thread count was not measured for "
                "this version of it.")
    other = measured["measured with threads"]
    other = f"{other} thread{'s' * (other != 1)}"
    if found["same"]:
        return (f"Run with {other} instead, it gave the same outputs to the last bit: "
                "its results do not depend on the thread count (measured).")
    names = found["sections that differ"]
    sections = ", ".join(f"`{name}`" for name in names)
    return (f"Its results depend on the thread count: run with {other} instead, "
            + (f"its section{'s' * (len(names) > 1)} {sections} gave other outputs "
               "(measured)." if names else "it gave other figures or files (measured)."))


def notebook_figure(chapter: str, section: str, figure: str, alt: str,
                    outputs: str = "../../outputs") -> str:
    """A figure of a notebook page (exercises/<name>/), as the published light and dark
    SVGs with the figure's label (what it shows) as alt text and as caption; ``outputs`` is
    the site's outputs/ folder seen from the page (one folder less in the offline copy)."""
    if len(alt) < 15:
        raise SnippetError(f"snippets/{chapter}.py:{section}: figure {figure} needs alt text "
                           "of 15 characters or more: describe it in its label, "
                           'plt.figure(num="...") or plt.subplots(..., num="...")')
    base = f"{outputs}/{chapter}/{figure}"
    return (f'<figure class="notebook-figure">\n'
            f'<img src="{base}.light.svg#only-light" alt="{escape(alt)}" loading="lazy">\n'
            f'<img src="{base}.dark.svg#only-dark" alt="{escape(alt)}" loading="lazy">\n'
            f"<figcaption>{escape(alt)}{'' if alt.endswith(('.', '?', '!')) else '.'}"
            "</figcaption>\n"
            f"</figure>")


def site_directives(project: Project) -> dict:
    """Directives any page may use."""
    return {
        "versions": lambda: versions(project),
        "benchmark": lambda: benchmark(project),
        "leaderboard": lambda: leaderboard(project),
        "course_cards": lambda: course_cards(project),
        "error_explorer": lambda name, chapter: error_explorer(name, chapter, project),
        "engine_option": lambda name, spec="g": engine_option(name, spec, project),
        "claims_checked": lambda: claims_checked(project),
    }


def claims_checked(project: Project) -> str:
    """How many claims the chapters' frozen runs make (every one is cited, and checked)."""
    counts = {c: len((read_manifest(c, project) or {}).get("claims", {}))
              for c in project.chapters()}
    total, chapters = sum(counts.values()), sum(1 for n in counts.values() if n)
    return (f"{total} claim{'s' * (total != 1)} in {chapters} "
            f"chapter{'s' * (chapters != 1)}")


def engine_option(name: str, spec: str, project: Project) -> str:
    """One of the engine's options as the project sets it (pyproject.toml), formatted."""
    key = name.replace("-", "_")
    if key not in type(project.config).__dataclass_fields__:
        raise SnippetError(f"engine_option({name!r}): the engine has no such option")
    return format(getattr(project.config, key), spec)


def versions(project: Project) -> str:
    """The pinned versions of what shapes the results and builds the site."""
    lock = (project.root / "requirements.lock").read_text()
    pins = {name.lower(): version for name, version
            in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", lock, re.M)}
    config = project.config
    names = [*config.packages, *config.imported_packages.values(), *SITE_PACKAGES]
    lines = ["| package | version |", "|---|---|", "| Python | %d.%d |" % sys.version_info[:2]]
    lines += [f"| {name} | {pins.get(name, 'not pinned')} |" for name in names]
    return "\n".join(lines)


def benchmark(project: Project) -> str:
    """The table scripts/benchmark.py last wrote."""
    path = project.outputs / "benchmark.json"
    if not path.exists():  # the benchmark builds the site itself before it has a result
        return '!!! warning "Not measured yet"\n    Run `make benchmark` to fill this table.'
    result = json.loads(path.read_text())
    when = f", {result['measured']}" if "measured" in result else ""
    lines = [f"Measured on {result['machine']}{when}."]
    if "cold_measured" in result:  # benchmark.py --reuse-cold
        lines[0] += (f" The cold runs' rows, and their chapter-by-chapter tables, come from "
                     f"an earlier run ({result['cold_measured']}).")
    lines += ["", "| measure | seconds | target | met |", "|---|---:|---|---|"]
    lines += [f"| {r['measure']}{_differences(r)} "
              f"| {'-' if r['seconds'] is None else format(r['seconds'], ',')} "
              f"| {r['target'] or '-'} | "
              f"{'yes' if r['ok'] else '**no**'} |" for r in result["rows"]]
    for label, key in (("`--jobs 1`", "cold_run_by_chapter"),
                       ("`--jobs 2`", "cold_run_by_chapter_jobs2")):
        by_chapter = result.get(key, {})  # where a cold run's time goes: mostly fitting
        if by_chapter:
            lines += ["", f'??? info "The cold run with {label}, chapter by chapter"', ""]
            cpu = [r.get("cpu_seconds") for r in by_chapter.values()]
            if all(isinstance(c, (int, float)) for c in cpu):
                lines += ["    " + cores_busy(label, sum(cpu), by_chapter), ""]
            lines += ["    | chapter | seconds | started at (s) | CPU seconds | cores busy |",
                      "    |---|---:|---:|---:|---:|"]
            lines += [f"    | [{c}]({page_of(c, project)}){' (guest)' * bool(r.get('guest'))} "
                      f"| {r['seconds']:,} | {_or_dash(r.get('started'))} "
                      f"| {_or_dash(r.get('cpu_seconds'))} "
                      f"| {_or_dash(busy(r))} |"
                      for c, r in sorted(by_chapter.items(), key=lambda i: -i[1]["seconds"])]
    return "\n".join(lines)


def cores_busy(label: str, cpu: float, by_chapter: dict) -> str:
    """How many of the cores a cold run kept busy on average: with one worker, half of it is
    the least share of its time a run with two can take for the same work (threads that
    spin while they wait count as busy, so a second worker may beat it there)."""
    wall = max(r.get("started", 0) + r["seconds"] for r in by_chapter.values())
    guests = any(r.get("guest") for r in by_chapter.values())
    return (f"The chapters' processes used {cpu:,.0f} CPU seconds in about {wall:,.0f} s: "
            f"{cpu / wall:.2f} cores busy on average, with {label}."
            + (" A guest ran at the lowest CPU priority beside a chapter of two threads "
               "(the engine's scheduler when this run was measured)." if guests else ""))


def busy(run: dict) -> float | None:
    """The cores a chapter's process kept busy: its CPU time over its wall time."""
    if run.get("cpu_seconds") is None or not run["seconds"]:
        return None
    return run["cpu_seconds"] / run["seconds"]


def _differences(row: dict) -> str:
    """How many differences a comparison row found, where it found any, and which chapters
    it compared within the machine tolerance (a pin did not take on that processor)."""
    text = f": {row['differences']:,} differences" if row.get("differences") else ""
    loosened = row.get("within_machine_tolerance")
    if loosened:
        text += (f"; {listing(sorted(loosened))} within the machine tolerance, as "
                 f"{'; '.join(sorted(set(loosened.values())))}")
    return text


def _or_dash(value) -> str:
    return "-" if value is None else f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def leaderboard_rows(chapter: str, project: Project) -> list[dict]:
    """The rows of a chapter's ``leaderboard`` tables (``model`` and ``chapter`` added), from
    the frozen manifests: what the engine gathers into ``outputs/leaderboard.csv``."""
    name = project.config.gathered["outputs/leaderboard.csv"]
    return [row for row in gathered.rows(name, project) if row["chapter"] == chapter]


READTIME = '<span class="course-readtime" data-chapter="{}"></span>'  # filled after rendering


def course_cards(project: Project) -> str:
    """The learning path (home page): a Material grid card per chapter, in reading order,
    with its number, title, description, reading time and best test accuracy (its
    leaderboard's, if it has one). The reading time is the blog's, known only once every
    post is rendered: a placeholder here, filled by ``fill_readtimes``."""
    cards = []
    for chapter in course(project):
        if not chapter.description:
            raise SnippetError(f"{POSTS}/{chapter.name}.md has no description (its card's "
                               "summary)")
        facts = [":material-clock-outline: " + READTIME.format(chapter.name)]
        rows = leaderboard_rows(chapter.name, project)
        if rows:
            best = max(rows, key=lambda r: r["test accuracy"])
            low, high = accuracy_interval(best["test accuracy"], best["test images"])
            facts.append(f":material-trophy-outline: best test accuracy "
                         f'<strong class="course-accuracy">{best["test accuracy"]:.2%}</strong>'
                         f" (95 % interval {low:.2%} to {high:.2%})"
                         f" on {best['test images']:,} test images: {best['model']}, "
                         f"{best['features']}, trained on {best['training images']:,}")
        cards.append(f"-   __{chapter.number} · [{chapter.title}]"
                     f"({page_of(chapter.name, project)})__\n\n    ---\n\n"
                     f"    {chapter.description}\n\n    " + "<br>\n    ".join(facts))
    return ('<div class="grid cards course-cards" markdown>\n\n' + "\n\n".join(cards)
            + "\n\n</div>")


def fill_readtimes(html: str, minutes: dict[str, int]) -> str:
    """The home page's reading times, from the blog's (chapter -> minutes)."""
    def fill(match):
        if not minutes.get(match[1]):
            raise SnippetError(f"the blog gives no reading time for chapter {match[1]}")
        return READTIME.format(match[1]).replace("></", f">{minutes[match[1]]} min read</")

    return re.sub(READTIME.replace("{}", r"([\w-]+)"), fill, html)


def accuracy_interval(accuracy: float, images: int) -> tuple[float, float]:
    """The 95 % Wilson interval of a test accuracy, from the count of images read right
    (the chapters' way: ``binomtest(right, n).proportion_ci(method="wilson")``)."""
    from scipy.stats import binomtest

    right = round(accuracy * images)
    if abs(right / images - accuracy) > 1e-9:
        raise SnippetError(f"test accuracy {accuracy!r} on {images:,} images is not a count "
                           "of images read right over the images: no interval for it")
    interval = binomtest(right, images).proportion_ci(method="wilson")
    return float(interval.low), float(interval.high)


def leaderboard(project: Project) -> str:
    """Every chapter's ``leaderboard`` table as one, best test accuracy first, each accuracy
    with its 95 % interval."""
    entries = [(row, row["model"], chapter) for chapter in project.chapters()
               for row in leaderboard_rows(chapter, project)]
    if not entries:
        raise ValueError("no chapter has a leaderboard table yet")
    entries.sort(key=lambda e: (-e[0]["test accuracy"], e[0]["fit seconds"]))
    lines = ["| model | features | chapter | training images | test images | test accuracy "
             "| 95 % interval | fit seconds | predict seconds | size MB |",
             "|---|---|---|" + "---:|" * 7]
    for r, model, chapter in entries:
        low, high = accuracy_interval(r["test accuracy"], r["test images"])
        lines.append(
            f"| {model} | {r['features']} | [{chapter}](chapters/posts/{chapter}.md) "
            f"| {r['training images']:,} | {r['test images']:,} | {r['test accuracy']:.4f} "
            f"| {low:.4f}–{high:.4f} "
            f"| {r['fit seconds']:.1f} | {r['predict seconds']:.2f} | {r['size MB']:.1f} |")
    return "\n".join(lines)


def error_explorer(name: str, chapter: str, project: Project) -> str:
    """An interactive confusion matrix from ``chapter``'s table ``name`` (one row per cell:
    true, predicted, count, test indices, image 1 ... image 12, each image 28 x 28 greys
    0-7, zlib-compressed, base64): a button per cell, labelled with its count, and a panel
    where docs/javascripts/error-explorer.js draws the chosen cell's digits. The data rides
    along as JSON, so the page works offline."""
    manifest = read_manifest(chapter, project)
    hits = [s["values"][name] for s in (manifest or {"sections": []})["sections"]
            if name in s["values"]]
    if not hits or "table" not in hits[0]:
        raise SnippetError(f"no table '{name}' in the outputs of snippets/{chapter}.py")
    table = hits[0]["table"]
    columns = table["columns"]
    cells = {}
    for row in table["rows"]:
        cell = dict(zip(columns, row))
        images = [cell[c] for c in columns if c.startswith("image ") and cell[c]]
        indices = [int(i) for i in str(cell["test indices"]).split()]
        if len(images) != len(indices) or len(images) != min(cell["count"], 12):
            raise SnippetError(f"{chapter} {name}: cell ({cell['true']}, "
                               f"{cell['predicted']}) has {len(images)} images for "
                               f"{len(indices)} indices and a count of {cell['count']}")
        cells[cell["true"], cell["predicted"]] = {"count": cell["count"],
                                                  "indices": indices, "images": images}
    digits = sorted({t for t, _ in cells})
    if set(cells) != {(t, p) for t in digits for p in digits}:
        raise SnippetError(f"{chapter} {name}: not a square matrix of cells")
    wrong = [c["count"] for (t, p), c in cells.items() if t != p]
    most_wrong = max(wrong, default=0) or 1

    def button(t, p):
        count = cells[t, p]["count"]
        label = f"true {t}, read as {p}: {count:,} image{'' if count == 1 else 's'}"
        tint = 30 if t == p else round(8 + 62 * count / most_wrong) if count else 0
        kind = "right" if t == p else "wrong"
        return (f'<td><button type="button" class="error-explorer__cell '
                f'error-explorer__cell--{kind}" style="--tint: {tint}%" '
                f'data-true="{t}" data-predicted="{p}" aria-pressed="false" '
                f'aria-label="{label}">{count:,}</button></td>')

    head = "".join(f'<th scope="col">{p}</th>' for p in digits)
    body = "".join(f'<tr><th scope="row">{t}</th>'
                   + "".join(button(t, p) for p in digits) + "</tr>" for t in digits)
    data = json.dumps({"digits": digits, "cells": [
        {"true": t, "predicted": p, **cells[t, p]} for t in digits for p in digits]},
        separators=(",", ":")).replace("<", "\\u003c")
    return (
        '<div class="error-explorer" data-search-exclude>'
        '<div class="error-explorer__scroll">'
        '<table class="error-explorer__matrix">'
        "<caption>Test images by true digit (rows) and the digit the model read "
        "(columns). Choose a cell to see its digits.</caption>"
        '<thead><tr><th scope="col"><span class="error-explorer__corner">true ↓ '
        f"read as →</span></th>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        '<section class="error-explorer__panel" aria-live="polite">'
        '<h4 class="error-explorer__heading">No cell chosen yet</h4>'
        '<p class="error-explorer__note">Choose a cell of the matrix (click it, or tab to '
        "it and press Enter) to see up to twelve of its test digits, the first in test "
        "order.</p>"
        '<div class="error-explorer__digits"></div></section>'
        f'<script type="application/json" class="error-explorer__data">{data}</script>'
        "</div>")
