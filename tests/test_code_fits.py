"""No code block scrolls sideways: every page of the built site, at the default content width
of a 1280 px wide Chromium window, in the light and the dark palette (issue 12, item 6).

A code block is a ``pre``, its ``code``, or a notebook cell's code or output area. Each must
be no wider inside than it is on the page (``scrollWidth <= clientWidth``), with every
collapsed solution and every tab opened. Code shown on pages is kept within 80 characters a
line (``tests/test_chapters.py`` checks snippets/); printed outputs wrap their long lines
(docs/stylesheets/output.css). A failure names the page, the block and its widest line.
"""

from test_browser import browser, pages  # noqa: F401  (browser: a fixture)

VIEWPORT = {"width": 1280, "height": 800}
BLOCKS = ", ".join([
    "pre", "pre > code",
    ".jp-InputArea-editor", ".jp-OutputArea-output",  # a notebook cell's code and outputs
])
# Collapsed solutions open, every tab's panel shown: a hidden block has no width to measure.
SHOW_ALL = """() => {
    document.querySelectorAll('details').forEach(d => d.open = true);
    const style = document.createElement('style');
    style.textContent = '.tabbed-set > .tabbed-content > .tabbed-block {display: block !important}';
    document.head.append(style);
}"""
MEASURE = """(selector) => [...document.querySelectorAll(selector)].map((block, index) => {
    // An HTML output that is a table (a pandas DataFrame) is a table, not a code block.
    const table = block.matches('.jp-OutputArea-output') && block.querySelector('table')
        && !block.querySelector('pre');
    const box = block.closest('.highlight, .jp-Cell');
    const title = box && box.querySelector('.filename');
    const lines = block.innerText.split('\\n');
    return {
        index, table,
        block: block.tagName.toLowerCase() + (block.className ? '.' +
            String(block.className).trim().split(/\\s+/).join('.') : ''),
        title: title ? title.textContent : (box && box.id) || '',
        shown: block.getClientRects().length > 0,
        scroll: block.scrollWidth, client: block.clientWidth,
        widest: lines.reduce((a, b) => (b.length > a.length ? b : a), ''),
    };
})"""


def test_no_code_block_scrolls_sideways(browser, site, site_url):  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    page = context.new_page()
    too_wide, measured, hidden = [], 0, []
    for path in pages(site):
        page.goto(f"{site_url}/{path}", wait_until="load")
        page.evaluate("document.fonts.ready")
        page.evaluate(SHOW_ALL)
        for scheme in ("default", "slate"):  # the light and the dark palette
            page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
            for block in page.evaluate(MEASURE, BLOCKS):
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
    context.close()
    assert measured > 200, f"only {measured} code blocks measured"
    assert not hidden, "blocks hidden from the measure:\n" + "\n".join(hidden)
    assert not too_wide, "code blocks that scroll sideways:\n" + "\n".join(too_wide)
