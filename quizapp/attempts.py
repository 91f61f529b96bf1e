"""Taking a quiz: start, serve the current question, answer, finish, review.

Plain Python over a SQLAlchemy session and a ``Clock``; no Flask.  These functions
``flush()`` and never ``commit()``: the caller (a view, the API, a CLI command) owns the
transaction, so a failure leaves the database as it was.

The server owns time: an attempt's deadline is fixed when it starts, a question's clock when it is
first served; an answer later than deadline + grace (for network lag) is timed out, never accepted.

Ending an attempt is ``finish`` (offered here too), untimed runs ``practice``, the boards
``ranking``; this module imports ``finish`` and ``learning``, and neither imports it back.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes, joinedload

from quizapp.caching import BoundedCache
from quizapp.clock import Clock
from quizapp.finish import close_if_expired, close_overdue_attempts, finish_attempt
from quizapp.learning import record_answer, schedules_each_answer
from quizapp.models import Attempt, AttemptAnswer, Question, QuestionRevision, Quiz, QuizQuestion, User, UTCDateTime
from quizapp.modes import DEFAULT_RULES, Mode, Rules, allowed_seconds, feedback_each_answer, mode_for
from quizapp.question_types import Grade, InvalidResponse, display_order, get_type
from quizapp.questions import REVISION_COLUMNS, RevisionValues, revision_values


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
    revision: RevisionValues
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


def option_order(attempt: Attempt, position: int, revision: RevisionValues) -> list[str]:
    qtype = get_type(revision.type)
    keys = qtype.shuffled_keys(revision.content)
    return display_order(attempt.seed, position, keys, attempt.quiz.shuffle_options or qtype.always_shuffle,
                         avoid_identity=qtype.always_shuffle)


# The statements of the hot path (every question page, every answer), built once: building
# a statement costs more than SQLite takes to run it.
_ATTEMPT_WITH_QUIZ = select(Attempt).options(joinedload(Attempt.quiz)).where(Attempt.id == bindparam("id"))
_ANSWER_ROW = select(AttemptAnswer).where(AttemptAnswer.attempt_id == bindparam("attempt"),
                                          AttemptAnswer.position == bindparam("position"))
# Conditional updates make a replayed or concurrent answer a no-op rather than a second record.
_answers, _attempts = AttemptAnswer.__table__, Attempt.__table__
_RECORD_ANSWER = (update(_answers)
                  .where(_answers.c.id == bindparam("row"), _answers.c.answered_dt.is_(None),
                         _answers.c.timed_out.is_(False))
                  .values(answered_dt=bindparam("at", type_=UTCDateTime), response=bindparam("response", type_=JSON),
                          is_correct=bindparam("correct"), credit=bindparam("credit"), points=bindparam("points"),
                          timed_out=bindparam("timed_out")))
_MOVE_ON = (update(_attempts)
            .where(_attempts.c.id == bindparam("attempt"), _attempts.c.current_position == bindparam("position"))
            .values(current_position=bindparam("next")))


def get_attempt(session: Session, attempt_id: int) -> Attempt | None:
    """An attempt with its quiz (every use of an attempt needs the quiz's rules)."""
    return session.execute(_ATTEMPT_WITH_QUIZ, {"id": attempt_id}).unique().scalar_one_or_none()


def find_active_attempt(session: Session, user: User, quiz: Quiz) -> Attempt | None:
    return session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.quiz_id == quiz.id, Attempt.finished_dt.is_(None),
               Attempt.mode != Mode.PRACTICE)
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def start_attempt(session: Session, user: User, quiz: Quiz, clock: Clock, *,
                  rules: Rules = DEFAULT_RULES, seed: int | None = None) -> Attempt:
    """Start a quiz, or return the attempt already running (a second tab, a double click).  The
    user's time accommodation decides the mode: standard, extended (× 1.5 or × 2) or practice."""
    return start_or_resume(session, user, quiz, clock, rules=rules, seed=seed)[0]


def start_or_resume(session: Session, user: User, quiz: Quiz, clock: Clock, *,
                    rules: Rules = DEFAULT_RULES, seed: int | None = None) -> tuple[Attempt, bool]:
    """``start_attempt``, also saying whether this call created the attempt (False: it
    resumed one already running, or one a concurrent start created)."""
    if quiz.is_retired:
        raise QuizUnavailable("This quiz is no longer offered.")
    active = find_active_attempt(session, user, quiz)
    if active is not None and not close_if_expired(session, active, clock, rules):
        return active, False
    mode, factor = mode_for(user.time_accommodation)
    seed = secrets.randbits(31) if seed is None else seed
    plan = draw_plan(session, quiz, seed)
    if mode == Mode.PRACTICE:
        return new_attempt(session, user, quiz, plan, seed, mode, factor, clock.now()), True
    values = attempt_values(user, quiz, plan, seed, mode, factor, clock.now())
    attempt, created = insert_or_find_running(session, user, quiz, values)
    assert attempt is not None, "the unique index refused the start, so an attempt is running"
    return attempt, created


