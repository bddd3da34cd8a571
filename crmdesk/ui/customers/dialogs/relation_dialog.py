"""Link this customer to another: head office/branch, dealer, referral, partner, competitor."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.services.relations import RELATION_LABELS, add_relation
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.dialogs.customer_picker import CustomerPicker
from crmdesk.ui.customers.prompts import show_error


class RelationDialog(QDialog):
    def __init__(self, ctx: AppContext, customer_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.setWindowTitle(_("Add relationship"))
        self.type_combo = QComboBox()
        for value, (to_label, _from_label) in RELATION_LABELS.items():
            # Read as "the other customer is this customer's …".
            self.type_combo.addItem(_(to_label), value)
        self.picker = CustomerPicker(ctx, exclude={customer_id})
        self.notes_edit = QLineEdit()
        form = QFormLayout()
        form.addRow(_("The other customer is this one's"), self.type_combo)
        form.addRow(_("Other customer"), self.picker)
        form.addRow(_("Notes"), self.notes_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def save(self) -> None:
        other = self.picker.selected_id
        if other is None:
            show_error(self, _("Choose the other customer first."))
            return
        try:
            with self.ctx.write("customer_relations") as session:
                add_relation(session, self.ctx.actor, self.customer_id, other, self.type_combo.currentData(),
                             self.notes_edit.text().strip())
        except Exception as exc:  # noqa: BLE001 - the service's refusal is shown
            show_error(self, exc)
            return
        self.accept()
