"""The bounded caches behind the rendered header, leaderboard tables and answer forms, one set per app."""
from __future__ import annotations

import threading

import pytest

from quizapp.caching import BoundedCache


def test_a_value_is_made_once_and_then_reused():
    made = []
    cache: BoundedCache[str] = BoundedCache(4)

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    assert cache.get_or_make("a", make("a")) == "A"
    assert cache.get_or_make("a", make("a")) == "A"
    assert made == ["a"]


def test_the_least_recently_used_entry_goes_first_when_full():
    cache: BoundedCache[int] = BoundedCache(2)
    cache.get_or_make("a", lambda: 1)
    cache.get_or_make("b", lambda: 2)
    cache.get_or_make("a", lambda: 99)  # used again: now "b" is the oldest
    cache.get_or_make("c", lambda: 3)
    assert "a" in cache and "c" in cache and "b" not in cache
    assert len(cache) == 2


def test_a_value_that_fails_to_be_made_is_not_kept():
    cache: BoundedCache[int] = BoundedCache(2)
    with pytest.raises(ZeroDivisionError):
        cache.get_or_make("x", lambda: 1 // 0)
    assert "x" not in cache and len(cache) == 0


def test_a_cache_holds_at_least_one_entry():
    with pytest.raises(ValueError):
        BoundedCache(0)


def test_a_value_may_be_made_from_the_same_cache_without_waiting_for_itself():
    """The lock (``flask run`` is threaded) covers the table, not the making: a value made
    from another entry of the same cache must not wait for itself (a page would hang)."""
    cache: BoundedCache[str] = BoundedCache(4)
    outer = threading.Thread(target=lambda: cache.get_or_make("fieldset", lambda: cache.get_or_make("form", lambda: "F") + "S"))
    outer.start()
    outer.join(timeout=10)
    assert not outer.is_alive() and cache.get_or_make("fieldset", lambda: "again") == "FS"


def test_every_app_has_its_own_caches(tmp_path):
    from quizapp import create_app
    from quizapp.caching import caches

    config = {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    first = create_app(config, instance_path=str(tmp_path / "a"))
    second = create_app(config, instance_path=str(tmp_path / "b"))
    caches(first).headers.get_or_make("key", lambda: "first")
    assert "key" not in caches(second).headers
    assert caches(second).headers.get_or_make("key", lambda: "second") == "second"
