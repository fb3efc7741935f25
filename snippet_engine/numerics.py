"""The same bits everywhere: which machine code and how many threads a chapter run uses.

A long iterative fit (2,000 lbfgs iterations, say) turns last-bit differences in linear
algebra into a different model. Two things decide those bits:

- the machine code: OpenBLAS and NumPy pick kernels by CPU (AVX-512 on one server, AVX2 on
  another, with different rounding), and so does PyTorch. They are pinned to the AVX2 paths
  every x86-64 server since 2015 has;
- the thread count: a BLAS reduction split over two threads sums in another order than over
  one. It is pinned to ``threads`` (see config), whatever the number of cores or of chapters
  running side by side; a script may set PyTorch's own count in its code, which a reader's
  run of it then sets too, if the project declares it (``own-threads``), so that the
  engine gives that chapter as many cores.

Both work only if set before NumPy is first imported, so they are set in the environment of
the worker process that runs a chapter (``worker_environment``), and checked inside it.

One pin cannot be checked in advance, nor made to take: MKL honours ``MKL_CBWR`` only on
processors it supports that branch on (``AVX2`` on an Intel Xeon; on an AMD EPYC it runs its
automatic choice). A run where a pin did not take is not refused, since a reader on such a
processor must still be able to run the chapter: ``unpinned`` names what did not take, the
run records it, and the comparison knows that the run used other machine code.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from pathlib import Path

PINNED_MACHINE_CODE = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    # PyTorch: its own kernels, oneDNN's convolutions and MKL's matrix products
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_CBWR": "AVX2",
}
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# MKL's code branches (mkl_cbwr.h): what MKL_CBWR requests, what mkl_cbwr_get reports
MKL_BRANCHES = {"OFF": 1, "AUTO": 2, "COMPATIBLE": 3, "SSE2": 4, "SSSE3": 6, "SSE4_1": 7,
                "SSE4_2": 8, "AVX": 9, "AVX2": 10, "AVX512_MIC": 11, "AVX512": 12,
                "AVX512_MIC_E1": 13, "AVX512_E1": 14}


def x86() -> bool:
    return platform.machine() in ("x86_64", "AMD64")


def processor() -> str:
    """The processor's model name (its maker decides which pins take: see ``unpinned``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def pinned_environment(threads: int) -> dict[str, str]:
    """The variables to set before Python starts, for results that match the frozen ones."""
    pins = dict(PINNED_MACHINE_CODE) if x86() else {}
    pins.update({name: str(threads) for name in THREAD_VARIABLES})
    return pins


def shell_line(threads: int) -> str:
    """The pins as one line of ``NAME='value'`` words."""
    return " ".join(f"{k}='{v}'" for k, v in pinned_environment(threads).items())


def export_lines(threads: int, width: int = 80, only=None) -> list[str]:
    """The pins as ``export`` lines of at most about ``width`` characters, for a page;
    ``only``: those of these names alone."""
    pins = {name: value for name, value in pinned_environment(threads).items()
            if only is None or name in only}
    lines, line = [], "export"
    for name, value in pins.items():
        word = f" {name}='{value}'" if " " in value else f" {name}={value}"
        if line != "export" and len(line + word) > width:
            lines.append(line)
            line = "export"
        line += word
    return lines + [line]


def problems(threads: int, own: int | None = None) -> list[str]:
    """What differs from the pinned numerics in this process (empty: all pinned). ``own``:
    the PyTorch thread count the chapter's code sets, where the project declares one."""
    from threadpoolctl import threadpool_info

    found = []
    for lib in threadpool_info():
        if _is_pytorchs(lib):
            expected = own or threads
            if lib["num_threads"] != expected:
                found.append(f"PyTorch runs {lib['num_threads']} threads, not {expected}")
            continue
        if lib["num_threads"] != threads:
            found.append(f"{lib['internal_api']} runs {lib['num_threads']} threads, "
                         f"not {threads}")
        if x86() and lib["internal_api"] == "openblas" and lib.get("architecture") != "Haswell":
            found.append(f"OpenBLAS uses {lib.get('architecture')} kernels")
    if x86():
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

        found += [f"numpy dispatches {name}" for name in __cpu_dispatch__
                  if name != "X86_V3" and __cpu_features__.get(name)]
        if "torch" in sys.modules:  # a chapter or helper imported it
            capability = sys.modules["torch"].backends.cpu.get_cpu_capability()
            if capability != "AVX2":
                found.append(f"PyTorch uses {capability} kernels")
    return found


def mkl_branch(torch) -> int | None:
    """The branch MKL runs in this process (``MKL_CBWR`` only requests one), read from the
    MKL that PyTorch links statically; None for a PyTorch built without MKL."""
    try:
        library = ctypes.CDLL(str(Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"))
        get = library.mkl_serv_cbwr_get
    except (OSError, AttributeError):
        return None
    get.argtypes, get.restype = [ctypes.c_int], ctypes.c_int
    return get(1)  # MKL_CBWR_BRANCH: the branch alone, without the strict flag


def unpinned(environ=os.environ) -> list[str]:
    """The pins set in this process that its processor does not honour (empty: all took).
    Only MKL's can fail so, and only once PyTorch, which carries MKL, is imported."""
    requested = environ.get("MKL_CBWR")
    torch = sys.modules.get("torch")
    if not requested or torch is None:
        return []
    branch = mkl_branch(torch)
    wanted = MKL_BRANCHES.get(requested.split(",")[0].strip().upper())
    if branch is None or branch == wanted:
        return []
    name = next((k for k, v in MKL_BRANCHES.items() if v == branch), str(branch))
    return [f"MKL_CBWR={requested} runs as {name}"]


def _is_pytorchs(lib: dict) -> bool:
    """PyTorch's copy of OpenMP: ``torch.set_num_threads`` in a script sets its count."""
    torch = sys.modules.get("torch")
    return (torch is not None and lib["internal_api"] == "openmp"
            and Path(lib["filepath"]).resolve().is_relative_to(
                Path(torch.__file__).resolve().parent))


def check(threads: int, own: int | None = None) -> None:
    """Refuse to run (and freeze) under numerics other than the pinned ones."""
    from .config import SnippetError, cores as usable_cores

    found = problems(threads, own)
    torch = [problem for problem in found if problem.startswith("PyTorch runs")]
    if torch and own:
        raise SnippetError(
            f"{torch[0]}, the count [tool.snippet_engine] own-threads declares for this "
            f"chapter: set it in the chapter's code (torch.set_num_threads({own})), or "
            "declare the count the code sets and re-freeze the chapter")
    if torch:
        raise SnippetError(
            f"{torch[0]} (threads): a chapter whose code sets PyTorch's count itself "
            "(torch.set_num_threads) declares it in [tool.snippet_engine] own-threads, so "
            "that the engine gives its run that many cores")
    cores = usable_cores()
    if found and cores < threads:
        raise SnippetError(
            f"the numerics are not pinned ({'; '.join(found)}): this machine lets Python use "
            f"{cores} core(s), and OpenBLAS runs at most one thread per core, fewer than the "
            f"{threads} threads the frozen outputs were made with. Run on a machine with at "
            f"least {threads} cores, or lower `threads` and re-freeze every chapter.")
    if found:
        raise SnippetError(
            f"the numerics are not pinned ({'; '.join(found)}), so results would differ "
            f"from the frozen ones in the last bits and beyond. Set {shell_line(threads)} "
            "in the environment before Python starts, and run again.")
