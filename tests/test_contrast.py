"""snippets/contrast.py: black or white, whichever reads better, always reaches WCAG AA."""

import matplotlib
import numpy as np
import pytest

from contrast import ink_on, luminance


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_luminance_runs_from_black_to_white():
    assert luminance("black") == 0 and luminance("white") == pytest.approx(1)
    assert luminance("#777777") == pytest.approx(0.184, abs=1e-3)  # WCAG's worked value


@pytest.mark.parametrize("cmap", ["Blues", "Oranges", "Reds", "viridis", "gray"])
def test_the_chosen_ink_reaches_4_5_to_1_on_every_colour_of_a_map(cmap):
    colours = matplotlib.colormaps[cmap](np.linspace(0, 1, 257))
    worst = min(contrast(ink_on(c), c) for c in colours)
    assert worst >= 4.5, f"{cmap}: {worst:.2f} : 1"


def test_dark_cells_get_white_and_light_cells_black():
    assert ink_on("#08306b") == "white" and ink_on("#f7fbff") == "black"
