"""The import contract: the kinds, their fields, and the header names that mean each field.

A field has a value type that decides how its cells are cleaned (``text``, ``code``,
``money``, ``number``, ``int``, ``date``). Synonyms are compared after
``header_key`` (NFKC — full-width letters, digits and brackets become half-width —, lower
case, no spaces, underscores, hyphens or punctuation, no trailing unit in brackets), so
``金额（元）``, ``Customer ID``, ``customer_id`` and ``订单 ID`` / ``订单ID`` all match. Earlier
synonyms win when two columns of one file mean the same field (含税金额 before 金额).

Beyond exact synonyms ``match_header`` finds a field by its parts (less sure, so it ranks
after every exact match): ``State/Province`` by either alternative, ``Order Quantity`` by its
last word after a neutral qualifier (order, product, customer …; never ``Shipping Cost``),
``商品条码`` by a synonym at the end after a neutral prefix (商品, 订单, 会员 …).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Expenses come last: a sync imports them after the sales whose orders they name.
KINDS = ("customers", "products", "sales", "receipts", "stock", "expenses")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text, code, money, number, int, date
    synonyms: tuple[str, ...] = ()


def _f(name: str, type_: str, synonyms: str) -> Field:
    return Field(name, type_, tuple(header_key(s) for s in synonyms.split("|") if s))


_UNIT_SUFFIX = re.compile(r"[(\[].*?[)\]]$")
_DROP = re.compile(r"[\s_\-*:#./\\,;'\"`、，。；：·・|]+")


def shown(text: object) -> str:
    """A header as a message may show it: control characters (a NEL or a NUL in a mis-decoded
    file would break the one-line message) become "?"."""
    return "".join("?" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in str(text))


def header_key(text: object) -> str:
    """A header name reduced to what identifies it (see module docstring)."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = _UNIT_SUFFIX.sub("", s)
    return _DROP.sub("", s)


_CUSTOMER_CODE = ("往来单位编号|客户编号|客户编码|客户代码|往来单位编码|单位编号|购货单位编码|客户id|会员号|会员编号|"
                  "会员卡号|customerid|customercode|customerno|clientid")
_CUSTOMER_NAME = ("往来单位全名|往来单位|往来单位名称|客户名称|客户全名|客户|购货单位|单位名称|会员名称|会员|"
                  "customername|customer|buyername|clientname")
_CUSTOMER_TYPE = "客户类型|客户类别|客户分类|细分|客户细分|segment|customersegment|customertype"
_SALESPERSON = "经手人全名|经手人|业务员|销售员|职员|收款员|收银员|营业员|导购|salesperson|salesrep|cashier"
_WAREHOUSE = "仓库全名|仓库|仓库名称|发货仓库|warehouse"
_PRODUCT_CODE = ("商品编号|存货编码|产品编码|物料代码|商品编码|存货编号|产品编号|物料编码|商品代码|货号|商品码|产品id|"
                 "商品id|productid|stockcode|productcode|sku|itemcode|itemid|itemno")
_PRODUCT_NAME = "商品全名|商品名称|存货名称|产品名称|物料名称|品名|商品|productname|description|itemname|product|item"
_SPEC = "规格型号|规格|型号|spec"
_UNIT = "单位|计量单位|计量单位名称|基本单位|unit|uom"
# 费用项目 and its kin: the header that makes a file an expenses file (``detect.detect_kind``).
EXPENSE_ITEM = "费用项目|费用名称|费用类别|费用类型|费用科目|支出项目|支出类别|收支项目|expenseitem|expensetype|expensecategory"
_CATEGORY = "产品分类|商品类别|存货分类名称|商品分类|存货分类|类别|分类|品类|category|productcategory|productline"

