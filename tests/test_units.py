"""The unit directory (data/units.toml): who the units are and finding them by any name."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai_desktop.errors import InvalidInput, NotFound
from gongkai_desktop.model import UnitType
from gongkai_desktop.units import UnitDirectory


def _names(text: str) -> list[str]:
    return text.split()


# The 2020 list of municipal departments, as written in DOMAIN.md.
DEPARTMENTS = _names(
    "市政府办公厅 市发展改革委 市教委 市科技局 市经济信息委 市民族宗教委 市公安局 市民政局 "
    "市司法局 市财政局 市人力社保局 市规划自然资源局 市生态环境局 市住房城乡建委 市城市管理局 "
    "市交通局 市水利局 "
    "市农业农村委 市商务委 市文化旅游委 市卫生健康委 市退役军人事务局 市应急局 市审计局 市政府外办 "
    "市国资委 市市场监管局 市体育局 市统计局 市医保局 市林业局 市机关事务局 市大数据发展局 "
    "市政府口岸物流办 市招商投资局 市公共资源交易监管局 市金融监管局 市信访办 市扶贫办 "
    "市中新项目管理局 市药监局 市知识产权局 市政府新闻办"
)

DISTRICTS = _names(
    "万州区 涪陵区 渝中区 大渡口区 江北区 沙坪坝区 九龙坡区 南岸区 北碚区 綦江区 大足区 渝北区 "
    "巴南区 黔江区 长寿区 江津区 合川区 永川区 南川区 璧山区 铜梁区 潼南区 荣昌区 开州区 "
    "梁平区 武隆区"
)
COUNTIES = _names("城口县 丰都县 垫江县 忠县 云阳县 奉节县 巫山县 巫溪县")
AUTONOMOUS = {
    "石柱县": "石柱土家族自治县",
    "秀山县": "秀山土家族苗族自治县",
    "酉阳县": "酉阳土家族苗族自治县",
    "彭水县": "彭水苗族土家族自治县",
}


def test_41_district_bodies(directory: UnitDirectory) -> None:
    districts = directory.districts()
    names = [u.name for u in districts]
    assert len(districts) == 41
    assert names[:26] == DISTRICTS
    assert names[26:34] == COUNTIES
    assert names[34:38] == list(AUTONOMOUS)
    assert names[38:] == ["两江新区", "重庆高新区", "万盛经开区"]
    ids = [u.id for u in districts]
    assert ids[0] == "500101" and ids[19] == "500120" and ids[25] == "500156"
    assert ids[26] == "500229" and ids[37] == "500243"
    assert ids[38:] == ["liangjiang", "gaoxin", "wansheng"]
    assert directory.get("500101").full_name == "重庆市万州区人民政府"


def test_departments_are_the_domain_list(directory: UnitDirectory) -> None:
    departments = directory.departments()
    assert [u.name for u in departments] == DEPARTMENTS
    assert directory.find("市政府办公厅").full_name == "重庆市人民政府办公厅"
    assert directory.find("市人力社保局").full_name == "重庆市人力资源和社会保障局"
    assert directory.find("市金融监管局").full_name == "重庆市地方金融监督管理局"
    assert directory.find("市政府新闻办").full_name == "重庆市人民政府新闻办公室"
    assert directory.get("cq-gov-office").name == "市政府办公厅"
    assert directory.get("cq-ndrc").name == "市发展改革委"


def test_other_bodies_named_in_the_table(directory: UnitDirectory) -> None:
    org = directory.find("市委组织部（市公务员局）")
    assert org.type is UnitType.OTHER
    assert directory.find("市委组织部") == org == directory.find("市公务员局")
    school = directory.find("市委党校")
    assert school == directory.find("重庆行政学院") == directory.find("市委党校（重庆行政学院）")
    assert directory.is_administrative(org)
    assert not directory.is_administrative(school)
    assert all(directory.is_administrative(u) for u in directory.districts())


def test_every_spelling_of_a_district_finds_it(directory: UnitDirectory) -> None:
    wanzhou = directory.get("500101")
    for name in ("万州区", "万州区政府", "万州区人民政府", "重庆市万州区人民政府", " 万州区 "):
        assert directory.find(name) == wanzhou
    shizhu = directory.find("石柱县")
    assert shizhu.id == "500240"
    for name in ("石柱土家族自治县", "石柱土家族自治县人民政府", "石柱县政府"):
        assert directory.find(name) == shizhu
    for short, full in AUTONOMOUS.items():
        assert directory.find(full).name == short


def test_management_committees(directory: UnitDirectory) -> None:
    liangjiang = directory.get("liangjiang")
    for name in ("两江新区", "两江新区管委会", "重庆两江新区管理委员会"):
        assert directory.find(name) == liangjiang
    assert directory.find("重庆高新区管委会").id == "gaoxin"
    assert directory.find("万盛经开区管委会").id == "wansheng"


def test_department_spellings(directory: UnitDirectory) -> None:
    ndrc = directory.get("cq-ndrc")
    names = ("市发展改革委", "重庆市发展和改革委员会", "市发展和改革委员会", "重庆市发展改革委")
    for name in names:
        assert directory.find(name) == ndrc


def test_names_split_by_pdf_lines_and_half_width_brackets(directory: UnitDirectory) -> None:
    org = directory.get("cq-organization-dept")
    assert directory.find("市委组织部\n（市公务员\n局）") == org
    assert directory.find("市委组织部(市公务员局)") == org
    assert directory.find("市\n市场监管局").name == "市市场监管局"


def test_unknown_name_suggests_close_matches(directory: UnitDirectory) -> None:
    with pytest.raises(NotFound) as info:
        directory.find("万州")
    assert "没有找到单位“万州”" in str(info.value)
    assert "万州区" in str(info.value)
    with pytest.raises(NotFound) as info:
        directory.find("万州区教委")  # a body inside a district: suggest the district
    assert "万州区" in str(info.value)
    with pytest.raises(NotFound) as info:
        directory.find("市")  # many matches: at most three suggested
    assert str(info.value).count("、") <= 2
    with pytest.raises(NotFound) as info:
        directory.find("火星局")
    assert str(info.value).startswith("没有找到单位“火星局”")
    assert directory.lookup("火星局") is None


def test_type_ahead_search(directory: UnitDirectory) -> None:
    assert [u.name for u in directory.search("万")] == ["万州区", "万盛经开区"]
    assert directory.search("万州区")[0].name == "万州区"
    assert directory.search("卫健")[0].name == "市卫生健康委"  # through an alias
    assert directory.search("土家族")[0].name == "石柱县"  # through the full name
    districts_first = directory.search("区", limit=5)
    assert len(districts_first) == 5 and districts_first[0].name == "万州区"
    # a name starting with the text ranks before one only containing it
    assert [u.name for u in directory.search("市政府")][:2] == ["市政府办公厅", "市政府外办"]
    assert len(directory.search("")) == 20
    assert directory.search("火星") == []


def test_custom_units(directory: UnitDirectory) -> None:
    unit = directory.custom_unit(" 万州区教委 ")
    assert unit.type is UnitType.OTHER and unit.name == "万州区教委"
    assert unit.id == "custom:万州区教委"
    assert directory.custom_unit("万州区教委") == unit
    assert directory.get(unit.id) == unit
    assert unit not in directory
    assert directory.custom_unit("万州区人民政府") == directory.get("500101")
    with pytest.raises(InvalidInput):
        directory.custom_unit("  ")
    with pytest.raises(NotFound, match="没有编号为“nope”的单位"):
        directory.get("nope")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "units.toml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = """
