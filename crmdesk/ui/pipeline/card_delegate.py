"""Draws a board card: customer, title, amount, expected close, owner and days in stage; a
stale card (longer in its stage than the stage allows) gets an orange edge and says so."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from crmdesk.i18n import _
from crmdesk.money import to_yuan_2
from crmdesk.ui.pipeline.board_model import ROW_ROLE, STALE_ROLE

CARD_HEIGHT = 84
MARGIN = 4
PAD = 6
STALE = QColor("#e67e22")
BORDER = QColor("#c8d0da")
SELECTED = QColor("#d6e6f7")
MUTED = QColor("#5d6d7e")


def short_money(units: int) -> str:
    return f"¥{to_yuan_2(units):,.0f}"


class CardDelegate(QStyledItemDelegate):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._bold: QFont | None = None

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        return QSize(max(90, option.rect.width()), CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        row = index.data(ROW_ROLE)
        if row is None:
            return
        stale = bool(index.data(STALE_ROLE))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        card = option.rect.adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(STALE if stale else BORDER, 2 if stale else 1))
        painter.setBrush(SELECTED if selected else QColor("white"))
        painter.drawRoundedRect(card, 4, 4)
        if stale:
            painter.fillRect(QRect(card.left(), card.top(), 4, card.height()), STALE)
        inner = card.adjusted(PAD + 2, PAD - 2, -PAD, -PAD)
        font = QFont(option.font)
        metrics = QFontMetrics(font)
        line = metrics.height() + 1
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#1b2631"))
        self._text(painter, QFontMetrics(bold), inner.left(), inner.top(), inner.width(), row.customer_name)
        painter.setFont(font)
        self._text(painter, metrics, inner.left(), inner.top() + line, inner.width(), row.name)
        amount = short_money(row.amount)
        close = row.expected_close.isoformat() if row.expected_close else _("no date")
        painter.setPen(QColor("#1a5276"))
        painter.drawText(QRect(inner.left(), inner.top() + 2 * line, inner.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, amount)
        painter.setPen(MUTED)
        painter.drawText(QRect(inner.left(), inner.top() + 2 * line, inner.width(), line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, close)
        days = _("{n} d in stage").format(n=row.days_in_stage)
        if stale:
            # On a narrow card the colour alone says "stale": the days are what must show.
            if metrics.horizontalAdvance(_("stale") + " · " + days) <= inner.width():
                days = _("stale") + " · " + days
            painter.setPen(STALE)
        days = metrics.elidedText(days, Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(QRect(inner.left(), inner.top() + 3 * line, inner.width(), line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, days)
        painter.setPen(MUTED)
        owner_width = inner.width() - metrics.horizontalAdvance(days) - 8
        self._text(painter, metrics, inner.left(), inner.top() + 3 * line, owner_width, row.owner_name)
        painter.restore()

    @staticmethod
    def _text(painter: QPainter, metrics: QFontMetrics, x: int, y: int, width: int, text: str) -> None:
        if width <= 0:
            return
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(x, y, width, metrics.height() + 1),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
