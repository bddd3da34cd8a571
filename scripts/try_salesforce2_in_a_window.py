# Usage: xvfb-run -a .venv/bin/python scripts/try_salesforce2_in_a_window.py DB  (grabs into /tmp/usershots11)
"""Try issue 11's pages as the shop's people would, in a real X window (Xvfb): the pipeline
board and list, the service queue, the rules page, Today and a customer form with its new tabs
and alerts, as owner, sales1 and counter1 (demo passwords)."""
import faulthandler
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402

from crmdesk.db import open_database  # noqa: E402
from crmdesk.services.users import authenticate_in  # noqa: E402
from crmdesk.ui.app import create_application, prepare_application  # noqa: E402
from crmdesk.ui.context import AppContext  # noqa: E402
from crmdesk.ui.main_window import MainWindow  # noqa: E402

OUT = Path("/tmp/usershots11")
OUT.mkdir(exist_ok=True)
faulthandler.dump_traceback_later(240, exit=True)  # a modal box nobody answers: say where
app = create_application([])
prepare_application(app, "zh_CN")
db = open_database(sys.argv[1])


def settle(ms=1500):
    end = time.time() + ms / 1000
    while time.time() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


for user in sys.argv[2:] or ("owner", "sales1", "counter1"):
    actor = authenticate_in(db, user, "demo")
    win = MainWindow(AppContext(db=db, actor=actor))
    win.resize(1366, 800)
    win.show()
    settle()
    keys = [e.key for e in win.entries]
    print(user, actor.role, "pages:", keys)
    for key in ("followups", "pipeline", "service", "rules"):
        if key in keys:
            win.show_page(key)
            settle(2500)
            win.grab().save(str(OUT / f"{user}_{key}.png"))
    if "customers" in keys:
        from crmdesk.services.alerts import open_alerts
        with db.sessions() as s:  # an alert on a customer this user may see
            shown = open_alerts(s, actor)
        cid = shown[0].customer_id if shown else None
        print(user, "open alerts:", len(shown))
        if cid is not None:
            win.show_page("customers")
            settle(1500)
            form = win.page_widget("customers").open_customer(cid)
            settle(1500)
            form = form or win.page_widget("customers").forms.get(cid)
            if form is not None:
                form.grab().save(str(OUT / f"{user}_form_with_alert.png"))
                print(user, "form tabs:", [form.tabs.tabText(i) for i in range(form.tabs.count())],
                      "alerts shown:", form.alerts.isVisible())
                form.close()
    win.close()
    settle(300)
print("done")
