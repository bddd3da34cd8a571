"""The customer list model on its own: rows fetched in batches on demand, a bounded
cache, the head of a list extended in place, a failing fetch never breaking a paint."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt

from crmdesk.ui.customers import table_model
from crmdesk.ui.customers.columns import COLUMNS
from crmdesk.ui.customers.table_model import BATCH_SIZE, Column, CustomerTableModel


@dataclass
class Row:
    id: int
    name: str
    archived: bool = False
    is_incomplete: bool = False


class Fetcher:
    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    def __call__(self, ids):
        self.calls.append(list(ids))
        return {i: Row(i, f"客户{i}") for i in ids}


COLS = [Column("id", "Id"), Column("name", "Name")]


def test_rows_come_in_batches_on_demand(qtbot):
    fetch = Fetcher()
    model = CustomerTableModel(COLS, fetch)
    model.set_ids(list(range(1, 100_001)))
    assert model.rowCount() == 100_000 and fetch.calls == []
    assert model.data(model.index(0, 1)) == "客户1"
    assert model.data(model.index(BATCH_SIZE - 1, 1)) == f"客户{BATCH_SIZE}"
    assert len(fetch.calls) == 1 and len(fetch.calls[0]) == BATCH_SIZE
    assert model.data(model.index(50_000, 1)) == "客户50001"
    assert len(fetch.calls) == 2 and fetch.calls[1][0] == (50_000 // BATCH_SIZE) * BATCH_SIZE + 1
    assert model.data(model.index(3, 0), CustomerTableModel.ID_ROLE) == 4


def test_cache_is_bounded(qtbot, monkeypatch):
    monkeypatch.setattr(table_model, "MAX_CACHED_BATCHES", 3)
    fetch = Fetcher()
    model = CustomerTableModel(COLS, fetch)
    model.set_ids(list(range(10 * BATCH_SIZE)))
    for batch in range(6):
        model.display_row(batch * BATCH_SIZE)
    assert len(model._batches) == 3
    model.display_row(0)  # evicted: fetched again
    assert len(fetch.calls) == 7


def test_extend_ids_keeps_head_and_cache(qtbot):
    fetch = Fetcher()
    model = CustomerTableModel(COLS, fetch)
    model.set_ids([5, 6, 7])
    model.display_row(0)
    inserted = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.extend_ids([5, 6, 7, 8, 9])
    assert model.ids == [5, 6, 7, 8, 9] and inserted == [(3, 4)]
    assert len(fetch.calls) == 1 and model.fetch_count == 1  # cached rows kept
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.extend_ids([9, 8])  # a different head: replaced
    assert model.ids == [9, 8] and resets == [1]


def test_failed_fetch_shows_empty_cells(qtbot):
    def broken(_ids):
        raise RuntimeError("database is locked")

    model = CustomerTableModel(COLS, broken)
    model.set_ids([1, 2])
    assert model.data(model.index(0, 1)) is None


def test_money_and_greyed_rows(qtbot):
    @dataclass
    class Full:
        id: int = 1
        code: str = "KH1"
        name: str = "文具店"
        type_name: str = ""
        grade: str = ""
        status: str = "active"
        city: str = ""
        phone: str = ""
        mobile: str = ""
        owner_name: str = ""
        territory_name: str = ""
        balance: int = 12_345_600
        overdue: int = 0
        tags: tuple = ("批发", "月结")
        archived: bool = True
        is_incomplete: bool = False

    model = CustomerTableModel(COLUMNS, lambda ids: {1: Full()})
    model.set_ids([1])
    keys = [c.key for c in COLUMNS]
    assert model.data(model.index(0, keys.index("balance"))) == "1,234.56"
    assert model.data(model.index(0, keys.index("overdue"))) == ""
    assert model.data(model.index(0, keys.index("tags"))) == "批发、月结"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None
