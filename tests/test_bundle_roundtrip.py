"""Two units export, one supervising office imports: everything arrives, exactly once."""

from __future__ import annotations

import hashlib
import io
import os
import random
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from gongkai_desktop.bundle.export import (
    ExportOptions,
    default_bundle_name,
    estimate_export,
    export_bundle,
    set_mail_limit_mb,
)
from gongkai_desktop.bundle.import_batch import bundle_files_in, import_bundles
from gongkai_desktop.bundle.importer import Outcome, apply_import, import_bundle, preview_import
from gongkai_desktop.bundle.receipt import export_history
from gongkai_desktop.bundle.shrink import LONG_SIDE, prepare_shrink, shrink_image
from gongkai_desktop.bundle.verify import verify_bundle
from gongkai_desktop.errors import Cancelled, UnsafeInput
from gongkai_desktop.model import Status
from gongkai_desktop.storage import Workspace
from gongkai_desktop.storage.wsconn import reading
from gongkai_desktop.supervisor.store import SupervisorView
from tests.bundle_fixtures import (
    PDF_PROOF,
    SHARED_PHOTO,
    UNIT_A,
    dump,
    export,
    jpeg,
    key_of,
    keys_in,
)

MB = 1024 * 1024


def _blob(view: SupervisorView, sha: str) -> bytes:
    return b"".join(view.iter_blob(sha))


def test_two_units_arrive_complete(tmp_path: Path, unit_a: Workspace, unit_b: Workspace,
                                   sup: Workspace) -> None:
    a = export(unit_a, tmp_path / default_bundle_name("万州区"))
    b = export(unit_b, tmp_path / "涪陵区.gkbundle")
    assert a.files[0].name.startswith("万州区-自查-") and a.files[0].suffix == ".gkbundle"
    both = [a.files[0], b.files[0]]
    results = import_bundles(sup, both, accept_keys=keys_in(both))
    assert [r.outcome for r in results] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert "万州区" in results[0].message and "序号 1" in results[0].message
    view = SupervisorView(sup)
    assert [u.unit.name for u in view.units()] == ["万州区", "涪陵区"]
    for ws in (unit_a, unit_b):
        unit_id = ws.unit.id
        assert view.records(unit_id) == ws.records()
        theirs = ws.evidence()
        ours = view.evidence(unit_id)
        assert [(e.id, e.measure_id, e.kind, e.file_name, e.sha256, e.url, e.title)
                for e in ours] == [(e.id, e.measure_id, e.kind, e.file_name, e.sha256, e.url,
                                    e.title) for e in theirs]
        for item in ours:
            if item.is_file:
                assert item.has_content
                assert _blob(view, item.sha256 or "") == ws.read_blob(item.sha256 or "", MB)
        # A bundle is the workspace as it was: the row recording this export comes after.
        assert [(x.action, x.field, x.new) for x in view.audit_log(unit_id)] == [
            (x.action, x.field, x.new) for x in ws.audit_log()][:-1]
        assert ws.audit_log()[-1].action == "export_bundle"
        imported = view.unit(unit_id)
        assert (imported.officer, imported.phone, imported.sequence) == (
            "张三", "023-12345678", 1)
    # The photo both units sent is stored once.
    with reading(sup) as conn:
        assert conn.execute("SELECT count(*) FROM sup_blobs").fetchone()[0] == 2
    shared = hashlib.sha256(SHARED_PHOTO).hexdigest()
    assert _blob(view, shared) == SHARED_PHOTO


def test_importing_the_same_bundle_again_changes_nothing(tmp_path: Path, unit_a: Workspace,
                                                         sup: Workspace) -> None:
    a = export(unit_a, tmp_path / "a.gkbundle")
    assert import_bundle(sup, a.files, accept_new_key=True).outcome is Outcome.IMPORTED
    before = dump(sup)
    again = import_bundles(sup, [a.files[0]], accept_keys=keys_in([a.files[0]]))
    assert again[0].outcome is Outcome.ALREADY
    assert again[0].message == "已有（未更改）：万州区，序号 1"  # the window's words first
    preview = preview_import(sup, a.files)
    assert preview.outcome is Outcome.ALREADY and "不会改动" in preview.summary()
    assert apply_import(sup, preview, accept_new_key=True).outcome is Outcome.ALREADY
    assert dump(sup) == before


