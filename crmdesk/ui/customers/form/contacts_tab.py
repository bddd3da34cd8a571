"""The form's Contacts tab: several contacts per customer; add, edit, remove, make
primary; import from CSV/XLSX or vCard, export vCard."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services import contacts as contact_service
from crmdesk.importers.table_file import import_contacts_file
from crmdesk.services.vcard import export_vcards, import_vcards
from crmdesk.ui.customers.dialogs.contact_dialog import ContactDialog
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.page_actions import TABLE_FILTER, describe_import
from crmdesk.ui.customers.prompts import confirm, show_error, show_info
from crmdesk.ui.widgets import file_dialogs

HEADERS = [N_("Name"), N_("Role"), N_("Phone"), N_("Email"), N_("WeChat id"), N_("More"), N_("Birthday"),
           N_("Primary")]
ENTITIES = ("contacts", "customers")


class ContactsTab(QWidget):
    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host  # the form: ctx, customer_id, own_write()
        self._contacts: list = []
        self.table = SimpleTable(HEADERS)
        self.add_button = QPushButton(_("Add…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.remove_button = QPushButton(_("Remove"))
        self.primary_button = QPushButton(_("Make primary"))
        self.import_button = QPushButton(_("Import file…"))
        self.import_vcard_button = QPushButton(_("Import vCard…"))
        self.export_vcard_button = QPushButton(_("Export vCard…"))
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button, self.primary_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.import_button, self.import_vcard_button, self.export_vcard_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.add_button.clicked.connect(lambda: self.add())
        self.edit_button.clicked.connect(self.edit)
        self.table.id_activated.connect(lambda _i: self.edit())
        self.remove_button.clicked.connect(self.remove)
        self.primary_button.clicked.connect(self.make_primary)
        self.import_button.clicked.connect(lambda: self.import_file())
        self.import_vcard_button.clicked.connect(lambda: self.import_vcard())
        self.export_vcard_button.clicked.connect(lambda: self.export_vcard())

    def load(self, contacts) -> None:
        self._contacts = list(contacts)
        self.table.set_rows([[c.name, c.role, c.preferred_phone, c.preferred_email, c.wechat, _more(c),
                              c.birthday_text, "★" if c.is_primary else ""]
                             for c in self._contacts], ids=[c.id for c in self._contacts])

    def _current(self):
        cid = self.table.current_id()
        return next((c for c in self._contacts if c.id == cid), None)

    def add(self, data: contact_service.ContactInput | None = None) -> bool:
        if data is None:
            dialog = ContactDialog(None, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            data = dialog.value()
        try:
            with self.host.own_write(*ENTITIES) as session:
                contact_service.add_contact(session, self.host.ctx.actor, self.host.customer_id, data)
        except Exception as exc:  # noqa: BLE001 - e.g. "name is required" from the service
            show_error(self, exc)
            return False
        return True

    def edit(self) -> None:
        contact = self._current()
        if contact is None:
            return
        dialog = ContactDialog(contact, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            with self.host.own_write(*ENTITIES) as session:
                contact_service.update_contact(session, self.host.ctx.actor, contact.id, dialog.value(),
                                               contact.updated_at)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def remove(self) -> None:
        contact = self._current()
        if contact is None or not confirm(self, _("Remove contact {name}?").format(name=contact.name)):
            return
        try:
            with self.host.own_write(*ENTITIES) as session:
                contact_service.delete_contact(session, self.host.ctx.actor, contact.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def make_primary(self) -> None:
        contact = self._current()
        if contact is None:
            return
        try:
            with self.host.own_write(*ENTITIES) as session:
                contact_service.set_primary(session, self.host.ctx.actor, contact.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def import_file(self, path: str | None = None) -> None:
        if path is None:
            path, _f = file_dialogs.get_open_file_name(self, _("Import contacts"), "", TABLE_FILTER)
            if not path:
                return
        try:
            with self.host.own_write(*ENTITIES) as session:
                result = import_contacts_file(session, self.host.ctx.actor, path, customer_id=self.host.customer_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        show_info(self, describe_import(result), _("Import contacts"))

    def import_vcard(self, path: str | None = None) -> None:
        if path is None:
            path, _f = file_dialogs.get_open_file_name(self, _("Import vCard"), "", "vCard (*.vcf *.vcard)")
            if not path:
                return
        try:
            with self.host.own_write(*ENTITIES) as session:
                result = import_vcards(session, self.host.ctx.actor, self.host.customer_id, path)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        text = _("{added} contacts added, {skipped} already there.").format(added=result.added,
                                                                           skipped=result.skipped)
        if result.problems:
            text += "\n" + "\n".join(result.problems[:20])
        show_info(self, text, _("Import vCard"))

    def export_vcard(self, path: str | None = None) -> None:
        if path is None:
            path, _f = file_dialogs.get_save_file_name(self, _("Export vCard"), "contacts.vcf", "vCard (*.vcf)")
            if not path:
                return
        try:
            with self.host.ctx.write() as session:  # the export's audit row is written
                count = export_vcards(session, self.host.ctx.actor, [self.host.customer_id], path)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        self.host.ctx.bus.status_message.emit(_("{count} contacts exported to {path}").format(count=count, path=path))


def _more(c) -> str:
    """``+2`` when the contact has points beyond the preferred phone, email and WeChat shown."""
    shown = {c.preferred_phone, c.preferred_email, c.wechat} - {""}
    others = [p for p in c.points if p.value not in shown]
    return f"+{len(others)}" if others else ""
