"""Assignments: a quiz given to a class, with its window, attempts, time and ranking.

An assignment's attempt is an ordinary ``Attempt`` (``attempts`` serves, grades and
finishes it) in ``Mode.ASSIGNMENT`` with ``assignment_id`` set.  What differs is decided
here and in ``modes``:

- the window: it starts only between ``open_dt`` and ``close_dt``, and its deadline is the
  assignment's time limit (times the student's extended-time factor, or a per-student
  override as in Moodle), never later than the close: the close ends every running attempt;
- the attempts: ``attempts_allowed`` (0: no limit) plus a student's extra ones; the best or
  the last finished one counts (a voided one never does);
- feedback at once or at the end, and answers shown after each attempt or after the close
  (``modes.feedback_of``, ``modes.answers_shown``);
- ranking: none, or the class's own board, ranked by the one rule (``ranking.rule``).  It
  is read here from the counted attempts, not from the public boards' tables: a class is a
  few dozen rows, and its attempts are on no public board.

Changing an assignment once set, and what that does to attempts already made, is
``assignment_settings``.  Plain Python over a session and a ``Clock``; ``flush()``, never
``commit()``.  No Flask.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.attempts import (AttemptError, QuizUnavailable, attempt_values, draw_plan, find_active_attempt,
                              get_attempt, insert_or_find_running)
from quizapp.clock import Clock
from quizapp.finish import close_if_expired
from quizapp.models import Assignment, AssignmentOverride, Attempt, ClassMember, SchoolClass, User
from quizapp.models.classes import COUNT_LAST, RANKING_CLASS
from quizapp.modes import CLEARED, DEFAULT_RULES, TIME_ACCOMMODATIONS, VOIDED, Mode, Rules
from quizapp.ranking.reads import Standing
from quizapp.ranking.rule import rank_key, ranks_in_order

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


class NotOpen(AttemptError):
    code = "assignment_not_open"


class Closed(AttemptError):
    code = "assignment_closed"


class NoAttemptsLeft(AttemptError):
    code = "no_attempts_left"


class OtherAttemptRunning(AttemptError):
    """An attempt at the same quiz, outside this assignment, is running: one at a time."""

    code = "other_attempt_running"


def window_state(assignment: Assignment, now: datetime) -> str:
    if now < assignment.open_dt:
        return UPCOMING
    return OPEN if now < assignment.close_dt else CLOSED


@dataclass(frozen=True)
class Terms:
    """What one student may do: the assignment's settings with their override applied."""

    time_limit_s: int | None
    attempts_allowed: int  # 0: no limit
    extra_attempts: int

    def attempts_left(self, used: int) -> int | None:
        """None: no limit."""
        return None if self.attempts_allowed == 0 else max(0, self.attempts_allowed + self.extra_attempts - used)


def override_of(session: Session, assignment: Assignment, user_id: int) -> AssignmentOverride | None:
    return session.get(AssignmentOverride, (assignment.id, user_id))


def terms_for(session: Session, assignment: Assignment, user_id: int,
              known: dict[int, AssignmentOverride] | None = None) -> Terms:
    """``known``: the assignment's overrides, read once (``overrides``) for a whole class."""
    override = known.get(user_id) if known is not None else override_of(session, assignment, user_id)
    limit = override.time_limit_s if override is not None and override.time_limit_s else assignment.time_limit_s
    return Terms(limit, assignment.attempts_allowed, override.extra_attempts if override is not None else 0)


def set_override(session: Session, assignment: Assignment, student: User, time_limit_s: int | None,
                 extra_attempts: int) -> AssignmentOverride | None:
    """Give one student their own time limit and/or extra attempts; both empty removes it."""
    override = override_of(session, assignment, student.id)
    if not time_limit_s and not extra_attempts:
        if override is not None:
            session.delete(override)
            session.flush()
        return None
    if override is None:
        override = AssignmentOverride(assignment_id=assignment.id, user_id=student.id)
        session.add(override)
    override.time_limit_s = time_limit_s or None
    override.extra_attempts = extra_attempts
    session.flush()
    return override


def overrides(session: Session, assignment: Assignment) -> dict[int, AssignmentOverride]:
    return {o.user_id: o for o in session.scalars(select(AssignmentOverride)
                                                  .where(AssignmentOverride.assignment_id == assignment.id))}


