"""The built site in a real browser: offline, no console errors, search, dark mode, math.

Playwright drives Debian's Chromium (`make browser` installs it). Screenshots of every
chapter in light and dark mode go to test-artifacts/screenshots/ for a person to look at.
"""

import shutil
from pathlib import Path

import pytest

from site_support import PROJECT
from site_content import exercise_sets

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Visit:
    """Open a page and record every request it makes and every error it logs."""

    def __init__(self, browser, url, scheme="light"):
        self.context = browser.new_context(color_scheme=scheme,
                                           viewport={"width": 1200, "height": 900})
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(url, wait_until="networkidle")

    def close(self):
        self.context.close()


def pages(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_is_offline_and_error_free(browser, site, site_url):
    visited = 0
    for path in pages(site):
        url = f"{site_url}/{path}"
        visit = Visit(browser, url)
        # Load what is lazy too: every image, as a reader scrolling down would.
        visit.page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        visit.page.wait_for_load_state("networkidle")
        foreign = [r for r in visit.requests if not r.startswith(site_url)
                   and not r.startswith(("data:", "blob:"))]
        assert not foreign, f"{path} requested other hosts: {foreign}"
        assert not visit.errors, f"{path} logged errors: {visit.errors}"
        visit.close()
        visited += 1
    assert visited >= 8


def test_math_renders_offline(browser, site_url):
    visit = Visit(browser, f"{site_url}/chapters/sigmoid-to-logistic-regression/")
    visit.page.wait_for_selector("mjx-container svg", timeout=15000)
    assert visit.page.locator("mjx-container").count() >= 3
    visit.close()


def test_search_finds_a_chapter_by_a_word_of_its_body(browser, site_url):
    visit = Visit(browser, f"{site_url}/")
    visit.page.click("input[data-md-component='search-query']")
    visit.page.keyboard.type("aliasing", delay=30)  # as a person types: Material reads keys
    result = visit.page.wait_for_selector("li.md-search-result__item a", timeout=15000)
    assert "chapters/meet-mnist/" in result.get_attribute("href")
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
def test_screenshots_in_light_and_dark(browser, site_url, chapter):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    folder = "exercises" if chapter in exercise_sets(PROJECT) else "chapters"
    for scheme in ("light", "dark"):
        visit = Visit(browser, f"{site_url}/{folder}/{chapter}/", scheme)
        visit.page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        visit.page.wait_for_load_state("networkidle")
        path = SCREENSHOTS / f"{chapter}-{scheme}.png"
        visit.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 50_000
        visit.close()


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
