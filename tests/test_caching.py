"""The bounded cache behind the rendered header, leaderboard tables and answer form classes."""
from __future__ import annotations

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
