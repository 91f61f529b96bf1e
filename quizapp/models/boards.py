"""The leaderboards' storage: each player's best per quiz, their sums over all quizzes, and
the bucket counts that make a rank cheap (ranking.py reads them, attempts.py writes them)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, PrimaryKeyConstraint, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.models.base import Base
from quizapp.models.users import User


class LeaderboardEntry(Base):
    """A user's best finished attempt at a quiz, per board (standard or extended time) and
    per period (all time, a local week, a local day).  Written only by
    ``attempts.finish_attempt``, in the transaction that finishes the attempt, so
    leaderboard reads never scan attempts.  ``period_start`` is the UTC instant the local
    period began (the epoch for all time)."""

    __tablename__ = "leaderboard_entry"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), primary_key=True)
    board: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    score: Mapped[int]
    duration_ms: Mapped[int]
    finished_dt: Mapped[datetime]

    user: Mapped[User] = relationship()


class OverallEntry(Base):
    """Per user, board and period: the sum of their best scores over all quizzes (and of
    the times of those attempts).  Kept beside ``LeaderboardEntry`` in the same transaction."""

    __tablename__ = "overall_entry"

    board: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[datetime] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    score: Mapped[int]
    duration_ms: Mapped[int]
    # When the user last improved a quiz's best: the "who got there first" tie-break.
    finished_dt: Mapped[datetime]
    quiz_count: Mapped[int]

    user: Mapped[User] = relationship()


class LeaderboardCount(Base):
    """How many rows of a board fall in each bucket of the ranking order, so that a rank is
    a sum over a few buckets ahead plus a count inside one bucket, never a count of every
    row ahead (``ranking.rank_of``; docs/leaderboards.md).

    Three nested levels of buckets, each named by its lowest key (``ranking.count_buckets``):

    - level 0: a band of ``ranking.SCORE_BAND`` points (``score_from`` is its lowest score,
      ``duration_from_ms`` is 0);
    - level 1: one score (``duration_from_ms`` is 0);
    - level 2: one score and a band of ``ranking.TIME_BAND_MS`` of time taken
      (``duration_from_ms`` is the band's shortest time).

    ``quiz_id`` 0 is the overall board (hence no foreign key).  Hidden players are counted
    like everyone (the boards store them; reads subtract them), and a bucket that empties is
    deleted.  Kept by ``ranking.maintain.keep_best`` in the transaction that changes the boards,
    recomputed by ``ranking.rebuild``."""

    __tablename__ = "leaderboard_count"
    __table_args__ = (
        # PostgreSQL: the count rides in the index, so summing buckets is an index-only scan;
        # SQLite: the table is its primary key's B-tree, the same effect.
        PrimaryKeyConstraint("quiz_id", "board", "period", "period_start", "level", "score_from",
                             "duration_from_ms", postgresql_include=["n"]),
        {"sqlite_with_rowid": False},
    )

    quiz_id: Mapped[int] = mapped_column(autoincrement=False)
    board: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[datetime]
    level: Mapped[int] = mapped_column(SmallInteger, autoincrement=False)
    score_from: Mapped[int] = mapped_column(autoincrement=False)
    duration_from_ms: Mapped[int] = mapped_column(autoincrement=False)
    n: Mapped[int]


# The ranking order (see ranking/rule.py) as indexes, so top-N and "my rank" are index range scans.
Index(
    "ix_leaderboard_entry_rank",
    LeaderboardEntry.quiz_id,
    LeaderboardEntry.board,
    LeaderboardEntry.period,
    LeaderboardEntry.period_start,
    LeaderboardEntry.score.desc(),
    LeaderboardEntry.duration_ms,
    LeaderboardEntry.finished_dt,
    LeaderboardEntry.attempt_id,
)
Index(
    "ix_overall_entry_rank",
    OverallEntry.board,
    OverallEntry.period,
    OverallEntry.period_start,
    OverallEntry.score.desc(),
    OverallEntry.duration_ms,
    OverallEntry.finished_dt,
    OverallEntry.user_id,
)
Index("ix_leaderboard_entry_attempt", LeaderboardEntry.attempt_id)
# A user's entries for one board and period, summed into OverallEntry.
Index("ix_leaderboard_entry_user", LeaderboardEntry.user_id, LeaderboardEntry.board, LeaderboardEntry.period,
      LeaderboardEntry.period_start)


class BoardsVersion(Base):
    """One row: a number that grows with every committed write to what a leaderboard page
    shows (the three tables above, and the players' names and choices in ``user``).

    Every app server keeps rendered board pages per version (``ranking.version``), so a finish
    on one server is seen by all of them at their next read of this row.  Raised by the
    database connection itself just before it commits such a write (``ranking.version.watch``),
    never by the code that writes, so no writer can forget it.  ``generation`` is drawn at
    random when the row is made: a database made again under a running server starts a new
    series, never one whose numbers a server has already seen."""

    __tablename__ = "boards_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    generation: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(BigInteger)
