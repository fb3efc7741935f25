"""Running chapters: each in a fresh worker process, in a reader's folder, several at once.

``run_chapter`` copies into an empty temporary folder exactly what the chapter's page offers
for download (the script, its helper modules, the files they read) and links the data
files, then starts ``worker.py`` there with the numerics pinned. So every run is also the
proof that the downloaded script runs on its own. ``run_chapters`` runs several with up to
``jobs`` workers at once, in as many lanes, the slowest-known first; each worker's thread
counts come from the configuration, never from ``jobs``, so scheduling cannot change a
result. The chapters whose code runs more threads than ``threads`` (``own-threads``:
PyTorch's, or BLAS's in a ``threadpool_limits`` block) run one after the other in the first
lane, so that two of them never share the cores.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import checkpoints, numerics, worker
from .config import Project, SnippetError
from .inputs import code_of, digest, inputs_of, read_manifest, reader_files, sha256, where
from .sections import parse_sections

LOG = logging.getLogger("snippet_engine")
WORKER = worker.COMMAND
# Not what a reader's shell has: the caller's choices must not leak into a chapter.
NOT_PASSED = ("PYTHONWARNINGS", "PYTHONSTARTUP", "PYTHONPATH")


@dataclass
class Run:
    manifest: dict
    files: dict[str, bytes] = field(default_factory=dict)  # figure file name -> SVG bytes
    exports: dict[str, bytes] = field(default_factory=dict)  # project path -> bytes
    seconds: float = 0.0
    section_seconds: list[float] = field(default_factory=list)  # each section's, as it ran
    # when the worker started (time.perf_counter()) and the CPU time its threads used: how
    # the run used the cores (the benchmark)
    started: float = 0.0
    cpu_seconds: float | None = None


def prepare_folder(chapter: str, project: Project, folder: Path) -> None:
    """The folder a reader sets up from the chapter page's download links, with the whole
    script (site sections included) and every helper it imports."""
    for name, source in reader_files(chapter, project).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in project.config.data:
            if source.exists():  # else the chapter's own loader says what is missing
                target.symlink_to(source)
        elif source.exists():
            shutil.copyfile(source, target)


def worker_environment(project: Project, side_by_side: bool = False) -> dict[str, str]:
    unset = {*NOT_PASSED, *project.config.unset_environment}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    if side_by_side:
        # OpenMP threads that wait spin on their core by default; with another worker on the
        # same cores that spinning takes the time its threads need (PyTorch's training ran
        # 3 x slower). Waiting asleep costs a little alone and nothing in the numbers.
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        env.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # OpenBLAS's own threads: the same
    env.update(numerics.pinned_environment(project.config.threads), MPLBACKEND="Agg")
    return env


def checkpoint_job(chapter: str, project: Project, inputs: dict, restore: bool) -> dict:
    """What the worker needs to restore and save checkpoints (``checkpoints.py``)."""
    folder = checkpoint_folder(project)
    if folder is None:
        return {}
    config = project.config
    extra = {"pins": numerics.pinned_environment(config.threads),
             "own_threads": config.own_threads.get(chapter), "svg_salt": config.svg_salt,
             "processor": numerics.processor()}
    return {"checkpoints": str(folder), "restore": restore,
            "checkpoint_after": config.checkpoint_after,
            "checkpoint_base": checkpoints.base_key(inputs, extra),
            "checkpoint_helpers": helper_digests(chapter, project)}


def helper_digests(chapter: str, project: Project) -> dict[str, str]:
    """Each helper module the chapter imports (by name): a digest of its code and of the
    helpers it imports in turn, for the checkpoint keys of the sections from the first
    one that imports it (``checkpoints.prefix_keys``)."""
    code = code_of(chapter, project)
    by_name = {path.stem: path for path in code if path != project.script(chapter)}
    digests = {}
    for name in by_name:
        reached, queue = set(), [name]
        while queue:
            current = queue.pop()
            if current not in reached:
                reached.add(current)
                queue += [m for m in code[by_name[current]] if m in by_name]
        material = [[m, sha256(by_name[m].read_bytes())] for m in sorted(reached)]
        digests[name] = sha256(json.dumps(material).encode())
    return digests


def checkpoint_folder(project: Project) -> Path | None:
    """Where checkpoints are kept: ``.cache/checkpoints``, or ``ENGINE_CHECKPOINTS`` (a
    folder, or ``off`` for none)."""
    chosen = os.environ.get("ENGINE_CHECKPOINTS")
    if chosen == "off":
        return None
    return Path(chosen).resolve() if chosen else project.cache / "checkpoints"


def run_chapter(chapter: str, project: Project, log: logging.Logger = LOG,
                side_by_side: bool = False, restore: bool = True) -> Run:
    """Run a chapter's sections in order in a worker; nothing in the project changes. The
    worker first restores the longest unchanged prefix of sections that has a checkpoint,
    unless ``restore`` is false (every section then runs; checkpoints are still saved).
    ``side_by_side``: other workers share the cores (see ``worker_environment``)."""
    script = project.script(chapter)
    if not script.exists():
        raise SnippetError(f"no chapter {chapter}: {where(script, project)} does not exist")
    inputs = inputs_of(chapter, project)
    with tempfile.TemporaryDirectory(prefix=f"{chapter}-") as temp:
        folder, out = Path(temp) / "reader", Path(temp) / "out"
        folder.mkdir()
        out.mkdir()
        prepare_folder(chapter, project, folder)
        job = {"script": str(folder / script.name), "where": where(script, project),
               "out": str(out), "threads": project.config.threads,
               "own_threads": project.config.own_threads.get(chapter),
               "svg_salt": project.config.svg_salt, "chapter": chapter,
               "measured": project.config.measured,
               **checkpoint_job(chapter, project, inputs, restore)}
        (out / "job.json").write_text(json.dumps(job))
        started = time.perf_counter()
        _start_worker(chapter, [sys.executable, "-c", WORKER, str(out / "job.json")],
                      folder, worker_environment(project, side_by_side), log)
        result = json.loads((out / "result.json").read_text())
        if "error" in result:
            raise SnippetError(result["error"])
        seconds = time.perf_counter() - started
        # "seconds" is a measurement (the `measured` pattern): never compared, but committed
        # with the outputs, so a fresh clone knows which chapters to start first. Sections
        # restored from a checkpoint count with the time they took when they ran.
        whole = seconds + result.get("restored_seconds", 0.0)
        site_sections(result["sections"], script, project)
        manifest = {"chapter": chapter, "digest": digest(inputs), "inputs": inputs,
                    "sections": result["sections"], "seconds": round(whole, 1)}
        if result.get("unpinned"):  # recorded only where a pin did not take
            manifest["unpinned"] = result["unpinned"]
        claims = claims_of(result["sections"], script, project)
        if claims:
            manifest["claims"] = claims
        run = Run(manifest, seconds=seconds, started=started,
                  section_seconds=result.get("section_seconds", []),
                  cpu_seconds=result.get("cpu_seconds"))
        for section in result["sections"]:
            for figure in section["figures"]:
                for name in (f"{figure}.light.svg", f"{figure}.dark.svg"):
                    run.files[name] = (out / name).read_bytes()
        for name in project.config.exports.get(chapter, ()):
            if not (folder / name).exists():
                raise SnippetError(f"{chapter}: the run did not write {name}, which the "
                                   "project's exports say it makes")
            run.exports[name] = (folder / name).read_bytes()
    restored = result.get("restored", 0)
    log.info("%s: %d sections in %.1f s%s", chapter, len(run.manifest["sections"]), run.seconds,
             f" ({restored} restored from a checkpoint)" if restored else "")
    return run


def claims_of(records: list[dict], script: Path, project: Project) -> dict[str, bool]:
    """The chapter's claims (``capture.claims``), taken out of the sections that made them
    into the manifest's own ``claims``; a name made twice is refused."""
    found = {}
    for record in records:
        for name, holds in record.pop("claims", {}).items():
            if name in found:
                raise SnippetError(f"{where(script, project)}:{record['line']}: claim "
                                   f"'{name}' is made twice; give each claim one name")
            found[name] = holds
    return found


