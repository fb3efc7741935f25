"""The site builds strictly from the frozen outputs, and what it publishes is complete."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_crawl import PageVisit, broken_links
from site_support import PROJECT
from course import exercise_sets, page_url, posts

from snippet_engine import reader_script

ROOT = Path(__file__).resolve().parent.parent


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), tuple(self.stack)))
        if tag not in ("img", "link", "meta", "br", "hr", "input", "source", "path"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def parse(path: Path) -> Elements:
    elements = Elements()
    elements.feed(path.read_text())
    return elements


@pytest.mark.parametrize("chapter", [c for c in PROJECT.chapters()
                                     if c not in exercise_sets(PROJECT)])
def test_chapter_page_shows_its_figures_with_alt_text_and_captions(site, chapter):
    page = site / page_url(chapter, PROJECT) / "index.html"
    html = page.read_text()
    figures = [(a, stack) for tag, a, stack in parse(page).tags
               if tag == "img" and "/outputs/" in a.get("src", "")]
    frozen = sorted(p.name for p in (ROOT / "outputs" / chapter).glob("*.svg"))
    assert sorted(a["src"].rsplit("/", 1)[1].split("#")[0] for a, _ in figures) == frozen
    for attrs, stack in figures:
        assert len(attrs.get("alt", "")) > 15, attrs["src"]
        assert "figure" in stack, f"{attrs['src']} has no caption"
        assert (site / "outputs" / chapter / attrs["src"].rsplit("/", 1)[1].split("#")[0]).exists()
    assert html.count("<figcaption>") == len(frozen) // 2
    # the script as a reader runs it: without its site sections, if it has any
    assert (site / "downloads" / f"{chapter}.py").read_text() == \
        reader_script(ROOT / "snippets" / f"{chapter}.py")


@pytest.mark.parametrize("name", exercise_sets(PROJECT))
def test_exercise_page_is_the_notebook_with_its_frozen_outputs(site, name):
    """mkdocs-jupyter renders the notebook, not run again: each statement, then the section's
    code, what it printed and its figures; then the downloads, as on a chapter page."""
    from html import unescape

    from snippet_engine import markdown_cells, read_manifest

    html = (site / "exercises" / name / "index.html").read_text()
    words = lambda text: "".join(text.split())  # noqa: E731  (spacing around tags varies)
    text = words(unescape(re.sub(r"<[^>]+>", " ", html)))
    statements = markdown_cells(PROJECT.script(name))
    for section in read_manifest(name, PROJECT)["sections"]:
        # the statement ("## Exercise 6: ..."); an exercise's second code cell has none
        for cell in statements.get(section["name"], []):
            for line in re.sub(r"[#`*]", "", cell).splitlines():  # Markdown marks aside
                assert words(line) in text, f"{name}: statement line {line!r} is not shown"
        assert f'id="cell-id={section["name"]}"' in html  # the code cell
        for line in section["stdout"].splitlines():
            assert words(line) in text, f"{name}:{section['name']} does not show {line!r}"
    # The frozen light and dark SVGs, as on chapter pages, with the figure's label as alt text
    sections = read_manifest(name, PROJECT)["sections"]
    assert sum(len(s["figures"]) for s in sections) > 0
    assert 'src="data:image' not in html and "No description has been" not in html
    images = {a["src"]: (a.get("alt"), stack) for tag, a, stack in
              parse(site / "exercises" / name / "index.html").tags if tag == "img"}
    for section in sections:
        for figure in section["figures"]:
            for variant in ("light", "dark"):
                svg = f"outputs/{name}/{figure}.{variant}.svg"
                alt, stack = images[f"../../{svg}#only-{variant}"]
                assert alt == section["alt"][figure] and "figure" in stack
                assert (site / svg).exists()
    for download in (f"{name}.py", f"{name}.ipynb"):
        assert f'href="../../downloads/{download}"' in html
        assert (site / "downloads" / download).exists()


def test_downloads_are_the_scripts_without_their_site_sections(site):
    """A chapter's .py download is what a reader runs: its script without the sections only
    the site needs (tagged "site", such as the leaderboard's rows), and so without their
    helpers."""
    from snippet_engine import parse_sections, reader_script

    tagged = 0
    for chapter in PROJECT.chapters():
        download = site / "downloads" / f"{chapter}.py"
        assert download.read_text() == reader_script(PROJECT.script(chapter))
        assert not any(s.site for s in parse_sections(download))
        tagged += any(s.site for s in parse_sections(PROJECT.script(chapter)))
    assert tagged >= 4
    assert "from leaderboard import" not in \
        (site / "downloads" / "first-classifier.py").read_text()


def test_the_seventeen_exercises_are_all_stated_once(site):
    numbers = []
    for name in exercise_sets(PROJECT):
        html = (site / "exercises" / name / "index.html").read_text()
        numbers += [int(n) for n in re.findall(r'<h2 id="exercise-(\d+)-', html)]
    assert sorted(numbers) == list(range(1, 18))


def test_no_page_loads_anything_from_another_host(site):
    for page in site.rglob("*.html"):
        for tag, attrs, _ in parse(page).tags:
            url = attrs.get("src") or (attrs.get("href") if tag == "link" else None)
            if url and tag in ("script", "img", "link", "iframe", "source"):
                assert not re.match(r"(https?:)?//", url), f"{page}: {tag} loads {url}"


def test_math_is_served_by_the_site(site):
    assert (site / "assets" / "vendor" / "mathjax" / "tex-svg.js").stat().st_size > 1_000_000
    index = (site / "index.html").read_text()
    assert "assets/vendor/mathjax/tex-svg.js" in index


def test_blog_lists_the_chapter_with_its_metadata(site):
    listing = (site / "chapters" / "index.html").read_text()
    assert "Meet MNIST" in listing
    # every chapter, however many: one page of the listing (no pagination to hide one)
    links = {a.get("href", "") for tag, a, _ in parse(site / "chapters" / "index.html").tags
             if tag == "a"}
    missing = [c for c in posts(PROJECT)
               if not any(href.rstrip("/").endswith(f"posts/{c}") or href.rstrip("/") == c
                          for href in links)]
    assert not missing, f"chapters missing from the chapters' index: {missing}"
    assert (site / "chapters" / "category" / "data" / "index.html").exists()
    assert "Meet MNIST" in (site / "tags" / "index.html").read_text()


def test_every_image_has_alt_text(site):
    for page in site.rglob("*.html"):
        for tag, attrs, _ in parse(page).tags:
            if tag == "img":
                assert attrs.get("alt", "").strip(), f"{page}: <img src={attrs.get('src')}> has no alt"


def test_no_broken_link_anchor_or_image(site_crawl, site, site_url):
    """Every link, image, script and stylesheet on every page leads to a file of the built
    site, and every #anchor of a link to a page to an element of that page: read from the
    pages as the session's crawl found them, settled in Chromium (tests/site_crawl.py)."""
    visits = site_crawl.visits["light"]
    internal = [url for visit in visits.values() for _, url in visit.links
                if url.startswith(f"{site_url}/")]
    assert len(internal) > 1000 and any("#" in url for url in internal), len(internal)
    problems = broken_links(visits, site, site_url)
    assert not problems, "\n".join(problems)


def test_the_link_check_names_a_missing_file_and_a_missing_anchor(tmp_path):
    site, url = tmp_path, "http://127.0.0.1:8000"
    (site / "a").mkdir()
    for name in ("a/index.html", "b.html", "notes.py"):
        (site / name).write_text("")
    links = [("a", f"{url}/b.html#there"), ("a", f"{url}/b.html#gone"),
             ("img", f"{url}/a/missing.svg"), ("a", f"{url}/notes.py#L1"),
             ("a", f"{url}/a#top"), ("a", f"{url}/"), ("a", "https://example.org/x"),
             ("a", f"{url}/a/#t%C3%B6p")]
    visits = {"a/index.html": PageVisit("a/index.html", "light", links=links,
                                       ids=["top", "töp"]),
              "b.html": PageVisit("b.html", "light", ids=["there"])}
    assert broken_links(visits, site, url) == [
        f"a/index.html: <a> {url}/b.html#gone: no element with that id on b.html",
        f"a/index.html: <img> {url}/a/missing.svg: no such file",
        f"a/index.html: <a> {url}/: no such file"]


def test_about_page_shows_pinned_versions_and_the_last_benchmark(site):
    about = (site / "about" / "index.html").read_text()
    lock = (ROOT / "requirements.lock").read_text()
    for package in ("scikit-learn", "numpy", "matplotlib", "mkdocs-material"):
        version = re.search(rf"^{package}==(\S+)$", lock, re.M)[1]
        assert f"<td>{package}</td>\n<td>{version}</td>" in about
    assert "no-op mkdocs build" in about and "Not measured yet" not in about


def test_leaderboard_lists_every_model_best_first(site):
    from snippet_engine import read_manifest

    expected = {}  # model and features -> accuracy, from every chapter's frozen outputs
    for chapter in PROJECT.chapters():
        for section in read_manifest(chapter, PROJECT)["sections"]:
            table = section["values"].get("leaderboard", {}).get("table")
            for model, row in zip(table["index"] if table else [], table["rows"] if table else []):
                entry = dict(zip(table["columns"], row))
                expected[(model, entry["features"], chapter)] = entry
    assert len({chapter for _, _, chapter in expected}) >= 6

    html = (site / "leaderboard" / "index.html").read_text()
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]
    rows = [cells[i:i + 10] for i in range(0, len(cells), 10)]
    shown = [(r[0], r[1], r[2]) for r in rows]
    assert sorted(shown) == sorted(expected), "every chapter's leaderboard rows, no others"
    accuracies = [float(r[5]) for r in rows]
    assert accuracies == sorted(accuracies, reverse=True)
    for model, features, chapter in shown:
        assert f'{expected[(model, features, chapter)]["test accuracy"]:.4f}' in html
    # each accuracy with its Wilson interval, as the chapters compute it
    from scipy.stats import binomtest

    for row in rows:
        entry = expected[(row[0], row[1], row[2])]
        right = round(entry["test accuracy"] * entry["test images"])
        interval = binomtest(right, entry["test images"]).proportion_ci(method="wilson")
        assert row[6] == f"{interval.low:.4f}–{interval.high:.4f}", row
        assert float(row[6].split("–")[0]) < float(row[5]) < float(row[6].split("–")[1])

    official = [e for e in expected.values() if e["test images"] == 10_000]
    assert max(e["test accuracy"] for e in official) >= 0.985, "best classical model"


