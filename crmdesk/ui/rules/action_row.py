"""One action of a rule: its kind (task, grade, tag, assign, alert, case) and that kind's
parameters (``action_params``), with a remove button and the error the store names for it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLabel, QStackedWidget, QToolButton, QWidget

from crmdesk.i18n import _
from crmdesk.rules.catalog import ACTION_SPECS
from crmdesk.rules.model import Action
from crmdesk.ui.rules.action_params import PANELS, ParamsPanel
from crmdesk.ui.rules.choices import EditorChoices
from crmdesk.ui.rules.condition_row import ERROR_STYLE


class ActionRow(QFrame):
    """``action()`` → Action; ``set_action``; ``remove_requested``; ``show_error(text)``."""

    remove_requested = Signal(object)

    def __init__(self, choices: EditorChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.kind_combo = QComboBox()
        self.stack = QStackedWidget()
        self.panels: dict[str, ParamsPanel] = {}
        for spec in ACTION_SPECS:
            panel_class = PANELS.get(spec.kind)
            if panel_class is None:
                continue
            self.kind_combo.addItem(_(spec.label), spec.kind)
            panel = panel_class(choices)
            self.panels[spec.kind] = panel
            self.stack.addWidget(panel)
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setToolTip(_("Remove this action"))
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.kind_combo, 0, 0)
        layout.addWidget(self.remove_button, 0, 2)
        layout.addWidget(self.stack, 1, 0, 1, 3)
        layout.addWidget(self.error_label, 2, 0, 1, 3)
        layout.setColumnStretch(1, 1)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self._on_kind()

    def _on_kind(self, *_args) -> None:
        panel = self.panels.get(self.kind_combo.currentData())
        if panel is not None:
            self.stack.setCurrentWidget(panel)
        self.show_error("")

    def kind(self) -> str:
        return self.kind_combo.currentData() or ""

    def panel(self) -> ParamsPanel:
        return self.panels[self.kind()]

    def select_kind(self, kind: str) -> bool:
        i = self.kind_combo.findData(kind)
        if i >= 0:
            self.kind_combo.setCurrentIndex(i)
        return i >= 0

    def action(self) -> Action:
        return Action(self.kind(), self.panel().params())

    def set_action(self, action: Action) -> None:
        if not self.select_kind(action.kind):
            self.show_error(_("Unknown action {kind}").format(kind=action.kind))
            return
        self.panel().set_params(dict(action.params))

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self.kind_combo.setEnabled(not read_only)
        self.stack.setEnabled(not read_only)
        self.remove_button.setVisible(not read_only)