FIELDS: dict[str, tuple[Field, ...]] = {
    "customers": (
        _f("code", "code", _CUSTOMER_CODE + "|编号|code"),
        _f("name", "text", _CUSTOMER_NAME + "|名称|name|company"),
        _f("short_name", "text", "简称|客户简称|shortname"),
        _f("customer_type", "text", _CUSTOMER_TYPE + "|类型|type"),
        _f("grade", "text", "等级|客户等级|级别|grade|level"),
        _f("province", "text", "省份|省|地区|state|province|stateprovince"),
        _f("city", "text", "城市|市|city"),
        _f("district", "text", "区县|区|district"),
        _f("address", "text", "地址|联系地址|通讯地址|送货地址|address"),
        _f("phone", "text", "联系电话|电话|固定电话|phone|tel"),
        _f("mobile", "text", "手机|手机号|手机号码|移动电话|mobile"),
        _f("email", "text", "邮箱|电子邮件|email"),
        _f("tax_id", "code", "纳税号|税号|纳税人识别号|taxid"),
        _f("credit_limit", "money", "信用额度|creditlimit"),
        _f("payment_terms_days", "int", "信用天数|账期|账期天数|paymentterms|paymenttermsdays"),
        _f("contact_name", "text", "联系人|contact|contactname"),
        _f("salesperson", "text", _SALESPERSON),
        _f("notes", "text", "备注|notes|remark"),
    ),
    "products": (
        _f("code", "code", _PRODUCT_CODE + "|编号|code"),
        _f("name", "text", _PRODUCT_NAME + "|名称|name"),
        _f("spec", "text", _SPEC),
        _f("unit", "text", _UNIT),
        _f("category", "text", _CATEGORY),
        _f("brand", "text", "品牌|brand"),
        _f("barcode", "code", "条码|条形码|barcode"),
        _f("list_price", "money", "参考售价|零售价|售价|标准售价|销售单价|单价|listprice|price|unitprice"),
        _f("cost", "money", "最新成本|参考成本|成本价|成本单价|单位成本|进价|成本|cost|unitcost"),
        _f("reorder_point", "number", "安全库存|最低库存|库存下限|reorderpoint"),
        _f("lead_time_days", "int", "采购提前期|提前期|leadtime|leadtimedays"),
        _f("notes", "text", "备注|notes"),
    ),
    "sales": (
        _f("order_number", "code", "单据编号|单号|单据号|订单号|订单编号|销售单号|出库单号|发货单号|订单id|小票号|"
                                   "小票编号|流水号|销售流水号|orderid|ordernumber|orderno|invoice|invoiceno|"
                                   "invoiceid|invoicenumber|receiptno|transactionid"),
        _f("line_no", "int", "行号|明细行号|行id|rowid|lineno|line"),
        _f("order_date", "date", "录单日期|单据日期|订单日期|出库日期|销售日期|开单日期|业务日期|交易日期|销售时间|"
                                 "交易时间|日期|orderdate|invoicedate|purchasedate|transactiondate|date"),
        _f("doc_type", "text", "单据类型|业务类型|单据种类|doctype"),
        _f("customer_code", "code", _CUSTOMER_CODE),
        _f("customer_name", "text", _CUSTOMER_NAME),
        _f("customer_type", "text", _CUSTOMER_TYPE),
        _f("salesperson", "text", _SALESPERSON),
        _f("warehouse", "text", _WAREHOUSE),
        _f("product_code", "code", _PRODUCT_CODE),
        _f("product_name", "text", _PRODUCT_NAME),
        _f("spec", "text", _SPEC),
        _f("unit", "text", _UNIT),
        _f("category", "text", _CATEGORY),
        _f("brand", "text", "品牌|brand"),
        _f("quantity", "number", "数量|出库数量|销售数量|基本数量|quantity|qty|orderquantity|quantitypurchased|"
                                 "quantityordered"),
        _f("unit_price", "money", "含税单价|折后单价|成交价|成交单价|实际单价|销售单价|单价|售价|零售价|unitprice|"
                                  "price|saleprice"),
        _f("amount", "money", "含税金额|价税合计|折后金额|销售金额|成交金额|销售额|金额|销售收入|sales|amount|"
                              "salesamount|itemprice|total"),
        _f("cost_amount", "money", "成本金额|销售成本|成本|成本总额|cost|costamount|cogs"),
        _f("unit_cost", "money", "单位成本|成本单价|成本价|进价|进货价|unitcost"),
        _f("profit", "money", "销售毛利|毛利|毛利额|利润|profit|grossprofit|grossincome"),
        _f("province", "text", "省份|省|省自治区|state|province|stateprovince|shipstate"),
        _f("city", "text", "城市|city|shipcity"),
        _f("notes", "text", "摘要|备注|notes|remark"),
    ),
    "receipts": (
        _f("number", "code", "收款单号|收款单编号|单据编号|单号|单据号|receiptno|receiptnumber|number"),
        _f("receipt_date", "date", "收款日期|录单日期|单据日期|日期|receiptdate|date"),
        _f("customer_code", "code", _CUSTOMER_CODE),
        _f("customer_name", "text", _CUSTOMER_NAME),
        _f("amount", "money", "收款金额|实收金额|本次收款|金额|amount"),
        _f("method", "text", "收款方式|结算方式|付款方式|结算账户|账户|method"),
        _f("order_number", "code", "源单号|源单编号|关联单号|销售单号|订单号|ordernumber|orderid"),
        _f("notes", "text", "摘要|备注|notes"),
    ),
    "stock": (
        _f("product_code", "code", _PRODUCT_CODE),
        _f("product_name", "text", _PRODUCT_NAME),
        _f("spec", "text", _SPEC),
        _f("unit", "text", _UNIT),
        _f("category", "text", _CATEGORY),
        _f("warehouse", "text", _WAREHOUSE),
        _f("quantity", "number", "库存数量|结存数量|现存量|现存数量|可用库存量|库存量|期末数量|结存|库存|数量|"
                                 "stock|onhand|quantity|qty"),
        _f("cost_value", "money", "库存金额|结存金额|期末金额|库存成本|成本金额|金额|stockvalue|value"),
        _f("unit_cost", "money", "成本单价|单位成本|成本价|单价|unitcost"),
        _f("snapshot_date", "date", "盘点日期|截止日期|库存日期|日期|snapshotdate|date"),
    ),
    "expenses": (  # 费用单 / 费用明细 (one line per expense)
        _f("doc_number", "code", "单据编号|单号|单据号|费用单号|报销单号|凭证号|documentno|docno|documentnumber|number"),
        _f("line_no", "int", "行号|明细行号|lineno|line"),
        _f("expense_date", "date", "日期|录单日期|单据日期|费用日期|发生日期|业务日期|报销日期|expensedate|date"),
        _f("item", "text", EXPENSE_ITEM + "|item"),
        _f("amount", "money", "金额|费用金额|支出金额|报销金额|amount|total"),
        _f("customer_code", "code", _CUSTOMER_CODE),
        _f("customer_name", "text", _CUSTOMER_NAME),
        _f("salesperson", "text", _SALESPERSON),
        _f("order_number", "code", "订单号|关联单号|源单号|源单编号|销售单号|订单编号|ordernumber|orderid|orderno"),
        _f("product_code", "code", _PRODUCT_CODE),
        _f("product_name", "text", _PRODUCT_NAME),
        _f("brand", "text", "品牌|brand"),
        _f("notes", "text", "备注|摘要|说明|notes|remark"),
    ),
}