def test_published_network_weights_are_the_frozen_export():
    """models/digit-cnn.* (what the app and the demo load) is what the CNN chapter's frozen
    run exported, and the exported network scores exactly what Keras scored."""
    import hashlib

    import numpy as np

    from snippet_engine import read_manifest

    values = {}
    for chapter in ("convolutional-network", "shipping-a-model"):
        for section in read_manifest(chapter, PROJECT)["sections"]:
            values.update(section["values"])
    weights = Path(__file__).resolve().parent.parent / "models" / "digit-cnn.bin"
    exported = np.frombuffer(weights.read_bytes(), dtype="<f4")
    assert hashlib.sha256(exported.tobytes()).hexdigest() == values["exported_sha256"]
    assert values["web_accuracy"] == pytest.approx(values["deeper_accuracy"], abs=1e-7)


def test_exercise_15_repeats_the_chapters_small_network_exactly():
    """Exercise 15 trains the CNN chapter's small network with the same code, data and seeds
    (its page says so): the two runs must misread the same number of test digits."""
    from snippet_engine import read_manifest

    def values(chapter):
        found = {}
        for section in read_manifest(chapter, PROJECT)["sections"]:
            found.update(section["values"])
        return found

    chapter, exercise = values("convolutional-network"), values("exercises-networks")
    assert exercise["tutorial_test_errors"] == chapter["simple_errors"]
    # what its "What it shows" says of the run: validation and test disagree on which
    # network is better, and the deeper one has fewer parameters
    assert exercise["better_on_validation"] != exercise["better_on_test"]
    assert exercise["fewer_parameters"] is True


