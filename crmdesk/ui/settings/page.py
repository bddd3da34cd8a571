"""The Settings page: one titled group per entry of SETTINGS_SECTIONS that the actor's
role may use. A section whose factory fails shows its error and the others still work."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.services.permissions import can
from crmdesk.ui import settings as registry
from crmdesk.ui.context import AppContext
from crmdesk.ui.pages import load_factory

log = logging.getLogger(__name__)

FORM_WIDTH = 820  # forms stay readable on wide screens; table sections (``wide``) use the width


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sections: dict[str, QWidget] = {}
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 24, 24, 24)
        column.setSpacing(16)
        for entry in registry.SETTINGS_SECTIONS:  # plain 3-tuples work too
            key, title, factory, *rest = entry
            action = rest[0] if rest else None
            wide = bool(rest[1]) if len(rest) > 1 else False
            if action is not None and not can(ctx.actor, action):
                continue
            group = QGroupBox(_(title))
            group.setObjectName(f"settings-{key}")
            if not wide:
                group.setMaximumWidth(FORM_WIDTH)
            inner = QVBoxLayout(group)
            try:
                widget = load_factory(factory)(ctx)
                if not isinstance(widget, QWidget):
                    raise TypeError(f"{factory} returned {type(widget).__name__}, not a QWidget")
            except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others
                log.exception("settings section %s failed", key)
                widget = QLabel(_("This section could not be opened: {error}").format(error=exc))
                widget.setWordWrap(True)
                widget.setStyleSheet("color: #b00020;")
            inner.addWidget(widget)
            self.sections[key] = widget
            if wide:
                column.addWidget(group)
            else:  # up to FORM_WIDTH, left; the rest of the row stays empty
                line = QHBoxLayout()
                line.addWidget(group, 1)
                line.addStretch(0)
                column.addLayout(line)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(body, 1)
        row.addStretch(0)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def activate(self) -> None:
        for widget in self.sections.values():
            hook = getattr(widget, "activate", None)
            if callable(hook):
                hook()


def create_settings_page(ctx: AppContext) -> QWidget:
    return SettingsPage(ctx)
