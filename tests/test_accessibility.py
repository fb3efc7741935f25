"""Accessibility of the built site (issue 15.4): axe-core on every page in light and dark, the
contrast of the figures' text (which axe cannot see inside an <img>), and the draw demo's
buttons and the palette toggle from the keyboard alone.

axe-core comes bundled in axe-playwright-python (it works offline); its full results, every
impact, go to test-artifacts/axe/<scheme>.json for a person to read. Playwright drives
Debian's Chromium, as in test_browser.py.
"""

import json
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from site_crawl import CODE, MARK_SEEN_CODE, SCHEMES, START_AXE
from svg_contrast import figure_texts, hex_colour, over
from test_browser import ROOT, Visit
from test_draw_browser import draw
from draw_support import DIGIT_STROKES

ARTIFACTS = ROOT / "test-artifacts" / "axe"
BLOCKING = ("serious", "critical")  # the impacts that fail; the others are in the artifacts
AA = 4.5  # WCAG 2 AA's contrast ratio for text


def backdrop(layers):
    """One opaque colour from a list of CSS background colours, nearest first, over the
    white canvas."""
    colour = (255, 255, 255)
    for layer in reversed(layers):
        numbers = [float(n) for n in layer[layer.index("(") + 1:-1].split(",")]
        alpha = numbers[3] if len(numbers) == 4 else 1.0
        colour = over(tuple(numbers[:3]), alpha, colour)
    return hex_colour(colour)


@pytest.fixture(scope="module")
def audit(site_crawl):
    """axe-core on every page in both schemes: {scheme: {page: axe's violations}}, and the
    colours behind each figure and the content where they are shown. The session's crawl
    (tests/site_crawl.py) ran axe once each page had settled (fonts in, MathJax typeset, the
    draw demo mounted, images loaded) with every collapsed block (an exercise's solution, a
    collapsible note) opened, so that what a reader opens is audited too; the light and the
    dark page ran it at once, in their own renderers (the dark one the rules about colour
    alone: a palette changes colours, not elements; site_crawl.START_AXE)."""
    results = {scheme: {} for scheme in SCHEMES}
    figures = {scheme: {} for scheme in SCHEMES}
    page_colours = {scheme: set() for scheme in SCHEMES}
    for scheme in SCHEMES:
        for path, visit in site_crawl.visits[scheme].items():
            results[scheme][path] = visit.violations
            shown = visit.backdrops
            if shown["page"]:
                page_colours[scheme].add(backdrop(shown["page"]))
            for figure, layers in shown["figures"]:
                figures[scheme].setdefault(figure.lstrip("/"), set()).add(backdrop(layers))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for scheme in SCHEMES:  # seconds: the crawl's, for pages x 2 schemes, every check
        (ARTIFACTS / f"{scheme}.json").write_text(json.dumps(
            {"axe": site_crawl.axe, "scheme": scheme, "seconds": site_crawl.seconds,
             "pages": results[scheme],
             "behind_figures": {f: sorted(c) for f, c in sorted(figures[scheme].items())}},
            indent=1))
    return {"violations": results, "figures": figures, "pages": page_colours}


def blocking(where, violations):
    """One line for each serious or critical violation: where, the rule, its targets."""
    found = []
    for v in violations:
        if v["impact"] in BLOCKING:
            targets = [" >> ".join(node["target"]) for node in v["nodes"]]
            more = f" and {len(targets) - 8} more" if len(targets) > 8 else ""
            found.append(f"{where}: {v['id']} [{v['impact']}] {v['help']}: "
                         f"{', '.join(targets[:8])}{more}")
    return found


def test_no_serious_or_critical_axe_violation_on_any_page(audit):
    found = [line for scheme, by_page in audit["violations"].items()
             for path, violations in by_page.items()
             for line in blocking(f"{path} ({scheme})", violations)]
    assert len(audit["violations"]["light"]) >= 8  # every page was audited
    assert not found, "\n".join(found)


def test_code_contrast_is_audited_once_for_each_look(browser):
    """The crawl's shortcut (site_crawl.MARK_SEEN_CODE): a code block whose every look an
    earlier page had is skipped by the colour-contrast rule, and a block with a new look is
    audited, so a pale token there is still reported."""
    page = browser.new_page()
    block = ('<div class="highlight"><pre><code><span style="color:{}">x = 1</span>'
             '</code></pre></div>')
    page.set_content(f"<main><h1>One</h1>{block.format('#ddd')}</main>")  # an earlier page
    known = page.evaluate(MARK_SEEN_CODE, [CODE, []])
    assert len(known) == 1 and page.locator("[data-contrast-seen]").count() == 0
    # this page shows that look again (pale too: axe would report it, were it audited)
    # and a new one
    page.set_content(f"<main><h1>Two</h1>{block.format('#ddd')}{block.format('#eee')}</main>")
    fresh = page.evaluate(MARK_SEEN_CODE, [CODE, known])
    assert len(fresh) == 1 and page.locator("[data-contrast-seen]").count() == 1
    page.evaluate(AXE_SCRIPT)
    page.evaluate(START_AXE, False)
    contrast = [node["html"] for violation in page.evaluate("window.axeResults")["violations"]
                if violation["id"] == "color-contrast" for node in violation["nodes"]]
    assert contrast == ['<span style="color:#eee">x = 1</span>']
    page.close()


