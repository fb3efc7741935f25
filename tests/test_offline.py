"""The offline copy (`make offline`): the zip unpacked into an empty folder and opened from
the file system (file://) in Chromium, as a reader with no server and no network would.

Every link and asset of every page names a file that is in the copy; in the browser, search
finds a chapter, a link leads to another page, figures switch with the palette, math renders
and MathJax's speech works, downloads are there, and the draw-a-digit page says how to run
the demo, which a browser will not run from disk. No page asks another host for anything.
The zip's size goes to test-artifacts/offline.json.
"""

import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

from site_crawl import pages
from test_browser import ROOT, Visit, mathjax_menu

NAME = "learning-from-digits-offline"  # the zip's one folder (the Makefile's default name)


@pytest.fixture(scope="session")
def offline_zip(tmp_path_factory) -> Path:
    """`make offline` with this interpreter's tools, into a temporary folder; its size is
    recorded in test-artifacts/offline.json."""
    folder = tmp_path_factory.mktemp("offline")
    archive = folder / f"{NAME}.zip"
    result = subprocess.run(
        ["make", "--no-print-directory", "--old-file=.venv/installed", "offline",
         f"OFFLINE_ZIP={archive}", f"OFFLINE_DIR={folder / 'build' / NAME}",
         f"BIN={Path(sys.executable).parent}"],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # the build ran no chapter (ENGINE_EXECUTE=never), and would have stopped on a stale one
    assert "ENGINE_EXECUTE=never" in result.stdout and " ran in " not in result.stderr
    assert not re.search(r"^(WARNING|ERROR)\s+-", result.stderr, re.M), result.stderr
    size = archive.stat().st_size
    assert f"{archive}: {size / 1e6:.1f} MB" in result.stdout  # make says how big it is
    with zipfile.ZipFile(archive) as opened:
        members = [i for i in opened.infolist() if not i.is_dir()]
    record = ROOT / "test-artifacts" / "offline.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({
        "zip": f"{NAME}.zip", "bytes": size, "megabytes": round(size / 1e6, 1),
        "files": len(members), "unpacked_bytes": sum(i.file_size for i in members)},
        indent=2) + "\n")
    return archive


@pytest.fixture(scope="session")
def offline_copy(offline_zip, tmp_path_factory) -> Path:
    """The zip unpacked into an empty folder: the copy's one top folder."""
    folder = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(offline_zip) as opened:
        tops = {name.split("/", 1)[0] for name in opened.namelist()}
        assert tops == {NAME}, f"the zip should hold one folder, {NAME}/: {tops}"
        opened.extractall(folder)
    return folder / NAME


class Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [(tag, value) for name, value in attrs if name in ("href", "src") and value]


def test_zip_holds_the_site_built_for_disk_and_its_size_is_recorded(offline_zip, offline_copy):
    """Material's offline plugin did its part: the search index as a script, and each page
    named as a file."""
    assert (offline_copy / "search" / "search_index.js").read_text().startswith("var __index")
    assert (offline_copy / "chapters" / "meet-mnist.html").is_file()
    record = json.loads((ROOT / "test-artifacts" / "offline.json").read_text())
    assert record["bytes"] == offline_zip.stat().st_size
    assert record["files"] > 100


def test_readme_states_the_size_of_the_zip(offline_zip):
    """README's `make offline` line says roughly how big the download is: "about N MB",
    within 10 % of the zip this build made."""
    stated = re.search(r"learning-from-digits-offline\.zip`, about (\d+) MB",
                       (ROOT / "README.md").read_text())
    assert stated, "README.md no longer says how big the offline zip is"
    megabytes = offline_zip.stat().st_size / 1e6
    assert abs(int(stated[1]) - megabytes) <= 0.1 * megabytes, (
        f"README.md says about {stated[1]} MB; the zip is {megabytes:.1f} MB")


def test_every_link_and_asset_is_a_file_of_the_copy(offline_copy):
    """Pages name their index.html, not a folder a server would complete, and every figure,
    script, stylesheet and download is there. 404.html is left out: only a server shows it,
    and its links start at the server's root."""
    broken, foreign, checked = {}, set(), 0
    for page in offline_copy.rglob("*.html"):
        if page.name == "404.html" and page.parent == offline_copy:
            continue
        links = Links()
        links.feed(page.read_text())
        for tag, url in links.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if tag in ("script", "img", "link", "iframe", "source"):
                    foreign.add(f"{page.name}: <{tag}> {url}")
                continue
            if not parts.path:  # #anchor on the same page
                continue
            checked += 1
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                broken.setdefault(url, page.relative_to(offline_copy).as_posix())
    assert not foreign, f"assets from other hosts: {sorted(foreign)}"
    assert not broken, f"links to no file (url: first page): {broken}"
    assert checked > 1000


def test_search_finds_a_chapter_and_its_result_opens_it(browser, offline_copy):
    visit = Visit(browser, (offline_copy / "index.html").as_uri())
    visit.page.click("input[data-md-component='search-query']")
    visit.page.keyboard.type("aliasing", delay=30)  # as a person types: Material reads keys
    # Material redraws the results as each key arrives: a locator finds the latest ones
    # (an element handle taken between two keys may be gone by the click)
    result = visit.page.locator("li.md-search-result__item a").first
    expect(result).to_have_attribute("href", re.compile(r"chapters/meet-mnist\.html"),
                                     timeout=15000)
    result.click()
    visit.page.wait_for_url(re.compile(r"^file://.*/chapters/meet-mnist\.html"))
    assert "Meet MNIST" in visit.page.title()
    assert not visit.errors, visit.errors
    visit.close()


