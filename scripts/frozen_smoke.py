"""Runs the frozen app's command line over a small demo shop: every report (table and xlsx), a
backup, the import of real CSV exports (tests/data/real, and the Superstore CSV of ../shared/data
when it is there), an address book matched to the customers and, on POSIX, an import on a terminal — the paths the self-test
does not walk, in the packaged interpreter (left-out modules, bytecode without docstrings).

    .venv/bin/python scripts/frozen_smoke.py [dist/crmdesk/crmdesk]

Prints one line per step and exits 0 only when every step exited 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUPERSTORE = ROOT.parent / "shared" / "data" / "superstore_2014-2017.csv"
NEEDS_ARGS = {"statement": ["--customer", "KH000001"], "promotion-targets": ["--category", "书写工具"]}


def run_on_a_terminal(command: list[str], env: dict) -> bool:
    import pty
    import threading

    parent, child = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(parent, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, stdout=child, stderr=child, timeout=600)
    os.close(child)
    reader.join(timeout=5)
    os.close(parent)
    text = b"".join(chunks).decode("utf-8", "replace")
    ok = done.returncode == 0 and "Traceback" not in text
    return say("import on a terminal (progress bar)", ok, text)


def say(label: str, ok: bool, output: str) -> bool:
    """One line per step: its last line of output when it passed, the end of its errors when not."""
    detail = (output.strip().splitlines() or [""])[-1] if ok else output.strip()[-400:]
    print(f"{'ok  ' if ok else 'FAIL'}  {label}: {detail[:160]}", flush=True)
    return ok


def main() -> int:
    exe = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist" / "crmdesk" / "crmdesk").resolve()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="frozen-smoke-") as tmp:
        env = dict(os.environ, CRMDESK_HOME=str(Path(tmp) / "home"), QT_QPA_PLATFORM="offscreen",
                   CRMDESK_PASSWORD="demo")
        db = str(Path(tmp) / "shop.db")

        def run(label: str, *args: str) -> str:
            nonlocal failed
            done = subprocess.run([str(exe), "--db", db, *args], env=env, capture_output=True, text=True,
                                  timeout=600)
            ok = done.returncode == 0
            failed += not say(label, ok, done.stdout if ok else done.stderr)
            return done.stdout

        run("demo", "demo", "--customers", "300", "--lines", "3000", "--quiet")
        names = [line.split()[0] for line in run("report list", "report", "list").splitlines() if line.strip()]
        for name in names:
            extra = NEEDS_ARGS.get(name, [])
            run(f"report {name}", "--user", "owner", "report", name, *extra)
            run(f"report {name} --out xlsx", "--user", "owner", "report", name, *extra,
                "--out", str(Path(tmp) / f"{name}.xlsx"))
        run("backup", "--user", "owner", "backup")
        if hasattr(os, "openpty"):  # stderr a terminal: the import draws its progress bar (rich)
            failed += not run_on_a_terminal([str(exe), "--db", db, "--user", "owner", "import",
                                             str(ROOT / "crmdesk" / "resources" / "selftest" / "sales_gbk.csv")], env)
        run("contacts match (vobject, rapidfuzz)", "--user", "owner", "contacts", "import", "--match", "--dry-run",
            str(ROOT / "tests" / "data" / "real" / "vcard" / "android_v21_adr_multiple_line.vcf"))
        run("import real CSV", "--user", "owner", "import", str(ROOT / "tests" / "data" / "real" / "supermarket_sales_300.csv"))
        if SUPERSTORE.is_file():  # beside a checkout with ../shared (not on the Windows build runner)
            run("import Superstore CSV", "--user", "owner", "import", str(SUPERSTORE))
        else:
            print(f"skip  import Superstore CSV: {SUPERSTORE} is not here")
    print("all steps passed" if not failed else f"{failed} step(s) failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