@pytest.mark.parametrize("marked", [False, True], ids=["no code seen", "code seen"])
def test_the_dark_tab_runs_the_rules_about_colour_and_only_those(browser, marked):
    """START_AXE's colourOnly (the crawl's dark tab): a pale paragraph and a link told
    apart by colour alone are reported, an image without a text alternative is left to the
    light tab, whether or not a code block was skipped; without it, all three are reported."""
    page = browser.new_page()
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>One</h1>'
        '<p style="color:#000">Read <a href="#x" style="color:#333;text-decoration:none">'
        'this</a> first.</p><p style="color:#ddd">pale</p><img src="data:,">'
        '<div class="highlight" data-contrast-seen><pre><code>x</code></pre></div>'
        '</main></html>')
    if not marked:
        page.evaluate("document.querySelector('[data-contrast-seen]').remove()")
    page.evaluate(AXE_SCRIPT)
    found = {}
    for colour_only in (True, False):
        page.evaluate(START_AXE, colour_only)
        found[colour_only] = sorted(v["id"] for v in page.evaluate("window.axeResults")
                                    ["violations"])
    assert found[True] == ["color-contrast", "link-in-text-block"]
    assert found[False] == ["color-contrast", "image-alt", "link-in-text-block"]
    page.close()


# Transitions still running (Material fades the search results in over 0.4 s): axe measures
# text colours as they are, and text half faded in fails the contrast it has once shown.
SETTLED = """() => document.getAnimations().every(animation =>
    animation.playState !== "running"
    || animation.effect.getComputedTiming().iterations === Infinity)"""


def axe_here(page):
    page.wait_for_function(SETTLED, timeout=10_000)
    page.evaluate(AXE_SCRIPT)
    return page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_serious_or_critical_axe_violation_once_a_reader_acts(browser, site_url, scheme):
    """What only shows once a reader acts: search results (Material's dialog, with matched
    words marked, tags and code), an error explorer's cell opened, the draw demo's answer."""
    visit = Visit(browser, f"{site_url}/", scheme)
    page, found = visit.page, []
    page.click("input[data-md-component='search-query']")
    page.keyboard.type("logistic", delay=30)  # as a person types: Material reads keys
    page.wait_for_selector("li.md-search-result__item pre", state="attached", timeout=15000)
    found += blocking(f"search results ({scheme})", axe_here(page))
    page.goto(f"{site_url}/chapters/first-classifier/", wait_until="load")
    page.click(".error-explorer__cell--wrong[data-true='2'][data-predicted='3']")
    page.wait_for_selector(".error-explorer__digit")
    found += blocking(f"error explorer, a cell open ({scheme})", axe_here(page))
    page.goto(f"{site_url}/draw/", wait_until="load")
    page.wait_for_selector(".digit-draw[data-state='ready']")
    draw(page, DIGIT_STROKES[7])
    page.click(".digit-draw__predict")
    page.wait_for_selector(".digit-draw[data-state='done']")
    found += blocking(f"draw demo, answered ({scheme})", axe_here(page))
    assert not found, "\n".join(found)
    visit.close()


def figure_backdrops(audit):
    """Each frozen figure with the page colours it is shown on (in its own scheme), or,
    for one shown on no page, the colour behind the content."""
    for svg in sorted((ROOT / "outputs").glob("*/*.svg")):
        scheme = "dark" if svg.name.endswith(".dark.svg") else "light"
        assert len(audit["pages"][scheme]) == 1, audit["pages"]  # one page colour a scheme
        shown = audit["figures"][scheme].get(svg.relative_to(ROOT).as_posix())
        yield svg, scheme, sorted(shown or audit["pages"][scheme])


def figure_contrasts(audit):
    """(figure, scheme, text, ratio, the colour under the text and what the figure drew
    there, whether the text lies on backgrounds alone): each text's lowest ratio in its box."""
    for svg, scheme, page_colours in figure_backdrops(audit):
        for text in figure_texts(svg):
            for page in page_colours:
                ratio, under, drawn, plain = text.worst(page)
                yield svg.relative_to(ROOT), scheme, text, ratio, under, drawn, plain


