"""``Changes``: what a core write changed, so the window refreshes what shows it."""

from __future__ import annotations

from pathlib import Path

from gongkai_desktop.changes import NOTHING, Changes, combined
from tests.plan_fixtures import make_workspace


def test_nothing_is_empty_and_false() -> None:
    assert not NOTHING and Changes() == NOTHING and combined([]) == NOTHING
    assert Changes.of_records([]) == NOTHING


def test_each_part_makes_it_true() -> None:
    for change in (Changes.of_records(["1.1.1"]), Changes.of_evidence(["1.1.1"]),
                   Changes(all_records=True), Changes(profile=True), Changes(review=True),
                   Changes(contributions=True)):
        assert change


def test_combining_keeps_every_part() -> None:
    a = Changes.of_records(["1.1.1"]) | Changes(review=True)
    b = Changes(records=frozenset({"1.2.1"}), evidence=frozenset({"1.1.1"}), profile=True)
    both = a | b
    assert both == Changes(records=frozenset({"1.1.1", "1.2.1"}),
                           evidence=frozenset({"1.1.1"}), profile=True, review=True)
    assert both == b | a and a | NOTHING == a
    assert combined([a, b, NOTHING]) == both


def test_added_files_say_which_measure_got_evidence(tmp_path: Path) -> None:
    first, twin = tmp_path / "a.pdf", tmp_path / "b.pdf"
    first.write_bytes(b"%PDF-1.4 one")
    twin.write_bytes(b"%PDF-1.4 one")
    with make_workspace(tmp_path / "ws.gkws") as ws:
        added = ws.add_evidence_files("1.1.1", [first])
        assert added.changes == Changes.of_evidence(["1.1.1"])
        again = ws.add_evidence_files("1.1.1", [twin])  # a duplicate: nothing stored
        assert again.added == () and again.changes == NOTHING