def draw_plan(session: Session, quiz: Quiz, seed: int) -> list[int]:
    """The revision ids an attempt with this seed meets, in order (``QuizUnavailable`` if none)."""
    pool = session.execute(
        select(QuizQuestion.position, Question.current_revision_id)
        .join(Question, Question.id == QuizQuestion.question_id)
        .where(QuizQuestion.quiz_id == quiz.id, Question.is_retired.is_(False))
        .order_by(QuizQuestion.position)
    ).all()
    if not pool:
        raise QuizUnavailable("This quiz has no questions.")
    rng = random.Random(seed)
    count = min(quiz.draw_count, len(pool))
    if quiz.shuffle_questions:
        chosen = rng.sample(pool, count)
    else:
        chosen = sorted(rng.sample(pool, count), key=lambda row: row.position) if count < len(pool) else list(pool)
    return [row.current_revision_id for row in chosen]


def insert_or_find_running(session: Session, user: User, quiz: Quiz,
                           values: dict[str, Any]) -> tuple[Attempt | None, bool]:
    """Every start's one retry on conflict: insert a running (non-practice) attempt (True), or, when the unique
    index uq_attempt_running_ranked let a concurrent start through first (ON CONFLICT DO NOTHING; on PostgreSQL
    this waits for its commit), return that one (False; None only if it finished in between)."""
    inserted = session.execute(_start_statement(session.get_bind().dialect.name), values).scalar_one_or_none()
    if inserted is not None:
        return get_attempt(session, inserted), True
    return find_active_attempt(session, user, quiz), False


@lru_cache(maxsize=None)
def _start_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = ("user_id", "quiz_id", "seed", "plan", "mode", "time_factor", "started_dt", "deadline_dt",
               "current_position", "score", "max_score", "correct_count", "assignment_id")
    # No conflict target: the only constraint a new row can break is the running-attempt index.
    return (insert(Attempt)
            .values({name: bindparam(name, type_=Attempt.__table__.c[name].type) for name in columns})
            .on_conflict_do_nothing()
            .returning(Attempt.id))


def new_attempt(session: Session, user: User, quiz: Quiz, plan: list[int], seed: int, mode: str, factor: float,
                 now: datetime, purpose: str | None = None) -> Attempt:
    attempt = Attempt(**attempt_values(user, quiz, plan, seed, mode, factor, now), purpose=purpose)
    session.add(attempt)
    session.flush()
    return attempt


def attempt_values(user: User, quiz: Quiz, plan: list[int], seed: int, mode: str, factor: float,
                    now: datetime) -> dict[str, Any]:
    timed = mode != Mode.PRACTICE and quiz.time_limit_s
    return dict(
        user_id=user.id, quiz_id=quiz.id, seed=seed, plan=plan, mode=mode, time_factor=factor,
        started_dt=now, deadline_dt=now + timedelta(seconds=quiz.time_limit_s * factor) if timed else None,
        current_position=0, score=0, max_score=len(plan) * quiz.points_per_question, correct_count=0,
        assignment_id=None,
    )


def _answer_row(session: Session, attempt: Attempt, position: int) -> AttemptAnswer | None:
    return session.execute(_ANSWER_ROW, {"attempt": attempt.id, "position": position}).scalar_one_or_none()


def _serve_row(session: Session, attempt: Attempt, position: int, now: datetime) -> AttemptAnswer:
    row = _answer_row(session, attempt, position)
    if row is not None:
        return row
    # A second tab may serve the same question at the same moment: the unique (attempt,
    # position) decides, and whoever loses reads the winner's row.  ON CONFLICT DO NOTHING
    # rather than a savepoint: one statement instead of three on the hottest write path.
    session.execute(_serve_statement(session.get_bind().dialect.name),
                    {"attempt": attempt.id, "position": position, "revision": attempt.plan[position], "at": now})
    row = _answer_row(session, attempt, position)
    assert row is not None
    return row


@lru_cache(maxsize=None)
def _serve_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(AttemptAnswer)
            .values(attempt_id=bindparam("attempt"), position=bindparam("position"),
                    revision_id=bindparam("revision"), served_dt=bindparam("at", type_=UTCDateTime),
                    timed_out=False, is_correct=False, credit=0.0, points=0)
            .on_conflict_do_nothing(index_elements=[AttemptAnswer.attempt_id, AttemptAnswer.position]))


