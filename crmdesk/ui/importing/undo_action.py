""""Undo this import" in the import history: what it removes and restores (or why it cannot),
confirmed in a dialog, then done by ``importers.undo`` (a backup first, one transaction)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from crmdesk.i18n import _
from crmdesk.importers.undo import UndoRefused, preview_undo, undo_batch
from crmdesk.services.permissions import PermissionDenied, can
from crmdesk.ui.context import AppContext
from crmdesk.ui.importing.import_job import IMPORT_ENTITIES

UNDO_ENTITIES = (*IMPORT_ENTITIES, "sales_orders", "contacts")


def may_undo(ctx: AppContext, status: str) -> bool:
    return status == "done" and can(ctx.actor, "import.undo")


def confirm_text(plan) -> str:
    return _("Undo the import of {file} (batch {id})?\n\nThis {plan}.\n\nA backup of the database is made "
             "first; the import stays in the history, marked \"Undone\".").format(
        file=plan.file_name, id=plan.batch_id, plan=plan.describe())


def undo_with_confirmation(parent: QWidget, ctx: AppContext, batch_id: int) -> bool:
    """True when the batch was undone."""
    title = _("Undo this import")
    try:
        plan = preview_undo(ctx.db, ctx.actor, batch_id)
    except (LookupError, PermissionDenied) as exc:
        QMessageBox.warning(parent, title, str(exc))
        return False
    if plan.reasons:
        QMessageBox.warning(parent, title, _("This import cannot be undone:\n\n{reasons}").format(
            reasons="\n".join(f"• {r}" for r in plan.reasons)))
        return False
    box = QMessageBox(QMessageBox.Icon.Question, title, confirm_text(plan),
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.button(QMessageBox.StandardButton.Yes).setText(_("Undo the import"))
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if box.exec() != QMessageBox.StandardButton.Yes:
        return False
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = undo_batch(ctx.db, ctx.actor, batch_id)
    except UndoRefused as exc:
        QGuiApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, title, str(exc))
        return False
    QGuiApplication.restoreOverrideCursor()
    ctx.bus.announce(*UNDO_ENTITIES)
    lines = [_("Batch {id} undone: {what}.").format(id=result.batch_id, what=result.summary), *result.notes]
    if result.backup:
        lines.append(_("Backup before the undo: {path}").format(path=result.backup))
    QMessageBox.information(parent, title, "\n".join(lines))
    return True
