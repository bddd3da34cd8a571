"""The Customers page's less frequent actions: archive, delete, merge, export,
saved filters, imports. Functions of the page so that page.py stays about the
list and the keyboard."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMenu

from crmdesk.i18n import _
from crmdesk.services import customers as customer_service
from crmdesk.services import saved_filters
from crmdesk.services.customer_errors import DeleteRefused
from crmdesk.services.permissions import can
from crmdesk.ui.background import run_in_background
from crmdesk.ui.customers.prompts import confirm, show_error, show_info
from crmdesk.ui.widgets import file_dialogs

if TYPE_CHECKING:
    from crmdesk.ui.customers.page import CustomersPage

log = logging.getLogger(__name__)

EXPORT_FILTER = "Excel (*.xlsx);;CSV (*.csv)"
TABLE_FILTER = "Excel / CSV (*.xlsx *.xls *.csv *.txt)"


# -- archive / delete ----------------------------------------------------------------------
def archive_selected(page: CustomersPage) -> None:
    ids = page.selected_ids()
    if not ids:
        return
    rows = [page.model.display_row(page.model.row_of(i)) for i in ids]
    restore = all(getattr(r, "archived", False) for r in rows if r is not None)
    text = (_("Bring back {count} archived customer(s)?") if restore
            else _("Archive {count} customer(s)? They stay in the database and in reports, "
                   "but leave the default list.")).format(count=len(ids))
    if not confirm(page, text):
        return
    try:
        with page.ctx.write("customers") as session:
            for customer_id in ids:
                customer_service.archive_customer(session, page.ctx.actor, customer_id, archived=not restore)
    except Exception as exc:  # noqa: BLE001 - the service's refusal is shown as it is
        show_error(page, exc)


def delete_selected(page: CustomersPage) -> None:
    ids = page.selected_ids()
    if len(ids) != 1:
        page.ctx.bus.status_message.emit(_("Select one customer to delete."))
        return
    customer_id = ids[0]
    row = page.model.display_row(page.model.row_of(customer_id))
    name = getattr(row, "name", str(customer_id))
    if not confirm(page, _("Delete customer {name}? This cannot be undone.").format(name=name)):
        return
    try:
        with page.ctx.write("customers") as session:
            customer_service.delete_customer(session, page.ctx.actor, customer_id)
    except DeleteRefused as exc:
        if confirm(page, _("{message}\n\nArchive the customer instead?").format(message=exc)):
            try:
                with page.ctx.write("customers") as session:
                    customer_service.archive_customer(session, page.ctx.actor, customer_id, archived=True)
            except Exception as exc2:  # noqa: BLE001
                show_error(page, exc2)
    except Exception as exc:  # noqa: BLE001
        show_error(page, exc)


# -- merge ---------------------------------------------------------------------------------
def merge(page: CustomersPage):
    from crmdesk.ui.customers.dialogs.merge_dialog import MergeDialog

    dialog = MergeDialog(page.ctx, page.selected_ids(), page)
    dialog.open()
    return dialog


# -- export / import -----------------------------------------------------------------------
def _export_job(db, actor, target: str, ids: list[int] | None, query, progress=None) -> int:
    from crmdesk.services.customer_export import export_customers

    with db.sessions.begin() as session:  # a transaction: the export's audit row must be kept
        return export_customers(session, actor, target, query=query, ids=ids)


def export_view(page: CustomersPage, target: str | None = None):
    """Export the customers of the current view (in its order) to .xlsx or .csv."""
    if target is None:
        target, _filter = file_dialogs.get_save_file_name(page, _("Export customers"), "customers.xlsx", EXPORT_FILTER)
        if not target:
            return None
        if Path(target).suffix.lower() not in (".xlsx", ".csv"):
            target += ".csv" if "csv" in _filter.lower() else ".xlsx"
    # While the rest of an unfiltered list is still arriving, the service runs the query itself.
    ids = None if page.loading else list(page.model.ids)
    query = copy.deepcopy(page.current_query())
    page.ctx.bus.status_message.emit(_("Exporting {count} customers…").format(
        count=f"{page.model.rowCount():,}" if ids is not None else "…"))
    page.last_export = None  # the count written, or the exception (tests wait for it)

    def done(count: int) -> None:
        page.last_export = count
        page.ctx.bus.status_message.emit(
            _("{count} customers exported to {path}").format(count=f"{count:,}", path=target))

    def failed(exc: Exception, _tb: str) -> None:
        page.last_export = exc
        _show_error_if_alive(page, exc)

    return run_in_background(_export_job, page.ctx.db, page.ctx.actor, target, ids, query, on_success=done,
                             on_error=failed)


def _show_error_if_alive(page, exc: Exception) -> None:
    try:
        if page.isVisible():
            show_error(page, exc)
            return
    except RuntimeError:  # the page was closed while the job ran
        pass
    log.error("background customer job failed: %s", exc)


def _contact_log_job(db, actor, path: str, progress=None):
    from crmdesk.importers.table_file import import_contact_log_file

    with db.sessions.begin() as session:
        return import_contact_log_file(session, actor, path)


def describe_import(result) -> str:
    lines = [_("{added} added, {updated} updated, {rejected} rejected of {total} rows.").format(
        added=result.added, updated=result.updated, rejected=len(result.rejected), total=result.total)]
    for bad in result.rejected[:20]:
        lines.append(_("Row {row}, column {column}: {reason}").format(
            row=bad.row, column=bad.column or "-", reason=bad.reason))
    if len(result.rejected) > 20:
        lines.append(_("… and {count} more").format(count=len(result.rejected) - 20))
    lines += list(getattr(result, "warnings", [])[:20])  # the contact-log import has none
    ignored = getattr(result, "ignored", [])
    if ignored:
        lines.append(_("Columns not read: {columns}").format(columns=", ".join(ignored)))
    return "\n".join(lines)


def import_contact_log(page: CustomersPage, path: str | None = None):
    if path is None:
        path, _filter = file_dialogs.get_open_file_name(page, _("Import contact log"), "", TABLE_FILTER)
        if not path:
            return None

    def done(result) -> None:
        page.ctx.bus.announce("interactions", "tasks")
        show_info(page, describe_import(result), _("Import contact log"))

    return run_in_background(_contact_log_job, page.ctx.db, page.ctx.actor, path, on_success=done,
                             on_error=lambda exc, _tb: _show_error_if_alive(page, exc))


def export_vcards(page: CustomersPage) -> None:
    ids = page.selected_ids()
    if not ids:
        return
    target, _filter = file_dialogs.get_save_file_name(page, _("Export contacts as vCard"), "contacts.vcf",
                                                  "vCard (*.vcf)")
    if not target:
        return
    from crmdesk.services.vcard import export_vcards as export

    try:
        with page.ctx.write() as session:  # the export's audit row is written
            count = export(session, page.ctx.actor, ids, target)
    except Exception as exc:  # noqa: BLE001
        show_error(page, exc)
        return
    page.ctx.bus.status_message.emit(_("{count} contacts exported to {path}").format(count=count, path=target))


def _plan_address_book_job(db, actor, paths: list[str], progress=None):
    from pathlib import Path

    from crmdesk.importers.address_book_file import plan_files

    with db.sessions() as session:
        return plan_files(session, actor, [Path(p) for p in paths])


def describe_address_book_result(result) -> str:
    lines = [_("{added} contacts added, {updated} updated, {same} already there, {created} customers created, "
               "{left} cards not imported.").format(added=result.added, updated=result.updated, same=result.same,
                                                    created=result.customers_created, left=result.not_imported)]
    lines += list(result.problems[:20])
    if len(result.problems) > 20:
        lines.append(_("… and {count} more").format(count=len(result.problems) - 20))
    return "\n".join(lines)


def apply_address_book_plan(page: CustomersPage, plan, ticked: set[int]):
    from crmdesk.services.address_book import apply_address_book

    try:
        with page.ctx.write() as session:  # the whole book in one transaction
            result = apply_address_book(session, page.ctx.actor, plan, create_customers_for=ticked)
    except Exception as exc:  # noqa: BLE001 - the service's message (a right, a vanished customer)
        show_error(page, exc)
        return None
    page.ctx.bus.announce("customers", "contacts")
    page.requery(keep_selection=True)
    show_info(page, describe_address_book_result(result), _("Import address book"))
    return result


def import_address_book(page: CustomersPage, paths: list[str] | None = None):
    """A phone's or mail program's address book (.vcf, Google/Outlook/Chinese CSV): read and matched
    off the GUI thread, shown as a plan, written only after Confirm."""
    if paths is None:
        paths, _filter = file_dialogs.get_open_file_names(
            page, _("Import address book"), "", _("Address books (*.vcf *.vcard *.csv);;All files (*)"))
        if not paths:
            return None

    def planned(plan) -> None:
        from crmdesk.ui.customers.dialogs.address_book_dialog import AddressBookDialog

        dialog = AddressBookDialog(plan, page)
        page._address_book_dialog = dialog  # tests and the finished handler reach it
        dialog.accepted.connect(lambda: apply_address_book_plan(page, plan, dialog.ticked()))
        dialog.open()

    return run_in_background(_plan_address_book_job, page.ctx.db, page.ctx.actor, list(paths), on_success=planned,
                             on_error=lambda exc, _tb: _show_error_if_alive(page, exc))


def edit_types(page: CustomersPage):
    from crmdesk.ui.customers.dialogs.type_editor import TypeEditorDialog

    dialog = TypeEditorDialog(page.ctx, page)
    dialog.open()
    return dialog


def new_case(page: CustomersPage):
    """F8: a service case for the selected (or open) customer, the cursor in its subject."""
    customer_id = page.current_customer_id()
    if customer_id is None:
        page.ctx.bus.status_message.emit(_("Select a customer first."))
        return None
    from crmdesk.ui.service.new_case_dialog import NewCaseDialog

    dialog = NewCaseDialog(page.ctx, customer_id, page.window())
    dialog.open()
    return dialog


def find_duplicates(page: CustomersPage):
    from crmdesk.ui.customers.dialogs.duplicates_dialog import DuplicatesDialog

    dialog = DuplicatesDialog(page.ctx, page)
    dialog.finished.connect(lambda _r: page.requery(keep_selection=True))
    dialog.open()
    return dialog


def fill_more_menu(page: CustomersPage, menu: QMenu) -> None:
    actor = page.ctx.actor
    if can(actor, "customers.merge"):
        menu.addAction(_("Find duplicates…"), lambda: find_duplicates(page))
    if can(actor, "customers.types"):
        menu.addAction(_("Customer types and fields…"), lambda: edit_types(page))
    if can(actor, "customers.interactions"):
        menu.addAction(_("Import contact log…"), lambda: import_contact_log(page))
    if can(actor, "customers.contacts"):
        menu.addAction(_("Import address book (vCard, Google/Outlook CSV)…"), lambda: import_address_book(page))
    if can(actor, "customers.export"):
        menu.addAction(_("Export contacts of selected as vCard…"), lambda: export_vcards(page))
    menu.addSeparator()
    menu.addAction(_("Refresh"), lambda: (page.reload_options(), page.requery(keep_selection=True)))


# Tool buttons and the actions they need; a role without the action does not see the button
# (a convenience: the services refuse it anyway).
BUTTON_ACTIONS = {"archive_button": "customers.archive", "delete_button": "customers.delete",
                  "merge_button": "customers.merge", "export_button": "customers.export",
                  "new_button": "customers.create"}


def hide_refused(page: CustomersPage) -> None:
    for name, action in BUTTON_ACTIONS.items():
        getattr(page.view, name).setVisible(can(page.ctx.actor, action))


# -- saved filters -------------------------------------------------------------------------
def save_current_filter(page: CustomersPage, name: str | None = None) -> None:
    if name is None:
        name, ok = QInputDialog.getText(page, _("Save filter"), _("Name of this filter:"))
        if not ok:
            return
    name = name.strip()
    if not name:
        return
    try:
        with page.ctx.write("saved_filters") as session:
            saved_filters.save_filter(session, page.ctx.actor, name, page.current_query())
    except Exception as exc:  # noqa: BLE001
        show_error(page, exc)


def load_filter(page: CustomersPage, query) -> None:
    page.query = query
    page.view.search_edit.blockSignals(True)
    page.view.search_edit.setText(query.text)
    page.view.search_edit.blockSignals(False)
    page.view.filter_bar.load(query)
    page.show_sort_indicator()
    page.requery()


def delete_saved_filter(page: CustomersPage, filter_id: int, name: str) -> None:
    if not confirm(page, _("Delete the saved filter {name}?").format(name=name)):
        return
    try:
        with page.ctx.write("saved_filters") as session:
            saved_filters.delete_filter(session, page.ctx.actor, filter_id)
    except Exception as exc:  # noqa: BLE001
        show_error(page, exc)


def fill_saved_filters_menu(page: CustomersPage) -> None:
    menu = page.view.filters_menu
    menu.clear()
    menu.addAction(_("Save current filter…"), lambda: save_current_filter(page))
    try:
        with page.ctx.read() as session:
            saved = saved_filters.list_filters(session, page.ctx.actor)
    except Exception:  # noqa: BLE001 - the menu still offers saving
        log.exception("listing saved filters failed")
        saved = []
    if not saved:
        return
    menu.addSeparator()
    for info in saved:
        menu.addAction(info.name, lambda q=info.query: load_filter(page, q))
    delete_menu = menu.addMenu(_("Delete"))
    for info in saved:
        delete_menu.addAction(info.name, lambda i=info.id, n=info.name: delete_saved_filter(page, i, n))
