"""Keeping the boards: the only writer of ``LeaderboardEntry``, ``OverallEntry`` and
``LeaderboardCount``, one finished attempt at a time, in the transaction that finished it.

``attempts.finish_attempt`` calls ``record_finish`` for a ranked attempt the pace check did
not hold; ``moderation.decide`` calls it for one an admin clears.  ``rebuild``
recomputes the same three tables from scratch and must give exactly the same rows.  Plain
Python over a session: ``flush()``, never ``commit()``.  No Flask.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from quizapp.models import Attempt, LeaderboardCount, LeaderboardEntry, OverallEntry, User
from quizapp.periods import PERIODS, period_start
from quizapp.ranking.buckets import OVERALL_QUIZ_ID, count_buckets
from quizapp.ranking.pages import attempt_rank
from quizapp.ranking.rule import quiz_share_sql, rank_key


def record_finish(session: Session, attempt: Attempt, zone: ZoneInfo) -> None:
    """Put a finished attempt on the boards (``keep_best``) and keep the rank it had then
    (``Attempt.rank_at_finish``: history, never updated afterwards)."""
    keep_best(session, attempt, zone)
    attempt.rank_at_finish = attempt_rank(session, attempt)
    session.flush()


def keep_best(session: Session, attempt: Attempt, zone: ZoneInfo) -> None:
    """Record a finished ranked attempt on its board for every period, where it beats the
    user's entry; then refresh the user's overall sums and the boards' bucket counts
    (``LeaderboardCount``).  The only writer of the three tables."""
    assert attempt.finished_dt is not None and attempt.duration_ms is not None
    lock_user_boards(session, attempt.user_id)
    new_key = rank_key(attempt.score, attempt.duration_ms, attempt.finished_dt, attempt.id)
    counts: Counter[tuple] = Counter()
    for period in PERIODS:
        start = period_start(period, attempt.finished_dt, zone)
        board = (attempt.quiz_id, attempt.mode, period, start)
        entry = session.get(LeaderboardEntry, (attempt.quiz_id, attempt.mode, period, start, attempt.user_id),
                            populate_existing=True)
        if entry is None:
            session.add(LeaderboardEntry(quiz_id=attempt.quiz_id, board=attempt.mode, period=period,
                                         period_start=start, user_id=attempt.user_id, attempt_id=attempt.id,
                                         score=attempt.score, duration_ms=attempt.duration_ms,
                                         finished_dt=attempt.finished_dt))
        elif new_key < rank_key(entry.score, entry.duration_ms, entry.finished_dt, entry.attempt_id):
            _count(counts, board, entry.score, entry.duration_ms, -1)
            entry.attempt_id = attempt.id
            entry.score = attempt.score
            entry.duration_ms = attempt.duration_ms
            entry.finished_dt = attempt.finished_dt
        else:
            continue
        _count(counts, board, attempt.score, attempt.duration_ms, +1)
        session.flush()
        _refresh_overall(session, counts, attempt.user_id, attempt.mode, period, start)
    _write_counts(session, counts)


def lock_user_boards(session: Session, user_id: int) -> None:
    """Serialize, per user, everything that writes that user's board rows.

    ``keep_best`` reads the user's entries, then inserts or replaces them, and sums them
    into the overall row.  Two finishes of one user at once (two quizzes in two tabs) would
    otherwise both see "no overall row yet" and both insert it (a duplicate key, a 500, the
    last answer rolled back), or both sum from the same stale entries (a lost update, and
    bucket counts that drift).  On PostgreSQL this takes the user's row lock
    (``FOR NO KEY UPDATE``: it still lets other transactions insert rows that refer to the
    user, so it cannot deadlock with their foreign-key checks); under READ COMMITTED every
    statement after it sees what the previous holder committed.  SQLite renders no lock:
    its writers are serialized already, and this transaction has written by now."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def _refresh_overall(session: Session, counts: Counter[tuple], user_id: int, board: str, period: str,
                     start: datetime) -> None:
    # Recomputed from the user's (at most one per quiz) entries rather than adjusted by a
    # delta, so it always equals what a rebuild from scratch would give.
    # The score is the sum of each quiz's share of its maximum (rule.quiz_share_sql); the
    # maximum is the attempt's own (``Attempt.max_score``), fixed when it started.
    totals = session.execute(
        select(func.sum(quiz_share_sql(LeaderboardEntry.score, Attempt.max_score)),
               func.sum(LeaderboardEntry.duration_ms), func.max(LeaderboardEntry.finished_dt), func.count())
        .join(Attempt, Attempt.id == LeaderboardEntry.attempt_id)
        .where(LeaderboardEntry.user_id == user_id, LeaderboardEntry.board == board,
               LeaderboardEntry.period == period, LeaderboardEntry.period_start == start)
    ).one()
    overall = session.get(OverallEntry, (board, period, start, user_id), populate_existing=True)
    overall_board = (OVERALL_QUIZ_ID, board, period, start)
    if overall is None:
        overall = OverallEntry(board=board, period=period, period_start=start, user_id=user_id)
        session.add(overall)
    else:
        _count(counts, overall_board, overall.score, overall.duration_ms, -1)
    overall.score, overall.duration_ms = int(totals[0]), int(totals[1])
    overall.finished_dt = totals[2]
    overall.quiz_count = int(totals[3])
    _count(counts, overall_board, overall.score, overall.duration_ms, +1)
    session.flush()


def _count(counts: Counter[tuple], board: tuple, score: int, duration_ms: int, change: int) -> None:
    """Note that a row with these keys joins (+1) or leaves (-1) the board's buckets."""
    for bucket in count_buckets(score, duration_ms):
        counts[board + bucket] += change


_COUNT_KEY = ("quiz_id", "board", "period", "period_start", "level", "score_from", "duration_from_ms")


@lru_cache(maxsize=None)
def _count_statements(dialect: str):
    table = LeaderboardCount.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(table)
    upsert = upsert.on_conflict_do_update(index_elements=[table.c[name] for name in _COUNT_KEY],
                                          set_={"n": table.c.n + upsert.excluded.n})
    emptied = delete(table).where(and_(*(table.c[name] == bindparam(f"k_{name}") for name in _COUNT_KEY)),
                                  table.c.n == 0)
    return upsert, emptied


def _write_counts(session: Session, counts: Counter[tuple]) -> None:
    """Add the changes to ``LeaderboardCount`` (an upsert per bucket, so a new bucket needs no
    reading first), then delete the buckets that emptied.  Changes that cancel out (a better
    attempt in the same bucket) are not written.  Buckets go in key order: two transactions
    then lock shared rows in the same order and cannot deadlock on them (PostgreSQL)."""
    changes = sorted((key, change) for key, change in counts.items() if change)
    if not changes:
        return
    upsert, emptied = _count_statements(session.get_bind().dialect.name)
    session.execute(upsert, [{**dict(zip(_COUNT_KEY, key)), "n": change} for key, change in changes])
    shrunk = [{f"k_{name}": value for name, value in zip(_COUNT_KEY, key)} for key, change in changes if change < 0]
    if shrunk:
        session.execute(emptied, shrunk)


__all__ = ["keep_best", "lock_user_boards", "record_finish"]
