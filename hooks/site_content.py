"""What is particular to this site, on top of the engine: exercise sets, the "Run this
chapter yourself" box, and the directives any page may use (versions, benchmark,
leaderboard). ``hooks/chapters.py`` wires them into the build."""

from __future__ import annotations

import json
import re
import sys
from html import escape
from pathlib import Path

from snippet_engine import Project, SnippetError, read_manifest
from snippet_engine import numerics

EXERCISES = "exercises-"  # chapters named so are worked exercises: their page is a notebook
SITE_PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "mkdocs-jupyter")
LEADERBOARD = ["features", "training images", "test images", "test accuracy",
               "fit seconds", "predict seconds", "size MB"]  # leaderboard.row's columns


def exercise_sets(project: Project) -> list[str]:
    return [c for c in project.chapters() if c.startswith(EXERCISES)]


def page_of(chapter: str, project: Project) -> str:
    """The site path of a chapter's page, from the site's root."""
    if chapter in exercise_sets(project):
        return f"exercises/{chapter}.ipynb"
    return f"chapters/posts/{chapter}.md"


def model_files(manifest: dict) -> list[str]:
    """The exported network (published by draw_demo.py), for chapters that run it."""
    return list(manifest["inputs"].get("helper-files", {}))


def helpers(chapter: str, manifest: dict) -> list[str]:
    """The helper modules of snippets/ that the chapter needs beside it."""
    return [name for name in manifest["inputs"]["files"] if name != f"{chapter}.py"]


def footer(chapter: str, manifest: dict, link, project: Project, how_it_works: str) -> str:
    """The "Run this chapter yourself" box at the end of a chapter or exercise page;
    ``how_it_works`` links that page."""
    inputs = manifest["inputs"]
    versions = ", ".join(f"{k} {v}" for k, v in inputs["packages"].items())
    download = lambda name: f"[`{name}`]({link(f'downloads/{name}')})"  # noqa: E731
    needed = helpers(chapter, manifest)
    what = "these exercises" if chapter in exercise_sets(project) else "this chapter"
    models = model_files(manifest)
    text = (
        f'\n\n!!! info "Run {what} yourself"\n'
        f"    Download the script {download(chapter + '.py')} or the notebook "
        f"{download(chapter + '.ipynb')}"
        + (f", with {' and '.join(download(n) for n in needed)} in the same folder"
           if needed else "")
        + (", and run it from a folder that holds `data/mnist.npz` (or with a network)"
           if "mnist_data.py" in needed else "")
        + (", and the network's " + " and ".join(
            f"[`{Path(f).name}`]({link('assets/' + f)})" for f in models)
           + " in its `models/` folder" if models else "")
        + ". The code blocks above are its sections, in order, sharing one namespace like "
        f"notebook cells. Every output on this page came from that script, run with "
        f"Python {inputs['python']}, {versions}.\n"
    )
    threads = inputs.get("threads")
    if threads:
        text += (
            f"\n    It ran with {threads} BLAS and OpenMP threads and the machine code pinned "
            f"(see [How this site works]({how_it_works}#same-bits-on-another-machine)). To get "
            "the same numbers to the last bit, start "
            "Python with them set:\n\n    ```sh\n"
            + "".join(f"    {line}\n" for line in numerics.export_lines(threads))
            + f"    python {chapter}.py\n    ```\n")
    return text


def notebook_figure(chapter: str, section: str, figure: str, alt: str) -> str:
    """A figure of a notebook page (exercises/<name>/), as the published light and dark
    SVGs with the figure's label as alt text and a caption linking the script."""
    if len(alt) < 15:
        raise SnippetError(f"snippets/{chapter}.py:{section}: figure {figure} needs alt text "
                           "of 15 characters or more: describe it in its label, "
                           'plt.figure(num="...") or plt.subplots(..., num="...")')
    base = f"../../outputs/{chapter}/{figure}"
    number = figure.rsplit("-", 1)[1]
    return (f'<figure class="notebook-figure">\n'
            f'<img src="{base}.light.svg#only-light" alt="{escape(alt)}" loading="lazy">\n'
            f'<img src="{base}.dark.svg#only-dark" alt="{escape(alt)}" loading="lazy">\n'
            f"<figcaption>Figure {number} of <code>{section}</code>, drawn by the cell above "
            f'(<a href="../../downloads/{chapter}.py">{chapter}.py</a>)</figcaption>\n'
            f"</figure>")


def site_directives(project: Project) -> dict:
    """Directives any page may use."""
    return {
        "versions": lambda: versions(project),
        "benchmark": lambda: benchmark(project),
        "leaderboard": lambda: leaderboard(project),
    }


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
    lines = [f"Measured on {result['machine']}.", "",
             "| measure | seconds | target | met |", "|---|---:|---|---|"]
    lines += [f"| {r['measure']} | {'-' if r['seconds'] is None else format(r['seconds'], ',')} "
              f"| {r['target'] or '-'} | "
              f"{'yes' if r['ok'] else '**no**'} |" for r in result["rows"]]
    for label, key in (("`--jobs 1`", "cold_run_by_chapter"),
                       ("`--jobs 2`", "cold_run_by_chapter_jobs2")):
        by_chapter = result.get(key, {})
        if by_chapter:  # where a cold run's time goes: mostly fitting models
            lines += ["", f'??? info "The cold run with {label}, chapter by chapter"', "",
                      "    | chapter | seconds |", "    |---|---:|"]
            lines += [f"    | [{c}]({page_of(c, project)}) | {s:,} |"
                      for c, s in sorted(by_chapter.items(), key=lambda item: -item[1])]
    return "\n".join(lines)


def leaderboard(project: Project) -> str:
    """Every chapter's ``leaderboard`` table as one, best test accuracy first."""
    entries = []
    for chapter in project.chapters():
        manifest = read_manifest(chapter, project) or {"sections": []}
        for section in manifest["sections"]:
            table = section["values"].get("leaderboard", {}).get("table")
            if table is None:
                continue
            if table["columns"] != LEADERBOARD:
                raise ValueError(f"leaderboard of {chapter} has columns {table['columns']}, "
                                 f"expected {LEADERBOARD} (use leaderboard.row)")
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
