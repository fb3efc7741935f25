"""The project as a download: one zip of the folder the site is built from, so that a reader
can run every chapter, the tests and the app the way this repository does (README.md).

Which files: those git does not ignore, tracked or not yet added, with the content they have
in the working tree. The archive is made from what this build reads, so it holds what the
pages show, uncommitted edits included; publishing builds a clean checkout, where that is
the commit. A tracked file deleted from the working tree is left out. Outside a git checkout
(a folder unpacked from this very archive, say, or no ``git`` installed) the same rule is
applied by reading the top-level ``.gitignore`` with ``pathspec`` (which MkDocs itself
depends on); ``tests/test_project_archive.py`` checks that both ways list the same files.

The bytes depend on the files alone: paths in sorted order under one top folder, a fixed
timestamp and permissions (644, or 755 for an executable), no directory entries. Files that
are compressed already (MNIST's ``.npz``) are stored, not deflated again, which keeps the
build fast (about 0.2 s for the 14 MB zip). The zip is made in memory: nothing is written
into the project.
"""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

NAME = "learning-from-digits"  # the download's name and the folder it unpacks into
SITE_PATH = f"downloads/{NAME}.zip"
# Compressed already: deflate would spend time and save nothing (mnist.npz is a zip of
# deflated arrays: deflating its 11 MB again takes 0.2 s and makes it 3 kB larger).
STORED = {".npz", ".zip", ".gz", ".png", ".jpg", ".jpeg", ".woff2"}
TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: the same in every build


class ArchiveError(RuntimeError):
    """The project's files cannot be listed."""


def project_files(root: Path) -> list[str]:
    """The project's files (paths from ``root``, with ``/``), sorted: what git does not
    ignore, as git lists them in a checkout, else by the top-level ``.gitignore``."""
    listed = _git_files(root)
    if listed is None:
        listed = ignore_rule_files(root)
    return sorted(path for path in set(listed) if (root / path).is_file())


def _git_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files, or None where ``root`` is not the top of
    a git checkout (the folder unpacked inside another repository takes the fallback too,
    whose ignore rules are not this project's)."""
    if not (root / ".git").exists():  # a folder, or a file in a worktree or submodule
        return None
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=False)
    except FileNotFoundError:  # no git on this machine
        return None
    if result.returncode != 0:  # git refused the checkout (another owner's, say)
        return None
    return [p for p in result.stdout.decode().split("\0") if p]


def ignore_rule_files(root: Path) -> list[str]:
    """The files under ``root`` that its ``.gitignore`` does not exclude, found by walking
    the folder; an ignored folder (``.venv/``, ``.cache/``) is not entered, as git does."""
    import pathspec

    ignore = root / ".gitignore"
    if not ignore.exists():
        raise ArchiveError(f"{root} is neither a git checkout nor has a .gitignore: which of "
                           "its files make up the project is unknown")
    spec = pathspec.GitIgnoreSpec.from_lines(ignore.read_text().splitlines())
    found = []
    for folder, dirs, files in os.walk(root):
        base = Path(folder).relative_to(root).as_posix()
        prefix = "" if base == "." else base + "/"
        dirs[:] = sorted(d for d in dirs
                         if d != ".git" and not spec.match_file(f"{prefix}{d}/"))
        # a .git file (a worktree's or a submodule's pointer to its repository) is git's own
        found += [prefix + f for f in files
                  if f != ".git" and not spec.match_file(prefix + f)]
    return found


def archive_bytes(root: Path, files: list[str]) -> bytes:
    """A zip of ``files`` (from ``project_files``) under the folder ``NAME/``: the same bytes
    for the same files and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(files):
            source = root / path
            info = zipfile.ZipInfo(f"{NAME}/{path}", date_time=TIMESTAMP)
            info.create_system = 3  # Unix: unzip then restores the permissions below
            mode = 0o755 if source.stat().st_mode & 0o111 else 0o644
            info.external_attr = (0o100000 | mode) << 16  # a regular file
            info.compress_type = (zipfile.ZIP_STORED if source.suffix.lower() in STORED
                                  else zipfile.ZIP_DEFLATED)
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


def megabytes(size: int) -> str:
    """A size for the page: "12.3 MB" (decimal megabytes, as the draw page's kB)."""
    return f"{size / 1_000_000:.1f} MB"
