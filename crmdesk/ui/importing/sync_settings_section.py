"""Settings → Sync: the inbox folder the inventory program exports to, how often to look
(0 = never), where imported files go, how many pre-sync backups to keep, and an optional
profile. Kept in the database (``save_sync_settings``) so the scheduled ``crmdesk sync``
and every PC using this database share them."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QWidget)

from crmdesk.i18n import _
from crmdesk.importers import SyncSettings, list_profiles, load_sync_settings, save_sync_settings
from crmdesk.services.permissions import PermissionDenied
from crmdesk.ui.context import AppContext
from crmdesk.ui.widgets import file_dialogs

log = logging.getLogger(__name__)

MAX_INTERVAL_MINUTES = 24 * 60


class SyncSettingsSection(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.inbox_edit = QLineEdit()
        self.inbox_edit.setPlaceholderText(_("Folder the inventory program exports to"))
        self.inbox_button = QPushButton(_("Browse…"))
        self.inbox_button.clicked.connect(lambda: self._browse(self.inbox_edit, _("Inbox folder")))
        self.interval_spin = QSpinBox()
        self.interval_spin.setRange(0, MAX_INTERVAL_MINUTES)
        self.interval_spin.setSuffix(_(" min"))
        self.interval_spin.setSpecialValueText(_("off"))
        self.done_edit = QLineEdit()
        self.done_button = QPushButton(_("Browse…"))
        self.done_button.clicked.connect(lambda: self._browse(self.done_edit, _("Done folder")))
        self.move_box = QCheckBox(_("Move imported files to the done folder"))
        self.move_box.toggled.connect(self._update_done_hint)
        self.inbox_edit.textChanged.connect(self._update_done_hint)
        self.backup_spin = QSpinBox()
        self.backup_spin.setRange(1, 999)
        self.profile_combo = QComboBox()
        for w, width in ((self.interval_spin, 140), (self.backup_spin, 140), (self.profile_combo, 280)):
            w.setMaximumWidth(width)
        self.save_button = QPushButton(_("Save sync settings"))
        self.save_button.clicked.connect(self.save)
        self.note = QLabel()
        self.note.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow(_("Inbox folder:"), self._row(self.inbox_edit, self.inbox_button))
        form.addRow(_("Look every:"), self.interval_spin)
        form.addRow(_("Done folder:"), self._row(self.done_edit, self.done_button))
        form.addRow("", self.move_box)
        form.addRow(_("Backups to keep:"), self.backup_spin)
        form.addRow(_("Profile:"), self.profile_combo)
        form.addRow("", self._row(self.save_button, self.note, stretches=(0, 1)))
        self.load()

    @staticmethod
    def _row(*widgets: QWidget, stretches: tuple[int, ...] = (1, 0)) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        for w, stretch in zip(widgets, stretches, strict=True):
            row.addWidget(w, stretch)
        return holder

    def _browse(self, edit: QLineEdit, title: str) -> None:
        folder = file_dialogs.get_existing_directory(self, title, edit.text())
        if folder:
            edit.setText(folder)

    def _update_done_hint(self) -> None:
        inbox = self.inbox_edit.text().strip()
        self.done_edit.setPlaceholderText(_("default: {folder}").format(folder=f"{inbox}/done") if inbox else "")

    def load(self) -> None:
        with self.ctx.read() as session:
            s = load_sync_settings(session)
        self.inbox_edit.setText(s.inbox)
        self.interval_spin.setValue(max(0, min(MAX_INTERVAL_MINUTES, s.interval_minutes)))
        self.done_edit.setText(s.done_folder)
        self.move_box.setChecked(s.move_done)
        self.backup_spin.setValue(max(1, s.backup_keep))
        self.profile_combo.clear()
        self.profile_combo.addItem(_("Detect for each file"), "")
        for name in list_profiles():
            self.profile_combo.addItem(name, name)
        if s.profile and self.profile_combo.findData(s.profile) < 0:
            self.profile_combo.addItem(s.profile, s.profile)  # a profile file that went missing stays visible
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(s.profile)))
        self._update_done_hint()

    def settings(self) -> SyncSettings:
        return SyncSettings(inbox=self.inbox_edit.text().strip(), interval_minutes=self.interval_spin.value(),
                            done_folder=self.done_edit.text().strip(), move_done=self.move_box.isChecked(),
                            backup_keep=self.backup_spin.value(), profile=self.profile_combo.currentData() or "")

    def save(self) -> bool:
        chosen = self.settings()
        try:
            with self.ctx.write("settings") as session:
                save_sync_settings(session, self.ctx.actor, chosen)
        except PermissionDenied as exc:
            self.note.setText(_("Not saved: {error}").format(error=exc))
            self.note.setStyleSheet("color: #b00020;")
            return False
        self.note.setStyleSheet("")
        if chosen.inbox and not Path(chosen.inbox).is_dir():
            self.note.setText(_("Saved, but the inbox folder {folder} does not exist yet: "
                                "each sync reports that until it does.").format(folder=chosen.inbox))
            self.note.setStyleSheet("color: #b00020;")
        elif chosen.interval_minutes and chosen.inbox:
            self.note.setText(_("Saved. The inbox is checked every {n} minutes.").format(n=chosen.interval_minutes))
        else:
            self.note.setText(_("Saved. The inbox is checked only when you click Sync now."))
        return True

    def activate(self) -> None:
        self.load()


def create(ctx: AppContext) -> QWidget:
    return SyncSettingsSection(ctx)
