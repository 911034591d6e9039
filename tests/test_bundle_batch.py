"""The import window's batch preview, in the core: files grouped into bundles, one
verdict per file, nothing written, and a hostile file never stops the others."""

from __future__ import annotations

import random
from pathlib import Path

from gongkai_desktop.bundle.batch import preview_bundles
from gongkai_desktop.bundle.import_batch import apply_previews
from tests.bundle_fixtures import (
    UNIT_B,
    copy,
    dump,
    export,
    fill_a,
    fill_b,
    make_supervisor,
    make_unit,
)

MB = 1024 * 1024


def test_parts_group_bad_files_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with make_unit(tmp_path / "a.gkws") as a, make_unit(tmp_path / "b.gkws", UNIT_B) as b, \
            make_supervisor(tmp_path / "sup.gkws") as sup:
        fill_a(a)
        fill_b(b)
        a.add_evidence_bytes("2.1.2", random.Random(5).randbytes(3 * MB), "现场视频.mp4")
        split = export(a, tmp_path / "a.gkbundle", max_part_bytes=2 * MB).files
        whole = export(b, tmp_path / "b.gkbundle").files
        junk = tmp_path / "junk.gkbundle"
        junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
        (tmp_path / "again").mkdir()
        repeat = copy(whole[0], tmp_path / "again" / whole[0].name)
        before = dump(sup)
        files = [*split, junk, *whole, repeat]
        rows = preview_bundles(sup, files)
        assert [r.path for r in rows] == files
        assert len(split) > 1 and len({r.group for r in rows[:len(split)]}) == 1
        assert all(r.preview is rows[0].preview for r in rows[:len(split)])
        assert rows[len(split)].error and rows[len(split)].preview is None  # junk
        assert rows[-1].group != rows[-2].group  # a second copy is checked on its own
        assert all(r.preview is not None for r in rows if r.path != junk)
        assert dump(sup) == before
        previews = {r.preview.bundle_hash: r.preview for r in rows if r.preview}
        accepted = {(p.unit.id, p.trust.cert.fingerprint) for p in previews.values()}
        results = apply_previews(sup, list(previews.values()), accepted=accepted, actor="王五")
        assert {r.outcome.value for r in results.values()} <= {"imported", "already"}


def test_a_batch_is_listed_by_unit_oldest_first_unread_files_last() -> None:
    from gongkai_desktop.bundle.batch import batch_order, outcome_sentence, state_text
    from gongkai_desktop.bundle.importer import Outcome

    keys = [("涪陵区", "500102", 2), None, ("万州区", "500101", 3), ("涪陵区", "500102", 1),
            None]
    assert batch_order(keys) == [2, 3, 0, 1, 4]
    assert state_text(Outcome.REFUSED, "签名无效") == "已拒绝：签名无效"
    assert state_text(Outcome.ALREADY) == Outcome.ALREADY.label == "已有（未更改）"
    assert state_text(Outcome.READY, needs_key=True, first_contact=True) \
        == "需核对证书指纹（首次收到）"
    assert outcome_sentence([Outcome.IMPORTED, Outcome.REFUSED, Outcome.ALREADY]) \
        == "共 3 个文件：已导入 1 个，已有（未更改）1 个，拒绝 1 个。"


def test_the_count_sentence_closes_a_batch_only() -> None:
    """One file's own line says it all; a batch's count adds what the lines do not."""
    from gongkai_desktop.bundle.batch import closing_sentence, outcome_sentence
    from gongkai_desktop.bundle.importer import Outcome

    assert closing_sentence([Outcome.REFUSED]) is None
    assert closing_sentence([Outcome.ALREADY]) is None
    batch = [Outcome.IMPORTED, Outcome.REFUSED]
    assert closing_sentence(batch) == outcome_sentence(batch) \
        == "共 2 个文件：已导入 1 个，已有（未更改）0 个，拒绝 1 个。"
