"""Address-book files for services.address_book: .vcf files read by services.vcard_read from their
bytes, CSV/XLSX address books (Google, Outlook, Chinese phone exporters) read with the importer's
table reader and recognised by services.contact_csv_layouts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.importers.table_file import read_table
from crmdesk.services.actor import Actor
from crmdesk.services.address_book import AddressBookPlan, BookFile, book_from_csv, book_from_vcards, plan_address_book
from crmdesk.services.contact_csv_layouts import read_csv_book
from crmdesk.services.customer_errors import CustomerError
from crmdesk.services.vcard import read_file

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")
DEFAULT_FALLBACK = "gb18030"  # vCard lines that are neither UTF-8 nor declare a CHARSET


def read_address_book(path: Path | str, encoding: str | None = None) -> BookFile:
    """One file; a file that cannot be read comes back with ``error`` set (never raises for it)."""
    path = Path(path)
    try:
        if path.suffix.lower() in TABLE_SUFFIXES:
            table = read_table(path)
            return book_from_csv(table, read_csv_book(table.headers, table.rows))
        return book_from_vcards(path.name, read_file(path, encoding or DEFAULT_FALLBACK))
    except (CustomerError, OSError) as exc:
        return BookFile(name=path.name, layout="", error=f"{path.name}: {exc}" if path.name not in str(exc)
                        else str(exc))


def read_address_books(paths: list[Path | str], encoding: str | None = None) -> list[BookFile]:
    return [read_address_book(p, encoding) for p in paths]


def plan_files(session: Session, actor: Actor, paths: list[Path | str], encoding: str | None = None) -> AddressBookPlan:
    """plan_address_book over files: what the CLI's ``--match`` and the UI's preview use."""
    return plan_address_book(session, actor, read_address_books(paths, encoding))
