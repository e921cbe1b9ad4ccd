"""Python's cyclic garbage collector, nearly idle while jac builds big problems.

Parse trees and SymEngine's wrappers are millions of long-lived objects with no cycles to
collect, which each full collection scanned again: 36% of the time for 10^5 equations, and
what made the stages grow faster than the input. Measured with bench/workloads.py bratu.
"""

import contextlib
import gc
from collections.abc import Iterator

# Allocations between collections of the youngest generation (Python's default is 700),
# and how many of those before each older one is collected in turn.
THRESHOLD = (100_000, 20, 100)


def rarely_collected(freeze: bool = True) -> None:
    """For good (the budgeted worker ends with its work): rarer collections, and what is
    alive now frozen (never scanned again)."""
    if freeze:
        gc.freeze()
    gc.set_threshold(*THRESHOLD)


@contextlib.contextmanager
def few_collections() -> Iterator[None]:
    """`rarely_collected` while the work runs in this process, then the caller's collector
    back: its thresholds, and its objects unfrozen unless it had frozen some itself."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count() > 0
    rarely_collected(freeze=not frozen)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not frozen:
            gc.unfreeze()
