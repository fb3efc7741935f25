"""The contrast of the text in the frozen figures (outputs/*/*.svg), which axe-core cannot see
inside an <img>.

Matplotlib draws each text as a group `text_N` of glyphs (`<use>` of a glyph path) filled
with the group's inherited fill (SVG's default, black, where none is set). What lies under a
text is found at a few points inside its box, by compositing what the SVG draws before it
there: filled paths (each clipped to its clip rectangle) and embedded images (their pixels).
What is not covered by anything is the page the figure sits on.
"""

from __future__ import annotations

import base64
import io
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from PIL import Image

from contrast import luminance  # tests/contrast.py: WCAG 2's relative luminance

SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"
# A glyph's box from its origin, in the units of matplotlib's `scale(s -s)` glyph frame (100
# units an em): a digit's advance is about 64 and its height 73 (DejaVu Sans).
GLYPH_BOX = (60, 73)
# Where, as fractions of a text's box, what lies under the text is sampled.
SAMPLES = [(fx, fy) for fx in (0.1, 0.3, 0.5, 0.7, 0.9) for fy in (0.2, 0.5, 0.8)]

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def rgb(colour: str) -> tuple[float, float, float]:
    """'#rrggbb' or 'rgb(r, g, b)' as three numbers from 0 to 255."""
    if colour.startswith("#") and len(colour) == 7:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    numbers = re.findall(r"[\d.]+", colour)
    assert colour.startswith("rgb") and len(numbers) == 3, f"not an opaque colour: {colour}"
    return tuple(float(n) for n in numbers)


def hex_colour(colour) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in colour)


def contrast(a, b) -> float:
    """WCAG 2's contrast ratio of two opaque colours given from 0 to 255 (the luminance is
    WCAG 2 defines, tests/contrast.py)."""
    def relative(colour):
        return luminance(tuple(min(max(c / 255, 0.0), 1.0) for c in colour))
    high, low = sorted((relative(a), relative(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(top, alpha, under):
    return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top, under))


def compose(m: Matrix, t: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = t
    return (a * A + c * B, b * A + d * B, a * C + c * D, b * C + d * D,
            a * E + c * F + e, b * E + d * F + f)


def invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    A, B, C, D = d / det, -b / det, -c / det, a / det
    return (A, B, C, D, -(A * e + C * f), -(B * e + D * f))


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def parse_transform(text: str | None) -> Matrix:
    m = IDENTITY
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", text or ""):
        v = [float(a) for a in re.split(r"[\s,]+", args.strip())]
        if name == "translate":
            t = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale":
            t = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate" and len(v) == 1:
            r = math.radians(v[0])
            t = (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0, 0)
        elif name == "matrix":
            t = tuple(v)
        else:
            raise ValueError(f"transform {name}({args}) is not handled")
        m = compose(m, t)
    return m


def style(element) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in (element.get("style") or "").split(";") if ":" in item)
    return {k.strip(): v.strip() for k, v in pairs}


@dataclass
class Layer:
    """Something drawn that can lie under a text: a filled path or an image."""
    name: str  # its group's id (patch_3), or "image in axes_1"
    background: bool  # the figure's own background rectangle, or an axes'
    colour_at: object  # (x, y) -> (rgb, alpha), or None where it does not cover the point


@dataclass
class Text:
    group: str  # text_N
    label: str  # the text itself (matplotlib writes it in a comment)
    fill: tuple = (0, 0, 0)
    alpha: float = 1.0
    box: tuple | None = None  # x0, y0, x1, y1 in the SVG's user units
    under: list = field(default_factory=list)  # the layers drawn before it

    def points(self):
        x0, y0, x1, y1 = self.box
        return [(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)) for fx, fy in SAMPLES]

    def backdrops(self, page) -> list[tuple[tuple, list[str]]]:
        """At each sample point: the colour under the text, and what the figure drew there
        besides its own backgrounds (nothing: the text is on the page)."""
        found = []
        for x, y in self.points():
            colour, drawn = rgb(page), []
            for layer in self.under:
                hit = layer.colour_at(x, y)
                if hit:
                    colour = over(hit[0], hit[1], colour)
                    drawn += [] if layer.background else [layer.name]
            found.append((colour, drawn))
        return found

    def worst(self, page) -> tuple[float, tuple, list[str], bool]:
        """The text's lowest contrast with what is under it: the ratio, the colour and what
        was drawn there, and whether the whole text lies on backgrounds alone."""
        backdrops = self.backdrops(page)
        plain = not any(drawn for _, drawn in backdrops)
        ratio, colour, drawn = min((contrast(over(self.fill, self.alpha, c), c), c, d)
                                   for c, d in backdrops)
        return ratio, colour, drawn, plain


