"""One operation in a process of its own, to be killed with SIGKILL by the crash tests.

    python tests/crash/driver.py OP DB [ARG…]

It loads what the operation needs, prints ``ready`` (the killer's clock starts there, so the
random delay covers the operation itself, not Python's start-up), runs the operation once and
prints ``done SECONDS``. Operations:
    cli ARG…          crmdesk's command line (``crmdesk --db DB ARG…``: import, backup, restore)
    save CUSTOMER_ID  the customer form's save (services.customers.update_customer), one save
    merge A B         merge customer B into A (services.merge.merge_customers)
    migrate           open the database the way the app does (upgrades it to the newest schema)
    restore-midcopy SOURCE  the database part of a restore (db.backup.restore_from) copying 8 pages
                      a step and printing ``copying`` after the first step, then pausing: a kill
                      then lands inside the copy, which must roll back as a whole
Acts as the owner (CRMDESK_PASSWORD holds the password for the CLI).
"""

from __future__ import annotations

import sys
import time


def ready() -> float:
    print("ready", flush=True)
    return time.perf_counter()


def run_cli(db: str, args: list[str]) -> int:
    import crmdesk.cli as cli
    import crmdesk.importers.run  # noqa: F401 - loaded before "ready": the kill should hit the work
    import crmdesk.services.backups  # noqa: F401

    t0 = ready()
    code = cli.main(["--db", db, "--user", "owner", *args])
    print(f"done {time.perf_counter() - t0:.3f}", flush=True)
    return code


def run_save(db_path: str, customer_id: int) -> int:
    from dataclasses import replace

    from crmdesk.db import open_database
    from crmdesk.services.actor import actor_for_user
    from crmdesk.services.customers import get_customer, input_from_customer, update_customer

    db = open_database(db_path)
    with db.sessions() as s:
        actor = actor_for_user(s, "owner")
        data = input_from_customer(s, actor, customer_id)
        loaded = get_customer(s, customer_id)
        stamp, version = loaded.updated_at, getattr(loaded, "version", None)
    changed = replace(data, name=data.name + "（新）", phone="020-88886666", address="广州市天河区体育西路 1 号",
                      notes="crash test: every field of one save lands together")
    t0 = ready()
    with db.sessions.begin() as s:
        update_customer(s, actor, customer_id, changed, stamp, version)
    print(f"done {time.perf_counter() - t0:.3f}", flush=True)
    return 0


def run_merge(db_path: str, survivor: int, merged: int) -> int:
    from crmdesk.db import open_database
    from crmdesk.services.actor import actor_for_user
    from crmdesk.services.merge import merge_customers

    db = open_database(db_path)
    with db.sessions() as s:
        actor = actor_for_user(s, "owner")
    t0 = ready()
    with db.sessions.begin() as s:
        merge_customers(s, actor, survivor, merged)
    print(f"done {time.perf_counter() - t0:.3f}", flush=True)
    return 0


def run_migrate(db_path: str) -> int:
    import alembic.command  # noqa: F401 - loaded before "ready"

    from crmdesk.db import open_database

    t0 = ready()
    open_database(db_path).dispose()
    print(f"done {time.perf_counter() - t0:.3f}", flush=True)
    return 0


def run_restore_midcopy(db_path: str, source: str) -> int:
    from crmdesk.db import backup, open_database

    db = open_database(db_path)
    backup.PAGES_PER_STEP = 8
    steps = []

    def progress(done: float, _message: str) -> None:
        steps.append(done)
        if len(steps) == 2:
            print("copying", flush=True)
            time.sleep(0.5)

    t0 = ready()
    backup.restore_from(db, source, progress)
    print(f"done {time.perf_counter() - t0:.3f} steps {len(steps)}", flush=True)
    return 0


def main(argv: list[str]) -> int:
    op, db, rest = argv[0], argv[1], argv[2:]
    if op == "cli":
        return run_cli(db, rest)
    if op == "save":
        return run_save(db, int(rest[0]))
    if op == "merge":
        return run_merge(db, int(rest[0]), int(rest[1]))
    if op == "migrate":
        return run_migrate(db)
    if op == "restore-midcopy":
        return run_restore_midcopy(db, rest[0])
    raise SystemExit(f"unknown operation {op}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
