"""The bundled plan (渝府办发〔2020〕89号) against the printed document.

The committed data/seed.sqlite must be what the reviewed TOML source builds, and
the plan in it must match the PDF extraction of the notice: every title, label
and text verbatim, every unit list (checked twice: against an explicit table
written from the document, and by walking the whole table part of the
document), every deadline.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import Plan
from gongkai_desktop.plan.deadlines import parse_deadline
from gongkai_desktop.plan.library import read_plan_file
from gongkai_desktop.plan.seed import build_seed, main
from gongkai_desktop.plan.source import load_plan_source
from tests.conftest import REPO_ROOT

SOURCE = REPO_ROOT / "data" / "plans" / "cq-2020-89.toml"
SEED = REPO_ROOT / "data" / "seed.sqlite"
DOCUMENT = REPO_ROOT / "data" / "plans" / "cq-2020-89.source.txt"
SEPARATORS = "、，"


def _squeeze(text: str) -> str:
    return "".join(text.split())


DOC = _squeeze(DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return read_plan_file(SEED)


# --- the committed seed is what the source builds -------------------------------------


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")]
        content = {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}
        content["#marks"] = [
            (
                conn.execute("PRAGMA application_id").fetchone()[0],
                conn.execute("PRAGMA user_version").fetchone()[0],
                conn.execute("PRAGMA journal_mode").fetchone()[0],
            )
        ]
        return content
    finally:
        conn.close()


def test_committed_seed_is_what_the_source_builds(tmp_path: Path) -> None:
    fresh = tmp_path / "seed.sqlite"
    build_seed(SOURCE, fresh)
    built, committed = _tables(fresh), _tables(SEED)
    assert sorted(built) == sorted(committed)
    for table in built:
        assert built[table] == committed[table], f"表 {table} 与已提交的 data/seed.sqlite 不同"
    assert built["#marks"] == [(0x474B5344, 1, "delete")]
    assert len(built["plan_measures"]) == 60


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    build_seed(SOURCE, tmp_path / "a.sqlite")
    build_seed(SOURCE, tmp_path / "b.sqlite")
    assert (tmp_path / "a.sqlite").read_bytes() == (tmp_path / "b.sqlite").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.sqlite", "b.sqlite"]  # no leftovers


def test_seed_command_check_passes_on_the_committed_seed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--check"]) == 0
    assert "一致" in capsys.readouterr().out


def test_seed_command_check_fails_on_a_stale_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "seed.sqlite"
    shutil.copyfile(SEED, stale)
    conn = sqlite3.connect(stale)
    with conn:
        conn.execute(
            "UPDATE plan_measure_units SET name = '市政府办公室' WHERE name = '市政府办公厅'"
        )
    conn.close()
    assert main(["--check", "--seed", str(stale)]) == 1
    assert "plan_measure_units" in capsys.readouterr().err
    assert main(["--check", "--seed", str(tmp_path / "missing.sqlite")]) == 1


def test_seed_command_writes_and_says_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "seed.sqlite"
    assert main(["--source", str(SOURCE), "--seed", str(out)]) == 0
    said = capsys.readouterr().out
    assert str(out) in said and "60 条举措" in said and "23 个子任务" in said
    assert _tables(out) == _tables(SEED)


# --- shape --------------------------------------------------------------------------


def test_shape_six_areas_23_subtasks_60_measures(plan: Plan) -> None:
    assert [a.label for a in plan.areas] == ["一", "二", "三", "四", "五", "六"]
    assert [len(a.subtasks) for a in plan.areas] == [3, 2, 3, 3, 7, 5]
    assert [sum(len(s.measures) for s in a.subtasks) for a in plan.areas] == [10, 11, 6, 7, 14, 12]
    per_subtask = {s.id: len(s.measures) for s in plan.subtasks()}
    assert per_subtask == {
        "1.1": 3, "1.2": 3, "1.3": 4,
        "2.1": 5, "2.2": 6,
        "3.1": 2, "3.2": 3, "3.3": 1,
        "4.1": 3, "4.2": 2, "4.3": 2,
        "5.1": 2, "5.2": 2, "5.3": 1, "5.4": 1, "5.5": 1, "5.6": 6, "5.7": 1,
        "6.1": 3, "6.2": 2, "6.3": 4, "6.4": 2, "6.5": 1,
    }  # fmt: skip
    assert len(plan.measures()) == 60
    assert len({m.id for m in plan.measures()}) == 60
    info = plan.info
    assert (info.id, info.document_number, info.issued, info.issuer, info.version) == (
        "cq-2020-89", "渝府办发〔2020〕89号", dt.date(2020, 7, 13), "重庆市人民政府办公厅", 1
    )  # fmt: skip
    assert info.title == "贯彻落实国务院办公厅2020年政务公开工作要点任务分工"


def test_labels_as_printed(plan: Plan) -> None:
    for area in plan.areas:
        for sub in area.subtasks:
            assert re.fullmatch(r"（[一二三四五六七]）", sub.label)
            for m in sub.measures:
                assert m.id == f"{area.no}.{sub.no}.{m.no}"
                if len(sub.measures) == 1:
                    assert m.label == "", m.id
                elif m.id in {"2.2.4", "2.2.5", "2.2.6"}:
                    assert m.label == f"{m.no}.", m.id  # printed with an ASCII dot
                else:
                    assert m.label == f"{m.no}．", m.id
    singles = [s.id for s in plan.subtasks() if len(s.measures) == 1]
    assert singles == ["3.3", "5.3", "5.4", "5.5", "5.7", "6.5"]


# --- verbatim: walk the whole table part of the document --------------------------------

# Rows whose lead unit the PDF printed before the page break, i.e. before the
# measure's own number, right after the previous row's units.
LEAD_BEFORE_LABEL = {"1.3.3", "2.2.3"}


def _stream(names: tuple[str, ...]) -> str:
    return "".join(names)


def _consume(pos: int, stream: str, what: str) -> int:
    """Step over ``stream`` (unit names, any separators between) starting at ``pos``."""
    for ch in stream:
        while DOC[pos] in SEPARATORS:
            pos += 1
        assert DOC[pos] == ch, f"{what}：原文第{pos}字处应为“{stream}”，实为“{DOC[pos : pos + 30]}”"
        pos += 1
    while pos < len(DOC) and DOC[pos] in SEPARATORS:
        pos += 1
    return pos


def _match_fragments(piece: str, pos: int, units: str) -> tuple[list[tuple[int, int]], str] | None:
    """Match ``piece`` at ``pos``: whole, or cut into fragments whose gaps hold nothing
    but the leading part of this row's own unit names (and separators).

    Returns the spans and the part of ``units`` not used up by gaps.
    """
    if DOC.startswith(piece, pos):
        return [(pos, pos + len(piece))], units
    common = 0
    while common < len(piece) and pos + common < len(DOC) and DOC[pos + common] == piece[common]:
        common += 1
    for cut in range(common, 0, -1):
        gap_end = pos + cut
        for used, ch in enumerate(units, 1):
            while DOC[gap_end] in SEPARATORS:
                gap_end += 1
            if DOC[gap_end] != ch:
                break
            gap_end += 1
            for resume in (gap_end, _skip_separators(gap_end)):
                rest = _match_fragments(piece[cut:], resume, units[used:])
                if rest is not None:
                    return [(pos, pos + cut), *rest[0]], rest[1]
    return None


def _skip_separators(pos: int) -> int:
    while pos < len(DOC) and DOC[pos] in SEPARATORS:
        pos += 1
    return pos


def test_every_title_label_text_and_unit_cell_reads_through_the_document(plan: Plan) -> None:
    """Walk the table from its header to the end of the document: areas, sub-tasks and
    measures in order, each verbatim at exactly the next position; between them only
    the unit names of the row just read. Nothing is skipped, nothing is free."""
    header = "重点任务贯彻举措牵头单位责任单位"
    pos = DOC.index(header) + len(header)
    pending = ""  # unit names the document still has to show before the next element
    fragmented: list[str] = []
    for area in plan.areas:
        pos = _consume(pos, pending, f"重点任务{area.label}之前")
        pending = ""
        title = f"{area.label}、{_squeeze(area.title)}"
        assert DOC.startswith(title, pos), f"重点任务“{title}”不在原文应有的位置"
        pos += len(title)
        for sub in area.subtasks:
            pos = _consume(pos, pending, f"子任务 {sub.id} 之前")
            pending = ""
            title = sub.label + _squeeze(sub.title)
            assert DOC.startswith(title, pos), f"子任务 {sub.id}“{title}”不在原文应有的位置"
            pos += len(title)
            for m in sub.measures:
                if m.id in LEAD_BEFORE_LABEL:
                    pos = _consume(pos, pending + _stream(m.lead_units), f"举措 {m.id} 之前")
                    units = _stream(m.responsible_units)
                else:
                    pos = _consume(pos, pending, f"举措 {m.id} 之前")
                    units = _stream(m.lead_units + m.responsible_units)
                found = _match_fragments(m.label + _squeeze(m.text), pos, units)
                assert found is not None, f"举措 {m.id} 的文字与原文不符：{m.text}"
                spans, pending = found
                if len(spans) > 1:
                    fragmented.append(m.id)
                pos = spans[-1][1]
    assert _consume(pos, pending, "文末") == len(DOC)
    # Only the two rows the page break cut inside their text may be fragmented.
    assert fragmented == ["5.2.1", "6.1.2"]


def test_fragment_matching_is_not_a_free_pass(plan: Plan) -> None:
    m521 = plan.measure("5.2.1")
    pos = DOC.index(m521.label + m521.text[:20])
    own = _stream(m521.lead_units + m521.responsible_units)
    assert _match_fragments(m521.label + m521.text, pos, own) is not None
    # the same text with units that are not in the gap cannot be matched
    assert _match_fragments(m521.label + m521.text, pos, "市司法局各区县政府") is None
    # nor a text that skips a word of the document
    assert (
        _match_fragments(m521.label + m521.text.replace("政府信息查阅场所，", ""), pos, own) is None
    )
    # nor one that adds a word
    assert _match_fragments(m521.label + m521.text + "并公开。", pos, own) is None


@pytest.mark.parametrize("kind", ["measure", "area", "subtask"])
def test_every_text_and_title_occurs_in_the_document(plan: Plan, kind: str) -> None:
    """The plain containment check, independent of the walk above."""
    if kind == "area":
        pieces = [a.label + "、" + a.title for a in plan.areas]
    elif kind == "subtask":
        pieces = [s.label + s.title for s in plan.subtasks()]
    else:
        pieces = [m.text for m in plan.measures() if m.id not in {"5.2.1", "6.1.2"}]
        assert len(pieces) == 58
    for piece in pieces:
        assert _squeeze(piece) in DOC, piece


def test_texts_keep_the_printed_punctuation(plan: Plan) -> None:
    texts = "".join(m.text for m in plan.measures())
    assert not re.search(r"\s", texts)
    assert "," not in texts and ";" not in texts  # full-width punctuation, as printed
    assert plan.measure("5.2.1").text.count("链接本区县、本部门政府网站信息公开平台。") == 1
    assert (
        "履行本机关政府信息公开工作领导职责，并报本区县政府办公室备案。"
        in plan.measure("6.1.2").text
    )


# --- unit lists: an explicit table read from the document ------------------------------

# As the cells read in the printed table (names joined where the PDF cut them).
# "lead | responsible"; cells split on 、 and ，; an empty right side = no responsible unit.
EXPECTED_UNITS = """
1.1.1 市政府办公厅、市司法局 | 市政府各部门、各区县政府
1.1.2 市政府办公厅 | 市政府各部门、各区县政府
1.1.3 市政府办公厅 | 各区县政府
1.2.1 市政府办公厅 | 各区县政府
1.2.2 市政府办公厅 | 市政府有关部门
1.2.3 市政府办公厅 | 各区县政府
1.3.1 市政府办公厅、市司法局 | 市政府各部门
1.3.2 市司法局 | 市政府各部门、各区县政府
1.3.3 市司法局 | 市政府各部门、各区县政府
1.3.4 市政府办公厅 | 市政府各部门、各区县政府
2.1.1 市人力社保局 | 市政府有关部门、各区县政府
2.1.2 市金融监管局 | 市政府有关部门、各区县政府
2.1.3 市商务委 | 市政府有关部门、各区县政府
2.1.4 市发展改革委 | 市政府有关部门、各区县政府
2.1.5 市政府新闻办 | 市政府各部门、各区县政府
2.2.1 市人力社保局 | 市政府有关部门、各区县政府
2.2.2 市发展改革委 | 市政府有关部门、各区县政府
2.2.3 市经济信息委 | 市政府有关部门、各区县政府
2.2.4 市发展改革委 | 市政府有关部门、各区县政府
2.2.5 市经济信息委 | 市政府有关部门、各区县政府
2.2.6 市财政局 | 市政府有关部门、各区县政府
3.1.1 市市场监管局 | 市政府有关部门、各区县政府
3.1.2 市市场监管局 | 区县市场监管局
3.2.1 市政府办公厅 | 市政府各部门、各区县政府
3.2.2 市政府办公厅 | 市政府各部门、各区县政府
3.2.3 市政府办公厅、市司法局 | 市政府有关部门、各区县政府
3.3.1 市政府办公厅 | 市政府有关部门、各区县政府
4.1.1 市卫生健康委 | 市政府有关部门、各区县政府
4.1.2 市卫生健康委 | 市政府有关部门、各区县政府
4.1.3 市卫生健康委 | 市政府有关部门、各区县政府
4.2.1 市应急局 | 市公安局、市卫生健康委，各区县政府
4.2.2 市卫生健康委 | 各区县政府
4.3.1 市卫生健康委 | 市政府有关部门、各区县政府
4.3.2 市卫生健康委 | 市政府有关部门、各区县政府
5.1.1 市政府办公厅 | 市政府各部门、各区县政府
5.1.2 市政府办公厅 | 市政府各部门、各区县政府
5.2.1 市政府办公厅 | 市政府各部门、各区县政府
5.2.2 市政府办公厅 | 市政府各部门、各区县政府
5.3.1 市政府办公厅 | 全市各级行政机关
5.4.1 市政府办公厅 | 全市各级行政机关
5.5.1 市政府办公厅 | 市政府各部门、各区县政府
5.6.1 市政府办公厅 | 市政府各部门、各区县政府
5.6.2 市政府办公厅 |
5.6.3 市政府办公厅 | 市政府各部门、各区县政府
5.6.4 市政府办公厅 | 市政府各部门、各区县政府
5.6.5 市政府办公厅 | 市政府各部门、各区县政府
5.6.6 市政府办公厅 | 市政府各部门、各区县政府
5.7.1 市政府办公厅 | 市政府各部门
6.1.1 市政府办公厅 | 市政府各部门、各区县政府
6.1.2 市政府办公厅 | 市规划自然资源局、市市场监管局，各区县政府
6.1.3 市政府办公厅 | 各区县政府
6.2.1 市政府办公厅 | 各区县政府
6.2.2 市政府办公厅 | 市政府各部门、各区县政府
6.3.1 市委组织部（市公务员局） | 市司法局、市委党校（重庆行政学院），各区县政府
6.3.2 市政府办公厅 | 各区县政府
6.3.3 市政府办公厅 | 市政府各部门、各区县政府
6.3.4 市政府办公厅 | 市政府各部门、各区县政府
6.4.1 市政府办公厅 | 各区县政府
6.4.2 市政府办公厅 | 市政府各部门、各区县政府
6.5.1 市政府办公厅 | 市政府各部门、各区县政府
"""


def _expected_units() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    table: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for line in EXPECTED_UNITS.strip().splitlines():
        mid, cells = line.split(" ", 1)
        lead, responsible = (
            re.split(r"[、，]", c.strip()) if c.strip() else [] for c in cells.split("|")
        )
        table[mid] = (tuple(lead), tuple(responsible))
    return table


EXPECTED = _expected_units()


def test_expected_table_covers_all_60_measures(plan: Plan) -> None:
    assert list(EXPECTED) == [m.id for m in plan.measures()]


@pytest.mark.parametrize("measure_id", list(EXPECTED))
def test_lead_and_responsible_units(plan: Plan, measure_id: str) -> None:
    m = plan.measure(measure_id)
    assert (m.lead_units, m.responsible_units) == EXPECTED[measure_id]


# --- deadlines ------------------------------------------------------------------------

EXPECTED_DEADLINES = {
    "1.2.2": dt.date(2020, 7, 30),
    "1.2.3": dt.date(2020, 10, 30),
    "1.3.1": dt.date(2020, 11, 30),
    "1.3.2": dt.date(2020, 11, 30),
    "5.1.1": dt.date(2020, 12, 31),
    "5.1.2": dt.date(2020, 12, 31),
    "6.1.1": dt.date(2020, 8, 31),
}
ROLLING = (
    "行政许可、行政处罚决定作出之日起7个工作日内；"
    "行政强制和其他对外管理服务事项作出决定之日起20个工作日内"
)


def test_deadlines(plan: Plan) -> None:
    for m in plan.measures():
        assert m.deadline.date == EXPECTED_DEADLINES.get(m.id), m.id
        assert m.deadline.note == (ROLLING if m.id == "3.2.3" else ""), m.id


@pytest.mark.parametrize("default_year", [None, 2020])
def test_deadlines_are_the_ones_the_texts_state(plan: Plan, default_year: int | None) -> None:
    for m in plan.measures():
        assert parse_deadline(m.text, default_year) == m.deadline, m.id


# --- the source file refuses mistakes and says where ---------------------------------------


def _edit_source(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "plan.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'responsible = ["市政府各部门", "各区县政府"]',
            'responsable = ["市政府各部门"]',
            r"举措 1\.1\.1：不认识的字段“responsable”",
        ),
        (
            'lead = ["市政府办公厅", "市司法局"]',
            'lead = ["市政府办公厅、市司法局"]',
            r"举措 1\.1\.1：牵头单位（lead）“市政府办公厅、市司法局”含空格或分隔符",
        ),
        ('lead = ["市政府办公厅", "市司法局"]', "lead = []", r"举措 1\.1\.1：至少要有一个牵头单位"),
        (
            'lead = ["市政府办公厅", "市司法局"]',
            'lead = "市政府办公厅"',
            r"举措 1\.1\.1：牵头单位（lead）应为列表",
        ),
        (
            'lead = ["市政府办公厅", "市司法局"]',
            'lead = ["市政府办公厅", ""]',
            r"举措 1\.1\.1：牵头单位（lead）中有空的",
        ),
        (
            'label = "2．"\ntext = "依法公开',
            'label = "3．"\ntext = "依法公开',
            r"举措 1\.1\.2：序号应为“2．”",
        ),
        (
            'label = "2．"\ntext = "依法公开',
            'label = ""\ntext = "依法公开',
            r"举措 1\.1\.2：子任务有多条举措",
        ),
        (
            'text = "依法公开本机关',
            'text = "依法公开\\n本机关',
            r"举措 1\.1\.2：“text”首尾不能有空白，也不能换行",
        ),
        (
            'title = "以权责清单为依托，加强权力配置信息公开。"',
            'title = ""',
            r"1\.1）：“title”不能为空",
        ),
        ('label = "（二）"', 'label = "（三）"', r"第2个子任务（1\.2）：序号应为“（二）”"),
        ('label = "二"', 'label = "2"', r"第2项重点任务：序号应为“二”"),
        ("deadline = 2020-07-30", 'deadline = "2020-07-30"', r"举措 1\.2\.2：“deadline”应为日期"),
        ('id = "cq-2020-89"', 'id = "渝府办发89号"', r"\[plan\]：编号“渝府办发89号”只能由"),
        ("issued = 2020-07-13", "", r"\[plan\]：缺少字段“issued”"),
        ("version = 1", "version = 0", r"“version”应为正整数"),
        ("[plan]", "[plan", r"格式错误"),  # not TOML
    ],
)
def test_source_mistakes_are_refused_naming_the_place(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = _edit_source(tmp_path, old, new)
    with pytest.raises(InvalidInput, match=message):
        load_plan_source(path)


def test_a_missing_source_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="找不到任务分工源文件"):
        load_plan_source(tmp_path / "none.toml")


def test_a_refused_source_leaves_the_seed_untouched(tmp_path: Path) -> None:
    out = tmp_path / "seed.sqlite"
    build_seed(SOURCE, out)
    before = out.read_bytes()
    bad = _edit_source(tmp_path, 'lead = ["市政府办公厅", "市司法局"]', "lead = []")
    with pytest.raises(InvalidInput):
        build_seed(bad, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml", "seed.sqlite"]


def test_source_loads_to_the_same_plan_as_the_seed(plan: Plan) -> None:
    assert load_plan_source(SOURCE) == plan
