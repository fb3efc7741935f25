"""What is particular to this site, on top of the engine: exercise sets, the course (chapters
in reading order, each ending with links to the previous and next chapter and to the
exercises that practise it), the recap (a chapter whose page is no post: PAGES), the "Run
this chapter yourself" box, and the directives any page may use (versions, benchmark,
leaderboard, course_cards, error_explorer).
``hooks/chapters.py`` wires them into the build."""

from __future__ import annotations

import datetime
import json
import posixpath
import re
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

from snippet_engine import Project, SnippetError, read_manifest
from snippet_engine import numerics

EXERCISES = "exercises-"  # chapters named so are worked exercises: their page is a notebook
SITE_PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "mkdocs-jupyter")


def exercise_sets(project: Project) -> list[str]:
    return [c for c in project.chapters() if c.startswith(EXERCISES)]


# Chapters whose page is a page of the site, not a post of the course: run, frozen, tested
# and ended with a "Run this chapter yourself" box like every chapter, but not numbered.
PAGES = {"recap": "recap.md"}  # chapter -> its page, from docs/


def posts(project: Project) -> list[str]:
    """The chapters whose page is a post (POSTS/<chapter>.md): the course's chapters."""
    return [c for c in project.chapters() if c not in exercise_sets(project) and c not in PAGES]


def page_of(chapter: str, project: Project) -> str:
    """The site path of a chapter's page, from the site's root."""
    if chapter in exercise_sets(project):
        return f"exercises/{chapter}.ipynb"
    return PAGES.get(chapter, f"chapters/posts/{chapter}.md")


def page_url(chapter: str, project: Project) -> str:
    """The URL of a chapter's page, from the site's root (``chapters/<slug>/`` for a post,
    whose slug is its name)."""
    page = page_of(chapter, project)
    if page.startswith("chapters/posts/"):
        return f"chapters/{chapter}/"
    return page.rsplit(".", 1)[0] + "/"


# The course. Its reading order is the posts' dates (each chapter page's `date:`), the one
# place it is defined: the blog sorts by them too, and the hook lists chapters oldest first.
POSTS = "docs/chapters/posts"  # a chapter's page: POSTS/<chapter>.md (the blog's post_dir)
PRACTICE = {  # chapter -> the exercises (by number) that practise it
    "meet-mnist": [1, 2, 3],
    "sigmoid-to-logistic-regression": [5],
    "first-classifier": [11, 12],
    "scaling-pca-polynomial": [4],
    "binary-detector": [3, 9],
    "regression-vs-classification": [11],
    "beyond-linear-models": [6, 7, 8, 9, 10, 12, 14],
    "feature-engineering": [13],
    "convolutional-network": [5, 15],
    "shipping-a-model": [16, 17],
}
# After the last chapter: the recap, which links onward to the leaderboard.
COURSE_END = ("recap.md", "Recap and further reading")
AFTER_COURSE_END = ("leaderboard.md", "The leaderboard: every model of the course")


@dataclass(frozen=True)
class Chapter:
    name: str
    number: int
    title: str  # the page's own title, without its number
    date: datetime.date
    description: str = ""  # the page's front-matter `description`: one line

    @property
    def numbered(self) -> str:
        return f"Chapter {self.number} · {self.title}"


def course(project: Project) -> list[Chapter]:
    """Every chapter (not exercise set) in reading order, numbered from 1: the order of
    their pages' dates, none shared."""
    from mkdocs.utils.meta import get_data

    found = []
    for name in posts(project):
        page = project.root / POSTS / f"{name}.md"
        if not page.exists():
            raise SnippetError(f"chapter {name} has no page {POSTS}/{name}.md")
        body, meta = get_data(page.read_text())
        date = meta.get("date")
        date = date.get("created") if isinstance(date, dict) else date  # Material's form
        if isinstance(date, datetime.datetime):
            date = date.date()
        if not isinstance(date, datetime.date):
            raise SnippetError(f"{POSTS}/{name}.md: its date (the reading order) is missing")
        title = re.search(r"^# (.+)$", body, re.M)
        if not title:
            raise SnippetError(f"{POSTS}/{name}.md has no title (# ...)")
        found.append((date, name, title[1].strip(), str(meta.get("description", ""))))
    found.sort()
    for (a, first, *_), (b, second, *_) in zip(found, found[1:]):
        if a == b:
            raise SnippetError(f"{first} and {second} share a date: their order is unknown")
    return [Chapter(name, n, title, date, description)
            for n, (date, name, title, description) in enumerate(found, 1)]


def exercises(project: Project) -> dict[int, tuple[str, str]]:
    """Exercise number -> (its set, its title), from the statements' headings."""
    found = {}
    for name in exercise_sets(project):
        for number, title in re.findall(r"^# ## Exercise (\d+): (.+)$",
                                        project.script(name).read_text(), re.M):
            found[int(number)] = (name, title.strip())
    return found


