"""The shop's own details, set once in Settings and printed on every statement (对账单):
name, address, phone, the bank account customers pay into, and a footer line.

Kept as rows of the ``settings`` table (``shop.*`` keys) so that the headless CLI prints the
same statement as the GUI. Anyone may read them; changing them needs ``settings.edit`` and
is audited field by field.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmdesk.db.models import Setting
from crmdesk.i18n import _
from crmdesk.services.actor import Actor
from crmdesk.services.customer_errors import ValidationError
from crmdesk.services.permissions import require
from crmdesk.services.settings_store import write_setting

PREFIX = "shop."
MAX_LENGTHS = {"name": 100, "address": 200, "phone": 60, "bank_account": 200, "footer": 500}


@dataclass(frozen=True)
class ShopDetails:
    name: str = ""
    address: str = ""
    phone: str = ""
    bank_account: str = ""  # bank and account number, as printed: "工商银行杭州文三路支行 6222 …"
    footer: str = ""  # the statement's last line, e.g. how to query a difference

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(PREFIX + name for name in MAX_LENGTHS)


def load_shop(session: Session) -> ShopDetails:
    stored = dict(session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(ShopDetails.keys()))).all())
    return ShopDetails(**{name: (stored.get(PREFIX + name) or "") for name in MAX_LENGTHS})


def save_shop(session: Session, actor: Actor, details: ShopDetails) -> int:
    """Store ``details``; returns how many values changed."""
    require(actor, "settings.edit")
    values = {k: (v or "").strip() for k, v in asdict(details).items()}
    problems = [_("{field}: at most {n} characters").format(field=_(k.replace("_", " ").capitalize()), n=n)
                for k, n in MAX_LENGTHS.items() if len(values[k]) > n]
    if problems:
        raise ValidationError(problems)
    before = asdict(load_shop(session))
    changed = 0
    for name, value in values.items():
        if before[name] == value:
            continue
        write_setting(session, actor, PREFIX + name, value)
        changed += 1
    session.flush()
    return changed