def site_sections(records: list[dict], script: Path, project: Project) -> None:
    """Mark the records of the script's site sections (``sections.py``) as such (a page is
    then not asked to show their code: ``unshown``), and refuse one that printed or drew.
    Done here, after the worker, on every record: a record restored from a checkpoint was
    made when its section may not yet have been tagged (the tag is not in the key)."""
    site = {s.name for s in parse_sections(script, where(script, project)) if s.site}
    for record in records:
        record.pop("site", None)
        if record["name"] not in site:
            continue
        record["site"] = True
        if record["stdout"] or record["figures"]:
            shown = "printed (warnings included)" if record["stdout"] else "drew a figure"
            raise SnippetError(
                f"{where(script, project)}:{record['line']}: section '{record['name']}' is "
                f"tagged \"site\" and {shown}: the downloads leave it out, so a reader would "
                "not see it. Print and draw in a section the page shows.")


def _start_worker(chapter: str, command: list[str], folder: Path, env: dict,
                  log: logging.Logger) -> None:
    """Run a worker, logging what it says line by line; fail with its last words if it dies."""
    last = deque(maxlen=20)
    with subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        for line in process.stdout:
            last.append(line.rstrip())
            log.info("%s: %s", chapter, line.rstrip())
    if not (Path(command[-1]).parent / "result.json").exists():
        said = "\n".join(last) or "(nothing)"
        raise SnippetError(f"{chapter}: the worker process stopped with exit code "
                           f"{process.returncode} before it finished; its last output:\n{said}")


