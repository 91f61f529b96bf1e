"""The one ranking rule, used by every leaderboard, in Python and in SQL.

Higher score first; then shorter time; then whoever finished first; then the lower
attempt id (so two different attempts never tie).  The overall board applies the same
rule to each user's sums, with the user id as the last key.

``rank_key`` is the rule in Python; ``ranking_order`` and ``outranks`` are the same rule
as SQL over the maintained tables, whose indexes follow this order, so a top-N page and a
user's rank are index range scans, never scans of attempts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from quizapp.models import LeaderboardEntry, OverallEntry, User

BOARDS = ("standard", "extended")


def rank_key(score: int, duration_ms: int, finished_dt: datetime, tiebreak_id: int) -> tuple[Any, ...]:
    return (-score, duration_ms, finished_dt, tiebreak_id)


def _tiebreak(entity: Any) -> Any:
    return entity.attempt_id if entity is LeaderboardEntry else entity.user_id


def ranking_order(entity: Any = LeaderboardEntry) -> list[Any]:
    return [entity.score.desc(), entity.duration_ms.asc(), entity.finished_dt.asc(), _tiebreak(entity).asc()]


def outranks(entity: Any, score: int, duration_ms: int, finished_dt: datetime, tiebreak_id: int) -> Any:
    """SQL: rows of ``entity`` that rank strictly ahead of the given keys."""
    tiebreak = _tiebreak(entity)
    return or_(
        entity.score > score,
        and_(entity.score == score, entity.duration_ms < duration_ms),
        and_(entity.score == score, entity.duration_ms == duration_ms, entity.finished_dt < finished_dt),
        and_(entity.score == score, entity.duration_ms == duration_ms, entity.finished_dt == finished_dt,
             tiebreak < tiebreak_id),
    )


def _key_of(row: Any) -> tuple[Any, ...]:
    tiebreak = getattr(row, "attempt_id", None)
    return rank_key(row.score, row.duration_ms, row.finished_dt, tiebreak if tiebreak is not None else row.user_id)


def assign_ranks(rows: Sequence[Any], first_rank: int = 1) -> list[tuple[int, Any]]:
    """Ranks for rows already in ranking order.  Rows share a rank only if every key is equal."""
    ranked: list[tuple[int, Any]] = []
    previous = None
    for offset, row in enumerate(rows):
        key = _key_of(row)
        rank = ranked[-1][0] if previous == key else first_rank + offset
        ranked.append((rank, row))
        previous = key
    return ranked


@dataclass(frozen=True)
class Board:
    """Which leaderboard: a quiz's (``quiz_id``) or the overall one (``quiz_id=None``)."""

    quiz_id: int | None
    board: str = "standard"
    period: str = "all"
    period_start: datetime | None = None  # required for "week" and "day"

    @property
    def entity(self) -> Any:
        return OverallEntry if self.quiz_id is None else LeaderboardEntry

    def where(self) -> list[Any]:
        from quizapp.periods import EPOCH
        entity = self.entity
        clauses = [entity.board == self.board, entity.period == self.period,
                   entity.period_start == (self.period_start or EPOCH)]
        if self.quiz_id is not None:
            clauses.insert(0, LeaderboardEntry.quiz_id == self.quiz_id)
        return clauses


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    username: str
    score: int
    duration_ms: int
    finished_dt: datetime
    attempt_id: int | None = None
    quiz_count: int | None = None


def _visible(board: Board):
    entity = board.entity
    return (select(entity, User.username).join(User, User.id == entity.user_id)
            .where(*board.where(), User.is_hidden.is_(False)))


def _standing(rank: int, entry: Any, username: str) -> Standing:
    return Standing(rank, entry.user_id, username, entry.score, entry.duration_ms, entry.finished_dt,
                    getattr(entry, "attempt_id", None), getattr(entry, "quiz_count", None))


def standings(session: Session, board: Board, limit: int = 50, offset: int = 0) -> list[Standing]:
    rows = session.execute(_visible(board).order_by(*ranking_order(board.entity)).limit(limit).offset(offset)).all()
    names = {row[0].user_id: row[1] for row in rows}
    return [_standing(rank, entry, names[entry.user_id])
            for rank, entry in assign_ranks([row[0] for row in rows], first_rank=offset + 1)]


def entry_of(session: Session, board: Board, user_id: int) -> Any:
    from quizapp.periods import EPOCH
    start = board.period_start or EPOCH
    if board.quiz_id is None:
        return session.get(OverallEntry, (board.board, board.period, start, user_id))
    return session.get(LeaderboardEntry, (board.quiz_id, board.board, board.period, start, user_id))


def rank_of(session: Session, board: Board, entry: Any, *, exclude_user: int | None = None) -> int:
    """1 + the number of visible rows ranking strictly ahead of ``entry``'s keys."""
    entity = board.entity
    query = (select(func.count()).select_from(entity).join(User, User.id == entity.user_id)
             .where(*board.where(), User.is_hidden.is_(False),
                    outranks(entity, entry.score, entry.duration_ms, entry.finished_dt,
                             entry.attempt_id if entity is LeaderboardEntry else entry.user_id)))
    if exclude_user is not None:
        query = query.where(entity.user_id != exclude_user)
    return int(session.scalar(query) or 0) + 1


def participant_count(session: Session, board: Board) -> int:
    entity = board.entity
    return int(session.scalar(
        select(func.count()).select_from(entity).join(User, User.id == entity.user_id)
        .where(*board.where(), User.is_hidden.is_(False))
    ) or 0)


def window_around(session: Session, board: Board, rank: int, radius: int = 2) -> list[Standing]:
    """The rows just above and below a rank: the signed-in user's neighbourhood."""
    first = max(1, rank - radius)
    return standings(session, board, limit=2 * radius + 1, offset=first - 1)


@dataclass(frozen=True)
class AttemptKeys:
    score: int
    duration_ms: int
    finished_dt: datetime
    attempt_id: int
    user_id: int


def attempt_rank(session: Session, quiz_id: int, user_id: int, score: int, duration_ms: int,
                 finished_dt: datetime, attempt_id: int, board: str = "standard") -> int:
    """Where one attempt stands against everyone else's best attempt (all time)."""
    return rank_of(session, Board(quiz_id, board), AttemptKeys(score, duration_ms, finished_dt, attempt_id, user_id),
                   exclude_user=user_id)


RULE_TEXT = "score (higher first), then time taken (shorter first), then who finished first, then attempt number"

__all__ = ["BOARDS", "Board", "RULE_TEXT", "Standing", "assign_ranks", "attempt_rank", "entry_of", "outranks",
           "participant_count", "rank_key", "rank_of", "ranking_order", "standings", "window_around"]
