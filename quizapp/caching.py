"""The app's caches of things made once and reused by many requests: one seam, per app.

What goes in one is derived from its key alone (a rendered fragment, a form class), so an
entry is never stale: anything that would change it is part of the key.  Each key is written
down at the top of the template it covers.  The bound keeps a long-running worker's memory
flat; the least recently used entry goes first.  Per app and per process, not shared: each
gunicorn worker builds its own, and every app (every test) starts empty.

Why each is worth having is measured in docs/performance.md.  Flask-free: ``caches(app)``
only reads ``app.extensions``.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Hashable, TypeVar

Value = TypeVar("Value")


class BoundedCache(Generic[Value]):
    """Least recently used first out, and safe under threads (``flask run`` is threaded).

    The lock covers the table only: ``make`` runs outside it, so a slow render holds nobody
    up, and two threads missing the same key at once both make it (the same value) and the
    last one kept wins."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache must hold at least one entry")
        self.size = size
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        """The value kept for ``key``, made by ``make()`` (and kept) the first time."""
        with self._lock:
            try:
                self._entries.move_to_end(key)
                return self._entries[key]
            except KeyError:
                pass
        value = make()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries


@dataclass(frozen=True)
class Caches:
    """Every cache of the app; the template named by each holds its key's contract."""

    # _site_header.html, per (language, section, username, admin flag): layout.site_header.
    headers: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(2048))
    # leaderboard/_table.html, per (language, quiz, caption, own row, linked names, rows).
    leaderboard_tables: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(512))
    # Whole pages (layout.cached_page), per (template, header key, the page's key): the contract
    # is at the top of each template that uses it (leaderboard/board.html, play/question.html).
    # A board page's key holds the boards' version (ranking.version), which every committed
    # change to a board raises, on whichever server made it.
    pages: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(1024))
    # The answer form class, per (revision, content hash, option order, language): play/forms.py.
    answer_form_classes: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(4096))
    # main/_quiz_list.html, per (language, signed in or not, the listed quizzes' rows).
    quiz_lists: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(64))
    # play/_answer_fields.html, blank, with the same key as the form class.
    blank_answer_fields: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(4096))
    # Question revisions as plain values (questions.RevisionValues), per revision id: a stored
    # revision never changes (an edited question is a new revision).  The question page, its
    # answer and the API read theirs here (questions.revision_values); an ORM object is never
    # kept (it would belong to the session that read it).
    revisions: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(4096))


_EXTENSION = "quizapp.caches"


def caches(app: Any) -> Caches:
    """The caches of ``app`` (``current_app`` in a request)."""
    return app.extensions[_EXTENSION]


def init_app(app: Any) -> None:
    app.extensions[_EXTENSION] = Caches()
