"""MkDocs hook: the engine (``snippet_engine``) in the build.

- before the build, stale chapters run and freeze (``ENGINE_EXECUTE``: auto, never, always);
- their figures, the ``.py`` and ``.ipynb`` downloads, the whole project as a zip
  (``project_archive.py``) and the exercise notebooks join the site (``outputs/`` is added
  by this hook, not written into ``docs/``, so that ``mkdocs serve`` does not rebuild
  forever);
- ``{{ directives }}`` in pages expand from the frozen outputs (any page may quote a chapter's
  figure, value or table by naming it: ``figure("ladder", chapter="recap", ...)``); a chapter
  or exercise page gets its "Run this chapter yourself" box after its introduction, and the
  data file (``data/mnist.npz``) is published among the downloads;
- the course: a chapter's title shows its number in the reading order (its page's date), its
  page ends with the exercises that practise it and links to the previous and next chapter,
  an exercise set's page names the chapters it practises, and the chapter index lists the
  chapters oldest first;
- after the build, a warning (an error with ``--strict``) names anything a chapter printed
  or drew that its page does not show.

The course (reading order, chapter endings) lives in ``course.py`` beside this file, and
what else is particular to this site in ``site_content.py``.
"""

from __future__ import annotations

import functools
import logging
import posixpath
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

import course  # noqa: I001  (beside this hook: MkDocs puts its folder on sys.path)
import project_archive
import site_content
from snippet_engine import (ChapterDirectives, PageDirectives, Project, SnippetError,
                            check_digests, expand, notebook, read_manifest, reader_script,
                            refresh, unshown)

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("mkdocs.hooks.chapters")


class Build:
    """What one build knows: the project, and what its pages embedded."""

    def __init__(self):
        self.project = Project(ROOT)
        self.shown: dict[str, set] = {}
        self.archive: tuple[str, str] | None = None  # the project's zip: site path, size

    @functools.cached_property
    def reading_order(self) -> dict[str, int]:
        """The chapters' pages (their paths from docs/) -> their numbers in the course."""
        return {course.page_of(c.name, self.project): c.number
                for c in course.course(self.project)}

    def in_reading_order(self, page) -> tuple:
        """A sort key: chapters in reading order, then other pages by title."""
        number = self.reading_order.get(page.file.src_uri)
        return (0, number, "") if number else (1, 0, str(page.title or ""))


_build = Build()  # MkDocs hooks are modules; a fresh one per build in on_pre_build


def on_config(config):
    """The tags index lists a tag's chapters in reading order (Material sorts by title, which
    puts "Chapter 10" before "Chapter 2"): its listings_sort_by option, set here because
    mkdocs.yml cannot name a function of a hook."""
    tags = config.plugins.get("material/tags")
    if tags is not None:
        tags.config.listings_sort_by = lambda mapping: _build.in_reading_order(mapping.item)
    return config


def on_pre_build(config) -> None:
    global _build
    _build = Build()
    try:
        refresh(_build.project, log=log)
        # never a page from outputs older than its script (ENGINE_EXECUTE=never runs none)
        stale = check_digests(_build.project)
    except SnippetError as error:
        raise PluginError(str(error)) from None
    if stale:
        raise PluginError(
            "outputs older than their chapter, not published: "
            + "; ".join(f"{chapter} ({why})" for chapter, why in stale.items())
            + ". Run `python -m snippet_engine` (or build without ENGINE_EXECUTE=never), "
            "then build again")


@event_priority(10)  # before mkdocs-jupyter's on_files, which makes .ipynb files pages
def on_files(files, config):
    project = _build.project
    for chapter in project.chapters():
        for path in sorted((project.outputs / chapter).glob("*.svg")):
            files.append(File.generated(config, f"outputs/{chapter}/{path.name}",
                                        abs_src_path=str(path)))
    chapters = set(project.chapters())
    for path in sorted(project.snippets.glob("*.py")):
        try:  # a chapter as a reader downloads it: without its site sections
            content = reader_script(path, f"snippets/{path.name}") \
                if path.stem in chapters else None
        except SnippetError as error:
            raise PluginError(str(error)) from None
        files.append(File.generated(config, f"downloads/{path.name}", content=content)
                     if content is not None else
                     File.generated(config, f"downloads/{path.name}", abs_src_path=str(path)))
    for path in project.config.data:  # what the chapters' code reads, for readers to get
        if (project.root / path).exists():
            files.append(File.generated(config, f"downloads/{Path(path).name}",
                                        abs_src_path=str(project.root / path)))
    # Frozen outputs that a chapter reads (other chapters' manifests, the gathered
    # leaderboard) are its downloads too, at the same paths as in the project.
    for path in sorted({f for files_read in project.config.helper_files.values()
                        for f in files_read if f.startswith("outputs/")}):
        files.append(File.generated(config, path, abs_src_path=str(project.root / path)))
    for chapter in project.chapters():
        if read_manifest(chapter, project):
            files.append(File.generated(config, f"downloads/{chapter}.ipynb",
                                        content=notebook(chapter, project)))
    try:
        archive = project_archive.archive_bytes(project.root,
                                                project_archive.project_files(project.root))
    except project_archive.ArchiveError as error:
        raise PluginError(str(error)) from None
    files.append(File.generated(config, project_archive.SITE_PATH, content=archive))
    _build.archive = (project_archive.SITE_PATH, project_archive.megabytes(len(archive)))
    # The offline copy's pages (no directory URLs) sit a folder higher, so their figures'
    # links differ: kept apart from the served site's, which another build may be reading.
    pages = project.cache / ("notebook-pages" if config.use_directory_urls
                             else "notebook-pages-offline")
    for name in course.exercise_sets(project):
        if read_manifest(name, project):
            # A File with a source folder, as if in docs/: mkdocs-jupyter wraps the File
            # and loses the path of a File.generated(abs_src_path=...).
            page = File(f"exercises/{name}.ipynb", src_dir=str(pages),
                        dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)
            # the page's address once mkdocs-jupyter renders it (page.url is the .ipynb's)
            url = f"exercises/{name}/" if config.use_directory_urls else f"exercises/{name}.html"
            figure_html = functools.partial(site_content.notebook_figure,
                                            outputs=get_relative_url("outputs", url))
            try:
                _write_if_changed(pages / "exercises" / f"{name}.ipynb", notebook(
                    name, project, figure_html=figure_html))
            except SnippetError as error:
                raise PluginError(str(error)) from None
            files.append(page)
    return files


