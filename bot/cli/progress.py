"""A progress bar on standard error for long commands, drawn only on a terminal."""

from __future__ import annotations

import sys
from typing import TextIO

BAR_WIDTH = 30


class ProgressBar:
    """Draws `[#####.....]  45%  90.0/200.0 MB` in place; silent when not on a terminal."""

    def __init__(self, total_bytes: int, stream: TextIO | None = None) -> None:
        self.total_bytes = max(total_bytes, 1)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self._shown = -1

    def __call__(self, bytes_read: int) -> None:
        """Show how far the work has come (redrawn when the percentage changes)."""
        if not self.enabled:
            return
        percent = min(100, bytes_read * 100 // self.total_bytes)
        if percent == self._shown:
            return
        self._shown = percent
        filled = BAR_WIDTH * percent // 100
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}%"
            f"  {bytes_read / 1e6:.1f}/{self.total_bytes / 1e6:.1f} MB"
        )
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self._shown >= 0:
            self.stream.write("\n")
            self.stream.flush()
