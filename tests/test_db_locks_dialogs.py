"""Every file dialog of the app goes through crmdesk/ui/widgets/file_dialogs.py, which keeps
them from reading the files they list and away from the database's folder."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QFileInfo, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from crmdesk.ui.widgets import file_dialogs

UI = Path(file_dialogs.__file__).resolve().parents[1]


def test_no_file_dialog_in_the_ui_bypasses_the_helper():
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "file_dialogs.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bQFileDialog\b|\bQFileSystemModel\b|\bQFileIconProvider\b", text):
            offenders.append(str(path.relative_to(UI)))
    assert offenders == []


def test_the_helper_is_used_by_the_dialogs_of_the_app():
    users = {str(p.relative_to(UI)) for p in UI.rglob("*.py") if "file_dialogs." in p.read_text(encoding="utf-8")}
    for expected in ("widgets/backup_action.py", "customers/page_actions.py", "customers/form/links_tabs.py",
                     "importing/preview_step.py", "analysis/statement_batch_action.py", "analysis/export.py"):
        assert expected in users


def test_icons_and_types_come_from_the_name(qapp, tmp_path):
    provider = file_dialogs._icons()
    (tmp_path / "x.db").write_bytes(b"SQLite format 3\x00")
    assert provider.type(QFileInfo(str(tmp_path / "x.db"))) == "DB file"
    assert provider.type(QFileInfo(str(tmp_path))) == "Folder"
    assert not provider.icon(QFileInfo(str(tmp_path / "x.db"))).isNull()


def test_dialogs_start_outside_the_database_folder(db, tmp_path):
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    folder = db.file_path.parent
    assert file_dialogs.in_database_folder(db.file_path)
    assert file_dialogs.in_database_folder(folder / "export.xlsx")
    assert file_dialogs.in_database_folder(folder, is_folder=True)
    assert not file_dialogs.in_database_folder(folder / "backups" / "a.db")
    start = Path(file_dialogs.start_folder(str(folder / "customers.xlsx")))
    assert start.name == "customers.xlsx" and start.parent != folder
    assert Path(file_dialogs.start_folder(str(folder))) != folder
    assert Path(file_dialogs.start_folder("report.csv")).name == "report.csv"


def _type_answer(dialog: QFileDialog) -> None:
    """Go to the answer's folder and type its name, as a person would. ``selectFile`` alone leaves the
    name field as it is while that field has the focus (Qt's rule for a user typing), and the dialog
    then accepts the folder instead: the test used to hang on that second dialog."""
    answer = Path(dialog.property("answer"))
    dialog.setDirectory(str(answer.parent))
    name_field = dialog.findChild(QLineEdit, "fileNameEdit")
    if name_field is not None:
        name_field.setText(answer.name)
    else:
        dialog.selectFile(str(answer))


def test_a_file_in_the_database_folder_is_refused_and_asked_again(qapp, db, tmp_path, monkeypatch):
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    folder = db.file_path.parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    warnings, shown, started_in = [], [], []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    answers = [str(folder / "customers.xlsx"), str(elsewhere / "customers.xlsx")]

    checks, attempts, done = [], [0], [False]

    def answer() -> None:
        # Never raise here and reschedule until the call below has returned: an exception in a timer
        # callback, or a chain that stops while a dialog is still open, leaves a modal dialog waiting
        # forever (it hung `make test` three times).
        attempts[0] += 1
        try:
            for widget in QApplication.topLevelWidgets():
                if not (isinstance(widget, QFileDialog) and widget.isVisible()):
                    continue
                answered_at = widget.property("answered_at")
                # A mark on the Qt object, not Python identity: the second dialog may reuse the first's
                # address and with it the same Python wrapper.
                if answered_at is None:
                    widget.setProperty("answered_at", attempts[0])
                    shown.append(widget)
                    started_in.append(Path(widget.directory().absolutePath()))
                    checks.append((widget.testOption(QFileDialog.Option.DontUseNativeDialog),
                                   isinstance(widget.iconProvider(), file_dialogs._NameOnlyIcons)))
                    widget.setProperty("answer", answers[min(len(shown), len(answers)) - 1])
                    _type_answer(widget)
                    widget.accept()
                elif attempts[0] >= 500:
                    widget.reject()  # 10 s in all: the asserts below say so
                elif attempts[0] - answered_at >= 5:  # still open: type and accept again
                    widget.setProperty("answered_at", attempts[0])
                    _type_answer(widget)
                    widget.accept()
        finally:
            if not done[0]:
                QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    try:
        name, _f = file_dialogs.get_save_file_name(None, "Export", "customers.xlsx", "Excel (*.xlsx)")
    finally:
        done[0] = True
    assert name == str(elsewhere / "customers.xlsx")
    assert checks == [(True, True), (True, True)]
    assert len(warnings) == 1 and "holds the crmdesk database" in warnings[0]
    assert folder not in started_in  # it started, and asked again, elsewhere
