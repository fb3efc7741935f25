"""config: the [tool.snippet_engine] table, the environment's overrides, a project's layout."""

import os
import re

import pytest
from engine_support import CHAPTERS, FIXTURE

from snippet_engine import Config, Project, SnippetError
from snippet_engine.config import has_sections, relative

EVERY_OPTION = '''
[tool.snippet_engine]
packages = ["numpy"]
imported-packages = { torch = "torch", PIL = "pillow" }
data = ["data/a.npz", "data/b.csv"]
helper-files = { net = ["models/net.json", "models/net.bin"] }
exports = { training = ["models/net.json"] }
threads = 1
own-threads = { training = 2 }
unset-environment = ["MNIST_NPZ", "HOME_DATA"]
jobs = 3
tolerance = 1e-6
machine-dependent = ["training"]
machine-tolerance = 0.01
machine-count-tolerance = 0.2
measured = "seconds|_ms$"
execute = "never"
format = 4
svg-salt = "salty"
'''


def write_pyproject(folder, text):
    path = folder / "pyproject.toml"
    path.write_text(text)
    return path


def test_the_fixture_projects_options_are_read():
    config = Project(FIXTURE).config
    assert config.packages == ("numpy", "matplotlib")
    assert config.data == ("data/numbers.csv",)
    assert config.helper_files == {"tiny_helper": ("models/table.json",)}
    assert config.exports == {"helped": ("models/made.json",)}
    assert config.unset_environment == ("FIXTURE_UNSET",)
    assert (config.threads, config.jobs, config.format) == (2, 1, 1)
    assert config.svg_salt == "engine-tests"
    assert (config.execute, config.tolerance, config.measured) == ("auto", 1e-9, "seconds")


def test_every_documented_option_is_read(tmp_path):
    config = Config.load(write_pyproject(tmp_path, EVERY_OPTION), environ={})
    assert config == Config(
        packages=("numpy",), imported_packages={"torch": "torch", "PIL": "pillow"},
        data=("data/a.npz", "data/b.csv"),
        helper_files={"net": ("models/net.json", "models/net.bin")},
        exports={"training": ("models/net.json",)}, threads=1, own_threads={"training": 2},
        unset_environment=("MNIST_NPZ", "HOME_DATA"), jobs=3, tolerance=1e-6,
        machine_dependent=("training",), machine_tolerance=0.01, machine_count_tolerance=0.2,
        measured="seconds|_ms$", execute="never", format=4, svg_salt="salty")


