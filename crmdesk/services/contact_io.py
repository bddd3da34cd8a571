"""Contacts import from CSV/XLSX (Chinese or English headers), and the table reader the
contact-log import shares. Rejected rows are reported with row, column and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor


@dataclass(frozen=True)
class RejectedRow:
    row: int  # as the user sees it: header is row 1, first data row is row 2
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    total: int = 0
    added: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)


# Canonical key → accepted headers (case-insensitive, spaces ignored).
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_code": ("客户编号", "客户编码", "客户代码", "customer code", "customer_code", "code"),
    "customer_name": ("客户名称", "客户", "单位名称", "公司", "customer", "customer name", "company"),
    "name": ("联系人", "姓名", "联系人姓名", "contact", "name", "contact name"),
    "role": ("职务", "职位", "role", "title", "position"),
    "phone": ("电话", "座机", "办公电话", "phone", "tel", "telephone"),
    "mobile": ("手机", "手机号", "移动电话", "mobile", "cell", "cellphone"),
    "email": ("邮箱", "电子邮件", "email", "e-mail", "mail"),
    "wechat": ("微信", "微信号", "wechat", "weixin"),
    "birthday": ("生日", "出生日期", "birthday", "birth date", "dob"),
    "notes": ("备注", "notes", "note", "remarks"),
}


def read_table(path: Path | str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Headers and (row number, cell texts) of the first sheet of an .xlsx/.xls or a .csv/.txt
    (encoding detected: UTF-8, GBK …). Empty rows are skipped."""
    raise NotImplementedError


def map_headers(headers: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Canonical key → column index for the headers found."""
    raise NotImplementedError


def import_contacts_file(session: Session, actor: Actor, path: Path | str,
                         customer_id: int | None = None) -> ImportResult:
    """Import contacts; each row names its customer by code or name (or all go to ``customer_id``).
    A contact with the same name on the same customer is updated, otherwise added."""
    raise NotImplementedError
