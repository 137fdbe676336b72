"""The start-up heap, moved out of the garbage collector's way once the service is built.

CPython's full collection walks every object that survived the younger generations. A service
process holds a few hundred thousand of them from start-up (modules, the NLU's tables, the
libraries' registries) that live as long as the process: with them in the walk, a full
collection paused every thread for 14-160 ms, measured in the conversation benchmark, the
largest single cause of its slowest replies. Frozen, they are skipped; what is allocated
afterwards is collected as usual.
"""

from __future__ import annotations

import gc


def settle_heap() -> int:
    """Collect once, then freeze the surviving objects; how many were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
