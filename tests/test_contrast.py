"""tests/contrast.py: WCAG 2's luminance, and the light colour maps the chapters draw
confusion matrices with, under black counts."""

import matplotlib
import numpy as np
import pytest

from contrast import luminance


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_luminance_runs_from_black_to_white():
    assert luminance("black") == 0 and luminance("white") == pytest.approx(1)
    assert luminance("#777777") == pytest.approx(0.184, abs=1e-3)  # WCAG's worked value


@pytest.mark.parametrize("cmap", ["Blues", "Oranges", "Reds"])
def test_black_reads_at_4_5_to_1_on_the_lighter_60_percent_of_the_chapters_maps(cmap):
    """The chapters draw with np.linspace(0, 0.6, 256) of these maps and write black on it;
    the whole map would not do (its dark end is below 4.5 : 1 under black)."""
    light = matplotlib.colormaps[cmap](np.linspace(0, 0.6, 256))
    assert min(contrast("black", c) for c in light) >= 4.5, cmap
    assert contrast("black", matplotlib.colormaps[cmap](1.0)) < 4.5, cmap
