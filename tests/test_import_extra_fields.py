"""Rows with more fields than the header: pandas would drop the extra fields with only a warning
on stderr. A trailing separator (empty extra field, as Thunderbird writes) is harmless; a filled
extra field refuses the file, naming the row."""

from __future__ import annotations

import pytest

from crmdesk.importers.reading import ReadError
from crmdesk.services.customer_errors import CustomerError

HEADER = "客户名称,商品名称,数量,金额\n"


def test_trailing_separator_is_read_without_a_word(tmp_path):
    from crmdesk.importers.table_file import read_table

    path = tmp_path / "trailing.csv"
    path.write_text(HEADER + "华强文具店,晨光中性笔,10,25.00,\n" * 3, encoding="utf-8")
    table = read_table(path)
    assert table.headers[:4] == ["客户名称", "商品名称", "数量", "金额"] and len(table.rows) == 3


def test_a_filled_extra_field_refuses_the_file_naming_the_row(tmp_path):
    from crmdesk.importers.table_file import read_table

    path = tmp_path / "extra.csv"
    path.write_text(HEADER + "华强文具店,晨光中性笔,10,25.00,\n" + "华强文具店,晨光中性笔,10,25.00,备注丢了\n",
                    encoding="utf-8")
    with pytest.raises(CustomerError, match=r"extra.csv, row 3"):
        read_table(path)


def test_the_first_row_longer_than_the_header_is_not_cut_silently(tmp_path):
    """pandas warns (and drops the field) only when the first data row is the long one."""
    from crmdesk.importers.reading import open_source

    path = tmp_path / "first.csv"
    path.write_text(HEADER + "华强文具店,晨光中性笔,10,25.00,备注丢了\n" + "华强文具店,晨光中性笔,10,25.00\n",
                    encoding="utf-8")
    with pytest.raises(ReadError, match=r"first.csv, row 2"):
        open_source(path).body(1)