def test_links_lead_from_page_to_page(browser, offline_copy):
    """From the home page into a chapter, and from there to its exercises, in another folder:
    by clicking, as a reader does."""
    visit = Visit(browser, (offline_copy / "index.html").as_uri())
    visit.page.locator(".md-content a[href='chapters/meet-mnist.html']").first.click()
    visit.page.wait_for_url((offline_copy / "chapters" / "meet-mnist.html").as_uri())
    assert "Meet MNIST" in visit.page.locator("h1").first.inner_text()
    visit.page.locator("a.course-practice[href='../exercises/exercises-data.html']").click()
    visit.page.wait_for_url((offline_copy / "exercises" / "exercises-data.html").as_uri())
    assert visit.page.locator("h1").first.is_visible()
    assert not visit.errors, visit.errors
    visit.close()


SHOWN_FIGURES = """() => [...document.querySelectorAll("img[src*='/outputs/']")]
    .filter(i => getComputedStyle(i).display !== 'none')"""


def visible_figures(page):
    """The figures shown, each as (its address, whether the browser could read it), once
    all are loaded (networkidle does not wait for files)."""
    page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    page.wait_for_function(f"() => ({SHOWN_FIGURES})().every(i => i.complete)")
    return page.evaluate(f"() => ({SHOWN_FIGURES})().map(i => [i.src, i.naturalWidth > 0])")


def test_figures_show_in_light_and_switch_to_dark_with_the_palette(browser, offline_copy):
    visit = Visit(browser, (offline_copy / "chapters" / "meet-mnist.html").as_uri())
    light = visible_figures(visit.page)
    assert light and all(src.endswith(".light.svg#only-light") and read for src, read in light)
    visit.page.click("label[title='Switch to dark mode']")
    visit.page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    dark = visible_figures(visit.page)
    assert [s.replace(".light.svg#only-light", "") for s, _ in light] == \
        [s.replace(".dark.svg#only-dark", "") for s, _ in dark]
    assert all(src.endswith(".dark.svg#only-dark") and read for src, read in dark)
    visit.close()


def test_math_renders_and_speaks_from_disk(browser, offline_copy):
    """MathJax from the copy, and its speech (Accessibility > Activate in its menu), whose
    rules come as scripts because a page opened from disk may not fetch JSON."""
    page = offline_copy / "chapters" / "sigmoid-to-logistic-regression.html"
    visit = Visit(browser, page.as_uri())
    visit.page.wait_for_selector("mjx-container svg", timeout=15000)
    mathjax_menu(visit.page, "Accessibility", "Activate")
    visit.page.wait_for_function("""() => [...document.querySelectorAll('mjx-container')]
        .some(m => (m.getAttribute('aria-label') || '').includes('StartFraction'))""",
                                 timeout=15000)
    assert any(r.endswith("/sre/mathmaps/en.js") for r in visit.requests)
    assert not visit.errors, visit.errors
    visit.close()


def test_downloads_are_in_the_copy(browser, offline_copy):
    visit = Visit(browser, (offline_copy / "chapters" / "meet-mnist.html").as_uri())
    links = visit.page.eval_on_selector_all("a[href*='downloads/']", "as => as.map(a => a.href)")
    visit.close()
    names = {Path(unquote(urlsplit(link).path)).name for link in links}
    assert {"meet-mnist.py", "meet-mnist.ipynb", "learning-from-digits.zip"} <= names, names
    for link in links:
        assert link.startswith("file://"), link
        assert Path(unquote(urlsplit(link).path)).stat().st_size > 0, link


def test_draw_page_says_how_to_run_the_demo(browser, offline_copy):
    visit = Visit(browser, (offline_copy / "draw.html").as_uri())
    note = visit.page.locator("#digit-draw-from-disk")
    assert note.is_visible() and not visit.page.locator("#digit-draw").is_visible()
    assert "make serve" in note.inner_text() and "make app" in note.inner_text()
    assert not visit.errors, visit.errors  # the demo's module is not even asked for
    visit.close()


# A page opened from disk has settled once its images are in and MathJax has typeset it
# (networkidle would add half a second of quiet to every page).
SETTLED = """async () => {
    document.querySelectorAll('img').forEach(i => i.loading = 'eager');
    await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
    if (window.MathJax?.startup?.promise) await MathJax.startup.promise;
}"""


def test_every_page_asks_for_nothing_but_files_of_the_copy(browser, offline_copy):
    """Every page in one tab, one after another: what each asks for, and what it logs."""
    visit = Visit(browser, (offline_copy / "index.html").as_uri())
    for path in pages(offline_copy):
        if path == "404.html":
            continue
        visit.requests.clear()
        visit.errors.clear()
        visit.page.goto((offline_copy / path).as_uri())
        visit.page.evaluate(SETTLED)
        outside = [r for r in visit.requests
                   if not r.startswith(offline_copy.as_uri()) and not r.startswith("data:")]
        assert not outside, f"{path} asked for {outside}"
        assert not visit.errors, f"{path} logged errors: {visit.errors}"
        broken = visit.page.evaluate("[...document.images].filter(i => !i.naturalWidth)"
                                     ".map(i => i.src)")
        assert not broken, f"{path} shows images it could not read: {broken}"
    visit.close()
