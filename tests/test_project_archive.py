"""The project as a download (hooks/project_archive.py): the site's zip holds the project a
reader needs, nothing ignored, the same bytes for the same files; unpacked into an empty
folder, a chapter runs there and gives exactly its frozen outputs; every chapter and
exercise page links it."""

import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import project_archive
from course import page_of, page_url
from site_support import PROJECT, ROOT

CHAPTER = "sigmoid-to-logistic-regression"  # the cheapest chapter: about 6 s, no cache
TOP = project_archive.NAME + "/"
# What a reader needs to run the chapters, the app and the README's commands.
NEEDED = ["README.md", "Makefile", "pyproject.toml", "requirements.lock", "mkdocs.yml",
          "data/mnist.npz", "snippets/draw_app.py", "snippets/draw_app.html",
          f"snippets/{CHAPTER}.py", "snippets/mnist_data.py", "snippet_engine/cli.py",
          "hooks/chapters.py", "hooks/project_archive.py", f"outputs/{CHAPTER}/manifest.json",
          "models/digit-cnn.json", "models/digit-cnn.bin", "docs/index.md",
          "tests/conftest.py", "scripts/benchmark.py"]
# What a working copy holds and the archive must not: .gitignore's folders and build litter.
NEVER = {".git", ".venv", ".cache", "site", "__pycache__", ".pytest_cache", "test-artifacts"}


def _archive(site: Path) -> Path:
    return site / project_archive.SITE_PATH


def test_archive_holds_the_project_and_nothing_ignored(site):
    archive = _archive(site)
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
    names = [info.filename for info in infos]
    assert all(name.startswith(TOP) for name in names), "one top folder"
    files = [name.removeprefix(TOP) for name in names]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert set(NEEDED) <= set(files), sorted(set(NEEDED) - set(files))
    litter = [f for f in files if NEVER & set(Path(f).parts)
              or f.endswith((".pyc", ".zip")) or ".egg-info" in f or f.startswith("outputs/.")]
    assert not litter, litter
    # Exactly the files git does not ignore, with their working-tree bytes; made again here,
    # in another process than the build's, the zip is byte for byte the same.
    assert archive.read_bytes() == project_archive.archive_bytes(
        ROOT, project_archive.project_files(ROOT)), "not the working tree, or not deterministic"
    kinds = {info.filename.removeprefix(TOP): info.compress_type for info in infos}
    assert kinds["data/mnist.npz"] == zipfile.ZIP_STORED  # compressed already
    assert kinds[f"snippets/{CHAPTER}.py"] == zipfile.ZIP_DEFLATED
    assert {info.date_time for info in infos} == {project_archive.TIMESTAMP}


