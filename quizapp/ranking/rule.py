"""The ranking rule, written once, for Python and for SQL.

Higher score first; then shorter time; then whoever finished first; then the lower
attempt id (so two different attempts never tie).  The overall board applies the same rule
to each player's sums, with the user id as the last key (its ``tiebreak``).

What the overall board sums is each quiz's best score as a share of that quiz's maximum, in
thousandths (``quiz_share``, ``quiz_share_sql``): every quiz counts up to ``SHARE_SCALE``
points, so a quiz of many or speed-scored points does not outweigh the others.  Whole
numbers, floored, so sums and ties are exact in Python and in SQL alike.

``rank_key`` is the rule in Python; ``ranking_order`` (ORDER BY) and ``ahead_of`` (WHERE)
are the same rule in SQL, over any four columns or values given as ``Keys``.  These three
are the only spellings: the boards' reads, their maintenance and their rebuild all use them,
and the ranking indexes of ``models`` follow the same order.

Which attempts are ranked at all is ``modes.is_on_boards`` in Python, ``on_boards`` here in SQL.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, NamedTuple, Sequence

from sqlalchemy import and_, case, or_, tuple_

from quizapp.modes import CLEARED, RANKED_MODES


SHARE_SCALE = 1000  # what a perfect score on one quiz is worth on the overall board


def quiz_share(score: int, max_score: int) -> int:
    """A quiz's score on the overall board: its share of the quiz's maximum, in thousandths,
    rounded down (1000 for a perfect score; 0 for a quiz that has no points at all)."""
    return score * SHARE_SCALE // max_score if max_score > 0 else 0


def quiz_share_sql(score: Any, max_score: Any) -> Any:
    """``quiz_share`` in SQL over integer columns (``//`` renders integer division; scores
    are never negative, so it floors as Python does)."""
    return case((max_score > 0, score * SHARE_SCALE // max_score), else_=0)


class Keys(NamedTuple):
    """The four ranking keys of a row: values, or SQL columns or parameters."""

    score: Any
    duration_ms: Any
    finished_dt: Any
    tiebreak: Any  # the attempt id on a quiz's board, the user id on the overall board


def rank_key(score: int, duration_ms: int, finished_dt: datetime, tiebreak_id: int) -> tuple[Any, ...]:
    """The rule in Python: rows sort by this, best first."""
    return (-score, duration_ms, finished_dt, tiebreak_id)


def ranking_order(keys: Keys) -> list[Any]:
    """The rule as SQL ORDER BY terms, best first."""
    return [keys.score.desc(), keys.duration_ms.asc(), keys.finished_dt.asc(), keys.tiebreak.asc()]


def ahead_of(row: Keys, keys: Keys) -> Any:
    """The rule as a SQL condition: ``row`` ranks strictly ahead of ``keys``."""
    return or_(row.score > keys.score, and_(row.score == keys.score, ahead_at_same_score(row, keys)))


def ahead_at_same_score(row: Keys, keys: Keys) -> Any:
    """SQL: ``row`` ranks ahead of ``keys`` on the keys after the score (for rows of the
    same score): one row-value comparison, which the ranking index answers as one range."""
    return tuple_(row.duration_ms, row.finished_dt, row.tiebreak) < tuple_(keys.duration_ms, keys.finished_dt,
                                                                             keys.tiebreak)


def key_of(row: Any) -> tuple[Any, ...]:
    """``rank_key`` of a row with the keys as attributes (a ``Standing``, an entry row)."""
    tiebreak = getattr(row, "attempt_id", None)
    return rank_key(row.score, row.duration_ms, row.finished_dt, tiebreak if tiebreak is not None else row.user_id)


def ranks_in_order(keys: Iterable[tuple[Any, ...]], first_rank: int = 1) -> list[int]:
    """The ranks of rows whose ``rank_key``s come in ranking order.  Rows share a rank only
    if every key is equal."""
    ranks: list[int] = []
    previous = None
    for offset, key in enumerate(keys):
        ranks.append(ranks[-1] if previous == key else first_rank + offset)
        previous = key
    return ranks


def assign_ranks(rows: Sequence[Any], first_rank: int = 1) -> list[tuple[int, Any]]:
    """(rank, row) for rows (with the keys as attributes) already in ranking order."""
    return list(zip(ranks_in_order((key_of(row) for row in rows), first_rank), rows))


def on_boards(attempt: Any) -> Any:
    """``modes.is_on_boards`` as SQL over the attempt table's columns: ranked, and not held
    or voided by the pace check."""
    return and_(attempt.mode.in_(RANKED_MODES), or_(attempt.review_status.is_(None), attempt.review_status == CLEARED))


__all__ = ["Keys", "SHARE_SCALE", "ahead_at_same_score", "ahead_of", "assign_ranks", "key_of", "on_boards",
           "quiz_share", "quiz_share_sql", "rank_key", "ranking_order", "ranks_in_order"]
