"""Taking a quiz: start, serve the current question, answer, finish.

Plain Python over a SQLAlchemy session and a ``Clock``; no Flask.  These functions
``flush()`` and never ``commit()``: the caller (a view, the API, a CLI command) owns the
transaction, so a failure leaves the database as it was.

The server owns time.  An attempt's deadline is fixed when it starts; a question's clock
starts when the server first serves it.  A grace window absorbs network lag; an answer
later than deadline + grace is recorded as timed out with no points, never accepted.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizapp.clock import Clock
from quizapp.models import Attempt, AttemptAnswer, LeaderboardEntry, Question, QuestionRevision, Quiz, QuizQuestion, User
from quizapp.question_types import Grade, InvalidResponse, display_order, get_type
from quizapp.ranking import rank_key

DEFAULT_GRACE = timedelta(seconds=2)


class AttemptError(Exception):
    """A request the rules refuse; ``code`` is machine-readable, the message is for people."""

    code = "attempt_error"


class AttemptClosed(AttemptError):
    code = "attempt_finished"


class NotCurrentQuestion(AttemptError):
    code = "not_current_question"


class QuizUnavailable(AttemptError):
    code = "quiz_unavailable"


@dataclass(frozen=True)
class ServedQuestion:
    attempt: Attempt
    row: AttemptAnswer
    revision: QuestionRevision
    position: int
    order: list[str]
    question_deadline_dt: datetime | None

    @property
    def deadline_dt(self) -> datetime | None:
        """Whichever comes first: the quiz's deadline or this question's."""
        candidates = [d for d in (self.attempt.deadline_dt, self.question_deadline_dt) if d is not None]
        return min(candidates) if candidates else None


@dataclass(frozen=True)
class AnswerOutcome:
    row: AttemptAnswer
    attempt: Attempt
    duplicate: bool = False

    @property
    def timed_out(self) -> bool:
        return self.row.timed_out


def option_order(attempt: Attempt, position: int, revision: QuestionRevision) -> list[str]:
    qtype = get_type(revision.type)
    keys = qtype.shuffled_keys(revision.content)
    return display_order(attempt.seed, position, keys, attempt.quiz.shuffle_options or qtype.always_shuffle,
                         avoid_identity=qtype.always_shuffle)


def find_active_attempt(session: Session, user: User, quiz: Quiz) -> Attempt | None:
    return session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.quiz_id == quiz.id, Attempt.finished_dt.is_(None))
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def start_attempt(session: Session, user: User, quiz: Quiz, clock: Clock, *,
                  grace: timedelta = DEFAULT_GRACE, seed: int | None = None) -> Attempt:
    """Start a quiz, or return the attempt already running (a second tab, a double click)."""
    if quiz.is_retired:
        raise QuizUnavailable("This quiz is no longer offered.")
    active = find_active_attempt(session, user, quiz)
    if active is not None and not close_if_expired(session, active, clock, grace):
        return active
    pool = session.execute(
        select(QuizQuestion.position, Question.current_revision_id)
        .join(Question, Question.id == QuizQuestion.question_id)
        .where(QuizQuestion.quiz_id == quiz.id, Question.is_retired.is_(False))
        .order_by(QuizQuestion.position)
    ).all()
    if not pool:
        raise QuizUnavailable("This quiz has no questions.")
    seed = secrets.randbits(31) if seed is None else seed
    rng = random.Random(seed)
    count = min(quiz.draw_count, len(pool))
    if quiz.shuffle_questions:
        chosen = rng.sample(pool, count)
    else:
        chosen = sorted(rng.sample(pool, count), key=lambda row: row.position) if count < len(pool) else list(pool)
    now = clock.now()
    attempt = Attempt(
        user_id=user.id, quiz_id=quiz.id, seed=seed, plan=[row.current_revision_id for row in chosen],
        started_dt=now, deadline_dt=now + timedelta(seconds=quiz.time_limit_s) if quiz.time_limit_s else None,
        current_position=0, score=0, max_score=count * quiz.points_per_question, correct_count=0,
    )
    session.add(attempt)
    session.flush()
    return attempt


def close_if_expired(session: Session, attempt: Attempt, clock: Clock, grace: timedelta = DEFAULT_GRACE) -> bool:
    """Close an attempt whose deadline (plus grace) has passed.  True when it is finished."""
    if attempt.finished_dt is not None:
        return True
    if attempt.deadline_dt is not None and clock.now() > attempt.deadline_dt + grace:
        finish_attempt(session, attempt, attempt.deadline_dt)
        return True
    return False


def _answer_row(session: Session, attempt: Attempt, position: int) -> AttemptAnswer | None:
    return session.scalar(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.position == position)
    )


def _serve_row(session: Session, attempt: Attempt, position: int, now: datetime) -> AttemptAnswer:
    row = _answer_row(session, attempt, position)
    if row is not None:
        return row
    row = AttemptAnswer(attempt_id=attempt.id, position=position, revision_id=attempt.plan[position],
                        served_dt=now, timed_out=False, is_correct=False, credit=0.0, points=0)
    try:
        with session.begin_nested():  # a second tab may serve the same question at the same moment
            session.add(row)
    except IntegrityError:
        row = _answer_row(session, attempt, position)
        assert row is not None
    return row


def _question_deadline(attempt: Attempt, row: AttemptAnswer) -> datetime | None:
    limit = attempt.quiz.question_time_limit_s
    if not limit or row.served_dt is None:
        return None
    return row.served_dt + timedelta(seconds=limit)


def current_question(session: Session, attempt: Attempt, clock: Clock,
                     grace: timedelta = DEFAULT_GRACE) -> ServedQuestion | None:
    """The question the player is on (serving it starts its clock), or None when finished."""
    while True:
        if close_if_expired(session, attempt, clock, grace):
            return None
        position = attempt.current_position
        row = _serve_row(session, attempt, position, clock.now())
        question_deadline = _question_deadline(attempt, row)
        if question_deadline is not None and clock.now() > question_deadline + grace and row.answered_dt is None:
            _record(session, attempt, row, None, Grade(0.0, False), 0, question_deadline, timed_out=True)
            continue
        revision = session.get(QuestionRevision, row.revision_id)
        assert revision is not None
        return ServedQuestion(attempt, row, revision, position, option_order(attempt, position, revision),
                              question_deadline)


def time_out_current(session: Session, attempt: Attempt, clock: Clock, *, early: timedelta = timedelta(seconds=1)) -> bool:
    """The browser's countdown reached zero with no valid answer: give the question up.

    Only honoured once the effective deadline is (nearly) here, so a tampered client
    cannot skip questions early.  Returns whether anything was closed.
    """
    if attempt.finished_dt is not None:
        return False
    served = current_question(session, attempt, clock, timedelta(0))
    if served is None:
        return True
    now = clock.now()
    if attempt.deadline_dt is not None and now >= attempt.deadline_dt - early:
        finish_attempt(session, attempt, min(now, attempt.deadline_dt))
        return True
    if served.question_deadline_dt is not None and now >= served.question_deadline_dt - early:
        _record(session, attempt, served.row, None, Grade(0.0, False), 0, min(now, served.question_deadline_dt),
                timed_out=True)
        return True
    return False


def parse_response(served: ServedQuestion, data: Any, *, from_json: bool = False) -> Any:
    qtype = get_type(served.revision.type)
    reader = qtype.read_json if from_json else qtype.read_field
    return reader(served.revision.content, served.order, data)


def submit_answer(session: Session, attempt: Attempt, position: int, data: Any, clock: Clock, *,
                  grace: timedelta = DEFAULT_GRACE, from_json: bool = False) -> AnswerOutcome:
    """Record the answer to the question at ``position``.

    The same answer sent twice is recorded once (the second call returns the first
    outcome with ``duplicate=True``).  Raises ``AttemptClosed``, ``NotCurrentQuestion`` or
    ``InvalidResponse`` (nothing is written then).
    """
    if position < attempt.current_position or attempt.finished_dt is not None:
        row = _answer_row(session, attempt, position)
        answered = row is not None and row.answered_dt is not None
        # A replay of an answer already recorded is acknowledged again, not recorded twice;
        # once the attempt is over, nothing else is taken.
        if answered or (row is not None and row.timed_out and attempt.finished_dt is None):
            return AnswerOutcome(row, attempt, duplicate=True)
    if attempt.finished_dt is not None:
        raise AttemptClosed("This attempt is finished; it accepts no more answers.")
    if position != attempt.current_position:
        raise NotCurrentQuestion("That is not the current question of this attempt.")
    served = current_question(session, attempt, clock, grace)
    if served is None or served.position != position:
        # Time ran out (for the quiz or for this question) before the answer arrived.
        row = _answer_row(session, attempt, position)
        assert row is not None
        return AnswerOutcome(row, attempt)
    response = parse_response(served, data, from_json=from_json)
    qtype = get_type(served.revision.type)
    grade = qtype.grade(served.revision.content, response)
    now = clock.now()
    points = _points(attempt, served, grade, now)
    _record(session, attempt, served.row, response, grade, points, now, timed_out=False)
    return AnswerOutcome(served.row, attempt)


def _points(attempt: Attempt, served: ServedQuestion, grade: Grade, now: datetime) -> int:
    quiz = attempt.quiz
    full = quiz.points_per_question * grade.credit
    if quiz.scoring != "speed" or grade.credit == 0:
        return round(full)
    # Kahoot's rule: answering at once earns all, at the last moment half.
    if quiz.question_time_limit_s:
        allowed = float(quiz.question_time_limit_s)
    elif quiz.time_limit_s:
        allowed = quiz.time_limit_s / len(attempt.plan)
    else:
        return round(full)
    elapsed = max(0.0, min((now - (served.row.served_dt or now)).total_seconds(), allowed))
    return round(full * (1 - (elapsed / allowed) / 2))


def _record(session: Session, attempt: Attempt, row: AttemptAnswer, response: Any, grade: Grade, points: int,
            at: datetime, *, timed_out: bool) -> None:
    # Conditional updates make a replayed or concurrent answer a no-op rather than a second record.
    written = session.execute(
        update(AttemptAnswer)
        .where(AttemptAnswer.id == row.id, AttemptAnswer.answered_dt.is_(None), AttemptAnswer.timed_out.is_(False))
        .values(answered_dt=at, response=response, is_correct=grade.is_correct, credit=grade.credit,
                points=points, timed_out=timed_out)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(row)
    if not written:
        return
    session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.current_position == row.position)
        .values(current_position=row.position + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if attempt.current_position >= len(attempt.plan):
        finish_attempt(session, attempt, at if attempt.deadline_dt is None else min(at, attempt.deadline_dt))


def finish_attempt(session: Session, attempt: Attempt, finished_dt: datetime) -> None:
    """Score the attempt and keep the user's best entry on the leaderboard up to date."""
    if attempt.finished_dt is not None:
        return
    rows = {row.position: row for row in session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))}
    for position, revision_id in enumerate(attempt.plan):
        row = rows.get(position)
        if row is None:
            row = AttemptAnswer(attempt_id=attempt.id, position=position, revision_id=revision_id, served_dt=None,
                                is_correct=False, credit=0.0, points=0, timed_out=True)
            session.add(row)
            rows[position] = row
        elif row.answered_dt is None and not row.timed_out:
            row.timed_out = True
    duration_ms = max(0, int((finished_dt - attempt.started_dt).total_seconds() * 1000))
    claimed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.finished_dt.is_(None))
        .values(finished_dt=finished_dt, duration_ms=duration_ms,
                score=sum(row.points for row in rows.values()),
                correct_count=sum(1 for row in rows.values() if row.is_correct))
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    session.refresh(attempt)
    if claimed:
        _keep_best(session, attempt)


