"""Which unit a bundle speaks for, and which key speaks for which unit: attacks as built.

Every attack is refused with a Chinese line, leaves the supervisor's workspace as it was
(dump compare) and, on the command line, exits non-zero; the genuine bundles of the same
batch still import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from openpyxl import load_workbook

from gongkai_desktop.bundle import trust
from gongkai_desktop.bundle.certs import load_certificate_file
from gongkai_desktop.bundle.import_batch import import_bundles
from gongkai_desktop.bundle.importer import Outcome, preview_import
from gongkai_desktop.bundle.unit_identity import UnknownUnit, known_unit
from gongkai_desktop.cli import main
from gongkai_desktop.errors import GongkaiError, SignatureError
from gongkai_desktop.model import Area, Measure, Plan, PlanInfo, Subtask, Unit, UnitType
from gongkai_desktop.signing.identity import SigningIdentity, group_fingerprint
from gongkai_desktop.storage import Workspace, db
from gongkai_desktop.storage.wsconn import writing
from gongkai_desktop.supervisor.consolidation import consolidate
from gongkai_desktop.supervisor.store import SupervisorView, all_units_summary
from gongkai_desktop.units import UnitDirectory
from gongkai_desktop.xlsx.consolidation import consolidation_workbook
from tests.bundle_fixtures import (
    PASSPHRASE,
    UNIT_A,
    UNIT_B,
    dump,
    export,
    fill_a,
    fill_b,
    identity,
    key_of,
    make_supervisor,
    make_unit,
    resign,
)

WZ_KEY, FL_KEY = key_of(UNIT_A), key_of(UNIT_B)
IMPOSTOR_KEY = identity("重庆市涪陵区人民政府", "冒充者")  # a fresh key naming 涪陵区
NOW = dt.datetime.now(dt.UTC)


# ---- set-up -----------------------------------------------------------------------------------

@pytest.fixture
def sup_path(tmp_path: Path) -> Path:
    path = tmp_path / "办公厅.gkws"
    make_supervisor(path).close()
    return path


@pytest.fixture
def sup(sup_path: Path) -> Iterator[Workspace]:
    with Workspace.open(sup_path) as ws:
        yield ws


def state(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    with Workspace.open(path, readonly=True) as ws:
        return dump(ws)


def bundle_as(tmp_path: Path, unit: Unit, key: SigningIdentity, name: str) -> Path:
    """A unit workspace made for ``unit`` (whatever it claims) and exported signed by ``key``."""
    with make_unit(tmp_path / f"{name}.gkws", unit) as ws:
        (fill_b if unit.name == "涪陵区" else fill_a)(ws)
        return export(ws, tmp_path / f"{name}.gkbundle", key).files[0]


@pytest.fixture
def genuine(tmp_path: Path) -> dict[str, Path]:
    return {"万州区": bundle_as(tmp_path, UNIT_A, WZ_KEY, "万州区"),
            "涪陵区": bundle_as(tmp_path, UNIT_B, FL_KEY, "涪陵区")}


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def accepting(*keys: SigningIdentity) -> list[str]:
    return [a for k in keys for a in ("--accept-key", group_fingerprint(k.fingerprint()))]


def refused_alone(sup: Workspace, bad: Path, *expected: str) -> str:
    """``bad`` on its own, its key accepted: refused naming ``expected``, nothing changed."""
    before = dump(sup)
    row = import_bundles(sup, [bad], accept_keys=[IMPOSTOR_KEY.fingerprint(),
                                                  WZ_KEY.fingerprint()])[0]
    assert row.outcome is Outcome.REFUSED, row
    for text in expected:
        assert text in row.message, row.message
    with pytest.raises(GongkaiError):
        preview_import(sup, [bad])
    assert dump(sup) == before
    return row.message


def imported_ids(sup: Workspace) -> list[str]:
    return [u.unit.id for u in SupervisorView(sup).units()]


# ---- unit identity ----------------------------------------------------------------------------

def test_a_made_up_id_under_a_directory_units_name(
        tmp_path: Path, sup_path: Path, genuine: dict[str, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    fake = Unit("500199", "涪陵区", "重庆市涪陵区人民政府", UnitType.DISTRICT)
    bad = bundle_as(tmp_path, fake, IMPOSTOR_KEY, "冒充")
    with Workspace.open(sup_path) as sup:
        message = refused_alone(sup, bad, "涪陵区", "500199", "500102")
    assert "冒充" in message
    before = state(sup_path)
    code, out, err = cli(capsys, "bundle", "import", sup_path, bad, *accepting(IMPOSTOR_KEY))
    assert code == 1 and "错误：冒充.gkbundle：已拒绝：" in err and "500199" in err
    assert out == "" and state(sup_path) == before
    # In one batch with the genuine bundles: they import, the impostor does not.
    code, out, _ = cli(capsys, "bundle", "import", sup_path, bad, *genuine.values(),
                       *accepting(IMPOSTOR_KEY, WZ_KEY, FL_KEY))
    assert code == 1 and "万州区.gkbundle：已导入" in out and "涪陵区.gkbundle：已导入" in out
    with Workspace.open(sup_path) as sup:
        assert imported_ids(sup) == ["500101", "500102"]


@pytest.mark.parametrize(("claimed", "expected"), [
    (Unit("500101", "涪陵区", "重庆市涪陵区人民政府", UnitType.DISTRICT), ("500101", "万州区")),
    (Unit("500102", "涪陵区", "重庆市万州区人民政府", UnitType.DISTRICT),
     ("重庆市万州区人民政府",)),
    (Unit("777777", "某某新区", "重庆市某某新区管委会", UnitType.DISTRICT), ("不在单位名录中",)),
    (Unit("custom:涪陵区", "涪陵区", "涪陵区", UnitType.OTHER), ("涪陵区", "500102")),
])
def test_a_known_name_under_another_id_or_an_unknown_unit(
        tmp_path: Path, sup_path: Path, genuine: dict[str, Path], claimed: Unit,
        expected: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    bad = bundle_as(tmp_path, claimed, IMPOSTOR_KEY, "冒充")
    with Workspace.open(sup_path) as sup:
        refused_alone(sup, bad, *expected)
    before = state(sup_path)
    code, _out, err = cli(capsys, "bundle", "import", sup_path, bad, *accepting(IMPOSTOR_KEY))
    assert code == 1 and "冒充.gkbundle：已拒绝：" in err and expected[0] in err
    assert state(sup_path) == before
    with Workspace.open(sup_path) as sup:
        rows = import_bundles(sup, [bad, *genuine.values()],
                              accept_keys=[IMPOSTOR_KEY.fingerprint(), WZ_KEY.fingerprint(),
                                           FL_KEY.fingerprint()])
        assert [r.outcome for r in rows] == [Outcome.REFUSED, Outcome.IMPORTED,
                                             Outcome.IMPORTED]
        assert imported_ids(sup) == ["500101", "500102"]


def make_plan() -> Plan:
    """An imported district plan: it names its own bureau (区教委)."""
    return Plan(PlanInfo("district", "区计划", "", dt.date(2021, 1, 1), "某区"), (
        Area("1", 1, "一", "公开", (Subtask("1.1", 1, "（一）", "公开", (
            Measure("1.1.1", 1, "1．", "做好公开。", ("区教委",), ()),)),)),))


def test_a_unit_only_the_plan_names() -> None:
    """An imported district plan names its own bureaus; such a unit is known by that name."""
    plan = make_plan()
    directory = UnitDirectory.load()
    bureau = directory.custom_unit("区教委")
    assert known_unit(bureau, plan, directory) == bureau
    for forged in (dataclasses.replace(bureau, id="custom:区教委2"),
                   dataclasses.replace(bureau, name="区卫健委", full_name="区卫健委",
                                       id="custom:区卫健委")):
        with pytest.raises(UnknownUnit, match="未导入"):
            known_unit(forged, plan, directory)


# ---- no silent first trust --------------------------------------------------------------------

def test_an_impostors_first_bundle_is_not_trusted_silently(
        tmp_path: Path, sup_path: Path, genuine: dict[str, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    impostor = bundle_as(tmp_path, UNIT_B, IMPOSTOR_KEY, "冒充")  # the real id and name
    before = state(sup_path)
    code, out, err = cli(capsys, "bundle", "import", sup_path, impostor)
    grouped = group_fingerprint(IMPOSTOR_KEY.fingerprint())
    assert code == 1 and "冒充.gkbundle：已拒绝：" in err and "“涪陵区”" in err
    assert grouped in err and f'--accept-key "{grouped}"' in err
    assert "纸质报告最后一页" in err and out == ""
    assert state(sup_path) == before
    # The genuine unit's .cer trusted first: the impostor is refused, the genuine imports.
    cer = tmp_path / "涪陵区.cer"
    FL_KEY.export_cer(cer)
    code, out, _ = cli(capsys, "bundle", "trust", sup_path, cer)
    assert code == 0 and "已信任“涪陵区”的证书" in out
    code, out, err = cli(capsys, "bundle", "import", sup_path, impostor, genuine["涪陵区"])
    assert code == 1
    assert "冒充.gkbundle：已拒绝：" in err and "换了签名密钥" in err
    assert "涪陵区.gkbundle：已导入" in out
    with Workspace.open(sup_path) as sup:
        assert imported_ids(sup) == ["500102"]
        assert SupervisorView(sup).unit("500102").cert_fingerprint == FL_KEY.fingerprint()


# ---- one key, one unit ------------------------------------------------------------------------

def test_a_key_pinned_for_one_unit_cannot_sign_for_another(
        tmp_path: Path, sup_path: Path, genuine: dict[str, Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "bundle", "import", sup_path, genuine["万州区"],
               *accepting(WZ_KEY))[0] == 0
    bad = bundle_as(tmp_path, UNIT_B, WZ_KEY, "万州签涪陵")  # 万州区's key, 涪陵区's bundle
    with Workspace.open(sup_path) as sup:
        refused_alone(sup, bad, "“万州区”", "“涪陵区”", "一个密钥只能代表一个单位")
        with pytest.raises(SignatureError, match="一个密钥只能代表一个单位"):
            preview_import(sup, [bad])
    before = state(sup_path)
    # --accept-key with 万州区's fingerprint does not make it 涪陵区's.
    code, _out, err = cli(capsys, "bundle", "import", sup_path, bad, *accepting(WZ_KEY))
    assert code == 1 and "一个密钥只能代表一个单位" in err and state(sup_path) == before
    # Nor does trusting 万州区's certificate for 涪陵区.
    cer = tmp_path / "万州区.cer"
    WZ_KEY.export_cer(cer)
    code, _out, err = cli(capsys, "bundle", "trust", sup_path, cer, "--unit", "涪陵区")
    assert code == 1 and "一个密钥只能代表一个单位" in err and state(sup_path) == before
    code, _out, err = cli(capsys, "bundle", "import", sup_path, genuine["涪陵区"],
                          "--trust-cert", cer, *accepting(FL_KEY))
    assert code == 0  # 万州区's .cer names 万州区: trusted for it again (no change)
    with Workspace.open(sup_path) as sup:
        assert imported_ids(sup) == ["500101", "500102"]
        assert [k.fingerprint for k in trust.trusted_keys(sup, "500102")] == [
            FL_KEY.fingerprint()]


def test_a_key_retired_from_its_unit_may_then_serve_another(
        tmp_path: Path, sup: Workspace, genuine: dict[str, Path]) -> None:
    """No one-step transfer: the old unit's key is replaced first (explicitly)."""
    import_bundles(sup, [genuine["万州区"]], accept_keys=[WZ_KEY.fingerprint()])
    moved = bundle_as(tmp_path, UNIT_B, WZ_KEY, "涪陵-旧万州密钥")
    assert "一个密钥只能代表一个单位" in import_bundles(
        sup, [moved], accept_keys=[WZ_KEY.fingerprint()])[0].message
    replacement = identity("重庆市万州区人民政府", "新经办人")
    trust.trust_certificate(sup, load_certificate_file(_cer(tmp_path, replacement)), UNIT_A)
    row = import_bundles(sup, [moved], accept_keys=[WZ_KEY.fingerprint()])[0]
    assert row.outcome is Outcome.IMPORTED, row.message


