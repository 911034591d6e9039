"""The review loop on the command line: the office returns a measure, the unit rectifies,
the office accepts it; hostile review files change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongkai_desktop.typed_input import DATE_FORMS
from tests import review_fixtures
from tests.bundle_fixtures import PASSPHRASE
from tests.receipt_fixtures import fresh_key
from tests.review_fixtures import (
    COMMENT,
    OFFICE_KEY,
    deep_json,
    deep_signed_body,
    dump_at,
    fingerprint,
    resign_review,
    run,
    tamper_comment,
)

TODAY = "2021-01-15"
loop = review_fixtures.loop


@pytest.fixture(autouse=True)
def passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_KEY_PASSPHRASE", PASSPHRASE)


def summary(capsys: pytest.CaptureFixture[str], ws: Path, *extra: str) -> dict:
    code, out, _ = run(capsys, "summary", ws, "--json", "--today", TODAY, *extra)
    assert code == 0
    return json.loads(out)


def by_name(units: dict) -> dict:
    """``summary --all-units`` by unit name, whether it is keyed by name or by unit id."""
    return {u.get("name", key): u for key, u in units.items()}


def _return_and_export(capsys: pytest.CaptureFixture[str], p: dict[str, Path]) -> Path:
    sup = p["sup"]
    code, out, _ = run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "退回整改",
                       "--comment", COMMENT)
    assert code == 0 and "退回整改" in out and "序号 1" in out
    assert run(capsys, "review", sup, "--unit", "万州区", "1.1.1", "--verdict", "通过")[0] == 0
    code, out, _ = run(capsys, "review", "export", sup, "--unit", "万州区", "-o", p["outbox"])
    assert code == 0
    files = list(p["outbox"].glob("*.gkreview"))
    assert [f.name for f in files] == ["万州区-整改意见-序号1.gkreview"]
    return files[0]


def test_return_rectify_and_accept_end_to_end(loop: dict[str, Path],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    wz, sup, tmp = loop["wz"], loop["sup"], loop["tmp"]
    review1 = _return_and_export(capsys, loop)

    # The unit: the first review needs the office key accepted explicitly.
    before = dump_at(wz)
    code, _, err = run(capsys, "review", "import", wz, review1)
    assert code == 1 and "首次收到" in err and "--accept-key" in err
    assert dump_at(wz) == before
    code, out, _ = run(capsys, "review", "import", wz, review1, "--accept-key",
                       fingerprint(OFFICE_KEY))
    assert code == 0 and "需整改 1 项" in out
    m = summary(capsys, wz)["measures"]
    assert m["2.1.1"]["review"] == {"verdict": "退回整改", "comment": COMMENT,
                                    "reviewed_at": m["2.1.1"]["review"]["reviewed_at"],
                                    "state": "returned"}
    assert m["1.1.1"]["review"]["state"] == "accepted"

    # Importing the same file again changes nothing.
    before = dump_at(wz)
    code, out, _ = run(capsys, "review", "import", wz, review1)
    assert code == 0 and "此前已导入" in out and dump_at(wz) == before

    # The unit rectifies and records its ledger.
    assert run(capsys, "set", wz, "2.1.1", "--status", "已完成",
               "--url", "https://www.wz.gov.cn/ml/")[0] == 0
    code, out, _ = run(capsys, "rectify", wz, "2.1.1", "--problem", "目录未公开发布",
                       "--action", "在门户网站发布目录并补充链接", "--owner", "张三",
                       "--deadline", "2021-01-10")
    assert code == 0 and "已记录整改台账" in out
    m = summary(capsys, wz)["measures"]
    assert m["2.1.1"]["review"]["state"] == "rectified"
    assert m["2.1.1"]["rectification"]["owner"] == "张三"
    assert m["2.1.1"]["rectification"]["overdue"] is True  # past 2021-01-10, not yet accepted

    # The next bundle carries the response: the office sees it awaiting re-review.
    assert run(capsys, "bundle", "export", wz, "-o", tmp / "万州区-2.gkbundle")[0] == 0
    assert run(capsys, "bundle", "import", sup, tmp / "万州区-2.gkbundle")[0] == 0
    units = by_name(summary(capsys, sup, "--all-units")["units"])
    cell = units["万州区"]["measures"]["2.1.1"]
    assert cell["review"]["state"] == "rectified" and cell["review"]["comment"] == COMMENT
    assert cell["rectification"]["action"] == "在门户网站发布目录并补充链接"
    assert units["万州区"]["review_counts"]["rectified"] == 1
    assert units["涪陵区"]["measures"]["1.1.1"]["review"] is None

    # A new verdict closes it; the unit sees it accepted.
    between = tmp / "中间.gkreview"  # exported before the new verdict, never imported
    assert run(capsys, "review", "export", sup, "--unit", "万州区", "-o", between)[0] == 0
    assert run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "通过")[0] == 0
    review2 = tmp / "第二次.gkreview"
    assert run(capsys, "review", "export", sup, "--unit", "万州区", "-o", review2)[0] == 0
    code, out, _ = run(capsys, "review", "import", wz, review2)
    assert code == 0 and "需整改 0 项" in out
    m = summary(capsys, wz)["measures"]
    assert m["2.1.1"]["review"]["state"] == "accepted"
    assert m["2.1.1"]["rectification"]["overdue"] is False

    # An older review never overwrites a newer one; the same file twice changes nothing.
    before = dump_at(wz)
    code, _, err = run(capsys, "review", "import", wz, between)
    assert code == 1 and "旧" in err and dump_at(wz) == before
    code, out, _ = run(capsys, "review", "import", wz, review1)
    assert code == 0 and "此前已导入" in out and dump_at(wz) == before
    assert summary(capsys, wz)["measures"]["2.1.1"]["review"]["state"] == "accepted"


def test_office_side_bad_input_changes_nothing(loop: dict[str, Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    sup = loop["sup"]
    before = dump_at(sup)
    cases = [
        (("2.1.1", "--verdict", "退回整改"), "必须填写意见"),
        (("9.9.9", "--verdict", "通过"), "没有编号"),
        (("2.1.1", "--verdict", "不行"), "审核结论"),
    ]
    for args, words in cases:
        code, out, err = run(capsys, "review", sup, "--unit", "万州区", *args)
        assert code == 1 and words in err and out == "", args
        assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "review", sup, "--unit", "江北区", "1.1.1", "--verdict", "通过")
    assert code == 1 and "尚未导入" in err
    code, _, err = run(capsys, "review", "export", sup, "--all", "-o", loop["outbox"])
    assert code == 1 and "尚未审核" in err
    assert dump_at(sup) == before


def test_all_units_export_one_file_each(loop: dict[str, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    sup = loop["sup"]
    assert run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "待核实")[0] == 0
    code, out, _ = run(capsys, "review", sup, "--unit", "涪陵区", "--accept-remaining")
    assert code == 0 and "设为通过" in out
    code, out, _ = run(capsys, "review", "export", sup, "--all", "-o", loop["outbox"])
    assert code == 0
    assert sorted(p.name for p in loop["outbox"].iterdir()) == [
        "万州区-整改意见-序号1.gkreview", "涪陵区-整改意见-序号1.gkreview"]
    units = by_name(summary(capsys, sup, "--all-units")["units"])
    assert units["万州区"]["measures"]["2.1.1"]["review"]["state"] == "to_verify"
    assert all(m["review"]["state"] == "accepted" for m in units["涪陵区"]["measures"].values())


def test_hostile_review_files_are_refused(loop: dict[str, Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    wz, tmp = loop["wz"], loop["tmp"]
    good = _return_and_export(capsys, loop)
    fl_review = tmp / "涪陵区.gkreview"
    assert run(capsys, "review", loop["sup"], "--unit", "涪陵区", "1.1.1", "--verdict",
               "通过")[0] == 0
    assert run(capsys, "review", "export", loop["sup"], "--unit", "涪陵区", "-o", fl_review)[0] == 0
    truncated = tmp / "截断.gkreview"
    truncated.write_bytes(good.read_bytes()[:700])
    huge = tmp / "巨大.gkreview"
    huge.write_bytes(b" " * (17 * 1024 * 1024))

    def add_measure(body: dict) -> None:
        body["verdicts"].append(["f" * 32, "9.9.9", *body["verdicts"][0][2:]])

    def no_comment(body: dict) -> None:
        for v in body["verdicts"]:
            v[3] = ""

    cases = {
        tamper_comment(good, tmp / "改动.gkreview"): "签名无效",
        truncated: "无效",
        huge: "太大",
        deep_json(tmp / "嵌套.gkreview"): "无效",
        deep_signed_body(tmp / "签名的嵌套.gkreview", fresh_key()): "无效",
        fl_review: "是给“涪陵区”的",
        resign_review(good, fresh_key(), lambda b: None, tmp / "他人密钥.gkreview"): "指纹",
        resign_review(good, OFFICE_KEY, add_measure, tmp / "多余举措.gkreview"): "9.9.9",
        resign_review(good, OFFICE_KEY, no_comment, tmp / "无意见.gkreview"): "没有意见",
    }
    before = dump_at(wz)
    for path, words in cases.items():
        code, _out, err = run(capsys, "review", "import", wz, path, "--accept-key",
                             fingerprint(OFFICE_KEY))
        assert code == 1 and words in err and "错误：" in err, (path.name, err)
        assert dump_at(wz) == before, path.name

    # Once the office key is pinned, another key with the office's names is still refused.
    assert run(capsys, "review", "import", wz, good,
               "--accept-key", fingerprint(OFFICE_KEY))[0] == 0
    before = dump_at(wz)
    impostor = resign_review(good, fresh_key(), lambda b: None, tmp / "冒名.gkreview")
    code, _, err = run(capsys, "review", "import", wz, impostor)
    assert code == 1 and "不是用已确认的上级单位证书签名的" in err
    assert dump_at(wz) == before


def _both_reviewed(capsys: pytest.CaptureFixture[str], loop: dict[str, Path]) -> None:
    sup = loop["sup"]
    assert run(capsys, "review", sup, "--unit", "万州区", "2.1.1", "--verdict", "待核实")[0] == 0
    assert run(capsys, "review", sup, "--unit", "涪陵区", "--accept-remaining")[0] == 0


def test_all_units_export_can_be_cancelled_and_leaves_nothing(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_desktop.errors import Cancelled
    from gongkai_desktop.review.reviewfile import write_all_reviews
    from gongkai_desktop.storage import Workspace

    _both_reviewed(capsys, loop)
    outbox = loop["outbox"]
    earlier = outbox / "万州区-整改意见-序号1.gkreview"
    earlier.write_bytes(b"an earlier export")
    asked: list[tuple[int, int]] = []

    def stop_after_the_first(done: int, total: int) -> bool:
        asked.append((done, total))
        return done < 1

    with Workspace.open(loop["sup"]) as ws, pytest.raises(Cancelled, match="已取消导出整改意见"):
        write_all_reviews(ws, OFFICE_KEY, outbox, stop_after_the_first)
    assert asked and asked[-1][0] == 1
    assert list(outbox.iterdir()) == [earlier] and earlier.read_bytes() == b"an earlier export"


def test_all_units_export_on_a_full_disk_leaves_nothing(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from gongkai_desktop.review import reviewfile

    _both_reviewed(capsys, loop)
    calls: list[Path] = []

    def second_fails(path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(reviewfile, "fsync_file", second_fails)
    before = dump_at(loop["sup"])
    code, out, err = run(capsys, "review", "export", loop["sup"], "--all", "-o", loop["outbox"])
    assert code == 1 and out == "" and "磁盘空间不足" in err and "整改意见" in err
    assert list(loop["outbox"].iterdir()) == [] and dump_at(loop["sup"]) == before


def test_all_units_export_reports_its_progress(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai_desktop.review.reviewfile import write_all_reviews
    from gongkai_desktop.storage import Workspace

    _both_reviewed(capsys, loop)
    seen: list[tuple[int, int]] = []
    with Workspace.open(loop["sup"]) as ws:
        paths = write_all_reviews(ws, OFFICE_KEY, loop["outbox"],
                                  lambda d, t: seen.append((d, t)) or True)
    assert seen[-1][0] == seen[-1][1] and all(d < t for d, t in seen[:-1])
    assert sorted(p.name for p in paths) == sorted(p.name for p in loop["outbox"].iterdir())
    assert len(paths) == 2


def test_rectify_takes_the_deadline_as_the_window_does(
        loop: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    wz = loop["wz"]
    code, out, err = run(capsys, "rectify", wz, "2.1.1", "--problem", "目录未公开发布",
                         "--action", "发布目录", "--owner", "张三", "--deadline", "2021年3月31日")
    assert code == 0 and "已记录整改台账" in out, err
    m = summary(capsys, wz)["measures"]
    assert m["2.1.1"]["rectification"]["deadline"] == "2021-03-31"
    before = dump_at(wz)
    code, out, err = run(capsys, "rectify", wz, "2.1.1", "--problem", "目录未公开发布",
                         "--action", "发布目录", "--owner", "张三", "--deadline", "3月底")
    assert code == 1 and out == "" and dump_at(wz) == before
    assert err.splitlines() == [f"错误：整改时限“3月底”格式不对，可写成 {DATE_FORMS}"]
