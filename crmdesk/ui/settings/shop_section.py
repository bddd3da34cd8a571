"""Settings → Shop and statements: the shop's name, address, phone, bank account and the
statement's footer, set once and printed on every statement (PDF and xlsx, GUI and CLI)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import PermissionDenied, can
from crmdesk.services.shop_settings import ShopDetails, load_shop, save_shop
from crmdesk.ui.context import AppContext

FIELDS = (
    ("name", N_("Shop name:"), N_("printed as the statement's first line")),
    ("address", N_("Address:"), ""),
    ("phone", N_("Phone:"), ""),
    ("bank_account", N_("Bank account:"), N_("bank, branch and account number customers pay into")),
)


class ShopSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.edits: dict[str, QLineEdit] = {}
        layout = QFormLayout(self)
        for key, label, hint in FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(_(hint) if hint else "")
            self.edits[key] = edit
            layout.addRow(_(label), edit)
        self.footer = QPlainTextEdit()
        self.footer.setPlaceholderText(_("the statement's last lines, e.g. whom to call about a difference"))
        self.footer.setFixedHeight(60)
        layout.addRow(_("Statement footer:"), self.footer)
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.status, 1)
        layout.addRow("", row)
        editable = can(ctx.actor, "settings.edit")
        for widget in (*self.edits.values(), self.footer, self.save_button):
            widget.setEnabled(editable)
        self.load()

    def load(self) -> None:
        with self.ctx.read() as session:
            shop = load_shop(session)
        for key, edit in self.edits.items():
            edit.setText(getattr(shop, key))
        self.footer.setPlainText(shop.footer)

    def details(self) -> ShopDetails:
        return ShopDetails(footer=self.footer.toPlainText(), **{k: e.text() for k, e in self.edits.items()})

    def save(self) -> bool:
        try:
            with self.ctx.write("settings") as session:
                changed = save_shop(session, self.ctx.actor, self.details())
        except (ValidationError, PermissionDenied) as exc:
            self.status.setStyleSheet("color: #b00020")
            self.status.setText(str(exc))
            return False
        self.status.setStyleSheet("")
        self.status.setText(_("Saved ({n} changed); the next statement prints it.").format(n=changed))
        return True

    def activate(self) -> None:
        self.load()


def create(ctx: AppContext) -> QWidget:
    return ShopSection(ctx)
