"""Page directives: ``{{ name(args) }}`` in a page's Markdown, expanded from frozen outputs.

A chapter page has five: ``code("section")`` (the section's code, read from the script,
so the page shows the very lines that ran; ``code("helper.py")`` a whole helper module,
through ``pymdownx.snippets``), ``output("section")``,
``figure("section", n, alt=..., caption=...)``, ``value("name", "format spec")`` and
``table("name", spec)``, and ``claim("name")``: a sentence's claim about the run, checked
(it renders as nothing; the build fails naming the sentence where the claim does not hold,
and warns where the page cites none of a chapter's claims). Any other page may quote a chapter's ``figure``, ``value`` and
``table``, naming it: ``figure("ladder", chapter="recap", alt=..., caption=...)``
(``PageDirectives``). A site adds its own (``Directives(functions={...})``). Arguments are
Python literals; nothing else is evaluated. Directives inside code (fenced or inline) are
text about directives, and stay as they are.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .sections import parse_sections

CODE_OR_DIRECTIVE = re.compile(
    r"^(?P<fence>[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\2[ \t]*$)"
    r"|(?P<inline>`[^`\n]+`)|\{\{(?P<call>.+?)\}\}", re.DOTALL | re.MULTILINE)


def expand(markdown: str, directives) -> str:
    """Replace every directive; a block keeps the indentation of the line it sits on, so
    that it stays inside an admonition or a tab. Errors name the directive."""
    def replace(match):
        if match["call"] is None:
            return match[0]
        try:
            text = directives(match["call"])
        except (ValueError, SyntaxError, TypeError) as error:
            raise ValueError(f"{{{{{match['call']}}}}}: {error} "
                             f"(in: \"{_sentence(markdown, match)}\")") from None
        line_start = markdown.rfind("\n", 0, match.start()) + 1
        indent = re.match(r"[ \t]*", markdown[line_start:match.start()])[0]
        return text.replace("\n", "\n" + indent)

    return CODE_OR_DIRECTIVE.sub(replace, markdown)


def _sentence(markdown: str, match) -> str:
    """The paragraph around a directive, on one line (an error message quotes it)."""
    start = markdown.rfind("\n\n", 0, match.start()) + 2
    end = markdown.find("\n\n", match.end())
    text = " ".join(markdown[start:end if end >= 0 else None].split())
    return text if len(text) <= 300 else text[:297] + "..."


class Directives:
    """Directives by name: ``functions`` maps a name to a function returning Markdown."""

    def __init__(self, functions: dict | None = None):
        self.functions = dict(functions or {})

    def __call__(self, source: str) -> str:
        call = ast.parse(source.strip(), mode="eval").body
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            raise ValueError("expected a call such as value(\"name\")")
        function = self.functions.get(call.func.id)
        if function is None:
            raise ValueError(f"unknown directive {call.func.id}()")
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        return function(*args, **kwargs)


class ChapterDirectives(Directives):
    """The directives of one chapter's page, from its manifest. ``link(uri)`` makes a site
    path relative to the page; ``shown`` collects what the page embedded (``"code:name"``,
    ``"output:name"``, ``"figure:name"``), so a build can warn about what it left out."""

    def __init__(self, chapter: str, manifest: dict, link, shown: set | None = None,
                 functions: dict | None = None, script: Path | None = None):
        self.chapter, self.manifest, self.link, self.script = chapter, manifest, link, script
        self.shown = shown if shown is not None else set()
        self.sections = {s["name"]: s for s in manifest["sections"]}
        super().__init__({"code": self.code, "output": self.output, "figure": self.figure,
                          "value": self.format_value, "table": self.table, "claim": self.claim,
                          **(functions or {})})

    def section(self, name: str) -> dict:
        if name not in self.sections:
            raise ValueError(f"no section '{name}' in snippets/{self.chapter}.py "
                             f"(sections: {', '.join(self.sections)})")
        return self.sections[name]

    def code(self, name: str) -> str:
        if name.endswith(".py"):  # a whole helper module
            return f'```python title="{name}"\n--8<-- "{name}"\n```'
        self.section(name)
        if self.script is None:
            raise ValueError(f"code(\"{name}\"): this page has no chapter script to read")
        sections = {s.name: s for s in parse_sections(self.script,
                                                      f"snippets/{self.chapter}.py")}
        if name not in sections:
            raise ValueError(f"section '{name}' is in the frozen outputs but not in "
                             f"snippets/{self.chapter}.py: run the chapter again")
        if sections[name].site:
            raise ValueError(f"section '{name}' is tagged \"site\": a page shows only the code "
                             "a reader runs (show its values with value() or table())")
        code = {n: s.code for n, s in sections.items()}
        self.shown.add(f"code:{name}")
        text = code[name].rstrip("\n")
        fence = _fence(text)
        return f'{fence}python title="{self.chapter}.py › {name}"\n{text}\n{fence}'

    def output(self, name: str) -> str:
        text = self.section(name)["stdout"]
        if not text:
            raise ValueError(f"section '{name}' prints nothing")
        self.shown.add(f"output:{name}")
        fence = _fence(text)
        return f'{fence}text title="Output"\n{text.rstrip()}\n{fence}'

    def figure(self, name: str, number: int = 1, *, alt: str = "", caption: str = "") -> str:
        figures = self.section(name)["figures"]
        if not 1 <= number <= len(figures):
            raise ValueError(f"section '{name}' draws {len(figures)} figure(s), not {number}")
        if not alt.strip() or not caption.strip():
            raise ValueError("a figure needs alt text and a caption: alt=\"...\", caption=\"...\"")
        figure = figures[number - 1]
        self.shown.add(f"figure:{figure}")
        alt = alt.replace("[", "(").replace("]", ")").replace('"', "'")
        base = self.link(f"outputs/{self.chapter}/{figure}")
        return (f"![{alt}]({base}.light.svg#only-light){{ loading=lazy }}\n"
                f"![{alt}]({base}.dark.svg#only-dark){{ loading=lazy }}\n"
                f"/// caption\n{caption}\n///")

    def value(self, name: str):
        hits = [s["values"][name] for s in self.manifest["sections"] if name in s["values"]]
        if not hits:
            raise ValueError(f"no value '{name}' in the outputs of snippets/{self.chapter}.py")
        if len(hits) > 1 and any(h != hits[0] for h in hits):
            raise ValueError(f"'{name}' changes between sections; give it one meaning")
        return hits[0]

    def format_value(self, name: str, spec: str = "") -> str:
        return format(self.value(name), spec)

    def claim(self, name: str) -> str:
        """Nothing, if the claim holds in the frozen run; else the build stops here."""
        claims = self.manifest.get("claims", {})
        if name not in claims:
            raise ValueError(f"no claim '{name}' in the outputs of snippets/{self.chapter}.py"
                             f" (claims: {', '.join(claims) or 'none'})")
        if claims[name] is not True:
            raise ValueError(f"claim '{name}' of snippets/{self.chapter}.py does not hold in "
                             "its run: the sentence that cites it is false; rewrite the "
                             "sentence and its claim")
        self.shown.add(f"claim:{name}")
        return ""

    def table(self, name: str, spec: str | dict = "") -> str:
        """A DataFrame as a Markdown table; ``spec`` formats floats, or per column as a dict."""
        value = self.value(name)
        if not (isinstance(value, dict) and "table" in value):
            raise ValueError(f"'{name}' is not a table (a pandas DataFrame)")
        table = value["table"]
        specs = spec if isinstance(spec, dict) else {c: spec for c in table["columns"]}
        if set(specs) - set(table["columns"]):
            raise ValueError(f"no column {sorted(set(specs) - set(table['columns']))} in {name}")

        def cell(v, column):
            return format(v, specs.get(column, "")) if isinstance(v, float) else str(v)

        lines = [f"| {table.get('index_name', '')} | " + " | ".join(table["columns"]) + " |",
                 "|---|" + "---:|" * len(table["columns"])]
        for index, row in zip(table["index"], table["rows"]):
            cells = " | ".join(cell(v, c) for v, c in zip(row, table["columns"]))
            lines.append(f"| {index} | {cells} |")
        return "\n".join(lines)


class PageDirectives(Directives):
    """The directives of a page that is no chapter's own: ``figure``, ``value`` and ``table``
    as on a chapter page, of the chapter named by a ``chapter=`` argument, whose manifest
    ``manifest_of(chapter)`` gives (None if it has no frozen outputs). What such a page
    quotes does not count as shown: the chapter's own page must still show it."""

    QUOTED = {"figure": "figure", "value": "format_value", "table": "table",
              "claim": "claim"}

    def __init__(self, manifest_of, link, functions: dict | None = None):
        self.manifest_of, self.link = manifest_of, link
        quoting = {name: self._quoting(name, method) for name, method in self.QUOTED.items()}
        super().__init__({**quoting, **(functions or {})})

    def _quoting(self, name: str, method: str):
        def directive(*args, chapter: str | None = None, **kwargs):
            if chapter is None:
                raise ValueError(f"{name}() on a page that is no chapter's own needs the "
                                 f"chapter it quotes: {name}(..., chapter=\"...\")")
            manifest = self.manifest_of(chapter)
            if manifest is None:
                raise ValueError(f"no frozen outputs of a chapter named {chapter!r}")
            quoted = ChapterDirectives(chapter, manifest, self.link)
            return getattr(quoted, method)(*args, **kwargs)
        return directive


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``."""
    return "`" * max(3, 1 + max((len(m) for m in re.findall("`+", text)), default=0))


def unshown(manifest: dict, shown: set) -> list[str]:
    """What a chapter prints or draws that its page does not embed (the code of a site
    section is never shown)."""
    missing = []
    for s in manifest["sections"]:
        wanted = [] if s.get("site") else [f"code:{s['name']}"]
        wanted += [f"figure:{f}" for f in s["figures"]]
        wanted += [f"output:{s['name']}"] if s["stdout"] else []
        missing += [w for w in wanted if w not in shown]
    return missing + [f"claim:{c}" for c in manifest.get("claims", {})
                      if f"claim:{c}" not in shown]
