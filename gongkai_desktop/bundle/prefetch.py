"""Read ahead in a helper thread: reading the next chunk overlaps writing this one.

SQLite releases the GIL while it reads or writes, so with the workspace read in one
thread and the bundle written in another both disks (or both cores) stay busy. At
most ``depth`` items wait in between: memory stays flat.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_POLL = 0.1


def prefetch(items: Iterator[T], depth: int = 4) -> Generator[T, None, None]:
    """Yield ``items`` as read by a helper thread; its exceptions re-raise here."""
    channel: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(message: tuple[str, object]) -> bool:
        while not stop.is_set():
            try:
                channel.put(message, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))

    worker = threading.Thread(target=run, name="bundle-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = channel.get()
            if kind == "item":
                yield value  # type: ignore[misc]
            elif kind == "error":
                assert isinstance(value, BaseException)
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join()
