"""Progress of long work: the one callback type, and the one counter that calls it.

``Progress`` is ``(done, total) -> bool``; returning False asks the work to stop
(it then raises ``Cancelled`` and leaves nothing behind). The window's runner, the
command line and the tests all pass such a callable; core functions count their
steps with a :class:`Ticker`.
"""

from __future__ import annotations

from collections.abc import Callable

from gongkai_desktop.errors import Cancelled

Progress = Callable[[int, int], bool]


class Ticker:
    """Counts work done and asks the caller, at each step, whether to go on.

    With ``hold_last`` the count stops one short of ``total`` until :meth:`finish`:
    for work whose last step (writing the file) is not counted, so 100 % is shown only
    when the result is really there.
    """

    def __init__(self, progress: Progress | None, total: int, cancelled: str = "操作已取消",
                 *, hold_last: bool = False) -> None:
        self.progress, self.cancelled = progress, cancelled
        self.total = max(total, 2 if hold_last else 1)
        self._ceiling = self.total - 1 if hold_last else self.total
        self.done = 0

    def step(self, amount: int = 1) -> bool:
        """Count ``amount``; False when the caller asked to stop."""
        self.done = min(self.done + amount, self._ceiling)
        return self.progress is None or self.progress(self.done, self.total) is not False

    def check(self, amount: int = 1) -> None:
        """Count ``amount``; ``Cancelled`` when the caller asked to stop."""
        if not self.step(amount):
            raise Cancelled(self.cancelled)

    def finish(self) -> None:
        self.done = self.total
        if self.progress is not None:
            self.progress(self.total, self.total)