def _question_deadline(attempt: Attempt, row: AttemptAnswer) -> datetime | None:
    limit = attempt.quiz.question_time_limit_s
    if not limit or row.served_dt is None or attempt.mode == Mode.PRACTICE:
        return None
    return row.served_dt + timedelta(seconds=limit * attempt.time_factor)


def current_question(session: Session, attempt: Attempt, clock: Clock, rules: Rules = DEFAULT_RULES, *,
                     revisions: BoundedCache[Any] | None = None) -> ServedQuestion | None:
    """The question the player is on (serving it starts its clock), or None when finished.
    Its revision is plain values; with ``revisions`` (the app's ``Caches.revisions``) read once per process."""
    while True:
        if close_if_expired(session, attempt, clock, rules):
            return None
        position = attempt.current_position
        row = _serve_row(session, attempt, position, clock.now())
        question_deadline = _question_deadline(attempt, row)
        if question_deadline is not None and clock.now() > question_deadline + rules.grace and row.answered_dt is None:
            _record(session, attempt, row, None, Grade(0.0, False), 0, question_deadline, rules, timed_out=True)
            continue
        revision = revision_values(session, row.revision_id, revisions)
        assert revision is not None
        return ServedQuestion(attempt, row, revision, position, option_order(attempt, position, revision),
                              question_deadline)


def time_out_current(session: Session, attempt: Attempt, clock: Clock, rules: Rules = DEFAULT_RULES, *,
                     early: timedelta = timedelta(seconds=1)) -> bool:
    """The browser's countdown reached zero with no valid answer: give the question up.

    Only honoured once the effective deadline is (nearly) here, so a tampered client
    cannot skip questions early.  Returns whether anything was closed.
    """
    if attempt.finished_dt is not None:
        return False
    served = current_question(session, attempt, clock, replace(rules, grace=timedelta(0)))
    if served is None:
        return True
    now = clock.now()
    if attempt.deadline_dt is not None and now >= attempt.deadline_dt - early:
        finish_attempt(session, attempt, min(now, attempt.deadline_dt), rules)
        return True
    if served.question_deadline_dt is not None and now >= served.question_deadline_dt - early:
        _record(session, attempt, served.row, None, Grade(0.0, False), 0, min(now, served.question_deadline_dt),
                rules, timed_out=True)
        return True
    return False


def submit_answer(session: Session, served: ServedQuestion, data: Any, clock: Clock, *,
                  rules: Rules = DEFAULT_RULES, from_json: bool = False) -> AnswerOutcome:
    """Record the answer to ``served``, the question the caller served (``current_question``).

    An answer later than the question's or the quiz's deadline + grace is recorded as timed
    out; the same answer twice is recorded once (the second outcome says ``duplicate``).
    Raises ``AttemptClosed`` or ``InvalidResponse`` (nothing is written then)."""
    attempt, row = served.attempt, served.row
    if row.answered_dt is not None or (row.timed_out and attempt.finished_dt is None):
        return AnswerOutcome(row, attempt, duplicate=True)  # a replay: acknowledged again, not recorded twice
    if attempt.finished_dt is not None:
        raise AttemptClosed("This attempt is finished; it accepts no more answers.")
    deadline = served.deadline_dt
    if deadline is not None and clock.now() > deadline + rules.grace:
        # Time ran out (for the quiz or for this question) before the answer arrived: serving
        # again closes what is over, this question's row included.
        current_question(session, attempt, clock, rules)
        return AnswerOutcome(row, attempt)
    qtype = get_type(served.revision.type)
    response = (qtype.read_json if from_json else qtype.read_field)(served.revision.content, served.order, data)
    grade = qtype.grade(served.revision.content, response)
    now = clock.now()
    _record(session, attempt, row, response, grade, _points(attempt, served, grade, now), now, rules, timed_out=False)
    return AnswerOutcome(row, attempt)


def replay_or_refuse(session: Session, attempt: Attempt, position: int) -> AnswerOutcome:
    """An answer sent for ``position`` when that is not the question being served: a replay
    of an answer already recorded (a double click, the back button), or of a question whose
    time ran out, is acknowledged with the first outcome (``duplicate=True``).  Anything else
    is refused: ``AttemptClosed`` once the attempt is over, ``NotCurrentQuestion`` otherwise.
    Nothing is written."""
    if position < attempt.current_position or attempt.finished_dt is not None:
        row = _answer_row(session, attempt, position)
        answered = row is not None and row.answered_dt is not None
        if answered or (row is not None and row.timed_out and attempt.finished_dt is None):
            return AnswerOutcome(row, attempt, duplicate=True)  # type: ignore[arg-type]
    if attempt.finished_dt is not None:
        raise AttemptClosed("This attempt is finished; it accepts no more answers.")
    raise NotCurrentQuestion("That is not the current question of this attempt.")


