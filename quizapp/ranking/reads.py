"""Reading the boards: a page of standings, a player's row and rank, the rows around it.

Every read goes through the maintained tables (``LeaderboardEntry``, ``OverallEntry``,
``LeaderboardCount``), whose indexes follow the rule (``rule.ranking_order``), so a top-N
page is an index range scan, never a scan of attempts.  A rank is 1 + the rows ahead: three
short sums over buckets (``buckets``) plus a count inside the row's own smallest bucket,
minus the hidden players' rows ahead.  The work depends on how the scores and times spread,
not on where the row stands (docs/leaderboards.md).

The statements are built once per kind of board and then only given values: building and
caching a SQLAlchemy statement of this size costs more than the database takes to run it.
The two page-level services, ``board_page`` and ``attempt_standing``, are in ``pages``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, select, tuple_, union_all
from sqlalchemy.orm import Session, aliased

from quizapp.models import LeaderboardCount, LeaderboardEntry, OverallEntry, User, UTCDateTime
from quizapp.modes import Mode
from quizapp.periods import EPOCH
from quizapp.ranking.buckets import OVERALL_QUIZ_ID, SCORE_BAND, TIME_BAND_MS, number
from quizapp.ranking.rule import (Keys, ahead_at_same_score, ahead_of, assign_ranks, key_of, rank_key, ranking_order,
                                  ranks_in_order)


@dataclass(frozen=True)
class BoardKind:
    """What differs between a quiz's board and the overall one: the table, the last key of
    the rule, the extra column shown, and the board's ``quiz_id`` in ``LeaderboardCount``
    (None: the quiz's own id, bound per board)."""

    model: Any
    tiebreak: str
    extra: str
    count_quiz_id: int | None

    def keys(self, entity: Any) -> Keys:
        """The ranking keys of ``entity`` (this kind's model or an alias of it), as columns."""
        return Keys(entity.score, entity.duration_ms, entity.finished_dt, getattr(entity, self.tiebreak))


QUIZ_BOARD = BoardKind(LeaderboardEntry, tiebreak="attempt_id", extra="attempt_id", count_quiz_id=None)
OVERALL_BOARD = BoardKind(OverallEntry, tiebreak="user_id", extra="quiz_count", count_quiz_id=OVERALL_QUIZ_ID)


@dataclass(frozen=True)
class Board:
    """Which leaderboard: a quiz's (``quiz_id``) or the overall one (``quiz_id=None``)."""

    quiz_id: int | None
    mode: str = Mode.STANDARD  # the board: standard or extended time
    period: str = "all"
    period_start: datetime | None = None  # required for "week" and "day"

    @property
    def kind(self) -> BoardKind:
        return OVERALL_BOARD if self.quiz_id is None else QUIZ_BOARD

    @property
    def entity(self) -> Any:
        return self.kind.model

    def values(self) -> dict[str, Any]:
        """The values of ``board_where``'s parameters."""
        values = {"board": self.mode, "period": self.period, "start": self.period_start or EPOCH}
        if self.quiz_id is not None:
            values["quiz"] = self.quiz_id
        return values


@dataclass(frozen=True)
class Standing:
    """A player's row on a board with its rank among the visible players when it was read
    (a snapshot: it does not follow later changes)."""

    rank: int
    user_id: int
    username: str
    score: int
    duration_ms: int
    finished_dt: datetime
    attempt_id: int | None = None  # a quiz's board: the attempt on it
    quiz_count: int | None = None  # the overall board: how many quizzes the sums are over
    shares_profile: bool = False  # the player shares their profile (read with the row; not in the API)


def board_where(kind: BoardKind, entity: Any) -> list[Any]:
    """SQL: the rows of ``entity`` on one board, with ``Board.values()`` as the parameters."""
    clauses = [entity.board == bindparam("board"), entity.period == bindparam("period"),
               entity.period_start == bindparam("start")]
    if kind.count_quiz_id is None:
        clauses.insert(0, entity.quiz_id == bindparam("quiz"))
    return clauses


def _count_where(kind: BoardKind) -> list[Any]:
    """The board's rows of LeaderboardCount (the overall board is quiz 0 there)."""
    count = LeaderboardCount
    quiz = bindparam("quiz") if kind.count_quiz_id is None else number(kind.count_quiz_id)
    return [count.quiz_id == quiz, count.board == bindparam("board"), count.period == bindparam("period"),
            count.period_start == bindparam("start")]


def _read(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    """Run a read on the session's connection, in its transaction, and return plain rows.

    ``session.execute`` would route the statement through the ORM's result machinery, which
    these reads do not need: measured on a 1,000,000-attempt board, it added 0.15-0.25 ms to a
    query (the top 20: 0.51 ms against 0.25 ms on SQLite), a large share of a 1 ms budget.
    Pending changes are flushed first, as the session's autoflush would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, values)


def _columns(kind: BoardKind, entity: Any) -> list[Any]:
    def of_player(column: Any) -> Any:
        return select(column).where(User.id == entity.user_id).correlate_except(User).scalar_subquery()

    # Whether the player shares their profile comes with the row, in the same statement: the
    # leaderboard page links those names without a statement of its own (see leaderboard/views.py).
    return [entity.user_id, of_player(User.username), entity.score, entity.duration_ms, entity.finished_dt,
            getattr(entity, kind.extra), of_player(User.shares_profile)]


def _standing(kind: BoardKind, rank: int, row: Any) -> Standing:
    # Plain tuples in, not ORM entities: a page of a board needs no identity map.
    user_id, username, score, duration_ms, finished_dt, extra, shares = row[:7]
    if kind.count_quiz_id is None:
        return Standing(rank, user_id, username, score, duration_ms, finished_dt, attempt_id=extra,
                        shares_profile=bool(shares))
    return Standing(rank, user_id, username, score, duration_ms, finished_dt, quiz_count=extra,
                    shares_profile=bool(shares))


def _ranked(kind: BoardKind, rows: list[Any], first_rank: int) -> list[Standing]:
    """Rows (as ``_columns`` reads them) in ranking order as standings, ranked from ``first_rank``."""
    per_quiz = kind.count_quiz_id is None
    ranks = ranks_in_order(rank_key(row[2], row[3], row[4], row[5] if per_quiz else row[0]) for row in rows)
    return [_standing(kind, rank + first_rank - 1, row) for rank, row in zip(ranks, rows)]


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
def _standings_statement(kind: BoardKind):
    entity = kind.model
    return (select(*_columns(kind, entity))
            .where(*board_where(kind, entity), _visible(entity))
            .order_by(*ranking_order(kind.keys(entity))).limit(bindparam("limit")).offset(bindparam("offset")))


def standings(session: Session, board: Board, limit: int = 50, offset: int = 0) -> list[Standing]:
    """A page of the board's visible rows, ranked."""
    rows = _read(session, _standings_statement(board.kind), {**board.values(), "limit": limit, "offset": offset})
    return _ranked(board.kind, rows.all(), offset + 1)


def _bound_keys() -> Keys:
    return Keys(bindparam("score", type_=Integer), bindparam("duration", type_=Integer),
                bindparam("finished", type_=UTCDateTime), bindparam("key", type_=Integer))


def keys_of(board: Board, row: Any) -> Keys:
    """The ranking keys of a row of ``board`` (a ``Standing``, an entry): its score, time,
    finish and the board's tiebreak (``attempt_id`` or ``user_id``)."""
    return Keys(row.score, row.duration_ms, row.finished_dt, getattr(row, board.kind.tiebreak))


def _key_values(keys: Keys) -> dict[str, Any]:
    """Values for ``_bound_keys``."""
    return {"score": keys.score, "duration": keys.duration_ms, "finished": keys.finished_dt, "key": keys.tiebreak}


def _rows_ahead(kind: BoardKind, keys: Keys) -> Any:
    """SQL: how many rows of the board, hidden players' included, rank strictly ahead of ``keys``.

    Every row ahead is in exactly one of: a score band above the keys' band (level 0 sums),
    a higher score inside the keys' band (level 1), the keys' score with a time band before
    theirs (level 2), or the keys' own (score, time band) bucket, counted in the ranking
    index.  So the work is at most the bands, the scores in one band, the time bands of one
    score and the rows of one bucket, wherever the keys stand."""
    count, entity = LeaderboardCount, kind.model
    band, time_band = number(SCORE_BAND), number(TIME_BAND_MS)
    band_from = keys.score // band * band
    time_from = keys.duration_ms // time_band * time_band

    def total(level: int, *clauses: Any) -> Any:
        return (select(func.coalesce(func.sum(count.n), number(0)))
                .where(*_count_where(kind), count.level == number(level), *clauses)
                .correlate_except(count).scalar_subquery())

    in_own_bucket = (select(func.count()).select_from(entity)
                     .where(*board_where(kind, entity), entity.score == keys.score, entity.duration_ms >= time_from,
                            ahead_at_same_score(kind.keys(entity), keys))
                     .correlate_except(entity).scalar_subquery())
    return (total(0, count.score_from > band_from)
            + total(1, count.score_from > keys.score, count.score_from < band_from + band)
            + total(2, count.score_from == keys.score, count.duration_from_ms < time_from)
            + in_own_bucket)


def _left_out_ahead(kind: BoardKind, keys: Keys, excluding: bool) -> Any:
    """SQL: the hidden players' rows ahead of ``keys`` (and the ``exclude`` user's, if asked).

    One primary-key probe of the board per hidden player, written as a scalar subquery per
    row of the partial index ``ix_user_hidden`` so that no planner turns it into a walk over
    the board: the cost is the number of hidden players, not of rows."""
    row = aliased(kind.model, name="left_out")
    # Explicit correlation: the probe refers both to the hidden player (the select around it)
    # and to the keys, which may be the columns of the viewer's row two levels out.
    probe = (select(case((ahead_of(kind.keys(row), keys), number(1)), else_=number(0)))
             .where(*board_where(kind, row), row.user_id == User.id).correlate_except(row).scalar_subquery())
    hidden = (select(func.coalesce(func.sum(probe), number(0)))
              .where(User.is_hidden.is_(True), *([User.id != bindparam("exclude", type_=Integer)] if excluding else []))
              .correlate_except(User).scalar_subquery())
    if not excluding:
        return hidden
    excluded = aliased(kind.model, name="excluded")
    own = (select(case((ahead_of(kind.keys(excluded), keys), number(1)), else_=number(0)))
           .where(*board_where(kind, excluded), excluded.user_id == bindparam("exclude", type_=Integer))
           .correlate_except(excluded).scalar_subquery())
    return hidden + func.coalesce(own, number(0))


@lru_cache(maxsize=None)
def _entry_statement(kind: BoardKind):
    # The player's row and everything its rank needs in one statement: one round trip, which
    # on PostgreSQL (~0.2 ms each over loopback) is most of the cost.
    mine = aliased(kind.model, name="mine")
    keys = kind.keys(mine)
    ahead = _rows_ahead(kind, keys) - _left_out_ahead(kind, keys, excluding=False)
    return select(*_columns(kind, mine), ahead).where(*board_where(kind, mine),
                                                      mine.user_id == bindparam("user", type_=Integer))


def entry_of(session: Session, board: Board, user_id: int) -> Standing | None:
    """The user's row on the board and its rank, or None when they have no row there."""
    row = _read(session, _entry_statement(board.kind), {**board.values(), "user": user_id}).first()
    return None if row is None else _standing(board.kind, int(row[7]) + 1, row)


@lru_cache(maxsize=None)
def _rank_statement(kind: BoardKind, excluding: bool):
    keys = _bound_keys()
    return select(_rows_ahead(kind, keys) - _left_out_ahead(kind, keys, excluding))


def rank_of(session: Session, board: Board, keys: Keys, *, exclude_user: int | None = None) -> int:
    """1 + the number of visible rows ranking strictly ahead of ``keys`` (values), leaving
    out ``exclude_user``'s row too, when given.  A ``Standing`` comes with its rank already."""
    values = {**board.values(), **_key_values(keys)}
    if exclude_user is not None:
        values["exclude"] = exclude_user
    return int(_read(session, _rank_statement(board.kind, exclude_user is not None), values).scalar() or 0) + 1


@lru_cache(maxsize=None)
def _count_statement(kind: BoardKind):
    count = LeaderboardCount
    everyone = (select(func.coalesce(func.sum(count.n), number(0)))
                .where(*_count_where(kind), count.level == number(0)).scalar_subquery())
    row = aliased(kind.model, name="hidden_row")
    hidden = (select(func.coalesce(func.sum(
        select(func.count()).select_from(row).where(*board_where(kind, row), row.user_id == User.id).scalar_subquery()),
        number(0)))
        .where(User.is_hidden.is_(True)).scalar_subquery())
    return select(everyone - hidden)


def participant_count(session: Session, board: Board) -> int:
    """Visible players on the board: the board's level-0 buckets summed, less its hidden players."""
    return int(_read(session, _count_statement(board.kind), board.values()).scalar() or 0)


@lru_cache(maxsize=None)
def _window_statement(kind: BoardKind):
    """The visible rows just ahead of some keys and from those keys on, by keyset: each part
    starts at the keys in the ranking index and reads a handful of rows (the rows ahead in
    reverse, walking the index backwards), so the cost does not grow with the rank."""
    entity, keys = kind.model, _bound_keys()
    columns = kind.keys(entity)
    d, f, t = columns.duration_ms, columns.finished_dt, columns.tiebreak
    same = tuple_(d, f, t)
    at = tuple_(keys.duration_ms, keys.finished_dt, keys.tiebreak)
    parts = [
        (0, and_(entity.score == keys.score, same < at), [d.desc(), f.desc(), t.desc()], "before"),
        (0, entity.score > keys.score, [entity.score.asc(), d.desc(), f.desc(), t.desc()], "before"),
        (1, and_(entity.score == keys.score, same >= at), [d, f, t], "after"),
        (1, entity.score < keys.score, ranking_order(columns), "after"),
    ]
    selects = []
    for side, condition, order, limit in parts:
        part = (select(*_columns(kind, entity), number(side).label("side"))
                .where(*board_where(kind, entity), _visible(entity), condition)
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
    kind = board.kind
    values = {**board.values(), **_key_values(keys_of(board, entry)), "before": radius, "after": 2 * radius + 1}
    rows = _read(session, _window_statement(kind), values).all()
    ahead = sorted((_standing(kind, 0, row) for row in rows if row.side == 0), key=key_of)
    ahead = ahead[max(0, len(ahead) - radius):]
    behind = sorted((_standing(kind, 0, row) for row in rows if row.side == 1), key=key_of)
    window = ahead + behind[:2 * radius + 1 - len(ahead)]
    return [replace(row, rank=place) for place, row in assign_ranks(window, first_rank=rank - len(ahead))]


__all__ = ["Board", "BoardKind", "OVERALL_BOARD", "QUIZ_BOARD", "Standing", "board_where", "entry_of", "keys_of",
           "participant_count", "rank_of", "standings", "window_around"]
