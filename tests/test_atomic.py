"""atomic_output / publish_new: a reader sees the old file or the whole new one, never half."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from gongkai_desktop.atomic import atomic_output, publish_new
from gongkai_desktop.errors import Cancelled, DiskFull, InvalidInput


def test_success_replaces_the_target_and_leaves_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "报告.pdf"
    out.write_bytes(b"old")
    with atomic_output(out) as temp:
        assert temp.parent == tmp_path and temp != out
        temp.write_bytes(b"new")
        assert out.read_bytes() == b"old"  # nothing shows until the block ends
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.pdf"]


def test_a_cancel_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    out = tmp_path / "汇总表.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(Cancelled), atomic_output(out) as temp:
        temp.write_bytes(b"half")
        temp.with_name(temp.name + "-journal").write_bytes(b"j")
        raise Cancelled()
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总表.xlsx"]


def test_a_full_disk_is_one_chinese_line_naming_the_users_file(tmp_path: Path) -> None:
    out = tmp_path / "回执.gkreceipt"
    with pytest.raises(DiskFull, match=r"磁盘空间不足.*回执\.gkreceipt"), \
            atomic_output(out, what="回执文件") as temp:
        temp.write_bytes(b"x")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_publish_new_never_replaces_an_existing_file(tmp_path: Path) -> None:
    temp, target = tmp_path / ".new.tmp", tmp_path / "备份.gkws"
    temp.write_bytes(b"new")
    target.write_bytes(b"someone else's")
    with pytest.raises(InvalidInput, match="已存在，不会覆盖"):
        publish_new(temp, target)
    assert target.read_bytes() == b"someone else's"
    target.unlink()
    publish_new(temp, target)
    assert target.read_bytes() == b"new" and not temp.exists()
