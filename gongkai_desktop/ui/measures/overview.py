"""The overview page: where the unit stands, and what needs attention next.

- counts (已完成 / 推进中 / 未开始 / 不适用 / 逾期) over the unit's measures;
- per area, a stacked bar painted with QPainter;
- the measures that need attention (overdue, or 已完成 without any evidence),
  each one click away from its measure panel (``measureActivated``).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from gongkai_desktop.attention import AttentionItem
from gongkai_desktop.attention import attention_items as core_attention_items
from gongkai_desktop.model import COUNT_ORDER, Area, Measure, MeasureRecord, Status
from gongkai_desktop.tallies import Tally, tally
from gongkai_desktop.ui.common import style

if TYPE_CHECKING:
    from gongkai_desktop.ui.workspace.session import Session

MeasureIdRole = Qt.ItemDataRole.UserRole + 1
ReasonRole = Qt.ItemDataRole.UserRole + 2

# Bar order, left to right: the finished part first.
BAR_ORDER = COUNT_ORDER


def _tr(text: str) -> str:
    return QCoreApplication.translate("OverviewPage", text)


# ---- attention list ---------------------------------------------------------------


def attention_items(session: Session, evidence_counts: Counter[str],
                    today: dt.date) -> list[AttentionItem]:
    """The core's list (``attention.attention_items``) for the open workspace."""
    from gongkai_desktop.review.states import needs_rectifying
    from gongkai_desktop.ui.review.review_states import review_states

    returned = {m for m, state in review_states(session).items() if needs_rectifying(state)}
    return core_attention_items(session.ws.plan, session.records(), session.roles,
                                evidence_counts, today, returned=returned)


class AttentionModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[AttentionItem] = []

    def set_items(self, items: list[AttentionItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[AttentionItem]:
        return list(self._items)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.measure_id}  {item.title}"
        if role == ReasonRole:
            return item.reason
        if role == MeasureIdRole:
            return item.measure_id
        if role == Qt.ItemDataRole.DecorationRole:
            return style.overdue_icon() if item.overdue else style.status_icon(Status.DONE)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"<qt><b>{html.escape(item.reason)}</b><br>{html.escape(item.title)}<br>"
                    f"{_tr('单击查看并填写这项举措')}</qt>")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.reason}。{item.measure_id} {item.title}"
        return None


