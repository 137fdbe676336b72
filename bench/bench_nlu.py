"""NLU throughput and latency on one core (target ≥ 5 000 messages/s, p99 < 2 ms).

Messages are the held-out file's texts (under 200 characters), parsed in a loop on one thread.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import date
from importlib import resources

import nlu

ROUNDS = 10
TODAY = date(2026, 11, 21)
AREAS = ("Phường Bến Thành", "Quận 1", "Quận Tân Bình", "Phường Tân Định", "Điện lực Gia Định")


def _messages() -> list[str]:
    text = (resources.files("nlu") / "data" / "heldout.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in text.splitlines() if line.strip()]


def _measure(label: str, messages: list[str], areas: tuple[str, ...]) -> None:
    latencies: list[int] = []
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for message in messages:
            begin = time.perf_counter_ns()
            nlu.parse(message, TODAY, areas)
            latencies.append(time.perf_counter_ns() - begin)
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{label}: {len(latencies) / elapsed:,.0f} messages/s, "
        f"p50 {quantiles[49] / 1e6:.3f} ms, p99 {quantiles[98] / 1e6:.3f} ms, "
        f"max {max(latencies) / 1e6:.3f} ms  (target ≥ 5,000/s, p99 < 2 ms)"
    )


def _measure_messy() -> None:
    generator = random.Random(4)
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxy0123456789 😀\u200f\u202e\x00/.,kđ"
    messy = ["".join(generator.choices(alphabet, k=10_000)) for _ in range(50)]
    latencies = []
    for message in messy:
        begin = time.perf_counter_ns()
        nlu.parse(message, TODAY, AREAS)
        latencies.append(time.perf_counter_ns() - begin)
    print(f"10 000-character junk: max {max(latencies) / 1e6:.3f} ms (target < 5 ms)")


def main() -> None:
    """Print throughput and latency figures of `nlu.parse`."""
    started = time.perf_counter()
    nlu.default_matcher()
    print(f"matcher build: {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")
    messages = _messages()
    print(
        f"{len(messages)} held-out messages × {ROUNDS} rounds, longest {max(map(len, messages))}"
    )
    _measure("cold caches", messages[:50], ())
    _measure("no gazetteer", messages, ())
    _measure("with a 5-area gazetteer", messages, AREAS)
    _measure_messy()


if __name__ == "__main__":
    main()
