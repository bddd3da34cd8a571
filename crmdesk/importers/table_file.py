"""Contacts and contact-log files (CSV/TXT/XLSX/XLS) read with the importer's readers (encoding
detection, title lines, hostile-file guards), then handed to the services as rows: services never
open files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crmdesk.importers.reading import ReadError, open_source
from crmdesk.services.actor import Actor
from crmdesk.services.contact_io import ImportResult, TableFile, import_contacts
from crmdesk.services.contact_log_import import import_contact_log
from crmdesk.services.customer_errors import CustomerError


def read_table(path: Path | str) -> TableFile:
    """The file's first non-blank row as headers and the non-blank rows below it, as text."""
    try:
        source = open_source(path)
        first = next((i for i, row in enumerate(source.head(), start=1) if any(c.strip() for c in row)), None)
        if first is None:
            return TableFile(Path(path).name, [], [])
        headers, frame, numbers = source.body(first)
    except ReadError as exc:
        raise CustomerError(str(exc)) from exc
    rows: list[tuple[int, list[str]]] = []
    for number, values in zip(numbers.tolist(), frame.itertuples(index=False, name=None), strict=True):
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            rows.append((int(number), cells))
    return TableFile(Path(path).name, [str(h).strip() for h in headers], rows)


def import_contacts_file(session: Session, actor: Actor, path: Path | str,
                         customer_id: int | None = None) -> ImportResult:
    return import_contacts(session, actor, read_table(path), customer_id=customer_id)


def import_contact_log_file(session: Session, actor: Actor, path: Path | str) -> ImportResult:
    return import_contact_log(session, actor, read_table(path))
