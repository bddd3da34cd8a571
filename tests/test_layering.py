"""The core never imports Qt: checked on the source text as well as by import-linter."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "crmdesk"


def test_no_qt_outside_ui():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "ui" in path.relative_to(ROOT).parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6"} for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
