"""The customer form: a window with tabs (basic, financial, purchases, contacts,
contact log, follow-ups, relationships, attachments, history).

An edit is never silently lost: closing with unsaved changes asks Save /
Discard / Cancel, and a save that meets someone else's change shows the
service's concurrency error and keeps the typed values.
"""

from __future__ import annotations

import html

import logging
from contextlib import contextmanager

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmdesk.db.models import Customer
from crmdesk.i18n import _
from crmdesk.services import custom_fields, territories
from crmdesk.services import customers as customer_service
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.customer_profile import list_orders, load_profile
from crmdesk.services.customer_query import list_options
from crmdesk.services.customers import CustomerInput
from crmdesk.services.permissions import can
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.form.activity_tabs import FollowupsTab, LogTab
from crmdesk.ui.customers.form.alerts_banner import AlertsBanner
from crmdesk.ui.customers.form.basic_tab import BasicTab
from crmdesk.ui.customers.form.cases_tab import CasesTab
from crmdesk.ui.customers.form.contacts_tab import ContactsTab
from crmdesk.ui.customers.form.expenses_tab import ExpensesTab
from crmdesk.ui.customers.form.financial_tab import FinancialTab
from crmdesk.ui.customers.form.links_tabs import AttachmentsTab, HistoryTab, RelationsTab
from crmdesk.ui.customers.form.opportunities_tab import OpportunitiesTab
from crmdesk.ui.customers.form.purchases_tab import PurchasesTab
from crmdesk.ui.customers.prompts import CANCEL, SAVE, confirm, save_discard_cancel, show_error
from crmdesk.ui.widgets.screen_fit import fit_to_screen

log = logging.getLogger(__name__)

FORM_SIZE = QSize(980, 680)

# Changes announced on the bus that the form reloads for.
FORM_ENTITIES = {"customers", "contacts", "interactions", "tasks", "customer_relations", "attachments",
                 "sales_orders", "sales_lines", "receipts", "custom_fields", "customer_types", "opportunities",
                 "service_cases", "case_notes", "customer_alerts", "expenses"}


def _knows_type(choices, profile) -> bool:
    type_id = profile.basic.type_id if profile is not None else None
    return type_id is None or any(o.value == type_id for o in choices[0].type_ids)


