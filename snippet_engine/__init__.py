"""Run each chapter's script, freeze what it prints, draws and computes, and check it.

The loop, one chapter at a time (``meet-mnist`` as the example)::

    snippets/meet-mnist.py       the chapter: named sections, run top to bottom
        | refresh()              a worker process runs it in a reader's folder
    outputs/meet-mnist/          frozen: manifest.json (printed text, values, inputs
        |                        digest) and every figure as a light and a dark SVG
        | ChapterDirectives      {{ code("load") }}, {{ output("load") }}, {{ value("n") }}
    the chapter's page           {{ figure("gallery", alt=..., caption=...) }}

and ``check_chapters()`` runs the scripts afresh and compares. The stages, a module each:
``config`` (layout, options), ``sections``, ``inputs`` (freshness), ``numerics`` (pinned
machine code and threads), ``execute`` and ``worker`` (processes), ``checkpoints`` (unchanged
sections restored on a re-run), ``capture`` and
``figures`` (what a run records), ``freeze``, ``notebooks``, ``compare``, ``check``,
``directives``, and ``cli`` (``python -m snippet_engine``).
"""

from .check import check_chapters, check_digests
from .compare import compare, compare_notebook
from .config import Config, Project, SnippetError
from .directives import ChapterDirectives, Directives, PageDirectives, expand, unshown
from .execute import Run, prepare_folder, run_chapter, run_chapters
from .freeze import refresh, write_outputs
from .inputs import (DamagedManifest, helpers_of, inputs_of, is_fresh, read_manifest,
                     reader_files, reader_helpers, stale)
from .notebooks import notebook, run_notebook
from .sections import Section, markdown_cells, parse_sections, reader_script

__all__ = [
    "ChapterDirectives", "Config", "DamagedManifest", "Directives", "PageDirectives",
    "Project", "Run",
    "Section", "SnippetError", "check_chapters", "check_digests", "compare",
    "compare_notebook", "expand", "helpers_of", "inputs_of", "is_fresh",
    "markdown_cells", "notebook", "parse_sections", "prepare_folder", "read_manifest",
    "reader_files", "reader_helpers", "reader_script", "refresh", "run_chapter", "run_chapters", "run_notebook", "stale",
    "unshown", "write_outputs",
]
