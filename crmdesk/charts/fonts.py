"""Make matplotlib draw Chinese: a fallback list of CJK fonts for Windows,
macOS and Linux, the first installed one first."""

from __future__ import annotations

import logging
from functools import lru_cache

import matplotlib
from matplotlib import font_manager

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


_warned = False


def configure_matplotlib() -> tuple[str, ...]:
    """Put the installed CJK fonts ahead of the default sans-serif; returns them.

    Cheap and idempotent: chart builders call it every time, so a later
    ``rcdefaults()`` (or a test's ``rc_context``) cannot leave Chinese as boxes.
    """
    global _warned
    found = installed_cjk_families()
    if not found and not _warned:
        _warned = True
        log.warning("no CJK font found; Chinese chart labels will show as boxes. Install one of: %s",
                    ", ".join(CJK_FAMILIES))
    current = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [*found, *[f for f in current if f not in found]]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False  # CJK fonts often lack U+2212
    return found
