# Usage: xvfb-run -a .venv/bin/python scripts/try_roles_in_a_window.py DB  (grabs into /tmp/usershots; passwords: the demo's)
"""Try the app as the shop's people would, in a real X window (Xvfb): owner, sales1, counter1."""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, not an installed crmdesk
from PySide6.QtCore import QCoreApplication, QEventLoop
from crmdesk.ui.app import create_application, prepare_application
from crmdesk.ui.context import AppContext
from crmdesk.ui.main_window import MainWindow
from crmdesk.db import open_database
from crmdesk.services.users import authenticate_in

OUT = Path("/tmp/usershots")
OUT.mkdir(exist_ok=True)
app = create_application([])
prepare_application(app, "zh_CN")
db = open_database(sys.argv[1])

def settle(ms=1500):
    end = time.time() + ms / 1000
    while time.time() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

for user in ("owner", "sales1", "counter1"):
    actor = authenticate_in(db, user, "demo")
    win = MainWindow(AppContext(db=db, actor=actor))
    win.resize(1366, 800)
    win.show()
    settle()
    keys = [e.key for e in win.entries]
    print(user, actor.role, "pages:", keys, "status:", win.statusBar().currentMessage() or "")
    for key in ("customers", "analysis", "import"):
        if key in keys:
            win.show_page(key)
            settle(4000 if key == "analysis" else 1500)
            win.grab().save(str(OUT / f"{user}_{key}.png"))
            if key == "import":
                from PySide6.QtWidgets import QTabWidget
                tabs = win.page_widget("import").findChildren(QTabWidget)
                if tabs:
                    tabs[0].setCurrentIndex(1)
                    settle(2000)
                    win.grab().save(str(OUT / f"{user}_import_history.png"))
    win.close()
    settle(300)
