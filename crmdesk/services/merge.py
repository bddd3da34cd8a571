"""Merging a duplicate customer into the one that stays.

Everything that belongs to the merged customer moves to the survivor; the merged customer is
then deleted (its code is kept in the audit log of both). Deleting rather than archiving keeps
the list and the reports free of an empty twin; a later import that still uses the old code
creates a stub that can be merged again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from crmdesk.db.models import (Attachment, Contact, CustomerRelation, CustomFieldValue, Expense, Interaction,
                               Opportunity, Receipt, SalesLine, SalesOrder, ServiceCase, Task, customer_tags)
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.attachments import _pending, _unique_name, attachments_root, delete_files_after_commit
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.customers import EDITED_FIELDS, get_customer, refresh_search_text
from crmdesk.services.spot_assignment import assign_on_the_spot
from crmdesk.services.permissions import require, require_customer

# Expenses too: they would otherwise go with the merged customer (ON DELETE CASCADE) and its cost vanish.
_MOVED_BY_CUSTOMER_ID = (SalesOrder, SalesLine, Receipt, Expense, Contact, Interaction, Task, Opportunity,
                         ServiceCase)
# Fields the survivor always keeps, blank or not.
_NEVER_FILLED = {"code", "name", "status"}


@dataclass
class MergeResult:
    survivor_id: int
    merged_code: str
    moved: dict[str, int] = field(default_factory=dict)  # table → rows moved
    filled_fields: list[str] = field(default_factory=list)  # survivor's blank fields filled from the merged one


def _blank(value: object) -> bool:
    return value is None or value == "" or value == 0


def _move_attachments(session: Session, survivor_id: int, merged_id: int) -> int:
    root = attachments_root(session)
    rows = session.scalars(select(Attachment).where(Attachment.customer_id == merged_id)).all()
    taken = {p.split("/")[-1].lower() for p in session.scalars(
        select(Attachment.stored_path).where(Attachment.customer_id == survivor_id, Attachment.is_link.is_(False)))}
    folder = root / str(survivor_id)
    for att in rows:
        if not att.is_link:
            old = root / att.stored_path
            if old.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                name = _unique_name(folder, old.name, taken)
                taken.add(name.lower())
                # Copy now, delete the old file once the merge commits: a rollback leaves both as they were.
                shutil.copy2(old, folder / name)
                _pending(session, "attachments_new").append(folder / name)
                delete_files_after_commit(session, [old])
                att.stored_path = f"{survivor_id}/{name}"
        att.customer_id = survivor_id
    return len(rows)


def _move_relations(session: Session, survivor_id: int, merged_id: int) -> int:
    moved = 0
    rels = session.scalars(select(CustomerRelation).where(or_(CustomerRelation.from_customer_id == merged_id,
                                                              CustomerRelation.to_customer_id == merged_id))).all()
    for rel in rels:
        new_from = survivor_id if rel.from_customer_id == merged_id else rel.from_customer_id
        new_to = survivor_id if rel.to_customer_id == merged_id else rel.to_customer_id
        duplicate = session.scalar(select(CustomerRelation.id).where(
            CustomerRelation.relation_type == rel.relation_type, CustomerRelation.id != rel.id,
            or_(and_(CustomerRelation.from_customer_id == new_from, CustomerRelation.to_customer_id == new_to),
                and_(CustomerRelation.from_customer_id == new_to, CustomerRelation.to_customer_id == new_from))))
        if new_from == new_to or duplicate is not None:
            session.delete(rel)  # a link between the two, or one the survivor has already
            continue
        rel.from_customer_id, rel.to_customer_id = new_from, new_to
        moved += 1
    session.flush()
    return moved


def _move_tags(session: Session, survivor_id: int, merged_id: int) -> int:
    have = set(session.scalars(select(customer_tags.c.tag_id).where(customer_tags.c.customer_id == survivor_id)))
    extra = [t for t in session.scalars(select(customer_tags.c.tag_id).where(customer_tags.c.customer_id == merged_id))
             if t not in have]
    if extra:
        session.execute(insert(customer_tags), [{"customer_id": survivor_id, "tag_id": t} for t in extra])
    session.execute(delete(customer_tags).where(customer_tags.c.customer_id == merged_id))
    return len(extra)


def _fill_custom_values(session: Session, survivor_id: int, merged_id: int) -> int:
    mine = {v.field_id: v for v in session.scalars(select(CustomFieldValue)
                                                   .where(CustomFieldValue.customer_id == survivor_id))}
    filled = 0
    for v in session.scalars(select(CustomFieldValue).where(CustomFieldValue.customer_id == merged_id)).all():
        if not v.value:
            continue
        own = mine.get(v.field_id)
        if own is None:
            session.add(CustomFieldValue(customer_id=survivor_id, field_id=v.field_id, value=v.value))
            filled += 1
        elif not own.value:
            own.value = v.value
            filled += 1
    session.flush()
    return filled


def merge_customers(session: Session, actor: Actor, survivor_id: int, merged_id: int) -> MergeResult:
    """Move orders, order lines (sales_lines.customer_id too), receipts, expenses, contacts, interactions,
    tasks, opportunities, service cases, attachments (files too), relations, tags and custom values
    to the survivor (its own values win; its blanks are filled), then delete the merged customer.
    The audit log records the merge on both with both codes."""
    require(actor, "customers.merge")
    if survivor_id == merged_id:
        raise CustomerError(_("A customer cannot be merged into itself"))
    survivor = get_customer(session, survivor_id)
    merged = get_customer(session, merged_id)
    require_customer(session, actor, survivor_id, "customers.merge")
    require_customer(session, actor, merged_id, "customers.merge")
    session.flush()
    result = MergeResult(survivor_id=survivor_id, merged_code=merged.code)

    if session.scalar(select(Contact.id).where(Contact.customer_id == survivor_id, Contact.is_primary.is_(True))):
        session.execute(update(Contact).where(Contact.customer_id == merged_id).values(is_primary=False)
                        .execution_options(synchronize_session=False))
    for model in _MOVED_BY_CUSTOMER_ID:
        res = session.execute(update(model).where(model.customer_id == merged_id).values(customer_id=survivor_id)
                              .execution_options(synchronize_session=False))
        result.moved[model.__tablename__] = res.rowcount or 0
    result.moved["attachments"] = _move_attachments(session, survivor_id, merged_id)
    result.moved["customer_relations"] = _move_relations(session, survivor_id, merged_id)
    result.moved["customer_tags"] = _move_tags(session, survivor_id, merged_id)
    result.moved["custom_field_values"] = _fill_custom_values(session, survivor_id, merged_id)

    # Owner and territory are not copied: the survivor keeps a manual assignment, else the rules
    # decide again below (with the merged one's 业务员 when the survivor has none).
    for name in (*EDITED_FIELDS, "import_owner_id"):
        if name in _NEVER_FILLED:
            continue
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        if _blank(mine) and not _blank(theirs):
            audit.record(session, actor, "customers", survivor_id, "update", name, mine, theirs)
            setattr(survivor, name, theirs)
            result.filled_fields.append(name)
    if merged.first_order_date and (survivor.first_order_date is None
                                    or merged.first_order_date < survivor.first_order_date):
        survivor.first_order_date = merged.first_order_date
    survivor.is_incomplete = bool(survivor.is_incomplete and merged.is_incomplete)

    audit.record(session, actor, "customers", survivor_id, "merge", "merged", merged.code, survivor.code)
    audit.record(session, actor, "customers", merged_id, "merge", "code", merged.code, survivor.code)
    merged_code = merged.code
    session.flush()
    # The bulk updates bypassed the identity map: reload so the delete cascades nothing that moved.
    session.expire_all()
    session.delete(get_customer(session, merged_id))
    session.flush()
    refresh_search_text(session, survivor_id)
    assign_on_the_spot(session, [survivor_id])
    result.merged_code = merged_code
    return result