def attempts_of(session: Session, assignment: Assignment, user_id: int) -> list[Attempt]:
    return list(session.scalars(select(Attempt).where(Attempt.assignment_id == assignment.id,
                                                      Attempt.user_id == user_id).order_by(Attempt.id)))


def counted_attempt(attempts: Iterable[Any], counting: str) -> Any | None:
    """The attempt that counts: the best (score, then time, then who finished first: the
    boards' rule) or the last finished; never a running or a voided one."""
    finished = [a for a in attempts if a.finished_dt is not None and a.review_status != VOIDED]
    if not finished:
        return None
    if counting == COUNT_LAST:
        return max(finished, key=lambda a: (a.finished_dt, a.id))
    return min(finished, key=lambda a: rank_key(a.score, a.duration_ms or 0, a.finished_dt, a.id))


def create_assignment(session: Session, school_class: SchoolClass, quiz_id: int, now: datetime, *,
                      open_dt: datetime, close_dt: datetime, attempts_allowed: int, counting: str,
                      time_limit_s: int | None, feedback: str, answers_after: str, ranking: str) -> Assignment:
    if close_dt <= open_dt:
        raise ValueError("the close must come after the open")
    assignment = Assignment(class_id=school_class.id, quiz_id=quiz_id, open_dt=open_dt, close_dt=close_dt,
                            attempts_allowed=attempts_allowed, counting=counting, time_limit_s=time_limit_s,
                            feedback=feedback, answers_after=answers_after, ranking=ranking, created_dt=now)
    session.add(assignment)
    session.flush()
    return assignment


def assignments_of_class(session: Session, school_class: SchoolClass) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.class_id == school_class.id)
                                .order_by(Assignment.close_dt.desc(), Assignment.id.desc())))


def assignment_of_teacher(session: Session, teacher: User, assignment_id: int) -> Assignment | None:
    """The assignment if it is of one of ``teacher``'s classes; None otherwise."""
    return session.scalar(select(Assignment).join(SchoolClass, SchoolClass.id == Assignment.class_id)
                          .where(Assignment.id == assignment_id, SchoolClass.teacher_id == teacher.id))


def assignment_of_student(session: Session, user: User, assignment_id: int) -> Assignment | None:
    """The assignment if ``user`` is in its class and the class is not archived."""
    return session.scalar(select(Assignment).join(SchoolClass, SchoolClass.id == Assignment.class_id)
                          .join(ClassMember, ClassMember.class_id == SchoolClass.id)
                          .where(Assignment.id == assignment_id, ClassMember.user_id == user.id,
                                 SchoolClass.archived_dt.is_(None)))


def start(session: Session, user: User, assignment: Assignment, clock: Clock, *,
          rules: Rules = DEFAULT_RULES, seed: int | None = None) -> Attempt:
    """Start an attempt at the assignment, or resume the one running.  Raises ``NotOpen``,
    ``Closed``, ``NoAttemptsLeft``, ``OtherAttemptRunning`` or ``QuizUnavailable``."""
    now = clock.now()
    quiz = assignment.quiz
    running = find_active_attempt(session, user, quiz)
    if running is not None and not close_if_expired(session, running, clock, rules):
        if running.assignment_id == assignment.id:
            return running
        raise OtherAttemptRunning("Another attempt at this quiz is running; finish it first.")
    state = window_state(assignment, now)
    if state == UPCOMING:
        raise NotOpen("This assignment is not open yet.")
    if state == CLOSED:
        raise Closed("This assignment is closed.")
    terms = terms_for(session, assignment, user.id)
    if terms.attempts_left(len(attempts_of(session, assignment, user.id))) == 0:
        raise NoAttemptsLeft("No attempts are left for this assignment.")
    if quiz.is_retired:
        raise QuizUnavailable("This quiz is no longer offered.")
    factor = TIME_ACCOMMODATIONS.get(user.time_accommodation, 1.0)  # None: untimed (mode_for says 1.0)
    seed = secrets.randbits(31) if seed is None else seed
    plan = draw_plan(session, quiz, seed)
    values = attempt_values(user, quiz, plan, seed, Mode.ASSIGNMENT, factor or 1.0, now)
    deadline = assignment.close_dt
    if terms.time_limit_s and factor is not None:  # "untimed" students keep only the close
        deadline = min(deadline, now + timedelta(seconds=terms.time_limit_s * factor))
    values.update(assignment_id=assignment.id, deadline_dt=deadline)
    attempt, _ = insert_or_find_running(session, user, quiz, values)
    if attempt is None or attempt.assignment_id != assignment.id:  # a concurrent start won, elsewhere
        raise OtherAttemptRunning("Another attempt at this quiz is running; finish it first.")
    return attempt


