"""Changing an assignment once it is set, or deleting it while nobody has started it.

What a change does to students already affected follows Moodle's quiz settings:

- **the close**: an attempt's deadline was fixed at its start as its time limit, capped at the
  close of that moment.  Moving the close later lets a running attempt that the old close cut
  short run on to the new close, within its time limit (never beyond); moving it earlier ends
  every running attempt at the new close (or at once, when that is already past: the usual
  close with its grace, ``finish.close_if_expired``).  Finished attempts are never touched.
- **the open**: only who may start from now on; attempts already made stay.
- **attempts allowed**: lowering it never voids a finished attempt; a student who has used
  as many as the new number (plus their extra ones) simply starts no more.
- **best or last**: nothing is stored per student, so the report, the student's page and
  the class board count the other attempt at once (``assignments.counted_attempt``).
- **the time limit**: attempts started afterwards only; a running attempt keeps the
  deadline it started with (the form says so).
- **feedback, answers shown, ranking**: read on every page, so they apply at once, to the
  running attempts' next questions too.

Plain Python over a session; ``flush()``, never ``commit()``.  No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from quizapp.assignments import terms_for
from quizapp.models import Assignment, AssignmentOverride, Attempt, User
from quizapp.modes import TIME_ACCOMMODATIONS


@dataclass(frozen=True)
class Settings:
    """What a teacher chooses for an assignment (all but the quiz, which never changes)."""

    open_dt: datetime
    close_dt: datetime
    attempts_allowed: int
    counting: str
    time_limit_s: int | None
    feedback: str
    answers_after: str
    ranking: str


def settings_of(assignment: Assignment) -> Settings:
    return Settings(assignment.open_dt, assignment.close_dt, assignment.attempts_allowed, assignment.counting,
                    assignment.time_limit_s, assignment.feedback, assignment.answers_after, assignment.ranking)


def change_settings(session: Session, assignment: Assignment, new: Settings) -> int:
    """Apply ``new`` to the assignment and move the running attempts' deadlines to the new
    close (see the module's rules).  Raises ``ValueError`` if the close is not after the open.
    Returns how many running attempts got a new deadline."""
    if new.close_dt <= new.open_dt:
        raise ValueError("the close must come after the open")
    moved = 0
    if new.close_dt != assignment.close_dt:
        for attempt, user in session.execute(
                select(Attempt, User).join(User, User.id == Attempt.user_id)
                .where(Attempt.assignment_id == assignment.id, Attempt.finished_dt.is_(None))).all():
            deadline = _deadline_under_new_close(session, assignment, attempt, user, new.close_dt)
            if deadline != attempt.deadline_dt:
                attempt.deadline_dt = deadline
                moved += 1
    for name, value in vars(new).items():
        setattr(assignment, name, value)
    session.flush()
    return moved


def _deadline_under_new_close(session: Session, assignment: Assignment, attempt: Attempt, user: User,
                              close_dt: datetime) -> datetime:
    """The deadline ``attempt`` would have had, had the close been ``close_dt`` when it started."""
    old = attempt.deadline_dt if attempt.deadline_dt is not None else assignment.close_dt
    if old < assignment.close_dt:
        limit_end: datetime | None = old  # its time limit ended it before the close: that stays
    else:
        # The old close cut it: its own limit's end, from its terms as they stand (the
        # assignment's limit is still the old one here; an override changed since it started
        # is taken as it is now), never earlier than the deadline it had.
        limit = terms_for(session, assignment, user.id).time_limit_s
        factor = TIME_ACCOMMODATIONS.get(user.time_accommodation, 1.0)  # None: untimed, the close only
        limit_end = None
        if limit and factor is not None:
            limit_end = max(old, attempt.started_dt + timedelta(seconds=limit * attempt.time_factor))
    deadline = close_dt if limit_end is None else min(close_dt, limit_end)
    return max(deadline, attempt.started_dt)  # a close moved before its start ends it at once


def is_started(session: Session, assignment: Assignment) -> bool:
    """Whether anyone has an attempt at it (running, finished or voided)."""
    return bool(session.scalar(select(exists().where(Attempt.assignment_id == assignment.id))))


class AssignmentStarted(Exception):
    """An assignment someone has started is kept: its attempts are their results."""


def delete_assignment(session: Session, assignment: Assignment) -> None:
    """Delete an assignment nobody has started, with its overrides; else ``AssignmentStarted``."""
    if is_started(session, assignment):
        raise AssignmentStarted("Students have started this assignment; its results are kept.")
    session.execute(delete(AssignmentOverride).where(AssignmentOverride.assignment_id == assignment.id))
    session.delete(assignment)
    session.flush()


__all__ = ["AssignmentStarted", "Settings", "change_settings", "delete_assignment", "is_started", "settings_of"]
