"""One opportunity: create and edit it (with its products of interest), move it through the
stages with a history row each time, and start one from a contact-log entry.

The amount of an opportunity with items is the sum of their amounts (quantity × unit price,
rounded half up to a money unit); without items it is the amount typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crmdesk.db.base import utcnow
from crmdesk.db.models import (
    Contact, Customer, Interaction, Opportunity, OpportunityItem, OpportunityStage, OpportunityStageChange, Product,
    User,
)
from crmdesk.i18n import _
from crmdesk.services import audit
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import NotFound, ValidationError
from crmdesk.services.customers import check_not_changed, claim_for_save
from crmdesk.services.permissions import require_customer

ACTION = "customers.opportunities"
EDITED_FIELDS = ("name", "contact_id", "amount", "expected_close", "owner_id", "notes", "next_step", "source")


@dataclass
class ItemInput:
    description: str = ""
    product_id: int | None = None
    quantity: float = 1.0
    unit_price: int = 0  # money units


@dataclass
class OpportunityInput:
    customer_id: int
    name: str
    contact_id: int | None = None
    stage_id: int | None = None  # None: the first open stage (new) / unchanged (edit)
    amount: int = 0  # used only when there are no items
    items: list[ItemInput] | None = None  # None on edit: keep the stored items
    expected_close: dt.date | None = None
    owner_id: int | None = None  # None on create: the customer's owner, else the actor
    notes: str = ""
    next_step: str = ""
    source: str = ""
    lost_reason: str = ""  # needed when stage_id is a lost stage


@dataclass(frozen=True)
class ItemInfo:
    id: int
    product_id: int | None
    product_name: str
    description: str
    quantity: float
    unit_price: int
    amount: int


@dataclass(frozen=True)
class StageChangeInfo:
    changed_at: dt.datetime
    from_stage: str
    to_stage: str
    user_name: str
    note: str


@dataclass(frozen=True)
class OpportunityDetail:
    id: int
    customer_id: int
    customer_name: str
    contact_id: int | None
    name: str
    stage_id: int
    stage_name: str
    amount: int
    expected_close: dt.date | None
    owner_id: int | None
    owner_name: str
    notes: str
    next_step: str
    source: str
    opened_on: dt.date | None
    closed_on: dt.date | None
    lost_reason: str
    stage_changed_at: dt.datetime | None
    updated_at: dt.datetime | None
    items: tuple[ItemInfo, ...] = field(default_factory=tuple)
    history: tuple[StageChangeInfo, ...] = field(default_factory=tuple)

    def as_input(self) -> OpportunityInput:
        return OpportunityInput(
            customer_id=self.customer_id, name=self.name, contact_id=self.contact_id, stage_id=self.stage_id,
            amount=self.amount, expected_close=self.expected_close, owner_id=self.owner_id, notes=self.notes,
            next_step=self.next_step, source=self.source, lost_reason=self.lost_reason,
            items=[ItemInput(i.description, i.product_id, i.quantity, i.unit_price) for i in self.items])


def item_amount(quantity: float, unit_price: int) -> int:
    """quantity × unit price in money units, rounded half up (the quantity through its repr,
    so 0.1 is exactly a tenth)."""
    exact = Decimal(repr(float(quantity))) * int(unit_price)
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


def _get(session: Session, opportunity_id: int) -> Opportunity:
    opp = session.get(Opportunity, opportunity_id)
    if opp is None:
        raise NotFound(_("Opportunity {id} does not exist (any more)").format(id=opportunity_id))
    return opp


def _customer_owner(session: Session, customer_id: int) -> int | None:
    row = session.execute(select(Customer.owner_id).where(Customer.id == customer_id)).first()
    if row is None:
        raise NotFound(_("Customer {id} does not exist (any more)").format(id=customer_id))
    return row[0]


def _stage(session: Session, stage_id: int) -> OpportunityStage:
    stage = session.get(OpportunityStage, stage_id)
    if stage is None:
        raise NotFound(_("Stage {id} does not exist (any more)").format(id=stage_id))
    return stage


def first_open_stage_id(session: Session) -> int:
    stage_id = session.scalar(select(OpportunityStage.id)
                              .where(OpportunityStage.is_won.is_(False), OpportunityStage.is_lost.is_(False))
                              .order_by(OpportunityStage.sort_order, OpportunityStage.id).limit(1))
    if stage_id is None:
        raise ValidationError(_("There is no open pipeline stage; add one in Settings → Pipeline"))
    return stage_id


def _validate(session: Session, data: OpportunityInput) -> list[ItemInput] | None:
    problems = []
    if not data.name.strip():
        problems.append(_("The opportunity needs a name"))
    if data.contact_id is not None:
        contact = session.get(Contact, data.contact_id)
        if contact is None or contact.customer_id != data.customer_id:
            problems.append(_("That contact does not belong to this customer"))
    if data.owner_id is not None and session.get(User, data.owner_id) is None:
        problems.append(_("Unknown owner"))
    items = None
    if data.items is not None:
        items = [i for i in data.items if i.description.strip() or i.product_id is not None]
        for n, item in enumerate(items, 1):
            if item.quantity <= 0:
                problems.append(_("Item {n}: the quantity must be more than 0").format(n=n))
            if item.unit_price < 0:
                problems.append(_("Item {n}: the price cannot be negative").format(n=n))
            if item.product_id is not None and session.get(Product, item.product_id) is None:
                problems.append(_("Item {n}: unknown product").format(n=n))
    if not items and data.amount < 0:
        problems.append(_("The amount cannot be negative"))
    if problems:
        raise ValidationError(problems)
    return items


def _write_items(session: Session, opp: Opportunity, items: list[ItemInput]) -> int:
    """Replace the items; returns their total."""
    session.execute(delete(OpportunityItem).where(OpportunityItem.opportunity_id == opp.id))
    total = 0
    for n, item in enumerate(items):
        amount = item_amount(item.quantity, item.unit_price)
        total += amount
        session.add(OpportunityItem(opportunity_id=opp.id, product_id=item.product_id,
                                    description=item.description.strip(), quantity=float(item.quantity),
                                    unit_price=int(item.unit_price), amount=amount, sort_order=n))
    return total


def _item_count(session: Session, opportunity_id: int) -> int:
    return len(session.scalars(select(OpportunityItem.id)
                               .where(OpportunityItem.opportunity_id == opportunity_id)).all())


def create_opportunity(session: Session, actor: Actor, data: OpportunityInput,
                       from_interaction_id: int | None = None) -> Opportunity:
    """A new opportunity (audited); ``from_interaction_id`` links that contact-log entry to it."""
    require_customer(session, actor, data.customer_id, ACTION)
    customer_owner = _customer_owner(session, data.customer_id)
    items = _validate(session, data)
    stage = _stage(session, data.stage_id or first_open_stage_id(session))
    owner_id = data.owner_id or customer_owner or actor.user_id
    now = utcnow()
    opp = Opportunity(customer_id=data.customer_id, owner_id=owner_id, stage_id=stage.id, name=data.name.strip(),
                      amount=int(data.amount), expected_close=data.expected_close, opened_on=dt.date.today(),
                      source=data.source.strip(), notes=data.notes.strip(), contact_id=data.contact_id,
                      next_step=data.next_step.strip(), stage_changed_at=now)
    if stage.is_lost and not data.lost_reason.strip():
        raise ValidationError(_("Say why the opportunity was lost"))
    if stage.is_won or stage.is_lost:
        opp.closed_on = dt.date.today()
        opp.lost_reason = data.lost_reason.strip() if stage.is_lost else ""
    session.add(opp)
    session.flush()
    if items:
        opp.amount = _write_items(session, opp, items)
    session.add(OpportunityStageChange(opportunity_id=opp.id, from_stage_id=None, to_stage_id=stage.id,
                                       changed_at=now, user_id=actor.user_id, note=opp.lost_reason))
    audit.record(session, actor, "opportunities", opp.id, "create", "name", None, opp.name)
    if from_interaction_id is not None:
        entry = session.get(Interaction, from_interaction_id)
        if entry is None or entry.customer_id != data.customer_id:
            raise ValidationError(_("That contact-log entry does not belong to this customer"))
        audit.record(session, actor, "interactions", entry.id, "update", "opportunity_id",
                     entry.opportunity_id, opp.id)
        entry.opportunity_id = opp.id
    session.flush()
    return opp


def update_opportunity(session: Session, actor: Actor, opportunity_id: int, data: OpportunityInput,
                       loaded_updated_at: dt.datetime | None) -> Opportunity:
    """Save the form: refused if someone else saved it since ``loaded_updated_at``. A different
    ``stage_id`` moves it (``move_stage``)."""
    claim_for_save(session, Opportunity, opportunity_id)  # first: of two saves at once one wins
    opp = _get(session, opportunity_id)
    session.refresh(opp)
    require_customer(session, actor, opp.customer_id, ACTION)
    if data.customer_id != opp.customer_id:
        require_customer(session, actor, data.customer_id, ACTION)
    check_not_changed(opp.updated_at, loaded_updated_at, opp.name)
    items = _validate(session, data)
    before = {k: getattr(opp, k) for k in EDITED_FIELDS} | {"customer_id": opp.customer_id}
    opp.customer_id = data.customer_id
    opp.name = data.name.strip()
    opp.contact_id = data.contact_id
    opp.expected_close = data.expected_close
    opp.owner_id = data.owner_id if data.owner_id is not None else opp.owner_id
    opp.notes = data.notes.strip()
    opp.next_step = data.next_step.strip()
    opp.source = data.source.strip()
    if items is not None:
        old_count = _item_count(session, opp.id)
        if items or old_count:
            audit.record(session, actor, "opportunities", opp.id, "update", "items", old_count, len(items))
        total = _write_items(session, opp, items)  # also clears the old ones when none are left
        opp.amount = total if items else int(data.amount)
    elif not _item_count(session, opp.id):
        opp.amount = int(data.amount)
    after = {k: getattr(opp, k) for k in EDITED_FIELDS} | {"customer_id": opp.customer_id}
    audit.record_changes(session, actor, "opportunities", opp.id, before, after)
    opp.updated_at = utcnow()  # items live in another table: other open forms must notice
    if data.stage_id is not None and data.stage_id != opp.stage_id:
        move_stage(session, actor, opp.id, data.stage_id, data.lost_reason or None)
    session.flush()
    return opp


def move_stage(session: Session, actor: Actor, opportunity_id: int, stage_id: int,
               lost_reason: str | None = None) -> Opportunity:
    """Put the opportunity into ``stage_id``: a history row (the lost reason as its note),
    won/lost close it today, a lost stage needs a reason, leaving a closing stage reopens it."""
    opp = _get(session, opportunity_id)
    require_customer(session, actor, opp.customer_id, ACTION)
    target = _stage(session, stage_id)
    if target.id == opp.stage_id:
        return opp
    reason = (lost_reason or "").strip()
    if target.is_lost and not reason:
        raise ValidationError(_("Say why the opportunity was lost"))
    source = session.get(OpportunityStage, opp.stage_id)
    now = utcnow()
    session.add(OpportunityStageChange(opportunity_id=opp.id, from_stage_id=opp.stage_id, to_stage_id=target.id,
                                       changed_at=now, user_id=actor.user_id, note=reason if target.is_lost else ""))
    audit.record(session, actor, "opportunities", opp.id, "update", "stage",
                 source.name if source else opp.stage_id, target.name)
    opp.stage_id = target.id
    opp.stage_changed_at = now
    if target.is_won or target.is_lost:
        opp.closed_on = dt.date.today()
        opp.lost_reason = reason if target.is_lost else ""
        if target.is_lost:
            audit.record(session, actor, "opportunities", opp.id, "update", "lost_reason", None, reason)
    else:
        opp.closed_on = None
        opp.lost_reason = ""
    opp.updated_at = now
    session.flush()
    return opp


def stage_history(session: Session, actor: Actor, opportunity_id: int) -> list[StageChangeInfo]:
    opp = _get(session, opportunity_id)
    require_customer(session, actor, opp.customer_id, ACTION)
    names = dict(session.execute(select(OpportunityStage.id, OpportunityStage.name)).all())
    c = OpportunityStageChange
    rows = session.execute(select(c.changed_at, c.from_stage_id, c.to_stage_id, User.display_name, User.username,
                                  c.note)
                           .outerjoin(User, User.id == c.user_id)
                           .where(c.opportunity_id == opportunity_id).order_by(c.changed_at, c.id)).all()
    return [StageChangeInfo(at, names.get(f, "") if f else "", names.get(t, "") if t else "", dn or un or "", note)
            for at, f, t, dn, un, note in rows]


def get_opportunity(session: Session, actor: Actor, opportunity_id: int) -> OpportunityDetail:
    opp = _get(session, opportunity_id)
    require_customer(session, actor, opp.customer_id, ACTION)
    customer_name = session.scalar(select(Customer.name).where(Customer.id == opp.customer_id))
    stage = session.get(OpportunityStage, opp.stage_id)
    owner = session.get(User, opp.owner_id) if opp.owner_id else None
    i = OpportunityItem
    item_rows = session.execute(select(i.id, i.product_id, Product.name, i.description, i.quantity, i.unit_price,
                                       i.amount)
                                .outerjoin(Product, Product.id == i.product_id)
                                .where(i.opportunity_id == opp.id).order_by(i.sort_order, i.id))
    items = tuple(ItemInfo(iid, pid, pname or "", desc, qty, price, amount)
                  for iid, pid, pname, desc, qty, price, amount in item_rows)
    return OpportunityDetail(
        id=opp.id, customer_id=opp.customer_id, customer_name=customer_name or "",
        contact_id=opp.contact_id, name=opp.name, stage_id=opp.stage_id, stage_name=stage.name if stage else "",
        amount=int(opp.amount or 0), expected_close=opp.expected_close, owner_id=opp.owner_id,
        owner_name=(owner.display_name or owner.username) if owner else "", notes=opp.notes or "",
        next_step=opp.next_step or "", source=opp.source or "", opened_on=opp.opened_on, closed_on=opp.closed_on,
        lost_reason=opp.lost_reason or "", stage_changed_at=opp.stage_changed_at, updated_at=opp.updated_at,
        items=items, history=tuple(stage_history(session, actor, opp.id)))


def draft_from_interaction(session: Session, actor: Actor, interaction_id: int) -> OpportunityInput:
    """A new opportunity's fields prefilled from a contact-log entry (not saved)."""
    entry = session.get(Interaction, interaction_id)
    if entry is None:
        raise NotFound(_("Contact-log entry {id} does not exist (any more)").format(id=interaction_id))
    require_customer(session, actor, entry.customer_id, ACTION)
    notes = "\n".join(t for t in (entry.notes, entry.outcome) if t)
    name = entry.subject or (entry.notes.splitlines()[0][:60] if entry.notes else "")
    return OpportunityInput(customer_id=entry.customer_id, name=name, contact_id=entry.contact_id, notes=notes,
                            source=_("Contact log"))


def create_from_interaction(session: Session, actor: Actor, interaction_id: int,
                            data: OpportunityInput | None = None) -> Opportunity:
    """Create the opportunity (``data`` or the draft) and link the entry to it."""
    data = data or draft_from_interaction(session, actor, interaction_id)
    if not data.name.strip():
        data.name = _("Opportunity from contact log")
    return create_opportunity(session, actor, data, from_interaction_id=interaction_id)
