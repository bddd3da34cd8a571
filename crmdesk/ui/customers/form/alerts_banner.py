"""The strip at the top of the customer form that shows the alerts the process rules raised
for this customer ("key customer over the credit limit with an open order"), each with a
Dismiss button. Hidden while the customer has none."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crmdesk.i18n import _
from crmdesk.services import alerts as alert_service
from crmdesk.ui.context import AppContext
from crmdesk.ui.customers.prompts import show_error

_STYLE = ("QFrame#alerts_banner { background: #fdecc8; border: 1px solid #e0a800; border-radius: 3px; }"
          "QFrame#alerts_banner QLabel { color: #6b4a00; }")


def _drop(widget: QWidget) -> None:
    # Hidden at once: deleteLater alone leaves the old row painted under the new one until the
    # event loop gets round to deleting it (seen as doubled, overlapping text on reload).
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


class AlertsBanner(QFrame):
    """``reload()`` re-reads the customer's open alerts; ``dismissed(alert_id)`` after a dismiss."""

    dismissed = Signal(int)

    def __init__(self, ctx: AppContext, customer_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.customer_id = customer_id
        self.alerts: list[alert_service.AlertInfo] = []
        self.dismiss_buttons: dict[int, QPushButton] = {}
        self.setObjectName("alerts_banner")
        self.setStyleSheet(_STYLE)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(8, 4, 8, 4)
        self._rows.setSpacing(2)
        self.setVisible(False)
        self.reload()

    def set_customer(self, customer_id: int | None) -> None:
        self.customer_id = customer_id
        self.reload()

    def reload(self) -> None:
        alerts: list[alert_service.AlertInfo] = []
        if self.customer_id is not None:
            try:
                with self.ctx.read() as session:
                    alerts = alert_service.open_alerts(session, self.ctx.actor, self.customer_id)
            except Exception as exc:  # noqa: BLE001 - a banner must not keep the form from opening
                show_error(self, exc)
        self.alerts = alerts
        self._rebuild()

    def _rebuild(self) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget()
            if widget is not None:
                _drop(widget)
            elif item.layout() is not None:
                while item.layout().count():
                    child = item.layout().takeAt(0).widget()
                    if child is not None:
                        _drop(child)
        self.dismiss_buttons = {}
        for alert in self.alerts:
            row = QHBoxLayout()
            text = QLabel("⚠ " + alert.message)
            text.setWordWrap(True)
            if alert.rule_name:
                text.setToolTip(_("Rule: {name}").format(name=alert.rule_name))
            button = QPushButton(_("Dismiss"))
            button.clicked.connect(lambda _c=False, alert_id=alert.id: self.dismiss(alert_id))
            row.addWidget(text, 1)
            row.addWidget(button)
            self._rows.addLayout(row)
            self.dismiss_buttons[alert.id] = button
        self.setVisible(bool(self.alerts))

    def dismiss(self, alert_id: int) -> bool:
        try:
            with self.ctx.write("customer_alerts") as session:
                alert_service.dismiss_alert(session, self.ctx.actor, alert_id)
        except Exception as exc:  # noqa: BLE001 - the service's message is shown
            show_error(self, exc)
            return False
        self.reload()
        self.dismissed.emit(alert_id)
        return True

    def texts(self) -> list[str]:
        return [a.message for a in self.alerts]
