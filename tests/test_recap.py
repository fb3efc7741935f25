"""The recap's accuracy ladder: a chapter (snippets/recap.py) that reads every other chapter's
leaderboard rows from outputs/leaderboard.csv, which the engine gathers from their frozen
manifests (snippet_engine/gathered.py), shown on the recap page and on the home page.

Its figure can only be current if the engine knows what it reads: the file is among the
recap's helper-files, and the engine rewrites it whenever a chapter freezes, so that a
re-frozen table makes the recap stale (and refresh runs it again)."""

import json
import re

import pandas as pd
from course import PAGES, course, page_of, page_url
from site_content import leaderboard_rows
from site_support import PROJECT

from snippet_engine import gathered, read_manifest


def recap_values() -> dict:
    values = {}
    for section in read_manifest("recap", PROJECT)["sections"]:
        values.update(section["values"])
    return values


def test_the_gathered_leaderboard_is_an_input_of_the_recap_and_holds_every_frozen_table():
    assert PROJECT.config.gathered == {"outputs/leaderboard.csv": "leaderboard"}
    assert PROJECT.config.helper_files["recap"] == ("outputs/leaderboard.csv",)
    frozen = read_manifest("recap", PROJECT)["inputs"]
    assert list(frozen["helper-files"]) == ["outputs/leaderboard.csv"]
    assert sorted(frozen["files"]) == ["recap.py"]  # plain pandas: no helper module
    assert gathered.out_of_date(PROJECT) == []
    board = pd.read_csv(PROJECT.root / "outputs" / "leaderboard.csv")
    with_tables = sorted(
        chapter for chapter in PROJECT.chapters()
        for section in read_manifest(chapter, PROJECT)["sections"]
        if "leaderboard" in section["values"])
    assert sorted(set(board["chapter"])) == sorted(set(with_tables))
    assert len(with_tables) >= 6


def test_the_gathered_file_is_rewritten_from_the_manifests_and_checked(tmp_path):
    """A table that changes makes the file out of date, which the build's staleness check
    names; writing it again puts it right, and reading it back gives the frozen floats."""
    import shutil

    from snippet_engine import Project, check_digests

    root = tmp_path / "project"
    shutil.copytree(PROJECT.snippets, root / "snippets",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT.outputs, root / "outputs")
    shutil.copy(PROJECT.root / "pyproject.toml", root)
    project = Project(root)
    path = root / "outputs" / "first-classifier" / "manifest.json"
    manifest = json.loads(path.read_text())
    for section in manifest["sections"]:
        table = section["values"].get("leaderboard", {}).get("table")
        if table:
            table["rows"][0][table["columns"].index("test accuracy")] = 0.1 + 0.2
    path.write_text(json.dumps(manifest))
    assert gathered.out_of_date(project) == [
        "outputs/leaderboard.csv differs from the 'leaderboard' tables in the chapters' "
        "frozen manifests"]
    assert "outputs/leaderboard.csv" in check_digests(project, ["meet-mnist"])
    assert gathered.write(project) == ["outputs/leaderboard.csv"]
    assert gathered.out_of_date(project) == [] and gathered.write(project) == []
    board = pd.read_csv(root / "outputs" / "leaderboard.csv")
    accuracy = board.loc[board["chapter"] == "first-classifier", "test accuracy"]
    assert accuracy.tolist() == [0.1 + 0.2]  # 0.30000000000000004, to the last bit


def test_the_ladder_records_what_the_leaderboard_rows_say():
    """The same rows as the Leaderboard page and the home page's cards (both read them with
    site_content.leaderboard_rows), parsed here from the manifests' JSON once more."""
    rows = [row for chapter in PROJECT.chapters() for row in leaderboard_rows(chapter, PROJECT)]
    values = recap_values()
    assert values["n_models"] == len(rows) >= 15
    assert values["n_chapters"] == len({row["chapter"] for row in rows}) >= 6
    best = max(rows, key=lambda row: row["test accuracy"])
    assert values["best_accuracy"] == best["test accuracy"]
    assert values["best_model"] == best["model"]
    assert values["worst_accuracy"] == min(row["test accuracy"] for row in rows)
    table = values["results"]["table"]
    accuracies = [dict(zip(table["columns"], r))["test accuracy"] for r in table["rows"]]
    assert accuracies == sorted(accuracies), "worst first: the best at the top of the figure"
    raw = [json.loads(p.read_text()) for p in sorted(PROJECT.outputs.glob("*/manifest.json"))]
    assert sorted(accuracies) == sorted(
        dict(zip(t["columns"], r))["test accuracy"] for m in raw for s in m["sections"]
        for t in [s["values"].get("leaderboard", {}).get("table")] if t for r in t["rows"])


def test_the_recap_is_a_chapter_with_a_page_but_not_a_numbered_chapter_of_the_course():
    assert "recap" in PROJECT.chapters() and page_of("recap", PROJECT) == PAGES["recap"]
    assert page_url("recap", PROJECT) == "recap/"
    assert "recap" not in [c.name for c in course(PROJECT)]


def ladder_images(html: str) -> dict[str, str]:
    """The ladder's <img> sources on a page, light and dark, with their alt text."""
    return {src: alt for alt, src in re.findall(
        r'<img alt="([^"]+)" loading="lazy" src="([^"]*outputs/recap/ladder-1\.\w+\.svg'
        r'#only-\w+)"', html)}


def test_the_home_page_and_the_recap_show_the_ladder_light_and_dark(site):
    frozen = read_manifest("recap", PROJECT)
    assert [s["figures"] for s in frozen["sections"]] == [[], ["ladder-1"]]
    for page, prefix in (("index.html", ""), ("recap/index.html", "../")):
        html = (site / page).read_text()
        images = ladder_images(html)
        assert sorted(images) == [f"{prefix}outputs/recap/ladder-1.dark.svg#only-dark",
                                  f"{prefix}outputs/recap/ladder-1.light.svg#only-light"], page
        assert all(len(alt) > 100 for alt in images.values()), page
        caption = re.search(r"ladder-1\.dark\.svg.*?<figcaption>(.*?)</figcaption>", html,
                            re.S)[1]
        assert f'href="{prefix}leaderboard/"' in caption, page
    for variant in ("light", "dark"):
        published = site / "outputs" / "recap" / f"ladder-1.{variant}.svg"
        assert published.read_bytes() == \
            (PROJECT.outputs / "recap" / f"ladder-1.{variant}.svg").read_bytes()


def test_the_recap_page_ends_like_a_chapter_with_its_downloads(site):
    """The "Run this chapter yourself" box, whose links to the manifests the recap reads
    work, then back to the last chapter and on to the leaderboard."""
    from bs4 import BeautifulSoup

    article = BeautifulSoup((site / "recap" / "index.html").read_text(),
                            "html.parser").select_one("article")
    assert article.h1.get_text(strip=True).startswith("Recap and further reading")
    box = article.select_one("details.info")
    assert "Run this chapter yourself" in box.get_text()
    links = {a["href"] for a in box.select("a")}
    assert "../downloads/recap.py" in links
    for path in PROJECT.config.helper_files["recap"]:
        assert f"../{path}" in links
        assert (site / path).read_bytes() == (PROJECT.root / path).read_bytes()
    ending = article.select("div.course-path a")
    last = course(PROJECT)[-1]
    assert [(a["rel"], a["href"]) for a in ending] == [
        (["prev"], f"../chapters/{last.name}/"), (["next"], "../leaderboard/")]
    assert box.find_next("div", class_="course-path") is not None, "the box, then the links"
