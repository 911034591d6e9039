"""The bundled plan, the user's plan library, and the JSON export shape."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from gongkai_desktop.errors import GongkaiError, InvalidInput, NotFound, WorkspaceError
from gongkai_desktop.model import Deadline, Plan, PlanInfo, Role
from gongkai_desktop.plan.export import plan_to_json
from gongkai_desktop.plan.library import PlanLibrary, bundled_plan, read_plan_file
from tests.conftest import REPO_ROOT


def _imported_plan(plan_id: str = "cq-2021-test", title: str = "2021年任务分工") -> Plan:
    """A later plan, as the Excel importer would build it."""
    base = bundled_plan()
    info = PlanInfo(
        plan_id, title, "渝府办发〔2021〕1号", dt.date(2021, 5, 8), "重庆市人民政府办公厅"
    )
    area = dataclasses.replace(base.areas[0], subtasks=base.areas[0].subtasks[:1])
    return Plan(info, (area,))


def test_bundled_plan_loads() -> None:
    plan = bundled_plan()
    assert plan.info.id == "cq-2020-89"
    assert plan.info.document_number == "渝府办发〔2020〕89号"
    assert len(plan.measures()) == 60
    assert plan.measure("6.3.1").lead_units == ("市委组织部（市公务员局）",)
    assert bundled_plan() is plan  # read once


def test_a_plan_file_opens_on_read_only_media(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    copy = folder / "seed.sqlite"
    shutil.copyfile(REPO_ROOT / "data" / "seed.sqlite", copy)
    copy.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert read_plan_file(copy) == bundled_plan()
        assert os.listdir(folder) == ["seed.sqlite"]  # no journal or WAL files left beside it
    finally:
        folder.chmod(stat.S_IRWXU)


def test_foreign_or_damaged_plan_files_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(WorkspaceError):
        read_plan_file(junk)
    with pytest.raises(NotFound):
        read_plan_file(tmp_path / "missing.sqlite")


@pytest.mark.parametrize(("code", "name", "text", "words"), [
    (5, "SQLITE_BUSY", "database is locked", "正被其他程序或窗口占用"),
    (10, "SQLITE_IOERR", "disk I/O error", "磁盘读写出错"),
    (14, "SQLITE_CANTOPEN", "unable to open database file", "文件无法打开"),
    (26, "SQLITE_NOTADB", "file is not a database", "已损坏或不是本程序的文件"),
])
def test_a_plan_file_that_fails_to_read_says_why_in_chinese(
        monkeypatch: pytest.MonkeyPatch, code: int, name: str, text: str, words: str) -> None:
    import sqlite3

    from gongkai_desktop.plan import library

    def failing(conn: object) -> Plan:
        error = sqlite3.OperationalError(text)
        error.sqlite_errorcode, error.sqlite_errorname = code, name
        raise error

    monkeypatch.setattr(library, "read_plan", failing)
    with pytest.raises(GongkaiError) as caught:
        read_plan_file(REPO_ROOT / "data" / "seed.sqlite")
    message = str(caught.value)
    assert words in message and "任务分工数据文件" in message and "seed.sqlite" in message
    assert text not in message and name not in message


def test_library_starts_with_only_the_bundled_plan(isolated_data_dir: Path) -> None:
    infos = PlanLibrary().list_plans()
    assert [i.id for i in infos] == ["cq-2020-89"]


def test_add_list_get_an_imported_plan(isolated_data_dir: Path) -> None:
    library = PlanLibrary()
    plan = _imported_plan()
    path = library.add(plan)
    assert path == isolated_data_dir / "plans" / "cq-2021-test.sqlite"
    assert [i.id for i in library.list_plans()] == ["cq-2020-89", "cq-2021-test"]
    assert library.list_plans()[1] == plan.info
    assert library.get("cq-2021-test") == plan
    assert library.get("cq-2020-89") is bundled_plan()
    # a new library object (the next start of the app) sees it too
    assert PlanLibrary().get("cq-2021-test") == plan


def test_adding_an_existing_id_is_refused_unless_replacing(isolated_data_dir: Path) -> None:
    library = PlanLibrary()
    library.add(_imported_plan())
    with pytest.raises(InvalidInput, match="已有编号为“cq-2021-test”"):
        library.add(_imported_plan(title="另一个标题"))
    assert library.get("cq-2021-test").info.title == "2021年任务分工"  # unchanged
    library.add(_imported_plan(title="更正后的标题"), replace=True)
    assert library.get("cq-2021-test").info.title == "更正后的标题"
    assert len(library.list_plans()) == 2


def test_the_bundled_id_cannot_be_imported(isolated_data_dir: Path) -> None:
    library = PlanLibrary()
    with pytest.raises(InvalidInput, match="内置任务分工"):
        library.add(_imported_plan("cq-2020-89"), replace=True)
    assert not (isolated_data_dir / "plans" / "cq-2020-89.sqlite").exists()


@pytest.mark.parametrize("plan_id", ["../escape", "CQ 2021", "渝府办发", ""])
def test_unsafe_plan_ids_are_refused(isolated_data_dir: Path, plan_id: str) -> None:
    with pytest.raises(InvalidInput, match="计划编号"):
        PlanLibrary().add(_imported_plan(plan_id))
    assert not list(isolated_data_dir.rglob("*.sqlite"))


def test_unknown_plan_is_not_found(isolated_data_dir: Path) -> None:
    with pytest.raises(NotFound, match="cq-2099-1"):
        PlanLibrary().get("cq-2099-1")


def test_a_damaged_library_file_is_skipped_in_the_list_and_reported_on_get(
    isolated_data_dir: Path,
) -> None:
    library = PlanLibrary()
    library.add(_imported_plan())
    (isolated_data_dir / "plans" / "cq-broken.sqlite").write_bytes(b"\0garbage" * 64)
    assert [i.id for i in library.list_plans()] == ["cq-2020-89", "cq-2021-test"]
    with pytest.raises(WorkspaceError):
        library.get("cq-broken")


# --- JSON export ---------------------------------------------------------------------


def test_json_shape() -> None:
    data = plan_to_json(bundled_plan())
    assert list(data) == ["plan", "areas"]
    assert data["plan"] == {
        "id": "cq-2020-89",
        "title": "贯彻落实国务院办公厅2020年政务公开工作要点任务分工",
        "document_number": "渝府办发〔2020〕89号",
        "issued": "2020-07-13",
        "issuer": "重庆市人民政府办公厅",
        "version": 1,
    }
    assert len(data["areas"]) == 6
    area = data["areas"][0]
    assert set(area) == {"no", "label", "title", "subtasks"}
    assert (area["no"], area["label"]) == (1, "一")
    sub = area["subtasks"][0]
    assert set(sub) == {"no", "label", "title", "measures"}
    assert (sub["no"], sub["label"]) == (1, "（一）")
    measure = sub["measures"][0]
    assert measure == {
        "id": "1.1.1",
        "no": 1,
        "label": "1．",
        "text": bundled_plan().measure("1.1.1").text,
        "lead_units": ["市政府办公厅", "市司法局"],
        "responsible_units": ["市政府各部门", "各区县政府"],
        "deadline": None,
    }
    measures = {m["id"]: m for a in data["areas"] for s in a["subtasks"] for m in s["measures"]}
    assert len(measures) == 60
    assert measures["1.3.1"]["deadline"] == "2020-11-30"
    assert measures["3.2.3"]["deadline"].startswith("行政许可、行政处罚决定作出之日起7个工作日内；")
    assert measures["5.6.2"]["responsible_units"] == []
    assert measures["3.3.1"]["label"] == ""
    # plain JSON, Chinese kept readable
    text = json.dumps(data, ensure_ascii=False)
    assert json.loads(text) == data and "渝府办发〔2020〕89号" in text


def test_json_with_roles_lists_each_measures_roles_sorted() -> None:
    roles = {"1.1.1": {Role.RESPONSIBLE, Role.LEAD}, "1.2.2": [Role.CONCERNED]}
    data = plan_to_json(bundled_plan(), roles)
    measures = {m["id"]: m for a in data["areas"] for s in a["subtasks"] for m in s["measures"]}
    assert measures["1.1.1"]["roles"] == ["lead", "responsible"]
    assert measures["1.2.2"]["roles"] == ["concerned"]
    assert measures["6.5.1"]["roles"] == []
    assert all("roles" not in m for a in plan_to_json(bundled_plan())["areas"]
               for s in a["subtasks"] for m in s["measures"])  # fmt: skip


def test_json_deadline_prefers_the_date_when_a_measure_has_both() -> None:
    plan = _imported_plan()
    first = plan.areas[0].subtasks[0].measures[0]
    both = dataclasses.replace(first, deadline=Deadline(dt.date(2021, 6, 30), "另有说明"))
    sub = dataclasses.replace(plan.areas[0].subtasks[0], measures=(both,))
    plan = Plan(plan.info, (dataclasses.replace(plan.areas[0], subtasks=(sub,)),))
    measure = plan_to_json(plan)["areas"][0]["subtasks"][0]["measures"][0]
    assert measure["deadline"] == "2021-06-30"
