"""Where a project's pieces are, and the engine's options, read in one place.

A project is a folder with ``snippets/`` (chapter scripts and helper modules), ``outputs/``
(frozen results) and a ``pyproject.toml`` whose ``[tool.snippet_engine]`` table holds the
options below. Two environment variables override it for one command: ``ENGINE_EXECUTE``
(``auto``, ``never``, ``always``) and ``ENGINE_JOBS`` (a number of worker processes).

| option | meaning | default |
|---|---|---|
| ``packages`` | distributions whose versions shape every chapter's results | ``[]`` |
| ``imported-packages`` | import name -> distribution, counted only where imported | ``{}`` |
| ``data`` | data files: inputs of the chapters whose code names them (linked in) | ``[]`` |
| ``helper-files`` | helper module or chapter -> project files it reads (inputs of the | |
| | chapter, or of the chapters importing the helper; copied into their folders) | ``{}`` |
| ``exports`` | chapter -> files its run writes that the project keeps (``models/...``) | ``{}`` |
| ``gathered`` | CSV file -> name of a DataFrame that chapters make: every chapter's frozen | |
| | table of that name, gathered into the file after each freeze (``gathered.py``) | ``{}`` |
| ``threads`` | BLAS and OpenMP threads in every chapter run, whatever ``jobs`` is | ``2`` |
| ``own-threads`` | chapter -> threads its code runs at most, set by itself (PyTorch's, | |
| | checked in its run; a BLAS library's): those above ``threads`` run in one lane | ``{}`` |
| ``unset-environment`` | variables of the caller a worker does not get (a reader's shell | |
| | lacks them): added to ``PYTHONWARNINGS``, ``PYTHONSTARTUP``, ``PYTHONPATH`` | ``[]`` |
| ``jobs`` | chapters run at once | cores // ``threads`` (at least 1) |
| ``tolerance`` | relative tolerance for floats; printed text must match exactly | ``1e-9`` |
| ``machine-dependent`` | chapters whose results no pin fixes on every processor: a run | |
| | where a pin did not take (``numerics.unpinned``) is compared within the two below | ``[]`` |
| ``machine-tolerance`` | there: absolute tolerance for floats (accuracies, say) | ``0.0`` |
| ``machine-count-tolerance`` | there: relative tolerance for integers (error counts) | ``0.0`` |
| ``checkpoint-after`` | seconds of sections run since the last checkpoint after which the | |
| | worker saves one (``checkpoints.py``; ``ENGINE_CHECKPOINTS``: a folder, or ``off``) | ``2.0`` |
| ``notebook-restore-after`` | a notebook check restores (not runs) a cell whose section took | |
| | this many seconds or more in the script run just before it (``notebooks.py``) | ``10.0`` |
| ``measured`` | regex: values (or table columns) whose name matches are timings | ``seconds`` |
| ``execute`` | ``auto`` (stale chapters), ``never``, ``always`` | ``auto`` |
| ``format`` | bump when what a run records changes shape: everything re-runs | ``1`` |
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path

EXECUTE_MODES = ("auto", "never", "always")


class SnippetError(Exception):
    """A chapter cannot be parsed, run or published; the message names the cause."""


@dataclass(frozen=True)
class Config:
    packages: tuple[str, ...] = ()
    imported_packages: dict[str, str] = field(default_factory=dict)
    data: tuple[str, ...] = ()
    helper_files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exports: dict[str, tuple[str, ...]] = field(default_factory=dict)
    gathered: dict[str, str] = field(default_factory=dict)
    threads: int = 2
    own_threads: dict[str, int] = field(default_factory=dict)
    unset_environment: tuple[str, ...] = ()
    jobs: int | None = None  # None: as many as the cores hold at ``threads`` each
    tolerance: float = 1e-9
    machine_dependent: tuple[str, ...] = ()
    machine_tolerance: float = 0.0
    machine_count_tolerance: float = 0.0
    checkpoint_after: float = 2.0
    notebook_restore_after: float = 10.0
    measured: str = "seconds"
    execute: str = "auto"
    format: int = 1
    svg_salt: str = "snippet-engine"

    @classmethod
    def load(cls, pyproject: Path, environ=os.environ) -> Config:
        table = {}
        if pyproject.exists():
            table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("snippet_engine", {})
        options = {key.replace("-", "_"): value for key, value in table.items()}
        unknown = set(options) - set(cls.__dataclass_fields__)
        if unknown:
            raise SnippetError(f"{pyproject}: unknown [tool.snippet_engine] option(s) "
                               f"{', '.join(sorted(unknown))}")
        for key in ("packages", "data", "unset_environment", "machine_dependent"):
            if key in options:
                options[key] = tuple(options[key])
        for key in ("helper_files", "exports"):
            if key in options:
                options[key] = {name: tuple(paths) for name, paths in options[key].items()}
        if "ENGINE_EXECUTE" in environ:
            options["execute"] = environ["ENGINE_EXECUTE"]
        if "ENGINE_JOBS" in environ:
            options["jobs"] = environ["ENGINE_JOBS"]
        config = cls(**options)
        config.validate()
        return config

    def __post_init__(self):
        if self.jobs is None:
            object.__setattr__(self, "jobs", default_jobs(self.threads))

    def validate(self) -> None:
        if self.execute not in EXECUTE_MODES:
            raise SnippetError(f"execute={self.execute!r}: use {', '.join(EXECUTE_MODES)} "
                               "(ENGINE_EXECUTE or [tool.snippet_engine] execute)")
        for name in ("jobs", "threads"):
            value = getattr(self, name)
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if number < 1 or number != float(value):
                raise SnippetError(f"{name}={value!r}: use a whole number of at least 1")
            object.__setattr__(self, name, number)
        for name in ("tolerance", "machine_tolerance", "machine_count_tolerance",
                     "checkpoint_after", "notebook_restore_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SnippetError(f"{name.replace('_', '-')}={value!r}: use a number of at "
                                   "least 0")
        for chapter, count in self.own_threads.items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise SnippetError(f"own-threads: {chapter} = {count!r}: use a whole number "
                                   "of at least 1")

    def is_measured(self, name: str) -> bool:
        return re.search(self.measured, name) is not None


def cores() -> int:
    """The cores this process may use (its affinity, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def default_jobs(threads) -> int:
    """Workers that fit the cores without sharing one: each runs ``threads`` BLAS threads,
    and OpenBLAS threads that outnumber the cores wait for each other spinning. Measured
    on 2 cores with 2 threads each, two cold chapters side by side each ran 2.5 to 5 times
    slower than alone, so the pair took longer than one after the other; with 1 thread
    each, two workers share the 2 cores without that waiting."""
    try:
        return max(1, cores() // max(1, int(threads)))
    except (TypeError, ValueError):
        return 1  # validate() names the bad thread count


# jupytext's percent format: "# %%", then a title or a cell type ("# %% split", "# %% [markdown]")
CELL = re.compile(r"^# %%(?P<rest>(\s.*)?)$")
SECTION_NAME = re.compile(r"[a-z][-_0-9a-z]*")
LOOKS_LIKE_CELL = re.compile(r"^\s*#\s*%%")  # "#%%", "  # %%": cells elsewhere, not here


class Project:
    """A project folder: its layout and its configuration."""

    def __init__(self, root: Path | str, config: Config | None = None):
        self.root = Path(root).resolve()
        self._config = config
        self._versions: dict[str, str] = {}

    def version(self, distribution: str) -> str:
        """An installed distribution's version, looked up once per project object (every
        chapter's freshness check asks for the same few)."""
        if distribution not in self._versions:
            self._versions[distribution] = metadata.version(distribution)
        return self._versions[distribution]

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    @cached_property
    def config(self) -> Config:
        return self._config or Config.load(self.root / "pyproject.toml")

    @property
    def snippets(self) -> Path:
        return self.root / "snippets"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    def script(self, chapter: str) -> Path:
        return self.snippets / f"{chapter}.py"

    def chapters(self) -> list[str]:
        """Scripts with named sections are chapters; other ``.py`` files are helpers."""
        return sorted(p.stem for p in self.snippets.glob("*.py") if has_sections(p))

    def helpers(self) -> list[Path]:
        return sorted(p for p in self.snippets.glob("*.py") if not has_sections(p))

    def manifest_path(self, chapter: str) -> Path:
        return self.outputs / chapter / "manifest.json"


def has_sections(path: Path) -> bool:
    """A chapter has at least one code cell titled with a section name (``# %% name``, or
    ``# %% name tags=[...]``)."""
    from .sections import section_title  # it imports this module

    return any((cell := CELL.match(line))
               and SECTION_NAME.fullmatch(section_title(cell["rest"].strip()))
               for line in path.read_text().splitlines())


def relative(path: Path | str, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)
