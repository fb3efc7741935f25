"""No code block scrolls sideways: every page of the built site, at the default content width
of a 1280 px wide Chromium window, in the light and the dark palette (issue 12, item 6).

A code block is a ``pre``, its ``code``, or a notebook cell's code or output area. Each must
be no wider inside than it is on the page (``scrollWidth <= clientWidth``), with every
collapsed solution and every tab opened. Code shown on pages is kept within 80 characters a
line (``tests/test_chapters.py`` checks snippets/); printed outputs wrap their long lines
(docs/stylesheets/output.css). A failure names the page, the block and its widest line.

The session's crawl (tests/site_crawl.py: its CODE_VIEWPORT, SHOW_ALL and MEASURE) visits
every page in each scheme and measures the blocks once everything has loaded.
"""

from site_crawl import CODE_VIEWPORT, PALETTES, SCHEMES


def test_no_code_block_scrolls_sideways(site_crawl):
    assert CODE_VIEWPORT["width"] == 1280  # the crawl measures as this module says
    too_wide, measured, hidden = [], 0, []
    for path in site_crawl.visits["light"]:
        for visit in (site_crawl.visits[s][path] for s in SCHEMES):
            scheme = PALETTES[visit.scheme]  # the light and the dark palette, by Material's name
            assert visit.palette == scheme, f"{path}: {visit.palette!r}, not {scheme!r}"
            for block in visit.blocks:
                if block["table"]:
                    continue
                if not block["shown"]:
                    hidden.append(f"{path}: {block['block']} #{block['index']}")
                    continue
                measured += 1
                if block["scroll"] > block["client"]:
                    too_wide.append(
                        f"{path} [{scheme}] {block['block']} #{block['index']}"
                        f" ({block['title'] or 'untitled'}): {block['scroll']} px of content"
                        f" in {block['client']} px; widest line ({len(block['widest'])}"
                        f" characters): {block['widest']!r}")
    assert measured > 200, f"only {measured} code blocks measured"
    assert not hidden, "blocks hidden from the measure:\n" + "\n".join(hidden)
    assert not too_wide, "code blocks that scroll sideways:\n" + "\n".join(too_wide)
