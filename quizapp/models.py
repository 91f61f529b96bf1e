"""The database schema, in SQLAlchemy 2.x typed style.

Plain SQLAlchemy on purpose: the domain services (attempts, bank import, ranking)
import these models and must not import Flask.  Flask-SQLAlchemy is handed ``Base``
as its model class in ``extensions.py`` and manages engines and sessions around it.

Every datetime column is UTC (``UTCDateTime``) and named ``*_dt``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy import text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry, relationship, validates
from sqlalchemy.types import TypeDecorator

from quizapp.names import MAX_KEY_LENGTH, MAX_SKELETON_LENGTH, name_key, name_skeleton

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON},
    )


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    # Set with the username (see ``_keep_name_keys``); what lookups and uniqueness use: one
    # account per name whatever its case, and none that looks like another (quizapp.names).
    username_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), unique=True)
    username_skeleton: Mapped[str] = mapped_column(String(MAX_SKELETON_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_dt: Mapped[datetime]
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hidden users keep their data but are left out of every leaderboard.
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Extended time (WCAG 2.2.1): "standard", "x1.5", "x2" or "untimed"; see attempts.TIME_ACCOMMODATIONS.
    time_accommodation: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    # Part of every session's user id (``get_id``); raising it signs out every session made before.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether other signed-in players may see this player's profile.  Off unless the player
    # turns it on: the players are school children (visitors who are not signed in never see it).
    shares_profile: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    attempts: Mapped[list["Attempt"]] = relationship(back_populates="user", foreign_keys="Attempt.user_id")

    @validates("username")
    def _keep_name_keys(self, _field: str, username: str) -> str:
        self.username_key = name_key(username)
        self.username_skeleton = name_skeleton(username)
        return username

    # The four members Flask-Login needs, written out so this module stays Flask-free.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie; the loader (auth/login.load_user) accepts it
        # only while the version is the user's current one.
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self) -> None:
        """Sign out every session of this user (logout, a password change)."""
        self.session_version = (self.session_version or 0) + 1


class Quiz(Base):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    time_limit_s: Mapped[Optional[int]]
    question_time_limit_s: Mapped[Optional[int]]
    draw_count: Mapped[int]
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=True)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=True)
    feedback: Mapped[str] = mapped_column(String(16), default="end")
    scoring: Mapped[str] = mapped_column(String(16), default="plain")
    points_per_question: Mapped[int] = mapped_column(Integer, default=100)
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    pool: Mapped[list["QuizQuestion"]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="QuizQuestion.position"
    )


class Question(Base):
    """A question's stable identity (its YAML ``id``); its content lives in revisions."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)
    current_revision_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("question_revision.id", use_alter=True)
    )

    current_revision: Mapped[Optional["QuestionRevision"]] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list["QuestionRevision"]] = relationship(
        back_populates="question", foreign_keys="QuestionRevision.question_id"
    )


class QuestionRevision(Base):
    """An immutable version of a question.  Answers point here, so editing the YAML
    never changes how a past attempt was graded."""

    __tablename__ = "question_revision"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    content: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    created_dt: Mapped[datetime]

    question: Mapped[Question] = relationship(back_populates="revisions", foreign_keys=[question_id])


class QuizQuestion(Base):
    """The pool a quiz draws from, resolved from its ``from:`` at import time."""

    __tablename__ = "quiz_question"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    position: Mapped[int]

    quiz: Mapped[Quiz] = relationship(back_populates="pool")
    question: Mapped[Question] = relationship()


