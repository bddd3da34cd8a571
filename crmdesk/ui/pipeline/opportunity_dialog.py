"""The opportunity form: customer, contact, name, stage, owner, expected close, products of
interest (→ amount), source, next step, notes and the stage history. Opened from a board card,
the list, the customer form's tab, or a contact-log entry ("Turn into opportunity")."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QTabWidget,
    QVBoxLayout, QWidget,
)

from crmdesk.i18n import N_, _
from crmdesk.money import to_units
from crmdesk.services import opportunities as opportunity_service
from crmdesk.services.contacts import list_contacts
from crmdesk.services.opportunities import OpportunityDetail, OpportunityInput
from crmdesk.services.opportunity_board import board_stages
from crmdesk.services.opportunity_choices import filter_choices
from crmdesk.services.pipeline_settings import list_lost_reasons
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.dialogs.customer_picker import CustomerPicker
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import show_error
from crmdesk.ui.pipeline import lost_reason_dialog
from crmdesk.ui.pipeline.items_table import ItemsTable, money_text

NO_DATE = QDate(2000, 1, 1)
HISTORY_HEADERS = [N_("When"), N_("From"), N_("To"), N_("Changed by"), N_("Note")]


class OpportunityDialog(QDialog):
    """``saved_id`` is the opportunity's id after a successful save."""

    def __init__(self, ctx: AppContext, opportunity_id: int | None = None, *, customer_id: int | None = None,
                 draft: OpportunityInput | None = None, from_interaction_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.opportunity_id = opportunity_id
        self.from_interaction_id = from_interaction_id
        self.saved_id: int | None = None
        self.detail: OpportunityDetail | None = None
        self.setWindowTitle(_("Opportunity"))
        self.resize(760, 620)
        with ctx.read() as session:
            self.stages = board_stages(session)
            choices = filter_choices(session, ctx.actor)
            if opportunity_id is not None:
                self.detail = opportunity_service.get_opportunity(session, ctx.actor, opportunity_id)
        self.customer = CustomerPicker(ctx)
        self.customer_label = QLabel()
        self.contact = QComboBox()
        self.name = QLineEdit()
        self.stage = QComboBox()
        for s in self.stages:
            self.stage.addItem(f"{s.name} ({s.probability}%)", s.id)
        self.owner = QComboBox()
        self.owner.addItem(_("(the customer's owner)"), None)
        for uid, uname in choices.owners:
            self.owner.addItem(uname, uid)
        self.expected_close = QDateEdit()
        self.expected_close.setCalendarPopup(True)
        self.expected_close.setDisplayFormat("yyyy-MM-dd")
        self.expected_close.setMinimumDate(NO_DATE)
        self.expected_close.setSpecialValueText(_("not set"))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(_("yuan"))
        self.source = QLineEdit()
        self.next_step = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setMaximumHeight(80)
        self.items = ItemsTable(ctx)
        self.history = SimpleTable(HISTORY_HEADERS)
        self.closed_label = QLabel()

        # A new opportunity not started from a customer picks one; otherwise the customer is fixed.
        self._picker_mode = self.detail is None and customer_id is None
        form = QFormLayout()
        form.addRow(_("Customer"), self.customer if self._picker_mode else self.customer_label)
        form.addRow(_("Contact"), self.contact)
        form.addRow(_("Opportunity"), self.name)
        form.addRow(_("Stage"), self.stage)
        form.addRow(_("Owner"), self.owner)
        form.addRow(_("Expected close"), self.expected_close)
        form.addRow(_("Amount"), self.amount)
        form.addRow(_("Source"), self.source)
        form.addRow(_("Next step"), self.next_step)
        form.addRow(_("Notes"), self.notes)
        form.addRow("", self.closed_label)
        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.addLayout(form)
        main_layout.addStretch(1)
        tabs = QTabWidget()
        tabs.addTab(main, _("Opportunity"))
        tabs.addTab(self.items, _("Products of interest"))
        tabs.addTab(self.history, _("Stage history"))
        self.tabs = tabs
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.customer.changed.connect(self._load_contacts)
        self.items.total_changed.connect(self._on_total)
        self._customer_id = customer_id
        self._fill(draft)

    # --- loading ----------------------------------------------------------------------------
    def _fill(self, draft: OpportunityInput | None) -> None:
        data = self.detail.as_input() if self.detail else draft or OpportunityInput(customer_id=self._customer_id or 0,
                                                                                     name="")
        if self.detail is not None:
            self._customer_id = self.detail.customer_id
        elif data.customer_id:
            self._customer_id = data.customer_id
        if self._customer_id:
            self.customer.set_customer(self._customer_id)
            self.customer_label.setText(self.detail.customer_name if self.detail else
                                        (self.customer.list.currentItem().text() if self.customer.list.count()
                                         else str(self._customer_id)))
        self._load_contacts(self._customer_id, data.contact_id)
        self.name.setText(data.name)
        self._select(self.stage, data.stage_id if data.stage_id is not None else
                     next((s.id for s in self.stages if not s.is_closing), None))
        self._select(self.owner, data.owner_id)
        self.expected_close.setDate(QDate(data.expected_close) if data.expected_close else NO_DATE)
        self.amount.setText(money_text(data.amount) if data.amount else "")
        self.source.setText(data.source)
        self.next_step.setText(data.next_step)
        self.notes.setPlainText(data.notes)
        names = {i.product_id: i.product_name for i in self.detail.items if i.product_id} if self.detail else {}
        self.items.set_items(data.items or [], names)
        if self.detail is not None:
            self.setWindowTitle(_("Opportunity: {name}").format(name=self.detail.name))
            self.history.set_rows([[h.changed_at.strftime("%Y-%m-%d %H:%M"), h.from_stage, h.to_stage, h.user_name,
                                    h.note] for h in self.detail.history])
            if self.detail.closed_on:
                text = _("Closed on {date}").format(date=self.detail.closed_on.isoformat())
                if self.detail.lost_reason:
                    text += " · " + _("lost: {reason}").format(reason=self.detail.lost_reason)
                self.closed_label.setText(text)

    @staticmethod
    def _select(combo: QComboBox, key) -> None:
        found = combo.findData(key)
        if found >= 0:
            combo.setCurrentIndex(found)

    def _load_contacts(self, customer_id, keep: int | None = None) -> None:
        self.contact.clear()
        self.contact.addItem(_("(none)"), None)
        if not customer_id:
            return
        with self.ctx.read() as session:
            contacts = list_contacts(session, self.ctx.actor, customer_id)
        for c in contacts:
            self.contact.addItem(f"{c.name} {c.role}".strip(), c.id)
        self._select(self.contact, keep)

    def _on_total(self, total) -> None:
        self.amount.setEnabled(total is None)
        if total is not None:
            self.amount.setText(money_text(total))

    # --- saving -----------------------------------------------------------------------------
    def collect(self) -> OpportunityInput:
        customer_id = self.customer.selected_id if self._picker_mode else self._customer_id
        close = None if self.expected_close.date() == NO_DATE else self.expected_close.date().toPython()
        text = self.amount.text().strip().replace(",", "").replace("¥", "")
        try:
            amount = to_units(text) if text else 0
        except ValueError:
            amount = -1  # the service says what is wrong
        return OpportunityInput(customer_id=customer_id or 0, name=self.name.text(),
                                contact_id=self.contact.currentData(), stage_id=self.stage.currentData(),
                                amount=amount, items=self.items.items(), expected_close=close,
                                owner_id=self.owner.currentData(), notes=self.notes.toPlainText(),
                                next_step=self.next_step.text(), source=self.source.text())

    def save(self) -> None:
        data = self.collect()
        if not data.customer_id:
            show_error(self, _("Choose a customer first"), _("Opportunity"))
            return
        stage = next((s for s in self.stages if s.id == data.stage_id), None)
        changing = self.detail is None or self.detail.stage_id != data.stage_id
        if stage is not None and stage.is_lost and changing:
            with self.ctx.read() as session:
                reasons = [r.name for r in list_lost_reasons(session)]
            reason = lost_reason_dialog.ask_lost_reason(self, reasons, data.name)
            if reason is None:
                return
            data.lost_reason = reason
        try:
            with self.ctx.write("opportunities", "interactions") as session:
                if self.detail is None:
                    opp = opportunity_service.create_opportunity(session, self.ctx.actor, data,
                                                                 from_interaction_id=self.from_interaction_id)
                else:
                    opp = opportunity_service.update_opportunity(session, self.ctx.actor, self.detail.id, data,
                                                                 self.detail.updated_at)
                self.saved_id = opp.id
        except Exception as exc:  # noqa: BLE001 - shown to the user, the form stays open
            show_error(self, exc, _("Opportunity"))
            return
        self.accept()


def open_opportunity(ctx: AppContext, parent: QWidget | None, opportunity_id: int | None = None,
                     **kwargs) -> int | None:
    """Show the form modally; the saved opportunity's id, or None when cancelled."""
    dialog = OpportunityDialog(ctx, opportunity_id, parent=parent, **kwargs)
    return dialog.saved_id if dialog.exec() == QDialog.DialogCode.Accepted else None

