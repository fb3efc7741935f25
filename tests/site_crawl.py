"""Every page of the built site, visited once in each palette, for the tests that check every
page in a browser (issue 14: one crawl, not one per test module).

Two tabs, one in the light and one in the dark scheme (each in a browser context and a
renderer of its own, working side by side), go from page to page as a reader would, in a
1200 x 900 window (test_browser.Visit's). A visit records what the tests assert on, in this
order:

1. loaded, fonts in, MathJax typeset, the draw demo mounted (SETTLED), and every lazy image
   loaded, as a reader scrolling down would have them; then, of the pages asked for, a
   screenshot of the whole page (test_browser.py writes them to test-artifacts/), a JPEG:
   Chromium encodes a chapter's whole page as a PNG in about 2.1 s, as a JPEG in 1.3 s;
2. with every collapsed block opened, axe-core's violations (the network has gone quiet,
   "networkidle", by the time they are read; colour contrast once for each look of code,
   MARK_SEEN_CODE; in the dark scheme, the rules about colour alone, START_AXE) and the
   colours behind each figure and the content (test_accessibility.py);
3. in a 1280 x 800 window (the width test_code_fits.py is about), with every tab's panel
   shown too, the width of each code block (test_code_fits.py);
4. all along, every request and every console or page error (test_browser.py);
5. once settled, in the light scheme, every link, image, script and stylesheet address on
   the page and every element id, for the link check (``broken_links``, test_site.py).
"""

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from axe_playwright_python.base import AXE_SCRIPT

SCHEMES = ("light", "dark")
PALETTES = {"light": "default", "dark": "slate"}  # Material's data-md-color-scheme for each
VIEWPORT = {"width": 1200, "height": 900}  # the window the pages are visited in
CODE_VIEWPORT = {"width": 1280, "height": 800}  # the window code blocks are measured in

# A page is ready for axe once its fonts are in, MathJax has typeset it, and the draw demo
# (a module that awaits its network's weights after the load event) has mounted: what
# "networkidle" would wait for, without its half second of quiet on every page.
SETTLED = """async () => {
    await document.fonts.ready;
    if (window.MathJax?.startup?.promise) await MathJax.startup.promise;
    const demo = document.getElementById("digit-draw");  // a failed load leaves no state:
    for (let waited = 0; demo && !demo.dataset.state && waited < 10000; waited += 50) {
        await new Promise((done) => setTimeout(done, 50));  // axe then audits what is there
    }
}"""
# Load what is lazy too: every image, as a reader scrolling down would; settled once each
# has loaded or failed (at most 15 s).
EAGER_IMAGES = """async () => {
    const images = [...document.querySelectorAll('img')];
    images.forEach((i) => { i.loading = 'eager'; });
    const loaded = (i) => i.complete ? null : new Promise((done) => {
        i.addEventListener('load', done, {once: true});
        i.addEventListener('error', done, {once: true});
    });
    await Promise.race([Promise.all(images.map(loaded)),
                        new Promise((done) => setTimeout(done, 15000))]);
}"""
# Every address the page links to or loads, resolved as the browser resolves it, and every
# id a #fragment can name (an <a name> too). From the attribute, not the property: an <a>
# inside an inline SVG has no string href.
LINKS = """() => {
    const attributes = {a: 'href', area: 'href', link: 'href', img: 'src', script: 'src',
                        source: 'src', iframe: 'src'};
    const links = [];
    for (const [tag, name] of Object.entries(attributes)) {
        for (const e of document.querySelectorAll(`${tag}[${name}]`)) {
            links.push([tag, new URL(e.getAttribute(name), document.baseURI).href]);
        }
    }
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    ids.push(...[...document.querySelectorAll('a[name]')].map((e) => e.name));
    return {links, ids};
}"""
# What a reader opens is audited too: every collapsed block (an exercise's solution, a
# collapsible note) is opened first.
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"
# Code blocks hold most of a chapter's text elements (two thirds of them), and axe's
# colour-contrast rule, which works out each element's backdrop, spends most of its time
# there: on a chapter's page, 3.6 of the 5.6 s axe takes. Their looks repeat from page to
# page (the same token colours on the same code background), so each palette's tab keeps
# the looks whose contrast axe has audited: a text element's colour, size, weight and
# opacity and the background colours from it up to <html>. A code block (a highlighted
# block or a notebook cell) whose every look is known is marked, and the colour-contrast
# rule skips it; any block with a look new to the crawl is audited, as is the rest of the
# page, and every other rule runs on the whole page. Returns the page's new looks.
CODE = ".highlight, .jp-Cell"
MARK_SEEN_CODE = """([selector, known]) => {
    known = new Set(known);
    const fresh = new Set();
    const look = (e) => {
        const style = getComputedStyle(e), layers = [];
        for (let up = e; up; up = up.parentElement) {
            const s = getComputedStyle(up);
            layers.push(s.backgroundColor, s.opacity);
        }
        return [style.color, style.fontSize, style.fontWeight, ...layers].join(' ');
    };
    const hasText = (e) => [...e.childNodes].some(
        (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    for (const block of document.querySelectorAll(selector)) {
        const looks = [block, ...block.querySelectorAll('*')].filter(hasText).map(look);
        const own = looks.filter((l) => !known.has(l));
        if (own.length) own.forEach((l) => fresh.add(l));
        else block.dataset.contrastSeen = '';
    }
    return [...fresh];
}"""
# Started, not awaited: the light and the dark page run axe at once, in their own renderers.
# On a timer, so that the call returns at once: axe.run does much of its work before it
# returns its promise. Where code blocks are marked, two runs, one after the other (axe runs
# one audit at a time): every rule but colour contrast on the whole page, then colour
# contrast on all but the marked blocks. With colourOnly (the dark tab), only the rules about
# colour (axe's "cat.color" tag: contrast, links told apart by colour alone) run: a palette
# changes colours, not the page's elements, names or roles, which the light tab audits. (The
# palette toggle shows the other scheme's label: the reader-acts audits of
# test_accessibility.py run every rule in the dark scheme, on a page that has it.)
START_AXE = """(colourOnly) => {
    const options = {resultTypes: ['violations']};
    const skipped = {};  // what the first run leaves out
    for (const rule of colourOnly ? axe.getRules() : []) {
        if (!rule.tags.includes('cat.color')) skipped[rule.ruleId] = {enabled: false};
    }
    const audit = async () => {
        if (!document.querySelector('[data-contrast-seen]')) {
            return axe.run({...options, rules: skipped});
        }
        const rest = await axe.run(
            {...options, rules: {...skipped, 'color-contrast': {enabled: false}}});
        const contrast = await axe.run({exclude: [['[data-contrast-seen]']]},
                                       {...options, runOnly: ['color-contrast']});
        rest.violations.push(...contrast.violations);
        return rest;
    };
    window.axeResults = new Promise((settle) => setTimeout(() => settle(audit()), 0));
}"""
# The backgrounds behind each figure shown, and behind the content: each element's own
# background colour, from the image's parent up to <html> (the figure tests composite them).
BACKDROPS = """() => {
    const behind = (e) => {
        const layers = [];
        for (; e; e = e.parentElement) layers.push(getComputedStyle(e).backgroundColor);
        return layers;
    };
    const figures = [...document.querySelectorAll("img[src*='/outputs/']")]
        .filter((img) => getComputedStyle(img).display !== "none")
        .map((img) => [new URL(img.src).pathname, behind(img.parentElement)]);
    return {page: behind(document.querySelector(".md-content")), figures};
}"""

