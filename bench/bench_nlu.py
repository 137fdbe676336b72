"""NLU throughput and latency on one core: the learned parser beside the old matcher.

Targets (issue 19): the whole parse (normalisation, entities, intent) ≥ 10 000 messages/s on
the dev set's messages and ≥ 5 000/s on 20-word messages, p99 < 1 ms; any text up to 10 000
characters (junk, emoji or control-character floods) under 5 ms.

Workloads, each parsed in a loop on one thread, by `nlu.parse` and by the old matcher:
- the dev set's messages (outside messages; the held-out file's when the dev set is not
  found beside the repository), 10 rounds, with the gazetteer the bot passes;
- messages of 20 words, made by joining held-out messages and cutting at 20 words, 10 rounds;
- first sight: a fresh process (every per-word cache empty) parses each dev message once;
- 10 000-character junk of several kinds: worst wall time and worst CPU time.

CPU figures are thread time: they leave out the time other processes of a shared machine take
the core, which the wall-clock figures (messages/s, p50, p99, worst) include. Garbage is
collected before each workload, so one workload's allocations do not pause the next.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

import nlu
from meters.demo.places import POWER_COMPANIES
from meters.gazetteer import gazetteer_of
from nlu.result import ParseResult

ROUNDS = 10
TODAY = date(2026, 11, 21)
# Every area name of the data (today's wards), and the gazetteer the bot builds of them.
STORED_AREAS = tuple(area.name for company in POWER_COMPANIES for area in company.areas)
PLACES = gazetteer_of(STORED_AREAS)
WORDS = 20
JUNK_LENGTH = 10_000
DEV_SET = Path("shared") / "nlu" / "dev_messages.jsonl"
Parse = Callable[[str, date, Sequence[str]], ParseResult]


def _texts(content: str) -> list[str]:
    return [json.loads(line)["text"] for line in content.splitlines() if line.strip()]


def _held_out() -> list[str]:
    return _texts((resources.files("nlu") / "data" / "heldout.jsonl").read_text(encoding="utf-8"))


def _dev_messages() -> tuple[str, list[str]]:
    """The dev set's texts, or the held-out file's when the dev set is not beside us."""
    named = os.environ.get("DIENBOT_NLU_DEV_SET")
    candidates = (
        [Path(named)] if named else [f / DEV_SET for f in (Path.cwd(), *Path.cwd().parents)]
    )
    for path in candidates:
        if path.is_file():
            return "dev set", _texts(path.read_text(encoding="utf-8"))
    return "held-out file (no dev set found)", _held_out()


def _twenty_words(messages: list[str]) -> list[str]:
    """Held-out messages joined, then cut to exactly 20 words each."""
    generator = random.Random(2)
    made: list[str] = []
    while len(made) < len(messages):
        words: list[str] = []
        while len(words) < WORDS:
            words += generator.choice(messages).split()
        made.append(" ".join(words[:WORDS]))
    return made


def _measure(label: str, parse: Parse, messages: list[str], rounds: int, target: str) -> None:
    gc.collect()  # the garbage of the previous workload is not this one's to collect
    latencies: list[int] = []
    started, cpu = time.perf_counter(), time.thread_time()
    for _ in range(rounds):
        for message in messages:
            begin = time.perf_counter_ns()
            parse(message, TODAY, PLACES)
            latencies.append(time.perf_counter_ns() - begin)
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{label}: {len(latencies) / elapsed:,.0f} messages/s, "
        f"p50 {quantiles[49] / 1e6:.3f} ms, p99 {quantiles[98] / 1e6:.3f} ms, "
        f"max {max(latencies) / 1e6:.3f} ms, CPU {cpu / len(latencies) * 1e6:.0f} µs/message"
        f"  {target}",
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
        "telex-like words": [
            (words(size) + "sfrxj")[-JUNK_LENGTH:] for size in (4, 6) for _ in range(5)
        ],
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


def _measure_junk(label: str, parse: Parse) -> None:
    gc.collect()
    worst_wall = worst_cpu = 0
    for kind, texts in _junk().items():
        kind_wall = kind_cpu = 0
        for text in texts:
            assert len(text) <= JUNK_LENGTH
            wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
            parse(text, TODAY, PLACES)
            kind_cpu = max(kind_cpu, time.thread_time_ns() - cpu)
            kind_wall = max(kind_wall, time.perf_counter_ns() - wall)
        print(f"  {kind}: worst {kind_wall / 1e6:.3f} ms (CPU {kind_cpu / 1e6:.3f} ms)")
        worst_wall, worst_cpu = max(worst_wall, kind_wall), max(worst_cpu, kind_cpu)
    print(
        f"{label} 10 000-character junk: worst {worst_wall / 1e6:.3f} ms, "
        f"CPU {worst_cpu / 1e6:.3f} ms  (target < 5 ms)",
        flush=True,
    )


def _first_sight() -> None:
    """In this fresh process: each dev message once, every per-word cache empty."""
    nlu.default_parser()
    _, messages = _dev_messages()
    _measure("parser, first sight (fresh process)", nlu.parse, messages, 1, "")


def _timed(label: str, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    print(f"{label}: {(time.perf_counter() - started) * 1000:.0f} ms (once per process)")


def main() -> None:
    """Print throughput and latency of `nlu.parse` and of the old matcher, same workloads."""
    _timed("parser load (saved model, else training)", nlu.default_parser)
    _timed("old matcher build", nlu.default_matcher)
    source, dev = _dev_messages()
    twenty = _twenty_words(_held_out())
    print(f"{len(dev)} messages of the {source}; {len(twenty)} messages of {WORDS} words")
    subprocess.run(
        [sys.executable, "-c", "import bench.bench_nlu as b; b._first_sight()"], check=True
    )
    matcher = nlu.default_matcher().parse
    dev_target = "(target ≥ 10,000/s, p99 < 1 ms)"
    long_target = "(target ≥ 5,000/s, p99 < 1 ms)"
    _measure(f"parser, {source} × {ROUNDS}", nlu.parse, dev, ROUNDS, dev_target)
    _measure(f"old matcher, {source} × {ROUNDS}", matcher, dev, ROUNDS, "")
    _measure(f"parser, {WORDS} words × {ROUNDS}", nlu.parse, twenty, ROUNDS, long_target)
    _measure(f"old matcher, {WORDS} words × {ROUNDS}", matcher, twenty, ROUNDS, "")
    _measure_junk("parser", nlu.parse)
    _measure_junk("old matcher", matcher)


if __name__ == "__main__":
    main()