def test_newer_bundle_replaces_and_preview_lists_the_changes(
        tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    first = export(unit_a, tmp_path / "1.gkbundle")
    import_bundle(sup, first.files, accept_new_key=True)
    unit_a.update_record("2.1.2", status=Status.DONE, explanation="专区已建成", actor="张三")
    pdf_item = next(e for e in unit_a.evidence("1.1.2") if e.file_name.endswith(".pdf"))
    unit_a.remove_evidence(pdf_item.id, actor="张三")
    second = export(unit_a, tmp_path / "2.gkbundle")
    assert second.sequence == 2
    preview = preview_import(sup, second.files)
    assert preview.outcome is Outcome.READY and preview.previous_sequence == 1
    changed = {c.measure_id: c for c in preview.changes}
    assert set(changed) == {"1.1.2", "2.1.2"}
    assert changed["2.1.2"].fields == ("status", "explanation")
    assert (changed["2.1.2"].old_status, changed["2.1.2"].new_status) == (
        Status.IN_PROGRESS, Status.DONE)
    assert changed["1.1.2"].fields == ("evidence",) and changed["1.1.2"].evidence_removed == 1
    assert changed["2.1.2"].describe() == "完成状态：推进中→已完成；完成情况说明"
    assert changed["1.1.2"].describe() == "佐证材料 +0 −1"
    assert "2 项举措有变化" in preview.summary()
    result = apply_import(sup, preview, accept_new_key=True)
    assert result.outcome is Outcome.IMPORTED and result.changed_measures == 2
    view = SupervisorView(sup)
    assert view.record("500101", "2.1.2").status is Status.DONE
    assert view.unit("500101").sequence == 2
    # The content nobody refers to any more is gone from the supervisor's store.
    with reading(sup) as conn:
        shas = {r[0] for r in conn.execute("SELECT sha256 FROM sup_blobs")}
    assert hashlib.sha256(PDF_PROOF).hexdigest() not in shas
    assert [b.sequence for b in view.bundles("500101")] == [1, 2]


def test_first_preview_shows_unit_date_and_every_filled_measure(
        tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    a = export(unit_a, tmp_path / "a.gkbundle")
    preview = preview_import(sup, a.files)
    assert preview.unit.name == "万州区" and preview.sequence == 1
    assert preview.exported_at == a.exported_at and preview.previous_sequence is None
    assert [c.measure_id for c in preview.changes] == ["1.1.2", "2.1.1", "2.1.2"]
    assert all(c.old_status is None for c in preview.changes)
    assert (preview.records, preview.evidence_files, preview.evidence_links) == (5, 2, 1)
    assert dump(sup) == dump(sup)  # a preview writes nothing
    with reading(sup) as conn:
        assert conn.execute("SELECT count(*) FROM sup_units").fetchone()[0] == 0


def test_split_bundle_parts_stay_under_the_limit_and_import_together(
        tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    big = random.Random(5).randbytes(5 * MB + 12345)
    unit_a.add_evidence_bytes("2.1.2", big, "现场视频.mp4")
    limit = 2 * MB
    result = export(unit_a, tmp_path / "万州区.gkbundle", max_part_bytes=limit)
    assert result.parts >= 3
    n = result.parts
    assert [f.name for f in result.files][:2] == [f"万州区.part1of{n}.gkbundle",
                                                  f"万州区.part2of{n}.gkbundle"]
    assert all(f.stat().st_size <= limit for f in result.files)
    with pytest.raises(UnsafeInput, match="缺少第2部分"):
        preview_import(sup, [result.files[0], *result.files[2:]])
    shuffled = list(reversed(result.files))
    rows = import_bundles(sup, shuffled, accept_keys=keys_in(shuffled))
    assert [r.outcome for r in rows] == [Outcome.IMPORTED] * len(shuffled)
    assert [r.path for r in rows] == shuffled
    view = SupervisorView(sup)
    video = next(e for e in view.evidence("500101") if e.file_name == "现场视频.mp4")
    assert _blob(view, video.sha256 or "") == big
    assert verify_bundle(result.files).content_bytes == sum(
        e.size or 0 for e in {e.sha256: e for e in unit_a.evidence() if e.is_file}.values())


def test_evidence_free_bundle_lists_files_and_keeps_content_received_before(
        tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    light = export(unit_a, tmp_path / "light.gkbundle", include_evidence=False)
    full_size = export(unit_a, tmp_path / "full.gkbundle").size
    assert light.size < full_size and light.blob_count == 0
    import_bundle(sup, light.files, accept_new_key=True)
    view = SupervisorView(sup)
    files = [e for e in view.evidence("500101") if e.is_file]
    assert files and not any(e.has_content for e in files)
    import_bundle(sup, [tmp_path / "full.gkbundle"], accept_new_key=True)
    assert all(e.has_content for e in view.evidence("500101") if e.is_file)
    unit_a.update_record("2.1.2", explanation="更新了说明", actor="张三")
    import_bundle(sup, export(unit_a, tmp_path / "light2.gkbundle",
                              include_evidence=False).files, accept_new_key=True)
    # Unchanged files keep the content received with the earlier full bundle.
    assert all(e.has_content for e in view.evidence("500101") if e.is_file)
    assert "不含佐证文件" in " ".join(preview_import(sup, light.files).warnings)


def test_shrinking_photos_keeps_orientation_and_reports_the_saving(
        tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    # A portrait photo stored sideways with EXIF orientation 6 (rotate 90° to show it).
    photo = jpeg(3000, 2000, orientation=6)
    small = jpeg(800, 600)
    unit_a.add_evidence_bytes("2.1.2", photo, "现场照片.jpg")
    unit_a.add_evidence_bytes("2.1.2", small, "小照片.jpg")
    with prepare_shrink(unit_a) as plan:
        assert plan.images == 3 and plan.shrunk == 1  # with the small PNG of fill_a
        assert plan.bytes_before == len(photo) and 0 < plan.saved < len(photo)
        saved = plan.saved
        result = export_bundle(unit_a, tmp_path / "s.gkbundle", key_of(UNIT_A),
                               ExportOptions(shrink_images=True), shrink=plan)
    assert not plan.folder.exists()  # the temporary copies are gone
    assert result.shrunk_images == 1 and result.bytes_saved == saved
    import_bundle(sup, result.files, accept_new_key=True)
    view = SupervisorView(sup)
    items = {e.file_name: e for e in view.evidence("500101")}
    sent = items["现场照片.jpg"]
    assert sent.shrunk and sent.original_size == len(photo)
    assert sent.original_sha256 == hashlib.sha256(photo).hexdigest()
    with Image.open(io.BytesIO(_blob(view, sent.sha256 or ""))) as img:
        assert img.size == (LONG_SIDE * 2000 // 3000, LONG_SIDE)  # upright: taller than wide
        assert img.getexif().get(0x0112) in (None, 1)
    assert not items["小照片.jpg"].shrunk
    assert _blob(view, items["小照片.jpg"].sha256 or "") == small


def test_shrinking_never_enlarges() -> None:
    assert shrink_image(jpeg(1600, 1200), "image/jpeg") is None  # small enough already
    assert shrink_image(b"not an image at all", "image/jpeg") is None
    assert shrink_image(jpeg(2500, 100), "application/pdf") is None
    flat = Image.new("RGB", (4000, 10), "white")
    buffer = io.BytesIO()
    flat.save(buffer, "PNG")
    data = buffer.getvalue()
    result = shrink_image(data, "image/png")
    assert result is None or len(result) < len(data)


def test_estimate_and_mail_limit(tmp_path: Path, unit_a: Workspace) -> None:
    unit_a.add_evidence_bytes("2.1.2", os.urandom(3 * MB), "材料.bin")
    estimate = estimate_export(unit_a)
    assert estimate.mail_limit == 20 * MB and not estimate.exceeds_mail_limit
    assert estimate.blob_count == 3 and estimate.evidence_links == 1
    set_mail_limit_mb(unit_a, 2)
    estimate = estimate_export(unit_a)
    assert estimate.exceeds_mail_limit and estimate.parts_needed() >= 2
    result = export(unit_a, tmp_path / "x.gkbundle")
    assert abs(result.size - estimate.estimated_bytes) < 0.1 * result.size
    assert any("超过邮件附件上限 2 MB" in w for w in result.warnings)
    assert estimate.estimated_bytes_without_evidence < MB


@pytest.mark.parametrize("limit_mb", [2, 3, 5])
def test_the_dialogs_part_count_is_what_the_export_writes(tmp_path: Path, unit_a: Workspace,
                                                          limit_mb: int) -> None:
    unit_a.add_evidence_bytes("2.1.2", os.urandom(5 * MB + 12345), "录像.bin")
    for n in range(5):
        unit_a.add_evidence_bytes("2.1.2", os.urandom(300_000), f"照片{n}.bin")
    predicted = estimate_export(unit_a).parts_needed(limit_mb * MB)
    result = export(unit_a, tmp_path / f"{limit_mb}.gkbundle", max_part_bytes=limit_mb * MB)
    assert result.parts == predicted
    assert all(f.stat().st_size <= limit_mb * MB for f in result.files)


def test_export_memory_stays_flat(tmp_path: Path, unit_a: Workspace) -> None:
    for n in range(6):
        unit_a.add_evidence_bytes("2.1.2", os.urandom(5 * MB), f"大文件{n}.bin")
    tracemalloc.start()
    try:
        result = export(unit_a, tmp_path / "big.gkbundle")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.blob_bytes > 30 * MB
    assert peak < 8 * MB  # a few chunks, never the evidence as a whole


def test_cancelled_export_leaves_no_file(tmp_path: Path, unit_a: Workspace) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        export_bundle(unit_a, out / "a.gkbundle", key_of(UNIT_A), progress=lambda d, t: d < 3)
    assert list(out.iterdir()) == []
    assert export_history(unit_a) == []  # the number is recorded only with a finished bundle
    assert export(unit_a, out / "b.gkbundle").sequence == 1


def test_sequence_grows_and_history_records_each_export(tmp_path: Path,
                                                        unit_a: Workspace) -> None:
    seqs = [export(unit_a, tmp_path / f"{n}.gkbundle").sequence for n in range(3)]
    assert seqs == [1, 2, 3]
    history = export_history(unit_a)
    assert [h.sequence for h in history] == [3, 2, 1]
    assert history[0].file_names == ("2.gkbundle",) and not history[0].received
    assert [e.action for e in unit_a.audit_log()].count("export_bundle") == 3


def test_old_and_new_selected_together_both_apply_in_order(
        tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    old = export(unit_a, tmp_path / "old.gkbundle")
    unit_a.update_record("2.1.2", status=Status.DONE, actor="张三")
    new = export(unit_a, tmp_path / "new.gkbundle")
    both = [new.files[0], old.files[0]]
    rows = import_bundles(sup, both, accept_keys=keys_in(both))
    assert [r.outcome for r in rows] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert SupervisorView(sup).unit("500101").sequence == 2


def test_a_dropped_folder_imports_every_bundle(tmp_path: Path, unit_a: Workspace,
                                               unit_b: Workspace, sup: Workspace) -> None:
    inbox = tmp_path / "收件"
    inbox.mkdir()
    export(unit_a, inbox / "万州区.gkbundle")
    export(unit_b, inbox / "涪陵区.gkbundle")
    (inbox / "说明.txt").write_text("不是数据包", encoding="utf-8")
    files = bundle_files_in(inbox)
    assert [f.name for f in files] == ["万州区.gkbundle", "涪陵区.gkbundle"]
    rows = import_bundles(sup, files, accept_keys=keys_in(files))
    assert {r.outcome for r in rows} == {Outcome.IMPORTED}


def test_progress_reaches_the_end(tmp_path: Path, unit_a: Workspace, sup: Workspace) -> None:
    seen: list[tuple[int, int]] = []
    a = export_bundle(unit_a, tmp_path / "a.gkbundle", key_of(UNIT_A),
                      progress=lambda d, t: seen.append((d, t)) is None)
    assert seen and seen[-1][0] == seen[-1][1]
    seen.clear()
    import_bundles(sup, a.files, progress=lambda d, t: seen.append((d, t)) is None,
                   accept_keys=keys_in(a.files))
    assert seen[-1][0] == seen[-1][1]
    assert all(d <= t for d, t in seen)


def test_the_same_bundle_selected_twice_imports_once(tmp_path: Path, unit_a: Workspace,
                                                     sup: Workspace) -> None:
    a = export(unit_a, tmp_path / "a.gkbundle").files[0]
    copy_of_a = tmp_path / "a (1).gkbundle"
    copy_of_a.write_bytes(a.read_bytes())
    rows = import_bundles(sup, [a, a, copy_of_a], accept_keys=keys_in([a, a, copy_of_a]))
    # Each copy is verified on its own and found to be the bundle just imported.
    assert [r.outcome for r in rows] == [Outcome.IMPORTED, Outcome.ALREADY, Outcome.ALREADY]
    assert [r.path for r in rows] == [a, a, copy_of_a]
    assert len(SupervisorView(sup).bundles()) == 1
