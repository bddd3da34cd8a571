"""A progress bar on stderr for long CLI work (import), fed by the core's ``Progress`` callbacks.

Drawn with ``rich`` (well kept, draws on any terminal, Windows' included). Only when stderr is
a terminal and ``--quiet`` was not given: a pipe, a log file or a scheduler's output gets the
plain result lines and nothing else. The bar is transient: once a file is done its bar goes and
the result line stays.
"""

from __future__ import annotations

import sys
from typing import TextIO

from crmdesk.core.progress import Progress


class ProgressBar:
    """``with ProgressBar(quiet) as bar:`` then per file ``progress = bar.track(name)``, the work,
    ``bar.finish()``, and the file's result line. The bar is drawn only between ``track`` and
    ``finish``: the result lines go to stdout as they always did (a pipe gets them unchanged) and
    never mix with a bar being redrawn."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and _is_terminal(self.stream)
        self._live = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.finish()

    def track(self, name: str) -> Progress:
        """A core ``Progress`` for one file, drawn as a bar (silent when the bar is off)."""
        self.finish()
        if not self.enabled:
            return Progress(self._waiting_lines(name))
        from rich.console import Console
        from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        live = self._live = RichProgress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                         TimeElapsedColumn(), console=Console(file=self.stream), transient=True,
                                         redirect_stdout=False, redirect_stderr=False)
        task = live.add_task(name, total=1.0)
        live.start()

        def show(fraction: float | None, message: str) -> None:
            text = message if name in message else f"{name}: {message}" if message else name
            live.update(task, completed=fraction, description=text)

        return Progress(show, min_interval=0.1)

    def _waiting_lines(self, name: str):
        """Without a bar (a pipe, --quiet) a wait for another writer still prints one line on stderr:
        status messages without a fraction, each once."""
        said: set[str] = set()

        def show(fraction: float | None, message: str) -> None:
            if fraction is None and message and message not in said:
                said.add(message)
                print(f"{name}: {message}", file=self.stream, flush=True)
        return show

    def finish(self) -> None:
        """Take the bar away (before the file's result line is printed)."""
        if self._live is not None:
            self._live.stop()
            self._live = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
