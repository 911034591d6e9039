"""What reaches the terminal: names from elsewhere cannot forge lines, and no English
traceback or library log line ever reaches stderr (the CLI run as a real process)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai_desktop.text_safety import printable
from tests.bundle_fixtures import PASSPHRASE, copy, export, key_of, make_supervisor, resign
from tests.fault_fixtures import holding_a_bundle, run, tiny_disk, unit_workspace
from tests.plan_fixtures import TEST_UNIT

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "万州区\n万州区.gkbundle：已导入\u202egpj.exe\u200b"


def test_printable_escapes_controls_and_invisible_format_characters() -> None:
    assert printable("万州区") == "万州区"
    assert printable("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert printable("名\u202e称\u200b\u2028\x1b[31m\x85") == \
        "名\\u202e称\\u200b\\u2028\\x1b[31m\\x85"
    assert printable("C:\\Users\\张三\\报告.pdf") == "C:\\Users\\张三\\报告.pdf"
    assert "\n" not in printable(HOSTILE) and "\u202e" not in printable(HOSTILE)


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


def _hostile_bundle(tmp_path: Path, name: str = HOSTILE) -> tuple[Path, Path]:
    """A genuine bundle, and a copy whose names carry ``name`` (a newline, a right-to-left
    override, a zero-width space), consistently re-signed (a rogue unit with its own key)."""
    from gongkai_desktop.storage import Workspace

    with Workspace.open(unit_workspace(tmp_path / "万州区.gkws")) as ws:
        genuine = export(ws, tmp_path / "万州区.gkbundle").files[0]
    bad = copy(genuine, tmp_path / f"恶意\n{HOSTILE[:3]}\u202e.gkbundle")

    def rename(data: dict[str, object]) -> None:
        unit = dict(data["unit"])  # type: ignore[call-overload]
        unit["name"], unit["full_name"] = name, "重庆市" + name
        data["unit"], data["signer"] = unit, "张三" + name

    resign(bad, key_of(TEST_UNIT), lambda conn: conn.execute(
        "UPDATE profile SET officer = ?, unit_name = ?, full_name = ?",
        ("张三" + name, name, "重庆市" + name)), rename)
    return genuine, bad


@pytest.mark.parametrize("name", [HOSTILE, "万州\u202e区\u200b"])
def test_bundle_import_prints_one_line_per_file_with_names_escaped(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    genuine, bad = _hostile_bundle(tmp_path, name)
    make_supervisor(tmp_path / "办公厅.gkws").close()
    _code, out, err = run(capsys, "bundle", "import", tmp_path / "办公厅.gkws", bad, genuine)
    # Both refused (keys not accepted): one error line each on stderr, the count on stdout.
    lines = [line.removeprefix("错误：") for line in err.splitlines()
             if not line.startswith("  ")]  # hints indent
    assert len(lines) == 2 and out.startswith("共 2 个文件："), err
    # Listed by unit (``batch.batch_order``), so the hostile name may come second.
    assert sum(line.startswith("恶意\\n万州区\\u202e.gkbundle：") for line in lines) == 1
    assert sum(line.startswith("万州区.gkbundle：") for line in lines) == 1
    for text in (out, err):
        assert "\u202e" not in text and "\u200b" not in text
    assert all(line.startswith(("错误：", "  核实后可加 --accept-key"))
               for line in err.splitlines())


@pytest.mark.parametrize("name", [HOSTILE, "万州\u202e区\u200b"])
def test_verify_prints_a_hostile_unit_name_escaped(tmp_path: Path, name: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _genuine, bad = _hostile_bundle(tmp_path, name)
    code, out, err = run(capsys, "verify", bad)
    text = out + err
    assert "\u202e" not in text and "\u200b" not in text
    assert "万州区\n万州区.gkbundle" not in text
    assert len(err.splitlines()) <= 1
    if code == 0:  # accepted: the name is shown, escaped
        assert printable(name) in out


# ------------------------------------------------------------- stderr as a real process

_ENGLISH_LOG = re.compile(r"Traceback|Exception ignored|^(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b"
                          r"|^[\w.]+:(DEBUG|INFO|WARNING|ERROR|CRITICAL):|^\w+(Error|Warning):",
                          re.M)


def _cli(tmp_path: Path, *args: object, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """``gongkai-desktop ARGS`` in a fresh process; ``prelude`` runs first (a patch)."""
    code = (f"{prelude}\nimport sys\nfrom gongkai_desktop.launcher import main\n"
            f"sys.exit(main({json.dumps([str(a) for a in args], ensure_ascii=False)}))")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GONGKAI_DATA_DIR": str(tmp_path / "data"),
           "GONGKAI_KEY_PASSPHRASE": PASSPHRASE, "PYTHONWARNINGS": "default"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def _clean_stderr(err: str) -> None:
    assert not _ENGLISH_LOG.search(err), err
    for line in err.splitlines():
        assert re.search(r"[\u4e00-\u9fff]", line), f"an English line on stderr: {line!r}"


def _log_text(tmp_path: Path) -> str:
    log = tmp_path / "data" / "logs" / "gongkai.log"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_failing_commands_print_only_chinese_lines(tmp_path: Path) -> None:
    junk = tmp_path / "坏.pdf"
    junk.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF")
    garbage = tmp_path / "坏.gkbundle"
    garbage.write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    ws = unit_workspace(tmp_path / "万州区.gkws")
    for args in (("verify", junk), ("verify", garbage), ("summary", tmp_path / "无.gkws", "--json"),
                 ("bundle", "import", ws, garbage), ("attach", ws, "9.9.9", junk),
                 ("report", ws, "-o", tmp_path / "无此文件夹" / "r.pdf")):
        result = _cli(tmp_path, *args)
        assert result.returncode != 0, args
        _clean_stderr(result.stderr)


def test_library_log_lines_go_to_the_log_file(tmp_path: Path) -> None:
    ws = unit_workspace(tmp_path / "万州区.gkws")
    prelude = """
