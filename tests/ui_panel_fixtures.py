"""Fixtures and helpers for the measure panel and evidence tests.

    from tests.ui_panel_fixtures import (  # noqa: F401
        directory, messages, panel, session, ui_app, ...)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QInputMethodEvent, QPainter
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from gongkai_desktop.model import Status
from gongkai_desktop.ui.measures.measure_panel import MeasurePanel
from gongkai_desktop.ui.workspace.session import Session
from tests.ui_fixtures import directory, messages, session, ui_app  # noqa: F401

MEASURE = "5.1.1"  # 万州区 is a 责任单位; deadline 2020年底前
OTHER_MEASURE = "1.1.1"
TODAY = dt.date(2026, 11, 28)


@pytest.fixture
def panel(session: Session, qtbot: QtBot,  # noqa: F811
          monkeypatch: pytest.MonkeyPatch) -> Iterator[MeasurePanel]:
    monkeypatch.setattr(session, "today", lambda: TODAY)
    widget = MeasurePanel(session)
    qtbot.addWidget(widget)
    widget.resize(960, 780)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_measure(MEASURE)
    yield widget
    widget.shutdown()


def type_text(widget: QWidget, text: str) -> None:
    """Type like a Chinese input method does: one committed string per phrase.

    (QTest.keyClicks only handles Latin-1 characters.)
    """
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def choose(combo: QComboBox, status: Status) -> None:
    """Pick an entry the way a click in the drop-down does (current index, then activated)."""
    index = combo.findData(status)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def make_png(path: Path, width: int = 800, height: int = 500, color: str = "#2e8b4e") -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.fillRect(40, 40, width - 80, height - 80, QColor(color))
        painter.setPen(QColor("white"))
        painter.drawEllipse(QPointF(width / 2, height / 2), height / 4, height / 4)
    finally:
        painter.end()
    assert image.save(str(path), "PNG")
    return path


def make_pdf(path: Path, pages: int = 2) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica-Bold", 28)
        pdf.drawString(72, 760, f"Evidence page {number}")
        pdf.setFont("Helvetica", 12)
        pdf.drawString(72, 730, "Government transparency self-inspection test document.")
        pdf.rect(72, 400, 300, 200)
        pdf.showPage()
    pdf.save()
    return path

