"""The frozen app's entry point (PyInstaller runs this file as ``__main__``)."""

import multiprocessing
import sys


def _attach_console() -> None:
    """A windowed .exe has no stdout; when started from a console (``crmdesk --self-test``,
    ``crmdesk report …``) write to that console instead of nowhere."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # -1: the parent process's console
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115


if __name__ == "__main__":
    multiprocessing.freeze_support()  # worker processes of a frozen app re-enter here
    if len(sys.argv) > 1:
        _attach_console()
    from crmdesk.cli import main

    sys.exit(main())
