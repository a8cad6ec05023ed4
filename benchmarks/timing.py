"""Timing: medians of repeated runs, after a warm-up (JIT compiles, caches fill)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any


def interleaved_medians(
    functions: Mapping[str, Callable[[], Any]],
    *,
    repeats: int,
    warmup: int = 1,
    budget: float = 0.0,
) -> dict[str, float]:
    """Median time of each function, timed in turns (a, b, c, a, b, c, …).

    On a shared machine the load drifts; taking turns exposes every variant to the same drift,
    so that ratios measured side by side stay fair.  At least `repeats` turns; more (up to
    20·repeats) while the turns so far took less than `budget` seconds, so that fast cases
    get enough samples for a stable median.
    """
    for function in functions.values():
        for _ in range(warmup):
            function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    started = time.perf_counter()
    turns = 0
    while turns < repeats or (time.perf_counter() - started < budget and turns < 20 * repeats):
        turns += 1
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def optional_import(name: str) -> Any:
    """The module, or None when this benchmark-only dependency is not installed."""
    try:
        return __import__(name)
    except ImportError:
        return None
