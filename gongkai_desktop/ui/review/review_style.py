"""How review states look: one colour and one flag icon per state, on both sides."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPolygonF

from gongkai_desktop.review.states import ReviewState
from gongkai_desktop.ui.common import style

RETURNED_COLOR = QColor("#c41d7f")  # magenta: unlike 逾期 red and the status colours
RECTIFIED_COLOR = QColor("#d46b08")
ACCEPTED_COLOR = QColor("#389e0d")
TO_VERIFY_COLOR = QColor("#1d39c4")
_COLORS = {ReviewState.RETURNED: RETURNED_COLOR, ReviewState.RECTIFIED: RECTIFIED_COLOR,
           ReviewState.ACCEPTED: ACCEPTED_COLOR, ReviewState.TO_VERIFY: TO_VERIFY_COLOR}


def color(state: ReviewState) -> QColor:
    return _COLORS[state]


def icon(state: ReviewState) -> QIcon:
    """A small flag in the state's colour (filled for 退回, outlined otherwise)."""
    return style.cached_icon(f"review:{state.value}",
                             lambda p, size: _paint_flag(p, size, state))


def _paint_flag(p: QPainter, size: float, state: ReviewState) -> None:
    c = _COLORS[state]
    pole = QPen(c, max(1.0, size / 10))
    p.setPen(pole)
    p.drawLine(QPointF(size * 0.22, size * 0.1), QPointF(size * 0.22, size * 0.92))
    flag = QPolygonF([QPointF(size * 0.26, size * 0.12), QPointF(size * 0.88, size * 0.3),
                      QPointF(size * 0.26, size * 0.52)])
    p.setBrush(c if state in (ReviewState.RETURNED, ReviewState.RECTIFIED)
               else Qt.BrushStyle.NoBrush)
    p.drawPolygon(flag)
