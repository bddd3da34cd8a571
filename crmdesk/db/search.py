"""Customer text search, backend-neutral for callers.

``customer_text_condition`` turns query words into a WHERE condition on customers. On SQLite,
migration 0003 adds ``customers_search_keys`` (a narrow copy of id + search_text) and
``customers_search`` (an FTS5 trigram index over it), both kept by triggers: words of three or
more characters use the index, shorter ones scan the narrow copy. Other databases use
``LIKE '%word%'`` on ``customers.search_text``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, bindparam, func, literal_column, or_, text
from sqlalchemy.orm import Session

from crmdesk.db.models import Customer

FTS_TABLE = "customers_search"
# The leading characters of search_text (the name's full pinyin, about a dozen characters' worth)
# that ix_customers_archived_sort holds (migration 0010 writes the same 48).
SORT_PREFIX = 48


def customer_name_order() -> ColumnElement:
    """Customers in pinyin order of their names: search_text starts with the name's full pinyin.
    Literal arguments, so that SQLite matches the expression to ix_customers_archived_sort."""
    return func.substr(Customer.search_text, literal_column("1"), literal_column(str(SORT_PREFIX)))
KEYS_TABLE = "customers_search_keys"
TRIGRAM = 3

# engine URL → whether the FTS table exists (checked once per engine).
_fts_available: dict[str, bool] = {}

def has_fts(session: Session) -> bool:
    bind = session.get_bind()
    key = bind.url.render_as_string(hide_password=False)
    found = _fts_available.get(key)
    if found is None:
        found = bind.dialect.name == "sqlite" and len(session.execute(
            text("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (:a, :b)"),
            {"a": FTS_TABLE, "b": KEYS_TABLE}).all()) == 2
        _fts_available[key] = found
    return found


def forget_cached_schema() -> None:
    """Tests that create and drop the index call this."""
    _fts_available.clear()


def customer_word_or_pattern_condition(session: Session, word: str, pattern: str) -> ColumnElement[bool]:
    """Customers whose search text contains ``word`` or matches the LIKE ``pattern`` (built by
    the caller, not escaped). On SQLite both id lists come from one UNION, so the planner keeps
    using the primary key instead of testing two subqueries on every customer."""
    word = word.lower()
    if not has_fts(session):
        return or_(Customer.search_text.contains(word, autoescape=True), Customer.search_text.like(pattern))
    if len(word) >= TRIGRAM:
        first = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :word"
        value = _fts_phrase(word)
    else:
        first = f"SELECT id FROM {KEYS_TABLE} WHERE instr(search_text, :word) > 0"
        value = word
    return Customer.id.in_(text(f"{first} UNION SELECT id FROM {KEYS_TABLE} WHERE search_text LIKE :pattern")
                           .bindparams(bindparam("word", value, unique=True),
                                       bindparam("pattern", pattern, unique=True)))


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def customer_text_condition(session: Session, words: list[str]) -> ColumnElement[bool]:
    """Customers whose search text contains every word (substring, case-insensitive; words lower-cased)."""
    words = [w.lower() for w in words if w]
    if not words or not has_fts(session):
        return and_(*(Customer.search_text.contains(w, autoescape=True) for w in words))
    conds: list[ColumnElement[bool]] = []
    long_words = [w for w in words if len(w) >= TRIGRAM]
    if long_words:
        match = " AND ".join(_fts_phrase(w) for w in long_words)
        # unique=True: several of these conditions may sit in one statement.
        conds.append(Customer.id.in_(
            text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :fts_match")
            .bindparams(bindparam("fts_match", match, unique=True))))
    short = [w for w in words if len(w) < TRIGRAM]
    if short:
        # One scan of the narrow table for all short words; instr() is a plain substring test,
        # faster than LIKE and needing no escaping.
        tests = " AND ".join(f"instr(search_text, :short_{i}) > 0" for i in range(len(short)))
        params = [bindparam(f"short_{i}", w, unique=True) for i, w in enumerate(short)]
        conds.append(Customer.id.in_(text(f"SELECT id FROM {KEYS_TABLE} WHERE {tests}").bindparams(*params)))
    return and_(*conds)
