"""The Territories section's two lists with one-click fixes:

- Overlapping: customers in several territories; "make <territory> its main territory".
- Unassigned: customers the rules place nowhere; "assign to <territory>".

A fix sets the customer's territory by hand (``territories.set_manual``), which sticks until
cleared on the customer form. Fixes apply to every selected row (bulk) in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from crmdesk.i18n import N_, _
from crmdesk.services import territories as territory_service
from crmdesk.ui.context import AppContext
from crmdesk.ui.settings.messages import show_error
from crmdesk.ui.settings.rows_model import Col, RowsModel, fit_columns, selected_rows, table_view

LIST_LIMIT = 1000
TITLE = N_("Territories")


class _FixList(QWidget):
    """A list of customers, a menu button that fixes the selection, and a context menu per row."""

    fixed = Signal(int)  # customers changed

    def __init__(self, ctx: AppContext, columns: Sequence[Col], button_text: str, hint: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.territories: list[tuple[int, str]] = []  # (id, name) of territories that place customers
        self.model = RowsModel(columns, self)
        self.view = table_view(self.model, self, multi=True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.fix_button = QToolButton()
        self.fix_button.setText(button_text)
        self.fix_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.fix_button.setMenu(QMenu(self.fix_button))
        self.fix_button.menu().aboutToShow.connect(self._fill_button_menu)
        self.count_label = QLabel()
        hint_label = QLabel(hint)
        hint_label.setWordWrap(True)
        hint_label.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        row.addWidget(self.fix_button)
        row.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint_label)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_button())
        self._update_button()

    # -- what a subclass says ----------------------------------------------------------------------
    def load_rows(self, session) -> list[dict]:
        raise NotImplementedError

    def choices_for(self, rows: Sequence[dict]) -> list[tuple[int, str]]:
        return self.territories

    def action_text(self, territory_name: str, many: bool) -> str:
        raise NotImplementedError

    # -- behaviour -----------------------------------------------------------------------------
    def reload(self, territories: Sequence[tuple[int, str]]) -> None:
        self.territories = list(territories)
        with self.ctx.read() as session:
            rows = self.load_rows(session)
        self.model.set_rows(rows)
        if rows:
            fit_columns(self.view)
        self.count_label.setText(_("{n} customers").format(n=f"{len(rows):,}") if len(rows) < LIST_LIMIT
                                 else _("the first {n} customers").format(n=f"{len(rows):,}"))
        self._update_button()

    def _update_button(self) -> None:
        self.fix_button.setEnabled(bool(self.view.selectionModel().selectedRows()))

    def _menu_for(self, menu: QMenu, rows: Sequence[dict]) -> None:
        menu.clear()
        for tid, name in self.choices_for(rows):
            action = QAction(self.action_text(name, len(rows) > 1), menu)
            action.triggered.connect(lambda _c=False, t=tid, r=list(rows): self.fix(r, t))
            menu.addAction(action)

    def _fill_button_menu(self) -> None:
        self._menu_for(self.fix_button.menu(), selected_rows(self.view))

    def _context_menu(self, pos) -> None:
        rows = selected_rows(self.view)
        if not rows:
            return
        menu = QMenu(self)
        self._menu_for(menu, rows)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def fix(self, rows: Sequence[dict], territory_id: int) -> bool:
        """Set ``territory_id`` by hand as the main territory of every customer in ``rows``."""
        try:
            with self.ctx.write("customers") as session:
                for row in rows:
                    territory_service.set_manual(session, self.ctx.actor, int(row["customer_id"]),
                                                 territory_id=territory_id)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, _(TITLE))
            return False
        self.fixed.emit(len(rows))
        return True


class OverlapList(_FixList):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, [
            Col(N_("Code"), lambda r: r["code"]),
            Col(N_("Customer"), lambda r: r["name"]),
            Col(N_("Territories"), lambda r: r["territories"]),
            Col(N_("Main territory"), lambda r: r["main"]),
        ], _("Make main territory"), _("These customers meet the rules of several territories. The one with the "
                                       "lowest priority number is their main territory and gives the owner; pick "
                                       "another to make it stick."), parent)

    def load_rows(self, session) -> list[dict]:
        frame = territory_service.overlapping(session, limit=LIST_LIMIT)
        return frame.to_dict("records")

    def choices_for(self, rows: Sequence[dict]) -> list[tuple[int, str]]:
        named = {n.strip() for r in rows for n in str(r["territories"]).split(",")}
        return [(tid, name) for tid, name in self.territories if name in named]

    def action_text(self, territory_name: str, many: bool) -> str:
        return (_("Make {territory} their main territory") if many
                else _("Make {territory} its main territory")).format(territory=territory_name)


class UnassignedList(_FixList):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, [
            Col(N_("Code"), lambda r: r["code"]),
            Col(N_("Customer"), lambda r: r["name"]),
            Col(N_("Province"), lambda r: r["province"]),
            Col(N_("City"), lambda r: r["city"]),
            Col(N_("Owner"), lambda r: r["owner"]),
        ], _("Assign to territory"), _("No territory's rules cover these customers. Widen a territory's rules, "
                                       "or assign them to one by hand here."), parent)

    def load_rows(self, session) -> list[dict]:
        return territory_service.unassigned(session, limit=LIST_LIMIT).to_dict("records")

    def action_text(self, territory_name: str, many: bool) -> str:
        return _("Assign to {territory}").format(territory=territory_name)


def territory_choices(defs) -> list[tuple[int, str]]:
    """(id, name) of the stored territories that can be a main territory, in priority order."""
    return [(d.id, d.name) for d in defs if d.id is not None and d.places_customers]