@dataclass(frozen=True)
class StudentAssignment:
    """One line of a student's home page."""

    assignment: Assignment
    class_name: str
    state: str
    used: int
    attempts_left: int | None
    running: Attempt | None
    counted: Attempt | None

    @property
    def is_done(self) -> bool:
        return self.counted is not None and self.running is None


def student_assignments(session: Session, user: User, now: datetime, *,
                        closed_for: timedelta = timedelta(days=7)) -> list[StudentAssignment]:
    """The assignments of the student's classes: the open ones first, the one due soonest
    first; then those about to open; then those closed in the last week."""
    rows = session.execute(
        select(Assignment, SchoolClass.name).join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == user.id, SchoolClass.archived_dt.is_(None),
               Assignment.close_dt > now - closed_for)
    ).all()
    if not rows:
        return []
    by_assignment: dict[int, list[Attempt]] = {}
    for attempt in session.scalars(select(Attempt).where(Attempt.user_id == user.id, Attempt.assignment_id.in_(
            [assignment.id for assignment, _ in rows])).order_by(Attempt.id)):
        by_assignment.setdefault(attempt.assignment_id, []).append(attempt)  # type: ignore[arg-type]
    found = []
    for assignment, class_name in rows:
        taken = by_assignment.get(assignment.id, [])
        terms = terms_for(session, assignment, user.id)
        running = next((a for a in taken if a.finished_dt is None), None)
        found.append(StudentAssignment(assignment, class_name, window_state(assignment, now), len(taken),
                                       terms.attempts_left(len(taken)), running,
                                       counted_attempt(taken, assignment.counting)))
    order = {OPEN: 0, UPCOMING: 1, CLOSED: 2}
    return sorted(found, key=lambda s: (order[s.state], s.assignment.close_dt if s.state != CLOSED else -_ts(s),
                                        s.assignment.id))


def _ts(item: StudentAssignment) -> float:
    return item.assignment.close_dt.timestamp()


def class_board(session: Session, assignment: Assignment,
                known: tuple[dict[int, list[Any]], dict[int, str]] | None = None) -> list[Standing]:
    """The class's own board for an assignment with ranking on: each member's counted
    attempt, ranked by the one rule.  Empty when the assignment has no ranking.  ``known``:
    the attempts by member and the members' names, when the caller has read them already."""
    if assignment.ranking != RANKING_CLASS:
        return []
    if known is not None:
        by_user, names = known
    else:
        by_user, names = {}, {}
        for attempt, username in session.execute(
                select(Attempt, User.username).join(User, User.id == Attempt.user_id)
                .join(ClassMember, (ClassMember.user_id == User.id) & (ClassMember.class_id == assignment.class_id))
                .where(Attempt.assignment_id == assignment.id, Attempt.finished_dt.is_not(None))).all():
            by_user.setdefault(attempt.user_id, []).append(attempt)
            names[attempt.user_id] = username
    # As on the public boards, an attempt held by the pace check is left off until cleared.
    counted = sorted((a for a in (counted_attempt(taken, assignment.counting) for taken in by_user.values())
                      if a is not None and a.review_status in (None, CLEARED)),
                     key=lambda a: rank_key(a.score, a.duration_ms or 0, a.finished_dt, a.id))
    ranks = ranks_in_order(rank_key(a.score, a.duration_ms or 0, a.finished_dt, a.id) for a in counted)
    return [Standing(rank, a.user_id, names[a.user_id], a.score, a.duration_ms or 0, a.finished_dt,  # type: ignore[arg-type]
                     attempt_id=a.id) for rank, a in zip(ranks, counted)]


__all__ = ["CLOSED", "Closed", "NoAttemptsLeft", "NotOpen", "OPEN", "OtherAttemptRunning", "StudentAssignment",
           "Terms", "UPCOMING", "assignment_of_student", "assignment_of_teacher", "assignments_of_class",
           "attempts_of", "class_board", "counted_attempt", "create_assignment", "get_attempt", "overrides",
           "set_override", "start", "student_assignments", "terms_for", "window_state"]
