"""The one ranking rule, used by every leaderboard, in Python and in SQL.

Higher score first; then shorter time; then whoever finished first; then the lower
attempt id (so two different attempts never tie).  The overall board applies the same
rule to each user's sums, with the user id as the last key.

``rank_key`` is the rule in Python; ``ranking_order`` and ``outranks`` are the same rule
as SQL over the maintained tables, whose indexes follow this order, so a top-N page is an
index range scan, never a scan of attempts.

A rank is 1 + the rows ahead, and those are not counted one by one: ``LeaderboardCount``
keeps how many rows each bucket of the ranking order holds (``count_buckets``: bands of
``SCORE_BAND`` points, single scores, single scores cut into bands of ``TIME_BAND_MS``),
so the rows ahead are three short sums over buckets plus a count inside the viewer's own
smallest bucket, minus the hidden players' rows ahead.  The work depends on how the scores
and times spread, not on where the viewer stands (docs/leaderboards.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, Sequence

from sqlalchemy import Integer, and_, bindparam, case, func, inspect, literal_column, or_, select, tuple_, union_all
from sqlalchemy.orm import Session, aliased

from quizapp.models import LeaderboardCount, LeaderboardEntry, OverallEntry, User, UTCDateTime

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


def _is_quiz_board(entity: Any) -> bool:
    """Whether ``entity`` (a model class or an alias of one) holds per-quiz rows."""
    return inspect(entity).mapper.class_ is LeaderboardEntry


def _tiebreak(entity: Any) -> Any:
    return entity.attempt_id if _is_quiz_board(entity) else entity.user_id


def _number(value: int) -> Any:
    """An integer written into the SQL, not bound: these statements are built once, and a
    constant sent as a parameter costs processing on every execution."""
    return literal_column(str(int(value)), Integer)


def count_buckets(score: int, duration_ms: int) -> tuple[tuple[int, int, int], ...]:
    """(level, score_from, duration_from_ms) of the three buckets a row with these keys is counted in."""
    band = score // SCORE_BAND * SCORE_BAND
    return (0, band, 0), (1, score, 0), (2, score, duration_ms // TIME_BAND_MS * TIME_BAND_MS)


def count_bucket_columns(score: Any, duration_ms: Any) -> tuple[tuple[int, Any, Any], ...]:
    """``count_buckets`` as SQL over columns (integer division: scores and times are never negative)."""
    zero, band, time_band = _number(0), _number(SCORE_BAND), _number(TIME_BAND_MS)
    return ((0, score // band * band, zero), (1, score, zero), (2, score, duration_ms // time_band * time_band))


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
    if _is_quiz_board(entity):
        clauses.insert(0, entity.quiz_id == bindparam("quiz"))
    return clauses


def _count_where(entity: Any) -> list[Any]:
    """The board's rows of LeaderboardCount (the overall board is quiz 0 there)."""
    count = LeaderboardCount
    quiz = bindparam("quiz") if _is_quiz_board(entity) else _number(OVERALL_QUIZ_ID)
    return [count.quiz_id == quiz, count.board == bindparam("board"), count.period == bindparam("period"),
            count.period_start == bindparam("start")]


# The statements below are built once per kind of board and then only given values: building
# and caching a SQLAlchemy statement of this size costs more than the database takes to run it.
# They run through ``_read``, as Core statements in the session's transaction.

