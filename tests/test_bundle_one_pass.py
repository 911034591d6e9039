"""The batch import reads each bundle once: verified and copied in the same pass.

A key the supervisor accepted (``accept_keys``) or already pinned takes this path, so
the attacks here are made with the key accepted: a damaged file must still be refused
with its own message and leave the supervisor's workspace exactly as it was, although
some rows may already have been written when the damage shows (they roll back).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai_desktop.bundle import open_untrusted, verify
from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.bundle.importer import Outcome, import_bundle
from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import (
    dump,
    keys_in,
    make_supervisor,
    tamper,
)


def refused_with_key_accepted(sup_with_b: Workspace, bad: Path, expected: str) -> None:
    before = dump(sup_with_b)
    rows = import_bundles(sup_with_b, [bad], accept_keys=keys_in([bad]))
    assert rows[0].outcome is Outcome.REFUSED, rows[0]
    assert expected in rows[0].message, rows[0].message
    assert dump(sup_with_b) == before


def test_a_changed_file_content_rolls_back_the_rows_written_before_it(
        sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE blob_chunks SET data = randomblob(length(data)) WHERE blob_no = 1")
    refused_with_key_accepted(sup_with_b, bad, "校验值不")


def test_a_missing_file_content(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "DELETE FROM blob_chunks WHERE blob_no = 1")
    refused_with_key_accepted(sup_with_b, bad, "行数与清单不符")


def test_a_changed_row(sup_with_b: Workspace, bad: Path) -> None:
    tamper(bad, "UPDATE records SET explanation = '已全部完成' WHERE measure_id = '1.1.2'")
    refused_with_key_accepted(sup_with_b, bad, "“举措记录”部分的校验值不一致")


def test_each_bundle_is_opened_checked_and_read_once(
        sup_with_b: Workspace, genuine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[object] = []
    checked: list[Path] = []
    original_read, original_open = verify.OpenedBundle.read, open_untrusted.open_bundle

    def read(self: verify.OpenedBundle, *args: object, **kwargs: object) -> None:
        reads.append(self.files)
        original_read(self, *args, **kwargs)  # type: ignore[arg-type]

    def open_bundle(path: Path, *args: object, **kwargs: object) -> object:
        if kwargs.get("check_integrity", True):
            checked.append(path)
        return original_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verify.OpenedBundle, "read", read)
    monkeypatch.setattr(verify, "open_bundle", open_bundle)
    rows = import_bundles(sup_with_b, [genuine], accept_keys=keys_in([genuine]))
    assert rows[0].outcome is Outcome.IMPORTED, rows[0]
    assert reads == [(genuine,)]
    assert checked == [genuine]


def test_one_pass_stores_what_preview_and_apply_store(
        tmp_path: Path, genuine: Path, other_unit_bundle: Path) -> None:
    """The batch (one pass) and the window's way (preview, then apply) agree on every
    row and every byte, and on how many measures changed."""
    tables = ("sup_records", "sup_evidence", "sup_audit", "sup_blobs", "sup_blob_chunks")
    results, contents = [], []
    for name, batch in (("batch", True), ("two-step", False)):
        with make_supervisor(tmp_path / f"{name}.gkws") as ws:
            for bundle in (other_unit_bundle, genuine):
                if batch:
                    result = import_bundles(ws, [bundle], accept_keys=keys_in([bundle]))[0]
                else:
                    result = import_bundle(ws, [bundle], accept_new_key=True)
                assert result.outcome is Outcome.IMPORTED, result
                results.append((result.changed_measures, result.warnings))
            held = dict(dump(ws))
            contents.append({t: held[t] for t in tables if t != "sup_blobs"}
                            | {"sup_blobs": [r[1:3] for r in held["sup_blobs"]]})  # no time
    assert results[:2] == results[2:]
    assert contents[0] == contents[1]
