"""directives: {{ code(...) }}, output, figure, value and table, expanded from frozen outputs;
and, on any other page, a named chapter's figure, value and table."""

import re

import pytest
from engine_support import load_manifest

from snippet_engine import ChapterDirectives, Directives, PageDirectives, expand, unshown


def link(uri):
    return f"../../{uri}"


@pytest.fixture
def printing(frozen):
    return ChapterDirectives("printing", load_manifest(frozen, "printing"), link,
                             script=frozen.script("printing"))


@pytest.fixture
def drawing(frozen):
    return ChapterDirectives("drawing", load_manifest(frozen, "drawing"), link)


def test_the_five_directives_expand_from_frozen_outputs(printing, drawing):
    assert printing('value("n_numbers")') == "10"
    assert printing('value("mean", ".2f")') == "5.70"
    assert printing('value("label")') == "five rows"
    assert printing('code("load")') == (
        '```python title="printing.py › load"\n'
        'import numpy as np\n\n'
        'numbers = np.loadtxt("data/numbers.csv", delimiter=",")\n'
        'n_numbers = numbers.size\n'
        'mean = float(numbers.mean())\n'
        'label = "five rows"\n'
        '_hidden = 7  # private: not frozen\n'
        'print(f"{n_numbers} numbers, mean {mean:.4f}")\n```')
    assert printing('output("load")') == '```text title="Output"\n10 numbers, mean 5.7000\n```'
    assert printing('table("squares", ".2f")') == (
        "| row | x | square |\n"
        "|---|---:|---:|\n"
        "| a | 1 | 1.00 |\n"
        "| b | 2 | 4.00 |\n"
        "| c | 3 | 9.00 |")
    assert drawing('figure("lines", 2, alt="Bars of two heights", caption="Two bars.")') == (
        "![Bars of two heights](../../outputs/drawing/lines-2.light.svg#only-light)"
        "{ loading=lazy }\n"
        "![Bars of two heights](../../outputs/drawing/lines-2.dark.svg#only-dark)"
        "{ loading=lazy }\n"
        "/// caption\nTwo bars.\n///")


def test_a_figure_is_the_first_by_default_and_its_alt_text_is_made_safe(drawing):
    figure = drawing('figure("lines", alt=\'A "line" [falling]\', caption="c")')
    assert figure.startswith("![A 'line' (falling)](../../outputs/drawing/lines-1.light.svg")


def test_a_table_takes_a_format_per_column(printing):
    table = printing('table("timings", {"accuracy": ".0%"})')
    lines = table.splitlines()
    assert lines[0] == "|  | accuracy | fit seconds |"
    assert lines[2].startswith("| 0 | 50% | ")
    assert re.fullmatch(r"\| 0 \| 50% \| [0-9.e-]+ \|", lines[2])


def test_a_whole_helper_module_can_be_shown():
    directives = ChapterDirectives("x", {"sections": []}, link)
    assert directives('code("tiny_helper.py")') == (
        '```python title="tiny_helper.py"\n--8<-- "tiny_helper.py"\n```')


def test_code_is_read_from_the_script_and_gets_a_longer_fence_around_backticks(tmp_path):
    script = tmp_path / "x.py"
    script.write_text('# %% s\ntext = """\n```\n"""\n\n\n# %% t\nx = 1\n')
    manifest = {"sections": [{"name": n, "stdout": "", "figures": [], "values": {}}
                             for n in ("s", "t", "gone")]}
    directives = ChapterDirectives("x", manifest, link, script=script)
    assert directives('code("s")') == '````python title="x.py › s"\ntext = """\n```\n"""\n````'
    with pytest.raises(ValueError, match="section 'gone' is in the frozen outputs but not in "
                                         "snippets/x.py: run the chapter again"):
        directives('code("gone")')
    with pytest.raises(ValueError, match="this page has no chapter script"):
        ChapterDirectives("x", manifest, link)('code("t")')


def test_output_with_backticks_gets_a_longer_fence():
    manifest = {"sections": [{"name": "s", "stdout": "a ```` b\n", "figures": [],
                              "values": {}}]}
    assert ChapterDirectives("x", manifest, link)('output("s")') == (
        '`````text title="Output"\na ```` b\n`````')


@pytest.mark.parametrize("chapter, call, complaint", [
    ("printing", 'value("no_such_value")',
     "no value 'no_such_value' in the outputs of snippets/printing.py"),
    ("printing", 'code("no-such-section")',
     "no section 'no-such-section' in snippets/printing.py (sections: load, table, claims)"),
    ("printing", 'output("nowhere")', "no section 'nowhere'"),
    ("drawing", 'output("lines")', "section 'lines' prints nothing"),
    ("drawing", 'figure("lines", alt="Two lines")', "a figure needs alt text and a caption"),
    ("drawing", 'figure("lines", alt=" ", caption="c")', "a figure needs alt text and a caption"),
    ("drawing", 'figure("lines", 3, alt="a", caption="b")', "draws 2 figure(s), not 3"),
    ("drawing", 'figure("lines", 0, alt="a", caption="b")', "draws 2 figure(s), not 0"),
    ("printing", 'output("load") + 1', "expected a call"),
    ("printing", "value", "expected a call"),
    ("printing", 'shell("rm -rf /")', "unknown directive shell()"),
    ("printing", "value(label)", "malformed node"),  # names are not evaluated
    ("printing", 'table("label")', "'label' is not a table (a pandas DataFrame)"),
    ("printing", 'table("squares", {"nope": ".1f"})', "no column ['nope'] in squares"),
])
def test_bad_directives_are_refused(printing, drawing, chapter, call, complaint):
    directives = {"printing": printing, "drawing": drawing}[chapter]
    with pytest.raises(ValueError, match=re.escape(complaint)):
        directives(call)


