"""Teachers' classes: their members, the quizzes assigned to them and per-student overrides.

A class (``SchoolClass``: ``class`` is a keyword) belongs to one teacher and is joined with
its code.  An ``Assignment`` gives one quiz to one class with its own rules (the window, the
attempts, the time, feedback and when answers show, ranking); an ``AssignmentOverride``
changes the time or the attempts for one student, as Moodle's user overrides do.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.models.bank import Quiz
from quizapp.models.base import Base
from quizapp.models.users import User


class SchoolClass(Base):
    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # What students type (or scan) to join; a new one can be made, and it expires.
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    code_expires_dt: Mapped[datetime]
    created_dt: Mapped[datetime]
    # An archived class takes no one new and its assignments leave students' home pages;
    # its reports stay.
    archived_dt: Mapped[Optional[datetime]]

    teacher: Mapped[User] = relationship()

    @property
    def is_archived(self) -> bool:
        return self.archived_dt is not None


class ClassMember(Base):
    __tablename__ = "class_member"

    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_dt: Mapped[datetime]

    user: Mapped[User] = relationship()


# Assignment settings: plain strings, checked by the form and by ``quizapp.assignments``.
COUNT_BEST, COUNT_LAST = "best", "last"
FEEDBACK_IMMEDIATE, FEEDBACK_END = "immediate", "end"
ANSWERS_AFTER_ATTEMPT, ANSWERS_AFTER_CLOSE = "attempt", "close"
RANKING_CLASS, RANKING_NONE = "class", "none"


class Assignment(Base):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    open_dt: Mapped[datetime]
    close_dt: Mapped[datetime]
    # 0: as many as the student likes before the close.
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    counting: Mapped[str] = mapped_column(String(8), default=COUNT_BEST)
    # The whole attempt's limit; None: untimed (the close still ends an attempt).
    time_limit_s: Mapped[Optional[int]]
    feedback: Mapped[str] = mapped_column(String(16), default=FEEDBACK_END)
    answers_after: Mapped[str] = mapped_column(String(8), default=ANSWERS_AFTER_ATTEMPT)
    ranking: Mapped[str] = mapped_column(String(8), default=RANKING_NONE)
    created_dt: Mapped[datetime]

    school_class: Mapped[SchoolClass] = relationship()
    quiz: Mapped[Quiz] = relationship()


class AssignmentOverride(Base):
    """One student's exceptions to an assignment: a time limit of their own, extra attempts."""

    __tablename__ = "assignment_override"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    time_limit_s: Mapped[Optional[int]]
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
