"""A stand-in for every prompt of the program (gongkai_desktop/ui/common/prompts.py).

Like qutebrowser's tests/helpers/messagemock.py: the ``prompt_mock`` fixture
(tests/conftest.py) replaces each answerable prompt, records what was asked and
answers what the test said; a prompt nobody answered is cancelled (the safe answer),
so no modal dialog ever blocks a test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gongkai_desktop.ui.common import prompts

# What each prompt returns when the officer cancels it.
CANCELLED: dict[str, Any] = {
    "save_file_name": "", "open_file_name": "", "open_file_names": [], "open_folder": "",
    "ask_choice": -1, "ask_question": False, "ask_open": False, "ask_passphrase": None,
    "choose_item": None,
}


class PromptMock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert set(CANCELLED) == set(prompts.ANSWERABLE)
        self.asked: list[tuple[str, str]] = []  # (prompt, title) in the order asked
        # (prompt, its arguments but the parent: holding the widget would keep its
        # wrapper alive after Qt deleted it)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._queues: dict[str, list[Any]] = {}
        self._functions: dict[str, Callable[..., Any]] = {}
        for name in prompts.ANSWERABLE:
            monkeypatch.setattr(prompts, name, self._stand_in(name))

    def _stand_in(self, name: str) -> Callable[..., Any]:
        def prompt(*args: Any, **_kwargs: Any) -> Any:
            self.asked.append((name, str(args[1])))
            self.calls.append((name, args[1:]))
            if name in self._functions:
                return self._functions[name](*args)
            queue = self._queues.get(name)
            return queue.pop(0) if queue else CANCELLED[name]
        return prompt

    def answer(self, name: str, *values: Any) -> None:
        """The next ``name`` prompts answer ``values`` in turn; later ones are cancelled."""
        assert name in CANCELLED, name
        self._functions.pop(name, None)
        self._queues[name] = list(values)

    def always(self, name: str, value: Any) -> None:
        """Every ``name`` prompt answers ``value``."""
        self.answer_with(name, lambda *_args: value)

    def answer_with(self, name: str, function: Callable[..., Any]) -> None:
        """Every ``name`` prompt answers ``function(*its arguments)``."""
        assert name in CANCELLED, name
        self._functions[name] = function

    def titles(self, name: str) -> list[str]:
        return [title for asked, title in self.asked if asked == name]

    def arguments(self, name: str) -> list[tuple[Any, ...]]:
        """What each ``name`` prompt was given, after the parent widget."""
        return [args for asked, args in self.calls if asked == name]