# A code block: a pre, its code, or a notebook cell's code or output area.
BLOCKS = ", ".join([
    "pre", "pre > code",
    ".jp-InputArea-editor", ".jp-OutputArea-output",  # a notebook cell's code and outputs
])
# Collapsed solutions open, every tab's panel shown: a hidden block has no width to measure.
SHOW_ALL = """() => {
    document.querySelectorAll('details').forEach(d => d.open = true);
    const style = document.createElement('style');
    style.textContent = '.tabbed-set > .tabbed-content > .tabbed-block {display: block !important}';
    document.head.append(style);
}"""
MEASURE = """(selector) => [...document.querySelectorAll(selector)].map((block, index) => {
    // An HTML output that is a table (a pandas DataFrame) is a table, not a code block.
    const table = block.matches('.jp-OutputArea-output') && block.querySelector('table')
        && !block.querySelector('pre');
    const box = block.closest('.highlight, .jp-Cell');
    const title = box && box.querySelector('.filename');
    const lines = block.innerText.split('\\n');
    return {
        index, table,
        block: block.tagName.toLowerCase() + (block.className ? '.' +
            String(block.className).trim().split(/\\s+/).join('.') : ''),
        title: title ? title.textContent : (box && box.id) || '',
        shown: block.getClientRects().length > 0,
        scroll: block.scrollWidth, client: block.clientWidth,
        widest: lines.reduce((a, b) => (b.length > a.length ? b : a), ''),
    };
})"""


