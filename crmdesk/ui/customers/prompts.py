"""Message boxes used by the customer screens, in one place so that every refusal
reads the same and tests can replace ``QMessageBox``'s static functions."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from crmdesk.i18n import _
from crmdesk.services.customer_errors import ConcurrencyError, CustomerError, ValidationError
from crmdesk.services.permissions import PermissionDenied

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def error_text(exc: BaseException) -> str:
    """The message a person sees for a failed service call."""
    if isinstance(exc, ValidationError):
        return "\n".join(exc.problems)
    if isinstance(exc, ConcurrencyError):
        return _("{message}\n\nClose this window and open the customer again to see the current data.").format(
            message=str(exc) or _("This record was changed by someone else."))
    if isinstance(exc, (CustomerError, PermissionDenied, ValueError, LookupError, OSError)):
        return str(exc)
    from crmdesk.ui.error_hook import unexpected_failure_text

    return unexpected_failure_text(exc)  # logged with its traceback; the form keeps what was typed


def show_error(parent: QWidget | None, exc_or_text: BaseException | str, title: str | None = None) -> None:
    text = exc_or_text if isinstance(exc_or_text, str) else error_text(exc_or_text)
    QMessageBox.warning(parent, title or _("Customers"), text)


def show_info(parent: QWidget | None, text: str, title: str | None = None) -> None:
    QMessageBox.information(parent, title or _("Customers"), text)


def confirm(parent: QWidget | None, text: str, title: str | None = None) -> bool:
    answer = QMessageBox.question(parent, title or _("Customers"), text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def save_discard_cancel(parent: QWidget | None, text: str) -> str:
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    answer = QMessageBox.question(parent, _("Unsaved changes"), text, buttons, QMessageBox.StandardButton.Save)
    if answer == QMessageBox.StandardButton.Save:
        return SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return DISCARD
    return CANCEL
