"""The built site in a real browser: offline, no console errors, search, dark mode, math.

Playwright drives Debian's Chromium (`make browser` installs it). Screenshots of every
chapter in light and dark mode go to test-artifacts/screenshots/ for a person to look at.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from site_crawl import SCHEMES, VIEWPORT, record
from site_support import PROJECT
from course import page_url

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


class Visit:
    """Open a page and record every request it makes and every error it logs."""

    def __init__(self, browser, url, scheme="light"):
        self.context = browser.new_context(color_scheme=scheme, viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        record(self.page, lambda: self)
        self.page.goto(url, wait_until="networkidle")

    def close(self):
        self.context.close()


def test_every_page_is_offline_and_error_free(site_crawl, site_url):
    """Every page, in the light and the dark scheme, with every lazy image loaded as a reader
    scrolling down would, asks no other host for anything and logs no error (the session's
    crawl, tests/site_crawl.py, visited them)."""
    for scheme in SCHEMES:
        for path, visit in site_crawl.visits[scheme].items():
            foreign = [r for r in visit.requests if not r.startswith(site_url)
                       and not r.startswith(("data:", "blob:"))]
            assert not foreign, f"{path} ({scheme}) requested other hosts: {foreign}"
            assert not visit.errors, f"{path} ({scheme}) logged errors: {visit.errors}"
    assert len(site_crawl.visits["light"]) >= 8


def test_math_renders_offline(browser, site_url):
    visit = Visit(browser, f"{site_url}/chapters/sigmoid-to-logistic-regression/")
    visit.page.wait_for_selector("mjx-container svg", timeout=15000)
    assert visit.page.locator("mjx-container").count() >= 3
    visit.close()


def mathjax_menu(page, *path):
    """Choose an entry of MathJax's right-click menu on the page's first formula, as a reader
    does: right-click, hover each submenu in turn, click the last entry."""
    page.locator("mjx-container").first.click(button="right")
    for depth, label in enumerate(path, start=1):
        entry = page.locator(".CtxtMenu_Menu").last.locator(  # the submenu opened last
            ".CtxtMenu_MenuItem", has_text=re.compile(rf"^\W*{re.escape(label)}\W*$"))
        if depth < len(path):
            entry.hover()
        else:
            entry.click()


def test_math_speaks_with_nothing_from_another_host(browser, site_url):
    """Accessibility > Activate in MathJax's menu loads the explorer and the speech rule
    engine, whose rules MathJax would fetch from a CDN: all come from this site."""
    visit = Visit(browser, f"{site_url}/chapters/sigmoid-to-logistic-regression/")
    visit.page.wait_for_selector("mjx-container svg", timeout=15000)
    mathjax_menu(visit.page, "Accessibility", "Activate")
    # the speech of 1 / (1 + e^-z), by the English Mathspeak rules
    visit.page.wait_for_function("""() => [...document.querySelectorAll('mjx-container')]
        .some(m => (m.getAttribute('aria-label') || '').includes('StartFraction'))""",
                                 timeout=15000)
    visit.page.wait_for_load_state("networkidle")
    assert f"{site_url}/assets/vendor/mathjax/sre/mathmaps/en.js" in visit.requests
    assert f"{site_url}/assets/vendor/mathjax/a11y/explorer.js" in visit.requests
    foreign = [r for r in visit.requests if not r.startswith(site_url)]
    assert not foreign, f"requested other hosts: {foreign}"
    assert not visit.errors, visit.errors
    visit.close()


def test_search_finds_a_chapter_by_a_word_of_its_body(browser, site_url):
    visit = Visit(browser, f"{site_url}/")
    visit.page.click("input[data-md-component='search-query']")
    visit.page.keyboard.type("aliasing", delay=30)  # as a person types: Material reads keys
    result = visit.page.locator("li.md-search-result__item a").first  # the latest results
    expect(result).to_have_attribute("href", re.compile(r"chapters/meet-mnist/"),
                                     timeout=15000)
    visit.close()


def visible_figure_sources(page):
    return page.evaluate("""() => [...document.querySelectorAll("img[src*='/outputs/']")]
        .filter(i => getComputedStyle(i).display !== 'none').map(i => i.src)""")


def test_palette_toggle_switches_figures_to_dark(browser, site_url):
    visit = Visit(browser, f"{site_url}/chapters/meet-mnist/")
    light = visible_figure_sources(visit.page)
    assert light and all(src.endswith(".light.svg#only-light") for src in light)
    visit.page.click("label[title='Switch to dark mode']")
    visit.page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    dark = visible_figure_sources(visit.page)
    assert [s.replace(".light.svg#only-light", "") for s in light] == \
        [s.replace(".dark.svg#only-dark", "") for s in dark]
    assert all(src.endswith(".dark.svg#only-dark") for src in dark)
    visit.close()


@pytest.mark.parametrize("chapter", PROJECT.chapters())
def test_screenshots_in_light_and_dark(site_crawl, chapter):
    """The session's crawl took them, once each page had settled and every image had loaded
    (tests/site_crawl.py)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in SCHEMES:
        visit = site_crawl.visits[scheme][f"{page_url(chapter, PROJECT)}index.html"]
        path = SCREENSHOTS / f"{chapter}-{scheme}.jpg"
        path.write_bytes(visit.screenshot)
        assert path.stat().st_size > 50_000


def test_home_page_shows_the_learning_path_as_a_grid_of_cards(browser, site_url):
    """Material's grid puts the course cards side by side at a desktop width; a screenshot
    of the home page goes to test-artifacts/home.png."""
    visit = Visit(browser, f"{site_url}/")
    tops = visit.page.eval_on_selector_all(
        ".course-cards > ul > li", "cards => cards.map(c => c.getBoundingClientRect().top)")
    assert len(tops) >= 8 and len(set(tops)) < len(tops), f"one card a row: {tops}"
    path = ROOT / "test-artifacts" / "home.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 50_000
    assert not visit.errors, visit.errors
    visit.close()