def order(chapters: list[str], project: Project) -> list[str]:
    """Those that run threads of their own (``own-threads``) first, in their lane; then
    slowest first, by this machine's last run times, else by those the frozen outputs
    record (a fresh clone has no times of its own): a long chapter started last would
    leave the other workers idle at the end. Unknown ones count as slow."""
    known = _timings(project)
    for chapter in chapters:
        if chapter not in known:
            try:
                recorded = (read_manifest(chapter, project) or {}).get("seconds")
            except SnippetError:  # damaged: it counts as slow, and its run rewrites it
                recorded = None
            if isinstance(recorded, (int, float)):
                known[chapter] = recorded
    own = project.config.own_threads
    return sorted(chapters, key=lambda c: (-own.get(c, 0), -known.get(c, float("inf"))))


TIMINGS = "engine/run-seconds.json"  # under .cache/: chapter -> seconds of its last run


def _timings(project: Project) -> dict[str, float]:
    try:
        timings = json.loads((project.cache / TIMINGS).read_text())
    except (OSError, ValueError):
        return {}
    return {chapter: seconds for chapter, seconds in timings.items()
            if isinstance(seconds, (int, float))} if isinstance(timings, dict) else {}


def _record_timings(project: Project, seconds: dict[str, float]) -> None:
    if seconds:
        path = project.cache / TIMINGS
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**_timings(project), **seconds}, indent=1,
                                   sort_keys=True))


def run_chapters(chapters: list[str], project: Project, *, jobs: int | None = None,
                 then=None, log: logging.Logger = LOG,
                 restore: bool = True) -> dict[str, Run | SnippetError]:
    """Run chapters in ``jobs`` lanes, each a worker at a time. The chapters whose code runs
    threads of its own (``own-threads``) go one after the other in the first lane, so that
    two of them never share the cores; the others, slowest first (``order``), go to
    whichever lane is free. ``then(chapter, run)`` is called as each one finishes, in its
    lane; ``restore``: see ``run_chapter``. Returns each chapter's run, or the error that
    stopped it."""
    jobs = jobs or project.config.jobs
    side_by_side = jobs > 1 and len(chapters) > 1
    ordered = order(chapters, project)
    own = project.config.own_threads
    wide = [c for c in ordered if own.get(c, 0) > project.config.threads]
    rest = deque(c for c in ordered if c not in wide)
    results: dict[str, Run | SnippetError] = {}
    taking = threading.Lock()

    def lane(first: list[str]) -> None:
        while True:
            with taking:
                chapter = first.pop(0) if first else rest.popleft() if rest else None
            if chapter is None:
                return
            try:
                results[chapter] = run_chapter(chapter, project, log, side_by_side,
                                               restore=restore)
            except SnippetError as error:
                results[chapter] = error
            else:
                if then:
                    then(chapter, results[chapter])

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        lanes = [pool.submit(lane, wide if number == 0 else []) for number in range(jobs)]
        for finished in lanes:
            finished.result()  # a bug in ``then`` or here: raise it
    # what a run from the start takes (restored sections at the time they took): the order
    _record_timings(project, {c: r.manifest["seconds"] for c, r in results.items()
                                     if isinstance(r, Run)})
    return results
