"""Rebuild the leaderboard tables from the attempts.

``ranking.maintain.keep_best`` maintains ``LeaderboardEntry``, ``OverallEntry`` and the bucket
counts ``LeaderboardCount`` one finished attempt at a time; this module recomputes all
three from scratch, set-based, and must give exactly the same rows.  Use it after a bulk load (``bench seed``), after repairing data by
hand, or to check that the maintained tables have not drifted
(``flask --app quizapp leaderboard rebuild``).

How, in INSERT ... SELECTs inside the caller's transaction:

1. A small temporary table of the local days the ranked attempts span, each with the UTC
   instant it begins and the start of its week, computed in Python by
   ``quizapp.periods.period_start``; so the database never needs time zone rules of its
   own (its tzdata could differ from Python's, and SQLite has none).
2. The day rows: every finished ranked attempt that is on the boards (not held for review,
   not voided: ``rule.on_boards``), its day found by an index lookup in that
   table, and per (quiz, board, user, day) the first attempt in ranking order
   (``ROW_NUMBER() OVER (... ORDER BY`` ``rule.ranking_order``).
3. The week rows, the best of the user's day rows of that week; then the all-time rows,
   the best of their week rows.  The best of a set is the best of the bests of its parts,
   so this equals taking the best over the attempts, on ever fewer rows.
4. ``OverallEntry``: per (board, period, period start, user), the sums over those rows (the
   score as each quiz's share of its maximum: ``rule.quiz_share_sql``).
5. ``LeaderboardCount``: both kinds of rows counted per bucket (``buckets.count_bucket_columns``),
   one GROUP BY per level.

Hidden users are rebuilt like everyone else: hiding filters what is read, never what is
stored.  ``Attempt.rank_at_finish`` is history (the rank when the attempt finished) and is
left as it is.  No Flask here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import (Column, Integer, MetaData, SmallInteger, String, Table, and_, func, insert, literal, select,
                        text, union_all)
from sqlalchemy.orm import Session

from quizapp.models import Attempt, LeaderboardCount, LeaderboardEntry, OverallEntry, UTCDateTime
from quizapp.periods import EPOCH, period_start
from quizapp.ranking.buckets import OVERALL_QUIZ_ID, count_bucket_columns
from quizapp.ranking.rule import Keys, on_boards, quiz_share_sql, ranking_order

_scratch = MetaData()
# One row per local day: when it begins and when its week begins, both as UTC instants.
_days = Table(
    "leaderboard_rebuild_day", _scratch,
    Column("day_start", UTCDateTime, primary_key=True),
    Column("week_start", UTCDateTime, nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class RebuildReport:
    attempts: int
    entries: dict[str, int]
    overall: int
    counts: int = 0

    def lines(self) -> list[str]:
        per_period = ", ".join(f"{period} {count}" for period, count in self.entries.items())
        return [f"ranked finished attempts: {self.attempts}",
                f"leaderboard entries: {sum(self.entries.values())} ({per_period})",
                f"overall entries: {self.overall}",
                f"bucket counts: {self.counts}"]


def local_days(first: datetime, last: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """(day start, week start) in UTC for every local day from ``first``'s to ``last``'s.

    Each value is what ``period_start`` gives for a moment of that day (its local noon),
    so a lookup "the latest day start at or before t" equals ``period_start("day", t)``
    wherever local dates only move forward (true of Asia/Almaty and of every zone whose
    clock changes do not cross midnight backwards)."""
    day = first.astimezone(zone).date()
    end = last.astimezone(zone).date()
    rows = []
    while day <= end:
        noon = datetime.combine(day, time(12), tzinfo=zone)
        rows.append((period_start("day", noon, zone), period_start("week", noon, zone)))
        day += timedelta(days=1)
    return rows


def _entry_columns() -> list:
    e = LeaderboardEntry.__table__.c
    return [e.quiz_id, e.board, e.period, e.period_start, e.user_id, e.attempt_id, e.score, e.duration_ms,
            e.finished_dt]


def rebuild_leaderboards(session: Session, zone: ZoneInfo) -> RebuildReport:
    """Replace the leaderboard tables with what the finished ranked attempts imply.

    Flushes the session first and expires it afterwards (the ORM may hold entries that
    are now replaced).  Does not commit: the caller owns the transaction."""
    session.flush()
    connection = session.connection()
    entry_table = LeaderboardEntry.__table__
    overall_table = OverallEntry.__table__
    connection.execute(LeaderboardCount.__table__.delete())
    connection.execute(overall_table.delete())
    connection.execute(entry_table.delete())

    a = Attempt.__table__.c
    # Attempts held by the pace check (flagged) or voided by an admin stay off.
    ranked = and_(a.finished_dt.is_not(None), a.duration_ms.is_not(None), on_boards(a))
    count, first, last = connection.execute(
        select(func.count(), func.min(a.finished_dt), func.max(a.finished_dt)).where(ranked)).one()
    if not count:
        session.expire_all()
        return RebuildReport(0, {"day": 0, "week": 0, "all": 0}, 0, 0)

    _days.drop(connection, checkfirst=True)
    _days.create(connection)
    try:
        connection.execute(insert(_days), [{"day_start": day, "week_start": week}
                                           for day, week in local_days(first, last, zone)])
        d = _days.c
        # 2. Day rows.  The correlated lookup is one primary-key probe per attempt.
        day_of = (select(d.day_start).where(d.day_start <= a.finished_dt)
                  .order_by(d.day_start.desc()).limit(1).scalar_subquery())
        annotated = select(a.id, a.quiz_id, a.mode, a.user_id, a.score, a.duration_ms, a.finished_dt,
                           day_of.label("day_start")).where(ranked).subquery("annotated")
        n = annotated.c
        numbered = select(
            n.quiz_id, n.mode, n.day_start, n.user_id, n.id, n.score, n.duration_ms, n.finished_dt,
            func.row_number().over(partition_by=[n.quiz_id, n.mode, n.user_id, n.day_start],
                                   order_by=ranking_order(Keys(n.score, n.duration_ms, n.finished_dt, n.id))).label("place"),
        ).subquery("numbered")
        r = numbered.c
        connection.execute(insert(entry_table).from_select(_entry_columns(), select(
            r.quiz_id, r.mode, literal("day", String), r.day_start, r.user_id, r.id, r.score, r.duration_ms,
            r.finished_dt).where(r.place == 1)))

        # 3. Week rows from day rows, then all-time rows from week rows.
        _from_finer(connection, "day", "week", lambda e: (
            select(d.week_start).where(d.day_start == e.period_start).scalar_subquery()))
        _from_finer(connection, "week", "all", lambda e: literal(EPOCH, UTCDateTime))
    finally:
        _days.drop(connection, checkfirst=True)

    # 4. Overall sums, exactly as maintain._refresh_overall computes them.
    e = entry_table.c
    connection.execute(insert(overall_table).from_select(
        ["board", "period", "period_start", "user_id", "score", "duration_ms", "finished_dt", "quiz_count"],
        select(e.board, e.period, e.period_start, e.user_id, func.sum(quiz_share_sql(e.score, a.max_score)),
               func.sum(e.duration_ms), func.max(e.finished_dt), func.count())
        .select_from(entry_table.join(Attempt.__table__, a.id == e.attempt_id))
        .group_by(e.board, e.period, e.period_start, e.user_id)))

    # 5. The bucket counts of both kinds of boards.
    counts = _count_buckets(connection)

    entries = dict(connection.execute(select(e.period, func.count()).group_by(e.period)).all())
    overall = connection.execute(select(func.count()).select_from(overall_table)).scalar_one()
    session.expire_all()
    return RebuildReport(int(count), {period: int(entries.get(period, 0)) for period in ("day", "week", "all")},
                         int(overall), counts)


def _count_buckets(connection) -> int:
    """Fill ``LeaderboardCount`` from the rows of both leaderboard tables (the overall board
    as quiz 0), one GROUP BY per level, exactly as ``keep_best`` keeps it."""
    e, o = LeaderboardEntry.__table__.c, OverallEntry.__table__.c
    rows = union_all(
        select(e.quiz_id, e.board, e.period, e.period_start, e.score, e.duration_ms),
        select(literal(OVERALL_QUIZ_ID, Integer).label("quiz_id"), o.board, o.period, o.period_start, o.score,
               o.duration_ms),
    ).subquery("rows")
    r = rows.c
    for level, score_from, duration_from in count_bucket_columns(r.score, r.duration_ms):
        # The bucket's keys as columns of a subquery, grouped by name: grouping by the
        # expressions would repeat their bound constants, which PostgreSQL cannot match.
        bucketed = select(r.quiz_id, r.board, r.period, r.period_start,
                          literal(level, SmallInteger).label("level"), score_from.label("score_from"),
                          duration_from.label("duration_from_ms")).subquery("bucketed")
        b = bucketed.c
        keys = [b.quiz_id, b.board, b.period, b.period_start, b.level, b.score_from, b.duration_from_ms]
        connection.execute(insert(LeaderboardCount.__table__).from_select(
            [column.name for column in keys] + ["n"], select(*keys, func.count()).group_by(*keys)))
    return int(connection.execute(select(func.count()).select_from(LeaderboardCount.__table__)).scalar_one())


def _from_finer(connection, finer: str, coarser: str, start_of) -> None:
    """Insert the ``coarser`` period's rows as the best of each user's ``finer`` rows."""
    e = LeaderboardEntry.__table__.c
    source = select(e.quiz_id, e.board, start_of(e).label("start"), e.user_id, e.attempt_id, e.score,
                    e.duration_ms, e.finished_dt).where(e.period == finer).subquery("finer")
    s = source.c
    numbered = select(
        s.quiz_id, s.board, s.start, s.user_id, s.attempt_id, s.score, s.duration_ms, s.finished_dt,
        func.row_number().over(
            partition_by=[s.quiz_id, s.board, s.user_id, s.start],
            order_by=ranking_order(Keys(s.score, s.duration_ms, s.finished_dt, s.attempt_id))).label("place"),
    ).subquery("numbered")
    r = numbered.c
    connection.execute(insert(LeaderboardEntry.__table__).from_select(_entry_columns(), select(
        r.quiz_id, r.board, literal(coarser, String), r.start, r.user_id, r.attempt_id, r.score, r.duration_ms,
        r.finished_dt).where(r.place == 1)))


LEADERBOARD_TABLES = tuple(model.__table__ for model in (LeaderboardEntry, OverallEntry, LeaderboardCount))


def refresh_statistics(session: Session, tables: Sequence[Table] | None = None) -> None:
    """After a bulk write (committed): have the database look at ``tables`` again (all of
    them when None), with VACUUM ANALYZE on PostgreSQL and ANALYZE on SQLite.

    The planner chooses index walks from its statistics.  After hundreds of thousands of
    rows arrive at once, PostgreSQL's are stale until autovacuum gets to the tables, and
    never refreshed where autovacuum is off (as on our test machines): the leaderboard's
    participant count then took 20-30 ms instead of 1.  VACUUM also marks the new rows
    all-visible, which the index-only scans of the rank counts need."""
    engine = session.get_bind()
    quote = engine.dialect.identifier_preparer.quote
    names = ", ".join(quote(table.name) for table in tables) if tables else ""
    if engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction block.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM ANALYZE {names}"))
    else:
        with engine.begin() as connection:
            for table in tables or [None]:
                connection.execute(text(f"ANALYZE {quote(table.name)}" if table is not None else "ANALYZE"))


def snapshot(session: Session) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The three tables (entries, overall entries, bucket counts) as sorted tuples, to
    compare a maintained state with a rebuilt one."""
    session.flush()
    entries, overall, counts = (sorted(tuple(row) for row in session.execute(select(*model.__table__.c)).all())
                                for model in (LeaderboardEntry, OverallEntry, LeaderboardCount))
    return entries, overall, counts


__all__ = ["LEADERBOARD_TABLES", "RebuildReport", "local_days", "rebuild_leaderboards", "refresh_statistics",
           "snapshot"]
