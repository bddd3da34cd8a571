"""Writing an address-book plan (services.address_book): matched cards into their customers, new
customers only for the ticked cards, in the caller's one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor
from crmdesk.services.customers import CustomerInput, create_customer
from crmdesk.services.vcard import card_input, merge_into_customer

@dataclass
class ApplyResult:
    added: int = 0  # contacts
    updated: int = 0
    same: int = 0  # already there, nothing new
    customers_created: int = 0
    not_imported: int = 0  # unmatched cards, cards without a name, new-customer cards not ticked
    problems: list[str] = field(default_factory=list)



_COUNTERS = {"added": "added", "updated": "updated", "skipped": "same"}


def apply_plan(session: Session, actor: Actor, plan, ticked: set[int]) -> ApplyResult:
    result = ApplyResult(problems=list(plan.problems))
    created: dict[int, int] = {}  # first card offering the company → new customer id
    for match, card in zip(plan.cards, plan.source_cards, strict=True):
        result.problems += match.problems
        if not match.name:
            result.not_imported += 1
            continue
        if match.outcome == "matched":
            customer_id = match.customer_id
        elif match.outcome == "new_customer" and match.index in ticked:
            key = plan.company_group.get(match.index, match.index)
            if key not in created:
                customer = create_customer(session, actor, CustomerInput(name=match.customer_name.strip()[:200]))
                created[key] = customer.id
                result.customers_created += 1
            customer_id = created[key]
        else:
            result.not_imported += 1
            continue
        outcome = merge_into_customer(session, actor, customer_id, card_input(card))
        name = _COUNTERS[outcome]
        setattr(result, name, getattr(result, name) + 1)
    return result
