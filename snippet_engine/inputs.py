"""Freshness: everything that can change a chapter's outputs, fingerprinted.

A chapter's inputs are its script, the helper modules it imports (directly or through
another helper), the files those helpers read (``helper-files``), the data files it names
(``data_of``), the Python version, the versions of the packages that shape results, the
thread count and the engine's format. Their digest is frozen with the outputs; a chapter whose digest changed is
stale. The same list says what a chapter's run needs in its folder (``reader_files``); a
reader's download, which leaves out the site sections, needs ``reader_helpers``.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path

from .config import Project, SnippetError, relative


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def imported_modules(source: str, where: str = "<unknown>") -> set[str]:
    """The top-level packages ``source`` imports; a syntax error names ``where`` and line."""
    try:
        tree = ast.parse(source, filename=where)
    except SyntaxError as error:
        raise SnippetError(f"{where}:{error.lineno}: {error.msg}: "
                           f"{(error.text or '').strip()}") from None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def code_of(chapter: str, project: Project, reader: bool = False) -> dict[Path, set[str]]:
    """The chapter's script and the helper modules it imports (directly or through another
    helper), each with the modules it imports: every file parsed once. ``reader``: the
    script as a reader downloads it (``reader_script``: without its site sections)."""
    from .sections import reader_script

    available = {p.stem: p for p in project.helpers()}
    script = project.script(chapter)
    code, queue = {}, [script]
    while queue:
        path = queue.pop()
        text = reader_script(path, where(path, project)) if reader and path == script \
            else path.read_text()
        code[path] = imported_modules(text, where(path, project))
        for name in code[path]:
            if name in available and available[name] not in code:
                code[available[name]] = set()  # parsed when popped
                queue.append(available[name])
    return code


def helpers_of(chapter: str, project: Project, code: dict | None = None) -> list[Path]:
    """The helper modules a chapter imports, directly or through another helper (``code``:
    what ``code_of`` found, where the caller has it already)."""
    code = code_of(chapter, project) if code is None else code
    return sorted(p for p in code if p != project.script(chapter))


def reader_helpers(chapter: str, project: Project) -> list[Path]:
    """The helper modules a reader's download of the chapter (``reader_script``) imports:
    those only its site sections import are left out."""
    return helpers_of(chapter, project, code_of(chapter, project, reader=True))


def helper_files_of(chapter: str, project: Project,
                    helpers: list[Path] | None = None) -> list[str]:
    """Project files (``models/...``) that the chapter or its helpers read (``helper-files``),
    relative to the root."""
    names = {p.stem for p in (helpers_of(chapter, project) if helpers is None else helpers)}
    names.add(chapter)
    return [path for helper, paths in sorted(project.config.helper_files.items())
            if helper in names for path in paths]


def data_of(chapter: str, project: Project, helpers: list[Path] | None = None) -> list[str]:
    """The data files (``data``) the chapter reads: those whose path, as the configuration
    spells it, its script or one of its helpers names (``np.load("data/mnist.npz")``). A
    chapter that names none does not depend on them, nor gets them in its folder."""
    helpers = helpers_of(chapter, project) if helpers is None else helpers
    code = [path.read_text() for path in [project.script(chapter), *helpers]]
    return [path for path in project.config.data if any(path in text for text in code)]


def reader_files(chapter: str, project: Project) -> dict[str, Path]:
    """What a reader needs in a folder to run the chapter: folder path -> project file."""
    helpers = helpers_of(chapter, project)
    files = {p.name: p for p in [project.script(chapter), *helpers]}
    for path in [*data_of(chapter, project, helpers), *helper_files_of(chapter, project)]:
        files[path] = project.root / path
    return files


def _fingerprint(path: Path) -> str:
    return sha256(path.read_bytes()) if path.exists() else "missing"


def inputs_of(chapter: str, project: Project) -> dict:
    """Everything that can change a chapter's outputs, as fingerprints."""
    config = project.config
    parsed = code_of(chapter, project)
    helpers = helpers_of(chapter, project, parsed)
    code = [project.script(chapter), *helpers]
    imported = set().union(*parsed.values())
    packages = [*config.packages, *(config.imported_packages[m]
                                    for m in sorted(imported & config.imported_packages.keys()))]
    inputs = {
        "format": config.format,
        "files": {p.name: sha256(p.read_bytes()) for p in code},
        "data": {path: _fingerprint(project.root / path)
                 for path in data_of(chapter, project, helpers)},
        "python": "%d.%d" % sys.version_info[:2],
        "packages": {name: project.version(name) for name in packages},
        "threads": config.threads,
    }
    shared = helper_files_of(chapter, project, helpers)
    if shared:
        inputs["helper-files"] = {path: _fingerprint(project.root / path) for path in shared}
    return inputs


def digest(inputs: dict) -> str:
    return sha256(json.dumps(inputs, sort_keys=True).encode())


