"""The error explorer under the 10 x 10 confusion matrix of *A first classifier*, in Chromium:
choosing a cell (a click, or Enter on the focused cell) shows that cell's digits, as the
chapter's frozen outputs hold them, in the light and the dark palette.

What the page must show is read here from the manifest (outputs/first-classifier/), not
from the page's own JSON, so that a script that drew another cell, another image or the
right image wrongly fails. Screenshots of the explorer go to test-artifacts/.
"""

import base64
import time
import zlib

import numpy as np

from site_support import PROJECT, ROOT
from snippet_engine import read_manifest
from test_browser import Visit

CHAPTER = "first-classifier"
SHOWN = 12  # images kept per cell
SCREENSHOT = ROOT / "test-artifacts" / "error-explorer.png"
SCREENSHOT_DARK = ROOT / "test-artifacts" / "error-explorer-dark.png"


def frozen_cells() -> dict:
    """(true, predicted) -> the cell's row of the chapter's ``error_cells`` table."""
    manifest = read_manifest(CHAPTER, PROJECT)
    table = next(s["values"]["error_cells"]["table"] for s in manifest["sections"]
                 if "error_cells" in s["values"])
    cells = {}
    for row in table["rows"]:
        cell = dict(zip(table["columns"], row))
        cell["images"] = [cell[f"image {k}"] for k in range(1, SHOWN + 1)
                          if cell[f"image {k}"]]
        cells[cell["true"], cell["predicted"]] = cell
    return cells


def greys(encoded: str) -> np.ndarray:
    """A stored image, 784 greys 0-7, as the opacities 0-255 the page draws it with."""
    levels = np.frombuffer(zlib.decompress(base64.b64decode(encoded)), np.uint8)
    return np.round(levels.astype(float) * 255 / 7).astype(np.uint8)


STATE = """() => {
    const root = document.querySelector('.error-explorer');
    const canvases = [...root.querySelectorAll('.error-explorer__digits canvas')];
    const pixels = c => [...c.getContext('2d').getImageData(0, 0, 28, 28).data];
    return {
        heading: root.querySelector('.error-explorer__heading').textContent,
        pressed: [...root.querySelectorAll('button[aria-pressed="true"]')]
            .map(b => [Number(b.dataset.true), Number(b.dataset.predicted)]),
        focused: document.activeElement.matches('.error-explorer__cell')
            ? [Number(document.activeElement.dataset.true),
               Number(document.activeElement.dataset.predicted)] : null,
        labels: canvases.map(c => c.getAttribute('aria-label')),
        sizes: canvases.map(c => [c.width, c.height, c.clientWidth]),
        first: canvases.length ? pixels(canvases[0]) : null,
    };
}"""


def heading_of(cell) -> str:
    count = cell["count"]
    return (f"True {cell['true']}, read as {cell['predicted']}: "
            f"{count:,} test image{'' if count == 1 else 's'}")


def shows(page, cell, dark: bool) -> dict:
    """Wait (up to 10 s: the digits are decompressed asynchronously) until the explorer
    shows ``cell``, then check all of it against the frozen outputs."""
    expected = heading_of(cell)
    want = min(cell["count"], SHOWN)
    indices = [int(i) for i in cell["test indices"].split()]
    labels = [f"test image {i}, a {cell['true']} read as {cell['predicted']}"
              for i in indices]
    deadline = time.monotonic() + 10
    while True:
        state = page.evaluate(STATE)
        if (state["heading"] == expected and state["labels"] == labels
                and (want == 0 or ink_is(state, dark))) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    where = (cell["true"], cell["predicted"])
    assert state["heading"] == expected, (where, state["heading"])
    assert state["pressed"] == [list(where)], state["pressed"]
    assert len(state["labels"]) == want, (where, state["labels"])
    assert state["labels"] == labels, state["labels"]
    assert all(w == h == 28 and shown_px > 28 for w, h, shown_px in state["sizes"])
    if want:
        rgba = np.array(state["first"], np.uint8).reshape(784, 4)
        stored = greys(cell["images"][0])
        differ = np.flatnonzero(rgba[:, 3] != stored)
        assert not len(differ), (f"the first canvas of {where} is not the stored image of "
                                 f"that cell: {len(differ)} pixels differ, drawn/stored "
                                 f"{list(zip(rgba[differ, 3], stored[differ]))[:8]}")
        assert ink_is(state, dark), rgba[rgba[:, 3] == 255][:3]
    return state


