"""The one trust-on-first-use rule (``bundle.key_pins``) that all three pinning sides use.

The supervisor pinning units' keys (``trust``), the unit pinning its office's key
(``office_key``) and the parent pinning its offices' keys (``delegation.office_keys``)
each keep their table; the states, the acceptance and the audited pin are these.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai_desktop.bundle import key_pins, office_key, trust
from gongkai_desktop.bundle.certs import CertificateInfo, certificate_info
from gongkai_desktop.bundle.key_pins import PinState, PinTable
from gongkai_desktop.delegation import office_keys
from gongkai_desktop.delegation.offices import add_offices
from gongkai_desktop.errors import InvalidInput, SignatureError
from gongkai_desktop.signing.identity import group_fingerprint
from gongkai_desktop.storage import Workspace, audit, db
from gongkai_desktop.storage.wsconn import reading, writing
from tests.bundle_fixtures import dump, identity, make_supervisor, make_unit

FIRST = certificate_info(identity("重庆市万州区人民政府", "张三").certificate_der())
SECOND = certificate_info(identity("重庆市万州区人民政府", "李四").certificate_der())


def pins(ws: Workspace, table: PinTable) -> list[tuple[str, bool]]:
    """(fingerprint, active) of every pin in the table, oldest first."""
    with reading(ws) as conn:
        return [(str(fp), retired is None) for fp, retired in conn.execute(
            f"SELECT fingerprint, retired_at FROM {table.name} ORDER BY id")]


def audited(ws: Workspace, action: str) -> list[tuple[str | None, str | None, str | None]]:
    with reading(ws) as conn:
        return [(e.field, e.old, e.new) for e in audit.read(conn) if e.action == action]


def pin(ws: Workspace, table: PinTable, owner: str, cert: CertificateInfo, **columns: object
        ) -> bool:
    with writing(ws) as conn:
        return key_pins.record_pin(conn, table, owner, cert, actor="王五",
                                   at=db.now(), columns=columns)


def test_the_three_sides_share_one_set_of_states() -> None:
    assert trust.TrustState is PinState
    assert office_key.OfficeKeyState is PinState
    standing = office_keys.OfficeKeyStanding(None, FIRST, SECOND)  # type: ignore[arg-type]
    assert standing.state is PinState.KEY_CHANGED and not standing.trusted


def test_first_use_same_key_and_changed_key() -> None:
    assert key_pins.pin_state(None, FIRST.fingerprint) is PinState.NEW
    assert key_pins.pin_state(FIRST.fingerprint, FIRST.fingerprint) is PinState.TRUSTED
    assert key_pins.pin_state(FIRST.fingerprint, SECOND.fingerprint) is PinState.KEY_CHANGED
    assert PinState.NEW.needs_acceptance and PinState.KEY_CHANGED.needs_acceptance
    assert not PinState.TRUSTED.needs_acceptance


def _refusal() -> SignatureError:
    return SignatureError("证书与已信任的不同，未导入")


@pytest.mark.parametrize("state", [PinState.NEW, PinState.KEY_CHANGED])
def test_a_key_not_pinned_is_refused_unless_accepted(state: PinState) -> None:
    with pytest.raises(SignatureError, match="未导入"):
        key_pins.admit(state, accepted=False, refusal=_refusal)
    assert key_pins.admit(state, accepted=True, refusal=_refusal) is True


def test_the_pinned_key_passes_without_acceptance_and_is_not_pinned_again() -> None:
    assert key_pins.admit(PinState.TRUSTED, accepted=False, refusal=_refusal) is False
    assert key_pins.admit(PinState.TRUSTED, accepted=True, refusal=_refusal) is False


def test_accepted_fingerprints_in_any_grouping_and_refuses_a_typo() -> None:
    grouped = group_fingerprint(FIRST.fingerprint)
    colons = ":".join(FIRST.fingerprint[i:i + 2].upper() for i in range(0, 64, 2))
    assert key_pins.accepted_fingerprints([grouped, colons]) == {FIRST.fingerprint}
    with pytest.raises(InvalidInput, match="格式不对"):
        key_pins.accepted_fingerprints([grouped[:-1]])


def test_first_pin_then_same_key_then_changed_key_is_audited(tmp_path: Path) -> None:
    ws = make_supervisor(tmp_path / "sup.gkws")
    try:
        assert pin(ws, trust.PINS, "500101", FIRST, source="bundle")
        assert pins(ws, trust.PINS) == [(FIRST.fingerprint, True)]
        assert audited(ws, "trust_key") == [("500101", None, FIRST.fingerprint)]

        before = dump(ws)
        assert not pin(ws, trust.PINS, "500101", FIRST, source="bundle")  # the same key
        assert dump(ws) == before

        assert pin(ws, trust.PINS, "500101", SECOND, source="accepted")
        assert pins(ws, trust.PINS) == [(FIRST.fingerprint, False), (SECOND.fingerprint, True)]
        assert audited(ws, "trust_key")[-1] == ("500101", FIRST.fingerprint, SECOND.fingerprint)
        with reading(ws) as conn:
            assert trust.check(conn, "500101", SECOND).state is PinState.TRUSTED
            assert trust.check(conn, "500101", FIRST).state is PinState.KEY_CHANGED
            assert trust.check(conn, "500102", FIRST).state is PinState.NEW
    finally:
        ws.close()


def test_one_key_speaks_for_one_owner(tmp_path: Path) -> None:
    ws = make_supervisor(tmp_path / "sup.gkws")
    try:
        pin(ws, trust.PINS, "500101", FIRST, source="bundle")
        with reading(ws) as conn:
            assert key_pins.owner_elsewhere(conn, trust.PINS, FIRST.fingerprint, "500101") is None
            assert key_pins.owner_elsewhere(conn, trust.PINS, FIRST.fingerprint,
                                            "500102") == "500101"
        before = dump(ws)
        with pytest.raises(SignatureError, match="一个密钥只能代表一个单位"), writing(ws) as conn:
            trust.pin(conn, "500102", FIRST, trust.KeySource.ACCEPTED, actor="王五",
                      at=db.now())
        assert dump(ws) == before
    finally:
        ws.close()


def test_a_workspace_wide_pin_has_one_active_key(tmp_path: Path) -> None:
    ws = make_unit(tmp_path / "unit.gkws")
    try:
        extra = {"office_unit_id": "cq-gov-office", "office_name": "市政府办公厅",
                 "added_by": "张三"}
        assert pin(ws, office_key.PINS, "cq-gov-office", FIRST, source="first", **extra)
        assert pin(ws, office_key.PINS, "other-office", SECOND, source="changed", **extra)
        assert pins(ws, office_key.PINS) == [(FIRST.fingerprint, False),
                                             (SECOND.fingerprint, True)]
        assert audited(ws, "trust_office_key") == [
            ("cq-gov-office", None, FIRST.fingerprint),
            ("other-office", FIRST.fingerprint, SECOND.fingerprint)]
    finally:
        ws.close()


def test_offices_keys_follow_the_same_rule(tmp_path: Path) -> None:
    ws = make_unit(tmp_path / "unit.gkws")
    try:
        sfj, bb = add_offices(ws, ["区司法局", "区委编办"], actor="张三")
        with writing(ws) as conn:
            assert office_keys.standing(conn, sfj, FIRST).state is PinState.NEW
            office_keys.pin(conn, sfj, FIRST, actor="张三", at=db.now())
            assert office_keys.standing(conn, sfj, FIRST).trusted
            assert office_keys.standing(conn, sfj, SECOND).state is PinState.KEY_CHANGED
        before = dump(ws)
        with pytest.raises(SignatureError, match="区司法局") as caught, reading(ws) as conn:
            office_keys.standing(conn, bb, FIRST)
        assert "区委编办" in str(caught.value)
        assert dump(ws) == before
        assert audited(ws, "trust_office_key") == [(sfj.office_id, None, FIRST.fingerprint)]
    finally:
        ws.close()
