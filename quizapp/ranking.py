"""The one ranking rule, used by every leaderboard, in Python and in SQL.

Higher score first; then shorter time; then whoever finished first; then the lower
attempt id (so two different attempts never tie).  ``rank_key`` is the rule in Python;
``ranking_order`` and ``outranks`` are the same rule as SQL, for index-backed queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from quizapp.models import LeaderboardEntry, Quiz, User

RULE_TEXT = "score (higher first), then time taken (shorter first), then who finished first, then attempt number"


def rank_key(score: int, duration_ms: int, finished_dt: datetime, attempt_id: int) -> tuple[Any, ...]:
    return (-score, duration_ms, finished_dt, attempt_id)


def ranking_order(entity: Any = LeaderboardEntry) -> list[Any]:
    return [entity.score.desc(), entity.duration_ms.asc(), entity.finished_dt.asc(), entity.attempt_id.asc()]


def outranks(entity: Any, score: int, duration_ms: int, finished_dt: datetime, attempt_id: int) -> Any:
    """SQL: rows of ``entity`` that rank strictly ahead of the given keys."""
    return or_(
        entity.score > score,
        and_(entity.score == score, entity.duration_ms < duration_ms),
        and_(entity.score == score, entity.duration_ms == duration_ms, entity.finished_dt < finished_dt),
        and_(entity.score == score, entity.duration_ms == duration_ms, entity.finished_dt == finished_dt,
             entity.attempt_id < attempt_id),
    )


def assign_ranks(rows: Sequence[Any], first_rank: int = 1) -> list[tuple[int, Any]]:
    """Ranks for rows already in ranking order.  Rows share a rank only if every key is equal."""
    ranked: list[tuple[int, Any]] = []
    previous = None
    for offset, row in enumerate(rows):
        key = rank_key(row.score, row.duration_ms, row.finished_dt, row.attempt_id)
        rank = ranked[-1][0] if previous == key else first_rank + offset
        ranked.append((rank, row))
        previous = key
    return ranked


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    username: str
    attempt_id: int
    score: int
    duration_ms: int
    finished_dt: datetime


def _visible(quiz_id: int):
    return (
        select(LeaderboardEntry, User.username)
        .join(User, User.id == LeaderboardEntry.user_id)
        .where(LeaderboardEntry.quiz_id == quiz_id, User.is_hidden.is_(False))
    )


def quiz_standings(session: Session, quiz_id: int, limit: int = 50, offset: int = 0) -> list[Standing]:
    rows = session.execute(_visible(quiz_id).order_by(*ranking_order()).limit(limit).offset(offset)).all()
    entries = [row[0] for row in rows]
    names = {row[0].user_id: row[1] for row in rows}
    return [
        Standing(rank, e.user_id, names[e.user_id], e.attempt_id, e.score, e.duration_ms, e.finished_dt)
        for rank, e in assign_ranks(entries, first_rank=offset + 1)
    ]


def entry_rank(session: Session, entry: LeaderboardEntry) -> int:
    ahead = session.scalar(
        select(func.count())
        .select_from(LeaderboardEntry)
        .join(User, User.id == LeaderboardEntry.user_id)
        .where(
            LeaderboardEntry.quiz_id == entry.quiz_id,
            User.is_hidden.is_(False),
            outranks(LeaderboardEntry, entry.score, entry.duration_ms, entry.finished_dt, entry.attempt_id),
        )
    )
    return int(ahead or 0) + 1


def user_entry(session: Session, quiz_id: int, user_id: int) -> LeaderboardEntry | None:
    return session.get(LeaderboardEntry, (quiz_id, user_id))


def attempt_rank(session: Session, quiz_id: int, user_id: int, score: int, duration_ms: int,
                 finished_dt: datetime, attempt_id: int) -> int:
    """Where an attempt stands against everyone else's best attempt."""
    ahead = session.scalar(
        select(func.count())
        .select_from(LeaderboardEntry)
        .join(User, User.id == LeaderboardEntry.user_id)
        .where(
            LeaderboardEntry.quiz_id == quiz_id,
            User.is_hidden.is_(False),
            LeaderboardEntry.user_id != user_id,
            outranks(LeaderboardEntry, score, duration_ms, finished_dt, attempt_id),
        )
    )
    return int(ahead or 0) + 1


def participant_count(session: Session, quiz_id: int) -> int:
    return int(session.scalar(
        select(func.count()).select_from(LeaderboardEntry).join(User, User.id == LeaderboardEntry.user_id)
        .where(LeaderboardEntry.quiz_id == quiz_id, User.is_hidden.is_(False))
    ) or 0)


__all__ = ["RULE_TEXT", "Standing", "assign_ranks", "attempt_rank", "entry_rank", "outranks",
           "participant_count", "quiz_standings", "rank_key", "ranking_order", "user_entry", "Quiz"]