# What a file needs so that rows can be stored; alternatives in a tuple (any one suffices).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "customers": (("code", "name"),),
    "products": (("code",),),
    "sales": (("order_number",), ("order_date",), ("product_code", "product_name"), ("quantity", "amount")),
    "receipts": (("number",), ("receipt_date",), ("customer_code", "customer_name"), ("amount",)),
    "stock": (("product_code",), ("quantity",)),
    "expenses": (("doc_number",), ("expense_date",), ("item",), ("amount",)),
}

# Weak synonyms (``编号``, ``name`` …) map a column once the kind is known but never decide the kind.
_WEAK = {header_key(s) for s in ("编号", "名称", "code", "name", "company", "类型", "type", "number", "date",
                                 "日期", "数量", "quantity", "qty", "金额", "amount", "单位", "unit", "total",
                                 "item", "商品", "会员")}


def field_map(kind: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS[kind]}


# Qualifiers that leave a field's meaning alone: "Order Quantity" is the quantity, "商品条码" the
# barcode. Anything else changes it ("Shipping Cost" is no cost of goods, 发货日期 no order date).
_NEUTRAL_WORDS = {"order", "product", "item", "customer", "client", "sales", "sale", "line", "invoice",
                  "transaction", "total", "net", "unit", "goods", "stock", "member", "buyer"}