class Attempt(Base):
    __tablename__ = "attempt"
    __table_args__ = (Index("ix_attempt_user_quiz", "user_id", "quiz_id", "finished_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    # The draw and every option order derive from this seed, so a reload shows the same thing.
    seed: Mapped[int]
    # Revision ids in the order the player meets them.
    plan: Mapped[list[Any]]
    started_dt: Mapped[datetime]
    deadline_dt: Mapped[Optional[datetime]]
    finished_dt: Mapped[Optional[datetime]]
    current_position: Mapped[int] = mapped_column(Integer, default=0)
    # "standard" (ranked), "extended" (ranked on its own board) or "practice" (untimed, unranked).
    mode: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    time_factor: Mapped[float] = mapped_column(default=1.0, server_default="1.0")
    score: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[Optional[int]]
    # The all-time rank this attempt had on its board when it finished (profiles show it).
    rank_at_finish: Mapped[Optional[int]]
    # A ranked attempt answered faster than a person can (quizapp.pace) is "flagged" and kept
    # off every board until an admin "cleared" it (it then enters them) or "voided" it (never
    # ranked, kept as a record); None for every other attempt.  See quizapp.moderation.
    review_status: Mapped[Optional[str]] = mapped_column(String(16))
    # What flagged it: each answer's time against its floor, as pace.pace_report gave it then.
    pace_report: Mapped[Optional[dict[str, Any]]]
    reviewed_dt: Mapped[Optional[datetime]]
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User] = relationship(back_populates="attempts", foreign_keys=[user_id])
    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list["AttemptAnswer"]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.position"
    )

    @property
    def is_finished(self) -> bool:
        return self.finished_dt is not None

    @property
    def question_count(self) -> int:
        return len(self.plan)


class AttemptAnswer(Base):
    """One question of an attempt.  The row is created when the server first serves
    the question (``served_dt`` starts its clock) and filled in once when answered."""

    __tablename__ = "attempt_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    position: Mapped[int]
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revision.id"))
    served_dt: Mapped[Optional[datetime]]
    answered_dt: Mapped[Optional[datetime]]
    response: Mapped[Optional[Any]] = mapped_column(JSON)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    credit: Mapped[float] = mapped_column(default=0.0)
    points: Mapped[int] = mapped_column(Integer, default=0)
    timed_out: Mapped[bool] = mapped_column(Boolean, default=False)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    revision: Mapped[QuestionRevision] = relationship()


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
    deleted.  Kept by ``attempts.keep_best`` in the transaction that changes the boards,
    recomputed by ``leaderboard_rebuild``."""

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


class ReviewCard(Base):
    """A user's spaced-repetition schedule for one question, kept by the ``fsrs`` scheduler.

    The columns mirror ``fsrs.Card`` (state, step, stability, difficulty, due, last review);
    ``lapses`` counts wrong answers, and a question failed often enough is a leech."""

    __tablename__ = "review_card"
    __table_args__ = (Index("ix_review_card_due", "user_id", "due_dt"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    state: Mapped[int]
    step: Mapped[Optional[int]]
    stability: Mapped[Optional[float]]
    difficulty: Mapped[Optional[float]]
    due_dt: Mapped[datetime]
    last_review_dt: Mapped[Optional[datetime]]
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    is_leech: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship()


class ApiToken(Base):
    """A personal API token.  Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_dt: Mapped[datetime]
    last_used_dt: Mapped[Optional[datetime]]
    revoked_dt: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship()


# The ranking order (see ranking.py) as indexes, so top-N and "my rank" are index range scans.
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
# Only the hidden players (few), so leaving them out of a count costs their number, not everyone's.
Index("ix_user_hidden", User.id, sqlite_where=User.is_hidden.is_(True), postgresql_where=User.is_hidden.is_(True))
# The admin's list of attempts awaiting review: only the flagged ones (few) are in it.
Index("ix_attempt_flagged", Attempt.id, sqlite_where=text("review_status = 'flagged'"),
      postgresql_where=text("review_status = 'flagged'"))

# At most one running ranked attempt per player and quiz, kept by the database itself: two
# starts at the same instant (two tabs, the API and a browser) cannot both insert one, so a
# player never holds two draws of one quiz to pick the easier from.  Practice runs are free.
RUNNING_RANKED_ATTEMPT = and_(Attempt.finished_dt.is_(None), Attempt.mode != "practice")
Index("uq_attempt_running_ranked", Attempt.user_id, Attempt.quiz_id, unique=True,
      sqlite_where=RUNNING_RANKED_ATTEMPT, postgresql_where=RUNNING_RANKED_ATTEMPT)