def pages(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@dataclass
class PageVisit:
    """What one page showed in one scheme."""
    path: str
    scheme: str
    palette: str = ""  # the body's data-md-color-scheme once settled
    requests: list = field(default_factory=list)  # every URL the page asked for
    errors: list = field(default_factory=list)  # console errors and uncaught exceptions
    violations: list = field(default_factory=list)  # axe-core's, every impact
    backdrops: dict = field(default_factory=dict)  # BACKDROPS' answer
    blocks: list = field(default_factory=list)  # MEASURE's answer, every tab shown
    links: list = field(default_factory=list)  # [tag, absolute URL] of every LINKS address
    ids: list = field(default_factory=list)  # every id on the page (links, ids: light only)
    screenshot: bytes | None = None  # the whole page as a JPEG, where one was asked for


@dataclass
class Crawl:
    visits: dict  # {scheme: {path: PageVisit}}, pages in order
    axe: dict  # axe-core's test engine (its name and version)
    seconds: float  # the whole crawl


def record(page, into) -> None:
    """Append every URL the page asks for to ``into().requests``, and every console error
    and uncaught exception to ``into().errors``."""
    page.on("request", lambda request: into().requests.append(request.url))
    page.on("console", lambda m: m.type == "error" and into().errors.append(m.text))
    page.on("pageerror", lambda error: into().errors.append(str(error)))


class Tab:
    """A page in a context of its own for one scheme, going from page to page as a reader
    does, recording what each page requests and logs."""

    def __init__(self, browser, scheme):
        self.scheme = scheme
        self.context = browser.new_context(color_scheme=scheme, viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.visit = PageVisit("", scheme)
        self.code_looks = set()  # whose contrast axe has audited (MARK_SEEN_CODE)
        record(self.page, lambda: self.visit)  # the page being visited

    def open(self, path, url):
        self.visit = PageVisit(path, self.scheme)
        self.page.set_viewport_size(VIEWPORT)  # the last page's code was measured wider
        self.page.goto(url, wait_until="commit")  # the other scheme's tab loads meanwhile

    def close(self):
        self.context.close()


def crawl(browser, site, site_url, screenshots=()) -> Crawl:
    """Visit every page of the site in both schemes, and take a screenshot of each page in
    screenshots (paths such as chapters/meet-mnist/index.html); see the module's docstring."""
    started = time.monotonic()
    visits = {scheme: {} for scheme in SCHEMES}
    engine = None
    tabs = [Tab(browser, scheme) for scheme in SCHEMES]
    try:
        for path in pages(site):
            for tab in tabs:
                tab.open(path, f"{site_url}/{path}")
            for step in ("load", SETTLED, EAGER_IMAGES):  # each tab works while the other
                for tab in tabs:                          # is waited for
                    if step == "load":
                        tab.page.wait_for_load_state(step)
                    else:
                        tab.page.evaluate(step)
            for tab in tabs:  # the other tab runs axe while this one takes its screenshot
                if path in screenshots:
                    tab.visit.screenshot = tab.page.screenshot(full_page=True, type="jpeg",
                                                               quality=85)
                tab.visit.palette = tab.page.evaluate("document.body.dataset.mdColorScheme")
                if tab.scheme == SCHEMES[0]:  # a page has the same links in both palettes
                    found = tab.page.evaluate(LINKS)
                    tab.visit.links, tab.visit.ids = found["links"], found["ids"]
                tab.page.evaluate(OPEN_DETAILS)
                tab.code_looks.update(
                    tab.page.evaluate(MARK_SEEN_CODE, [CODE, list(tab.code_looks)]))
                tab.page.evaluate(AXE_SCRIPT)  # once a document
                tab.page.evaluate(START_AXE, tab.scheme != SCHEMES[0])  # colour alone in dark
            for tab in tabs:  # while axe runs: what a page still asks for once it is loaded
                tab.page.wait_for_load_state("networkidle")
            for tab in tabs:
                response = tab.page.evaluate("window.axeResults")
                tab.visit.violations = response["violations"]
                engine = response["testEngine"]
                tab.visit.backdrops = tab.page.evaluate(BACKDROPS)
                tab.page.set_viewport_size(CODE_VIEWPORT)
                tab.page.evaluate(SHOW_ALL)
                tab.visit.blocks = tab.page.evaluate(MEASURE, BLOCKS)
                visits[tab.scheme][path] = tab.visit
    finally:
        for tab in tabs:
            tab.close()
    return Crawl(visits, engine, round(time.monotonic() - started, 1))


def broken_links(visits, site: Path, site_url: str) -> list[str]:
    """Each address on the visited pages ({path: PageVisit}) that leads nowhere on the
    site served from ``site`` at ``site_url``: no such file, or, for a link to a page, no
    element with the #fragment's id on it. Other hosts' addresses are not followed."""
    ids = {path: set(visit.ids) for path, visit in visits.items()}
    problems = []
    for path, visit in visits.items():
        for tag, url in visit.links:
            if not url.startswith(f"{site_url}/"):  # another host, data:, mailto:
                continue
            address = urlsplit(url)
            target = unquote(address.path).lstrip("/")
            if target == "" or (site / target).is_dir():
                target = f"{target.rstrip('/')}/index.html".lstrip("/")
            if not (site / target).is_file():
                problems.append(f"{path}: <{tag}> {url}: no such file")
            elif tag in ("a", "area") and address.fragment and target in ids \
                    and unquote(address.fragment) not in ids[target]:
                problems.append(f"{path}: <{tag}> {url}: no element with that id on {target}")
    return problems
