"""Merge a duplicate customer into the one that stays: pick both, see what will
move, confirm. The service moves everything and deletes the duplicate."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, or_, select

from crmdesk.db.models import (
    Attachment,
    Contact,
    CustomerRelation,
    Interaction,
    Opportunity,
    Receipt,
    SalesLine,
    SalesOrder,
    ServiceCase,
    Task,
)
from crmdesk.i18n import N_, _
from crmdesk.services.merge import merge_customers
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.dialogs.customer_picker import CustomerPicker
from crmdesk.ui.customers.prompts import confirm, show_error

# What moves, in the order shown. The merge service has no preview, so the dialog counts itself.
_MOVING = [
    (N_("orders"), SalesOrder, SalesOrder.customer_id),
    (N_("order lines"), SalesLine, SalesLine.customer_id),
    (N_("receipts"), Receipt, Receipt.customer_id),
    (N_("contact persons"), Contact, Contact.customer_id),
    (N_("contact log entries"), Interaction, Interaction.customer_id),
    (N_("tasks"), Task, Task.customer_id),
    (N_("opportunities"), Opportunity, Opportunity.customer_id),
    (N_("service cases"), ServiceCase, ServiceCase.customer_id),
    (N_("attachments"), Attachment, Attachment.customer_id),
]

TABLE_LABELS = {"sales_orders": N_("orders"), "sales_lines": N_("order lines"), "receipts": N_("receipts"),
                "contacts": N_("contact persons"), "interactions": N_("contact log entries"), "tasks": N_("tasks"),
                "opportunities": N_("opportunities"), "service_cases": N_("service cases"),
                "attachments": N_("attachments"), "customer_relations": N_("relationships"),
                "customer_tags": N_("tags"), "custom_field_values": N_("custom values")}


def moving_counts(session, customer_id: int) -> list[tuple[str, int]]:
    out = []
    for label, model, column in _MOVING:
        count = session.scalar(select(func.count()).select_from(model).where(column == customer_id)) or 0
        out.append((label, int(count)))
    relations = session.scalar(select(func.count()).select_from(CustomerRelation).where(
        or_(CustomerRelation.from_customer_id == customer_id, CustomerRelation.to_customer_id == customer_id)))
    out.append((N_("relationships"), int(relations or 0)))
    return out


class MergeDialog(QDialog):
    def __init__(self, ctx: AppContext, selected_ids: list[int] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_info = None
        self.setWindowTitle(_("Merge customers"))
        self.resize(760, 460)
        self.survivor = CustomerPicker(ctx)
        self.duplicate = CustomerPicker(ctx)
        self.swap_button = QPushButton(_("Swap"))
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        keep_box = QGroupBox(_("Keep this customer"))
        QVBoxLayout(keep_box).addWidget(self.survivor)
        dup_box = QGroupBox(_("Merge this duplicate into it (then delete it)"))
        QVBoxLayout(dup_box).addWidget(self.duplicate)
        pickers = QHBoxLayout()
        pickers.addWidget(keep_box)
        pickers.addWidget(self.swap_button)
        pickers.addWidget(dup_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = self.buttons.addButton(_("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.do_merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.buttons)
        self.survivor.changed.connect(lambda _i: self.update_preview())
        self.duplicate.changed.connect(lambda _i: self.update_preview())
        self.swap_button.clicked.connect(self.swap)
        ids = list(selected_ids or [])
        if ids:
            self.survivor.set_customer(ids[0])
        if len(ids) > 1:
            self.duplicate.set_customer(ids[1])
        self.update_preview()

    def swap(self) -> None:
        keep, dup = self.survivor.selected_id, self.duplicate.selected_id
        if dup is not None:
            self.survivor.set_customer(dup)
        if keep is not None:
            self.duplicate.set_customer(keep)
        self.update_preview()

    def update_preview(self) -> None:
        keep, dup = self.survivor.selected_id, self.duplicate.selected_id
        ready = keep is not None and dup is not None and keep != dup
        self.merge_button.setEnabled(ready)
        if not ready:
            self.preview_label.setText(_("Choose two different customers."))
            return
        with self.ctx.read() as session:
            counts = moving_counts(session, dup)
        parts = [f"{_(label)} {n:,}" for label, n in counts if n]
        self.preview_label.setText(
            _("Will move to the kept customer: {what}. Its blank fields are filled from the duplicate; "
              "the duplicate is then deleted.").format(what="、".join(parts) or _("nothing but its fields")))

    def do_merge(self) -> None:
        keep, dup = self.survivor.selected_id, self.duplicate.selected_id
        if keep is None or dup is None or keep == dup:
            return
        if not confirm(self, _("Merge the duplicate into the kept customer? This cannot be undone.")):
            return
        try:
            with self.ctx.write("customers", "contacts", "sales_orders", "receipts", "interactions", "tasks",
                                "attachments", "customer_relations") as session:
                self.result_info = merge_customers(session, self.ctx.actor, keep, dup)
        except Exception as exc:  # noqa: BLE001 - the service's refusal is shown
            show_error(self, exc)
            return
        moved = "、".join(f"{_(TABLE_LABELS.get(t, t))} {n:,}" for t, n in self.result_info.moved.items() if n)
        self.ctx.bus.status_message.emit(_("Merged {code}: moved {what}").format(
            code=self.result_info.merged_code, what=moved or "-"))
        self.accept()
