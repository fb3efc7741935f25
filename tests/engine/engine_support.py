"""Helpers for the engine's tests: the fixture project's place, and small edits and reads."""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path

from snippet_engine import Project
from snippet_engine.compare import untimed_text

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture"
ROOT = HERE.parent.parent  # the site's own project
CHAPTERS = ["drawing", "helped", "printing"]
# Variables that change what the engine does, from the shell of whoever runs the tests.
ENGINE_VARIABLES = ("ENGINE_EXECUTE", "ENGINE_JOBS", "MODEL_CACHE", "ENGINE_CHECKPOINTS")


def copy_project(source: Path, target: Path) -> Project:
    shutil.copytree(source, target, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".cache"))
    return Project(target)


def write_chapter(project: Project, name: str, body: str) -> Path:
    path = project.snippets / f"{name}.py"
    path.write_text(body)
    return path


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that must be there (so a changed fixture fails loudly, not silently)."""
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new))


def load_manifest(project: Project, chapter: str) -> dict:
    return json.loads(project.manifest_path(chapter).read_text())


def save_manifest(project: Project, chapter: str, manifest: dict) -> None:
    project.manifest_path(chapter).write_text(json.dumps(manifest))


def section(manifest: dict, name: str) -> dict:
    return next(s for s in manifest["sections"] if s["name"] == name)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def staging_folders(project: Project) -> list[str]:
    return sorted(p.name for p in project.outputs.iterdir() if p.name.startswith("."))


def without_measurements(manifest: dict, project: Project) -> dict:
    """The manifest with the values (and table cells) that ``measured`` names masked."""
    manifest = json.loads(json.dumps(manifest))
    # fingerprints of the sections (timings included), the figures and exports: those are
    # compared themselves
    manifest.pop("outputs", None)
    for name in manifest:
        if project.config.is_measured(name):  # the run's own wall time
            manifest[name] = "measured"
    for record in manifest["sections"]:
        # a printed table with timings: its text differs, its values are masked below
        record["stdout"] = untimed_text(record)
        for number, table in enumerate(record.pop("printed_tables", []), 1):
            record["values"][f"printed table {number}"] = {"table": table["table"]}
        for name, value in record["values"].items():
            if project.config.is_measured(name):
                record["values"][name] = "measured"
            elif isinstance(value, dict) and "table" in value:
                columns = value["table"]["columns"]
                for row in value["table"]["rows"]:
                    for i, column in enumerate(columns):
                        if project.config.is_measured(column):
                            row[i] = "measured"
    return manifest


def x86() -> bool:
    return platform.machine() in ("x86_64", "AMD64")


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    return {flag for line in text.splitlines() if line.startswith("flags")
            for flag in line.split(":", 1)[1].split()}