def test_defaults_without_a_pyproject(tmp_path):
    config = Config.load(tmp_path / "pyproject.toml", environ={})
    assert config == Config()
    assert (config.threads, config.execute, config.format, config.packages) == (2, "auto", 1, ())
    assert config.jobs == max(1, len(os.sched_getaffinity(0)) // 2)  # 2 threads each


def test_default_jobs_never_give_workers_fewer_cores_than_threads(monkeypatch):
    from snippet_engine import config as config_module

    for available, threads, jobs in [(2, 2, 1), (1, 2, 1), (4, 2, 2), (16, 2, 8), (3, 1, 3)]:
        monkeypatch.setattr(config_module, "cores", lambda: available)
        assert Config(threads=threads).jobs == jobs, (available, threads)
        assert Config(threads=threads, jobs=5).jobs == 5  # given, never changed


def test_other_tables_of_the_pyproject_are_ignored(tmp_path):
    path = write_pyproject(tmp_path, '[project]\nname = "x"\n[tool.other]\nthreads = 9\n')
    assert Config.load(path, environ={}) == Config()


def test_unknown_options_are_refused(tmp_path):
    path = write_pyproject(tmp_path, '[tool.snippet_engine]\nthreds = 2\nsalt = "x"\n')
    with pytest.raises(SnippetError, match=re.escape(
            "pyproject.toml: unknown [tool.snippet_engine] option(s) salt, threds")):
        Config.load(path, environ={})


def test_the_environment_overrides_execute_and_jobs(tmp_path):
    path = write_pyproject(tmp_path, '[tool.snippet_engine]\nexecute = "always"\njobs = 1\n')
    assert (Config.load(path, environ={}).execute, Config.load(path, environ={}).jobs) == (
        "always", 1)
    config = Config.load(path, environ={"ENGINE_EXECUTE": "never", "ENGINE_JOBS": "3"})
    assert config.execute == "never"
    assert config.jobs == 3 and isinstance(config.jobs, int)


def test_a_projects_configuration_reads_the_process_environment(project, monkeypatch):
    monkeypatch.setenv("ENGINE_EXECUTE", "never")
    monkeypatch.setenv("ENGINE_JOBS", "2")
    config = Project(project.root).config
    assert (config.execute, config.jobs) == ("never", 2)


@pytest.mark.parametrize("variable, value, complaint", [
    ("ENGINE_EXECUTE", "sometimes",
     "execute='sometimes': use auto, never, always (ENGINE_EXECUTE or [tool.snippet_engine]"),
    ("ENGINE_EXECUTE", "", "execute='': use auto, never, always"),
    ("ENGINE_JOBS", "many", "jobs='many': use a whole number of at least 1"),
    ("ENGINE_JOBS", "0", "jobs='0': use a whole number of at least 1"),
    ("ENGINE_JOBS", "-2", "jobs='-2': use a whole number of at least 1"),
    ("ENGINE_JOBS", "1.5", "jobs='1.5': use a whole number of at least 1"),
])
def test_bad_overrides_are_refused_with_a_clear_message(tmp_path, variable, value, complaint):
    path = write_pyproject(tmp_path, "[tool.snippet_engine]\n")
    with pytest.raises(SnippetError, match=re.escape(complaint)):
        Config.load(path, environ={variable: value})


@pytest.mark.parametrize("line, complaint", [
    ('execute = "sometimes"', "execute='sometimes': use auto, never, always"),
    ("jobs = 0", "jobs=0: use a whole number of at least 1"),
    ("threads = 0", "threads=0: use a whole number of at least 1"),
    ("own-threads = { training = 0 }", "own-threads: training = 0: use a whole number"),
    ('own-threads = { training = "2" }', "own-threads: training = '2': use a whole number"),
    ("machine-tolerance = -0.1", "machine-tolerance=-0.1: use a number of at least 0"),
    ('machine-count-tolerance = "10%"', "machine-count-tolerance='10%': use a number of"),
])
def test_bad_options_in_the_table_are_refused(tmp_path, line, complaint):
    path = write_pyproject(tmp_path, f"[tool.snippet_engine]\n{line}\n")
    with pytest.raises(SnippetError, match=re.escape(complaint)):
        Config.load(path, environ={})


def test_a_threads_value_that_is_no_number_is_refused_with_a_clear_message(tmp_path):
    path = write_pyproject(tmp_path, '[tool.snippet_engine]\nthreads = "two"\n')
    with pytest.raises(SnippetError, match="threads='two'"):
        Config.load(path, environ={})


def test_measured_is_a_regular_expression_searched_in_names():
    default = Config()
    assert default.is_measured("fit_seconds") and default.is_measured("fit seconds")
    assert not default.is_measured("accuracy")
    custom = Config(measured="seconds|_ms$")
    assert custom.is_measured("predict_ms") and not custom.is_measured("ms_count")


def test_chapters_are_the_scripts_with_sections_and_the_rest_are_helpers():
    project = Project(FIXTURE)
    assert project.chapters() == CHAPTERS
    assert project.helpers() == [FIXTURE / "snippets" / "tiny_helper.py"]
    assert has_sections(project.script("printing"))
    assert not has_sections(FIXTURE / "snippets" / "tiny_helper.py")


def test_a_projects_layout(tmp_path):
    project = Project(str(tmp_path / "a" / ".." / "b"))
    root = (tmp_path / "b").resolve()
    assert project.root == root
    assert (project.snippets, project.outputs, project.cache) == (
        root / "snippets", root / "outputs", root / ".cache")
    assert project.script("x") == root / "snippets" / "x.py"
    assert project.manifest_path("x") == root / "outputs" / "x" / "manifest.json"
    assert repr(project) == f"Project({str(root)!r})"


def test_a_given_configuration_is_used_instead_of_the_pyproject():
    config = Config(threads=1)
    assert Project(FIXTURE, config=config).config is config


def test_relative_paths_for_messages(tmp_path):
    assert relative(tmp_path / "snippets" / "a.py", tmp_path) == "snippets/a.py"
    assert relative("/elsewhere/a.py", tmp_path) == "/elsewhere/a.py"
