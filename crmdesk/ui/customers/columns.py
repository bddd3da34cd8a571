"""The customer list's columns and how their cells read."""

from __future__ import annotations

from crmdesk.i18n import N_, _
from crmdesk.money import format_yuan
from crmdesk.ui.customers.table_model import Column


def _money(units) -> str:
    return "" if units in (None, 0) else format_yuan(units, symbol="")


def _status(value) -> str:
    return _(value) if value else ""


def _tags(value) -> str:
    return "、".join(value or ())


COLUMNS: list[Column] = [
    Column("code", N_("Code")),
    Column("name", N_("Name")),
    Column("type_name", N_("Type")),
    Column("grade", N_("Grade")),
    Column("status", N_("Status"), formatter=_status),
    Column("city", N_("City")),
    Column("phone", N_("Phone"), sortable=False),
    Column("mobile", N_("Mobile"), sortable=False),
    Column("owner_name", N_("Salesperson")),
    Column("territory_name", N_("Territory")),
    Column("balance", N_("Balance"), align_right=True, formatter=_money),
    Column("overdue", N_("Overdue"), align_right=True, formatter=_money),
    Column("tags", N_("Tags"), sortable=False, formatter=_tags),
]

# Column key → the query's sort key (crmdesk.services.customer_query.SORT_KEYS).
SORT_KEY_OF = {
    "code": "code", "name": "name", "type_name": "type", "grade": "grade", "status": "status", "city": "city",
    "owner_name": "owner", "territory_name": "territory", "balance": "balance", "overdue": "overdue",
}

DEFAULT_WIDTHS = {"code": 90, "name": 240, "type_name": 90, "grade": 50, "status": 60, "city": 80,
                  "phone": 110, "mobile": 110, "owner_name": 80, "territory_name": 90, "balance": 100,
                  "overdue": 100, "tags": 120}
