"""MkDocs hook: serve MathJax from the site itself, so formulas render with no network.

MathJax comes from the pinned ``django-static-mathjax`` wheel (MathJax's npm release, packed
for pip), which puts ``mathjax/static/mathjax/es5`` in site-packages. ``tex-svg.js`` is one
self-contained file: SVG output needs no web fonts.

Its right-click menu loads more on demand, from beside ``tex-svg.js`` (MathJax's
``[mathjax]`` path), and those parts are published too, so that no menu entry reaches for
another host: the accessibility components (``a11y/``: the explorer, speech, collapsible
math) with the MathML input they need, the CommonHTML output and its fonts (Math Settings >
Math Renderer), and the speech rule engine's rules for each language it speaks. The copy of
the engine inside ``tex-svg.js`` would fetch those rules from a CDN, and both copies fetch
them as JSON, which a browser will not do for a page opened from disk; so each is published
as a script, ``sre/mathmaps/<language>.js``, that ``docs/javascripts/mathjax-config.js``
loads instead. All of it is fetched only when a reader asks for it (about 5 MB, 1 MB gzipped).
"""

import json
from pathlib import Path

import mathjax  # the django-static-mathjax package

ES5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
BUNDLE = ES5 / "tex-svg.js"
SITE_DIR = "assets/vendor/mathjax"
SITE_PATH = f"{SITE_DIR}/tex-svg.js"  # mkdocs.yml's extra_javascript names this
# What the menu loads on demand, as paths under es5/ (a folder: all that is in it)
ON_DEMAND = ["a11y", "input/mml.js", "output/chtml.js", "output/chtml"]
MATHMAPS = ES5 / "sre" / "mathmaps"  # the speech rules, one JSON file a language
# mathjax-config.js reads what a script from MATHMAPS defines here
MATHMAPS_GLOBAL = "MathJaxSpeechRules"


def on_files(files, config):
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    if not BUNDLE.exists():
        raise PluginError(f"MathJax is missing: {BUNDLE} (install the project's requirements)")
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(BUNDLE)))
    license_file = ES5.parent / "LICENSE"
    files.append(File.generated(config, f"{SITE_DIR}/LICENSE.txt",
                                abs_src_path=str(license_file)))
    for name in ON_DEMAND:
        path = ES5 / name
        for part in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if part.is_file():
                files.append(File.generated(config,
                                            f"{SITE_DIR}/{part.relative_to(ES5).as_posix()}",
                                            abs_src_path=str(part)))
    rules = sorted(MATHMAPS.glob("*.json"))
    if not rules:
        raise PluginError(f"MathJax's speech rules are missing: {MATHMAPS}")
    for path in rules:
        text = path.read_text(encoding="utf-8")
        if not isinstance(json.loads(text), dict):  # JSON text is then a JavaScript object
            raise PluginError(f"{path}: not a JSON object")
        files.append(File.generated(
            config, f"{SITE_DIR}/sre/mathmaps/{path.stem}.js",
            content=f"window.{MATHMAPS_GLOBAL} = window.{MATHMAPS_GLOBAL} || {{}};\n"
                    f"{MATHMAPS_GLOBAL}[{json.dumps(path.stem)}] = {text};\n"))
    return files
