"""What the bundle windows say about files, exports and receipts (shared by the bundle
actions and their dialogs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

if TYPE_CHECKING:
    from gongkai_desktop.bundle.receipt import ExportRecord, ReceivedReceipt



def _tr(text: str) -> str:
    return QCoreApplication.translate("BundleActions", text)


def receipt_text(receipt: ReceivedReceipt) -> str:
    """"序号 3 的数据包已由“市政府办公厅”（王五）于 2026-11-29 10:05 收到" (the core's words)."""
    return receipt.text()


def status_text(history: list[ExportRecord]) -> tuple[str, str]:
    """The status-bar label for the unit's exports: (text, tooltip); "" when none."""
    done = [r for r in history if r.exported_at is not None]
    if not done:
        return "", ""
    for record in done:
        if record.receipts:
            text = _tr("回执：") + receipt_text(record.receipts[-1])
            if record is not done[0]:
                text += _tr("；序号 {n} 尚无回执").format(n=done[0].sequence)
            return text, "\n".join(record.file_names)
    latest = done[0]
    assert latest.exported_at is not None
    when = latest.exported_at.astimezone().strftime("%Y-%m-%d %H:%M")
    text = _tr("数据包：序号 {n} 于 {when} 导出，尚未收到回执").format(n=latest.sequence, when=when)
    return text, "\n".join(latest.file_names)


