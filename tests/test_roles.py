"""Who does what: the roles a unit holds on a measure, from the 牵头单位 / 责任单位 columns."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing

import pytest

from gongkai_desktop import paths
from gongkai_desktop.model import Area, Measure, Plan, PlanInfo, Role, Subtask
from gongkai_desktop.roles import (
    Group,
    district_bureau,
    expected_units,
    group_of,
    led_measures,
    must_report,
    role_sources,
    roles_for_measure,
    roles_for_plan,
    unknown_names,
)
from gongkai_desktop.units import UnitDirectory

LEAD = Role.LEAD
RESP = Role.RESPONSIBLE
CONC = Role.CONCERNED


def measure(mid: str, lead: tuple[str, ...], responsible: tuple[str, ...]) -> Measure:
    return Measure(mid, 1, "1．", "举措", lead, responsible)


def plan_of(*measures: Measure) -> Plan:
    info = PlanInfo("t", "测试", "测试〔2020〕1号", dt.date(2020, 7, 13), "重庆市人民政府办公厅")
    return Plan(info, (Area("1", 1, "一", "甲", (Subtask("1.1", 1, "（一）", "乙", measures),)),))


M_ALL = measure("1.1.1", ("市政府办公厅", "市司法局"), ("市政府各部门", "各区县政府"))
M_CONCERNED = measure("2.1.1", ("市政府办公厅",), ("市政府有关部门", "各区县政府"))
M_BUREAU = measure("3.1.2", ("市市场监管局",), ("区县市场监管局",))
M_ORGANS = measure("5.1.1", ("市政府办公厅",), ("全市各级行政机关",))
M_NAMED = measure(
    "6.3.1", ("市委组织部（市公务员局）",), ("市司法局", "市委党校（重庆行政学院）", "各区县政府")
)
M_ALONE = measure("5.6.2", ("市政府新闻办",), ())


def roles(m: Measure, name: str, directory: UnitDirectory) -> frozenset[Role]:
    return roles_for_measure(m, directory.find(name), directory)


def test_group_words_are_recognised() -> None:
    assert group_of("市政府各部门") is Group.ALL_DEPARTMENTS
    assert group_of("各区县政府") is Group.ALL_DISTRICTS
    assert group_of("各区县（自治县）人民政府") is Group.ALL_DISTRICTS
    assert group_of("全市各级行政机关") is Group.ALL_ADMINISTRATIVE_ORGANS
    assert group_of("市政府有关\n部门") is Group.CONCERNED_DEPARTMENTS
    for word in ("区县市场监管局", "区县民政局", "各区县教委", "区县市场监\n管局"):
        assert group_of(word) is Group.DISTRICT_BUREAU, word
    assert district_bureau("区县市场监管局") == "市场监管局"
    for name in ("市司法局", "万州区", "区县政府办公室", "市市场监管局"):
        assert group_of(name) is None, name


def test_districts_and_departments_through_group_words(directory: UnitDirectory) -> None:
    assert roles(M_ALL, "万州区", directory) == {RESP}
    assert roles(M_ALL, "两江新区", directory) == {RESP}
    assert roles(M_ALL, "市财政局", directory) == {RESP}
    assert roles(M_ALL, "市司法局", directory) == {LEAD, RESP}
    # 市委党校 is neither a department nor a district
    assert roles(M_ALL, "市委党校", directory) == frozenset()


def test_a_unit_can_lead_and_be_responsible(directory: UnitDirectory) -> None:
    assert roles(M_ALL, "市政府办公厅", directory) == {LEAD, RESP}
    sources = role_sources(M_ALL, directory.find("市政府办公厅"), directory)
    assert sources == {LEAD: ("市政府办公厅",), RESP: ("市政府各部门",)}


def test_lead_found_through_an_alias(directory: UnitDirectory) -> None:
    m = measure("9.9.9", ("重庆市人民政府办公厅",), ("万州区人民政府",))
    assert roles(m, "市政府办公厅", directory) == {LEAD}
    assert roles(m, "重庆市万州区人民政府", directory) == {RESP}
    assert roles(m, "涪陵区", directory) == frozenset()


def test_concerned_departments(directory: UnitDirectory) -> None:
    assert roles(M_CONCERNED, "市卫生健康委", directory) == {CONC}
    assert roles(M_CONCERNED, "万州区", directory) == {RESP}
    assert roles(M_CONCERNED, "市政府办公厅", directory) == {LEAD, CONC}


def test_district_bureau_word_concerns_districts(directory: UnitDirectory) -> None:
    assert roles(M_BUREAU, "万州区", directory) == {CONC}
    assert roles(M_BUREAU, "石柱县", directory) == {CONC}
    assert roles(M_BUREAU, "市市场监管局", directory) == {LEAD}
    assert roles(M_BUREAU, "市公安局", directory) == frozenset()


def test_every_administrative_organ(directory: UnitDirectory) -> None:
    assert roles(M_ORGANS, "万州区", directory) == {RESP}
    assert roles(M_ORGANS, "市公安局", directory) == {RESP}
    # 市委组织部 is also 市公务员局, an administrative organ; the party school is not.
    assert roles(M_ORGANS, "市公务员局", directory) == {RESP}
    assert roles(M_ORGANS, "市委党校", directory) == frozenset()


def test_named_bodies(directory: UnitDirectory) -> None:
    assert roles(M_NAMED, "市委组织部", directory) == {LEAD}
    assert roles(M_NAMED, "重庆行政学院", directory) == {RESP}
    assert roles(M_NAMED, "市司法局", directory) == {RESP}
    assert roles(M_NAMED, "市公安局", directory) == frozenset()


def test_custom_unit_matches_only_its_exact_name(directory: UnitDirectory) -> None:
    bureau = directory.custom_unit("万州区市场监管局")
    assert roles_for_measure(M_BUREAU, bureau, directory) == frozenset()
    assert roles_for_measure(M_ORGANS, bureau, directory) == frozenset()
    m = measure("9.9.8", ("市政府办公厅",), ("万州区市场监管局", "各区县政府"))
    assert roles_for_measure(m, bureau, directory) == {RESP}
    assert roles_for_measure(m, directory.custom_unit("万州区市场监督管理局"), directory) == set()


def test_expected_units(directory: UnitDirectory) -> None:
    expected = expected_units(M_ALL, directory)
    assert len(expected) == 41 + 43
    assert expected[0] == (directory.get("500101"), frozenset({RESP}))
    holders = dict(expected)
    assert holders[directory.find("市政府办公厅")] == {LEAD, RESP}
    bureau = expected_units(M_BUREAU, directory)
    assert [u for u, _ in bureau] == directory.districts()
    assert all(r == {CONC} for _, r in bureau)
    organs = [u.name for u, _ in expected_units(M_ORGANS, directory)]
    assert len(organs) == 41 + 43 + 1 and organs[-1] == "市委组织部（市公务员局）"
    named = [u.name for u, _ in expected_units(M_NAMED, directory)]
    assert named[:41] == [u.name for u in directory.districts()]
    assert named[41:] == ["市司法局", "市委党校（重庆行政学院）"]
    # No responsible unit: the lead does the work itself, so it is expected to report.
    alone = expected_units(M_ALONE, directory)
    assert [(u.name, r) for u, r in alone] == [("市政府新闻办", frozenset({LEAD, RESP}))]


def test_plan_wide_helpers(directory: UnitDirectory) -> None:
    plan = plan_of(M_ALL, M_CONCERNED, M_BUREAU, M_ALONE)
    office = directory.find("市政府办公厅")
    by_measure = roles_for_plan(plan, office, directory)
    assert list(by_measure) == ["1.1.1", "2.1.1", "3.1.2", "5.6.2"]
    assert by_measure["3.1.2"] == frozenset()
    assert led_measures(plan, office, directory) == ["1.1.1", "2.1.1"]
    assert led_measures(plan, directory.find("市政府新闻办"), directory) == ["5.6.2"]
    assert must_report({RESP}) and must_report([CONC, LEAD])
    assert not must_report({LEAD}) and not must_report(())
    odd = plan_of(measure("9.1.1", ("市政府办公厅",), ("市火星局", "各区县政府", "市火星局")))
    assert unknown_names(odd, directory) == ["市火星局"]


# ---- the real 2020 plan, once data/seed.sqlite has been built --------------------------


@pytest.fixture(scope="module")
def real_plan() -> Iterator[Plan]:
    seed = paths.seed_database()
    if not seed.exists():
        pytest.skip("data/seed.sqlite has not been built yet")
    from gongkai_desktop.plan.store import read_plan

    with closing(sqlite3.connect(f"file:{seed}?mode=ro", uri=True)) as conn:
        yield read_plan(conn)


def test_real_plan_roles(real_plan: Plan, directory: UnitDirectory) -> None:
    def on(mid: str, name: str) -> frozenset[Role]:
        return roles_for_measure(real_plan.measure(mid), directory.find(name), directory)

    assert on("1.1.1", "万州区") == {RESP}
    # 2.1.1 names 市政府有关部门 and 各区县政府: districts are responsible, departments concerned
    assert on("2.1.1", "万州区") == {RESP}
    assert on("2.1.1", "市卫生健康委") == {CONC}
    assert on("2.1.1", "市人力社保局") == {LEAD, CONC}
    assert on("3.1.2", "万州区") == {CONC}
    assert LEAD in on("1.1.1", "市司法局") and LEAD in on("1.3.2", "市司法局")
    assert on("1.1.2", "市政府办公厅") == {LEAD, RESP}
    assert RESP in on("4.2.1", "市卫生健康委")
    assert RESP in on("6.1.2", "市规划自然资源局")
    assert [u.name for u, _ in expected_units(real_plan.measure("5.6.2"), directory)] == [
        "市政府办公厅"
    ]


def test_every_name_in_the_real_plan_is_known(real_plan: Plan, directory: UnitDirectory) -> None:
    assert unknown_names(real_plan, directory) == []
    for m in real_plan.measures():
        assert all(directory.lookup(n) is not None for n in m.lead_units), m.id


def test_the_measures_a_unit_must_report_is_one_rule() -> None:
    from gongkai_desktop.roles import REPORTING_ROLES, must_report, reported_measures

    held = {"1": frozenset({Role.LEAD}), "2": frozenset({Role.CONCERNED}),
            "3": frozenset(), "4": frozenset({Role.RESPONSIBLE, Role.LEAD})}
    assert reported_measures(held) == ["2", "4"]
    assert {Role.RESPONSIBLE, Role.CONCERNED} == REPORTING_ROLES
    assert not must_report({Role.LEAD})
