"""A one-line progress bar on stderr (no dependency); quiet when stderr is not a terminal."""
from __future__ import annotations

import sys
import threading
import time

WIDTH = 30


class Progress:
    def __init__(self, total: int, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done, self.failed = total, 0, 0
        self.start = time.monotonic()
        self._lock = threading.Lock()

    def advance(self, name: str, crashed: bool) -> None:
        with self._lock:
            self.done += 1
            self.failed += int(crashed)
            if self.enabled:
                self.stream.write("\r" + self.line(name))
                self.stream.flush()

    def line(self, name: str = "") -> str:
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(frac * WIDTH)
        elapsed = time.monotonic() - self.start
        text = (f"[{bar:<{WIDTH}}] {self.done}/{self.total} {elapsed:5.0f}s "
                f"{self.failed} not graded  {name[:30]}")
        return text.ljust(100)[:100]

    def finish(self, skipped: int) -> None:
        if self.enabled:
            self.stream.write("\n")
        elapsed = time.monotonic() - self.start
        graded = self.done - self.failed
        parts = [f"{graded} graded"] + ([f"{self.failed} could not be graded (see their status)"]
                                        if self.failed else [])
        self.stream.write(f"judged {self.done} submission(s) in {elapsed:.1f}s: {', '.join(parts)}; "
                          f"{skipped} unchanged since the last run (stored results reused)\n")
        self.stream.flush()