def test_a_directory_units_other_names_are_its_own(tmp_path: Path, sup: Workspace) -> None:
    """A workspace made under a unit's generated alias (重庆市万州区政府) still matches."""
    other_name = dataclasses.replace(UNIT_A, full_name="重庆市万州区政府")
    assert known_unit(other_name, make_plan(), UnitDirectory.load()).id == "500101"


def test_one_new_key_signing_for_two_units_in_one_batch(tmp_path: Path, sup: Workspace) -> None:
    wz = bundle_as(tmp_path, UNIT_A, IMPOSTOR_KEY, "万州")
    fl = bundle_as(tmp_path, UNIT_B, IMPOSTOR_KEY, "涪陵")
    before = dump(sup)
    rows = import_bundles(sup, [wz, fl], accept_keys=[IMPOSTOR_KEY.fingerprint()])
    assert [r.outcome for r in rows] == [Outcome.REFUSED, Outcome.REFUSED]
    assert all("一个密钥只能代表一个单位" in r.message for r in rows)
    assert dump(sup) == before


# ---- certificate validity ---------------------------------------------------------------------

def key_valid(unit_full_name: str, not_before: dt.datetime, not_after: dt.datetime
              ) -> SigningIdentity:
    """A self-signed key like ``SigningIdentity.generate`` makes, with the given validity."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit_full_name),
                      x509.NameAttribute(NameOID.COMMON_NAME, "张三")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    return SigningIdentity(key, cert, (), PASSPHRASE)


DAY = dt.timedelta(days=1)
EXPIRED = key_valid("重庆市涪陵区人民政府", NOW - 800 * DAY, NOW - DAY)
NOT_YET = key_valid("重庆市涪陵区人民政府", NOW + 10 * DAY, NOW + 900 * DAY)


def _backdate(data: dict[str, object]) -> None:
    data["exported_at"] = (NOW - dt.timedelta(days=30)).isoformat(timespec="seconds")


@pytest.mark.parametrize(("key", "backdated", "expected"), [
    (EXPIRED, False, "导出时不在有效期内"),
    (EXPIRED, True, "过期"),  # signed "while valid": but never trusted, and expired now
    (NOT_YET, False, "导出时不在有效期内"),
])
def test_a_certificate_outside_its_validity(
        tmp_path: Path, sup_path: Path, genuine: dict[str, Path],
        capsys: pytest.CaptureFixture[str], key: SigningIdentity, backdated: bool,
        expected: str) -> None:
    bad = bundle_as(tmp_path, UNIT_B, key, "证书过期")
    if backdated:
        resign(bad, key, lambda conn: None, _backdate)
    before = state(sup_path)
    with Workspace.open(sup_path) as sup:
        row = import_bundles(sup, [bad], accept_keys=[key.fingerprint()])[0]
    assert row.outcome is Outcome.REFUSED and expected in row.message and "有效期" in row.message
    assert state(sup_path) == before
    code, out, err = cli(capsys, "bundle", "import", sup_path, bad, genuine["万州区"],
                         *accepting(key, WZ_KEY))
    assert code == 1 and "证书过期.gkbundle：已拒绝：“涪陵区”" in err and expected in err
    assert "万州区.gkbundle：已导入" in out
    with Workspace.open(sup_path) as sup:
        assert imported_ids(sup) == ["500101"]
    assert state(sup_path) != before  # (万州区 came in)


def test_a_pinned_key_expired_since_still_reads_its_earlier_bundles(
        tmp_path: Path, sup: Workspace) -> None:
    """A bundle made while the pinned certificate was valid, arriving after it expired."""
    late = bundle_as(tmp_path, UNIT_B, EXPIRED, "迟到")
    resign(late, EXPIRED, lambda conn: None, _backdate)
    cert = load_certificate_file(_cer(tmp_path, EXPIRED))
    with writing(sup) as conn:  # pinned back when it was valid
        trust.pin(conn, UNIT_B.id, cert, trust.KeySource.CER, actor="", at=db.now())
    assert import_bundles(sup, [late])[0].outcome is Outcome.IMPORTED


def test_an_expired_certificate_file_is_not_trusted(tmp_path: Path, sup: Workspace) -> None:
    before = dump(sup)
    with pytest.raises(SignatureError, match="过期"):
        trust.trust_certificate(sup, load_certificate_file(_cer(tmp_path, EXPIRED)), UNIT_B)
    assert dump(sup) == before


def _cer(tmp_path: Path, key: SigningIdentity) -> Path:
    path = tmp_path / "key.cer"
    key.export_cer(path)
    return path


# ---- keyed by id ------------------------------------------------------------------------------

def test_summary_and_consolidation_are_keyed_by_unit_id(
        tmp_path: Path, sup_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two units called alike (as an older workspace may hold) stay two entries."""
    directory = UnitDirectory([UNIT_A, UNIT_B])
    wz = bundle_as(tmp_path, UNIT_A, WZ_KEY, "万州区")
    fl = bundle_as(tmp_path, UNIT_B, FL_KEY, "涪陵区")
    with Workspace.open(sup_path) as sup:
        rows = import_bundles(sup, [wz, fl], accept_keys=[WZ_KEY.fingerprint(),
                                                          FL_KEY.fingerprint()],
                              directory=directory)
        assert {r.outcome for r in rows} == {Outcome.IMPORTED}
        with writing(sup) as conn:  # an old workspace where two units share a name
            conn.execute("UPDATE sup_units SET unit_name = '涪陵区' WHERE unit_id = '500101'")
        data = all_units_summary(sup, directory, dt.date(2021, 1, 1))
        cons = consolidate(sup, directory, dt.date(2021, 1, 1))
    assert set(data["units"]) == {"500101", "500102"}
    assert [data["units"][i]["name"] for i in ("500101", "500102")] == ["涪陵区", "涪陵区"]
    imported = [r for r in cons.units if r.reported]
    assert [r.unit.id for r in imported] == ["500101", "500102"]
    assert cons.row_of("500101") != cons.row_of("500102")
    # A reader can tell the two rows apart: the shared name is shown with each id.
    assert [r.shown_name for r in imported] == ["涪陵区（编号 500101）", "涪陵区（编号 500102）"]
    with Workspace.open(sup_path, readonly=True) as sup:
        book = consolidation_workbook(sup, directory, tmp_path / "汇总.xlsx",
                                      today=dt.date(2021, 1, 1))
    workbook = load_workbook(book.path, read_only=True)
    try:
        cells = {str(c.value) for row in workbook.worksheets[0].iter_rows() for c in row
                 if c.value}
    finally:
        workbook.close()
    assert {"涪陵区（编号 500101）", "涪陵区（编号 500102）"} <= cells
    code, out, _ = cli(capsys, "summary", sup_path, "--json", "--all-units",
                       "--today", "2021-01-01")
    assert code == 0 and set(json.loads(out)["units"]) == {"500101", "500102"}
