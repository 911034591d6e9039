"""The one progress counter: what the caller sees, and a cancel that stops the work."""

from __future__ import annotations

import pytest

from gongkai_desktop.errors import Cancelled
from gongkai_desktop.ticker import Ticker


def test_hold_last_shows_100_percent_only_when_finished() -> None:
    seen: list[tuple[int, int]] = []
    ticker = Ticker(lambda done, total: seen.append((done, total)) or True, 3, hold_last=True)
    for _ in range(5):
        ticker.step()
    assert seen[-1] == (2, 3)
    ticker.finish()
    assert seen[-1] == (3, 3)


def test_a_false_answer_cancels_with_the_callers_message() -> None:
    ticker = Ticker(lambda done, total: done < 2, 10, "已取消导出数据包")
    ticker.check()
    with pytest.raises(Cancelled, match="已取消导出数据包"):
        ticker.check()
    assert Ticker(None, 0).step(5)  # no callback: never cancelled, never divides by zero
