"""Readable names for the import kinds and fields (the importers use English identifiers)."""

from __future__ import annotations

from crmdesk.i18n import N_, _

KIND_LABELS: dict[str, str] = {
    "customers": N_("Customers"),
    "products": N_("Products"),
    "sales": N_("Sales lines"),
    "receipts": N_("Receipts"),
    "stock": N_("Stock snapshot"),
    "expenses": N_("Expenses"),
}

FIELD_LABELS: dict[str, str] = {
    "code": N_("Code"), "name": N_("Name"), "short_name": N_("Short name"),
    "customer_type": N_("Customer type"), "grade": N_("Grade"), "province": N_("Province"),
    "city": N_("City"), "district": N_("District"), "address": N_("Address"), "phone": N_("Phone"),
    "mobile": N_("Mobile"), "email": N_("Email"), "tax_id": N_("Tax ID"), "credit_limit": N_("Credit limit"),
    "payment_terms_days": N_("Payment terms (days)"), "contact_name": N_("Contact"),
    "salesperson": N_("Salesperson"), "notes": N_("Notes"), "spec": N_("Specification"), "unit": N_("Unit"),
    "category": N_("Category"), "brand": N_("Brand"), "barcode": N_("Barcode"), "list_price": N_("List price"),
    "cost": N_("Cost"), "reorder_point": N_("Reorder point"), "lead_time_days": N_("Lead time (days)"),
    "order_number": N_("Order number"), "line_no": N_("Line number"), "order_date": N_("Order date"),
    "doc_type": N_("Document type"), "customer_code": N_("Customer code"), "customer_name": N_("Customer name"),
    "warehouse": N_("Warehouse"), "product_code": N_("Product code"), "product_name": N_("Product name"),
    "quantity": N_("Quantity"), "unit_price": N_("Unit price"), "amount": N_("Amount"),
    "cost_amount": N_("Cost amount"), "unit_cost": N_("Unit cost"), "profit": N_("Gross profit"),
    "number": N_("Receipt number"), "receipt_date": N_("Receipt date"), "method": N_("Payment method"),
    "cost_value": N_("Stock value at cost"), "snapshot_date": N_("Snapshot date"),
    "doc_number": N_("Document number"), "expense_date": N_("Expense date"), "item": N_("Expense item"),
}

STATUS_LABELS: dict[str, str] = {
    "done": N_("Imported"), "skipped": N_("Skipped"), "failed": N_("Failed"), "refused": N_("Refused"),
    "dry-run": N_("Dry run"), "running": N_("Running"), "cancelled": N_("Cancelled"), "held": N_("Held"),
    "undone": N_("Undone"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def field_label(name: str, with_name: bool = True) -> str:
    """``单据编号 (order_number)``: the translated name, with the identifier profiles use."""
    if not name:
        return _("(ignore)")
    label = _(FIELD_LABELS.get(name, name))
    return f"{label} ({name})" if with_name else label


def missing_label(missing: list[str]) -> str:
    """``product_code/product_name`` (either will do) → 商品编号 或 商品名称."""
    parts = []
    for group in missing:
        names = [_(FIELD_LABELS.get(n, n)) for n in group.split("/")]
        parts.append(_(" or ").join(names))
    return _(", ").join(parts)


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status
