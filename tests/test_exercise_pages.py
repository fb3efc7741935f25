"""The exercise pages in Chromium: try first, then open the solution.

On every exercise page each exercise's statement is visible, and its solution (the code cell,
what it printed and drew, and the "What it shows." text after it) is hidden until the reader
opens "Solution to exercise N", by a click or by Enter on the focused summary. The exercises
are read here from the scripts (their "## Exercise N:" text cells and the section each one
comes before), not from the hook that folds them (hooks/exercise_solutions.py), so a page
that shows a solution in the open fails. A screenshot of a collapsed solution above an opened
one goes to test-artifacts/exercise-collapsed.png.
"""

import re

import pytest

from site_support import PROJECT, ROOT
from course import exercise_sets
from snippet_engine import markdown_cells
from test_browser import Visit

SCREENSHOT = ROOT / "test-artifacts" / "exercise-collapsed.png"
SHOWS = "What it shows."


def exercises(name: str) -> list[tuple[int, str]]:
    """(number, the section that solves it) of an exercise set, in the script's order."""
    found = []
    for section, texts in markdown_cells(PROJECT.script(name)).items():
        for text in texts:
            heading = re.match(r"## Exercise (\d+):", text)
            if heading:
                found.append((int(heading[1]), section))
    return found


def solution_parts(page, section: str, shows_index: int) -> dict:
    """Locators of what a solution holds: its code cell, each output, its light figures
    (the page is in light mode) and the "What it shows." text cell after it."""
    cell = page.locator(f'[id="cell-id={section}"]')
    assert cell.count() == 1, f"no code cell for section {section}"
    outputs = cell.locator(".jp-OutputArea-output")
    figures = cell.locator("img[src*='#only-light']")
    shows = page.locator(".jp-MarkdownCell").filter(has_text=SHOWS)
    parts = {"code": cell.locator(".jp-InputArea")}
    parts |= {f"output {i + 1}": outputs.nth(i) for i in range(outputs.count())}
    parts |= {f"figure {i + 1}": figures.nth(i) for i in range(figures.count())}
    parts[f'"{SHOWS}"'] = shows.nth(shows_index)
    return parts


def summary_of(page, number: int):
    return page.locator("summary").filter(
        has_text=re.compile(rf"^\s*Solution to exercise {number}\s*$"))


def test_every_solution_starts_collapsed_and_opens(browser, site_url):
    expected = {name: exercises(name) for name in exercise_sets(PROJECT)}
    total = sum(len(found) for found in expected.values())
    assert total == 17, f"the scripts state {total} exercises, the course has 17"
    collapsed, outputs_seen, figures_seen = 0, 0, 0
    for name, found in expected.items():
        visit = Visit(browser, f"{site_url}/exercises/{name}/")
        page = visit.page
        page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        page.wait_for_load_state("networkidle")
        shows = page.locator(".jp-MarkdownCell").filter(has_text=SHOWS)
        assert shows.count() == len(found), f"{name}: one \"{SHOWS}\" per exercise"
        # the solutions (the "Run these exercises yourself" box, class info, is not one)
        closed = page.locator("details:not([open]):not(.info) > summary")
        assert closed.count() == len(found), f"{name}: {closed.count()} collapsed solutions"
        collapsed += closed.count()

        # Before any is opened: every statement visible, every solution hidden.
        for index, (number, section) in enumerate(found):
            heading = page.locator(".jp-Notebook h2").filter(
                has_text=re.compile(rf"^\s*Exercise {number}:"))
            assert heading.count() == 1 and heading.is_visible(), \
                f"{name}: the statement of exercise {number} is not visible"
            statement = page.locator(f'[id^="cell-id={section}-text"]').filter(
                has_text=re.compile(rf"Exercise {number}:"))
            assert statement.count() == 1 and statement.is_visible()
            assert summary_of(page, number).count() == 1, \
                f"{name}: no summary 'Solution to exercise {number}'"
            assert summary_of(page, number).is_visible()
            for what, part in solution_parts(page, section, index).items():
                assert part.is_hidden(), \
                    f"{name}: exercise {number}'s {what} shows before it is opened"

        # Open each, by a click or (every other one) by Enter on the focused summary.
        for index, (number, section) in enumerate(found):
            summary = summary_of(page, number)
            if index % 2:
                summary.focus()
                page.keyboard.press("Enter")
            else:
                summary.click()
            parts = solution_parts(page, section, index)
            for what, part in parts.items():
                part.wait_for(state="visible", timeout=5000)
                assert part.is_visible(), f"{name}: exercise {number}'s {what} stays hidden"
            outputs_seen += sum(what.startswith("output") for what in parts)
            figures_seen += sum(what.startswith("figure") for what in parts)
            if index + 1 < len(found):  # the next solution is still closed
                later = solution_parts(page, found[index + 1][1], index + 1)
                assert later["code"].is_hidden()
        visit.close()
    assert collapsed == total
    assert outputs_seen >= total and figures_seen >= 6  # the checks saw real outputs


