"""MkDocs hook: publish the network for the in-page demo (docs/draw.md), and say its size.

The CNN chapter exports ``models/digit-cnn.json`` and ``.bin``; this adds both to the site as
``assets/models/``, after checking that they load (``snippets/digit_net.py``), so a broken
export fails the build rather than the page. The environment variable ``DIGIT_CNN`` points
at another export's .json (the tests use it for random weights).

On the demo page, ``%%DOWNLOAD_SIZE%%`` becomes what the demo downloads, measured here, and
the paths in the page's own HTML and script that name the demo's code from docs/, as
``"javascripts/draw/...``, become relative to the page (MkDocs rewrites Markdown links only):
``../`` on the served site (``draw/``), none in the offline copy (``draw.html``).
"""

import importlib.util
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = Path(os.environ.get("DIGIT_CNN", ROOT / "models" / "digit-cnn.json"))
SITE_DIR = "assets/models"
CODE = ROOT / "docs" / "javascripts" / "draw"  # the demo's JavaScript and CSS
PAGE, PLACEHOLDER = "draw.md", "%%DOWNLOAD_SIZE%%"
CODE_URL = "javascripts/draw/"  # CODE on the site


def _digit_net():
    spec = importlib.util.spec_from_file_location("_draw_demo_digit_net",
                                                  ROOT / "snippets" / "digit_net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _model_files():
    from mkdocs.exceptions import PluginError

    for path in (MODEL, MODEL.with_suffix(".bin")):
        if not path.exists():
            raise PluginError(f"draw_demo: the network for the Draw a digit page is missing: "
                              f"{path} (run the convolutional-network chapter: make outputs)")
    digit_net = _digit_net()
    try:
        digit_net.DigitNet.load(MODEL)
    except digit_net.ModelFileError as error:
        raise PluginError(f"draw_demo: {error}") from None
    weights = MODEL.with_name(json.loads(MODEL.read_text())["weights"])
    return [MODEL, weights]


_published = []  # the model's files, as this build found them


def on_files(files, config):
    from mkdocs.structure.files import File

    _published[:] = _model_files()
    for path in _published:
        files.append(File.generated(config, f"{SITE_DIR}/{path.name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    from mkdocs.exceptions import PluginError

    if PLACEHOLDER not in markdown:
        raise PluginError(f"draw_demo: {PAGE} no longer shows {PLACEHOLDER}")
    if f'"{CODE_URL}in_page.js"' not in markdown:
        raise PluginError(f'draw_demo: {PAGE} no longer loads "{CODE_URL}in_page.js"')
    from mkdocs.utils import get_relative_url

    markdown = markdown.replace(f'"{CODE_URL}', f'"{get_relative_url(CODE_URL, page.url)}')
    model = _published
    code = sorted(CODE.glob("*.js")) + sorted(CODE.glob("*.css"))
    numbers = model[1].stat().st_size // 4
    size = (f"{_kb(model)} of network ({numbers:,} weights and the list of layers) and "
            f"{_kb(code)} of JavaScript and CSS")
    return markdown.replace(PLACEHOLDER, size)


def _kb(paths):
    return f"{sum(p.stat().st_size for p in paths) / 1000:,.0f} kB"