# The pages show chapter code in blocks about 80 characters wide at the default width; a
# longer line scrolls sideways, and a reader cannot read or copy it with confidence. The
# helper modules readers download beside the chapters (draw_app.py is also shown whole, in
# Shipping a model) are read the same way, so every script in snippets/ is held to it.
SNIPPETS = sorted({f"{c}.py" for c in PROJECT.chapters()}
                  | {path.name for path in PROJECT.snippets.glob("*.py")})


@pytest.mark.parametrize("script", SNIPPETS)
def test_code_shown_on_pages_has_lines_of_at_most_80_characters(script):
    lines = (PROJECT.snippets / script).read_text().splitlines()
    long = [f"{script}:{n}: {len(line)} characters" for n, line in enumerate(lines, 1)
            if len(line) > 80]
    assert not long, "\n".join(long)


def test_no_chapter_is_dated_in_the_future():
    """A chapter's date is the blog's date of publication (the reading order is
    course.READING_ORDER): one in the future would confuse readers."""
    import datetime

    dates = {}
    for page in sorted((ROOT / "docs" / "chapters" / "posts").glob("*.md")):
        found = re.search(r"^date: (\d{4}-\d\d-\d\d)$", page.read_text(), re.M)
        assert found, f"{page.name} has no date"
        dates[page.stem] = datetime.date.fromisoformat(found[1])
    assert max(dates.values()) <= datetime.date.today(), dates


