"""A small Prometheus text-format registry (counters and gauges, no globals)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Labels = tuple[tuple[str, str], ...]


class Metrics:
    """Counters incremented by the service and gauges read when scraped."""

    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, float]] = defaultdict(dict)
        self._help: dict[str, str] = {}
        self._gauges: dict[str, Callable[[], float]] = {}

    def describe(self, name: str, help_text: str) -> None:
        """Give a metric its HELP line."""
        self._help[name] = help_text

    def increment(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` to the counter `name` with these labels."""
        key = tuple(sorted(labels.items()))
        series = self._counters[name]
        series[key] = series.get(key, 0.0) + amount

    def gauge(self, name: str, read: Callable[[], float]) -> None:
        """Register a gauge whose value is read at scrape time."""
        self._gauges[name] = read

    def render(self) -> str:
        """The Prometheus text exposition of every metric."""
        lines: list[str] = []
        for name in sorted(self._counters):
            lines += self._header(name, "counter")
            for labels, value in sorted(self._counters[name].items()):
                lines.append(f"{name}{_format_labels(labels)} {value:g}")
        for name in sorted(self._gauges):
            lines += self._header(name, "gauge")
            lines.append(f"{name} {self._gauges[name]():g}")
        return "\n".join(lines) + "\n"

    def _header(self, name: str, kind: str) -> list[str]:
        header = [f"# HELP {name} {self._help[name]}"] if name in self._help else []
        return [*header, f"# TYPE {name} {kind}"]


def _format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    escaped = (
        f'{key}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for key, value in labels
    )
    return "{" + ",".join(escaped) + "}"
