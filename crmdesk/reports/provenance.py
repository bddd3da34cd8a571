"""What an exported report holds: the report, its period, its filters and options, when it
was made and by whom. A workbook forwarded to the accountant or a chart pasted into a
message must say which figures these are; the same lines go into every export
(xlsx: a sheet of their own; statement xlsx/PDF: a line in the header; PNG/PDF charts: a
caption under the chart).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import CustomerType, Territory, User
from crmdesk.i18n import N_, _
from crmdesk.reports.filters import ReportFilters
from crmdesk.reports.spec import ReportSpec
from crmdesk.services.actor import Actor

ABOUT_SHEET = N_("About this export")


@dataclass(frozen=True)
class ExportInfo:
    report: str  # the report's title, translated
    period: str
    filters: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    made_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    made_by: str = ""

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs, translated, in reading order."""
        out = [(_("Report"), self.report), (_("Period"), self.period)]
        out += [(_("Filter: {name}").format(name=name), value) for name, value in self.filters]
        if not self.filters:
            out.append((_("Filters"), _("none")))
        out += [(_("Option: {name}").format(name=name), value) for name, value in self.options]
        out += [(_("Made at"), self.made_at.strftime("%Y-%m-%d %H:%M")), (_("Made by"), self.made_by)]
        return out

    def filter_text(self) -> str:
        parts = [f"{name} {value}" for name, value in (*self.filters, *self.options)]
        return "；".join(parts) if parts else _("no filters")

    def made_text(self) -> str:
        return _("made {time} by {user}").format(time=self.made_at.strftime("%Y-%m-%d %H:%M"), user=self.made_by)

    def caption(self) -> str:
        """Two lines under a chart."""
        first = f"{self.report} · {_('Period')}: {self.period}"
        return f"{first}\n{_('Filters')}: {self.filter_text()} · {self.made_text()}"


def period_text(f: ReportFilters) -> str:
    if f.date_from is None and f.date_to is None:
        text = _("all dates")
    else:
        text = _("{start} to {end}").format(start=f.date_from.isoformat() if f.date_from else _("beginning"),
                                            end=f.date_to.isoformat() if f.date_to else _("today"))
    if f.as_of is not None:
        text += " " + _("(as of {date})").format(date=f.as_of.isoformat())
    return text


def _names(session: Session, model, ids: tuple[int, ...], attr: str) -> str:
    if not ids:
        return ""
    rows = dict(session.execute(select(model.id, getattr(model, attr)).where(model.id.in_(ids))).all())
    return "、".join(str(rows.get(i) or i) for i in ids)


def _type_names(session: Session, codes: tuple[str, ...]) -> str:
    rows = dict(session.execute(select(CustomerType.code, CustomerType.name)
                                .where(or_(CustomerType.code.in_(codes), CustomerType.name.in_(codes)))).all())
    return "、".join(str(rows.get(c) or c) for c in codes)


def filter_pairs(session: Session, f: ReportFilters) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if f.categories:
        pairs.append((_("category"), "、".join(f.categories)))
    if f.brands:
        pairs.append((_("brand"), "、".join(f.brands)))
    if f.price_min is not None or f.price_max is not None:
        low = f"{f.price_min}" if f.price_min is not None else ""
        high = f"{f.price_max}" if f.price_max is not None else ""
        pairs.append((_("list price"), f"{low}–{high}"))
    if f.customer_types:
        pairs.append((_("customer type"), _type_names(session, f.customer_types)))
    if f.grades:
        pairs.append((_("grade"), "、".join(f.grades)))
    if f.territory_ids:
        pairs.append((_("territory"), _names(session, Territory, f.territory_ids, "name")))
    if f.salesperson_ids:
        pairs.append((_("salesperson"), _names(session, User, f.salesperson_ids, "display_name")))
    if f.branch_ids:
        from crmdesk.db.models import Branch

        pairs.append((_("branch"), _names(session, Branch, f.branch_ids, "name")))
    return pairs


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _(str(value)) if isinstance(value, str) else str(value)


def option_pairs(spec: ReportSpec, options: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's own options that were set (a default left as it is still counts: it shaped the figures)."""
    pairs = []
    for opt in spec.options:
        value = options.get(opt.name, opt.default)
        if value in (None, "", False) or not opt.gui:  # CLI-only switches say nothing about the figures
            continue
        pairs.append((_(opt.name.replace("_", " ").capitalize()), _option_text(value)))
    return pairs


def export_info(session: Session, actor: Actor, spec: ReportSpec, filters: ReportFilters | None,
                options: dict[str, Any] | None, now: dt.datetime | None = None) -> ExportInfo:
    return view_info(session, actor, _(spec.title), filters, option_pairs(spec, options or {}), now)


def view_info(session: Session, actor: Actor, title: str, filters: ReportFilters | None,
              options: list[tuple[str, str]] | None = None, now: dt.datetime | None = None) -> ExportInfo:
    """The same for a view that is not a report (a dashboard chart): ``title`` as shown."""
    f = filters or ReportFilters()
    return ExportInfo(report=title, period=period_text(f), filters=tuple(filter_pairs(session, f)),
                      options=tuple(options or ()), made_at=(now or dt.datetime.now()).replace(microsecond=0),
                      made_by=actor.display_name or actor.username)


def write_about_sheet(workbook, lines: list[tuple[str, str]]) -> None:
    """A sheet after the data listing ``lines`` (label, value)."""
    from openpyxl.styles import Font

    from crmdesk.core.table_out import append_row

    ws = workbook.create_sheet(_(ABOUT_SHEET)[:31])
    for label, value in lines:
        append_row(ws, [label, value])  # a filter's value can be a customer's name
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 60