def _read(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """Run a read on the session's connection, in its transaction, and return plain rows.

    ``session.execute`` would route the statement through the ORM's result machinery, which
    these reads do not need: measured on a 1,000,000-attempt board, it added 0.15-0.25 ms to a
    query (the top 20: 0.51 ms against 0.25 ms on SQLite), a large share of a 1 ms budget.
    Pending changes are flushed first, as the session's autoflush would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, values)


def _extra(entity: Any) -> Any:
    return entity.attempt_id if _is_quiz_board(entity) else entity.quiz_count


def _columns(entity: Any) -> list[Any]:
    username = select(User.username).where(User.id == entity.user_id).correlate_except(User).scalar_subquery()
    return [entity.user_id, username, entity.score, entity.duration_ms, entity.finished_dt, _extra(entity)]


def _visible(entity: Any) -> Any:
    """SQL: the row's player is not hidden.

    Written as NOT IN over the partial index of the hidden players (read once per statement,
    a handful of ids), with the usernames fetched by primary key for the rows kept, rather
    than as a join with every player: PostgreSQL then has one table to plan, not a join.
    Planning matters here: psycopg forgets its prepared statements at every ROLLBACK, and a
    request ends in one, so PostgreSQL plans these statements anew on every page (measured
    at 1,000,000 attempts: the top 20 planned in 0.14 ms instead of 0.24 ms, executing in
    0.12 ms either way)."""
    return entity.user_id.not_in(select(User.id).where(User.is_hidden.is_(True)))


@lru_cache(maxsize=None)
def _standings_statement(entity: Any):
    return (select(*_columns(entity))
            .where(*_board_where(entity), _visible(entity))
            .order_by(*ranking_order(entity)).limit(bindparam("limit")).offset(bindparam("offset")))


class _Ranked(NamedTuple):
    user_id: int
    username: str
    score: int
    duration_ms: int
    finished_dt: datetime
    attempt_id: int | None
    quiz_count: int | None


def _ranked(rows: Any, quiz_board: bool) -> list[_Ranked]:
    # Plain tuples, not ORM entities: a page of a board needs no identity map.
    return [_Ranked(user_id, username, score, duration_ms, finished_dt,
                    *((extra, None) if quiz_board else (None, extra)))
            for user_id, username, score, duration_ms, finished_dt, extra, *_ in rows]


def standings(session: Session, board: Board, limit: int = 50, offset: int = 0) -> list[Standing]:
    rows = _ranked(_read(session, _standings_statement(board.entity),
                         {**_board_values(board), "limit": limit, "offset": offset}).all(),
                   board.quiz_id is not None)
    return [Standing(rank, *row) for rank, row in assign_ranks(rows, first_rank=offset + 1)]


class _Keys(NamedTuple):
    """The ranking keys of the row whose rank is wanted, as SQL: bound values or the columns
    of the viewer's own row."""
    score: Any
    duration_ms: Any
    finished_dt: Any
    tiebreak: Any


def _keys_of(entity: Any) -> _Keys:
    return _Keys(entity.score, entity.duration_ms, entity.finished_dt, _tiebreak(entity))


def _bound_keys() -> _Keys:
    return _Keys(bindparam("score", type_=Integer), bindparam("duration", type_=Integer),
                 bindparam("finished", type_=UTCDateTime), bindparam("key", type_=Integer))


def _ahead_of(entity: Any, keys: _Keys) -> Any:
    """SQL: whether a row of ``entity`` ranks strictly ahead of ``keys``."""
    return or_(entity.score > keys.score,
               and_(entity.score == keys.score,
                    tuple_(entity.duration_ms, entity.finished_dt, _tiebreak(entity))
                    < tuple_(keys.duration_ms, keys.finished_dt, keys.tiebreak)))


def _rows_ahead(entity: Any, keys: _Keys) -> Any:
    """SQL: how many rows of the board, hidden players' included, rank strictly ahead of ``keys``.

    Every row ahead is in exactly one of: a score band above the keys' band (level 0 sums),
    a higher score inside the keys' band (level 1), the keys' score with a time band before
    theirs (level 2), or the keys' own (score, time band) bucket, counted in the ranking
    index.  So the work is at most the bands, the scores in one band, the time bands of one
    score and the rows of one bucket, wherever the keys stand."""
    count = LeaderboardCount
    band, time_band = _number(SCORE_BAND), _number(TIME_BAND_MS)
    band_from = keys.score // band * band
    time_from = keys.duration_ms // time_band * time_band

    def total(level: int, *clauses: Any) -> Any:
        return (select(func.coalesce(func.sum(count.n), _number(0)))
                .where(*_count_where(entity), count.level == _number(level), *clauses)
                .correlate_except(count).scalar_subquery())

    in_own_bucket = (select(func.count()).select_from(entity)
                     .where(*_board_where(entity), entity.score == keys.score, entity.duration_ms >= time_from,
                            tuple_(entity.duration_ms, entity.finished_dt, _tiebreak(entity))
                            < tuple_(keys.duration_ms, keys.finished_dt, keys.tiebreak))
                     .correlate_except(entity).scalar_subquery())
    return (total(0, count.score_from > band_from)
            + total(1, count.score_from > keys.score, count.score_from < band_from + band)
            + total(2, count.score_from == keys.score, count.duration_from_ms < time_from)
            + in_own_bucket)


def _left_out_ahead(entity: Any, keys: _Keys, excluding: bool) -> Any:
    """SQL: the hidden players' rows ahead of ``keys`` (and the ``exclude`` user's, if asked).

    One primary-key probe of the board per hidden player, written as a scalar subquery per
    row of the partial index ``ix_user_hidden`` so that no planner turns it into a walk over
    the board: the cost is the number of hidden players, not of rows."""
    row = aliased(entity, name="left_out")
    # Explicit correlation: the probe refers both to the hidden player (the select around it)
    # and to the keys, which may be the columns of the viewer's row two levels out.
    probe = (select(case((_ahead_of(row, keys), _number(1)), else_=_number(0)))
             .where(*_board_where(row), row.user_id == User.id).correlate_except(row).scalar_subquery())
    hidden = (select(func.coalesce(func.sum(probe), _number(0)))
              .where(User.is_hidden.is_(True), *([User.id != bindparam("exclude", type_=Integer)] if excluding else []))
              .correlate_except(User).scalar_subquery())
    if not excluding:
        return hidden
    excluded = aliased(entity, name="excluded")
    own = (select(case((_ahead_of(excluded, keys), _number(1)), else_=_number(0)))
           .where(*_board_where(excluded), excluded.user_id == bindparam("exclude", type_=Integer))
           .correlate_except(excluded).scalar_subquery())
    return hidden + func.coalesce(own, _number(0))


@dataclass(frozen=True)
class BoardEntry:
    """A player's row on a board as ``entry_of`` read it, with its rank among the visible
    players at that moment (a snapshot: it does not follow later changes)."""

    board: Board
    user_id: int
    score: int
    duration_ms: int
    finished_dt: datetime
    attempt_id: int | None
    quiz_count: int | None
    rank: int


@lru_cache(maxsize=None)
def _entry_statement(entity: Any):
    # The viewer's row and everything its rank needs in one statement: one round trip, which
    # on PostgreSQL (~0.2 ms each over loopback) is most of the cost.
    mine = aliased(entity, name="mine")
    keys = _keys_of(mine)
    ahead = _rows_ahead(entity, keys) - _left_out_ahead(entity, keys, excluding=False)
    return (select(mine.user_id, mine.score, mine.duration_ms, mine.finished_dt, _extra(mine), ahead)
            .where(*_board_where(mine), mine.user_id == bindparam("user", type_=Integer)))


def entry_of(session: Session, board: Board, user_id: int) -> BoardEntry | None:
    """The user's row on the board and its rank, or None when they have no row there."""
    row = _read(session, _entry_statement(board.entity), {**_board_values(board), "user": user_id}).first()
    if row is None:
        return None
    user, score, duration_ms, finished_dt, extra, ahead = row
    quiz_board = board.quiz_id is not None
    return BoardEntry(board, user, score, duration_ms, finished_dt, extra if quiz_board else None,
                      None if quiz_board else extra, int(ahead) + 1)


@lru_cache(maxsize=None)
def _rank_statement(entity: Any, excluding: bool):
    keys = _bound_keys()
    return select(_rows_ahead(entity, keys) - _left_out_ahead(entity, keys, excluding))


def rank_of(session: Session, board: Board, entry: Any, *, exclude_user: int | None = None) -> int:
    """1 + the number of visible rows ranking strictly ahead of ``entry``'s keys
    (leaving out ``exclude_user``'s row too, when given).

    ``entry`` is anything with the ranking keys; for a ``BoardEntry`` of this board the rank
    read with it is returned, with no second query."""
    if isinstance(entry, BoardEntry) and entry.board == board and exclude_user is None:
        return entry.rank
    values = {**_board_values(board), "score": entry.score, "duration": entry.duration_ms,
              "finished": entry.finished_dt,
              "key": entry.attempt_id if board.entity is LeaderboardEntry else entry.user_id}
    if exclude_user is not None:
        values["exclude"] = exclude_user
    return int(_read(session, _rank_statement(board.entity, exclude_user is not None), values).scalar() or 0) + 1


@lru_cache(maxsize=None)
def _count_statement(entity: Any):
    count = LeaderboardCount
    everyone = (select(func.coalesce(func.sum(count.n), _number(0)))
                .where(*_count_where(entity), count.level == _number(0)).scalar_subquery())
    row = aliased(entity, name="hidden_row")
    hidden = (select(func.coalesce(func.sum(
        select(func.count()).select_from(row).where(*_board_where(row), row.user_id == User.id).scalar_subquery()),
        _number(0)))
        .where(User.is_hidden.is_(True)).scalar_subquery())
    return select(everyone - hidden)


def participant_count(session: Session, board: Board) -> int:
    """Visible players on the board: the board's level-0 buckets summed, less its hidden players."""
    return int(_read(session, _count_statement(board.entity), _board_values(board)).scalar() or 0)


@lru_cache(maxsize=None)
def _window_statement(entity: Any):
    """The visible rows just ahead of some keys and from those keys on, by keyset: each part
    starts at the keys in the ranking index and reads a handful of rows (the rows ahead in
    reverse, walking the index backwards), so the cost does not grow with the rank."""
    keys = _bound_keys()
    d, f, t = entity.duration_ms, entity.finished_dt, _tiebreak(entity)
    same = tuple_(d, f, t)
    at = tuple_(keys.duration_ms, keys.finished_dt, keys.tiebreak)
    parts = [
        (0, and_(entity.score == keys.score, same < at), [d.desc(), f.desc(), t.desc()], "before"),
        (0, entity.score > keys.score, [entity.score.asc(), d.desc(), f.desc(), t.desc()], "before"),
        (1, and_(entity.score == keys.score, same >= at), [d, f, t], "after"),
        (1, entity.score < keys.score, ranking_order(entity), "after"),
    ]
    selects = []
    for side, condition, order, limit in parts:
        part = (select(*_columns(entity), _number(side).label("side"))
                .where(*_board_where(entity), _visible(entity), condition)
                .order_by(*order).limit(bindparam(limit, type_=Integer)).subquery())
        selects.append(select(*part.c))
    return union_all(*selects)


def window_around(session: Session, board: Board, rank: int, radius: int = 2, *,
                  entry: Any = None) -> list[Standing]:
    """The rows just above and below a rank: the signed-in user's neighbourhood.

    Give ``entry`` (the viewer's row, e.g. from ``entry_of``; ``rank`` is its rank) and the
    rows are found from its keys, at a cost that does not grow with the rank; without it, by
    counting ``rank`` rows down the board.  Both give the same rows: up to ``radius`` above,
    then the viewer and the rest of ``2 * radius + 1``."""
    first = max(1, rank - radius)
    if entry is None:
        return standings(session, board, limit=2 * radius + 1, offset=first - 1)
    quiz_board = board.quiz_id is not None
    values = {**_board_values(board), "score": entry.score, "duration": entry.duration_ms,
              "finished": entry.finished_dt, "key": entry.attempt_id if quiz_board else entry.user_id,
              "before": radius, "after": 2 * radius + 1}
    rows = _read(session, _window_statement(board.entity), values).all()
    ahead = sorted(_ranked([row for row in rows if row.side == 0], quiz_board), key=_key_of)
    ahead = ahead[max(0, len(ahead) - radius):]
    behind = sorted(_ranked([row for row in rows if row.side == 1], quiz_board), key=_key_of)
    window = ahead + behind[:2 * radius + 1 - len(ahead)]
    return [Standing(place, *row) for place, row in assign_ranks(window, first_rank=rank - len(ahead))]


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

__all__ = ["BOARDS", "Board", "BoardEntry", "OVERALL_QUIZ_ID", "RULE_TEXT", "SCORE_BAND", "Standing", "TIME_BAND_MS",
           "assign_ranks", "attempt_rank", "count_bucket_columns", "count_buckets", "entry_of", "outranks",
           "participant_count", "rank_key", "rank_of", "ranking_order", "standings", "window_around"]
