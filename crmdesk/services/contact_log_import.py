"""Import contact-log history kept elsewhere (CSV/XLSX): customer code or name, date/time,
channel in Chinese or English, contact, notes, outcome, user."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor
from crmdesk.services.contact_io import ImportResult

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


def import_contact_log_file(session: Session, actor: Actor, path: Path | str) -> ImportResult:
    """Add one contact-log entry per good row; bad rows are reported (row, column, reason)."""
    raise NotImplementedError
