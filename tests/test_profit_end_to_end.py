"""Issue 15's "done when", end to end through the importers: a 进销存 export set — customers,
a GBK sales detail with cost, a GBK 费用明细 with 往来单位 and shop overheads — imported as files,
then `report profit --by customer`: each customer's direct expenses equal the file's lines for
it, profit = gross profit − direct − allocated on every row, and every yuan of the expenses file is
accounted for (direct + allocated + the overhead row = the file's 合计)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from data_import.helpers import write

from crmdesk.importers import import_file
from crmdesk.money import to_units
from crmdesk.reports.access import run_report
from crmdesk.reports.filters import ReportFilters

CUSTOMERS = "\n".join([
    "客户编号,客户名称,客户类型,联系电话",
    "KH001,广州华通文具店,零售客户,020-1111",
    "KH002,佛山南海办公批发部,经销商,0757-2222",
    "KH003,深圳第一小学,直销客户,0755-3333",
    "",
])
HEADER = "录单日期,单据编号,单据类型,往来单位编号,往来单位全名,经手人全名,仓库全名,商品编号,商品全名,单位,数量,含税单价,含税金额,成本金额"
SALES = "\n".join([
    "销售明细表",
    "期间：2024年3月1日 至 2024年3月31日",
    "",
    HEADER,
    "2024-03-02,XS-001,销售单,KH001,广州华通文具店,张三,总店,P001,得力中性笔,支,100,2.50,250.00,180.00",
    "2024-03-03,XS-002,销售单,KH002,佛山南海办公批发部,李四,总店,P002,晨光笔记本,本,500,3.00,1500.00,1200.00",
    "2024-03-03,XS-002,销售单,KH002,佛山南海办公批发部,李四,总店,P001,得力中性笔,支,200,2.40,480.00,360.00",
    "2024-03-05,XS-003,销售单,KH003,深圳第一小学,张三,总店,P003,订书机,个,20,25.00,500.00,300.00",
    '合计,,,,,,,,,,820,,"2,730.00","2,040.00"',
    "",
])
EXPENSES = "\n".join([
    "费用明细表",
    "查询期间：2024-03-01 至 2024-03-31",
    "",
    "日期,单据编号,费用项目,金额,往来单位,经手人,订单号,备注",
    "2024-03-03,FY-01,运费,45.00,KH002,李四,,送货",
    "2024-03-04,FY-02,返利,150.00,佛山南海办公批发部,李四,,季度返利",
    "2024-03-05,FY-03,招待费,88.80,,,XS-003,学校采购",
    "2024-03-31,FY-04,房租,300.00,,,,三月房租",
    "2024-03-31,FY-05,仓储费,40.00,,,,仓库",
    "2024-03-31,FY-06,其他,12.34,,,,杂费",
    '合计,,,"636.14",,,,',
    "",
])
DIRECT = {"KH002": "195.00", "KH003": "88.80", "KH001": "0"}
FILE_TOTAL = "636.14"


@pytest.fixture
def shop(db, owner, tmp_path):
    for name, text, kind in (("客户.csv", CUSTOMERS, "customers"), ("销售明细.csv", SALES, "sales"),
                             ("费用明细.csv", EXPENSES, "expenses")):
        result = import_file(db, owner, write(tmp_path, name, text, "gbk"), kind=kind)
        assert result.status == "done" and result.rejected == 0, (name, result.message)
    return db


def test_profit_by_customer_accounts_for_every_expense(shop, owner):
    with shop.sessions() as s:
        df = run_report(s, owner, "profit", ReportFilters(), {"by": "customer"})
    rows = df.set_index("customer")
    for code, direct in DIRECT.items():
        assert to_units(Decimal(str(rows.loc[code, "direct_expenses"]))) == to_units(direct), code
    for _key, r in rows.iterrows():
        gp = to_units(Decimal(str(r["gross_profit"])))
        assert to_units(Decimal(str(r["profit"]))) == gp - to_units(Decimal(str(r["direct_expenses"]))) \
            - to_units(Decimal(str(r["allocated_expenses"])))
    accounted = sum(to_units(Decimal(str(v))) for v in rows["direct_expenses"]) + \
        sum(to_units(Decimal(str(v))) for v in rows["allocated_expenses"])
    assert accounted == to_units(FILE_TOTAL)  # the overhead row (其他: not allocated) included
    assert to_units(Decimal(str(rows.loc["(overhead)", "allocated_expenses"]))) == to_units("12.34")
    assert to_units(Decimal(str(rows["revenue"].sum()))) == to_units("2730.00")
    assert to_units(Decimal(str(rows["cost"].sum()))) == to_units("2040.00")
