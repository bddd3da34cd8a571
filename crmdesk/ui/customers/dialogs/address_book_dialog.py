"""The preview of a phone's (or a mail program's) whole address book before anything is written:
every card with the customer it matched, the new customer it would make, or why it stays out.
A new customer is created only for the cards ticked here; Confirm applies the whole book in one
transaction."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.services.address_book import AddressBookPlan, CardMatch

HEADERS = (N_("Create"), N_("File"), N_("Card"), N_("Name"), N_("Company (ORG)"), N_("Phones"), N_("Emails"),
           N_("Outcome"), N_("Customer"), N_("Match"), N_("Contact"), N_("Problems"))
TICK, FILE, CARD, NAME, ORG, PHONES, EMAILS, OUTCOME, CUSTOMER, MATCH, ACTION, PROBLEMS = range(len(HEADERS))
OUTCOME_LABELS = {"matched": N_("matched"), "new_customer": N_("new customer?"), "unmatched": N_("unmatched")}
ACTION_LABELS = {"add": N_("add"), "update": N_("update"), "same": N_("already there"), "": ""}
OUTCOME_COLOURS = {"matched": "#1e7e34", "new_customer": "#b36b00", "unmatched": "#888888"}
AnyIndex = QModelIndex | QPersistentModelIndex


class PlanModel(QAbstractTableModel):
    def __init__(self, plan: AddressBookPlan, parent=None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.ticked: set[int] = set()

    def card(self, row: int) -> CardMatch:
        return self.plan.cards[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's names
        return 0 if parent.isValid() else len(self.plan.cards)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(HEADERS[section])
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == TICK and self.card(index.row()).outcome == "new_customer":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c = self.card(index.row())
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == TICK and c.outcome == "new_customer":
            return Qt.CheckState.Checked if c.index in self.ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and col == OUTCOME:
            return QColor(OUTCOME_COLOURS.get(c.outcome, "#000000"))
        if role == Qt.ItemDataRole.ToolTipRole and col in (PROBLEMS, MATCH):
            return "\n".join(c.problems) if col == PROBLEMS else c.why
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            FILE: c.file, CARD: c.card_no, NAME: c.name, ORG: c.organisation, PHONES: ", ".join(c.phones),
            EMAILS: ", ".join(c.emails), OUTCOME: _(OUTCOME_LABELS.get(c.outcome, c.outcome)),
            CUSTOMER: c.customer_name, MATCH: c.why, ACTION: _(ACTION_LABELS.get(c.contact_action, c.contact_action)),
            PROBLEMS: "; ".join(c.problems),
        }.get(col)

    def setData(self, index: AnyIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != TICK:
            return False
        c = self.card(index.row())
        if c.outcome != "new_customer":
            return False
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.ticked.add(c.index)
        else:
            self.ticked.discard(c.index)
        self.dataChanged.emit(index, index)
        return True

    def tick_all_new(self, on: bool) -> None:
        new = {c.index for c in self.plan.cards if c.outcome == "new_customer"}
        self.ticked = set(new) if on else set()
        if self.plan.cards:
            self.dataChanged.emit(self.index(0, TICK), self.index(len(self.plan.cards) - 1, TICK))


def summary_text(plan: AddressBookPlan) -> str:
    n = plan.counts()
    return _("{cards} cards: {matched} matched to customers ({add} to add, {update} to update, {same} already "
             "there), {new} name a company that is not a customer yet, {unmatched} unmatched.").format(
        cards=n["cards"], matched=n["matched"], add=n["add"], update=n["update"], same=n["same"],
        new=n["new_customer"], unmatched=n["unmatched"])


class AddressBookDialog(QDialog):
    """Shows the plan; ``accepted`` means the user confirmed, ``ticked()`` the new customers wanted."""

    def __init__(self, plan: AddressBookPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Import address book"))
        self.model = PlanModel(plan, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.resizeColumnsToContents()
        for col, cap in ((NAME, 160), (ORG, 180), (PHONES, 200), (EMAILS, 200), (MATCH, 220)):
            self.view.setColumnWidth(col, min(self.view.columnWidth(col), cap))
        self.summary = QLabel(summary_text(plan))
        self.summary.setWordWrap(True)
        note = QLabel(_("Nothing is written until you confirm. A new customer is made only for the cards "
                        "ticked in the first column; unmatched cards are left out."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #777;")
        self.tick_all_button = QPushButton(_("Tick all new customers"))
        self.tick_all_button.setEnabled(plan.counts()["new_customer"] > 0)
        self.tick_all_button.clicked.connect(lambda: self.model.tick_all_new(True))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        file_problems = list(plan.problems) + [
            _("Not read: {what} ({count}×)").format(what=what, count=count)
            for what, count in sorted(getattr(plan, "ignored", {}).items())]
        if file_problems:
            box = QPlainTextEdit("\n".join(file_problems))
            box.setReadOnly(True)
            box.setMaximumHeight(90)
            layout.addWidget(QLabel(_("Problems and what was not read:")))
            layout.addWidget(box)
        buttons = QDialogButtonBox()
        buttons.addButton(self.tick_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.confirm_button = buttons.addButton(_("Confirm import"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        counts = plan.counts()
        self.confirm_button.setEnabled(counts["matched"] + counts["new_customer"] > 0)
        layout.addWidget(buttons)
        self.resize(1000, 560)

    def ticked(self) -> set[int]:
        return set(self.model.ticked)
