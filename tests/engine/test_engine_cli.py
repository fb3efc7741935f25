"""cli: ``python -m snippet_engine`` — refresh, --check, --verify, and what it refuses."""

import json
import logging
import subprocess
import sys

import pytest
from engine_support import edit, load_manifest, save_manifest, section, snapshot

from snippet_engine import cli, is_fresh


def main(project, *args):
    return cli.main([*args, "--root", str(project.root)])


def test_check_exits_0_when_every_chapter_is_fresh(project, capsys):
    assert main(project, "--check") == 0
    assert capsys.readouterr().out == "all frozen outputs are fresh\n"


def test_check_exits_1_naming_the_stale_chapter_and_runs_nothing(project, capsys):
    edit(project.script("drawing"), "seed=42", "seed=7")
    before = snapshot(project.outputs)
    assert main(project, "--check") == 1
    out, err = capsys.readouterr()
    assert out == "stale: drawing\n"
    assert err == "stale: drawing (changed: files.drawing.py)\n"
    assert snapshot(project.outputs) == before
    assert main(project, "--check", "printing", "helped") == 0  # only those asked about


def test_an_unknown_chapter_exits_2(project, capsys):
    with pytest.raises(SystemExit) as caught:
        main(project, "--check", "nope")
    assert caught.value.code == 2
    assert ("no chapter named nope in " in capsys.readouterr().err)


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--all", "--check"], ["--verify", "--all"],
                                  ["--notebooks"], ["--check", "--report", "r.json"]])
def test_bad_arguments_exit_2(project, args):
    with pytest.raises(SystemExit) as caught:
        main(project, *args)
    assert caught.value.code == 2


def test_a_bad_configuration_exits_1_with_its_message(project, capsys):
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("threads = 2", "threds = 2"))
    assert main(project, "--check") == 1
    assert "unknown [tool.snippet_engine] option(s) threds" in capsys.readouterr().err


def test_verify_exits_0_on_a_fresh_project_and_writes_nothing(project, capsys):
    before = snapshot(project.outputs)
    assert main(project, "--verify", "--jobs", "2") == 0
    assert capsys.readouterr().out == "all 3 match\n"
    assert snapshot(project.outputs) == before


def test_verify_exits_1_naming_what_differs(project, capsys):
    manifest = load_manifest(project, "printing")
    section(manifest, "load")["values"]["n_numbers"] = 11
    save_manifest(project, "printing", manifest)
    assert main(project, "--verify", "printing") == 1
    out, err = capsys.readouterr()
    assert out == "differ: printing\n"
    assert "printing:load: value n_numbers was 11, now 10" in err


def test_verify_reports_each_chapters_problems_as_json_notebooks_included(project, capsys,
                                                                          tmp_path):
    manifest = load_manifest(project, "printing")
    section(manifest, "load")["stdout"] += "a line the page shows\n"
    save_manifest(project, "printing", manifest)
    report = tmp_path / "report.json"
    assert main(project, "--verify", "--notebooks", "--report", str(report),
                "printing", "helped") == 1
    problems = json.loads(report.read_text())
    assert problems["helped"] == []
    script, notebook = problems["printing"]
    assert script.startswith("printing:load: ") and "-a line the page shows" in script
    assert notebook.startswith("printing.ipynb: cell load printed other lines")
    assert "-a line the page shows" in notebook
    assert capsys.readouterr().out == "differ: printing\n"


def test_without_arguments_only_stale_chapters_run(project, capsys):
    assert main(project) == 0
    assert capsys.readouterr().out == "refreshed: nothing (all fresh)\n"
    edit(project.script("drawing"), "seed=42", "seed=7")
    assert main(project) == 0
    assert capsys.readouterr().out == "refreshed: drawing\n"
    assert is_fresh("drawing", project)


def test_named_chapters_run_even_when_fresh(project, capsys):
    before = project.manifest_path("printing").stat().st_ino
    assert main(project, "printing") == 0
    assert capsys.readouterr().out == "refreshed: printing\n"
    assert project.manifest_path("printing").stat().st_ino != before  # written again