import logging
from gongkai_desktop.cli import report_cmd
real = report_cmd.cmd_report
def noisy(args):
    logging.getLogger("fontTools.subset").warning("missing glyph uni4E00 dropped")
    logging.getLogger("pyhanko.sign.validation").error("signature could not be validated")
    logging.getLogger("PIL.Image").info("an info line nobody needs")
    import warnings; warnings.warn("a library DeprecationWarning", DeprecationWarning)
    return real(args)
report_cmd.cmd_report = noisy
"""
    result = _cli(tmp_path, "report", ws, "-o", tmp_path / "无此文件夹" / "r.pdf",
                  prelude=prelude)
    assert result.returncode != 0
    _clean_stderr(result.stderr)
    assert result.stderr.count("\n") == 1
    log = _log_text(tmp_path)
    assert "missing glyph uni4E00 dropped" in log and "signature could not be validated" in log
    assert "a library DeprecationWarning" in log
    assert "an info line nobody needs" not in log  # WARNING and above only


def test_an_unexpected_error_is_one_chinese_line_and_a_logged_traceback(tmp_path: Path) -> None:
    ws = unit_workspace(tmp_path / "万州区.gkws")
    prelude = """
from gongkai_desktop.cli import workspace_cmd
def broken(args):
    raise RuntimeError("boom in summary")
workspace_cmd.cmd_summary = broken
"""
    result = _cli(tmp_path, "summary", ws, "--json", prelude=prelude)
    assert result.returncode != 0
    _clean_stderr(result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "内部错误" in lines[0] and "gongkai.log" in lines[0]
    log = _log_text(tmp_path)
    assert "Traceback" in log and "RuntimeError: boom in summary" in log


def test_a_real_full_disk_in_a_process_prints_one_chinese_line(tmp_path: Path) -> None:
    """Was: openpyxl's “Exception ignored … Traceback” lines after the Chinese one."""
    ws = holding_a_bundle(unit_workspace(tmp_path / "万州区.gkws"), tmp_path / "涪陵区")
    with tiny_disk(tmp_path / "小盘") as disk:
        for args in (("bundle", "consolidate", ws, "-o", disk / "汇总.xlsx"),
                     ("xlsx", "export", ws, "-o", disk / "清单.xlsx"),
                     ("report", ws, "-o", disk / "报告.pdf", "--no-sign"),
                     ("bundle", "export", ws, "-o", disk / "包.gkbundle")):
            result = _cli(tmp_path, *args)
            assert result.returncode != 0, args
            _clean_stderr(result.stderr)
            assert result.stderr.startswith("错误：磁盘空间不足"), result.stderr
            assert result.stderr.count("\n") == 1
            assert [p.name for p in disk.iterdir()] == ["占位"]
