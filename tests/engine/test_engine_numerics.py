"""numerics: the pinned machine code and threads, and the worker's refusal to run without them.

``execute.worker_environment`` sets the pins itself, over whatever the caller's shell says, so
a bad environment is made by patching ``numerics.pinned_environment`` in this process: the
worker (a fresh process, unpatched) then runs the real check against what it was given.
"""

import dataclasses
import importlib.util
import re
import shlex
from pathlib import Path

import pytest
from engine_support import cpu_flags, snapshot, write_chapter, x86

from snippet_engine import Project, SnippetError, numerics, refresh, run_chapter

REAL_PINS = numerics.pinned_environment


def test_the_pins_are_the_machine_code_and_the_thread_count(monkeypatch):
    monkeypatch.setattr(numerics.platform, "machine", lambda: "x86_64")
    pins = numerics.pinned_environment(3)
    assert pins == {**numerics.PINNED_MACHINE_CODE, "OPENBLAS_NUM_THREADS": "3",
                    "OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "3"}
    assert pins["OPENBLAS_CORETYPE"] == "Haswell" and pins["ATEN_CPU_CAPABILITY"] == "avx2"


def test_other_machines_get_only_the_thread_count(monkeypatch):
    monkeypatch.setattr(numerics.platform, "machine", lambda: "aarch64")
    assert numerics.pinned_environment(1) == {
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def test_the_shell_line_sets_exactly_the_pins():
    words = shlex.split(numerics.shell_line(2))
    assert dict(word.split("=", 1) for word in words) == numerics.pinned_environment(2)


@pytest.mark.parametrize("width", [40, 80])
def test_export_lines_fit_the_width_and_set_exactly_the_pins(width):
    lines = numerics.export_lines(2, width=width)
    found = {}
    for line in lines:
        words = shlex.split(line)
        assert words[0] == "export" and len(words) > 1
        assert len(line) <= width or len(words) == 2, line  # only a lone word may overflow
        found.update(word.split("=", 1) for word in words[1:])
    assert found == numerics.pinned_environment(2)
    if x86():
        assert "NPY_DISABLE_CPU_FEATURES='X86_V4 AVX512_ICL AVX512_SPR'" in " ".join(lines)


def pins_with(monkeypatch, **changes):
    """Make the engine start its workers with these pins changed (None: left out)."""
    def pinned(threads):
        pins = {**REAL_PINS(threads), **changes}
        return {k: v for k, v in pins.items() if v is not None}

    monkeypatch.setattr(numerics, "pinned_environment", pinned)


@pytest.mark.skipif(not x86(), reason="the machine-code pins are for x86-64")
def test_chapters_refuse_to_run_under_other_machine_code(project, monkeypatch):
    before = snapshot(project.outputs)
    pins_with(monkeypatch, OPENBLAS_CORETYPE="Sandybridge")  # AVX, not AVX2 kernels
    with pytest.raises(SnippetError) as caught:
        refresh(project, ["printing"], mode="always")
    message = str(caught.value)
    assert "the numerics are not pinned (OpenBLAS uses Sandybridge kernels" in message
    assert "OPENBLAS_CORETYPE='Haswell'" in message  # what to set: the real pins
    assert snapshot(project.outputs) == before


def test_chapters_refuse_to_run_with_another_thread_count(project, monkeypatch):
    pins_with(monkeypatch, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with pytest.raises(SnippetError, match=re.escape(
            "the numerics are not pinned (openblas runs 1 threads, not 2")):
        run_chapter("printing", project)


@pytest.mark.skipif(not x86() or "avx512f" not in cpu_flags(),
                    reason="numpy dispatches AVX-512 code only where the CPU has it")
def test_chapters_refuse_to_run_with_numpys_avx512_code(project, monkeypatch):
    pins_with(monkeypatch, NPY_DISABLE_CPU_FEATURES=None)
    monkeypatch.delenv("NPY_DISABLE_CPU_FEATURES", raising=False)
    with pytest.raises(SnippetError,
                       match=r"the numerics are not pinned \(numpy dispatches X86_V4"):
        run_chapter("printing", project)


@pytest.mark.skipif(not x86() or importlib.util.find_spec("torch") is None,
                    reason="PyTorch is pinned on x86-64, where it is installed")
def test_chapters_that_import_pytorch_refuse_its_other_kernels(project, monkeypatch):
    write_chapter(project, "torch-chapter", '''
# %% tensor
import torch

print(torch.ones(2).sum().item())
''')
    pins_with(monkeypatch, ATEN_CPU_CAPABILITY="default")  # no vector kernels at all
    with pytest.raises(SnippetError, match=re.escape(
            "the numerics are not pinned (PyTorch uses DEFAULT kernels")):
        run_chapter("torch-chapter", project)


def test_a_chapter_that_leaves_blas_on_another_thread_count_is_refused(project):
    write_chapter(project, "blas-threads", '''
# %% limit
from threadpoolctl import threadpool_limits

threadpool_limits(limits=1, user_api="blas")  # never undone: later sections sum otherwise
''')
    with pytest.raises(SnippetError, match=re.escape(
            "the numerics are not pinned (openblas runs 1 threads, not 2")):
        run_chapter("blas-threads", project)


TORCH_THREADS = '''
# %% tensor
import torch

torch.set_num_threads(1)
print(torch.get_num_threads(), torch.ones(2).sum().item())
'''


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs PyTorch")
def test_a_chapter_may_set_pytorchs_thread_count_in_its_code_where_declared(project):
    """The network chapters do (two threads, whatever ``threads`` says): a reader's run of
    the script sets the same count, so it is pinned too; the declaration (own-threads)
    lets the engine give the run that many cores."""
    assert project.config.threads == 2
    write_chapter(project, "torch-threads", TORCH_THREADS)
    with pytest.raises(SnippetError, match=re.escape(
            "PyTorch runs 1 threads, not 2 (threads): a chapter whose code sets PyTorch's "
            "count itself (torch.set_num_threads) declares it in [tool.snippet_engine] "
            "own-threads")):
        run_chapter("torch-threads", project)

    declared = Project(project.root, dataclasses.replace(
        project.config, own_threads={"torch-threads": 1}))
    manifest = run_chapter("torch-threads", declared).manifest
    assert manifest["sections"][0]["stdout"] == "1 2.0\n"

    other = Project(project.root, dataclasses.replace(
        project.config, own_threads={"torch-threads": 3}))
    with pytest.raises(SnippetError, match=re.escape(
            "PyTorch runs 1 threads, not 3, the count [tool.snippet_engine] own-threads "
            "declares for this chapter")):
        run_chapter("torch-threads", other)


def cpu_vendor() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in text.splitlines()
                 if line.startswith("vendor_id")), "")


MATRIX_PRODUCT = '''
# %% product
import torch

print(float((torch.ones(64, 64) @ torch.ones(64, 64)).sum()))
'''


@pytest.mark.skipif(not x86() or importlib.util.find_spec("torch") is None,
                    reason="MKL's branches are x86-64's; PyTorch carries MKL")
@pytest.mark.parametrize("branch", ["AVX2", "COMPATIBLE"])
def test_a_run_records_the_mkl_branch_its_processor_did_not_honour(project, monkeypatch,
                                                                     branch):
    """MKL honours MKL_CBWR=AVX2 on Intel processors and runs its automatic choice on AMD
    ones (measured on a Xeon and an EPYC); COMPATIBLE it honours on both. The run is not
    refused (a reader on that processor must run the chapter): its manifest says so."""
    write_chapter(project, "mkl-chapter", MATRIX_PRODUCT)
    pins_with(monkeypatch, MKL_CBWR=branch)
    manifest = run_chapter("mkl-chapter", project).manifest
    assert manifest["sections"][0]["stdout"] == "262144.0\n"
    if branch == "AVX2" and cpu_vendor() == "AuthenticAMD":
        assert manifest["unpinned"] == ["MKL_CBWR=AVX2 runs as AUTO"]
    elif cpu_vendor() in ("AuthenticAMD", "GenuineIntel"):
        assert "unpinned" not in manifest
    else:
        pytest.skip(f"no measurement of MKL on a {cpu_vendor() or 'processor of unknown make'}")


def test_unpinned_asks_mkl_only_where_pytorch_is_loaded_and_a_branch_requested(monkeypatch):
    monkeypatch.setattr(numerics, "mkl_branch", lambda torch: 2)  # AUTO
    monkeypatch.delitem(numerics.sys.modules, "torch", raising=False)
    assert numerics.unpinned({"MKL_CBWR": "AVX2"}) == []  # no PyTorch, no MKL
    monkeypatch.setitem(numerics.sys.modules, "torch", object())
    assert numerics.unpinned({}) == []
    assert numerics.unpinned({"MKL_CBWR": "AVX2"}) == ["MKL_CBWR=AVX2 runs as AUTO"]
    assert numerics.unpinned({"MKL_CBWR": "auto"}) == []
    monkeypatch.setattr(numerics, "mkl_branch", lambda torch: 10)
    assert numerics.unpinned({"MKL_CBWR": "AVX2,STRICT"}) == []
    monkeypatch.setattr(numerics, "mkl_branch", lambda torch: None)  # built without MKL
    assert numerics.unpinned({"MKL_CBWR": "AVX2"}) == []
