"""The question bank as imported from YAML: quizzes, questions, their immutable revisions
and the pool each quiz draws from."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.models.base import Base


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