def set_title(name: str, project: Project) -> str:
    """An exercise set's title: its script's title line ("Exercises 1–5: the data")."""
    from snippet_engine.sections import title_markdown

    return title_markdown(project.script(name)).splitlines()[0].lstrip("# ").strip()


def practice(project: Project) -> list[tuple[Chapter, str, list[int]]]:
    """(chapter, exercise set, exercise numbers): which exercises practise which chapter,
    in reading order and then in the order of the exercises."""
    known, chapters = exercises(project), {c.name: c for c in course(project)}
    unknown = set(PRACTICE) - set(chapters)
    if unknown:
        raise SnippetError(f"PRACTICE names chapters that do not exist: {sorted(unknown)}")
    links = []
    for chapter in course(project):
        numbers = PRACTICE.get(chapter.name, [])
        missing = [n for n in numbers if n not in known]
        if missing:
            raise SnippetError(f"PRACTICE[{chapter.name!r}]: no exercise {missing}")
        for name in exercise_sets(project):
            mine = sorted(n for n in numbers if known[n][0] == name)
            if mine:
                links.append((chapter, name, mine))
    orphans = set(exercise_sets(project)) - {name for _, name, _ in links}
    if orphans:
        raise SnippetError(f"no chapter is practised by {sorted(orphans)}: add it to PRACTICE")
    return links


def exercise_anchor(number: int, project: Project) -> str:
    """The id of an exercise's heading on its page, as Python-Markdown's toc makes it."""
    from markdown.extensions.toc import slugify

    title = re.sub(r"[`*_]", "", exercises(project)[number][1])
    return slugify(f"Exercise {number}: {title}", "-")


def _numbers(numbers: list[int], link) -> str:
    words = [f"[{n}]({link(n)})" for n in numbers]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return ("exercise " if len(words) == 1 else "exercises ") + listed


def chapter_ending(chapter: str, project: Project) -> str:
    """The end of a chapter page (Markdown, links relative to POSTS): the exercises that
    practise it, then the previous and the next chapter (after the last: COURSE_END). The
    recap's (COURSE_END's) page: back to the last chapter, on to AFTER_COURSE_END."""
    chapters = course(project)
    if page_of(chapter, project) == COURSE_END[0]:
        here = posixpath.dirname(COURSE_END[0]) or "."
        last, (page, title) = chapters[-1], AFTER_COURSE_END
        return ('\n\n<div class="course-path" markdown>\n\n'
                f"[← {last.numbered}]({posixpath.relpath(page_of(last.name, project), here)})"
                '{ .md-button rel="prev" }\n'
                f"[Next: {title} →]({posixpath.relpath(page, here)})"
                '{ .md-button .md-button--primary rel="next" }\n'
                "{: .course-path__links }\n\n</div>\n")
    at = [c.name for c in chapters].index(chapter)
    exercise_page = lambda name: posixpath.relpath(  # noqa: E731
        f"exercises/{name}.ipynb", "chapters/posts")
    sets = [(name, numbers) for c, name, numbers in practice(project) if c.name == chapter]
    lines = ['\n\n<div class="course-path" markdown>\n']
    if sets:
        lines.append("**Practise it:** " + "; ".join(
            _numbers(numbers, lambda n, name=name: (
                f"{exercise_page(name)}#{exercise_anchor(n, project)}"))
            + f" of [{set_title(name, project)}]({exercise_page(name)}){{ .course-practice }}"
            for name, numbers in sets) + ".\n")
    links = []
    if at > 0:
        before = chapters[at - 1]
        links.append(f"[← {before.numbered}]({before.name}.md)"
                     '{ .md-button rel="prev" }')
    if at + 1 < len(chapters):
        after = chapters[at + 1]
        links.append(f"[Next: {after.numbered} →]({after.name}.md)"
                     '{ .md-button .md-button--primary rel="next" }')
    else:
        page, title = COURSE_END
        links.append(f"[Next: {title} →]({posixpath.relpath(page, 'chapters/posts')})"
                     '{ .md-button .md-button--primary rel="next" .course-end }')
    lines.append("\n".join(links) + "\n{: .course-path__links }\n")
    return "\n".join(lines) + "\n</div>\n"


def numbered_title(markdown: str, chapter: str, project: Project) -> str:
    """The chapter page's title (its first ``# ...``) with its number in the course (none
    for a chapter whose page is not a post: PAGES)."""
    if chapter in PAGES:
        return markdown
    number = next(c.number for c in course(project) if c.name == chapter)
    return re.sub(r"^# (.+)$", lambda m: f"# Chapter {number} · {m[1]}", markdown, count=1,
                  flags=re.M)