def test_a_value_with_two_meanings_is_refused_and_one_repeated_is_not():
    manifest = {"sections": [
        {"name": "a", "stdout": "", "figures": [], "values": {"x": 1, "y": 2}},
        {"name": "b", "stdout": "", "figures": [], "values": {"x": 3, "y": 2}}]}
    directives = ChapterDirectives("c", manifest, link)
    assert directives('value("y")') == "2"
    with pytest.raises(ValueError, match="'x' changes between sections; give it one meaning"):
        directives('value("x")')


PAGE = '''# A page

There are {{ value("n_numbers") }} numbers.

```markdown
{{ value("n_numbers") }} stays: it is about directives
```

~~~
{{ nothing("at all") }}
~~~

Inline `{{ value("label") }}` stays too, and {{value("label")}} does not.

!!! note

    {{ output("table") }}
'''


def test_expand_replaces_directives_but_not_inside_code(printing):
    page = expand(PAGE, printing)
    assert "There are 10 numbers." in page
    assert '```markdown\n{{ value("n_numbers") }} stays: it is about directives\n```' in page
    assert '~~~\n{{ nothing("at all") }}\n~~~' in page
    assert 'Inline `{{ value("label") }}` stays too, and five rows does not.' in page


def test_a_block_keeps_the_indentation_of_its_line(printing):
    page = expand(PAGE, printing)
    block = page.split("!!! note\n\n", 1)[1]
    lines = block.splitlines()
    assert lines[:6] == [
        '    ```text title="Output"',
        "         x  square",
        "    row           ",
        "    a    1     1.0",
        "    b    2     4.0",
        "    c    3     9.0"]
    assert lines[6].split() == ["accuracy", "fit", "seconds"]  # the table with a timing
    assert lines[7].split()[:2] == ["0", "0.5"] and lines[7].startswith("    0")
    assert lines[8:] == ["    done", "    ```"]


def test_expand_names_the_directive_that_fails(printing):
    with pytest.raises(ValueError, match=re.escape(
            '{{ value("nope") }}: no value \'nope\' in the outputs')):
        expand('text {{ value("nope") }} text', printing)
    with pytest.raises(ValueError, match=re.escape('{{ value("x" }}: ')):
        expand('{{ value("x" }}', printing)  # a syntax error, as a ValueError
    with pytest.raises(ValueError, match=re.escape("{{ value(1, 2, 3) }}: ")):
        expand("{{ value(1, 2, 3) }}", printing)  # a TypeError, as a ValueError


def test_a_site_adds_its_own_directives():
    directives = Directives({"shout": lambda text, end="!": text.upper() + end})
    assert expand('{{ shout("hi") }} {{ shout("so", end="?") }}', directives) == "HI! SO?"
    chapter = ChapterDirectives("x", {"sections": []}, link, functions={"n": lambda: "7"})
    assert chapter("n()") == "7"


def test_unshown_lists_what_a_page_left_out(frozen, printing, drawing):
    expand('{{ code("load") }}\n{{ output("load") }}\n{{ code("table") }}', printing)
    assert printing.shown == {"code:load", "output:load", "code:table"}
    assert unshown(printing.manifest, printing.shown) == [
        "output:table", "claim:mean_above_five", "claim:three_squares"]

    drawing('figure("lines", 2, alt="a", caption="b")')
    assert unshown(drawing.manifest, drawing.shown) == [
        "code:lines", "figure:lines-1", "code:scatter", "figure:scatter-1", "output:scatter"]
    assert unshown(drawing.manifest, set()) == [
        "code:lines", "figure:lines-1", "figure:lines-2", "code:scatter", "figure:scatter-1",
        "output:scatter"]


def test_shown_is_collected_into_the_set_a_site_passes(frozen):
    shown = set()
    directives = ChapterDirectives("printing", load_manifest(frozen, "printing"), link, shown)
    directives('output("table")')
    assert shown == {"output:table"}


def test_any_other_page_quotes_a_named_chapters_figure_value_and_table(frozen, drawing):
    """A home page showing a chapter's figure, say: the same Markdown as on the chapter's
    page, which must still show it itself (nothing counts as shown)."""
    manifests = {c: load_manifest(frozen, c) for c in ("drawing", "printing")}
    page = PageDirectives(manifests.get, link, functions={"n": lambda: "7"})
    figure = 'figure("lines", 2, alt="Bars of two heights", caption="Two bars.")'
    assert page(figure.replace(")", ', chapter="drawing")', 1)) == drawing(figure)
    assert page('value("mean", ".2f", chapter="printing")') == "5.70"
    assert page('table("squares", ".1f", chapter="printing")').splitlines()[2] == \
        "| a | 1 | 1.0 |"
    assert page("n()") == "7"
    assert drawing.shown == {"figure:lines-2"}  # the chapter page's own call, not the page's
    with pytest.raises(ValueError, match=re.escape(
            '{{ value("mean") }}: value() on a page that is no chapter\'s own needs the '
            'chapter it quotes: value(..., chapter="...")')):
        expand('{{ value("mean") }}', page)
    with pytest.raises(ValueError, match="no frozen outputs of a chapter named 'nowhere'"):
        page('value("mean", chapter="nowhere")')
    with pytest.raises(ValueError, match=re.escape("unknown directive code()")):
        page('code("load", chapter="printing")')  # a page shows no other chapter's code
