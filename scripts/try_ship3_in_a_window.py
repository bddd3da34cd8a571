# Usage: xvfb-run -a .venv/bin/python scripts/try_ship3_in_a_window.py DB  (grabs into /tmp/usershots16)
"""Try issues 12, 13 and 16 as the shop's people would, in a real X window (Xvfb), zh_CN: the
owner's Settings › Backups and Branches, the analysis page with its branch picker, a customer's
contact with several phones, and the address-book preview of real vCards and a real Google CSV
(tests/data/real) — as owner and sales1 (demo passwords)."""
import faulthandler
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402

from crmdesk.db import open_database  # noqa: E402
from crmdesk.services.users import authenticate_in  # noqa: E402
from crmdesk.ui.app import create_application, prepare_application  # noqa: E402
from crmdesk.ui.context import AppContext  # noqa: E402
from crmdesk.ui.main_window import MainWindow  # noqa: E402

OUT = Path("/tmp/usershots16")
OUT.mkdir(exist_ok=True)
REAL = ROOT / "tests" / "data" / "real"
faulthandler.dump_traceback_later(240, exit=True)  # a modal box nobody answers: say where
app = create_application([])
prepare_application(app, "zh_CN")
db = open_database(sys.argv[1])


def settle(ms=1500):
    end = time.time() + ms / 1000
    while time.time() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


for user in sys.argv[2:] or ("owner", "sales1"):
    actor = authenticate_in(db, user, "demo")
    win = MainWindow(AppContext(db=db, actor=actor))
    win.resize(1366, 800)
    win.show()
    settle()
    keys = [e.key for e in win.entries]
    print(user, actor.role, "pages:", keys)
    if "settings" in keys:
        win.show_page("settings")
        settle()
        page = win.page_widget("settings")
        for section in ("backups", "branches"):
            if section in getattr(page, "sections", {}):
                widget = page.sections[section]
                page.show_section(section) if hasattr(page, "show_section") else None
                settle(800)
                widget.grab().save(str(OUT / f"{user}_settings_{section}.png"))
                print(user, "settings section shown:", section)
    if "analysis" in keys:
        win.show_page("analysis")
        settle(2500)
        win.grab().save(str(OUT / f"{user}_analysis.png"))
    win.show_page("customers")
    settle()
    page = win.page_widget("customers")
    from crmdesk.ui.customers import page_actions

    page_actions.run_in_background = lambda fn, *a, on_success=None, on_error=None: on_success(fn(*a))
    files = [REAL / "vcard" / "ezvcard_John_Doe_IPHONE.vcf", REAL / "vcard" / "ezvcard_gmail-list.vcf",
             REAL / "vcard" / "android_v21_multiple_entry.vcf", REAL / "contacts_csv" / "tine20_google_contacts.csv"]
    page_actions.import_address_book(page, [str(f) for f in files])
    dialog = page._address_book_dialog
    settle()
    dialog.grab().save(str(OUT / f"{user}_address_book.png"))
    print(user, "address book:", dialog.model.plan.counts())
    dialog.reject()
    win.close()
    settle(500)
