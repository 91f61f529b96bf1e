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
from functools import lru_cache
from typing import Any, NamedTuple, Sequence

from sqlalchemy import Integer, and_, bindparam, case, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from quizapp.models import LeaderboardEntry, OverallEntry, User, UTCDateTime

BOARDS = ("standard", "extended")

# The buckets of LeaderboardCount.  A band of 64 points keeps the sum over bands short on the
# overall board (sums up to ~20,000 points: ~300 bands) and the sum over single scores inside
# a band at most 64 rows; 4.096 s of time splits the thousands of players who share a score on
# a quiz scored by right answers (11 possible scores) into buckets of tens.  Measured on
# 1,000,000 attempts: bench/leaderboard_bench.py, docs/leaderboards.md.
SCORE_BAND = 64
TIME_BAND_MS = 4096
OVERALL_QUIZ_ID = 0  # LeaderboardCount.quiz_id of the overall board


def rank_key(score: int, duration_ms: int, finished_dt: datetime, tiebreak_id: int) -> tuple[Any, ...]:
    return (-score, duration_ms, finished_dt, tiebreak_id)


def _tiebreak(entity: Any) -> Any:
    return entity.attempt_id if entity is LeaderboardEntry else entity.user_id


def count_buckets(score: int, duration_ms: int) -> tuple[tuple[int, int, int], ...]:
    """(level, score_from, duration_from_ms) of the three buckets a row with these keys is counted in."""
    band = score // SCORE_BAND * SCORE_BAND
    return (0, band, 0), (1, score, 0), (2, score, duration_ms // TIME_BAND_MS * TIME_BAND_MS)


def count_bucket_columns(score: Any, duration_ms: Any) -> tuple[tuple[int, Any, Any], ...]:
    """``count_buckets`` as SQL over columns (integer division: scores and times are never negative)."""
    zero = literal(0, Integer)
    return ((0, score // SCORE_BAND * SCORE_BAND, zero), (1, score, zero),
            (2, score, duration_ms // TIME_BAND_MS * TIME_BAND_MS))


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


def _board_values(board: Board) -> dict[str, Any]:
    from quizapp.periods import EPOCH
    values = {"board": board.board, "period": board.period, "start": board.period_start or EPOCH}
    if board.quiz_id is not None:
        values["quiz"] = board.quiz_id
    return values


def _board_where(entity: Any) -> list[Any]:
    """``Board.where`` with bound parameters in place of the values, for statements built once."""
    clauses = [entity.board == bindparam("board"), entity.period == bindparam("period"),
               entity.period_start == bindparam("start")]
    if entity is LeaderboardEntry:
        clauses.insert(0, entity.quiz_id == bindparam("quiz"))
    return clauses


# The statements below are built once per kind of board and then only given values: building
# and caching a SQLAlchemy statement of this size costs more than the database takes to run it.

@lru_cache(maxsize=None)
def _standings_statement(entity: Any):
    extra = entity.attempt_id if entity is LeaderboardEntry else entity.quiz_count
    return (select(entity.user_id, User.username, entity.score, entity.duration_ms, entity.finished_dt, extra)
            .join(User, User.id == entity.user_id)
            .where(*_board_where(entity), User.is_hidden.is_(False))
            .order_by(*ranking_order(entity)).limit(bindparam("limit")).offset(bindparam("offset")))


class _Ranked(NamedTuple):
    user_id: int
    username: str
    score: int
    duration_ms: int
    finished_dt: datetime
    attempt_id: int | None
    quiz_count: int | None


def standings(session: Session, board: Board, limit: int = 50, offset: int = 0) -> list[Standing]:
    # Plain tuples, not ORM entities: a page of a board needs no identity map.
    quiz_board = board.quiz_id is not None
    rows = [_Ranked(user_id, username, score, duration_ms, finished_dt,
                    *((extra, None) if quiz_board else (None, extra)))
            for user_id, username, score, duration_ms, finished_dt, extra
            in session.execute(_standings_statement(board.entity),
                               {**_board_values(board), "limit": limit, "offset": offset})]
    return [Standing(rank, *row) for rank, row in assign_ranks(rows, first_rank=offset + 1)]


def entry_of(session: Session, board: Board, user_id: int) -> Any:
    from quizapp.periods import EPOCH
    start = board.period_start or EPOCH
    if board.quiz_id is None:
        return session.get(OverallEntry, (board.board, board.period, start, user_id))
    return session.get(LeaderboardEntry, (board.quiz_id, board.board, board.period, start, user_id))


def _hidden_users():
    # Served by the partial index ix_user_hidden: costs the number of hidden players, not of players.
    return select(User.id).where(User.is_hidden.is_(True))


@lru_cache(maxsize=None)
def _rank_statement(entity: Any, excluding: bool):
    where = _board_where(entity)
    score = bindparam("score", type_=Integer)
    # Ahead of the keys: a higher score, or the same score and (time, finish, tie-break) lower
    # as a row value.  Two disjoint ranges of the ranking index: index-only counts, no join.
    higher = entity.score > score
    same_and_before = and_(entity.score == score,
                           tuple_(entity.duration_ms, entity.finished_dt, _tiebreak(entity))
                           < tuple_(bindparam("duration", type_=Integer), bindparam("finished", type_=UTCDateTime),
                                    bindparam("key", type_=Integer)))

    def count(condition: Any) -> Any:
        return select(func.count()).select_from(entity).where(*where, condition).scalar_subquery()

    # Then take away the left-out players' rows ahead: each found by primary key (board +
    # user) and only then tested, so the planner cannot prefer walking the range.
    left_out = entity.user_id.in_(_hidden_users())
    if excluding:
        left_out = or_(left_out, entity.user_id == bindparam("exclude", type_=Integer))
    left_out_ahead = (select(func.coalesce(func.sum(case((or_(higher, same_and_before), 1), else_=0)), 0))
                      .select_from(entity).where(*where, left_out).scalar_subquery())
    return select(count(higher) + count(same_and_before) - left_out_ahead)


def rank_of(session: Session, board: Board, entry: Any, *, exclude_user: int | None = None) -> int:
    """1 + the number of visible rows ranking strictly ahead of ``entry``'s keys."""
    values = {**_board_values(board), "score": entry.score, "duration": entry.duration_ms,
              "finished": entry.finished_dt,
              "key": entry.attempt_id if board.entity is LeaderboardEntry else entry.user_id}
    if exclude_user is not None:
        values["exclude"] = exclude_user
    return int(session.execute(_rank_statement(board.entity, exclude_user is not None), values).scalar() or 0) + 1


@lru_cache(maxsize=None)
def _count_statement(entity: Any):
    where = _board_where(entity)
    everyone = select(func.count()).select_from(entity).where(*where).scalar_subquery()
    hidden = select(func.count()).select_from(entity).where(*where, entity.user_id.in_(_hidden_users()))
    return select(everyone - hidden.scalar_subquery())


def participant_count(session: Session, board: Board) -> int:
    return int(session.execute(_count_statement(board.entity), _board_values(board)).scalar() or 0)


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