class AttentionDelegate(QStyledItemDelegate):
    """Two lines: the reason (coloured) and the measure, elided."""

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        line = option.fontMetrics.height()
        return QSize(200, line * 2 + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        qstyle = widget.style() if widget is not None else None
        decoration = QIcon(opt.icon)
        opt.text = ""
        opt.icon = QIcon()  # background and selection only; the rest is drawn below
        if qstyle is not None:
            qstyle.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = opt.rect.adjusted(8, 6, -8, -6)
        metrics = opt.fontMetrics
        icon_size = metrics.height()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        try:
            decoration.paint(painter, rect.left(), rect.top() + 1, icon_size, icon_size)
            text_left = rect.left() + icon_size + 8
            width = rect.right() - text_left
            bold = QFont(opt.font)
            bold.setBold(True)
            painter.setFont(bold)
            reason = str(index.data(ReasonRole) or "")
            overdue = reason.startswith(_tr("逾期"))
            if selected:
                painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText))
            else:
                painter.setPen(style.OVERDUE_COLOR if overdue else style.status_color(Status.DONE))
            painter.drawText(
                QRectF(text_left, rect.top(), width, metrics.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                QFontMetrics(bold).elidedText(reason, Qt.TextElideMode.ElideRight, width),
            )
            painter.setFont(opt.font)
            painter.setPen(opt.palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            painter.drawText(
                QRectF(text_left, rect.top() + metrics.height() + 2, width, metrics.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, width),
            )
        finally:
            painter.restore()


# ---- bar chart ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaBar:
    label: str  # "一"
    title: str
    tally: Tally


class AreaProgressChart(QWidget):
    """One stacked horizontal bar per area, scaled to the area with the most measures."""

    BAR_HEIGHT = 18
    ROW_GAP = 14

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[AreaBar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(360)

    def set_bars(self, bars: list[AreaBar]) -> None:
        self._bars = list(bars)
        self.updateGeometry()
        self.update()

    def bars(self) -> list[AreaBar]:
        return list(self._bars)

    def _row_height(self) -> int:
        line = self.fontMetrics().height()
        return max(self.BAR_HEIGHT, line) + line + self.ROW_GAP

    def _legend_height(self) -> int:
        return self.fontMetrics().height() + 16

    def sizeHint(self) -> QSize:
        return QSize(560, self._legend_height() + len(self._bars) * self._row_height() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_legend(painter)
            top = self._legend_height()
            for bar in self._bars:
                self._paint_row(painter, bar, top)
                top += self._row_height()
        finally:
            painter.end()

    def _paint_legend(self, p: QPainter) -> None:
        metrics = self.fontMetrics()
        x = 0
        box = metrics.height() - 4
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        for status in BAR_ORDER:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(style.status_color(status))
            p.drawRoundedRect(QRectF(x, 4, box, box), 2, 2)
            x += box + 6
            p.setPen(text_color)
            p.drawText(x, 2 + metrics.ascent(), status.label)
            x += metrics.horizontalAdvance(status.label) + 18

    def _paint_row(self, p: QPainter, bar: AreaBar, top: int) -> None:
        metrics = self.fontMetrics()
        width = self.width()
        line = metrics.height()
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        # Line 1: "一、title" on the left, "3/5 已完成" on the right.
        t = bar.tally
        summary = t.rollup_text() if t.total else _tr("无本单位任务")
        if t.overdue:
            summary += _tr("，逾期 {n}").format(n=t.overdue)
        summary_w = metrics.horizontalAdvance(summary)
        title = f"{bar.label}、{bar.title}" if bar.label else bar.title
        p.setPen(text_color)
        p.drawText(QRectF(0, top, width - summary_w - 12, line),
                   int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                   metrics.elidedText(title, Qt.TextElideMode.ElideRight, width - summary_w - 12))
        p.setPen(style.OVERDUE_COLOR if t.overdue else style.MUTED_TEXT_COLOR)
        p.drawText(QRectF(width - summary_w, top, summary_w, line),
                   int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), summary)
        # Line 2: the stacked bar, scaled to the largest area.
        bar_top = top + line + 3
        track = QRectF(0, bar_top, width, self.BAR_HEIGHT)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.palette().color(QPalette.ColorRole.AlternateBase).darker(104))
        p.drawRoundedRect(track, 3, 3)
        biggest = max((b.tally.total for b in self._bars), default=0)
        if not t.total or not biggest:
            return
        full = width * t.total / biggest
        x = 0.0
        p.save()
        clip = QRectF(0, bar_top, full, self.BAR_HEIGHT)
        p.setClipRect(clip)
        for status in BAR_ORDER:
            count = t.counts[status]
            if not count:
                continue
            w = full * count / t.total
            p.setBrush(style.status_color(status))
            p.drawRect(QRectF(x, bar_top, w, self.BAR_HEIGHT))
            label = str(count)
            if metrics.horizontalAdvance(label) + 6 <= w:
                p.setPen(QColor("white"))
                p.drawText(QRectF(x, bar_top, w, self.BAR_HEIGHT),
                           int(Qt.AlignmentFlag.AlignCenter), label)
                p.setPen(Qt.PenStyle.NoPen)
            x += w
        p.restore()
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(QRectF(0.5, bar_top + 0.5, full - 1, self.BAR_HEIGHT - 1), 3, 3)


# ---- the page -------------------------------------------------------------------------


class _CountTile(QFrame):
    def __init__(self, label: str, color: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("countTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        self.number = QLabel("0")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setStyleSheet(f"color: {color.name()};")
        self.caption = QLabel(label)
        self.caption.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        layout.addWidget(self.number)
        layout.addWidget(self.caption)

    def set_count(self, n: int) -> None:
        self.number.setText(str(n))


class OverviewPage(QScrollArea):
    measureActivated = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("overviewBody")
        self.setWidget(body)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.setSpacing(14)

        self.heading = QLabel()
        heading_font = self.heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.5)
        heading_font.setBold(True)
        self.heading.setFont(heading_font)
        self.heading.setWordWrap(True)
        self.subheading = QLabel()
        self.subheading.setWordWrap(True)
        self.subheading.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        self.subheading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.heading)
        outer.addWidget(self.subheading)

        tiles = QGridLayout()
        tiles.setSpacing(10)
        self.tiles: dict[str, _CountTile] = {}
        for column, status in enumerate(BAR_ORDER):
            tile = _CountTile(status.label, style.status_color(status))
            self.tiles[status.value] = tile
            tiles.addWidget(tile, 0, column)
        overdue_tile = _CountTile(_tr("逾期"), style.OVERDUE_COLOR)
        self.tiles["overdue"] = overdue_tile
        tiles.addWidget(overdue_tile, 0, len(BAR_ORDER))
        from gongkai_desktop.ui.review.review_style import RETURNED_COLOR

        rectify_tile = _CountTile(_tr("需整改"), RETURNED_COLOR)  # review.states.TO_RECTIFY
        rectify_tile.setObjectName("rectifyTile")
        self.tiles["rectify"] = rectify_tile
        tiles.addWidget(rectify_tile, 0, len(BAR_ORDER) + 1)
        outer.addLayout(tiles)

        outer.addWidget(self._section(_tr("各重点任务完成情况")))
        self.chart = AreaProgressChart()
        outer.addWidget(self.chart)

        attention_head = QHBoxLayout()
        attention_head.addWidget(self._section(_tr("需要关注的举措")))
        attention_head.addStretch(1)
        self.attention_hint = QLabel()
        self.attention_hint.setStyleSheet(f"color: {style.MUTED_TEXT_COLOR.name()};")
        attention_head.addWidget(self.attention_hint)
        outer.addLayout(attention_head)
        self.attention_model = AttentionModel(self)
        self.attention_view = QListView()
        self.attention_view.setModel(self.attention_model)
        self.attention_view.setItemDelegate(AttentionDelegate(self.attention_view))
        self.attention_view.setUniformItemSizes(True)
        self.attention_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.attention_view.setMinimumHeight(180)
        self.attention_view.setAccessibleName(_tr("需要关注的举措"))
        self.attention_view.clicked.connect(self._activate)
        self.attention_view.activated.connect(self._activate)
        outer.addWidget(self.attention_view, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        session.recordChanged.connect(self._schedule)
        session.evidenceChanged.connect(self._schedule)
        session.profileChanged.connect(self._schedule)
        session.reviewChanged.connect(self._schedule)
        self.refresh()

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
        return label

    def _schedule(self, *_args: object) -> None:
        self._timer.start()  # several signals in a row cost one refresh

    def _activate(self, index: QModelIndex) -> None:
        mid = index.data(MeasureIdRole)
        if mid:
            self.measureActivated.emit(str(mid))

    def refresh(self) -> None:
        session = self.session
        ws = session.ws
        today = session.today()
        records = session.records()
        plan = ws.plan
        profile = ws.profile
        self.heading.setText(profile.full_name or ws.unit.full_name)
        people = []
        if profile.officer:
            people.append(_tr("负责人：") + profile.officer)
        if profile.contact:
            people.append(_tr("联系人：") + profile.contact)
        if profile.phone:
            people.append(_tr("电话：") + profile.phone)
        self.subheading.setText(
            f"{plan.info.title}（{plan.info.document_number}）"
            + ("\n" + "　".join(people) if people else "")
        )
        totals = tally(plan.measures(), records, session.roles, today)
        for status in Status:
            self.tiles[status.value].set_count(totals.counts[status])
        self.tiles["overdue"].set_count(totals.overdue)
        from gongkai_desktop.ui.review.review_states import rectify_counts

        returned, _rectified = rectify_counts(session)
        self.tiles["rectify"].set_count(returned)
        self.chart.set_bars([
            AreaBar(area.label, area.title, _area_tally(area, records, session, today))
            for area in plan.areas
        ])
        evidence = Counter(item.measure_id for item in ws.evidence())
        items = attention_items(session, evidence, today)
        self.attention_model.set_items(items)
        self.attention_hint.setText(
            _tr("共 {n} 项，单击即可查看").format(n=len(items)) if items
            else _tr("没有逾期或缺少佐证材料的举措")
        )


def _area_tally(area: Area, records: dict[str, MeasureRecord], session: Session,
                today: dt.date) -> Tally:
    measures: list[Measure] = [m for s in area.subtasks for m in s.measures]
    return tally(measures, records, session.roles, today)