def test_a_run_restores_unchanged_sections_and_fresh_runs_them_all(project, caplog):
    edit(project.root / "pyproject.toml", 'svg-salt = "engine-tests"',
         'svg-salt = "engine-tests"\ncheckpoint-after = 0')
    caplog.set_level(logging.INFO, logger="snippet_engine")

    def ran(*args):
        caplog.clear()
        assert main(project, *args) == 0
        return [r.getMessage().split(": ", 1)[1] for r in caplog.records
                if r.getMessage().startswith("printing: ")
                and r.getMessage().endswith(" s") and " ran in " in r.getMessage()
                and "restored" not in r.getMessage()]

    assert len(ran("printing")) == 3  # the copy has no checkpoints yet
    assert ran("printing") == []  # all three sections restored
    assert len(ran("--fresh", "printing")) == 3
    assert ran("--verify", "printing") == []
    assert len(ran("--verify", "--fresh", "printing")) == 3


def test_a_failing_chapter_exits_1_naming_its_line(project, capsys):
    edit(project.script("printing"), "import time\n", "import time\nraise OSError('disk')\n")
    assert main(project) == 1
    err = capsys.readouterr().err
    assert "snippets/printing.py:" in err and "section 'table' raised OSError: disk" in err


def test_python_dash_m_runs_the_cli(project):
    done = subprocess.run([sys.executable, "-m", "snippet_engine", "--check", "--root",
                           str(project.root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "all frozen outputs are fresh\n"
    edit(project.script("printing"), "five rows", "5 rows")
    done = subprocess.run([sys.executable, "-m", "snippet_engine", "--check"],
                          cwd=project.root, capture_output=True, text=True)  # --root: cwd
    assert done.returncode == 1 and done.stdout == "stale: printing\n"


@pytest.mark.parametrize("damage, why", [
    ('{"chapter": "print', "is damaged (JSONDecodeError: "),
    ("{}", "is not a chapter's manifest (no 'chapter'; no 'digest'; no 'inputs'; "
           "no 'outputs'; no 'seconds'; no 'sections')"),
    ("[]", "is not a chapter's manifest (it is not a JSON object)"),
])
def test_a_damaged_manifest_is_named_stale_and_the_next_run_writes_it_again(
        project, capsys, damage, why):
    path = project.manifest_path("printing")
    good = path.read_text()
    path.write_text(damage)
    again = "run `python -m snippet_engine printing` to make it again"
    assert main(project, "--check") == 1  # the other chapters are still checked
    out, err = capsys.readouterr()
    assert out == "stale: printing\n"
    assert err.startswith("stale: printing (outputs/printing/manifest.json " + why)
    assert again in err
    assert main(project, "--verify", "printing") == 1
    assert f"printing: outputs/printing/manifest.json {why}" in capsys.readouterr().err
    assert main(project) == 0  # a run of the stale chapters makes it again
    assert json.loads(path.read_text())["digest"] == json.loads(good)["digest"]
    assert main(project, "--check") == 0


def test_a_folder_that_is_not_a_project_is_refused_not_reported_fresh(tmp_path, capsys):
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "helper.py").write_text("x = 1\n")  # no sections: no chapter
    for args in (["--check"], ["--verify"], []):
        assert cli.main([*args, "--root", str(tmp_path)]) == 1
        assert f"{tmp_path} is not a project: " in capsys.readouterr().err


def test_check_names_a_figure_or_value_altered_after_its_run(project, capsys):
    """The manifest fingerprints what the run wrote: a truncated figure or a value edited
    by hand is stale, named, with nothing run."""
    figure = next((project.outputs / "drawing").glob("*.svg"))
    good = figure.read_bytes()
    figure.write_bytes(good[:100])
    assert main(project, "--check") == 1
    assert (f"stale: drawing (altered: outputs/drawing/{figure.name} is not the file its run "
            "wrote (truncated or edited?)") in capsys.readouterr().err
    figure.write_bytes(good)
    manifest = load_manifest(project, "printing")
    values = section(manifest, "load")["values"]
    name = next(k for k, v in values.items() if isinstance(v, int) and not isinstance(v, bool))
    values[name] += 1
    save_manifest(project, "printing", manifest)
    assert main(project, "--check") == 1
    assert "stale: printing (altered: the manifest's sections (printed text, values) are not " \
        "those its run recorded" in capsys.readouterr().err
    assert main(project) == 0 and main(project, "--check") == 0  # a run makes them again
