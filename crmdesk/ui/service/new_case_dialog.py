"""New service case: customer (picked, or given by the caller), contact, type, priority,
subject, description, an order from the customer's recent ones and a product (optional).

Made for the counter: opened with the customer filled, the cursor waits in the subject, and
Ctrl+Enter saves from anywhere — shortcut, subject, Ctrl+Enter."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from crmdesk.i18n import _
from crmdesk.money import format_yuan
from crmdesk.services import case_detail, case_settings
from crmdesk.services.cases import CaseInput, open_case
from crmdesk.services.customers import get_customer
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets.ctrl_enter import CtrlEnterSaves
from crmdesk.ui.customers.prompts import show_error

ENTITIES = ("service_cases", "case_notes")


class NewCaseDialog(CtrlEnterSaves):
    def __init__(self, ctx: AppContext, customer_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.saved_case_id: int | None = None
        self.saved_number = ""
        self.setWindowTitle(_("New service case"))
        self.picker = None
        self.customer_label = QLabel()
        self.contact_combo = QComboBox()
        self.type_combo = QComboBox()
        self.priority_combo = QComboBox()
        for p in case_settings.PRIORITIES:
            self.priority_combo.addItem(case_settings.priority_label(p), p)
        self.priority_combo.setCurrentIndex(1)
        self.subject_edit = QLineEdit()
        self.subject_edit.setPlaceholderText(_("What is the problem, in a few words"))
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(80)
        self.order_combo = QComboBox()
        self.product_edit = QLineEdit()
        self.product_edit.setPlaceholderText(_("Product code or name (optional), Enter to look up"))
        self.product_combo = QComboBox()
        self.product_combo.addItem("", None)
        self.product_edit.returnPressed.connect(self._find_products)

        with ctx.read() as session:
            for t in case_settings.list_case_types(session, ctx.actor):
                self.type_combo.addItem(t.name, t.code)
        form = QFormLayout()
        if customer_id is None:
            from crmdesk.ui.customers.dialogs.customer_picker import CustomerPicker

            self.picker = CustomerPicker(ctx, self)
            self.picker.changed.connect(self._set_customer)
            form.addRow(_("Customer"), self.picker)
        else:
            form.addRow(_("Customer"), self.customer_label)
        form.addRow(_("Subject"), self.subject_edit)
        form.addRow(_("Type"), self.type_combo)
        form.addRow(_("Priority"), self.priority_combo)
        form.addRow(_("Contact"), self.contact_combo)
        form.addRow(_("Description"), self.description_edit)
        form.addRow(_("Order"), self.order_combo)
        form.addRow(_("Product"), self.product_edit)
        form.addRow("", self.product_combo)
        self.buttons = self.finish_layout(form, _("Ctrl+Enter saves · Esc cancels"))
        self.save_on_ctrl_enter(self.description_edit)
        self.resize(520, 0)
        if customer_id is not None:
            self._set_customer(customer_id)
            self.subject_edit.setFocus()
        else:
            self.picker.search_edit.setFocus()

    def _set_customer(self, customer_id: int | None) -> None:
        self.customer_id = customer_id
        self.contact_combo.clear()
        self.order_combo.clear()
        self.contact_combo.addItem("", None)
        self.order_combo.addItem("", None)
        if customer_id is None:
            return
        try:
            with self.ctx.read() as session:
                customer = get_customer(session, customer_id)
                self.customer_label.setText(f"<b>{customer.code} {customer.name}</b>")
                contacts = case_detail.customer_contacts(session, self.ctx.actor, customer_id)
                orders = case_detail.recent_orders(session, self.ctx.actor, customer_id)
        except Exception as exc:  # noqa: BLE001 - a customer out of reach is shown, not raised
            show_error(self, exc, _("New service case"))
            return
        for c in contacts:
            self.contact_combo.addItem(c.label, c.id)
        if contacts:
            self.contact_combo.setCurrentIndex(1)
        for o in orders:
            self.order_combo.addItem(f"{o.order_date:%Y-%m-%d}  {o.number}  {format_yuan(o.total_amount)}", o.id)

    def _find_products(self) -> None:
        with self.ctx.read() as session:
            found = case_detail.find_products(session, self.ctx.actor, self.product_edit.text())
        self.product_combo.clear()
        self.product_combo.addItem("", None)
        for p in found:
            self.product_combo.addItem(p.label, p.id)
        if found:
            self.product_combo.setCurrentIndex(1)

    def value(self) -> CaseInput:
        return CaseInput(customer_id=self.customer_id or 0, subject=self.subject_edit.text().strip(),
                         case_type=self.type_combo.currentData() or "", priority=self.priority_combo.currentData(),
                         description=self.description_edit.toPlainText().strip(),
                         contact_id=self.contact_combo.currentData(), order_id=self.order_combo.currentData(),
                         product_id=self.product_combo.currentData())

    def save(self) -> None:
        if self.saved_case_id is not None:
            return
        if self.customer_id is None:
            show_error(self, _("Choose a customer first."), _("New service case"))
            return
        if not self.subject_edit.text().strip():
            show_error(self, _("Type a subject first."), _("New service case"))
            self.subject_edit.setFocus()
            return
        try:
            with self.ctx.write(*ENTITIES) as session:
                case = open_case(session, self.ctx.actor, self.value())
                session.flush()
                self.saved_case_id, self.saved_number = case.id, case.number
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc, _("New service case"))
            return
        self.ctx.bus.status_message.emit(_("Service case {number} opened.").format(number=self.saved_number))
        self.accept()
