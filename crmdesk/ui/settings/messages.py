"""Message boxes of the admin sections (Users, Territories, Audit): a refused or failed service
call is shown in one box and nothing typed is lost; tests replace QMessageBox's static functions."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from crmdesk.services.permissions import PermissionDenied


def error_text(exc: BaseException) -> str:
    # AuthError and TerritoryError are ValueErrors whose text is written for people.
    if isinstance(exc, (PermissionDenied, ValueError, LookupError, OSError)):
        return str(exc)
    from crmdesk.ui.error_hook import unexpected_failure_text

    return unexpected_failure_text(exc)  # logged with its traceback; the section keeps what was typed


def show_error(parent: QWidget | None, exc_or_text: BaseException | str, title: str) -> None:
    text = exc_or_text if isinstance(exc_or_text, str) else error_text(exc_or_text)
    QMessageBox.warning(parent, title, text)


def write_then_reload(section, title: str, entities: tuple[str, ...], work) -> bool:
    """Run ``work(session)`` in one write transaction of the section's context; a refusal is shown
    (nothing typed is lost), success reloads the section. True when it was written."""
    try:
        with section.ctx.write(*entities) as session:
            work(session)
    except Exception as exc:  # noqa: BLE001 - a refusal from the service, shown as it is
        show_error(section, exc, title)
        return False
    section.reload()
    return True


def show_info(parent: QWidget | None, text: str, title: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, text: str, title: str) -> bool:
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def alive(widget: QWidget) -> bool:
    """False once Qt deleted the widget (a background job may finish after its page closed)."""
    try:
        widget.objectName()
    except RuntimeError:
        return False
    return True