class DamagedManifest(SnippetError):
    """A chapter's ``manifest.json`` is not one (truncated, emptied, hand-broken): the
    chapter counts as stale, and its next run writes the manifest again."""


# what every manifest holds, and of which type (write_outputs writes them all)
MANIFEST_KEYS = {"chapter": str, "digest": str, "inputs": dict, "outputs": dict,
                 "seconds": (int, float), "sections": list}


def output_digests(sections: list, figures: dict[str, bytes],
                   exports: dict[str, bytes], claims: dict | None = None) -> dict:
    """Fingerprints of what a run recorded (its sections' text and values), of the figure
    files it drew and of the files it exported, frozen with them in the manifest's
    ``outputs``: a figure truncated, a value edited by hand or an export replaced after the
    run no longer matches (``altered_outputs``), with nothing run again. So does a claim
    turned true by hand."""
    sections = json.loads(json.dumps(sections))  # as the manifest reads back (string keys)
    digests = {"sections": sha256(json.dumps(sections, sort_keys=True).encode()),
               "figures": {name: sha256(data) for name, data in sorted(figures.items())},
               "exports": {name: sha256(data) for name, data in sorted(exports.items())}}
    if claims:
        digests["claims"] = sha256(json.dumps(claims, sort_keys=True).encode())
    return digests


def altered_outputs(chapter: str, project: Project, manifest: dict) -> str | None:
    """What no longer matches the frozen outputs' fingerprints, or None."""
    frozen = manifest["outputs"]
    if sha256(json.dumps(manifest["sections"], sort_keys=True).encode()) != \
            frozen.get("sections"):
        return ("the manifest's sections (printed text, values) are not those its run "
                "recorded: edited by hand?")
    if "claims" in manifest or "claims" in frozen:
        if not isinstance(manifest.get("claims"), dict) or sha256(json.dumps(
                manifest["claims"], sort_keys=True).encode()) != frozen.get("claims"):
            return "the manifest's claims are not those its run recorded: edited by hand?"
    for kind, folder in (("figures", project.outputs / chapter), ("exports", project.root)):
        for name, expected in frozen.get(kind, {}).items():
            path = folder / name
            if not path.exists():
                return f"{relative(path, project.root)} is missing"
            if sha256(path.read_bytes()) != expected:
                return (f"{relative(path, project.root)} is not the file its run wrote "
                        "(truncated or edited?)")
    return None


def read_manifest(chapter: str, project: Project) -> dict | None:
    """The chapter's frozen manifest; None if there is none. A damaged one raises
    ``DamagedManifest``, naming the file, why, and the command that makes it again."""
    path = project.manifest_path(chapter)
    if not path.exists():
        return None
    where = relative(path, project.root)
    again = f"run `python -m snippet_engine {chapter}` to make it again"
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
        raise DamagedManifest(f"{where} is damaged ({type(error).__name__}: {error}): "
                              f"{again}") from None
    wrong = (["it is not a JSON object"] if not isinstance(manifest, dict) else
             [f"no {key!r}" if key not in manifest else f"{key!r} is not a {kind}"
              for key, types in MANIFEST_KEYS.items()
              for kind in [getattr(types, "__name__", "number")]
              if key not in manifest or not isinstance(manifest[key], types)])
    if wrong:
        raise DamagedManifest(f"{where} is not a chapter's manifest ({'; '.join(wrong)}): "
                              f"{again}")
    return manifest


def manifest_state(chapter: str, project: Project) -> str:
    """"missing", "damaged" or "present", for a log line."""
    try:
        return "present" if read_manifest(chapter, project) else "missing"
    except DamagedManifest:
        return "damaged"


def is_fresh(chapter: str, project: Project) -> bool:
    """Its frozen outputs are those of its inputs now, and as its run wrote them (a damaged
    manifest, an altered figure or value, is stale)."""
    try:
        manifest = read_manifest(chapter, project)
    except DamagedManifest:
        return False
    return (bool(manifest) and manifest["digest"] == digest(inputs_of(chapter, project))
            and altered_outputs(chapter, project, manifest) is None)


def stale(project: Project, chapters=None) -> list[str]:
    """The chapters (all by default) whose frozen outputs are missing or out of date."""
    chapters = project.chapters() if chapters is None else chapters
    return [c for c in chapters if not is_fresh(c, project)]


def changed_inputs(old: dict, new: dict) -> str:
    """The dotted names of the inputs that differ, for a message."""
    def flat(d, prefix=""):
        if not isinstance(d, dict):
            return {prefix.rstrip("."): d}
        return {k2: v2 for k, v in d.items() for k2, v2 in flat(v, f"{prefix}{k}.").items()}

    a, b = flat(old), flat(new)
    return ", ".join(sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))) or "none"


def where(path: Path, project: Project) -> str:
    return relative(path, project.root)
