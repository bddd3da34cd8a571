"""Make matplotlib draw Chinese: a fallback list of CJK fonts for Windows,
macOS and Linux, the first installed one first.

matplotlib's font list is a cache built once; a CJK font installed later (or none at all on a
fresh PC) would leave charts with boxes. So the CJK font files crmdesk knows (crmdesk/cjk_font.py:
the usual system files, then the subset it ships) are registered with matplotlib when it does
not list them yet.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from crmdesk.cjk_font import font_files

log = logging.getLogger(__name__)

# Windows, then macOS, then Linux families; matplotlib falls back per glyph along this list.
CJK_FAMILIES = (
    "Microsoft YaHei", "SimHei", "DengXian", "SimSun",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti",
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN",
)


@lru_cache(maxsize=1)
def installed_cjk_families() -> tuple[str, ...]:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(family for family in CJK_FAMILIES if family in names)


def _known_files() -> set[Path]:
    return {Path(f.fname).resolve() for f in font_manager.fontManager.ttflist}


@lru_cache(maxsize=1)
def register_cjk_files() -> tuple[Path, ...]:
    """Add the known CJK font files matplotlib's cached list lacks; returns those added."""
    known = _known_files()
    added = []
    for path, _index in font_files():
        if path.resolve() in known:
            continue
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError) as exc:  # a file FreeType cannot read: try the next
            log.info("matplotlib cannot use %s: %s", path, exc)
            continue
        log.info("registered CJK font file %s with matplotlib (its font list did not have it)", path)
        added.append(path)
    if added:
        installed_cjk_families.cache_clear()
    return tuple(added)


_warned = False


def configure_matplotlib() -> tuple[str, ...]:
    """Put the installed CJK fonts ahead of the default sans-serif; returns them.

    Cheap and idempotent: chart builders call it every time, so a later
    ``rcdefaults()`` (or a test's ``rc_context``) cannot leave Chinese as boxes.
    """
    global _warned
    register_cjk_files()
    found = installed_cjk_families()
    if not found and not _warned:
        _warned = True
        log.warning("no CJK font found (not even the one crmdesk ships); Chinese chart labels will show "
                    "as boxes. Install one of: %s", ", ".join(CJK_FAMILIES))
    current = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [*found, *[f for f in current if f not in found]]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return found