def _write_if_changed(path: Path, text: str) -> None:
    """mkdocs-jupyter reads pages from files only: written under .cache/, because a file
    written into docs/ during a build would make ``mkdocs serve`` rebuild forever."""
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".md"):  # a notebook page: mkdocs-jupyter renders it
        return markdown
    project = _build.project
    chapter = Path(page.file.src_uri).stem
    # A chapter's own page, not another page of that name (the category "Beyond linear
    # models" is chapters/category/beyond-linear-models.md)
    is_chapter = (chapter in project.chapters()
                  and page.file.src_uri == course.page_of(chapter, project))
    manifest = read_manifest(chapter, project) if is_chapter else None
    if is_chapter and manifest is None:
        raise PluginError(f"{page.file.src_uri}: no frozen outputs in outputs/{chapter}/")
    page_dir = posixpath.dirname(page.file.src_uri)
    link = lambda uri: posixpath.relpath(uri, page_dir or ".")  # noqa: E731
    site = site_content.site_directives(project)
    if manifest:
        shown = _build.shown.setdefault(chapter, set())
        directives = ChapterDirectives(chapter, manifest, link, shown, functions=site,
                                       script=project.script(chapter))
    else:
        directives = PageDirectives(lambda name: read_manifest(name, project), link,
                                    functions=site)
    try:
        text = expand(markdown, directives)
    except (ValueError, SnippetError) as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    if manifest:
        text = site_content.insert_run_box(text, site_content.run_box(
            chapter, manifest, link, project, link("how-it-works.md"), _build.archive))
        try:
            text = course.numbered_title(text, chapter, project)
            text += course.chapter_ending(chapter, project)
        except SnippetError as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None
    return text


def on_page_content(html: str, page, config, files) -> str:
    """An exercise set's page, rendered from its notebook, gets its "Run ... yourself" box
    before its first exercise, and ends with the links on."""
    import markdown as python_markdown
    from mkdocs.utils import get_relative_url

    project = _build.project
    name = Path(page.file.src_uri).stem
    if not page.file.src_uri.endswith(".ipynb") or name not in course.exercise_sets(
            project):
        return html
    link = lambda uri: get_relative_url(uri, page.url)  # noqa: E731
    render = functools.partial(python_markdown.markdown,
                               extensions=config.markdown_extensions,
                               extension_configs=config.mdx_configs)
    box = site_content.run_box(name, read_manifest(name, project), link, project,
                               link(files.get_file_from_path("how-it-works.md").url),
                               _build.archive)
    try:
        ending = course.exercise_ending(
            name, lambda path: link(files.get_file_from_path(path).url), project)
    except SnippetError as error:
        raise PluginError(f"{page.file.src_uri}: {error}") from None
    return site_content.insert_run_box(html, render(box)) + render(ending)


@event_priority(-90)  # before the blog plugin renders a listing's excerpts (-100)
def on_page_context(context, page, config, nav):
    """The chapter index (and each category) lists chapters in reading order, oldest first:
    Material's blog lists newest first and has no option for it. Sorted before the blog
    renders the listing, so that its table of contents and pagination follow. The home
    page's course cards get the blog's reading time of each chapter."""
    from material.plugins.blog.structure import View

    if isinstance(page, View):
        page.posts.sort(key=_build.in_reading_order)
    if page.content and site_content.READTIME.split("{")[0] in page.content:
        # The home page's course cards: reading times are the blog's, computed as each post
        # renders, so all known by now (every page renders before any page's template).
        posts = config.plugins["material/blog"].blog.posts
        try:
            page.content = site_content.fill_readtimes(
                page.content, {Path(p.file.src_uri).stem: p.config.readtime for p in posts})
        except SnippetError as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None
    return context


def on_post_build(config) -> None:
    """Everything a chapter prints or draws must be on its page: warn (strict fails) if not.
    (An exercise set's page is its notebook, which shows everything.)"""
    project = _build.project
    for chapter in project.chapters():
        if chapter in course.exercise_sets(project):
            continue
        manifest = read_manifest(chapter, project) or {"sections": []}
        for what in unshown(manifest, _build.shown.get(chapter, set())):
            kind, name = what.split(":", 1)
            log.warning("%s: %s '%s' is not shown on the chapter's page", chapter, kind, name)
