"""Delegation end to end through the command line (#14): 万州区 delegates to 区司法局 (app,
task file, bundle back) and 区委编办 (Excel checklist back), rolls 1.1.1 up and reports to
市政府办公厅; 区司法局 delegates further to its 法治科 (two levels deep)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongkai_desktop.storage import Workspace
from tests.bundle_fixtures import PASSPHRASE
from tests.delegation_fixtures import (
    CITY_KEY,
    KS_KEY,
    SFJ_KEY,
    WZ_KEY,
    accepting,
    fill_checklist,
    run,
    with_key,
)


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


def test_delegate_return_roll_up_and_report_up(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    wz, city = tmp_path / "万州区.gkws", tmp_path / "办公厅.gkws"
    assert run(capsys, "init", wz, "--unit", "万州区", "--officer", "张三")[0] == 0
    assert run(capsys, "init", city, "--unit", "市政府办公厅", "--officer", "王五")[0] == 0
    with_key(wz, WZ_KEY), with_key(city, CITY_KEY)

    code, out, _ = run(capsys, "office", "add", wz, "区司法局", "区委编办")
    assert code == 0 and "已添加下级单位：区司法局" in out
    assert run(capsys, "assign", wz, "1.1.1", "--to", "区司法局,区委编办")[0] == 0
    code, out, _ = run(capsys, "assign", wz, "1.2.3", "--to", "区司法局")
    assert code == 0 and "1.2.3 → 区司法局（责任，内部时限 2020-10-23）" in out  # 7 days early
    code, out, _ = run(capsys, "office", "list", wz)
    assert "区司法局：1.1.1（责任）、1.2.3（责任，2020-10-23）" in out
    assert "区委编办：1.1.1（责任）" in out

    # 区司法局 has the app: a signed task file becomes its own workspace.
    task = tmp_path / "区司法局.gktask"
    code, out, _ = run(capsys, "delegate", "export", wz, "--office", "区司法局", "-o", task)
    assert code == 0 and "已导出“区司法局”的任务文件" in out
    sfj = tmp_path / "区司法局.gkws"
    code, out, _ = run(capsys, "init", sfj, "--from", task, "--officer", "李四",
                       *accepting(WZ_KEY)[0:2])
    assert code == 0 and "2 项举措，来自“万州区”" in out
    with_key(sfj, SFJ_KEY)
    code, out, _ = run(capsys, "summary", sfj, "--json")
    mine = json.loads(out)
    assert mine["unit"] == "区司法局" and set(mine["measures"]) == {"1.1.1", "1.2.3"}
    assert mine["measures"]["1.2.3"]["deadline"] == "2020-10-23"
    pdf = tmp_path / "权责清单.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% proof\n" + bytes(range(256)) * 100)
    assert run(capsys, "set", sfj, "1.1.1", "--status", "已完成", "--note", "已公开权责清单",
               "--url", "https://www.wz.gov.cn/sfj/qzqd", "--date", "2020-09-01")[0] == 0
    assert run(capsys, "attach", sfj, "1.1.1", pdf)[0] == 0
    sfj_bundle = tmp_path / "区司法局.gkbundle"
    assert run(capsys, "bundle", "export", sfj, "-o", sfj_bundle)[0] == 0

    # 区委编办 has no app: the Excel checklist, filled in.
    sheet = tmp_path / "区委编办.xlsx"
    code, out, _ = run(capsys, "delegate", "export", wz, "--office", "区委编办", "-o", sheet)
    assert code == 0 and "1 项举措清单" in out
    filled = fill_checklist(sheet, tmp_path / "区委编办-已填.xlsx",
                            {"1.1.1": {"完成状态": "推进中", "完成情况说明": "权责清单正在修订"}})

    # 万州区 imports both: the first key of an office needs explicit acceptance.
    code, out, err = run(capsys, "delegate", "import", wz, sfj_bundle, filled)
    assert code == 1 and "首次收到下级单位“区司法局”的数据包" in err and "--accept-key" in err
    assert "区委编办 的清单，1 项举措有新填报" in out
    code, out, _ = run(capsys, "delegate", "import", wz, sfj_bundle, filled, *accepting(SFJ_KEY))
    assert code == 0 and "已导入：区司法局，序号 1" in out and "已有（未更改）：区委编办" in out

    code, out, _ = run(capsys, "summary", wz, "--json")
    m111 = json.loads(out)["measures"]["1.1.1"]
    assert m111["rollup_pending"] is True and m111["status"] == "not_started"
    assert m111["offices"]["区司法局"]["status"] == "done"
    assert m111["offices"]["区司法局"]["evidence"] == 1
    assert m111["offices"]["区委编办"]["status"] == "in_progress"

    code, out, _ = run(capsys, "rollup", wz, "1.1.1")
    assert code == 0 and "完成状态：未开始 → 推进中" in out
    assert "佐证材料 + 权责清单.pdf（来源：区司法局）" in out and "加 --apply" in out
    assert run(capsys, "rollup", wz, "1.1.1", "--apply")[0] == 0
    with Workspace.open(wz, readonly=True) as ws:
        record = ws.record("1.1.1")
        items = ws.evidence("1.1.1")
    assert record.status.value == "in_progress"
    assert record.explanation == "区司法局：已公开权责清单\n区委编办：权责清单正在修订"
    assert record.urls == ("https://www.wz.gov.cn/sfj/qzqd",)
    assert [(i.file_name, i.note, i.added_by) for i in items] == [
        ("权责清单.pdf", "来源：区司法局", "下级单位：区司法局")]
    code, out, _ = run(capsys, "summary", wz, "--json")
    assert json.loads(out)["measures"]["1.1.1"]["rollup_pending"] is False

    # 万州区 reports up; 市政府办公厅 sees the rolled-up record and the evidence.
    wz_bundle = tmp_path / "万州区.gkbundle"
    assert run(capsys, "bundle", "export", wz, "-o", wz_bundle)[0] == 0
    code, out, _ = run(capsys, "bundle", "import", city, wz_bundle, *accepting(WZ_KEY))
    assert code == 0, out
    code, out, _ = run(capsys, "summary", city, "--json", "--all-units")
    assert "in_progress" in json.dumps(json.loads(out), ensure_ascii=False)
    from gongkai_desktop.supervisor.store import SupervisorView

    with Workspace.open(city, readonly=True) as ws:
        view = SupervisorView(ws)
        unit_id = view.units()[0].unit.id
        assert view.stored_records(unit_id)["1.1.1"].explanation.startswith("区司法局：")
        got = [(e.file_name, e.note) for e in view.evidence(unit_id)]
    assert got == [("权责清单.pdf", "来源：区司法局")]


def test_two_levels_deep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wz = tmp_path / "万州区.gkws"
    assert run(capsys, "init", wz, "--unit", "万州区")[0] == 0
    with_key(wz, WZ_KEY)
    assert run(capsys, "office", "add", wz, "区司法局")[0] == 0
    assert run(capsys, "assign", wz, "1.2.3", "1.1.1", "--to", "区司法局",
               "--deadline", "2020-10-01")[0] == 0
    assert run(capsys, "delegate", "export", wz, "--office", "区司法局",
               "-o", tmp_path / "t1.gktask")[0] == 0
    sfj = tmp_path / "区司法局.gkws"
    assert run(capsys, "init", sfj, "--from", tmp_path / "t1.gktask")[0] == 0
    with_key(sfj, SFJ_KEY)

    # 区司法局 delegates 1.2.3 to its own 法治科.
    assert run(capsys, "office", "add", sfj, "法治科")[0] == 0
    code, out, _ = run(capsys, "assign", sfj, "1.2.3", "--to", "法治科")
    assert code == 0 and "内部时限 2020-09-24" in out  # 7 days before the office's own
    assert run(capsys, "delegate", "export", sfj, "--office", "法治科",
               "-o", tmp_path / "t2.gktask")[0] == 0
    ks = tmp_path / "法治科.gkws"
    code, out, _ = run(capsys, "init", ks, "--from", tmp_path / "t2.gktask")
    assert code == 0 and "1 项举措，来自“区司法局”" in out
    with_key(ks, KS_KEY)
    assert run(capsys, "set", ks, "1.2.3", "--status", "已完成", "--note", "已开展公开目录编制",
               "--date", "2020-09-20")[0] == 0
    photo = tmp_path / "现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000)
    assert run(capsys, "attach", ks, "1.2.3", photo)[0] == 0
    assert run(capsys, "bundle", "export", ks, "-o", tmp_path / "ks.gkbundle")[0] == 0

    assert run(capsys, "delegate", "import", sfj, tmp_path / "ks.gkbundle",
               *accepting(KS_KEY))[0] == 0
    assert run(capsys, "rollup", sfj, "1.2.3", "--apply")[0] == 0
    assert run(capsys, "set", sfj, "1.1.1", "--status", "推进中", "--note", "持续推进")[0] == 0
    assert run(capsys, "bundle", "export", sfj, "-o", tmp_path / "sfj.gkbundle")[0] == 0

    code, out, _ = run(capsys, "delegate", "import", wz, tmp_path / "sfj.gkbundle",
                       *accepting(SFJ_KEY))
    assert code == 0 and "2 项举措有新填报" in out
    code, out, _ = run(capsys, "rollup", wz, "1.2.3", "1.1.1", "--apply")
    assert code == 0
    with Workspace.open(wz, readonly=True) as ws:
        assert ws.record("1.2.3").status.value == "done"
        assert ws.record("1.2.3").explanation == "区司法局：法治科：已开展公开目录编制"
        assert ws.record("1.1.1").status.value == "in_progress"
        items = ws.evidence("1.2.3")
    # The photo came up two levels; its source names both offices.
    assert [(i.file_name, i.note) for i in items] == [("现场.png", "来源：区司法局／法治科")]


def test_breakdown_reads_back_with_plan_import(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    wz = tmp_path / "万州区.gkws"
    assert run(capsys, "init", wz, "--unit", "万州区")[0] == 0
    assert run(capsys, "office", "add", wz, "区司法局", "区委编办", "龙都街道")[0] == 0
    assert run(capsys, "assign", wz, "1.1.1", "1.2.3", "--to", "区委编办,区司法局",
               "--lead", "区司法局")[0] == 0
    assert run(capsys, "assign", wz, "6.1.1", "--to", "龙都街道")[0] == 0
    out_file = tmp_path / "任务分解表.xlsx"
    code, out, _ = run(capsys, "delegate", "breakdown", wz, "-o", out_file)
    assert code == 0 and "3 项举措" in out
    from gongkai_desktop.units import UnitDirectory
    from gongkai_desktop.xlsx import read_plan_workbook

    got = read_plan_workbook(out_file, plan_id="wz-2020", title="万州区任务分解表",
                             issued=__import__("datetime").date(2020, 8, 1),
                             directory=UnitDirectory.load())
    assert got.ok, got.problems
    with Workspace.open(wz, readonly=True) as ws:
        original = {m.id: m for m in ws.plan.measures()}
    measures = got.plan.measures()
    assert [m.text for m in measures] == [original[i].text for i in ("1.1.1", "1.2.3", "6.1.1")]
    assert [(m.lead_units, m.responsible_units) for m in measures] == [
        (("区司法局",), ("区委编办",)), (("区司法局",), ("区委编办",)), (("龙都街道",), ())]
    assert measures[1].deadline.date is not None
    assert measures[1].deadline.date.isoformat() == "2020-10-23"
    code, out, _ = run(capsys, "plan", "import", out_file, "--id", "wz-2020",
                       "--title", "万州区任务分解表", "--issued", "2020-08-01")
    assert code == 0 and "3 项举措" in out


def test_report_names_the_offices_and_adds_their_annex(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from tests.test_cli_report import flat, pdftotext

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    wz = tmp_path / "万州区.gkws"
    assert run(capsys, "init", wz, "--unit", "万州区")[0] == 0
    assert run(capsys, "office", "add", wz, "区司法局", "龙都街道")[0] == 0
    assert run(capsys, "assign", wz, "1.1.1", "--to", "区司法局,龙都街道")[0] == 0
    plain, annexed = tmp_path / "plain.pdf", tmp_path / "annex.pdf"
    assert run(capsys, "report", wz, "-o", plain, "--no-sign")[0] == 0
    code, _out, err = run(capsys, "report", wz, "-o", annexed, "--no-sign", "--offices-annex")
    assert code == 0, err
    text, without = flat(pdftotext(annexed)), flat(pdftotext(plain))
    # 一、工作开展情况 names the offices' work in both; only the second has the annex.
    assert "区司法局、龙都街道2个下级单位" in without.replace(" ", "")
    assert "下级单位完成情况" in text and "下级单位完成情况" not in without
    assert "未报送" in text


@pytest.mark.parametrize("typed", ["2020-09-15", "2020年9月15日", "2020.9.15", "２０２０/9/15"])
def test_assign_takes_the_deadline_as_the_window_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str) -> None:
    wz = tmp_path / "万州区.gkws"
    assert run(capsys, "init", wz, "--unit", "万州区")[0] == 0
    assert run(capsys, "office", "add", wz, "区司法局")[0] == 0
    code, out, err = run(capsys, "assign", wz, "1.2.3", "--to", "区司法局", "--deadline", typed)
    assert code == 0, err
    assert "1.2.3 → 区司法局（责任，内部时限 2020-09-15）" in out


@pytest.mark.parametrize(("typed", "words"), [("九月十五日", "格式不对"),
                                              ("2020-02-30", "不存在"),
                                              ("1999-12-31", "应在 2000 年到 2099 年之间")])
def test_assign_refuses_a_wrong_deadline_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], typed: str, words: str) -> None:
    from tests.review_fixtures import dump_at

    wz = tmp_path / "万州区.gkws"
    assert run(capsys, "init", wz, "--unit", "万州区")[0] == 0
    assert run(capsys, "office", "add", wz, "区司法局")[0] == 0
    before = dump_at(wz)
    code, out, err = run(capsys, "assign", wz, "1.2.3", "--to", "区司法局", "--deadline", typed)
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"错误：内部完成时限“{typed}”") and words in line
    assert dump_at(wz) == before
