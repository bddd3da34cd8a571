"""The preview of a territory change: how many customers would move, the flows from one
owner to another, and the list of moved customers — with Apply and Cancel. After Apply the
same panel shows what was done."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services.territories import AssignmentResult
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, table_view

MAX_MOVES_SHOWN = 5000  # the count is always exact; the list stops here


def _who(name: str) -> str:
    return name or _("(nobody)")


class PreviewPanel(QWidget):
    apply_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AssignmentResult | None = None
        self.applied = False
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.flows_model = RowsModel([
            Col(N_("Customers"), lambda f: f"{f[2]:,}", right=True),
            Col(N_("From"), lambda f: _who(f[0])),
            Col(N_("To"), lambda f: "→ " + _who(f[1])),
        ], self)
        self.flows = table_view(self.flows_model, self)
        self.moves_model = RowsModel([
            Col(N_("Code"), lambda m: m.code),
            Col(N_("Customer"), lambda m: m.name),
            Col(N_("Old owner"), lambda m: _who(m.old_owner)),
            Col(N_("New owner"), lambda m: _who(m.new_owner)),
            Col(N_("Old territory"), lambda m: m.old_territory or "—"),
            Col(N_("New territory"), lambda m: m.new_territory or "—"),
        ], self)
        self.moves = table_view(self.moves_model, self)
        self.apply_button = QPushButton(_("Apply"))
        self.apply_button.setDefault(True)
        self.cancel_button = QPushButton(_("Cancel"))
        self.note = QLabel(_("Nothing has changed yet: Apply saves the territories and moves the customers."))
        self.note.setStyleSheet("color: #555;")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.flows)
        split.addWidget(self.moves)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.apply_button.clicked.connect(self.apply_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)

    def show_preview(self, result: AssignmentResult) -> None:
        self.result, self.applied = result, False
        self._fill(result)
        if result.moved:
            text = _("<b>{n} customers would move</b> to another owner or territory.").format(n=f"{result.moved:,}")
        else:
            text = _("<b>No customer would move.</b>")
        if result.membership_changes:
            text += " " + _("{n} territory memberships would change (what salespeople see).").format(
                n=f"{result.membership_changes:,}")
        self.summary.setText(text + " " + _("(computed in {s:.2f} s)").format(s=result.seconds))
        self.note.setText(_("Nothing has changed yet: Apply saves the territories and moves the customers."))
        self.apply_button.setVisible(True)
        self.apply_button.setEnabled(True)
        self.cancel_button.setText(_("Cancel"))

    def show_applied(self, result: AssignmentResult) -> None:
        self.result, self.applied = result, True
        self._fill(result)
        self.summary.setText(_("<b>Saved.</b> {n} customers moved.").format(n=f"{result.moved:,}"))
        self.note.setText(_("The territories are saved and the customers re-assigned."))
        self.apply_button.setVisible(False)
        self.cancel_button.setText(_("Close"))

    def set_busy(self, busy: bool) -> None:
        self.apply_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def _fill(self, result: AssignmentResult) -> None:
        self.flows_model.set_rows(result.flows)
        self.moves_model.set_rows(result.moves[:MAX_MOVES_SHOWN])
        fit_columns(self.flows, 140)
        fit_columns(self.moves, 220)
