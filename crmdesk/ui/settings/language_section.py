"""Language: Auto (follow the system), English or Chinese; kept in the user
config file and used from the next start."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from crmdesk import userconfig
from crmdesk.i18n import _, current_language
from crmdesk.ui.context import AppContext

# Language names are shown in their own language so anyone can find theirs.
CHOICES: list[tuple[str | None, str]] = [(None, ""), ("en", "English"), ("zh_CN", "中文（简体）")]


class LanguageSection(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for code, name in CHOICES:
            self.combo.addItem(name or _("Auto (system language)"), code)
        self.combo.setCurrentIndex(self.combo.findData(userconfig.language()))
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QFormLayout(self)
        layout.addRow(_("Language:"), self.combo)
        layout.addRow("", self.note)
        self.combo.currentIndexChanged.connect(self._on_changed)
        self._update_note()

    def _on_changed(self, _index: int) -> None:
        userconfig.set_language(self.combo.currentData())
        self._update_note()

    def _update_note(self) -> None:
        chosen = self.combo.currentData()
        note = _("The language changes the next time crmdesk starts.")
        if chosen is not None and chosen != current_language():
            note = "<b>" + note + "</b>"
        self.note.setText(note)


def create(_ctx: AppContext) -> QWidget:
    return LanguageSection()
