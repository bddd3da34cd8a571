"""The form's Relationships, Attachments and History tabs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services import attachments as attachment_service
from crmdesk.services.relations import remove_relation
from crmdesk.ui.customers.dialogs.relation_dialog import RelationDialog
from crmdesk.ui.customers.form.simple_table import SimpleTable
from crmdesk.ui.customers.prompts import confirm, show_error
from crmdesk.ui.widgets import file_dialogs

RELATION_HEADERS = [N_("Relationship"), N_("Code"), N_("Customer"), N_("Notes")]
ATTACHMENT_HEADERS = [N_("File"), N_("Kind"), N_("Size"), N_("Added"), N_("Added by"), N_("About the file")]
# Audit-log entity and action names → what the History tab shows (translated with _).
ENTITY_LABELS = {"customers": N_("customer record"), "contacts": N_("contact person"),
                 "custom_field_values": N_("custom field"), "customer_relations": N_("relationship"),
                 "attachments": N_("attachment"), "interactions": N_("contact log"), "tasks": N_("follow-up"),
                 "customer_tags": N_("tag")}
ACTION_LABELS = {"create": N_("created"), "update": N_("changed"), "delete": N_("deleted"), "merge": N_("merged"),
                 "archive": N_("archived"), "import": N_("imported")}
HISTORY_HEADERS = [N_("When"), N_("Who"), N_("What"), N_("Action"), N_("Field"), N_("Old value"), N_("New value")]


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _buttons(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for b in buttons:
        row.addWidget(b)
    row.addStretch(1)
    return row


class RelationsTab(QWidget):
    """Double-click opens the other customer."""

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._relations: list = []
        self.table = SimpleTable(RELATION_HEADERS)
        self.add_button = QPushButton(_("Add…"))
        self.remove_button = QPushButton(_("Remove"))
        self.open_button = QPushButton(_("Open customer"))
        layout = QVBoxLayout(self)
        layout.addLayout(_buttons(self.add_button, self.remove_button, self.open_button))
        layout.addWidget(self.table)
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.open_button.clicked.connect(self.open_other)
        self.table.id_activated.connect(lambda _i: self.open_other())

    def load(self, relations) -> None:
        self._relations = list(relations)
        self.table.set_rows([[r.label, r.other_code, r.other_name, r.notes] for r in self._relations],
                            ids=[r.id for r in self._relations])

    def _current(self):
        rid = self.table.current_id()
        return next((r for r in self._relations if r.id == rid), None)

    def add(self) -> None:
        RelationDialog(self.host.ctx, self.host.customer_id, self).exec()

    def remove(self) -> None:
        rel = self._current()
        if rel is None or not confirm(self, _("Remove the relationship with {name}?").format(name=rel.other_name)):
            return
        try:
            with self.host.own_write("customer_relations") as session:
                remove_relation(session, self.host.ctx.actor, rel.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def open_other(self) -> None:
        rel = self._current()
        if rel is not None:
            self.host.ctx.bus.open_customer_requested.emit(rel.other_id)


class AttachmentsTab(QWidget):
    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self._attachments: list = []
        self.table = SimpleTable(ATTACHMENT_HEADERS, right_aligned=(2,))
        self.add_button = QPushButton(_("Add file…"))
        self.link_button = QPushButton(_("Link file…"))
        self.open_button = QPushButton(_("Open file"))
        self.remove_button = QPushButton(_("Remove"))
        layout = QVBoxLayout(self)
        layout.addLayout(_buttons(self.add_button, self.link_button, self.open_button, self.remove_button))
        layout.addWidget(self.table)
        self.add_button.clicked.connect(lambda: self.add(link=False))
        self.link_button.clicked.connect(lambda: self.add(link=True))
        self.open_button.clicked.connect(self.open_current)
        self.remove_button.clicked.connect(self.remove)
        self.table.id_activated.connect(lambda _i: self.open_current())

    def load(self, attachments) -> None:
        self._attachments = list(attachments)
        rows = []
        for a in self._attachments:
            kind = _("link") if a.is_link else _("copy")
            if not a.exists:
                kind += " " + _("(missing)")
            rows.append([a.original_name, kind, _size(a.size_bytes), a.added_at.strftime("%Y-%m-%d %H:%M"),
                         a.added_by_name, a.description])
        self.table.set_rows(rows, ids=[a.id for a in self._attachments],
                            highlight=[not a.exists for a in self._attachments])

    def add(self, link: bool = False) -> None:
        title = _("Link a file") if link else _("Attach a file")
        paths, _f = file_dialogs.get_open_file_names(self, title, "", _("All files (*)"))
        if not paths:
            return
        try:
            with self.host.own_write("attachments") as session:
                for path in paths:
                    attachment_service.add_attachment(session, self.host.ctx.actor, self.host.customer_id,
                                                      Path(path), link=link)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def _current(self):
        aid = self.table.current_id()
        return next((a for a in self._attachments if a.id == aid), None)

    def open_current(self) -> bool:
        att = self._current()
        if att is None:
            return False
        if not Path(att.path).exists():
            show_error(self, _("The file is not there any more: {path}").format(path=att.path))
            return False
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(att.path)))

    def remove(self) -> None:
        att = self._current()
        if att is None:
            return
        text = (_("Remove the link to {name}? The file itself stays.") if att.is_link
                else _("Remove {name}? The stored copy is deleted.")).format(name=att.original_name)
        if not confirm(self, text):
            return
        try:
            with self.host.own_write("attachments") as session:
                attachment_service.remove_attachment(session, self.host.ctx.actor, att.id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)


class HistoryTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = SimpleTable(HISTORY_HEADERS)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def load(self, history) -> None:
        self.table.set_rows([[h.at.strftime("%Y-%m-%d %H:%M"), h.user_name, _(ENTITY_LABELS.get(h.entity, h.entity)),
                              _(ACTION_LABELS.get(h.action, h.action)), h.field,
                              h.old_value, h.new_value] for h in history])