def exercise_ending(name: str, link, project: Project) -> str:
    """The line at the end of an exercise set's page (Markdown) naming the chapters it
    practises; ``link(page)`` is the URL of a page (its path from docs/) from this one."""
    chapters = [(c, numbers) for c, n, numbers in practice(project) if n == name]
    items = [f"[{c.numbered}]({link(f'chapters/posts/{c.name}.md')}){{ .course-chapter }} "
             f"({_numbers(numbers, lambda n: '#' + exercise_anchor(n, project))})"
             for c, numbers in chapters]
    return ('\n\n<div class="course-path" markdown>\n\n**These exercises practise:** '
            + "; ".join(items) + ".\n\n</div>\n")


def model_files(manifest: dict) -> list[str]:
    """The exported network (published by draw_demo.py), for chapters that run it."""
    return [f for f in manifest["inputs"].get("helper-files", {}) if f.startswith("models/")]


def frozen_inputs(manifest: dict) -> list[str]:
    """Other chapters' frozen outputs that a chapter reads (the recap: their manifests),
    published at the same paths by hooks/chapters.py."""
    return [f for f in manifest["inputs"].get("helper-files", {}) if f.startswith("outputs/")]


def helpers(chapter: str, manifest: dict) -> list[str]:
    """The helper modules of snippets/ that the chapter needs beside it."""
    return [name for name in manifest["inputs"]["files"] if name != f"{chapter}.py"]


def footer(chapter: str, manifest: dict, link, project: Project, how_it_works: str,
           archive: tuple[str, str]) -> str:
    """The "Run this chapter yourself" box at the end of a chapter or exercise page;
    ``how_it_works`` links that page, ``archive`` is the project's zip (its path in the site,
    its size)."""
    inputs = manifest["inputs"]
    versions = ", ".join(f"{k} {v}" for k, v in inputs["packages"].items())
    download = lambda name: f"[`{name}`]({link(f'downloads/{name}')})"  # noqa: E731
    needed = helpers(chapter, manifest)
    what = "these exercises" if chapter in exercise_sets(project) else "this chapter"
    models = model_files(manifest)
    frozen = frozen_inputs(manifest)
    text = (
        f'\n\n!!! info "Run {what} yourself"\n'
        f"    Download the script {download(chapter + '.py')} or the notebook "
        f"{download(chapter + '.ipynb')}"
        + (f", with {listing([download(n) for n in needed])} in the same folder"
           if needed else "")
        + (", and run it from a folder that holds `data/mnist.npz` (or with a network)"
           if "mnist_data.py" in needed else "")
        + (", and the network's " + " and ".join(
            f"[`{Path(f).name}`]({link('assets/' + f)})" for f in models)
           + " in its `models/` folder" if models else "")
        + (", and the frozen outputs it reads, each chapter's `manifest.json` in "
           "`outputs/<chapter>/`: " + ", ".join(
               f"[{f.split('/')[1]}]({link(f)})" for f in frozen) if frozen else "")
        + f"; or download [the whole project]({link(archive[0])}) ({archive[1]}), where "
        f"everything is in place, and run `python snippets/{chapter}.py` in its folder"
        + ". The code blocks above are its sections, in order, sharing one namespace like "
        f"notebook cells. Every output on this page came from that script, run with "
        f"Python {inputs['python']}, {versions}.\n"
    )
    threads = inputs.get("threads")
    if threads:
        text += (
            f"\n    It ran with {threads} BLAS and OpenMP thread{'s' * (threads != 1)} and "
            "the machine code pinned "
            f"(see [How this site works]({how_it_works}#same-bits-on-another-machine)). "
            + thread_dependence(chapter, manifest, project)
            + " To get the same numbers to the last bit, start Python with them set:"
            "\n\n    ```sh\n"
            + "".join(f"    {line}\n" for line in numerics.export_lines(threads))
            + f"    python {chapter}.py\n    ```\n")
    return text


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


def course_results(project: Project):
    """``snippets/course_results.py``, which reads the chapters' leaderboard tables for the
    recap's figure: the Leaderboard page and the home page's cards read them through it
    too, so that all three show the same rows. Loaded from its file, as draw_demo.py loads
    digit_net.py: MkDocs does not put snippets/ on the path."""
    import importlib.util

    path = project.snippets / "course_results.py"
    spec = importlib.util.spec_from_file_location("_site_course_results", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def leaderboard_rows(chapter: str, project: Project) -> list[dict]:
    """The rows of a chapter's ``leaderboard`` tables (``model`` and ``chapter`` added), from
    its manifest."""
    manifest = read_manifest(chapter, project)
    return course_results(project).leaderboard_rows(manifest) if manifest else []


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
            facts.append(f":material-trophy-outline: best test accuracy "
                         f'<strong class="course-accuracy">{best["test accuracy"]:.2%}</strong>'
                         f" on {best['test images']:,} test images")
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


def leaderboard(project: Project) -> str:
    """Every chapter's ``leaderboard`` table as one, best test accuracy first."""
    entries = [(row, row["model"], chapter) for chapter in project.chapters()
               for row in leaderboard_rows(chapter, project)]
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