def ink_is(state, dark: bool) -> bool:
    """Fully inked pixels are in the palette's text colour: light on slate, dark on white."""
    rgba = np.array(state["first"], np.uint8).reshape(784, 4)
    ink = rgba[rgba[:, 3] == 255][:, :3].astype(int)
    return len(ink) > 0 and bool(((ink.mean(axis=1) > 180) if dark
                                  else (ink.mean(axis=1) < 60)).all())


def test_stored_cells_are_the_confusion_matrix_and_hold_its_test_images():
    """The frozen table has one row per cell, counts that add up to the test set, and
    the first twelve images of each cell, in test order, in 8 greys."""
    from mnist_data import load_mnist_784
    from sklearn.model_selection import train_test_split

    cells = frozen_cells()
    assert sorted(cells) == [(t, p) for t in range(10) for p in range(10)]
    X, y = load_mnist_784()
    _, X_test, _, y_test = train_test_split(X, y.astype(np.uint8), test_size=0.2,
                                            random_state=42)
    assert sum(c["count"] for c in cells.values()) == len(y_test)
    for t in range(10):
        assert sum(cells[t, p]["count"] for p in range(10)) == (y_test == t).sum()
    for (t, p), cell in cells.items():
        indices = [int(i) for i in cell["test indices"].split()]
        assert len(indices) == len(cell["images"]) == min(cell["count"], SHOWN)
        assert indices == sorted(indices) and (y_test[indices] == t).all(), (t, p)
        for i, image in zip(indices, cell["images"]):
            levels = np.frombuffer(zlib.decompress(base64.b64decode(image)), np.uint8)
            assert np.array_equal(levels, X_test[i] // 32), (t, p, i)


def test_choosing_a_cell_shows_its_digits_by_mouse_and_keyboard_in_both_palettes(
        browser, site_url):  # noqa: F811
    cells = frozen_cells()
    wrong = {k: c for k, c in cells.items() if k[0] != k[1] and c["count"]}
    most = max(wrong, key=lambda k: wrong[k]["count"])  # more than twelve: first twelve
    few = next(k for k in sorted(wrong) if wrong[k]["count"] < SHOWN)  # all of them
    visit = Visit(browser, f"{site_url}/chapters/{CHAPTER}/")
    page = visit.page
    assert page.locator(".error-explorer__cell").count() == 100
    label = page.get_attribute(f'.error-explorer__cell[data-true="{most[0]}"]'
                               f'[data-predicted="{most[1]}"]', "aria-label")
    assert label == f"true {most[0]}, read as {most[1]}: {cells[most]['count']:,} images"

    # A click.
    page.click(f'.error-explorer__cell[data-true="{most[0]}"][data-predicted="{most[1]}"]')
    assert cells[most]["count"] > SHOWN
    shows(page, cells[most], dark=False)

    # The keyboard: Tab to the next cell in reading order, then Enter.
    following = (most[0], most[1] + 1) if most[1] < 9 else (most[0] + 1, 0)
    page.keyboard.press("Tab")
    assert page.evaluate(STATE)["focused"] == list(following)
    page.keyboard.press("Enter")
    shows(page, cells[following], dark=False)
    page.focus(f'.error-explorer__cell[data-true="{few[0]}"][data-predicted="{few[1]}"]')
    page.keyboard.press("Enter")
    shows(page, cells[few], dark=False)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator(".error-explorer").screenshot(path=str(SCREENSHOT))

    # The dark palette: the digits on display are redrawn in its ink, and a click works.
    page.click("label[title='Switch to dark mode']")
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    shows(page, cells[few], dark=True)
    page.click(f'.error-explorer__cell[data-true="{most[0]}"][data-predicted="{most[1]}"]')
    shows(page, cells[most], dark=True)
    page.locator(".error-explorer").screenshot(path=str(SCREENSHOT_DARK))

    assert not visit.errors, visit.errors
    assert all(r.startswith(site_url) or r.startswith(("data:", "blob:"))
               for r in visit.requests), visit.requests
    visit.close()