@pytest.mark.parametrize("chapter", posts(PROJECT))
def test_chapter_is_framed_ends_with_takeaways_and_every_question_has_a_hint(site, chapter):
    """Top: what it builds on and what you will learn; end: three to five takeaways, then
    questions, each with a collapsed hint (or answer) a reader opens after trying."""
    from bs4 import BeautifulSoup

    html = (site / "chapters" / chapter / "index.html").read_text()
    article = BeautifulSoup(html, "html.parser").select_one("article.md-content__inner")
    frame = article.select_one("div.admonition.abstract")
    assert frame is not None, "no 'In this chapter' frame"
    assert frame.select_one(".admonition-title").get_text(strip=True) == "In this chapter"
    assert "Builds on:" in frame.get_text(" ") and "You will learn:" in frame.get_text(" ")
    assert frame.find_previous("h2") is None, "the frame comes before the first section"

    sections = [h2["id"] for h2 in article.find_all("h2")]
    assert sections[-2:] == ["key-takeaways", "questions-to-explore"], sections
    takeaways = article.find("h2", id="key-takeaways").find_next_sibling("ul")
    assert 3 <= len(takeaways.find_all("li", recursive=False)) <= 5

    questions = article.find("h2", id="questions-to-explore").find_next_sibling("ul")
    items = questions.find_all("li", recursive=False)
    assert len(items) >= 2
    for item in items:
        aside = item.find("details")
        assert aside is not None, f"no hint: {item.get_text(' ', strip=True)[:80]}"
        assert set(aside["class"]) & {"tip", "success"} and not aside.has_attr("open")


