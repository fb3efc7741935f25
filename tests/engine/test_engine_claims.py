"""Claims: what a page's sentences state about a run (``claims = {...}`` in a chapter, cited
with ``{{ claim("name") }}``), frozen in the manifest's ``claims`` and checked by every
build. The mutation tests: a claim turned false by a re-run stops the build, naming the
chapter, the claim and its sentence; one turned true by hand makes the chapter stale."""

import pytest
from engine_support import edit, load_manifest, save_manifest

from snippet_engine import (ChapterDirectives, PageDirectives, SnippetError, check_chapters,
                            expand, refresh, stale, unshown)

PAGE = """# Printing

The numbers average above five.{{ claim("mean_above_five") }} Nothing else is said.

There are three squares.{{ claim("three_squares") }}
"""


def link(uri):
    return f"../../{uri}"


def directives(project):
    return ChapterDirectives("printing", load_manifest(project, "printing"), link,
                             script=project.script("printing"))


def test_claims_are_frozen_in_the_manifest_and_not_among_the_values(frozen):
    manifest = load_manifest(frozen, "printing")
    assert manifest["claims"] == {"mean_above_five": True, "three_squares": True}
    claims_section = next(s for s in manifest["sections"] if s["name"] == "claims")
    assert claims_section["site"] is True and "claims" not in claims_section["values"]
    assert "claims" in manifest["outputs"]  # fingerprinted, as the sections are


def test_a_page_citing_claims_that_hold_shows_nothing_for_them(frozen):
    page = directives(frozen)
    text = expand(PAGE, page)
    assert "The numbers average above five. Nothing else is said." in text
    assert "There are three squares.\n" in text
    assert {"claim:mean_above_five", "claim:three_squares"} <= page.shown
    assert not [u for u in unshown(page.manifest, page.shown) if u.startswith("claim:")]


def test_an_uncited_claim_is_reported_as_not_shown(frozen):
    page = directives(frozen)
    expand("There are three squares.{{ claim(\"three_squares\") }}", page)
    assert "claim:mean_above_five" in unshown(page.manifest, page.shown)
    assert "claim:three_squares" not in unshown(page.manifest, page.shown)


def test_a_claim_that_a_rerun_turns_false_stops_the_build_naming_its_sentence(project):
    edit(project.script("printing"), '"mean_above_five": mean > 5',
         '"mean_above_five": mean > 6')
    assert refresh(project, ["printing"]) == ["printing"]
    assert load_manifest(project, "printing")["claims"]["mean_above_five"] is False

    with pytest.raises(ValueError) as raised:
        expand(PAGE, directives(project))
    message = str(raised.value)
    assert message.startswith('{{ claim("mean_above_five") }}: claim \'mean_above_five\' of '
                              "snippets/printing.py does not hold in its run")
    assert ('(in: "The numbers average above five.{{ claim("mean_above_five") }} Nothing '
            'else is said.")') in message
    expand('There are three squares.{{ claim("three_squares") }}', directives(project))


def test_a_check_reports_a_claim_that_flipped_since_the_frozen_run(project):
    edit(project.script("printing"), "len(squares) == 3", "len(squares) == 4")
    found = check_chapters(project, ["printing"])["printing"]
    assert "printing: claim three_squares holds in the frozen run, does not hold in this " \
           "one" in found


def test_a_claim_edited_by_hand_makes_the_chapter_stale(project):
    manifest = load_manifest(project, "printing")
    manifest["claims"]["three_squares"] = False
    save_manifest(project, "printing", manifest)
    assert stale(project, ["printing"]) == ["printing"]


def test_a_claim_must_be_a_bool_and_named_once(project):
    edit(project.script("printing"), "len(squares) == 3", "len(squares)")
    with pytest.raises(SnippetError, match=r"snippets/printing\.py:\d+: claims\['three_squares'\]"
                                           r" is 3: a claim is a bool"):
        refresh(project, ["printing"], mode="always")

    edit(project.script("printing"), '"three_squares": len(squares)}',
         '"three_squares": True}\nclaims_again = claims')
    edit(project.script("printing"), 'print("done")',
         'print("done")\nclaims = {"three_squares": True}')
    with pytest.raises(SnippetError, match="claim 'three_squares' is made twice"):
        refresh(project, ["printing"], mode="always")


def test_an_unknown_claim_lists_the_chapters_claims(frozen):
    with pytest.raises(ValueError, match="no claim 'most' in the outputs of snippets/printing.py"
                                         r" \(claims: mean_above_five, three_squares\)"):
        directives(frozen)('claim("most")')


def test_another_page_may_cite_a_chapters_claim(frozen):
    page = PageDirectives(lambda chapter: load_manifest(frozen, chapter), link)
    assert page('claim("three_squares", chapter="printing")') == ""
    with pytest.raises(ValueError, match="needs the chapter it quotes"):
        page('claim("three_squares")')
