"""MkDocs hook: serve MathJax from the site itself, so formulas render with no network.

MathJax comes from the pinned ``django-static-mathjax`` wheel (MathJax's npm release, packed
for pip), which puts ``mathjax/static/mathjax/es5`` in site-packages. ``tex-svg.js`` is one
self-contained file: SVG output needs no web fonts.
"""

from pathlib import Path

import mathjax  # the django-static-mathjax package

BUNDLE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5" / "tex-svg.js"
SITE_PATH = "assets/vendor/mathjax/tex-svg.js"  # mkdocs.yml's extra_javascript names this


def on_files(files, config):
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    if not BUNDLE.exists():
        raise PluginError(f"MathJax is missing: {BUNDLE} (install the project's requirements)")
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(BUNDLE)))
    license_file = BUNDLE.parent.parent / "LICENSE"
    files.append(File.generated(config, "assets/vendor/mathjax/LICENSE.txt",
                                abs_src_path=str(license_file)))
    return files
