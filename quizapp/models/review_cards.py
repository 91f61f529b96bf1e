"""Spaced repetition: each player's schedule for each question (quizapp.learning)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.models.bank import Question
from quizapp.models.base import Base


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
