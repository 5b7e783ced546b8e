"""A thread-safe least-recently-used map bounded by the bytes of its entries.

The result cache's in-memory tier and the answer memo in front of Flask both keep answers this
way: each entry weighs what ``size`` says plus ``ENTRY_OVERHEAD``, none weighing more than
``max_entry`` is kept, and the oldest-used entries go when the total passes ``max_bytes``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: What an entry costs beyond the bytes ``size`` counts: the map's node, the key's and the
#: value's objects (an answer of 40 bytes took ~365 bytes in all, tracemalloc says). Counting
#: only the bytes let 16 MB of small answers take ten times that.
ENTRY_OVERHEAD = 320


class BytesLRU(Generic[K, V]):
    def __init__(self, max_bytes: int, size: Callable[[K, V], int], max_entry: int) -> None:
        self.max_bytes = max_bytes
        #: An entry weighing more is never kept (it would push out many others).
        self.max_entry = min(max_entry, max_bytes)
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    @property
    def weight(self) -> int:
        """What the entries kept now weigh, their overhead included."""
        return self._bytes

    def _weight(self, key: K, value: V) -> int:
        return self._size(key, value) + ENTRY_OVERHEAD

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` (replacing what ``key`` held), dropping the oldest-used entries while
        the total is over the limit; a value over ``max_entry`` is not kept."""
        if self._size(key, value) > self.max_entry:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= self._weight(key, old)
            self._entries[key] = value
            self._bytes += self._weight(key, value)
            while self._bytes > self.max_bytes and self._entries:
                dropped_key, dropped = self._entries.popitem(last=False)
                self._bytes -= self._weight(dropped_key, dropped)
