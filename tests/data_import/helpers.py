"""Small export files for the import tests, written at run time (nothing binary committed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

GJP_HEADER = "录单日期,单据编号,单据类型,往来单位编号,往来单位全名,经手人全名,仓库全名,商品编号,商品全名,单位,数量,含税单价,含税金额,成本金额"

# A 管家婆-style sales export with the usual quirks: title and period lines, a blank line,
# every date form, ¥ and thousands separators, a full-width digit, padded names, an empty
# zero, a 销售退货单 with positive quantities, a negative-quantity return, a 合计 footer.
GJP_SALES = "\n".join([
    "销售明细表",
    "期间：2024年3月1日 至 2024年3月31日",
    "",
    GJP_HEADER,
    '2024/3/7,XS-001,销售单,C001, 广州文具店 ,张三,总店,P001,得力中性笔,支,10,￥2.50,"￥1,234.50",1000',
    "2024-03-07,XS-001,销售单,C001,广州文具店,张三,总店,P002,晨光笔记本,本,５,3.00,15.00,",
    "",
    "2024年3月8日,XS-002,销售退货单,C002,深圳办公,李四,总店,P001,得力中性笔,支,2,2.50,5.00,4.00",
    "45360,XS-003,销售单,C001,广州文具店,张三,总店,P003,订书机,个,-1,20,-20,-15",
    '合计,,,,,,,,,,16,,"1,234.50",',
    "",
])


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = Path(folder) / name
    path.write_bytes(text.encode(encoding))
    return path


def dump(db) -> list[str]:
    """Every row of every table, for 'the database did not change' checks — but the change feed's
    (``change_feed``, ``change_log``): any commit moves it, a recorded batch's too."""
    con = sqlite3.connect(db.file_path)
    try:
        return [line for line in con.iterdump()
                if not line.startswith(('INSERT INTO "change_feed"', 'INSERT INTO "change_log"'))]
    finally:
        con.close()


def scalar(db, sql: str, **params):
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def rows(db, sql: str, **params) -> list[tuple]:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]
