"""Make the CJK font crmdesk ships (crmdesk/resources/fonts/): WenQuanYi Micro Hei (Apache-2.0),
cut down with fontTools to what a shop's data and the app need — ASCII and Latin-1, GB2312
(6,763 hanzi and its symbols), CJK and full-width punctuation, and every character of the app's
own sources and catalogs. TrueType outlines, so Qt, matplotlib and reportlab (PDF embedding) all
read it.

    .venv/bin/python scripts/subset_cjk_font.py [/usr/share/fonts/truetype/wqy/wqy-microhei.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "crmdesk" / "resources" / "fonts" / "wqy-microhei-gb2312.ttf"
SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def gb2312_chars() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def app_chars() -> set[str]:
    chars = set()
    for pattern in ("*.py", "*.po", "*.toml", "*.csv"):
        for path in (ROOT / "crmdesk").rglob(pattern):
            chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if ord(c) >= 0x80}


def wanted() -> set[int]:
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x21FF),
              (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    codes = {c for lo, hi in ranges for c in range(lo, hi + 1)}
    codes |= {ord(c) for c in gb2312_chars() | app_chars()}
    return codes


def main(source: Path = SOURCE) -> None:
    font = TTCollection(str(source)).fonts[0] if source.suffix == ".ttc" else None
    tmp = OUT.with_suffix(".full.ttf")
    if font is not None:
        font.save(str(tmp))
        source = tmp
    options = subset.Options()
    options.hinting = False  # Latin hinting only; CJK glyphs carry none
    options.layout_features = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    full = subset.load_font(str(source), options)
    sub.populate(unicodes=wanted())
    sub.subset(full)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(full, str(OUT), options)
    tmp.unlink(missing_ok=True)
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1e6:.2f} MB, {len(full.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
