"""Import contact-log history kept elsewhere (CSV/XLSX): customer code or name, date/time,
channel in Chinese or English, contact, notes, outcome, user."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crmdesk.db.models import Contact, Interaction, User
from crmdesk.i18n import _
from crmdesk.core.cells import parse_one_date
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.contact_io import CustomerFinder, ImportResult, RejectedRow, TableFile, _cell, map_headers
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.interactions import channel_from_text
from crmdesk.services.permissions import require
from crmdesk.services.tasks import create_task

_TIME = re.compile(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?")

LOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_code": ("客户编号", "客户编码", "客户代码", "customer code", "customer_code", "code"),
    "customer_name": ("客户名称", "客户", "单位名称", "customer", "customer name"),
    "occurred_at": ("日期", "时间", "日期时间", "联系时间", "拜访时间", "date", "time", "datetime", "date/time"),
    "channel": ("方式", "渠道", "联系方式", "类型", "channel", "type", "method"),
    "contact": ("联系人", "contact"),
    "subject": ("主题", "subject"),
    "notes": ("内容", "记录", "备注", "notes", "note", "content"),
    "outcome": ("结果", "outcome", "result"),
    "user": ("员工", "业务员", "经手人", "记录人", "用户", "user", "staff", "salesperson"),
    "next_follow_up": ("下次跟进", "下次联系", "next follow-up", "next follow up", "follow up"),
}


def parse_datetime(text: str) -> dt.datetime:
    """'2024-03-05 14:30', '2024/3/5 14:30:00', '2024年3月5日 下午2:30', '2024-03-05T14:30', '2024-03-05'."""
    t = unicodedata.normalize("NFKC", text).strip().replace("T", " ")
    date_part, _sep, time_part = t.partition(" ")
    day = parse_one_date(date_part)
    if day is None:
        raise ValueError(text)
    hour = minute = second = 0
    m = _TIME.search(time_part)
    if m:
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        if ("下午" in time_part or "pm" in time_part.lower()) and hour < 12:
            hour += 12
    elif time_part.strip():
        raise ValueError(text)
    return dt.datetime(day.year, day.month, day.day, hour, minute, second)


def _find_user(session: Session, cache: dict[str, int | None], name: str) -> int | None:
    if name not in cache:
        cache[name] = session.scalar(select(User.id).where(or_(User.username == name, User.display_name == name))
                                     .order_by(User.id).limit(1))
    return cache[name]


def import_contact_log(session: Session, actor: Actor, table: TableFile) -> ImportResult:
    """Add one contact-log entry per good row; bad rows are reported (row, column, reason).
    A row already in the log (same customer, time, channel and notes) is skipped, so the same
    file can be imported twice. A next follow-up date today or later creates an open task."""
    require(actor, "customers.interactions")
    headers, rows = table.headers, table.rows
    mapping = map_headers(headers, LOG_COLUMNS)
    name = table.name
    if "customer_code" not in mapping and "customer_name" not in mapping:
        raise CustomerError(_("{file}: no customer column (客户编号 / 客户名称 / Customer code)").format(file=name))
    if "occurred_at" not in mapping:
        raise CustomerError(_("{file}: no date column (日期 / Date)").format(file=name))
    header_of = {key: headers[i] for key, i in mapping.items()}
    result = ImportResult(total=len(rows))
    finder = CustomerFinder(session, actor)
    users: dict[str, int | None] = {}
    today = dt.date.today()
    for number, cells in rows:
        get = lambda key: _cell(cells, mapping, key)  # noqa: E731

        def reject(key: str, reason: str) -> None:
            result.rejected.append(RejectedRow(row=number, column=header_of.get(key, key), value=get(key),
                                               reason=reason))

        cid, why = finder.find(get("customer_code"), get("customer_name"))
        if cid is None:
            reject("customer_code" if get("customer_code") or "customer_name" not in mapping
                   else "customer_name", why)
            continue
        try:
            occurred = parse_datetime(get("occurred_at"))
        except ValueError:
            reject("occurred_at", _("not a date/time") if get("occurred_at") else _("the date is empty"))
            continue
        channel = channel_from_text(get("channel")) if get("channel") else "call"
        if channel is None:
            reject("channel", _("unknown channel; use visit, call, WeChat, email or store (拜访/电话/微信/邮件/到店)"))
            continue
        user_id = actor.user_id
        if get("user"):
            user_id = _find_user(session, users, get("user"))
            if user_id is None:
                reject("user", _("no user named {name}").format(name=get("user")))
                continue
        contact_id = None
        if get("contact"):
            contact_id = session.scalar(select(Contact.id).where(Contact.customer_id == cid,
                                                                 Contact.name == get("contact")).limit(1))
        follow_up = None
        if get("next_follow_up"):
            try:
                follow_up = parse_one_date(get("next_follow_up"))
            except ValueError:
                reject("next_follow_up", _("not a date"))
                continue
        notes = get("notes")
        if get("contact") and contact_id is None:
            notes = f"{notes}\n({_('Contact')}: {get('contact')})".strip()
        same = session.scalar(select(func.count()).select_from(Interaction).where(
            Interaction.customer_id == cid, Interaction.occurred_at == occurred, Interaction.channel == channel,
            Interaction.notes == notes))
        if same:
            result.skipped += 1
            continue
        entry = Interaction(customer_id=cid, contact_id=contact_id, user_id=user_id, channel=channel,
                            occurred_at=occurred, subject=get("subject"), notes=notes, outcome=get("outcome"),
                            next_follow_up=follow_up)
        session.add(entry)
        session.flush()
        audit.record(session, actor, "interactions", entry.id, "import", "channel", None, channel)
        if follow_up is not None and follow_up >= today:
            create_task(session, actor, cid, _("Follow up"), follow_up, assignee_id=user_id,
                        notes=get("outcome"), interaction_id=entry.id)
        result.added += 1
    return result
