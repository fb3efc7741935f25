"""Text that stays readable on whatever colour it is drawn over.

scikit-learn's ``ConfusionMatrixDisplay`` writes each count in one of the two
end colours of the colour map, switching halfway up the scale: a count just
past halfway is near-white on a mid-blue cell, hard to read. Black or white,
whichever contrasts more with the cell, always reaches the 4.5 : 1 that the
Web Content Accessibility Guidelines (WCAG 2) ask of text.
"""

from matplotlib.colors import to_rgb


def luminance(color):
    """WCAG's relative luminance: 0 for black, 1 for white."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in to_rgb(color)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink_on(color):
    """Black or white: whichever reads better on ``color``."""
    lum = luminance(color)
    # contrast with white, 1.05 / (lum + 0.05), against contrast with black,
    # (lum + 0.05) / 0.05
    return "black" if (lum + 0.05) ** 2 > 1.05 * 0.05 else "white"


def readable_counts(display):
    """Recolour the counts of a plotted ``ConfusionMatrixDisplay``, each for
    the colour of its own cell."""
    image = display.im_
    for text, count in zip(display.text_.ravel(),
                           display.confusion_matrix.ravel()):
        text.set_color(ink_on(image.cmap(image.norm(count))))
