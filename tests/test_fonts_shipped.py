"""The CJK font crmdesk ships covers what a shop's data and the app show, and is what Qt,
matplotlib and the PDF statement fall back to. Run twice: here, and by test_fonts_no_cjk.py on a
machine without a CJK font (CRMDESK_TEST_NO_CJK=1), where it must be the font in use."""

from __future__ import annotations

import os
from pathlib import Path

from fontTools.ttLib import TTFont

from crmdesk.cjk_font import SHIPPED_FAMILY, font_files, shipped_font

NO_CJK = os.environ.get("CRMDESK_TEST_NO_CJK") == "1"
LOCALE = Path(__file__).resolve().parents[1] / "crmdesk" / "locale" / "zh_CN"


def _gb2312_hanzi() -> set[str]:
    # Levels 1 and 2 of GB2312: rows 0xB0-0xF7 (6,763 hanzi).
    chars = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def test_the_shipped_font_has_every_gb2312_hanzi_and_every_catalog_character():
    path = shipped_font()
    assert path is not None and path.stat().st_size < 3_000_000
    assert (path.parent / "LICENSE-Apache-2.0.txt").is_file()
    cmap = TTFont(str(path)).getBestCmap()
    hanzi = _gb2312_hanzi()
    assert len(hanzi) == 6763
    catalog_chars = {c for po in LOCALE.glob("*.po") for c in po.read_text(encoding="utf-8")
                     if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"}
    assert catalog_chars, "no zh_CN catalogs found"
    missing = sorted(c for c in hanzi | catalog_chars | set("，。：；（）《》、！？¥") if ord(c) not in cmap)
    assert missing == []
    assert "A" in {chr(c) for c in cmap} and ord("0") in cmap


def test_the_shipped_font_is_the_last_resort_of_the_font_files():
    files = [path for path, _ in font_files()]
    assert files[-1] == shipped_font()
    if NO_CJK:
        assert files == [shipped_font()]


def test_matplotlib_draws_chinese_with_a_font_that_has_the_glyphs():
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    from crmdesk.charts.fonts import configure_matplotlib, installed_cjk_families

    found = configure_matplotlib()
    assert SHIPPED_FAMILY in found
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_title("客户毛利排行")
    used = font_manager.findfont(ax.title.get_fontproperties(), fallback_to_default=False)
    font = font_manager.get_font(used)
    assert all(font.get_char_index(ord(c)) for c in "客户毛利排行")
    assert font_manager.FontProperties(fname=used).get_name() in installed_cjk_families()
    if NO_CJK:
        assert Path(used).resolve() == shipped_font().resolve()


def test_qt_gets_a_cjk_font_with_the_glyphs(qapp):
    from PySide6.QtGui import QFont, QFontDatabase, QRawFont

    from crmdesk.ui.qt_fonts import apply_cjk_font, installed_cjk_families

    families = apply_cjk_font(qapp)
    cjk = [f for f in families if f in installed_cjk_families() or f == SHIPPED_FAMILY]
    assert cjk, families
    raw = QRawFont.fromFont(QFont(cjk[0]))
    assert all(raw.supportsCharacter(ord(c)) for c in "客户管理登录")
    if NO_CJK:
        assert SHIPPED_FAMILY in QFontDatabase.families()


def test_the_pdf_statement_embeds_a_truetype_cjk_font():
    from crmdesk.reports.statement_pdf import CID_FONT, register_font

    name = register_font(True)
    assert name != CID_FONT
    if NO_CJK:
        assert name == f"crmdesk-cjk-{shipped_font().stem}"
