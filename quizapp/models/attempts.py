"""Attempts at a quiz and their answers."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.models.bank import QuestionRevision, Quiz
from quizapp.models.base import Base
from quizapp.models.classes import Assignment
from quizapp.models.users import User


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
    # What a study run is for (``modes.RunPurpose``): "review" (the due questions), "mistakes"
    # (one attempt's wrong answers) or "single" ("practise this"); None for a quiz attempt,
    # whatever its mode.  Study runs tell right or wrong after every answer.
    purpose: Mapped[Optional[str]] = mapped_column(String(16))
    score: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    # The attempt's total score for item analysis: the mean credit of all its answer rows, set
    # with score when it finishes (quizapp.finish) and never changed after; None while it runs.
    # Kept so that item_analysis ranks the attempts without a grouped pass over every answer.
    credit_mean: Mapped[Optional[float]]
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
    # Set when the attempt was started for a class's assignment (quizapp.assignments): its
    # settings (time, feedback, when answers show) then rule, and it is on no public board.
    assignment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="attempts", foreign_keys=[user_id])
    quiz: Mapped[Quiz] = relationship()
    assignment: Mapped[Optional["Assignment"]] = relationship()
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


# An assignment's report reads its attempts by student.
Index("ix_attempt_assignment_user", Attempt.assignment_id, Attempt.user_id)
# Item analysis (quizapp.item_analysis) reads every counted answer's attempt, revision and
# credit; with this index it reads the index alone (migration 0013).
Index("ix_attempt_answer_item_stats", AttemptAnswer.attempt_id, AttemptAnswer.revision_id, AttemptAnswer.credit)

# The admin's list of attempts awaiting review: only the flagged ones (few) are in it.
Index("ix_attempt_flagged", Attempt.id, sqlite_where=text("review_status = 'flagged'"),
      postgresql_where=text("review_status = 'flagged'"))

# At most one running ranked attempt per player and quiz, kept by the database itself: two
# starts at the same instant (two tabs, the API and a browser) cannot both insert one, so a
# player never holds two draws of one quiz to pick the easier from.  Practice runs are free.
RUNNING_RANKED_ATTEMPT = and_(Attempt.finished_dt.is_(None), Attempt.mode != "practice")
Index("uq_attempt_running_ranked", Attempt.user_id, Attempt.quiz_id, unique=True,
      sqlite_where=RUNNING_RANKED_ATTEMPT, postgresql_where=RUNNING_RANKED_ATTEMPT)
