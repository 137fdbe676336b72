"""NLU throughput and latency on one core.

Targets (issue 4): ≥ 5 000 messages/s and p99 < 2 ms for messages under 200 characters; any
text up to 10 000 characters (junk, emoji or control-character floods) under 5 ms.

Workloads, each parsed in a loop on one thread:
- first sight: a fresh process (every per-word cache empty) parses each held-out message once;
- the held-out file's texts (all under 200 characters), 10 rounds, without and with a gazetteer
  (5 names; every area name of the demo data, as stored: "Phường Bến Thành"; and the gazetteer
  the bot passes, those areas with every old and new name customers use for them);
- held-out texts joined two or three at a time into 60–199-character messages, 10 rounds;
- 10 000-character junk of several kinds: worst wall time and worst CPU time.

CPU figures are thread time: they leave out the time other processes of a shared machine take
the core, which the wall-clock figures (messages/s, p50, p99, worst) include.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources

import nlu
from meters.demo.places import POWER_COMPANIES
from meters.gazetteer import gazetteer_of

ROUNDS = 10
TODAY = date(2026, 11, 21)
AREAS = ("Phường Bến Thành", "Quận 1", "Quận Tân Bình", "Phường Tân Định", "Điện lực Gia Định")
# Every area name of the data (today's wards), and the gazetteer the bot builds of them.
STORED_AREAS = tuple(area.name for company in POWER_COMPANIES for area in company.areas)
PLACES = gazetteer_of(STORED_AREAS)
SHORT = 200
JUNK_LENGTH = 10_000
TARGETS = "(target ≥ 5,000/s, p99 < 2 ms)"


def _messages() -> list[str]:
    text = (resources.files("nlu") / "data" / "heldout.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in text.splitlines() if line.strip()]


def _joined(messages: list[str]) -> list[str]:
    """Held-out texts joined two or three at a time, kept when 60–199 characters long."""
    generator = random.Random(2)
    joined: list[str] = []
    while len(joined) < len(messages):
        text = ". ".join(generator.sample(messages, generator.choice((2, 3))))
        if 60 <= len(text) < SHORT:
            joined.append(text)
    return joined


def _measure(label: str, messages: list[str], areas: Sequence[str], rounds: int) -> None:
    assert all(len(message) < SHORT for message in messages)
    latencies: list[int] = []
    parse = nlu.parse
    started, cpu = time.perf_counter(), time.thread_time()
    for _ in range(rounds):
        for message in messages:
            begin = time.perf_counter_ns()
            parse(message, TODAY, areas)
            latencies.append(time.perf_counter_ns() - begin)
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{label}: {len(latencies) / elapsed:,.0f} messages/s, "
        f"p50 {quantiles[49] / 1e6:.3f} ms, p99 {quantiles[98] / 1e6:.3f} ms, "
        f"max {max(latencies) / 1e6:.3f} ms, CPU {cpu / len(latencies) * 1e6:.0f} µs/message  "
        f"{TARGETS}",
        flush=True,
    )


def _junk() -> dict[str, list[str]]:
    generator = random.Random(4)
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxy0123456789 😀\u200f\u202e\x00/.,kđ"
    letters = "abcdeghiklmnopqrstuvxy"

    def words(size: int) -> str:
        text = " ".join(
            "".join(generator.choices(letters, k=size)) for _ in range(JUNK_LENGTH // size)
        )
        return text[:JUNK_LENGTH]

    vietnamese = "tiền điện tháng này bao nhiêu mất cúp lịch phường bến thành quận 1 ba trăm số"
    return {
        "random characters": [
            "".join(generator.choices(alphabet, k=JUNK_LENGTH)) for _ in range(50)
        ],
        "any code point": [
            "".join(chr(generator.randrange(0x20, 0x30000)) for _ in range(JUNK_LENGTH))
            for _ in range(10)
        ],
        "emoji, RTL and control floods": [
            "😀" * JUNK_LENGTH,
            "\u200f\u202e" * (JUNK_LENGTH // 2),
            "\x00\x1b\t" * (JUNK_LENGTH // 3),
            ("đ😀\u202e" * JUNK_LENGTH)[:JUNK_LENGTH],
        ],
        "short random words": [words(size) for size in (2, 3, 5, 8) for _ in range(5)],
        "Vietnamese words": [
            " ".join(generator.choices(vietnamese.split(), k=JUNK_LENGTH))[:JUNK_LENGTH]
            for _ in range(10)
        ],
        "numbers": [
            " ".join(
                generator.choices(["1", "2.500", "1tr2", "ba", "trăm", "k", "20/11"], k=3000)
            )[:JUNK_LENGTH]
            for _ in range(10)
        ],
    }


def _measure_junk() -> None:
    worst_wall = worst_cpu = 0
    for kind, texts in _junk().items():
        kind_wall = kind_cpu = 0
        for text in texts:
            assert len(text) <= JUNK_LENGTH
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            nlu.parse(text, TODAY, AREAS)
            kind_cpu = max(kind_cpu, time.thread_time_ns() - cpu)
            kind_wall = max(kind_wall, time.perf_counter_ns() - wall)
        print(f"  {kind}: worst {kind_wall / 1e6:.3f} ms (CPU {kind_cpu / 1e6:.3f} ms)")
        worst_wall, worst_cpu = max(worst_wall, kind_wall), max(worst_cpu, kind_cpu)
    print(
        f"10 000-character junk: worst {worst_wall / 1e6:.3f} ms, "
        f"CPU {worst_cpu / 1e6:.3f} ms  (target < 5 ms)",
        flush=True,
    )


def _first_sight() -> None:
    """In this fresh process: each held-out message once, every per-word cache empty."""
    nlu.default_matcher()
    messages = _messages()
    _measure("first sight (fresh process, each message once)", messages, AREAS, rounds=1)


def _timed(label: str, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    print(f"{label}: {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")


def main() -> None:
    """Print throughput and latency figures of `nlu.parse`."""
    _timed("matcher build", nlu.default_matcher)
    messages = _messages()
    joined = _joined(messages)
    print(
        f"{len(messages)} held-out messages (longest {max(map(len, messages))} characters), "
        f"{len(joined)} joined ones ({min(map(len, joined))}–{max(map(len, joined))})",
        flush=True,
    )
    subprocess.run(
        [sys.executable, "-c", "import bench.bench_nlu as b; b._first_sight()"], check=True
    )
    _measure(f"held-out × {ROUNDS}, no gazetteer", messages, (), ROUNDS)
    _measure(f"held-out × {ROUNDS}, 5-area gazetteer", messages, AREAS, ROUNDS)
    _measure(
        f"held-out × {ROUNDS}, {len(STORED_AREAS)} stored area names",
        messages,
        STORED_AREAS,
        ROUNDS,
    )
    _measure(
        f"held-out × {ROUNDS}, gazetteer of the {len(PLACES)} areas ({len(PLACES.names)} names)",
        messages,
        PLACES,
        ROUNDS,
    )
    _measure(f"joined × {ROUNDS}, 5-area gazetteer", joined, AREAS, ROUNDS)
    _measure(f"joined × {ROUNDS}, gazetteer of the {len(PLACES)} areas", joined, PLACES, ROUNDS)
    _measure_junk()


if __name__ == "__main__":
    main()