class CustomerFormDialog(QDialog):
    created = Signal(int)  # a new customer got its id
    saved = Signal(int)

    def __init__(self, ctx: AppContext, customer_id: int | None, parent: QWidget | None = None,
                 choices: tuple | None = None) -> None:
        """``choices`` is (ListOptions, [TypeInfo]) when the caller has them already (the list page
        keeps them); otherwise they are read here."""
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setModal(False)
        self.ctx = ctx
        self.customer_id = customer_id
        self.loaded_updated_at = None
        self.profile = None
        self.assignment = None  # territories.CustomerAssignment: where owner and territory came from
        self.dirty = False
        self._loading = False
        self._saving = False  # our own save's change notice needs no second reload

        with ctx.read() as session:
            if customer_id is not None:
                self.profile = load_profile(session, ctx.actor, customer_id)
            if choices is None or not _knows_type(choices, self.profile):
                # The list's cached choices predate a type an import just created: read them again
                # rather than show the type's id ("5") in the box.
                choices = (list_options(session, ctx.actor), custom_fields.list_types(session))
            options, types = choices
            if customer_id is not None:
                self.assignment = territories.customer_assignment(session, customer_id)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget()
        self.basic = BasicTab(options, types, may_assign=can(ctx.actor, "customers.assign"))
        self.financial = FinancialTab()
        self.purchases = PurchasesTab(self._more_orders)
        self.contacts = ContactsTab(self)
        self.log_tab = LogTab(self)
        self.followups = FollowupsTab(self)
        # Counter staff have no pipeline: the tab is left out rather than shown empty.
        self.opportunities = OpportunitiesTab(self) if can(ctx.actor, "customers.opportunities") else None
        self.cases = CasesTab(self)
        # Expenses are cost: counter staff never see them (like gross profit).
        self.expenses = ExpensesTab(self) if can(ctx.actor, "expenses.view") else None
        self.relations = RelationsTab(self)
        self.attachments = AttachmentsTab(self)
        self.history = HistoryTab()
        for widget, title in ((self.basic, _("Basic")), (self.financial, _("Financial")),
                              (self.purchases, _("Purchases")), (self.contacts, _("Contact persons")),
                              (self.log_tab, _("Contact log")), (self.followups, _("Follow-ups")),
                              (self.opportunities, _("Sales opportunities")), (self.cases, _("Service")),
                              (self.expenses, _("Expenses")),
                              (self.relations, _("Relationships")), (self.attachments, _("Attachments")),
                              (self.history, _("History"))):
            if widget is not None:
                self.tabs.addTab(widget, title)
        # Alerts the process rules raised ("over the credit limit with an open order") show on opening.
        self.alerts = AlertsBanner(ctx, customer_id)

        self.save_button = QPushButton(_("Save"))
        self.save_button.setToolTip(_("Ctrl+S"))
        self.log_button = QPushButton(_("Quick log"))
        self.log_button.setToolTip(_("Ctrl+L"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.log_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.alerts)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        fit_to_screen(self, FORM_SIZE)  # 980×680, less on a 1024×700 screen (the Basic tab scrolls)

        self.save_button.clicked.connect(self.save)
        self.log_button.clicked.connect(self.quick_log)
        self.buttons.rejected.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.quick_log)
        self.basic.edited.connect(self._mark_dirty)
        self.basic.back_to_rules.connect(self.back_to_rules)
        self.financial.edited.connect(self._mark_dirty)
        ctx.bus.changed.connect(self._on_changed)

        if self.profile is not None:
            self._show_profile(self.profile, basic=True)
        else:
            self._loading = True
            self.basic.load(CustomerInput(name=""))
            self.financial.load_terms(0, 0)
            self._loading = False
            for pos in range(1, self.tabs.count()):
                self.tabs.setTabEnabled(pos, False)
            self.log_button.setEnabled(False)
            self._update_title()
        self.basic.name_edit.setFocus()

    # -- loading -----------------------------------------------------------------------------
    def _show_profile(self, profile, basic: bool) -> None:
        self._loading = True
        try:
            if basic:
                self.basic.load(profile.basic)
                self.basic.show_assignment(self.assignment)
                self.loaded_updated_at = profile.updated_at
                self.financial.load(profile.financial)
                self.dirty = False
            self.purchases.load(profile.purchases, profile.orders)
            self.contacts.load(profile.contacts)
            self.log_tab.load(profile.interactions)
            self.followups.load(profile.tasks)
            if self.opportunities is not None:
                self.opportunities.load(profile.opportunities)
            self.cases.load(profile.cases)
            if self.expenses is not None:
                self.expenses.load()
            self.alerts.set_customer(self.customer_id)
            self.relations.load(profile.relations)
            self.attachments.load(profile.attachments)
            self.history.load(profile.history)
        finally:
            self._loading = False
        self._update_title()

    def reload(self) -> None:
        if self.customer_id is None:
            return
        try:
            with self.ctx.read() as session:
                self.profile = load_profile(session, self.ctx.actor, self.customer_id)
                self.assignment = territories.customer_assignment(session, self.customer_id)
        except Exception as exc:  # noqa: BLE001 - e.g. merged away or deleted meanwhile
            log.info("customer %s could not be reloaded: %s", self.customer_id, exc)
            return
        self._show_profile(self.profile, basic=not self.dirty)

    def _on_changed(self, entities) -> None:
        if self._saving:
            return
        if self.customer_id is not None and set(entities) & FORM_ENTITIES and self.isVisible():
            if "remote" in entities and self.dirty:  # another PC saved: never reload under the user
                note = html.escape(_("changed by someone else — your edits are kept; saving will ask you to reopen"))
                if note not in self.header.text():
                    self.header.setText(self.header.text() + f"  <span style='color:#b35c00'>{note}</span>")
                return
            self.reload()

    def _more_orders(self, offset: int) -> list:
        with self.ctx.read() as session:
            return list_orders(session, self.ctx.actor, self.customer_id, offset=offset)

    def _update_title(self) -> None:
        p = self.profile
        if p is None:
            self.setWindowTitle(_("New customer") + (" *" if self.dirty else ""))
            self.header.setText(f"<b>{_('New customer')}</b>")
            return
        name = self.basic.name_edit.text() or p.basic.name
        self.setWindowTitle(f"{p.code} {name}" + (" *" if self.dirty else ""))
        flags = []
        if p.archived:
            flags.append(_("archived"))
        if p.is_incomplete:
            flags.append(_("incomplete (created by an import)"))
        extra = f" <span style='color:#c0392b'>[{'，'.join(flags)}]</span>" if flags else ""
        self.header.setText(f"<b>{p.code} {name}</b> · {p.type_name} · {p.owner_name} · {p.territory_name}{extra}")

    def _mark_dirty(self) -> None:
        if not self._loading and not self.dirty:
            self.dirty = True
            self._update_title()

    # -- writing -----------------------------------------------------------------------------
    @contextmanager
    def own_write(self, *entities: str):
        """A write made from this form (a contact, a log entry …). Such writes may touch the
        customer row (search text), so the form takes the new ``updated_at`` as its own."""
        with self.ctx.write(*entities) as session:
            yield session
        with self.ctx.read() as session:
            stamp = session.get(Customer, self.customer_id)
            if stamp is not None:
                self.loaded_updated_at = stamp.updated_at

    def collect(self) -> CustomerInput:
        data = self.basic.collect()
        data.credit_limit = self.financial.credit_limit_units()
        data.payment_terms_days = self.financial.payment_terms_days()
        data.settlement = self.financial.settlement()
        return data

    def save(self) -> bool:
        """Validate and save; True when saved. Problems are shown and the form stays open."""
        self._saving = True
        try:
            data = self.collect()
            if self.customer_id is None:
                with self.ctx.read() as session:
                    hits = customer_service.find_duplicates(session, data.name, [data.phone, data.mobile],
                                                            actor=self.ctx.actor, tax_id=data.tax_id)
                if hits and not confirm(self, self._duplicates_text(hits), _("Possible duplicate")):
                    return False
                with self.ctx.write("customers") as session:
                    customer = customer_service.create_customer(session, self.ctx.actor, data)
                    session.flush()
                    new_id = customer.id
                self.customer_id = new_id
                for pos in range(self.tabs.count()):
                    self.tabs.setTabEnabled(pos, True)
                self.log_button.setEnabled(True)
                self.created.emit(new_id)
            else:
                with self.ctx.write("customers") as session:
                    customer_service.update_customer(session, self.ctx.actor, self.customer_id, data,
                                                     self.loaded_updated_at)
        except ValidationError as exc:
            self.basic.mark_problems(exc.problems)
            show_error(self, exc, _("Please correct"))
            return False
        except Exception as exc:  # noqa: BLE001 - concurrency and refusals are shown as they are
            show_error(self, exc)
            return False
        finally:
            self._saving = False
        self.basic.mark_problems([])
        self.dirty = False
        self.reload()
        self.saved.emit(self.customer_id)
        self.ctx.bus.status_message.emit(_("Customer saved."))
        return True

    @staticmethod
    def _duplicates_text(hits) -> str:
        lines = [_("Similar customers exist already:")]
        for h in hits[:10]:
            lines.append(f"  {h.code} {h.name}（{h.why}）")
        if len(hits) > 10:
            lines.append("  " + _("… and {count} more").format(count=len(hits) - 10))
        lines.append("")
        lines.append(_("Save this new customer anyway?"))
        return "\n".join(lines)

    def back_to_rules(self) -> bool:
        """Clear a manual salesperson/territory: the rules (or the import) decide again. Unsaved
        edits are saved first, so that the form does not send the old owner back."""
        if self.customer_id is None:
            return False
        if self.dirty and not self.save():
            return False
        try:
            with self.own_write("customers") as session:
                customer_service.assignment_back_to_rules(session, self.ctx.actor, self.customer_id)
        except Exception as exc:  # noqa: BLE001 - a refusal is shown as it is
            show_error(self, exc)
            return False
        self.reload()
        self.ctx.bus.status_message.emit(_("The territory rules decide this customer's salesperson again."))
        return True

    def quick_log(self):
        if self.customer_id is None:
            return None
        from crmdesk.ui.customers.dialogs.quick_log import QuickLogDialog

        dialog = QuickLogDialog(self.ctx, self.customer_id, self)
        dialog.open()
        return dialog

    # -- closing -----------------------------------------------------------------------------
    def may_close(self) -> bool:
        if not self.dirty:
            return True
        answer = save_discard_cancel(self, _("Save the changes to this customer?"))
        if answer == CANCEL:
            return False
        if answer == SAVE:
            return self.save()
        self.dirty = False
        return True

    def reject(self) -> None:
        # Esc, the Close button and the window's close box all come here (QDialog.closeEvent calls
        # reject and ignores the close when the dialog stays visible).
        if self.may_close():
            self._disconnect()
            super().reject()

    def _disconnect(self) -> None:
        try:
            self.ctx.bus.changed.disconnect(self._on_changed)
        except (RuntimeError, TypeError):
            pass
