"""`make test` on a fresh machine without a CJK font: the chart and font tests run in a child
process that sees no Chinese font — fontconfig pointed at an empty font folder, matplotlib's font
list cached without any CJK font (as when the cache predates a font, or there is none), and the
known system CJK files hidden — and must still pass on the font crmdesk ships."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

from matplotlib import font_manager

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/test_charts_cjk.py", "tests/test_fonts_shipped.py"]

RUN_WITHOUT_SYSTEM_CJK = """
import sys
import crmdesk.cjk_font as cjk
cjk.SYSTEM_FONT_FILES = ()  # as if no CJK font file were installed
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""

CHECK_NOTHING_CJK = """
from matplotlib import font_manager
from PySide6.QtGui import QFontDatabase, QRawFont, QFont
from PySide6.QtWidgets import QApplication
app = QApplication([])
mpl = [f.name for f in font_manager.fontManager.ttflist if font_manager.get_font(f.fname).get_char_index(ord("中"))]
qt = [f for f in QFontDatabase.families() if QRawFont.fromFont(QFont(f)).supportsCharacter(ord("中"))]
print("mpl", mpl, "qt", qt)
"""


def _has_chinese(path: str) -> bool:
    try:
        return bool(font_manager.get_font(path).get_char_index(ord("中")))
    except (OSError, RuntimeError):
        return False


def _no_cjk_environment(tmp: Path) -> dict[str, str]:
    # Fontconfig sees the machine's fonts without Chinese (a fresh Debian has DejaVu; with no font
    # at all Qt itself crashes in QRawFont before crmdesk could do anything).
    fonts = tmp / "fonts"
    fonts.mkdir()
    latin = sorted({f.fname for f in font_manager.fontManager.ttflist if not _has_chinese(f.fname)})
    for index, path in enumerate(latin):
        (fonts / f"{index}-{Path(path).name}").symlink_to(path)
    config = tmp / "fonts.conf"
    config.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{tmp / 'fccache'}</cachedir></fontconfig>
""", encoding="utf-8")
    # matplotlib scans /usr/share/fonts itself, not only through fontconfig: give it a cached
    # font list without any CJK font, which it trusts as it would a stale cache.
    mpl = tmp / "mpl"
    mpl.mkdir()
    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [f for f in font_manager.fontManager.ttflist if not _has_chinese(f.fname)]
    assert stale.ttflist and len(stale.ttflist) < len(font_manager.fontManager.ttflist) + 1
    font_manager.json_dump(stale, mpl / f"fontlist-v{font_manager.FontManager.__version__}.json")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST") and k != "PYTEST_CURRENT_TEST"}
    env.update(FONTCONFIG_FILE=str(config), MPLCONFIGDIR=str(mpl), QT_QPA_PLATFORM="offscreen",
               CRMDESK_TEST_NO_CJK="1", XDG_CACHE_HOME=str(tmp / "cache"))
    return env


def test_chart_and_font_tests_pass_on_a_machine_without_a_cjk_font(tmp_path):
    env = _no_cjk_environment(tmp_path)
    seen = subprocess.run([sys.executable, "-c", CHECK_NOTHING_CJK], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.strip().splitlines()[-1] == "mpl [] qt []", seen.stdout  # really no CJK font

    run = subprocess.run([sys.executable, "-c", RUN_WITHOUT_SYSTEM_CJK, "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", *TESTS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
