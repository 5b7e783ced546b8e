"""A thread-safe least-recently-used map bounded by the bytes of its entries.

The result cache's in-memory tier and the answer memo in front of Flask both keep answers this
way: each entry weighs what ``size`` says, none weighing more than ``max_entry`` is kept, and the
oldest-used entries go when the total passes ``max_bytes``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


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

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` (replacing what ``key`` held), dropping the oldest-used entries while
        the total is over the limit; a value over ``max_entry`` is not kept."""
        if self._size(key, value) > self.max_entry:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= self._size(key, old)
            self._entries[key] = value
            self._bytes += self._size(key, value)
            while self._bytes > self.max_bytes and self._entries:
                dropped_key, dropped = self._entries.popitem(last=False)
                self._bytes -= self._size(dropped_key, dropped)