def test_publishing_runs_make_site_and_nothing_that_executes_a_chapter():
    """The Pages workflow builds with the targets the site fixture and test_offline.py run,
    and only with them: the site, then its offline copy, published among the downloads."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert [s["run"] for s in steps if "run" in s] == [
        "make site SITE_DIR=site",
        "make offline OFFLINE_ZIP=site/downloads/learning-from-digits-offline.zip"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert workflow["jobs"]["deploy"]["steps"][-1]["uses"].startswith("actions/deploy-pages")
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads `on:` as True
    for target in ("site", "offline"):
        recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(),
                           re.M)[1]
        assert "ENGINE_EXECUTE=never" in recipe  # runs nothing; the hook refuses stale outputs


def test_home_page_is_the_learning_path_with_each_chapters_best_accuracy(site):
    """The home page's cards: every chapter once, in reading order (the order of the pages'
    dates, read here, not from the hook that makes the cards), each linking to its chapter,
    with the reading time its page gives and the best test accuracy of its frozen
    leaderboard (none for a chapter without one); and links to the leaderboard, the
    draw-a-digit demo and the exercises."""
    from bs4 import BeautifulSoup

    from snippet_engine import read_manifest

    from course import READING_ORDER

    order = list(READING_ORDER)
    article = BeautifulSoup((site / "index.html").read_text(), "html.parser").select_one(
        "article")
    cards = [card for card in article.select("div.grid.cards > ul > li")
             if card.a["href"].startswith("chapters/")]
    assert [card.a["href"] for card in cards] == [f"chapters/{name}/" for name in order]
    accuracies = 0
    for number, (name, card) in enumerate(zip(order, cards), 1):
        text = card.get_text(" ", strip=True)
        assert text.startswith(f"{number} · "), text
        chapter_page = (site / "chapters" / name / "index.html").read_text()
        minutes = re.search(r"(\d+) min read", chapter_page)[1]  # the blog's, on the page
        assert re.findall(r"(\d+) min read", text) == [minutes], (name, text)
        best = [dict(zip(table["columns"], row))["test accuracy"]
                for section in read_manifest(name, PROJECT)["sections"]
                for table in [section["values"].get("leaderboard", {}).get("table")] if table
                for row in table["rows"]]
        shown = [strong.get_text(strip=True) for strong in card.select(".course-accuracy")]
        assert shown == ([f"{max(best):.2%}"] if best else []), (name, text)
        assert ("accuracy" in text) == bool(best), (name, text)
        assert ("95 % interval" in text) == bool(best), (name, text)
        accuracies += bool(best)
    assert len(cards) == len(order) >= 8 and accuracies >= 6
    links = {a["href"] for a in article.select("a[href]")}
    assert {"leaderboard/", "draw/", "exercises/exercises-data/"} <= links, links


def test_every_run_box_says_whether_its_chapter_depends_on_the_thread_count(site):
    """What scripts/thread_dependence.py measured, for the chapter as it is now; a chapter
    changed since is "not measured", never a stale verdict. A chapter whose code sets its
    own threads says so instead: a reader's run then uses the page's count anyway."""
    import json

    from snippet_engine import read_manifest

    path = ROOT / "outputs" / "thread-dependence.json"
    from site_content import sets_own_threads

    measured = json.loads(path.read_text())["chapters"] if path.exists() else {}
    own = 0
    for chapter in PROJECT.chapters():
        text = re.sub(r"<[^>]+>", "", (site / page_url(chapter, PROJECT) / "index.html")
                      .read_text())
        found = measured.get(chapter)
        if sets_own_threads(chapter, PROJECT):  # the reader's run uses the page's count
            assert "adds its sums in the same order whatever your cores" in text, chapter
            assert "not measured for this version" not in text and \
                "thread count has not been measured" not in text, chapter
            own += 1
            continue
        if not found:
            expected = "thread count has not been measured"
        elif found["digest"] != read_manifest(chapter, PROJECT)["digest"]:
            expected = "was not measured for this version of it"
        elif found["same"]:
            expected = "its results do not depend on the thread count (measured)"
        else:
            expected = "Its results depend on the thread count"
            for section in found["sections that differ"]:
                assert f"{section}" in text.split(expected, 1)[-1][:400], (chapter, section)
        assert text.count(expected) == 1, (chapter, expected)
    assert own >= 10


def test_the_benchmark_table_shows_when_each_chapter_ran_and_the_cores_it_kept_busy(
        tmp_path):
    import json

    from snippet_engine import Project
    from site_content import benchmark

    (tmp_path / "outputs").mkdir()
    (tmp_path / "snippets").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.snippet_engine]\n")
    (tmp_path / "outputs" / "benchmark.json").write_text(json.dumps({
        "machine": "2 cores", "rows": [
            {"measure": "both cold runs give the frozen outputs", "seconds": None,
             "target": "no difference", "differences": 3, "ok": False},
            {"measure": "no-op build", "seconds": 1.5, "target": "", "differences": 0,
             "ok": True},
            {"measure": "cold runs again", "seconds": None, "target": "no difference",
             "differences": 0, "ok": True, "within_machine_tolerance": {
                 "recap": "MKL ran AUTO", "meet-mnist": "MKL ran AUTO"}}],
        "cold_run_by_chapter": {  # a machine without getrusage: no CPU times
            "meet-mnist": {"seconds": 6.0, "started": 0.0, "cpu_seconds": None,
                           "guest": False},
            "recap": {"seconds": 0.0, "started": 6.0, "cpu_seconds": None, "guest": False}},
        "cold_run_by_chapter_jobs2": {
            "meet-mnist": {"seconds": 10.0, "started": 0.0, "cpu_seconds": 15.0,
                           "guest": False},
            "recap": {"seconds": 4.0, "started": 2.0, "cpu_seconds": 1.0, "guest": True}}}))

    table = benchmark(Project(tmp_path))

    assert ("| both cold runs give the frozen outputs: 3 differences | - | no difference "
            "| **no** |") in table
    assert "| no-op build | 1.5 | - | yes |" in table
    assert ("| cold runs again; meet-mnist and recap within the machine tolerance, as MKL "
            "ran AUTO | - | no difference | yes |") in table

    assert "    | [meet-mnist](chapters/posts/meet-mnist.md) | 6.0 | 0.0 | - | - |" in table
    assert "    | [recap](recap.md) | 0.0 | 6.0 | - | - |" in table  # too quick to divide by
    assert "    | [meet-mnist](chapters/posts/meet-mnist.md) | 10.0 | 0.0 | 15.0 | 1.5 |" in table
    assert "    | [recap](recap.md) (guest) | 4.0 | 2.0 | 1.0 | 0.2 |" in table
    # 16 CPU seconds in the 10 s from the first start to the last end
    assert "used 16 CPU seconds in about 10 s: 1.60 cores busy on average" in table
    assert table.count("A guest ran at the lowest CPU priority") == 1  # a run that had one
    assert table.count("cores busy on average") == 1  # the first run has no CPU times


def test_the_run_boxes_of_the_machine_dependent_chapters_say_what_another_processor_gets(
        site):
    """The network chapters' numbers are not the same bits on an AMD processor as on an Intel
    one (How this site works); their boxes say so, from the side of the processor that made
    the page, with the tolerances the tests then use, and only theirs."""
    from snippet_engine import read_manifest

    config = PROJECT.config
    warnings = {"AMD": "On an AMD processor the networks train other weights than this page's",
                "Intel": ("This page's run had a pin that did not take (MKL_CBWR=AVX2 runs as "
                          "AUTO): on a processor where every pin takes, such as an Intel Xeon, "
                          "the networks train other weights")}
    tolerances = (f"within {config.machine_tolerance:g} of this page's and its counts "
                  f"within {config.machine_count_tolerance:.0%}")
    warned = set()
    for chapter in PROJECT.chapters():
        text = " ".join(re.sub(r"<[^>]+>", "", (site / page_url(chapter, PROJECT)
                                                / "index.html").read_text()).split())
        found = [other for other, warning in warnings.items() if warning in text]
        if found:
            warned.add(chapter)
            assert tolerances in text, chapter
            # an AMD run records the pin that did not take; the box speaks of the other side
            made_on_amd = bool(read_manifest(chapter, PROJECT).get("unpinned"))
            assert found == (["Intel"] if made_on_amd else ["AMD"]), chapter
    assert warned == set(config.machine_dependent) == {"convolutional-network",
                                                         "exercises-networks"}


def test_engine_option_shows_the_projects_setting_and_refuses_an_unknown_name():
    from site_content import engine_option

    from snippet_engine import SnippetError

    assert engine_option("machine-count-tolerance", ".0%", PROJECT) == "25%"
    assert engine_option("threads", "d", PROJECT) == str(PROJECT.config.threads)
    with pytest.raises(SnippetError, match="engine_option\\('machine-tolerence'\\): the "
                                           "engine has no such option"):
        engine_option("machine-tolerence", "g", PROJECT)


def test_the_reading_order_must_list_every_chapter_once(monkeypatch):
    """A chapter missing from READING_ORDER, one listed twice or one that does not exist
    fails the build, naming it: the order is never left to chance."""
    import course

    from snippet_engine import SnippetError

    listed = list(course.READING_ORDER)
    for broken, said in [(listed[:-1], f"does not list {listed[-1]}"),
                         (listed + listed[:1], f"names {listed[0]} twice"),
                         (listed + ["no-such-chapter"], "no chapter no-such-chapter")]:
        monkeypatch.setattr(course, "READING_ORDER", broken)
        with pytest.raises(SnippetError, match=said):
            course.course(PROJECT)
    monkeypatch.setattr(course, "READING_ORDER", listed[::-1])
    assert [c.name for c in course.course(PROJECT)] == listed[::-1]
    assert [c.number for c in course.course(PROJECT)] == list(range(1, len(listed) + 1))


def test_a_build_that_runs_no_chapter_refuses_stale_outputs(tmp_path, monkeypatch):
    """ENGINE_EXECUTE=never (what `make site` and publishing build with) never builds a
    page from outputs older than its chapter: the build stops, naming it and what changed.
    On a copy of the engine's fixture project (three chapters of a second each)."""
    import shutil

    import chapters
    from mkdocs.exceptions import PluginError

    from snippet_engine import Project, refresh

    root = tmp_path / "project"
    shutil.copytree(Path(__file__).resolve().parent / "engine" / "fixture", root)
    monkeypatch.setenv("ENGINE_CHECKPOINTS", "off")
    refresh(Project(root), jobs=1)
    monkeypatch.setattr(chapters, "ROOT", root)
    monkeypatch.setattr(chapters, "_build", getattr(chapters, "_build", None))  # put back
    monkeypatch.setenv("ENGINE_EXECUTE", "never")
    chapters.on_pre_build(None)  # all fresh: the build goes on
    script = root / "snippets" / "printing.py"
    script.write_text(script.read_text() + "\n# an edit\n")
    with pytest.raises(PluginError, match=r"outputs older than their chapter, not published: "
                       r"printing \(changed: files\.printing\.py\)"):
        chapters.on_pre_build(None)