def test_a_chapter_runs_where_the_archive_is_unpacked(site, tmp_path):
    """The engine's --verify, started in the unpacked folder (so the snippet_engine it
    holds reads that project; the worker is this environment's installed engine): the
    chapter runs afresh in a reader's folder made from the unpacked files and must give
    exactly the frozen outputs unpacked beside it."""
    from mnist_data import FILE_SHA256

    folder = tmp_path / "empty"
    folder.mkdir()
    with zipfile.ZipFile(_archive(site)) as opened:
        opened.extractall(folder)
    assert [p.name for p in folder.iterdir()] == [project_archive.NAME]
    unpacked = folder / project_archive.NAME
    data = (unpacked / "data" / "mnist.npz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FILE_SHA256
    # The unpacked project's own, empty .cache/: MODEL_CACHE would point at another's models
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL_CACHE", "PYTHONPATH")}
    engine = subprocess.run([sys.executable, "-c", "import snippet_engine; "
                             "print(snippet_engine.__file__)"],
                            cwd=unpacked, env=env, capture_output=True, text=True, check=True)
    assert Path(engine.stdout.strip()).is_relative_to(unpacked), engine.stdout
    result = subprocess.run(
        [sys.executable, "-m", "snippet_engine", "--verify", "--root", str(unpacked), CHAPTER],
        cwd=unpacked, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "all 1 match" in result.stdout, \
        result.stdout[-3000:] + result.stderr[-5000:]


def test_every_chapter_and_exercise_page_links_the_archive_with_its_size(site):
    from bs4 import BeautifulSoup

    size = project_archive.megabytes(_archive(site).stat().st_size)
    for chapter in PROJECT.chapters():
        url = page_url(chapter, PROJECT)  # chapters/<name>/, exercises/<name>/, recap/
        html = (site / url / "index.html").read_text()
        boxes = [box for box in BeautifulSoup(html, "html.parser").select("details.info")
                 if "yourself" in box.summary.get_text()]
        assert len(boxes) == 1, f"{page_of(chapter, PROJECT)}: one 'Run ... yourself' box"
        links = [a for a in boxes[0].select("a")
                 if a["href"] == "../" * url.count("/") + project_archive.SITE_PATH]
        assert [a.get_text() for a in links] == ["the whole project"], chapter
        text = " ".join(boxes[0].get_text(" ").split())
        assert f"the whole project ({size})" in text, (chapter, text)
        assert f"python snippets/{chapter}.py" in text, (chapter, text)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_archive_bytes_depend_on_the_files_alone_in_a_checkout_or_not(tmp_path):
    """A tiny repository: tracked and untracked files go in with their working-tree bytes,
    ignored ones and a deleted tracked file do not; file times do not change a byte; and
    with its .git gone (an unpacked archive) its .gitignore gives the same files."""
    repo = tmp_path / "repo"
    files = {
        ".gitignore": b".cache/\n*.log\nmodels/*\n!models/keep.json\n",
        "README.md": b"# tiny\n",
        "data/set.npz": bytes(range(256)) * 40,
        "run.sh": b"#!/bin/sh\necho hi\n",
        "snippets/a.py": b"print(1)\n",
        "gone.txt": b"deleted after git add\n",
        "models/keep.json": b"{}\n",
        "new.py": b"# not added yet, not ignored\n",
        ".cache/big.bin": b"x" * 100,  # ignored
        "notes.log": b"log\n",  # ignored
        "models/scratch.json": b"{}\n",  # ignored
    }
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    (repo / "run.sh").chmod(0o755)
    _git(repo, "init", "-q")
    _git(repo, "add", "README.md", "data", "run.sh", "snippets", "gone.txt", ".gitignore",
         "models/keep.json")
    (repo / "gone.txt").unlink()
    (repo / "snippets" / "a.py").write_bytes(b"print(2)  # edited, not committed\n")

    expected = [".gitignore", "README.md", "data/set.npz", "models/keep.json", "new.py",
                "run.sh", "snippets/a.py"]
    listed = project_archive.project_files(repo)
    assert listed == expected
    assert sorted(project_archive.ignore_rule_files(repo)) == expected
    # a linked worktree, whose .git is a file pointing at the repository: committed files only
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "tiny")
    _git(repo, "worktree", "add", "-q", str(tmp_path / "worktree"))
    committed = [".gitignore", "README.md", "data/set.npz", "gone.txt", "models/keep.json",
                 "run.sh", "snippets/a.py"]
    assert (tmp_path / "worktree" / ".git").is_file()
    assert project_archive.project_files(tmp_path / "worktree") == committed
    assert sorted(project_archive.ignore_rule_files(tmp_path / "worktree")) == committed
    _git(repo, "worktree", "remove", "--force", str(tmp_path / "worktree"))
    first = project_archive.archive_bytes(repo, listed)
    for path in repo.rglob("*"):
        if ".git" not in path.parts:
            os.utime(path, (1_000_000, 1_000_000))
    assert project_archive.archive_bytes(repo, project_archive.project_files(repo)) == first

    with zipfile.ZipFile(io.BytesIO(first)) as opened:
        assert opened.read(TOP + "snippets/a.py") == b"print(2)  # edited, not committed\n"
        assert opened.getinfo(TOP + "run.sh").external_attr >> 16 == 0o100755
        assert opened.getinfo(TOP + "README.md").external_attr >> 16 == 0o100644
        assert opened.getinfo(TOP + "data/set.npz").compress_type == zipfile.ZIP_STORED

    shutil.rmtree(repo / ".git")  # now like a folder unpacked from the archive
    assert project_archive.project_files(repo) == expected
    assert project_archive.archive_bytes(repo, project_archive.project_files(repo)) == first
    # ... unpacked inside a reader's own repository, whose ignore rules are not the project's
    (tmp_path / ".gitignore").write_text("*.npz\n")
    _git(tmp_path, "init", "-q")
    assert project_archive.project_files(repo) == expected


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_gitignore_lists_this_project_as_git_does():
    """Built from an unpacked archive (no .git), the archive holds the same files."""
    assert sorted(project_archive.ignore_rule_files(ROOT)) == \
        project_archive.project_files(ROOT)
