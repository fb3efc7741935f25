"""Figures as SVG: stable bytes, and a second copy recoloured for the dark palette.

Matplotlib's SVG carries a date and ids derived from object addresses; both are removed so
that two runs write identical files (with ``svg.hashsalt`` set by the worker). The dark copy
turns greys (text, axes, edges) light and white backgrounds transparent; data colours and
images stay as drawn.
"""

from __future__ import annotations

import io
import re


def svg_pair(figure) -> tuple[bytes, bytes]:
    light = svg(figure)
    darken(figure)
    return light, svg(figure)


def svg(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return stable_ids(buffer.getvalue().decode()).encode()


def stable_ids(text: str) -> str:
    """Number the element ids in order of appearance: some depend on object addresses."""
    ids = re.findall(r'\bid="([^"]+)"', text)
    hashed = [i for i in dict.fromkeys(ids) if re.fullmatch(r"[a-z]+[0-9a-f]{10}", i)]
    mapping = {old: f"{re.match('[a-z]+', old)[0]}{n}" for n, old in enumerate(hashed)}
    if not mapping:
        return text
    pattern = re.compile(r'(?<=["#])(' + "|".join(map(re.escape, mapping)) + r')(?=[")])')
    return pattern.sub(lambda m: mapping[m[1]], text)


DARK_INK = "#d5d8e2"  # reads well on Material's slate background


def darken(figure) -> None:
    """Recolour a drawn figure for the dark palette; data colours and images stay as they are."""
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    def grey(color, below=0.35, above=None):
        r, g, b, a = to_rgba(color)
        if a == 0 or max(r, g, b) - min(r, g, b) > 0.15:
            return False
        level = 0.299 * r + 0.587 * g + 0.114 * b
        return level > above if above is not None else level < below

    # Texts drawn on top of images (counts on a confusion matrix) keep their contrast colour.
    on_images = {id(t) for ax in figure.axes if ax.images for t in ax.texts}
    figure.patch.set_facecolor("none")
    for artist in figure.findobj():
        if isinstance(artist, Text) and id(artist) not in on_images and grey(artist.get_color()):
            artist.set_color(DARK_INK)
        elif isinstance(artist, Line2D):
            if grey(artist.get_color()):
                artist.set_color(DARK_INK)
            if grey(artist.get_markeredgecolor()):
                artist.set_markeredgecolor(DARK_INK)
        elif isinstance(artist, Patch) and artist is not figure.patch:
            if grey(artist.get_facecolor(), above=0.9):
                artist.set_facecolor("none")
            if grey(artist.get_edgecolor()):
                artist.set_edgecolor(DARK_INK)
        elif isinstance(artist, Collection) and artist.get_array() is None:
            edges = artist.get_edgecolor()
            if len(edges) and all(grey(c) for c in edges):
                artist.set_edgecolor(DARK_INK)
            faces = artist.get_facecolor()
            if len(faces) and all(grey(c) for c in faces):
                artist.set_facecolor(DARK_INK)
    for ax in figure.axes:
        if grey(ax.get_facecolor(), above=0.9):
            ax.set_facecolor("none")
