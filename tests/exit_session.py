"""A long session in the real program, then Ctrl+Q: for tests/test_ui_exit.py.

Usage: python tests/exit_session.py WORKSPACE OTHER_WORKSPACE OUT_DIR

Environment: EXIT_SESSION_ROUNDS=N repeats the session's steps N times;
EXIT_SESSION_STEPS=edit,excel,… runs only the steps named (in that order).

Starts the window the way ``python -m gongkai_desktop WORKSPACE`` does (``launcher.main``,
the same ``QApplication`` life cycle), then drives it: edits a measure, writes the report
(editor, build, preview, print to a PDF file), exports a bundle through its dialog, exports
the Excel checklist, opens the consolidation view, switches to OTHER_WORKSPACE and back,
and quits with the 退出 action (Ctrl+Q). Prints one line per step (with the reference
counts of True and False) and ``SESSION_DONE`` before quitting; the process then exits
the way the program does. Message boxes and file dialogs are answered by stand-ins;
everything else is the program's own code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow

from gongkai_desktop import launcher
from gongkai_desktop.ui import app as ui_app
from gongkai_desktop.ui.common import errors as ui_errors

STEP_MS = 20


def main() -> int:
    workspace, other, out_dir = (Path(a) for a in sys.argv[1:4])
    ui_errors.set_message_sink(lambda *_args: None)  # no modal box may block the run
    original = ui_app.finish_start
    drivers: list[Driver] = []

    def finish_start(window: QMainWindow, *args: object, **kwargs: object) -> None:
        original(window, *args, **kwargs)  # type: ignore[arg-type]
        driver = Driver(window, other, out_dir)
        drivers.append(driver)  # signals hold a Python slot's object only weakly
        driver.start()

    ui_app.finish_start = finish_start  # type: ignore[assignment]
    return launcher.main([workspace.as_posix(), "-platform", "offscreen"])


def _bool_counts() -> tuple[int, int]:
    """References to True and False: a C extension that over-releases them shows here
    long before the interpreter dies of it at exit (bool_dealloc)."""
    import gc

    gc.collect()
    return sys.getrefcount(True), sys.getrefcount(False)


class Driver:
    def __init__(self, window: QMainWindow, other: Path, out_dir: Path) -> None:
        self.window: Any = window
        self.first: Path | None = None
        self.other = other
        self.out = out_dir
        self.files = 0
        rounds = int(os.environ.get("EXIT_SESSION_ROUNDS", "1"))
        names = os.environ.get("EXIT_SESSION_STEPS", "").split(",")
        steps: list[Callable[[], None]] = [
            self.edit, self.report, self.print_report, self.bundle, self.bundle_export,
            self.excel, self.consolidation, self.switch, self.switch_back,
        ]
        if names != [""]:  # a shorter session: only the steps named
            steps = [getattr(self, name) for name in names]
        self.steps = steps * rounds + [self.edit, self.quit]

    def start(self) -> None:
        # One repeating timer owned by the window (a chain of single shots can be lost).
        self.timer = QTimer(self.window)
        self.timer.setInterval(STEP_MS)
        self.timer.timeout.connect(self.next)
        self.busy = False
        self.settled = True
        self.timer.start()

    def next(self) -> None:
        from gongkai_desktop.ui.common.operations import running_operations

        if self.busy or running_operations():  # a step is running, or the work it started
            self.settled = False
            return
        if not self.settled:  # one quiet tick after the work (an open) so its results land
            self.settled = True
            return
        if not hasattr(self.window, "report_actions"):
            return  # the feature menus come right after the plan tree's first paint
        if not self.steps:
            self.timer.stop()
            return
        step = self.steps.pop(0)
        print("STEP", step.__name__, *_bool_counts(), flush=True)
        self.busy = True
        try:
            step()
        finally:
            self.busy = False

    def _file(self, name: str) -> Path:
        """A new file each round (an existing one would be asked about)."""
        self.files += 1
        return self.out / f"{self.files}-{name}"

    # ---- steps ------------------------------------------------------------------------------

    def edit(self) -> None:
        w = self.window
        self.first = self.first or w.session.path
        measure = next(iter(w.session.roles))
        w.select_measure(measure)
        form = w.panel.form
        form.explanation_edit.setPlainText(f"退出测试 {os.getpid()}")
        w.panel.flush()

    def report(self) -> None:
        w = self.window
        actions = w.report_actions
        editor = actions.open_editor()
        editor.close()
        actions.build_to(self._file("报告.pdf"), sign=False, passphrase=None)

    def print_report(self) -> None:
        from PySide6.QtPrintSupport import QPrinter

        from gongkai_desktop.ui.report import report_preview

        def to_file(_parent: object, printer: QPrinter) -> bool:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self._file("打印.pdf")))
            return True

        report_preview.exec_print_dialog = to_file
        preview = self.window.report_actions.preview
        preview.print_report()
        preview.close()

    def bundle(self) -> None:
        from gongkai_desktop.signing.identity import SigningIdentity
        from gongkai_desktop.signing.store import save_identity

        w = self.window
        ws = w.session.ws
        save_identity(ws, SigningIdentity.generate(ws.unit.full_name, "张三", "口令123456"))
        w.bundle_actions.export_bundle()

    def bundle_export(self) -> None:
        dialog = self.window.bundle_actions.export_dialog
        dialog.file_edit.setText(str(self._file("数据包.gkbundle")))
        dialog.refresh_identity()
        dialog.passphrase.setText("口令123456")
        dialog.export_button.click()

    def excel(self) -> None:
        self.window.xlsx_actions.export_to(self._file("清单.xlsx"))

    def consolidation(self) -> None:
        actions = self.window.consolidation_actions
        view = actions.open_view()
        assert view is not None, "nothing to consolidate in the session's workspace"
        view.close()

    def switch(self) -> None:
        self.window.workspace_actions.open_path(self.other)

    def switch_back(self) -> None:
        assert self.first is not None
        self.window.workspace_actions.open_path(self.first)

    def quit(self) -> None:
        print("SESSION_DONE", *_bool_counts(), flush=True)
        self.window.quit_action.trigger()


if __name__ == "__main__":
    sys.exit(main())
