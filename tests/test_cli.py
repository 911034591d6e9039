"""The command line as a user sees it: output, exit codes, nothing changed on error."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai_desktop import __version__
from gongkai_desktop.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def content(path: Path) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every user table's rows: what 'nothing changed' means to a user."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
                " AND name NOT LIKE 'search_index%'"
                " ORDER BY name"
            )
        ]
        dump = [(t, conn.execute(f"SELECT * FROM [{t}]").fetchall()) for t in tables]
    conn.close()
    return dump


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_set_help_names_the_date_as_the_form_does(capsys: pytest.CaptureFixture[str]) -> None:
    """`set --help` calls --date 完成时间, the record form's and the workbook's name."""
    with pytest.raises(SystemExit) as exit_info:
        main(["set", "--help"])
    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # as read, whatever the wrapping
    assert "--date DATE" in help_text and "完成时间，如 2020-09-15" in help_text
    assert "完成日期" not in help_text


def test_every_help_page_is_in_chinese() -> None:
    """argparse's own words (usage, headings, the -h and --version lines) in Chinese, on
    the top page and on every command's and sub-command's page."""
    import argparse

    from gongkai_desktop.cli import build_parser

    pages: list[str] = []

    def walk(parser: argparse.ArgumentParser) -> None:
        pages.append(parser.format_help())
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    walk(child)

    walk(build_parser())
    assert len(pages) > 30
    for page in pages:
        assert page.startswith("用法：") and "显示本帮助并退出" in page, page[:200]
        for english in ("usage:", "positional arguments", "options:", "show this help",
                        "show program's version"):
            assert english not in page, page[:200]
    assert "显示程序版本并退出" in pages[0]


def test_wrapped_usage_lines_line_up_under_the_first_on_a_terminal() -> None:
    """用法： is one terminal column narrower than usage:, so argparse's wrapped usage
    lines stood one column right of the first line's options; the headings' colon is
    full-width like 用法：'s."""
    import unicodedata

    from gongkai_desktop.cli import build_parser

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    init = next(a for a in build_parser()._actions if a.dest == "command").choices["init"]
    first, second, *_ = init.format_help().splitlines()
    assert first.startswith("用法：gongkai-desktop init [-h]")
    assert second.startswith(" ") and second.lstrip().startswith("[")
    assert len(second) - len(second.lstrip()) == columns("用法：gongkai-desktop init ")
    assert "\n位置参数：\n" in init.format_help() and "\n选项：\n" in init.format_help()
    assert "位置参数:" not in init.format_help() and "选项:" not in init.format_help()


def test_a_number_option_given_words_is_refused_in_chinese(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["bundle", "export", str(tmp_path / "w.gkws"), "-o", str(tmp_path),
              "--max-size", "abc"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "--max-size: 不是数字：'abc'" in err and "float" not in err and "value" not in err


def test_plan_export_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "export", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["plan"]["document_number"] == "渝府办发〔2020〕89号"
    assert set(data["plan"]) >= {"id", "title", "document_number", "issued"}
    assert len(data["areas"]) == 6
    measures = [m for a in data["areas"] for s in a["subtasks"] for m in s["measures"]]
    assert len(measures) == 60
    first = measures[0]
    assert set(first) == {
        "id",
        "no",
        "label",
        "text",
        "lead_units",
        "responsible_units",
        "deadline",
    }
    assert first["lead_units"] == ["市政府办公厅", "市司法局"]
    assert "roles" not in first


def test_plan_export_with_unit_gives_roles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "export", "--json", "--unit", "市人力社保局")
    measures = {
        m["id"]: m for a in json.loads(out)["areas"] for s in a["subtasks"] for m in s["measures"]
    }
    assert code == 0
    assert measures["2.1.1"]["roles"] == ["concerned", "lead"]  # 市政府有关部门 + 牵头
    assert measures["1.1.1"]["roles"] == ["responsible"]  # 市政府各部门
    assert measures["1.1.3"]["roles"] == []  # districts only


def test_set_attach_and_summary(
    cli_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(
        capsys,
        "set",
        cli_ws,
        "1.1.1",
        "--status",
        "已完成",
        "--note",
        "已在门户网站公开",
        "--url",
        "https://www.wz.gov.cn/zwgk/qzqd/",
        "--date",
        "2020-09-05",
    )
    assert code == 0
    code, _, _ = run(capsys, "set", cli_ws, "2.1.1", "--status", "不适用",
                     "--reason", "本区无此项职能")
    assert code == 0
    photo = tmp_path / "专区照片.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    code, out, _ = run(
        capsys,
        "attach",
        cli_ws,
        "1.1.1",
        photo,
        "--link",
        "https://www.wz.gov.cn",
        "--title",
        "政府信息公开专栏",
    )
    assert code == 0 and "专区照片.png" in out

    code, out, _ = run(capsys, "summary", cli_ws, "--json", "--today", "2026-11-28")
    summary = json.loads(out)
    assert code == 0
    assert summary["unit"] == "万州区" and summary["plan"] == "cq-2020-89"
    assert summary["counts"]["done"] == 1 and summary["counts"]["not_applicable"] == 1
    assert summary["applicable"] == sum(summary["counts"].values()) - 1
    done = summary["measures"]["1.1.1"]
    assert done == {
        "status": "done",
        "roles": ["responsible"],
        "evidence": 2,
        "deadline": None,
        "overdue": False,
        "review": None,  # the office has not reviewed it
        "rectification": None,
        "offices": {},  # nothing delegated to the unit's own offices (#14)
        "rollup_pending": False,
    }
    # 1.2.3 (2020年10月30日前) is the district's and not done: overdue now.
    assert summary["measures"]["1.2.3"]["overdue"] is True
    assert summary["measures"]["1.2.3"]["deadline"] == "2020-10-30"
    assert summary["overdue"] == sum(m["overdue"] for m in summary["measures"].values())
    # 1.2.2 concerns departments only: not in a district's summary.
    assert "1.2.2" not in summary["measures"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["set", "{ws}", "9.9.9", "--status", "已完成"], "9.9.9"),
        (["set", "{ws}", "1.1.1", "--status", "完成了"], "不是可选的状态"),
        (["set", "{ws}", "1.1.1", "--status", "不适用"], "必须填写理由"),
        (["set", "{ws}", "1.1.1", "--status", "已完成", "--date", "2020/2/30"], "日期"),
        (["set", "{ws}", "1.1.1", "--status", "已完成", "--date", "九月五日"], "日期"),
        (["set", "{ws}", "1.1.1", "--status", "已完成", "--url", "ftp://x"], "网址"),
        (["attach", "{ws}", "1.1.1", "{tmp}/exists.txt", "{tmp}/missing.png"], "找不到文件"),
        (["attach", "{ws}", "1.1.1"], "佐证"),
        (["init", "{ws}", "--unit", "万州区"], "已存在"),
        (["init", "{tmp}/new.gkws", "--unit", "火星区"], "没有找到单位"),
        (["set", "{tmp}/missing.gkws", "1.1.1", "--status", "已完成"], "missing.gkws"),
        (["set", "{ws}"], "缺少必需的参数"),
    ],
)
def test_bad_input_one_chinese_line_nonzero_nothing_changed(
    cli_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "exists.txt").write_text("x")
    before = content(cli_ws)
    argv = [a.format(ws=cli_ws, tmp=tmp_path) for a in args]
    try:
        code, out, err = run(capsys, *argv)
    except SystemExit as exit_info:  # argparse errors
        code = int(exit_info.code or 0)
        out, err = capsys.readouterr()
    assert code != 0
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert out == ""
    assert content(cli_ws) == before
    assert not (tmp_path / "new.gkws").exists()