def answer_at(session: Session, attempt: Attempt, position: int, data: Any, clock: Clock, *,
              rules: Rules = DEFAULT_RULES, from_json: bool = False, revisions: BoundedCache[Any] | None = None
              ) -> AnswerOutcome:
    """For a client that names the question it answers and was served nothing in this
    request (the API): ``replay_or_refuse`` for another position, else serve and answer."""
    if position != attempt.current_position or attempt.finished_dt is not None:
        return replay_or_refuse(session, attempt, position)
    served = current_question(session, attempt, clock, rules, revisions=revisions)
    if served is None or served.position != position:
        # Time ran out (for the quiz or for this question) before the answer arrived.
        row = _answer_row(session, attempt, position)
        assert row is not None
        return AnswerOutcome(row, attempt)
    return submit_answer(session, served, data, clock, rules=rules, from_json=from_json)


def _points(attempt: Attempt, served: ServedQuestion, grade: Grade, now: datetime) -> int:
    full = attempt.quiz.points_per_question * grade.credit
    allowed = allowed_seconds(attempt)
    if attempt.quiz.scoring != "speed" or grade.credit == 0 or allowed is None:
        return round(full)
    # Kahoot's rule: answering at once earns all, at the last moment half.
    elapsed = max(0.0, min((now - (served.row.served_dt or now)).total_seconds(), allowed))
    return round(full * (1 - (elapsed / allowed) / 2))


def _record(session: Session, attempt: Attempt, row: AttemptAnswer, response: Any, grade: Grade, points: int,
            at: datetime, rules: Rules, *, timed_out: bool) -> None:
    written = session.execute(_RECORD_ANSWER, {
        "row": row.id, "at": at, "response": response, "correct": grade.is_correct, "credit": grade.credit,
        "points": points, "timed_out": timed_out}).rowcount
    if not written:
        session.refresh(row)  # someone else's write won: read what it was
        return
    # What the UPDATE wrote is known: set it on the object instead of reading it back.
    for name, value in dict(answered_dt=at, response=response, is_correct=grade.is_correct, credit=grade.credit,
                            points=points, timed_out=timed_out).items():
        attributes.set_committed_value(row, name, value)
    if schedules_each_answer(attempt):
        record_answer(session, attempt, row, at)
    moved = session.execute(_MOVE_ON, {"attempt": attempt.id, "position": row.position,
                                       "next": row.position + 1}).rowcount
    if moved:
        attributes.set_committed_value(attempt, "current_position", row.position + 1)
    else:
        session.refresh(attempt)
    if attempt.current_position >= len(attempt.plan):
        finish_attempt(session, attempt, at if attempt.deadline_dt is None else min(at, attempt.deadline_dt), rules)


def not_reached(row: AttemptAnswer) -> bool:
    """Never served: a review shows neither its text nor its answer (a fixed draw would leak its key)."""
    return row.served_dt is None


def shows_feedback_now(attempt: Attempt) -> bool:
    """Whether right or wrong may be told now: after each answer with immediate feedback
    (``modes.feedback_each_answer``), otherwise only once the attempt is over."""
    return feedback_each_answer(attempt) or attempt.is_finished


def review(session: Session, attempt: Attempt) -> list[tuple[AttemptAnswer, RevisionValues]]:
    return [(row[0], RevisionValues(*row[1:])) for row in session.execute(
        select(AttemptAnswer, *REVISION_COLUMNS)
        .join(QuestionRevision, QuestionRevision.id == AttemptAnswer.revision_id)
        .where(AttemptAnswer.attempt_id == attempt.id).order_by(AttemptAnswer.position))]


__all__ = ["AnswerOutcome", "AttemptClosed", "AttemptError", "InvalidResponse", "NotCurrentQuestion", "QuizUnavailable",
           "ServedQuestion", "answer_at", "attempt_values", "close_if_expired", "close_overdue_attempts",
           "current_question", "draw_plan", "find_active_attempt", "finish_attempt", "get_attempt", "insert_or_find_running",
           "new_attempt", "not_reached", "option_order", "replay_or_refuse", "review", "shows_feedback_now",
           "start_attempt", "start_or_resume", "submit_answer", "time_out_current"]
