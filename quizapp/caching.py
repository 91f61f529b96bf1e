"""A small bounded cache for things made once and reused by many requests.

What goes in one is derived from its key alone (a rendered fragment, a form class), so an
entry is never stale: anything that would change it is part of the key.  The bound keeps a
long-running worker's memory flat; the least recently used entry goes first.  Per process,
not shared: each gunicorn worker builds its own.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Generic, Hashable, TypeVar

Value = TypeVar("Value")


class BoundedCache(Generic[Value]):
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache must hold at least one entry")
        self.size = size
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The value kept for ``key``, made by ``make()`` (and kept) the first time."""
        try:
            value = self._entries[key]
        except KeyError:
            value = self._entries[key] = make()
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries
