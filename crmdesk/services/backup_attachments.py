"""Putting a backup's attachment files back without a window in which a crash leaves a
half-copied folder: copy into a staging folder beside the live one, mark it complete by a
rename, then swap the two folders by renames. A crash during the copy leaves the live folder
untouched (the half-made stage is removed at the next start); a crash during the swap leaves a
complete stage that the next start puts in place (``finish_interrupted_swap``).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


def _stage(root: Path) -> Path:
    return root.with_name(root.name + ".restore")


def _stage_part(root: Path) -> Path:
    return root.with_name(root.name + ".restore.part")


def _replaced(root: Path) -> Path:
    return root.with_name(root.name + ".replaced")


def _swap(root: Path) -> None:
    stage, replaced = _stage(root), _replaced(root)
    if root.exists():
        if replaced.exists():
            shutil.rmtree(replaced)
        root.replace(replaced)
    stage.replace(root)
    shutil.rmtree(replaced, ignore_errors=True)


def swap_in_attachments(saved: Path, root: Path) -> None:
    """Make ``root`` a copy of ``saved`` (a backup's attachment folder). The database has been
    restored before this runs, so a complete stage always belongs in place."""
    part, stage = _stage_part(root), _stage(root)
    for old in (part, stage):
        if old.exists():
            shutil.rmtree(old)
    shutil.copytree(saved, part)
    part.replace(stage)
    _swap(root)


def finish_interrupted_swap(root: Path) -> bool:
    """Complete or clean up after a restore killed midway; True when something was done."""
    done = False
    if _stage_part(root).exists():
        shutil.rmtree(_stage_part(root), ignore_errors=True)
        done = True
    if _stage(root).exists():
        log.warning("finishing an interrupted restore of the attachments in %s", root)
        _swap(root)
        done = True
    elif _replaced(root).exists() and root.exists():
        shutil.rmtree(_replaced(root), ignore_errors=True)
        done = True
    elif _replaced(root).exists():
        _replaced(root).replace(root)  # not reached by swap's order; never leave the files hidden
        done = True
    return done
