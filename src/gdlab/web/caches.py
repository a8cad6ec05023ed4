"""Per-app caches (layer L5): the page asks for the same things again and again.

Dragging one slider re-runs one optimizer; the other runs of the request, and the parsed
expression, are the same as a moment ago.  `Cache` is a thread-safe LRU bounded by a total
weight (entries, or rows of a path), kept on `app.state` — never a module global.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Cache(Generic[Value]):
    """At most `capacity` in total weight; the least recently used entries go first."""

    def __init__(self, capacity: int, weight: Callable[[Value], int] = lambda value: 1) -> None:
        self.capacity = capacity
        self.weight = weight
        self.total = 0
        self._items: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Value | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Value) -> None:
        weight = self.weight(value)
        if weight > self.capacity:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.total -= old[1]
            self._items[key] = (value, weight)
            self.total += weight
            while self.total > self.capacity:
                _, (_, dropped) = self._items.popitem(last=False)
                self.total -= dropped
