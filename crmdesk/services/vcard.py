"""vCard 3.0 export and import of contacts (vobject), Chinese names included."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.services.actor import Actor
from crmdesk.services.contacts import ContactInfo, ContactInput


@dataclass
class VCardImportResult:
    added: int = 0
    skipped: int = 0  # already there (same name and phone/mobile)
    problems: list[str] = field(default_factory=list)  # "card 3: no name"


def contacts_to_vcard(contacts: list[ContactInfo], organisations: dict[int, str] | None = None) -> str:
    """vCard 3.0 text for these contacts; ``organisations`` maps customer id → company name (ORG)."""
    raise NotImplementedError


def export_vcards(session: Session, actor: Actor, customer_ids: list[int], path: Path | str) -> int:
    """Write the contacts of these customers to a .vcf file (UTF-8); returns how many cards."""
    raise NotImplementedError


def parse_vcards(text: str) -> tuple[list[ContactInput], list[str]]:
    """Contacts read from vCard text (2.1/3.0/4.0), and one problem message per unreadable card."""
    raise NotImplementedError


def import_vcards(session: Session, actor: Actor, customer_id: int, source: Path | str) -> VCardImportResult:
    """Add the cards of a .vcf file (path) as contacts of one customer."""
    raise NotImplementedError