def test_screenshot_of_a_collapsed_and_an_opened_solution(browser, site_url):
    name = exercise_sets(PROJECT)[0]
    (first, _), (second, _) = exercises(name)[:2]
    visit = Visit(browser, f"{site_url}/exercises/{name}/")
    page = visit.page
    page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    summary_of(page, second).click()
    page.wait_for_load_state("networkidle")
    opened = page.locator("details[open]")
    assert opened.count() == 1
    assert opened.locator("summary").inner_text().strip() == f"Solution to exercise {second}"
    page_y = "e => [e.getBoundingClientRect().top + scrollY, " \
             "e.getBoundingClientRect().bottom + scrollY]"
    top, _ = summary_of(page, first).evaluate(page_y)
    _, bottom = opened.evaluate(page_y)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True, clip={
        "x": 0, "y": top - 60, "width": page.viewport_size["width"],
        "height": bottom - top + 80})
    assert SCREENSHOT.stat().st_size > 20_000
    visit.close()


def cells(*specs: str) -> str:
    """A rendered notebook of text ("md:...") and code ("code:id") cells, as mkdocs-jupyter
    writes it."""
    html = []
    for spec in specs:
        kind, text = spec.split(":", 1)
        if kind == "code":
            html.append(f'<div class="jp-Cell jp-CodeCell"><div class="jp-Cell jp-CodeCell" '
                        f'id="cell-id={text}"><pre>code</pre></div></div>')
        else:
            html.append(f'<div class="jp-Cell jp-MarkdownCell" id="cell-id={len(html)}">'
                        f"{text}</div>")
    return f'<div class="jupyter-wrapper"><div class="jp-Notebook">{"".join(html)}</div></div>'


def test_the_hook_folds_each_solution_and_stops_on_cells_out_of_place():
    from exercise_solutions import collapse_solutions

    statement = "md:<h2>Exercise 3: a thing</h2><p>Do it.</p>"
    shows = "md:<p><strong>What it shows.</strong> It works.</p>"
    html = collapse_solutions(cells("md:<h1>Title</h1>", statement, "code:ex03", shows,
                                    "md:<p>More on why.</p>"), [3])
    assert re.search(r'<details class="success exercise-solution"><summary>Solution to '
                     r'exercise 3</summary><div class="jp-Cell jp-CodeCell">.*What it shows'
                     r".*More on why.*</details></div></div>$", html)
    assert html.index("Do it.") < html.index("<details")
    with pytest.raises(ValueError, match='exercise 3 .*followed by a text cell starting '
                                         r'"\*\*What it shows'):
        collapse_solutions(cells(statement, "code:ex03", "md:<p>No comment.</p>"), [3])
    with pytest.raises(ValueError, match="exercise 3 .*: no code cell"):
        collapse_solutions(cells(statement, shows), [3])
    with pytest.raises(ValueError, match=r"states exercises \[3\], its script \[3, 4\]"):
        collapse_solutions(cells(statement, "code:ex03", shows), [3, 4])
