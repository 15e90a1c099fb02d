"""Python's garbage collector, set for servers that make and drop objects by the thousand.

The ingest makes a dict or a tuple for every reading, tens of thousands a second, and by default
Python looks for reference cycles every 700 allocations: a collection every few messages, each
also walking the modules, settings and URL patterns that start-up loaded and that are never
garbage. Nearly everything the ingest makes is freed by reference counting, not by the
collector. Measured with `benchmarks/ingest`, `mqtt_ingest` stored 15-18% more messages a
second with the settings below. The web server is left with Python's defaults: in the same
benchmark its HTTP ingest was no faster with these, and it serves pages too.
"""

from __future__ import annotations

import gc

# Allocations between collections of the youngest generation (Python's default is 700), and how
# many collections of each generation before one of the next (Python's default is 10 and 10).
THRESHOLDS = (50_000, 20, 10)


def collector_tune() -> None:
    """Move what start-up loaded out of the collector's sight and collect less often.

    Call once a process has loaded everything it will keep, just before it serves.
    """
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
