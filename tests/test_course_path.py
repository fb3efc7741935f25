"""The site read as a course, in Chromium: from the home page, "next" links alone visit every
chapter once, in reading order (course.READING_ORDER, the one list of the chapters), then
the recap, then the leaderboard; and every exercise set is linked from the chapters it
practises and links back to them.

The expected order is the list itself, not what the hook computes from it, so that a hook
that numbered or linked the chapters otherwise fails. A screenshot of a chapter's ending
goes to test-artifacts/chapter-ending.png.
"""

from urllib.parse import urldefrag

from site_support import PROJECT, ROOT
from course import exercise_sets
from test_browser import Visit

ENDING_SCREENSHOT = ROOT / "test-artifacts" / "chapter-ending.png"


def reading_order() -> list[str]:
    """The course's chapters in reading order: the one list of them (hooks/course.py)."""
    from course import READING_ORDER

    return list(READING_ORDER)


def follow(page, link) -> None:
    """Click a link as a reader would and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        link.click()


def hrefs(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(a => a.href)")


def test_next_links_walk_the_course_and_every_exercise_set_links_back(browser, site_url):
    order = reading_order()
    assert len(order) >= 8
    chapter_url = {name: f"{site_url}/chapters/{name}/" for name in order}
    exercise_url = {name: f"{site_url}/exercises/{name}/" for name in exercise_sets(PROJECT)}

    visit = Visit(browser, f"{site_url}/")
    page = visit.page
    # The home page's first link to a chapter starts the course; then "next" links alone.
    links = hrefs(page, "article a[href]")
    starts = [at for at, href in enumerate(links) if href in chapter_url.values()]
    assert starts, "the home page links no chapter"
    follow(page, page.locator("article a[href]").nth(starts[0]))

    visited, practised_by = [], {}  # exercise set URL -> chapter URLs that link it
    while page.url in chapter_url.values():
        number = len(visited) + 1
        assert page.url not in visited, f"{page.url} visited twice: {visited}"
        title = page.locator("article h1").first.inner_text()
        assert title.startswith(f"Chapter {number} · "), (page.url, title)
        previous = hrefs(page, "article a[rel='prev']")
        assert previous == visited[-1:], f"{page.url}: previous links {previous}"
        for link in hrefs(page, "article .course-path a.course-practice"):
            practised_by.setdefault(link, []).append(page.url)
        if number == 3:  # a chapter in the middle: its ending, for a person to look at
            ENDING_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.locator("article .course-path").scroll_into_view_if_needed()
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.screenshot(path=str(ENDING_SCREENSHOT))
        visited.append(page.url)
        next_links = page.locator("article a[rel='next']")
        assert next_links.count() == 1, f"{page.url} has {next_links.count()} next links"
        follow(page, next_links)

    assert visited == [chapter_url[name] for name in order], \
        "the next links did not visit every chapter once, in reading order"
    assert page.url == f"{site_url}/recap/", f"the last chapter leads to {page.url}"
    # The recap closes the course and leads on to the leaderboard.
    next_links = page.locator("article a[rel='next']")
    assert next_links.count() == 1, f"the recap has {next_links.count()} next links"
    follow(page, next_links)
    assert page.url == f"{site_url}/leaderboard/", f"the recap leads to {page.url}"
    assert ENDING_SCREENSHOT.stat().st_size > 20_000

    # Every exercise set is linked from a chapter page, reached by clicking that link, and
    # links back to exactly the chapters that link to it, in reading order.
    assert sorted(practised_by) == sorted(exercise_url.values()), practised_by
    for name, url in exercise_url.items():
        page.goto(practised_by[url][0], wait_until="load")
        follow(page, page.locator(f"article .course-path a.course-practice[href$='/{name}/']"))
        assert page.url == url
        back = hrefs(page, "article .course-path a.course-chapter")
        assert back == practised_by[url], f"{name} links back to {back}"
        for anchor in hrefs(page, "article .course-path a[href*='#']"):
            target, fragment = urldefrag(anchor)
            assert target == url and page.locator(f"[id='{fragment}']").count() == 1, anchor

    # The chapter index lists the chapters in reading order too, oldest first.
    page.goto(f"{site_url}/chapters/", wait_until="load")
    listed = hrefs(page, ".md-post--excerpt h2 a")
    assert listed == [chapter_url[name] for name in order], listed
    assert not visit.errors, visit.errors
    visit.close()

