"""Is the file what its headers suggest? A kind is decided on evidence, not on the nearest fit:
a document-type column whose values say 费用单 or 进货单, or a header that has no place in the
kind (费用项目 outside an expenses file, 供应商 anywhere …), means the file is something else. Detected, such a
file is held with the reason (nothing written); with ``--kind`` given it imports, with a warning.
Reads only the sample rows the detection already has."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crmdesk.i18n import _
from crmdesk.importers.fields import EXPENSE_ITEM, header_key, shown
from crmdesk.importers.findings import FileWarning

# Columns of documents crmdesk does not import: expenses, purchases, payments to suppliers, ledgers.
FOREIGN_HEADERS = {header_key(h) for h in (
    "费用项目", "费用名称", "费用类别", "费用类型", "费用科目", "支出项目", "支出类别", "收支项目", "收支类别",
    "会计科目", "科目", "科目名称", "科目编码", "付款金额", "应付金额", "供应商", "供应商名称", "供应商编号",
    "供货单位", "供货商", "进货单号", "采购单号", "采购订单号", "expensetype", "expensecategory", "expenseitem",
    "vendor", "vendorname", "supplier", "suppliername", "glaccount", "account code")}

EXPENSE_HEADERS = {header_key(h) for h in EXPENSE_ITEM.split("|")}

# Words in a document type, checked in this order: the first that occurs decides.
_DOC_WORDS: tuple[tuple[str, str], ...] = (
    ("费用", "other"), ("付款", "other"), ("进货", "other"), ("采购", "other"), ("调拨", "other"),
    ("盘点", "other"), ("报损", "other"), ("报溢", "other"), ("入库", "other"), ("借", "other"),
    ("转账", "other"), ("工资", "other"), ("其他", "other"), ("expense", "other"), ("purchase", "other"),
    ("transfer", "other"), ("收款", "receipts"), ("receipt", "receipts"), ("payment", "receipts"),
    ("销售", "sales"), ("零售", "sales"), ("出库", "sales"), ("销货", "sales"), ("发货", "sales"),
    ("退货", "sales"), ("批发", "sales"), ("sale", "sales"), ("invoice", "sales"), ("order", "sales"),
    ("return", "sales"),
)
_DOC_TYPE_HEADERS = {header_key(h) for h in ("单据类型", "业务类型", "单据种类", "doctype", "documenttype")}
_DOCUMENT_KINDS = ("sales", "receipts")


@dataclass
class Evidence:
    refusal: str = ""  # why the detected kind does not fit (the file is held)
    warnings: list[FileWarning] = field(default_factory=list)


def doc_kind(value: str) -> str:
    """"sales", "receipts", "other" or "" (no word known) for one document type."""
    text = value.strip().lower()
    return next((kind for word, kind in _DOC_WORDS if word in text), "")


def weigh(file_name: str, kind: str, detected: bool, headers: list[str], sample: list[list[str]]) -> Evidence:
    """Check ``kind`` against the foreign headers and the document types of ``sample``."""
    ev = Evidence()
    own = EXPENSE_HEADERS if kind == "expenses" else set()  # an expenses file's 费用项目 is its own column
    foreign = [shown(h) for h in headers if header_key(h) in FOREIGN_HEADERS - own]
    types = _doc_types(headers, sample)
    said = Counter(doc_kind(v) for v in types.elements())
    said.pop("", None)
    against = sum(n for k, n in said.items() if k != kind)
    mostly_other = kind in _DOCUMENT_KINDS and said and against > 0.5 * sum(said.values())
    types_shown = shown(", ".join(v for v, _n in types.most_common(3) if doc_kind(v) != kind))
    if detected and (foreign or mostly_other):
        why = []
        if foreign:
            why.append(_("columns {columns} have no place in any kind crmdesk imports").format(
                columns=", ".join(foreign)))
        if mostly_other:
            why.append(_("the document type says {types} in {n} of {total} sampled rows").format(
                types=types_shown, n=against, total=sum(said.values())))
        ev.refusal = _("{file}: does not look like {kind} ({why}); held, nothing imported. If it is, "
                       "give --kind {kind} or a profile").format(file=file_name, kind=kind, why="; ".join(why))
        return ev
    if foreign:
        ev.warnings.append(FileWarning("foreign_column", _("columns {columns} have no place in {kind}").format(
            columns=", ".join(foreign), kind=kind), len(foreign), foreign))
    if kind in _DOCUMENT_KINDS and against:
        ev.warnings.append(FileWarning("doc_type", _(
            "{n} of {total} sampled rows have a document type that is not {kind} ({types})").format(
            n=against, total=sum(said.values()), kind=kind, types=types_shown), against,
            [v for v in types if doc_kind(v) not in ("", kind)][:3]))
    return ev


def _doc_types(headers: list[str], sample: list[list[str]]) -> Counter:
    pos = next((i for i, h in enumerate(headers) if header_key(h) in _DOC_TYPE_HEADERS), None)
    if pos is None:
        return Counter()
    return Counter(row[pos].strip() for row in sample if pos < len(row) and row[pos].strip())
