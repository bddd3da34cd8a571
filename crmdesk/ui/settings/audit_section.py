"""Settings → Audit log (owner only): who did what and when, newest first, with filters.

The list is capped (``LIMIT`` rows) and says "showing N of M" so a long log never loads whole."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from crmdesk.i18n import N_, _
from crmdesk.services.audit_query import AuditFilter, audit_choices, query_audit
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import show_error
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, table_view

LIMIT = 500
TEXT_DELAY_MS = 300

ENTITY_LABELS = {"customers": N_("customer"), "users": N_("user"), "territories": N_("territory"),
                 "contacts": N_("contact person"), "attachments": N_("attachment"), "database": N_("database"),
                 "sales_lines": N_("sales lines"), "reports": N_("report")}
ACTION_LABELS = {"create": N_("created"), "update": N_("changed"), "delete": N_("deleted"), "merge": N_("merged"),
                 "archive": N_("archived"), "assign": N_("assigned"), "export": N_("exported"),
                 "login_failed": N_("failed login"), "login_refused": N_("login refused (locked)"),
                 "locked": N_("locked out"), "backup": N_("backup"), "restore": N_("restore"),
                 "import": N_("import"), "password": N_("own password changed"),
                 "password_reset": N_("password reset"), "role": N_("role changed"),
                 "activate": N_("activated"), "deactivate": N_("deactivated"),
                 "territories": N_("territories changed")}


def _label(table: dict[str, str], key: str) -> str:
    return _(table[key]) if key in table else key


def _local(at: dt.datetime | None) -> str:
    if at is None:
        return ""
    return at.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


COLUMNS = [
    Col(N_("When"), lambda r: _local(r.at)),
    Col(N_("User"), lambda r: r.user or "—"),
    Col(N_("Entity"), lambda r: _label(ENTITY_LABELS, r.entity)),
    Col(N_("Record"), lambda r: r.record or (f"#{r.entity_id}" if r.entity_id else "")),
    Col(N_("Action"), lambda r: _label(ACTION_LABELS, r.action)),
    Col(N_("Field"), lambda r: r.field),
    Col(N_("Old value"), lambda r: r.old_value),
    Col(N_("New value"), lambda r: r.new_value),
]


class AuditSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user_box = QComboBox()
        self.entity_box = QComboBox()
        self.action_box = QComboBox()
        self.use_dates = QCheckBox(_("From"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText(_("Search field and values…"))
        self.text_edit.setClearButtonEnabled(True)
        self.refresh_button = QPushButton(_("Refresh"))
        self.count_label = QLabel()
        self.model = RowsModel(COLUMNS, self)
        self.view = table_view(self.model, self)
        self.view.setMinimumHeight(320)

        filters = QGridLayout()
        filters.addWidget(QLabel(_("User:")), 0, 0)
        filters.addWidget(self.user_box, 0, 1)
        filters.addWidget(QLabel(_("Entity:")), 0, 2)
        filters.addWidget(self.entity_box, 0, 3)
        filters.addWidget(QLabel(_("Action:")), 0, 4)
        filters.addWidget(self.action_box, 0, 5)
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel(_("to")))
        dates.addWidget(self.date_to)
        filters.addLayout(dates, 1, 0, 1, 3)
        filters.addWidget(self.text_edit, 1, 3, 1, 2)
        filters.addWidget(self.refresh_button, 1, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self.reload)
        self.text_edit.textChanged.connect(lambda _t: self._text_timer.start())
        for box in (self.user_box, self.entity_box, self.action_box):
            box.currentIndexChanged.connect(lambda _i: self._on_filter_changed())
        self.use_dates.toggled.connect(self._on_dates_toggled)
        self.date_from.dateChanged.connect(lambda _d: self._on_filter_changed())
        self.date_to.dateChanged.connect(lambda _d: self._on_filter_changed())
        self.refresh_button.clicked.connect(self.activate)
        self._filling = False
        self.activate()

    # -- filters -----------------------------------------------------------------------------
    def _fill(self, box: QComboBox, items: list[tuple[object, str]], everyone: str) -> None:
        keep = box.currentData()
        box.clear()
        box.addItem(everyone, None)
        for value, text in items:
            box.addItem(text, value)
        index = box.findData(keep)
        box.setCurrentIndex(max(index, 0))

    def load_choices(self) -> None:
        with self.ctx.read() as session:
            choices = audit_choices(session, self.ctx.actor)
        self._filling = True
        try:
            self._fill(self.user_box, list(choices.users), _("Everyone"))
            self._fill(self.entity_box, [(e, _label(ENTITY_LABELS, e)) for e in choices.entities], _("All"))
            self._fill(self.action_box, [(a, _label(ACTION_LABELS, a)) for a in choices.actions], _("All"))
        finally:
            self._filling = False

    def current_filter(self) -> AuditFilter:
        dates = self.use_dates.isChecked()
        return AuditFilter(user_id=self.user_box.currentData(), entity=self.entity_box.currentData() or "",
                           action=self.action_box.currentData() or "",
                           date_from=self.date_from.date().toPython() if dates else None,
                           date_to=self.date_to.date().toPython() if dates else None,
                           text=self.text_edit.text())

    def set_action(self, action: str | None) -> None:
        self.action_box.setCurrentIndex(max(self.action_box.findData(action), 0))

    def _on_dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self._on_filter_changed()

    def _on_filter_changed(self) -> None:
        if not self._filling:
            self.reload()

    # -- data ----------------------------------------------------------------------------------
    def activate(self) -> None:
        try:
            self.load_choices()
        except Exception as exc:  # noqa: BLE001 - shown, the page stays usable
            show_error(self, exc, _("Audit log"))
            return
        self.reload()

    def reload(self) -> None:
        self._text_timer.stop()
        try:
            with self.ctx.read() as session:
                page = query_audit(session, self.ctx.actor, self.current_filter(), limit=LIMIT)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _("Audit log"))
            return
        self.model.set_rows(page.rows)
        if page.rows:
            fit_columns(self.view)
        self.count_label.setText(_("Showing {shown} of {total} entries, newest first").format(
            shown=f"{len(page.rows):,}", total=f"{page.total:,}"))


def create(ctx: AppContext) -> QWidget:
    return AuditSection(ctx)
