#!/usr/bin/env python
# Run: xvfb-run -a .venv/bin/python scripts/try_integrity_in_a_window.py SHOP.db  (writes /tmp/crmdesk-try-integrity/*.png)
"""A user's view: a shop file another program changed, then damaged — grab the login window (shown
while quick_check runs behind it) and the damage dialog that comes after the login."""
import os, sys, shutil
from pathlib import Path
os.environ["CRMDESK_HOME"] = "/tmp/crmdesk-try-integrity/home"
os.environ["CRMDESK_LANG"] = "zh_CN"
shutil.rmtree("/tmp/crmdesk-try-integrity/home", ignore_errors=True)
os.makedirs("/tmp/crmdesk-try-integrity", exist_ok=True)
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QDialog
from crmdesk.db import integrity, open_database
from crmdesk.services import backups
src = Path(sys.argv[1]); shop = Path("/tmp/crmdesk-try-integrity/shop.db")
shutil.copyfile(src, shop)
db = open_database(shop); backups.back_up(db, reason="daily"); db.dispose()
integrity.mark_open(shop); integrity.mark_closed(shop)
size = shop.stat().st_size
with open(shop, "r+b") as fh:
    fh.seek(size // 2); fh.write(b"\x05" * 4096 * 8)
out = Path("/tmp/crmdesk-try-integrity"); shots = []
import crmdesk.ui.app as gui
def grab_later(name):
    def grab():
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and w.windowTitle():
                w.grab().save(str(out / f"{name}.png")); shots.append((name, w.windowTitle()))
                if isinstance(w, QMessageBox):
                    w.button(QMessageBox.StandardButton.Yes).click() if w.button(QMessageBox.StandardButton.Yes) else w.accept()
                elif name == "1_login":
                    w.ok_button.click()
                return
        QTimer.singleShot(100, grab)
    QTimer.singleShot(300, grab)
orig_exec = QDialog.exec
def exec_(self):
    grab_later("1_login" if "登录" in self.windowTitle() or "Log in" in self.windowTitle() else "x_dialog")
    return orig_exec(self)
QDialog.exec = exec_
orig_q = QMessageBox.question
def question(parent, title, text, *a, **k):
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    grab_later("2_damaged")
    box.exec()
    return QMessageBox.StandardButton.Yes
QMessageBox.question = question
def quit_later():
    for w in QApplication.topLevelWidgets():
        if w.isVisible() and type(w).__name__ == "MainWindow":
            w.grab().save(str(out / "3_main.png")); shots.append(("3_main", w.windowTitle()))
            QApplication.instance().quit(); return
    QTimer.singleShot(200, quit_later)
QTimer.singleShot(500, quit_later)
code = gui.run_gui(str(shop), "zh_CN")
print("exit", code, shots)
print("after: intact", integrity.check_at_start(shop).ok)