def test_a_failed_build_keeps_the_last_good_site(tmp_path):
    """`make site` (and build, offline) builds into a fresh folder and swaps it in only when
    the build succeeded: a broken edit never takes the published site down. Driven with a
    stand-in for mkdocs that writes a page into its --site-dir, or fails half-way."""
    import os
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "mkdocs"
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "--site-dir" ]; do shift; done\n'
                    'mkdir -p "$2"; echo "$BUILD" > "$2/index.html"\n'
                    '[ -z "$FAIL" ] || exit 1\n')
    fake.chmod(0o755)
    site = tmp_path / "site"

    def make(build, fail=""):
        return subprocess.run(
            ["make", "--no-print-directory", "--old-file=.venv/installed", "site",
             f"SITE_DIR={site}", f"BIN={bin_dir}"], cwd=ROOT, capture_output=True,
            text=True, env={**os.environ, "BUILD": build, "FAIL": fail}).returncode

    assert make("first") == 0 and (site / "index.html").read_text() == "first\n"
    assert make("broken", fail="1") != 0
    assert (site / "index.html").read_text() == "first\n"  # the last good site stays
    assert (tmp_path / "site.partial" / "index.html").read_text() == "broken\n"
    assert make("second") == 0 and (site / "index.html").read_text() == "second\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "site"]
