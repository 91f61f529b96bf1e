"""The bucket counts behind every rank (``LeaderboardCount``), in Python and in SQL.

A rank is 1 + the rows ahead, and those are not counted one by one: ``LeaderboardCount``
keeps how many rows each bucket of the ranking order holds (bands of ``SCORE_BAND`` points,
single scores, single scores cut into bands of ``TIME_BAND_MS``).  ``maintain`` keeps the
counts one finish at a time (``count_buckets``), ``rebuild`` recomputes them with GROUP BY
(``count_bucket_columns``, the same buckets as SQL), ``reads`` sums them (docs/leaderboards.md).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, literal_column

# A band of 64 points keeps the sum over bands short on the overall board (sums up to
# ~20,000 points: ~300 bands) and the sum over single scores inside a band at most 64 rows;
# 4.096 s of time splits the thousands of players who share a score on a quiz scored by right
# answers (11 possible scores) into buckets of tens.  Measured on 1,000,000 attempts:
# bench/leaderboard_bench.py, docs/leaderboards.md.
SCORE_BAND = 64
TIME_BAND_MS = 4096
OVERALL_QUIZ_ID = 0  # LeaderboardCount.quiz_id of the overall board


def number(value: int) -> Any:
    """An integer written into the SQL, not bound: these statements are built once, and a
    constant sent as a parameter costs processing on every execution."""
    return literal_column(str(int(value)), Integer)


def count_buckets(score: int, duration_ms: int) -> tuple[tuple[int, int, int], ...]:
    """(level, score_from, duration_from_ms) of the three buckets a row with these keys is counted in."""
    band = score // SCORE_BAND * SCORE_BAND
    return (0, band, 0), (1, score, 0), (2, score, duration_ms // TIME_BAND_MS * TIME_BAND_MS)


def count_bucket_columns(score: Any, duration_ms: Any) -> tuple[tuple[int, Any, Any], ...]:
    """``count_buckets`` as SQL over columns (integer division: scores and times are never negative)."""
    zero, band, time_band = number(0), number(SCORE_BAND), number(TIME_BAND_MS)
    return ((0, score // band * band, zero), (1, score, zero), (2, score, duration_ms // time_band * time_band))


__all__ = ["OVERALL_QUIZ_ID", "SCORE_BAND", "TIME_BAND_MS", "count_bucket_columns", "count_buckets", "number"]
