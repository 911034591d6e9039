"""Whose key speaks for a unit: accepted explicitly on first contact, changed only explicitly."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from gongkai_desktop.bundle.certs import load_certificate_file
from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.bundle.importer import Outcome, apply_import, import_bundle, preview_import
from gongkai_desktop.bundle.key_pins import normalize_fingerprint
from gongkai_desktop.bundle.trust import (
    KeySource,
    TrustState,
    trust_certificate,
    trusted_keys,
    unit_for_certificate,
)
from gongkai_desktop.errors import InvalidInput, NotFound, SignatureError
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import Workspace
from gongkai_desktop.supervisor.store import SupervisorView
from gongkai_desktop.units import UnitDirectory
from tests.bundle_fixtures import (
    UNIT_A,
    dump,
    export,
    identity,
    key_of,
)

NEW_KEY = identity("重庆市万州区人民政府", "新经办人")


def test_the_first_bundle_needs_its_key_accepted(tmp_path: Path, unit_a: Workspace,
                                                 sup: Workspace) -> None:
    bundle = export(unit_a, tmp_path / "1.gkbundle")
    preview = preview_import(sup, bundle.files)
    fingerprint = key_of(UNIT_A).fingerprint()
    assert preview.trust.state is TrustState.NEW and preview.needs_key_acceptance
    assert group_fingerprint(fingerprint) in preview.trust.message("万州区")
    assert preview.trust.cert.grouped_fingerprint == group_fingerprint(fingerprint)
    before = dump(sup)
    with pytest.raises(SignatureError, match="纸质报告最后一页"):
        apply_import(sup, preview)  # no silent trust on first use
    with pytest.raises(SignatureError, match="尚未被信任"):
        import_bundle(sup, bundle.files)
    assert dump(sup) == before
    # Another key's fingerprint accepts nothing.
    assert import_bundles(sup, bundle.files,
                          accept_keys=[NEW_KEY.fingerprint()])[0].needs_key_acceptance
    assert dump(sup) == before
    apply_import(sup, preview, accept_keys=[group_fingerprint(fingerprint)])
    keys = trusted_keys(sup)
    assert [(k.unit_id, k.fingerprint, k.source) for k in keys] == [
        ("500101", fingerprint, KeySource.BUNDLE)]
    unit_a.update_record("2.1.2", explanation="第二次", actor="张三")
    second = preview_import(sup, export(unit_a, tmp_path / "2.gkbundle").files)
    assert second.trust.state is TrustState.TRUSTED and not second.needs_key_acceptance


def test_another_key_is_refused_until_accepted(tmp_path: Path, unit_a: Workspace,
                                               sup: Workspace) -> None:
    import_bundle(sup, export(unit_a, tmp_path / "1.gkbundle").files, accept_new_key=True)
    unit_a.update_record("2.1.2", explanation="换了电脑以后", actor="张三")
    rekeyed = export(unit_a, tmp_path / "2.gkbundle", NEW_KEY)
    before = dump(sup)
    row = import_bundles(sup, rekeyed.files)[0]
    assert row.outcome is Outcome.REFUSED and row.needs_key_acceptance
    assert "换了签名密钥" in row.message
    assert group_fingerprint(NEW_KEY.fingerprint()) in row.message
    assert group_fingerprint(key_of(UNIT_A).fingerprint()) in row.message
    assert row.fingerprint == NEW_KEY.fingerprint()
    preview = preview_import(sup, rekeyed.files)
    assert preview.needs_key_acceptance
    with pytest.raises(SignatureError, match="明确接受新密钥"):
        apply_import(sup, preview)
    assert dump(sup) == before
    # Accepted explicitly, with the fingerprint as people read it out (groups of four).
    row = import_bundles(sup, rekeyed.files,
                         accept_keys=[group_fingerprint(NEW_KEY.fingerprint())])[0]
    assert row.outcome is Outcome.IMPORTED
    keys = trusted_keys(sup, "500101", include_retired=True)
    assert [(k.fingerprint, k.source, k.retired_at is None) for k in keys] == [
        (key_of(UNIT_A).fingerprint(), KeySource.BUNDLE, False),
        (NEW_KEY.fingerprint(), KeySource.ACCEPTED, True)]
    # The old key no longer speaks for the unit.
    unit_a.update_record("2.1.2", explanation="旧密钥又来了", actor="张三")
    old_key_again = export(unit_a, tmp_path / "3.gkbundle")
    assert import_bundles(sup, old_key_again.files)[0].needs_key_acceptance
    assert [e.action for e in sup.audit_log()].count("trust_key") == 2


def test_accept_new_key_flag_of_apply(tmp_path: Path, unit_a: Workspace,
                                      sup: Workspace) -> None:
    import_bundle(sup, export(unit_a, tmp_path / "1.gkbundle").files, accept_new_key=True)
    unit_a.update_record("2.1.2", explanation="x", actor="张三")
    preview = preview_import(sup, export(unit_a, tmp_path / "2.gkbundle", NEW_KEY).files)
    assert apply_import(sup, preview, accept_new_key=True).outcome is Outcome.IMPORTED
    assert SupervisorView(sup).unit("500101").cert_fingerprint == NEW_KEY.fingerprint()


def test_a_certificate_file_trusted_ahead_of_time(tmp_path: Path, unit_a: Workspace,
                                                  sup: Workspace) -> None:
    cer = tmp_path / "万州区.cer"
    key_of(UNIT_A).export_cer(cer)
    cert = load_certificate_file(cer)
    unit = unit_for_certificate(cert, UnitDirectory.load())
    assert unit.id == "500101"
    trusted = trust_certificate(sup, cert, unit)
    assert trusted.source is KeySource.CER
    preview = preview_import(sup, export(unit_a, tmp_path / "1.gkbundle").files)
    assert preview.trust.state is TrustState.TRUSTED
    # A bundle signed with any other key is refused from the very first one.
    impostor = export(unit_a, tmp_path / "2.gkbundle", NEW_KEY)
    assert import_bundles(sup, impostor.files)[0].needs_key_acceptance


def test_a_certificate_file_replaces_a_pinned_key(tmp_path: Path, unit_a: Workspace,
                                                  sup: Workspace) -> None:
    import_bundle(sup, export(unit_a, tmp_path / "1.gkbundle").files, accept_new_key=True)
    cer = tmp_path / "new.cer"
    NEW_KEY.export_cer(cer)
    trust_certificate(sup, load_certificate_file(cer), UNIT_A)
    unit_a.update_record("2.1.2", explanation="新证书", actor="张三")
    rows = import_bundles(sup, export(unit_a, tmp_path / "2.gkbundle", NEW_KEY).files)
    assert rows[0].outcome is Outcome.IMPORTED


def test_certificate_files_pem_der_and_garbage(tmp_path: Path) -> None:
    der = key_of(UNIT_A).certificate_der()
    pem = tmp_path / "a.pem"
    pem.write_bytes(x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM))
    assert load_certificate_file(pem).fingerprint == key_of(UNIT_A).fingerprint()
    junk = tmp_path / "junk.cer"
    junk.write_bytes(b"not a certificate")
    with pytest.raises(InvalidInput, match="不是有效的证书文件"):
        load_certificate_file(junk)
    with pytest.raises(NotFound, match="找不到证书文件"):
        load_certificate_file(tmp_path / "missing.cer")


def test_a_certificate_of_an_unknown_unit(tmp_path: Path) -> None:
    cer = tmp_path / "x.cer"
    identity("某某公司").export_cer(cer)
    with pytest.raises(NotFound, match="不在单位名录中"):
        unit_for_certificate(load_certificate_file(cer), UnitDirectory.load())


def test_a_certificate_naming_another_unit_is_flagged(tmp_path: Path, unit_a: Workspace,
                                                      sup: Workspace) -> None:
    other = identity("重庆市涪陵区人民政府")
    preview = preview_import(sup, export(unit_a, tmp_path / "1.gkbundle", other).files)
    assert any("与数据包的单位" in w for w in preview.warnings)


def test_fingerprint_forms() -> None:
    hex_digest = key_of(UNIT_A).fingerprint()
    assert normalize_fingerprint(group_fingerprint(hex_digest)) == hex_digest
    assert normalize_fingerprint(":".join(hex_digest[i:i + 2].upper()
                                          for i in range(0, 64, 2))) == hex_digest
    with pytest.raises(InvalidInput, match="64 位"):
        normalize_fingerprint("1234")
