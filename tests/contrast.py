"""WCAG 2's relative luminance, with which the tests measure the contrast of text in the
frozen figures (``svg_contrast.py``)."""

from matplotlib.colors import to_rgb


def luminance(color):
    """WCAG's relative luminance: 0 for black, 1 for white."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in to_rgb(color)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
