"""The course: which chapters there are and in what order they are read.

Chapters are numbered in READING_ORDER, the one list of the course's chapters; exercise
sets (``exercises-*`` chapters) are notebook pages, each practising chapters named in
PRACTICE; the recap is a chapter whose page is no post (PAGES). A chapter page ends with the
exercises that practise it and links to the previous and next chapter, an exercise set's page
with the chapters it practises. Used by ``chapters.py`` (the build), ``site_content.py``
(boxes and directives) and the tests.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from dataclasses import dataclass

from snippet_engine import Project, SnippetError

EXERCISES = "exercises-"  # chapters named so are worked exercises: their page is a notebook


def exercise_sets(project: Project) -> list[str]:
    return [c for c in project.chapters() if c.startswith(EXERCISES)]


# Chapters whose page is a page of the site, not a post of the course: run, frozen, tested
# and given a "Run this chapter yourself" box like every chapter, but not numbered.
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


# The course, in reading order: the one place it is defined. A new chapter goes into this
# list where it is read; its page's `date:` is only the blog's date of publication, and the
# hook lists the chapters in this order on the index, the categories and the tags.
READING_ORDER = [
    "meet-mnist",
    "sigmoid-to-logistic-regression",
    "first-classifier",
    "scaling-pca-polynomial",
    "binary-detector",
    "regression-vs-classification",
    "beyond-linear-models",
    "feature-engineering",
    "convolutional-network",
    "shipping-a-model",
]
POSTS = "docs/chapters/posts"  # a chapter's page: POSTS/<chapter>.md (the blog's post_dir)
PRACTICE = {  # chapter -> the exercises (by number) that practise it
    "meet-mnist": [1, 2, 3],
    "first-classifier": [11, 12],
    "scaling-pca-polynomial": [4],
    "binary-detector": [3, 9],
    "regression-vs-classification": [11],
    "beyond-linear-models": [5, 6, 7, 8, 9, 10, 12, 14],
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
    """Every chapter (not exercise set) in reading order, numbered from 1: READING_ORDER,
    which must name every post once and nothing else."""
    from mkdocs.utils.meta import get_data

    listed, pages = READING_ORDER, set(posts(project))
    missing = sorted(pages - set(listed))
    if missing:
        raise SnippetError(f"hooks/course.py: READING_ORDER does not list {', '.join(missing)}:"
                           " add each where it is read")
    for name in sorted({n for n in listed if listed.count(n) > 1} | (set(listed) - pages)):
        raise SnippetError(f"hooks/course.py: READING_ORDER names {name} "
                           + ("twice" if listed.count(name) > 1 else
                              f"but there is no chapter {name} (snippets/{name}.py)"))
    found = []
    for name in listed:
        page = project.root / POSTS / f"{name}.md"
        if not page.exists():
            raise SnippetError(f"chapter {name} has no page {POSTS}/{name}.md")
        body, meta = get_data(page.read_text())
        date = meta.get("date")
        date = date.get("created") if isinstance(date, dict) else date  # Material's form
        if isinstance(date, datetime.datetime):
            date = date.date()
        if not isinstance(date, datetime.date):
            raise SnippetError(f"{POSTS}/{name}.md: its date (the blog's) is missing")
        title = re.search(r"^# (.+)$", body, re.M)
        if not title:
            raise SnippetError(f"{POSTS}/{name}.md has no title (# ...)")
        found.append((date, name, title[1].strip(), str(meta.get("description", ""))))
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