def polygon_test(rings, clip):
    """Even-odd inside test for a path's vertices (curves by their control points)."""
    edges = [edge for ring in rings for edge in zip(ring, ring[1:] + ring[:1])]

    def inside(x, y):
        if clip and not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]):
            return False
        hit = False
        for (x0, y0), (x1, y1) in edges:
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                hit = not hit
        return hit
    return inside


def path_rings(d: str, m: Matrix):
    rings, ring = [], []
    for command, args in re.findall(r"([MLQCZz])([^MLQCZz]*)", d):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+(?:e-?\d+)?", args)]
        if command == "M" and ring:
            rings.append(ring)
            ring = []
        ring += [apply(m, numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
    if ring:
        rings.append(ring)
    return rings


def clip_box(element, clips, m: Matrix):
    found = re.search(r"url\(#([^)]+)\)", element.get("clip-path") or "")
    if not found:
        return None
    x0, y0, x1, y1 = clips[found[1]]
    xs, ys = zip(*(apply(m, x, y) for x in (x0, x1) for y in (y0, y1)))
    return min(xs), min(ys), max(xs), max(ys)


def figure_texts(path) -> list[Text]:
    """Every text of an SVG figure, with the layers drawn before it."""
    # with comments: matplotlib writes each text's string in one
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.parse(path, parser).getroot()
    clips = {}
    for clip in root.iter(f"{SVG}clipPath"):
        rect = clip.find(f"{SVG}rect")
        x, y = float(rect.get("x")), float(rect.get("y"))
        clips[clip.get("id")] = (x, y, x + float(rect.get("width")),
                                 y + float(rect.get("height")))
    layers, texts, backgrounds = [], [], set()

    def walk(element, m, fill, alpha, fill_alpha, clip, group, text):
        tag = element.tag.removeprefix(SVG) if isinstance(element.tag, str) else ""
        if tag in ("", "defs", "clipPath", "metadata", "style"):
            return
        m = compose(m, parse_transform(element.get("transform")))
        s = style(element)
        fill = s.get("fill", element.get("fill", fill))
        alpha *= float(s.get("opacity", 1))
        fill_alpha = float(s.get("fill-opacity", fill_alpha))
        own = clip_box(element, clips, m)  # a group's clip holds for all it draws
        if own and clip:
            own = (max(own[0], clip[0]), max(own[1], clip[1]),
                   min(own[2], clip[2]), min(own[3], clip[3]))
        clip = own or clip
        if tag == "g" and element.get("id"):
            group = element.get("id")
            # matplotlib draws a figure's background, and each axes', first in its group
            first = element[0] if len(element) else None
            if group.startswith(("figure_", "axes_")) and first is not None \
                    and (first.get("id") or "").startswith("patch_"):
                backgrounds.add(first.get("id"))
            if group.startswith("text_"):
                label = next((c.text.strip() for c in element if c.tag is ET.Comment), "")
                text = Text(group, label, under=list(layers))
                texts.append(text)
        if tag == "use" and text is not None:
            text.fill = rgb("#000000" if fill is None else fill)
            text.alpha = alpha * fill_alpha
            xs, ys = zip(*(apply(m, x, y) for x in (0, GLYPH_BOX[0]) for y in (0, GLYPH_BOX[1])))
            old = text.box or (min(xs), min(ys), max(xs), max(ys))
            text.box = (min(old[0], *xs), min(old[1], *ys), max(old[2], *xs), max(old[3], *ys))
        if tag == "path" and text is None and fill != "none":
            inside = polygon_test(path_rings(element.get("d"), m), clip)
            colour, a = rgb("#000000" if fill is None else fill), alpha * fill_alpha
            layers.append(Layer(group, group in backgrounds,
                                lambda x, y, i=inside, c=colour, a=a: (c, a) if i(x, y) else None))
        if tag == "image":
            layers.append(image_layer(element, m, clip, f"image in {group}"))
        for child in element:
            walk(child, m, fill, alpha, fill_alpha, clip, group, text)

    walk(root, IDENTITY, None, 1.0, 1.0, None, "", None)
    return [t for t in texts if t.box]


def image_layer(element, m: Matrix, clip, name) -> Layer:
    data = base64.b64decode(element.get(HREF).split(",", 1)[1])
    png = Image.open(io.BytesIO(data)).convert("RGBA")
    x, y, w, h = (float(element.get(k)) for k in ("x", "y", "width", "height"))
    to_image = invert(m)

    def colour_at(px, py):
        if clip and not (clip[0] <= px <= clip[2] and clip[1] <= py <= clip[3]):
            return None
        u, v = apply(to_image, px, py)
        col, row = int((u - x) / w * png.width), int((v - y) / h * png.height)
        if not (0 <= col < png.width and 0 <= row < png.height):
            return None
        *colour, a = png.getpixel((col, row))
        return tuple(colour), a / 255
    return Layer(name, False, colour_at)