def contrast_failures(audit, plain):
    return [f"{svg} ({scheme}) {t.group} {t.label!r}: {hex_colour(t.fill)} on "
            f"{hex_colour(under)} ({', '.join(dict.fromkeys(drawn)) or 'the page'}), "
            f"{ratio:.2f}:1"
            for svg, scheme, t, ratio, under, drawn, on_page in figure_contrasts(audit)
            if on_page == plain and ratio < AA]


def test_figure_text_on_the_page_has_aa_contrast(audit):
    """Axis labels, ticks, titles: text on the figure's own background or, where the figure
    has none (the dark copies are transparent), on the page's, in the scheme it shows in."""
    texts = [c for c in figure_contrasts(audit) if c[-1]]
    assert len({c[0] for c in texts if c[1] == "dark"}) >= 20  # the dark figures are in
    failures = contrast_failures(audit, plain=True)
    assert not failures, "\n".join(failures)


def test_figure_text_over_drawn_data_has_aa_contrast(audit):
    """Text drawn over something the figure draws: counts on a confusion matrix's cells (an
    image), a legend over bars."""
    failures = contrast_failures(audit, plain=False)
    assert not failures, "\n".join(failures)


def tab_to(page, selector, limit=150):
    """Press Tab until the focus is on selector; how many presses that took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    pytest.fail(f"{limit} presses of Tab never reached {selector}")


def focus_ring(page, selector="*:focus"):
    """The outline drawn around the focused control (or, given, around another element)."""
    return page.eval_on_selector(selector, """(e) => {
        const s = getComputedStyle(e);
        return s.outlineStyle === "none" ? "" : `${s.outlineStyle} ${s.outlineWidth}`;
    }""")


PAD_IS_BLANK = """() => {
    const pad = document.querySelector(".digit-draw__pad");
    const pixels = pad.getContext("2d").getImageData(0, 0, pad.width, pad.height).data;
    return pixels.every((v) => v === 255);
}"""


@pytest.mark.parametrize("predict_key, clear_key", [("Enter", "Space"), ("Space", "Enter")])
def test_draw_demo_buttons_work_from_the_keyboard(browser, site_url, predict_key, clear_key):
    """Predict and Clear are reached with Tab, show that they have the focus, and work with
    Enter and Space. (The drawing itself takes a mouse, pen or finger: it is a drawing.)"""
    visit = Visit(browser, f"{site_url}/draw/")
    page = visit.page
    page.wait_for_selector(".digit-draw[data-state='ready']")
    draw(page, DIGIT_STROKES[7])
    assert not page.evaluate(PAD_IS_BLANK)
    tab_to(page, ".digit-draw__predict")
    assert focus_ring(page), "Predict has the focus but shows no outline"
    page.keyboard.press(predict_key)
    page.wait_for_selector(".digit-draw[data-state='done']")
    assert "like a 7" in page.text_content(".digit-draw__answer")
    # the button keeps the focus through its busy moment, so Tab goes on from there
    assert page.evaluate("document.activeElement.matches('.digit-draw__predict')")
    assert tab_to(page, ".digit-draw__clear") == 1
    assert focus_ring(page), "Clear has the focus but shows no outline"
    page.keyboard.press(clear_key)
    assert page.evaluate(PAD_IS_BLANK)
    assert page.text_content(".digit-draw__answer") == "Draw a digit, then press Predict."
    assert page.get_attribute(".digit-draw", "data-digit") == ""
    assert not visit.errors, visit.errors
    visit.close()


def test_palette_toggle_works_from_the_keyboard(browser, site_url):
    """Material's toggle is two radio buttons shown as one icon button: Tab reaches the
    current one, its icon shows the focus, and Enter or Space switches the scheme."""
    visit = Visit(browser, f"{site_url}/draw/")
    page = visit.page
    scheme = "document.body.dataset.mdColorScheme"
    assert page.evaluate(scheme) == "default"
    tab_to(page, "form[data-md-component='palette'] input.md-option")
    for key, then in [("Enter", "slate"), ("Space", "default"), ("Space", "slate"),
                      ("Enter", "default")]:
        assert focus_ring(page, "input.md-option:focus + label"), "the toggle shows no focus"
        page.keyboard.press(key)
        page.wait_for_function(f"{scheme} === '{then}'", timeout=5000)
    assert not visit.errors, visit.errors
    visit.close()


def test_search_override_is_materials_partial_with_a_name():
    """overrides/partials/search.html is Material's own partial plus the dialog's name, so an
    upgrade of Material that changes the partial shows here, not as a broken search."""
    import material

    theirs = (Path(material.__file__).parent / "templates/partials/search.html").read_text()
    ours = (ROOT / "overrides/partials/search.html").read_text()
    dialog = '<div class="md-search" data-md-component="search" role="dialog">'
    named = dialog[:-1] + " aria-label=\"{{ lang.t('search') }}\">"
    assert ours.split("-#}\n", 1)[1] == theirs.split("-#}\n", 1)[1].replace(dialog, named)