def test_damaged_workspace_message_and_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.gkws"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    digest = hashlib.sha256(broken.read_bytes()).hexdigest()
    code, _, err = run(capsys, "summary", broken, "--json")
    assert code == 1 and "损坏" in err
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.gkws"]


def test_installed_entry_point_runs_as_a_process(cli_ws: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gongkai_desktop", "summary", str(cli_ws), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unit"] == "万州区"


def _all_help_pages() -> dict[str, str]:
    import argparse

    from gongkai_desktop.cli import build_parser, review_cmd

    pages: dict[str, str] = {}

    def walk(parser: argparse.ArgumentParser) -> None:
        pages[parser.prog] = parser.format_help()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    walk(child)

    walk(build_parser())
    for make in (review_cmd._verdict_parser, review_cmd._export_parser,
                 review_cmd._import_parser):
        walk(make())
    return pages


def test_help_lines_fit_an_80_column_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Chinese character takes two columns: argparse counted one, so Chinese help ran
    up to twice the terminal's width. Only a word longer than a line may pass it."""
    from gongkai_desktop.cli.help_format import columns

    monkeypatch.setenv("COLUMNS", "80")
    too_wide = [(prog, line) for prog, page in _all_help_pages().items()
                for line in page.splitlines()
                if columns(line) > 80 and len(line.split()) > 1]
    assert not too_wide, too_wide[:5]


def test_every_positional_says_what_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools

    monkeypatch.setenv("COLUMNS", "100")
    pages = _all_help_pages()
    assert "工作区文件（.gkws）" in pages["gongkai-desktop set"]
    for prog, page in pages.items():
        positionals = page.partition("位置参数：\n")[2].partition("\n\n")[0]
        for line, after in itertools.pairwise([*positionals.splitlines(), ""]):
            if line.startswith("  ") and not line.startswith("    "):
                if after.startswith("    "):
                    continue  # sub-commands: each listed under it with what it does
                assert len(line.split()) > 1, (prog, line)  # a name and what it is


def test_review_help_lists_its_forms_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["review", "--help"], ["review", "export", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        # parse_intermixed_args() cut 7 characters off the usage line ("用法：gong")
        assert out.startswith("用法：gongkai-desktop review"), out[:60]
    with pytest.raises(SystemExit):
        main(["review", "--help"])
    page = capsys.readouterr().out
    assert "四种用法" in page and "review export 工作区" in page
    assert "takes" not in page and "WORKSPACE" not in page


def test_wrapping_by_columns() -> None:
    from gongkai_desktop.cli.help_format import columns, wrap

    text = "接受该指纹的签名密钥：首次收到某单位的数据包，或该单位更换了证书时（须先核对指纹）"
    lines = wrap(text, 30)
    assert "".join(lines) == text
    assert all(columns(line) <= 32 for line in lines)  # a closing mark may hang
    assert not any(line[0] in "，。、；：）" for line in lines)
    assert wrap("用 --accept-key FINGERPRINT 接受", 12) == [
        "用", "--accept-key", "FINGERPRINT", "接受"]  # words are never split
