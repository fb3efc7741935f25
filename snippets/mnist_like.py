"""Turn a drawing into the 28 x 28 input a network trained on MNIST expects.

MNIST was made from scanned digits this way (LeCun, Cortes and Burges): each
digit was scaled to fit a 20 x 20 box, keeping its aspect ratio, with
anti-aliased grey levels, then placed in a 28 x 28 field so that its centre of
mass sits at the field's centre. A drawing gets the same treatment here:

1. crop to the bounding box of the ink (every pixel with any ink);
2. scale so that the longer side is 20 pixels, averaging the area each new
   pixel covers;
3. shift into 28 x 28 so that the centre of mass lands on pixel (14, 14),
   rounded to whole pixels (MNIST's own digits have theirs there, measured in
   pixel indices).

``docs/javascripts/draw/mnist_like.js`` is the same code in JavaScript for the
in-page demo. Both add the same numbers in the same order, so both give the
same image to the last bit: keep them in step.
"""

import math

import numpy as np

FIELD = 28  # the side of an MNIST image
BOX = 20  # the side of the box the digit is scaled into
CENTRE = 14  # where the centre of mass goes, in pixel indices
MAX_SIDE = 4096  # a larger drawing is a mistake, and would be slow


class DrawingError(ValueError):
    """The drawing cannot be turned into an MNIST-like image; the message says
    why."""


class EmptyDrawingError(DrawingError):
    """There is no ink at all."""


def ink_from_rgba(rgba):
    """Ink in [0, 1] (0 paper, 1 black ink) of an RGBA image of dark ink on
    light paper.

    Grey is Pillow's luma, ``L = (19595 R + 38470 G + 7471 B + 32768) >> 16``,
    so a PNG read by Pillow and a canvas read by JavaScript give equal numbers;
    a transparent pixel counts as paper (white under it), so only its opaque
    part inks.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise DrawingError(
            "expected an RGBA image of shape (height, width, 4), "
            f"got {rgba.shape}")
    if rgba.dtype != np.uint8:
        raise DrawingError(
            f"expected 8-bit RGBA values (uint8), got {rgba.dtype}")
    r, g, b, a = (rgba[..., i].astype(np.int64) for i in range(4))
    grey = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16
    return (255 - grey) * a / 65025


def to_mnist_like(ink):
    """The 28 x 28 float32 image, grey levels in [0, 1], of a drawing given as
    ink in [0, 1]."""
    ink = _checked(ink)
    rows = np.flatnonzero((ink > 0).any(axis=1))
    cols = np.flatnonzero((ink > 0).any(axis=0))
    if rows.size == 0:
        raise EmptyDrawingError("the drawing is empty: it has no ink")
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]

    height, width = crop.shape
    scale = BOX / max(height, width)
    new_height = max(1, _round(height * scale))
    new_width = max(1, _round(width * scale))
    small = _resample_columns(_resample_rows(crop, new_height), new_width)
    # weights summing to 1 can round a full pixel just above 1
    small = np.minimum(small, 1.0)

    ys, xs = np.indices(small.shape)
    mass = _sum(small)
    top = _place(CENTRE - _sum(ys * small) / mass, new_height)
    left = _place(CENTRE - _sum(xs * small) / mass, new_width)
    image = np.zeros((FIELD, FIELD), dtype=np.float32)
    image[top:top + new_height, left:left + new_width] = small
    return image


def _checked(ink):
    ink = np.asarray(ink)
    if ink.ndim != 2:
        raise DrawingError(
            "expected one grey image of shape (height, width), "
            f"got {ink.shape}")
    if min(ink.shape) < 1 or max(ink.shape) > MAX_SIDE:
        raise DrawingError(
            f"expected each side between 1 and {MAX_SIDE} pixels, "
            f"got {ink.shape}")
    if (not np.issubdtype(ink.dtype, np.number)
            or np.issubdtype(ink.dtype, np.complexfloating)):
        raise DrawingError(f"expected real numbers, got {ink.dtype}")
    ink = ink.astype(np.float64)
    if not np.isfinite(ink).all():
        raise DrawingError(
            "the drawing has values that are not finite (NaN or infinity)")
    if ink.min() < 0 or ink.max() > 1:
        raise DrawingError(
            f"ink must be in [0, 1], got values from {ink.min()} to "
            f"{ink.max()}; for 0-255 grey levels of white ink on black, "
            "divide by 255")
    return ink


def _round(x):
    # halves up, as JavaScript's Math.round (Python's round is even)
    return math.floor(x + 0.5)


def _place(offset, size):
    """The first row (or column) of the digit: centred by mass, but never cut
    off."""
    return min(max(_round(offset), 0), FIELD - size)


def _area_weights(new_size, size):
    """weights[i, j]: the share of old pixel j in new pixel i (overlap / new
    pixel's width)."""
    step = size / new_size
    weights = np.zeros((new_size, size))
    for i in range(new_size):
        start, end = i * size / new_size, (i + 1) * size / new_size
        for j in range(math.floor(start), min(math.ceil(end), size)):
            weights[i, j] = (min(end, j + 1) - max(start, j)) / step
    return weights


# The two passes add one old row (or column) at a time, in order, as the
# JavaScript loops do: a matrix product would add in another order and round
# differently in the last bit.
def _resample_rows(image, new_height):
    weights = _area_weights(new_height, image.shape[0])
    out = np.zeros((new_height, image.shape[1]))
    for j in range(image.shape[0]):
        out += weights[:, j:j + 1] * image[j]
    return out


def _resample_columns(image, new_width):
    return _resample_rows(image.T, new_width).T


def _sum(values):
    """The sum of every value, left to right in row-major order, as a
    JavaScript loop adds."""
    # not np.sum, which adds pairwise
    return float(np.cumsum(values, dtype=np.float64)[-1])
