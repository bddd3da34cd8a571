"""Customer codes: per customer type, the pattern new codes follow (KH###### …) or automatic
(continue what the existing codes show), with the code the next new customer gets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import _
from crmdesk.services.customer_codes import numbering_overview, save_patterns
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import show_error

PATTERN_COLUMN = 1


class CodesSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._loaded: dict[str | None, str] = {}
        note = QLabel(_("New customers get the next number of a pattern: a prefix and # for each digit "
                        "(KH###### gives KH000124). Leave it empty for automatic: the pattern most existing "
                        "codes of the type follow, else of all customers."))
        note.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Customer type"), _("Pattern (empty: automatic)"),
                                              _("Automatic would use"), _("Next code")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.reload()

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        with self.ctx.read() as session:
            lines = numbering_overview(session)
        self._loaded = {line.type_code: line.pattern for line in lines}
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            for column, text in enumerate((line.type_name, line.pattern, line.detected, line.next_code)):
                item = QTableWidgetItem(text)
                if column != PATTERN_COLUMN:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setData(Qt.ItemDataRole.UserRole, line.type_code)
                self.table.setItem(row, column, item)
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 4
                                  + sum(self.table.rowHeight(r) for r in range(len(lines))))

    def patterns(self) -> dict[str | None, str]:
        out = {}
        for row in range(self.table.rowCount()):
            item = self.table.item(row, PATTERN_COLUMN)
            out[item.data(Qt.ItemDataRole.UserRole)] = item.text().strip()
        return out

    def save(self) -> bool:
        changed = {k: v for k, v in self.patterns().items() if v != self._loaded.get(k, "")}
        try:
            with self.ctx.write("settings") as session:
                save_patterns(session, self.ctx.actor, changed)
        except Exception as exc:  # noqa: BLE001 - a bad pattern is shown as it is
            show_error(self, exc, _("Customer codes"))
            return False
        self.reload()
        self.ctx.bus.status_message.emit(_("Customer code patterns saved."))
        return True


def create(ctx: AppContext) -> QWidget:
    return CodesSection(ctx)