def _keep_best(session: Session, attempt: Attempt) -> None:
    assert attempt.finished_dt is not None and attempt.duration_ms is not None
    entry = session.get(LeaderboardEntry, (attempt.quiz_id, attempt.user_id))
    new_key = rank_key(attempt.score, attempt.duration_ms, attempt.finished_dt, attempt.id)
    if entry is None:
        session.add(LeaderboardEntry(quiz_id=attempt.quiz_id, user_id=attempt.user_id, attempt_id=attempt.id,
                                     score=attempt.score, duration_ms=attempt.duration_ms,
                                     finished_dt=attempt.finished_dt))
    elif new_key < rank_key(entry.score, entry.duration_ms, entry.finished_dt, entry.attempt_id):
        entry.attempt_id = attempt.id
        entry.score = attempt.score
        entry.duration_ms = attempt.duration_ms
        entry.finished_dt = attempt.finished_dt
    session.flush()


def close_overdue_attempts(session: Session, clock: Clock, grace: timedelta = DEFAULT_GRACE) -> int:
    """Close every attempt whose deadline has passed; for a periodic command."""
    overdue = session.scalars(
        select(Attempt).where(Attempt.finished_dt.is_(None), Attempt.deadline_dt.is_not(None),
                              Attempt.deadline_dt < clock.now() - grace)
    ).all()
    for attempt in overdue:
        finish_attempt(session, attempt, attempt.deadline_dt)  # type: ignore[arg-type]
    return len(overdue)


def review(session: Session, attempt: Attempt) -> list[tuple[AttemptAnswer, QuestionRevision]]:
    rows = session.execute(
        select(AttemptAnswer, QuestionRevision)
        .join(QuestionRevision, QuestionRevision.id == AttemptAnswer.revision_id)
        .where(AttemptAnswer.attempt_id == attempt.id)
        .order_by(AttemptAnswer.position)
    ).all()
    return [(row[0], row[1]) for row in rows]


__all__ = ["AnswerOutcome", "AttemptClosed", "AttemptError", "InvalidResponse", "NotCurrentQuestion",
           "QuizUnavailable", "ServedQuestion", "close_if_expired", "close_overdue_attempts", "current_question",
           "finish_attempt", "option_order", "review", "start_attempt", "submit_answer"]