[[unit]]
id = "{id}"
name = "{name}"
full_name = "{full}"
type = "{type}"
aliases = [{aliases}]
"""


def test_damaged_file_gives_a_chinese_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[unit]]\nid = "500101"\nname = 万州区\n')
    with pytest.raises(InvalidInput) as info:
        UnitDirectory.load(path)
    assert "第3行格式有误" in str(info.value)
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidInput, match="UTF-8"):
        UnitDirectory.load(tmp_path / "bad.toml")
    with pytest.raises(NotFound, match="找不到单位名录文件"):
        UnitDirectory.load(tmp_path / "missing.toml")
    with pytest.raises(InvalidInput, match="没有任何"):
        UnitDirectory.load(_write(tmp_path, "# empty\n"))


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            [("a", "甲区", "重庆市甲区人民政府", "district", ""),
             ("a", "乙区", "重庆市乙区人民政府", "district", "")],
            "编号“a”重复",
        ),
        (
            [("a", "甲区", "重庆市甲区人民政府", "district", '"甲"'),
             ("b", "乙区", "重庆市乙区人民政府", "district", '"甲"')],
            "“甲”同时是“甲区”和“乙区”",
        ),
        ([("a", "甲区", "重庆市甲区人民政府", "city", "")], "类型 type 为“city”"),
        ([("custom:x", "甲区", "重庆市甲区人民政府", "district", "")], "不能以“custom:”开头"),
        ([("a", "", "重庆市甲区人民政府", "district", "")], "缺少简称"),
    ],
)
def test_invalid_entries_are_refused(
    tmp_path: Path, entries: list[tuple[str, str, str, str, str]], message: str
) -> None:
    text = "".join(
        ENTRY.format(id=i, name=n, full=f, type=t, aliases=a) for i, n, f, t, a in entries
    )
    with pytest.raises(InvalidInput, match=message):
        UnitDirectory.load(_write(tmp_path, text))


def test_an_edited_file_is_used(tmp_path: Path) -> None:
    text = ENTRY.format(id="x1", name="市新局", full="重庆市新局", type="department", aliases="")
    directory = UnitDirectory.load(_write(tmp_path, text))
    assert directory.find("重庆市新局").id == "x1"
    assert [u.id for u in directory.departments()] == ["x1"]


def test_shipped_file_has_86_units_with_unique_ids(directory: UnitDirectory) -> None:
    assert len({u.id for u in directory.all()}) == len(directory) == 86
    others = [u.name for u in directory.others()]
    assert others == ["市委组织部（市公务员局）", "市委党校（重庆行政学院）"]


# ---- the pre-parsed copy (data/units.json) --------------------------------------------


def test_the_shipped_preparsed_copy_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_desktop.units import main

    assert main(["--check"]) == 0, capsys.readouterr().err


def test_the_preparsed_copy_is_read_while_the_toml_is_unchanged(tmp_path: Path) -> None:
    from gongkai_desktop.units import prebuilt_path, prebuilt_text

    text = ENTRY.format(id="x1", name="市新局", full="重庆市新局", type="department", aliases="")
    source = _write(tmp_path, text)
    copy = prebuilt_text(source).replace("重庆市新局\"", "重庆市另一局\"")  # only in "unit"
    prebuilt_path(source).write_text(copy, encoding="utf-8")
    assert UnitDirectory.load(source).get("x1").full_name == "重庆市另一局"


def test_an_edited_toml_wins_over_a_stale_or_damaged_copy(tmp_path: Path) -> None:
    from gongkai_desktop.units import prebuilt_path, prebuilt_text

    old = ENTRY.format(id="x1", name="市新局", full="重庆市新局", type="department", aliases="")
    source = _write(tmp_path, old)
    prebuilt_path(source).write_text(prebuilt_text(source), encoding="utf-8")
    source.write_text(old.replace("市新局", "市更新局"), encoding="utf-8")  # the officer's edit
    assert UnitDirectory.load(source).get("x1").name == "市更新局"
    for damaged in ("{", "[]", '{"made_from": 1}', ""):
        prebuilt_path(source).write_text(damaged, encoding="utf-8")
        assert UnitDirectory.load(source).get("x1").name == "市更新局"


def test_the_check_fails_on_a_stale_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_desktop import paths, units

    text = ENTRY.format(id="x1", name="市新局", full="重庆市新局", type="department", aliases="")
    (tmp_path / "units.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(paths, "data_file", lambda name: tmp_path / name)
    assert units.main(["--check"]) == 1
    assert "不一致" in capsys.readouterr().err
    assert units.main([]) == 0
    assert units.main(["--check"]) == 0
