"""What a section's run records, besides its figures: the values it defines, and warnings
written as a reader sees them in a terminal."""

from __future__ import annotations

import ast
import linecache
import warnings
from pathlib import Path


def assigned_names(code: str) -> set[str]:
    """Names a section binds at its top level (``x = ...``, ``from m import x``): what it
    means to define. Loop variables and names inside functions are left out."""
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def values(namespace: dict, names: set[str]) -> dict:
    """The public scalars (and small tables) among ``names``: what a page may quote."""
    found = {}
    for name in sorted(names):
        if not name.startswith("_") and name in namespace:
            plain = to_plain(namespace[name])
            if plain is not None:
                found[name] = plain
    return found


def claims(namespace: dict, names: set[str], where: str) -> dict[str, bool]:
    """A section's claims: the dict it binds to ``claims``, each a fact about the run that a
    sentence of the page states (``{"svm_beats_knn": svm_errors < knn_errors}``). The page
    cites each with ``claim("name")``; a build fails where one no longer holds."""
    from .config import SnippetError

    if "claims" not in names or not isinstance(namespace.get("claims"), dict):
        return {}
    found = {}
    for name, holds in namespace["claims"].items():
        holds = holds.item() if hasattr(holds, "item") else holds  # a NumPy bool
        if not isinstance(name, str) or not isinstance(holds, bool):
            raise SnippetError(f"{where}: claims[{name!r}] is {holds!r}: a claim is a bool "
                               "(a comparison, say), named by a string")
        found[name] = holds
    return found


def to_plain(value, depth=0):
    """A JSON-able copy of a number, short string, short list or small DataFrame, else None."""
    import numpy as np

    if isinstance(value, np.generic) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 500):
        return value
    if depth == 0 and isinstance(value, (list, tuple)) and len(value) <= 100:
        items = [to_plain(v, 1) for v in value]
        return items if all(i is not None for i in items) else None
    if depth == 0 and type(value).__name__ == "DataFrame" and len(value) <= 100:
        rows = [[to_plain(v, 1) for v in row] for row in value.itertuples(index=False)]
        if all(c is not None for row in rows for c in row):
            return {"table": {"columns": [str(c) for c in value.columns],
                              "index": [str(i) for i in value.index], "rows": rows,
                              "index_name": str(value.index.name or "")}}
    return None


def reader_warning_filters() -> None:
    """The warnings a reader sees running the script with ``python`` or in Jupyter: each
    once per place, except deprecations raised inside libraries, which Python's own default
    filters hide (the library's authors, not its users, are the ones to act on them).
    Set explicitly, so that a PYTHONWARNINGS or -W of the caller changes nothing."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning,
                     DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def format_warning(folder: Path):
    """``warnings.showwarning`` text with paths the same on every machine: site-packages/
    sklearn/x.py -> sklearn/x.py, and the reader's folder left out."""
    def short(filename: str) -> str:
        path = Path(filename)
        for parent in path.parents:
            if parent.name in ("site-packages", "dist-packages"):
                return path.relative_to(parent).as_posix()
        try:
            return path.relative_to(folder).as_posix()
        except ValueError:
            return filename

    def formatted(message, category, filename, lineno, file=None, line=None) -> str:
        line = line or linecache.getline(filename, lineno)
        return warnings.formatwarning(message, category, short(filename), lineno, line)

    return formatted
