"""Database layer: models, engine/sessions, migrations, backup."""

from crmdesk.db.engine import Database, connect, to_url
from crmdesk.db.migrate import open_database

__all__ = ["Database", "connect", "open_database", "to_url"]
