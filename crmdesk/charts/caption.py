"""Save a chart with a caption under it (what it shows, when and by whom it was made).

The caption is added for the file only and removed again: the Figure on screen stays as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crmdesk.charts.fonts import configure_matplotlib

CAPTION_GID = "crmdesk-export-caption"


def save_with_caption(figure: Any, path: str | Path, caption: str = "", dpi: int = 150) -> None:
    if not caption:
        figure.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
        return
    configure_matplotlib()  # the caption may be Chinese
    # Below the axes (y < 0): bbox_inches="tight" grows the saved image to take it in.
    text = figure.text(0.01, -0.01, caption, ha="left", va="top", fontsize=7, color="#555555", gid=CAPTION_GID)
    try:
        figure.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white", bbox_extra_artists=[text])
    finally:
        text.remove()
