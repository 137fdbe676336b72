"""`make bench`: run every `bench/bench_*.py` module's `main()` in turn (or the ones named).

Usage: python -m bench [NAME ...]   e.g. `python -m bench tariff nlu`
Each benchmark prints its own numbers; PostgreSQL ones use DIENBOT_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(names: list[str]) -> int:
    """Run the selected benchmarks and return 0 when all of them finished."""
    here = Path(__file__).parent
    modules = sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(here)])
        if info.name.startswith("bench_")
    )
    selected = [name for name in modules if not names or name in names]
    for name in selected:
        print(f"\n=== bench {name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.bench_{name}")
        module.main()
        print(f"=== bench {name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