_NEUTRAL_PREFIXES = ("商品", "产品", "订单", "销售", "客户", "会员", "单据", "本单", "实际", "货品", "存货", "物料")
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
EXACT, PART = 1.0, 0.7  # confidence of an exact synonym / a match by parts


def words(header: object) -> list[str]:
    """English words of a header: split at spaces, punctuation and camelCase (``OrderQuantity``)."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    text = _UNIT_SUFFIX.sub("", text.strip())
    return [w.lower() for w in _WORD.findall(text)]


def match_header(kind: str, header: object) -> tuple[str, int, float, str]:
    """(field, rank, confidence, how) for one header, or ("", 0, 0.0, "") when nothing fits.
    ``rank`` orders candidates for one field: exact synonyms by their place, matches by parts
    after every exact one. ``how`` says why, for the mapping report."""
    key = header_key(header)
    if not key:
        return "", 0, 0.0, ""
    fields = FIELDS[kind]
    for f in fields:
        if key in f.synonyms:
            return f.name, f.synonyms.index(key), EXACT, "synonym"
    text = unicodedata.normalize("NFKC", str(header))
    if "/" in text:  # State/Province, 省/自治区: either alternative names the field
        for part in text.split("/"):
            name, rank, _conf, _how = match_header(kind, part)
            if name:
                return name, 500 + rank, 0.9, "alternative"
    found = _by_words(fields, words(text)) or _by_suffix(fields, key)
    if found:
        f, synonym = found
        return f.name, 1000 + f.synonyms.index(synonym), PART, synonym
    return "", 0, 0.0, ""


def _by_words(fields: tuple[Field, ...], ws: list[str]) -> tuple[Field, str] | None:
    """The last word (or last two joined) is a synonym and every word before it is neutral."""
    for take in (2, 1):
        if len(ws) <= take:
            continue
        head, qualifiers = "".join(ws[-take:]), ws[:-take]
        if not all(w in _NEUTRAL_WORDS for w in qualifiers):
            continue
        for f in fields:
            if head in f.synonyms:
                return f, head
    return None


def _by_suffix(fields: tuple[Field, ...], key: str) -> tuple[Field, str] | None:
    """A Chinese header that is a neutral prefix + a synonym of two or more characters."""
    for prefix in _NEUTRAL_PREFIXES:
        if key.startswith(prefix) and len(key) - len(prefix) >= 2:
            rest = key[len(prefix):]
            for f in fields:
                if rest in f.synonyms:
                    return f, rest
    return None


def propose_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Column header → field name for ``kind``; each field taken by its best-ranked column."""
    best: dict[str, tuple[int, str]] = {}
    for header in headers:
        name, rank, _conf, _how = match_header(kind, header)
        if name and (name not in best or rank < best[name][0]):
            best[name] = (rank, header)
    return {header: name for name, (_rank, header) in best.items()}


def missing_required(kind: str, mapped_fields: set[str]) -> list[str]:
    """The required fields (``a/b`` for alternatives) that ``mapped_fields`` lacks. A sales file
    that names no product but has a category books one product per category (derive)."""
    return ["/".join(alts) for alts in REQUIRED[kind] if not any(a in mapped_fields for a in alts)
            and not (kind == "sales" and "product_code" in alts and "category" in mapped_fields)]


def strong_hits(kind: str, headers: list[str]) -> int:
    """How many headers identify a field of ``kind`` by a specific (not generic) name."""
    names = {header_key(h) for h in headers}
    return sum(1 for f in FIELDS[kind] if any(s in names and s not in _WEAK for s in f.synonyms))


def all_synonyms() -> set[str]:
    return {s for fields in FIELDS.values() for f in fields for s in f.synonyms}
