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
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, and_, bindparam, delete, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, attributes, joinedload

from quizapp.clock import Clock
from quizapp.learning import record_answer
from quizapp.models import (Attempt, AttemptAnswer, LeaderboardCount, LeaderboardEntry, OverallEntry, Question,
                            QuestionRevision, Quiz, QuizQuestion, User, UTCDateTime)
from quizapp.pace import PaceRules, TimedAnswer, pace_report
from quizapp.periods import PERIODS, period_start
from quizapp.question_types import Grade, InvalidResponse, display_order, get_type
from quizapp.questions import revision_by_id
from quizapp.ranking import OVERALL_QUIZ_ID, attempt_rank, count_buckets, rank_key


@dataclass(frozen=True)
class Rules:
    """What the operator configures about timing and boards."""

    grace: timedelta = timedelta(seconds=2)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Almaty"))
    # The human floor (quizapp.pace): a ranked attempt answered faster is held for review.
    # None checks nothing; the app always passes the configured floor (web.rules).
    pace: PaceRules | None = None


DEFAULT_RULES = Rules()

# Extended time (WCAG 2.2.1): the factor applied to every limit; None means untimed practice.
TIME_ACCOMMODATIONS: dict[str, float | None] = {"standard": 1.0, "x1.5": 1.5, "x2": 2.0, "untimed": None}
RANKED_MODES = ("standard", "extended")
# review_status values (see Attempt.review_status and quizapp.moderation).
FLAGGED, CLEARED, VOIDED = "flagged", "cleared", "voided"


def is_on_boards(attempt: Attempt) -> bool:
    """Ranked, and not held or voided by the pace check: what keep_best has put on the boards."""
    return attempt.mode in RANKED_MODES and attempt.review_status in (None, CLEARED)


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
               Attempt.mode != "practice")
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def start_attempt(session: Session, user: User, quiz: Quiz, clock: Clock, *,
                  rules: Rules = DEFAULT_RULES, seed: int | None = None) -> Attempt:
    """Start a quiz, or return the attempt already running (a second tab, a double click).

    The user's time accommodation decides the mode: standard, extended (limits × 1.5 or
    × 2, ranked on a board of its own) or untimed practice (unranked).
    """
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
    factor = TIME_ACCOMMODATIONS.get(user.time_accommodation, 1.0)
    mode = "practice" if factor is None else ("standard" if factor == 1.0 else "extended")
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
    plan = [row.current_revision_id for row in chosen]
    if mode == "practice":
        return new_attempt(session, user, quiz, plan, seed, mode, 1.0, clock.now()), True
    # Two starts at the same instant (two tabs, the API beside a browser) both found nothing
    # running.  The partial unique index uq_attempt_running_ranked lets only one insert
    # through; the other, refused without an error (ON CONFLICT DO NOTHING, so the caller's
    # transaction goes on), resumes the attempt that won.  On PostgreSQL the loser's insert
    # waits for the winner's commit and then sees its row.
    inserted = session.execute(_start_statement(session.get_bind().dialect.name),
                               _attempt_values(user, quiz, plan, seed, mode, factor or 1.0, clock.now())
                               ).scalar_one_or_none()
    if inserted is None:
        running = find_active_attempt(session, user, quiz)
        assert running is not None, "the unique index refused the start, so an attempt is running"
        return running, False
    attempt = get_attempt(session, inserted)
    assert attempt is not None
    return attempt, True


@lru_cache(maxsize=None)
def _start_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = ("user_id", "quiz_id", "seed", "plan", "mode", "time_factor", "started_dt", "deadline_dt",
               "current_position", "score", "max_score", "correct_count")
    # No conflict target: the only constraint a new row can break is the running-attempt index.
    return (insert(Attempt)
            .values({name: bindparam(name, type_=Attempt.__table__.c[name].type) for name in columns})
            .on_conflict_do_nothing()
            .returning(Attempt.id))


def start_practice(session: Session, user: User, source: Attempt, clock: Clock) -> Attempt:
    """An untimed, unranked run of the questions ``source`` got wrong (their current wording)."""
    missed_question_ids = session.scalars(
        select(QuestionRevision.question_id)
        .join(AttemptAnswer, AttemptAnswer.revision_id == QuestionRevision.id)
        # Only questions the player met: one never reached is no mistake, and practising it
        # would show its answer.
        .where(AttemptAnswer.attempt_id == source.id, AttemptAnswer.is_correct.is_(False),
               AttemptAnswer.served_dt.is_not(None))
        .order_by(AttemptAnswer.position)
    ).all()
    current = dict(session.execute(
        select(Question.id, Question.current_revision_id)
        .where(Question.id.in_(missed_question_ids), Question.is_retired.is_(False))
    ).all())
    plan = [current[qid] for qid in missed_question_ids if qid in current]
    if not plan:
        raise QuizUnavailable("There are no mistakes to practise.")
    return new_attempt(session, user, source.quiz, plan, secrets.randbits(31), "practice", 1.0, clock.now())


def new_attempt(session: Session, user: User, quiz: Quiz, plan: list[int], seed: int, mode: str, factor: float,
                 now: datetime) -> Attempt:
    attempt = Attempt(**_attempt_values(user, quiz, plan, seed, mode, factor, now))
    session.add(attempt)
    session.flush()
    return attempt


def _attempt_values(user: User, quiz: Quiz, plan: list[int], seed: int, mode: str, factor: float,
                    now: datetime) -> dict[str, Any]:
    timed = mode != "practice" and quiz.time_limit_s
    return dict(
        user_id=user.id, quiz_id=quiz.id, seed=seed, plan=plan, mode=mode, time_factor=factor,
        started_dt=now, deadline_dt=now + timedelta(seconds=quiz.time_limit_s * factor) if timed else None,
        current_position=0, score=0, max_score=len(plan) * quiz.points_per_question, correct_count=0,
    )


def close_if_expired(session: Session, attempt: Attempt, clock: Clock, rules: Rules = DEFAULT_RULES) -> bool:
    """Close an attempt whose deadline (plus grace) has passed.  True when it is finished."""
    if attempt.finished_dt is not None:
        return True
    if attempt.deadline_dt is not None and clock.now() > attempt.deadline_dt + rules.grace:
        finish_attempt(session, attempt, attempt.deadline_dt, rules)
        return True
    return False


_ANSWER_ROWS = "quizapp.answer_rows"


@event.listens_for(Session, "after_transaction_end")
def _forget_answer_rows(session: Session, transaction: Any) -> None:
    session.info.pop(_ANSWER_ROWS, None)


def _answer_row(session: Session, attempt: Attempt, position: int) -> AttemptAnswer | None:
    # Remembered for the transaction: a second SELECT would return the very object the
    # identity map already holds (a query never refreshes it), so it could only cost.
    known = session.info.setdefault(_ANSWER_ROWS, {})
    row = known.get((attempt.id, position))
    if row is None or not inspect(row).persistent:  # a rollback undoes an insert: ask again
        row = session.execute(_ANSWER_ROW, {"attempt": attempt.id, "position": position}).scalar_one_or_none()
        if row is not None:
            known[(attempt.id, position)] = row
    return row


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
    if not limit or row.served_dt is None or attempt.mode == "practice":
        return None
    return row.served_dt + timedelta(seconds=limit * attempt.time_factor)


def current_question(session: Session, attempt: Attempt, clock: Clock,
                     rules: Rules = DEFAULT_RULES) -> ServedQuestion | None:
    """The question the player is on (serving it starts its clock), or None when finished."""
    while True:
        if close_if_expired(session, attempt, clock, rules):
            return None
        position = attempt.current_position
        row = _serve_row(session, attempt, position, clock.now())
        question_deadline = _question_deadline(attempt, row)
        if question_deadline is not None and clock.now() > question_deadline + rules.grace and row.answered_dt is None:
            _record(session, attempt, row, None, Grade(0.0, False), 0, question_deadline, rules, timed_out=True)
            continue
        revision = revision_by_id(session, row.revision_id)
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


def parse_response(served: ServedQuestion, data: Any, *, from_json: bool = False) -> Any:
    qtype = get_type(served.revision.type)
    reader = qtype.read_json if from_json else qtype.read_field
    return reader(served.revision.content, served.order, data)


def submit_answer(session: Session, attempt: Attempt, position: int, data: Any, clock: Clock, *,
                  rules: Rules = DEFAULT_RULES, from_json: bool = False) -> AnswerOutcome:
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
    served = current_question(session, attempt, clock, rules)
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
    _record(session, attempt, served.row, response, grade, points, now, rules, timed_out=False)
    return AnswerOutcome(served.row, attempt)


def _points(attempt: Attempt, served: ServedQuestion, grade: Grade, now: datetime) -> int:
    quiz = attempt.quiz
    full = quiz.points_per_question * grade.credit
    if quiz.scoring != "speed" or grade.credit == 0:
        return round(full)
    # Kahoot's rule: answering at once earns all, at the last moment half.
    if attempt.mode == "practice":
        return round(full)
    if quiz.question_time_limit_s:
        allowed = quiz.question_time_limit_s * attempt.time_factor
    elif quiz.time_limit_s:
        allowed = quiz.time_limit_s * attempt.time_factor / len(attempt.plan)
    else:
        return round(full)
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
    if _schedules_each_answer(attempt):
        record_answer(session, attempt, row, at)
    moved = session.execute(_MOVE_ON, {"attempt": attempt.id, "position": row.position,
                                       "next": row.position + 1}).rowcount
    if moved:
        attributes.set_committed_value(attempt, "current_position", row.position + 1)
    else:
        session.refresh(attempt)
    if attempt.current_position >= len(attempt.plan):
        finish_attempt(session, attempt, at if attempt.deadline_dt is None else min(at, attempt.deadline_dt), rules)


def finish_attempt(session: Session, attempt: Attempt, finished_dt: datetime, rules: Rules = DEFAULT_RULES) -> None:
    """Score the attempt and keep the user's best entry on the leaderboard up to date.

    Written as conditional statements, not from the answer rows this session may hold: an
    answer recorded by a concurrent request within grace (after this session read its row)
    must stay recorded and counted, never be overwritten as timed out.  On PostgreSQL each
    statement sees what committed before it; an answer still being written makes it wait."""
    if attempt.finished_dt is not None:
        return
    session.flush()
    of_this_attempt = _answers.c.attempt_id == attempt.id
    # Questions never served get a row, so the review can list them as not reached.  Every
    # position before current_position has its row already (the attempt moves on only once
    # a row is recorded), and a row a concurrent request has just served is left alone
    # (DO NOTHING).  An attempt finished by its last answer has nothing to add.
    unserved = [{"attempt": attempt.id, "position": position, "revision": attempt.plan[position]}
                for position in range(attempt.current_position, len(attempt.plan))]
    if unserved:
        session.execute(_unserved_statement(session.get_bind().dialect.name), unserved)
    session.execute(update(_answers)
                    .where(of_this_attempt, _answers.c.answered_dt.is_(None), _answers.c.timed_out.is_(False))
                    .values(timed_out=True))
    duration_ms = max(0, int((finished_dt - attempt.started_dt).total_seconds() * 1000))
    claimed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.finished_dt.is_(None))
        .values(finished_dt=finished_dt, duration_ms=duration_ms,
                # The score is what the rows say now, after every concurrent answer landed.
                score=select(func.coalesce(func.sum(_answers.c.points), 0))
                .where(of_this_attempt).scalar_subquery(),
                correct_count=select(func.count()).select_from(_answers)
                .where(of_this_attempt, _answers.c.is_correct.is_(True)).scalar_subquery())
        .execution_options(synchronize_session=False)
    ).rowcount
    for row in list(session.identity_map.values()):
        if isinstance(row, AttemptAnswer) and row.attempt_id == attempt.id:
            session.expire(row)  # the statements above changed what these objects say
    session.flush()
    session.refresh(attempt)
    if claimed and not _schedules_each_answer(attempt):
        for row in _answer_rows(session, attempt):
            if row.answered_dt is not None:
                record_answer(session, attempt, row, row.answered_dt)
    if claimed and attempt.mode in RANKED_MODES:
        if rules.pace is not None and _held_as_too_fast(session, attempt, _answer_rows(session, attempt), rules.pace):
            return  # off every board until an admin clears it (quizapp.moderation)
        keep_best(session, attempt, rules.zone)
        attempt.rank_at_finish = attempt_rank(session, attempt.quiz_id, attempt.user_id, attempt.score,
                                              attempt.duration_ms, attempt.finished_dt, attempt.id, attempt.mode)
        session.flush()


def _schedules_each_answer(attempt: Attempt) -> bool:
    """Every recorded answer, in any mode, moves the review schedule.  A quiz with feedback at
    the end moves it only once the attempt is over (finish_attempt), or /review would tell
    right from wrong mid-attempt: a wrong answer's card comes back at once, a right one's in
    days.  Practice runs tell right or wrong anyway, and may be left open for good."""
    return attempt.quiz.feedback == "immediate" or attempt.mode == "practice"


def _answer_rows(session: Session, attempt: Attempt) -> list[AttemptAnswer]:
    """The attempt's answer rows as the database has them now (finish_attempt wrote them by
    statement, so what this session held is stale)."""
    return list(session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)))


def _held_as_too_fast(session: Session, attempt: Attempt, rows: Iterable[AttemptAnswer], pace: PaceRules) -> bool:
    """Flag the just-finished attempt if an answer (or the whole attempt) came in under the
    human floor; the report of every answer's time against its floor is kept with it."""
    answers = []
    for row in rows:
        revision = revision_by_id(session, row.revision_id)
        assert revision is not None
        answers.append(TimedAnswer(row.position, revision.type, revision.content, row.served_dt,
                                   None if row.timed_out else row.answered_dt))
    report = pace_report(answers, attempt.duration_ms or 0, pace)
    if not report["too_fast"]:
        return False
    attempt.review_status = FLAGGED
    attempt.pace_report = report
    session.flush()
    return True


@lru_cache(maxsize=None)
def _unserved_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(AttemptAnswer)
            .values(attempt_id=bindparam("attempt"), position=bindparam("position"),
                    revision_id=bindparam("revision"), served_dt=None, timed_out=True, is_correct=False,
                    credit=0.0, points=0)
            .on_conflict_do_nothing(index_elements=[AttemptAnswer.attempt_id, AttemptAnswer.position]))


def keep_best(session: Session, attempt: Attempt, zone: ZoneInfo) -> None:
    """Record a finished ranked attempt on its board for every period, where it beats the
    user's entry; then refresh the user's overall sums and the boards' bucket counts
    (``LeaderboardCount``).  The only writer of the three tables."""
    assert attempt.finished_dt is not None and attempt.duration_ms is not None
    lock_user_boards(session, attempt.user_id)
    new_key = rank_key(attempt.score, attempt.duration_ms, attempt.finished_dt, attempt.id)
    counts: Counter[tuple] = Counter()
    for period in PERIODS:
        start = period_start(period, attempt.finished_dt, zone)
        board = (attempt.quiz_id, attempt.mode, period, start)
        entry = session.get(LeaderboardEntry, (attempt.quiz_id, attempt.mode, period, start, attempt.user_id),
                            populate_existing=True)
        if entry is None:
            session.add(LeaderboardEntry(quiz_id=attempt.quiz_id, board=attempt.mode, period=period,
                                         period_start=start, user_id=attempt.user_id, attempt_id=attempt.id,
                                         score=attempt.score, duration_ms=attempt.duration_ms,
                                         finished_dt=attempt.finished_dt))
        elif new_key < rank_key(entry.score, entry.duration_ms, entry.finished_dt, entry.attempt_id):
            _count(counts, board, entry.score, entry.duration_ms, -1)
            entry.attempt_id = attempt.id
            entry.score = attempt.score
            entry.duration_ms = attempt.duration_ms
            entry.finished_dt = attempt.finished_dt
        else:
            continue
        _count(counts, board, attempt.score, attempt.duration_ms, +1)
        session.flush()
        _refresh_overall(session, counts, attempt.user_id, attempt.mode, period, start)
    _write_counts(session, counts)


def lock_user_boards(session: Session, user_id: int) -> None:
    """Serialize, per user, everything that writes that user's board rows.

    ``keep_best`` reads the user's entries, then inserts or replaces them, and sums them
    into the overall row.  Two finishes of one user at once (two quizzes in two tabs) would
    otherwise both see "no overall row yet" and both insert it (a duplicate key, a 500, the
    last answer rolled back), or both sum from the same stale entries (a lost update, and
    bucket counts that drift).  On PostgreSQL this takes the user's row lock
    (``FOR NO KEY UPDATE``: it still lets other transactions insert rows that refer to the
    user, so it cannot deadlock with their foreign-key checks); under READ COMMITTED every
    statement after it sees what the previous holder committed.  SQLite renders no lock:
    its writers are serialized already, and this transaction has written by now."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def _refresh_overall(session: Session, counts: Counter[tuple], user_id: int, board: str, period: str,
                     start: datetime) -> None:
    # Recomputed from the user's (at most one per quiz) entries rather than adjusted by a
    # delta, so it always equals what a rebuild from scratch would give.
    totals = session.execute(
        select(func.sum(LeaderboardEntry.score), func.sum(LeaderboardEntry.duration_ms),
               func.max(LeaderboardEntry.finished_dt), func.count())
        .where(LeaderboardEntry.user_id == user_id, LeaderboardEntry.board == board,
               LeaderboardEntry.period == period, LeaderboardEntry.period_start == start)
    ).one()
    overall = session.get(OverallEntry, (board, period, start, user_id), populate_existing=True)
    overall_board = (OVERALL_QUIZ_ID, board, period, start)
    if overall is None:
        overall = OverallEntry(board=board, period=period, period_start=start, user_id=user_id)
        session.add(overall)
    else:
        _count(counts, overall_board, overall.score, overall.duration_ms, -1)
    overall.score, overall.duration_ms = int(totals[0]), int(totals[1])
    overall.finished_dt = totals[2]
    overall.quiz_count = int(totals[3])
    _count(counts, overall_board, overall.score, overall.duration_ms, +1)
    session.flush()


def _count(counts: Counter[tuple], board: tuple, score: int, duration_ms: int, change: int) -> None:
    """Note that a row with these keys joins (+1) or leaves (-1) the board's buckets."""
    for bucket in count_buckets(score, duration_ms):
        counts[board + bucket] += change


_COUNT_KEY = ("quiz_id", "board", "period", "period_start", "level", "score_from", "duration_from_ms")


@lru_cache(maxsize=None)
def _count_statements(dialect: str):
    table = LeaderboardCount.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(table)
    upsert = upsert.on_conflict_do_update(index_elements=[table.c[name] for name in _COUNT_KEY],
                                          set_={"n": table.c.n + upsert.excluded.n})
    emptied = delete(table).where(and_(*(table.c[name] == bindparam(f"k_{name}") for name in _COUNT_KEY)),
                                  table.c.n == 0)
    return upsert, emptied


def _write_counts(session: Session, counts: Counter[tuple]) -> None:
    """Add the changes to ``LeaderboardCount`` (an upsert per bucket, so a new bucket needs no
    reading first), then delete the buckets that emptied.  Changes that cancel out (a better
    attempt in the same bucket) are not written.  Buckets go in key order: two transactions
    then lock shared rows in the same order and cannot deadlock on them (PostgreSQL)."""
    changes = sorted((key, change) for key, change in counts.items() if change)
    if not changes:
        return
    upsert, emptied = _count_statements(session.get_bind().dialect.name)
    session.execute(upsert, [{**dict(zip(_COUNT_KEY, key)), "n": change} for key, change in changes])
    shrunk = [{f"k_{name}": value for name, value in zip(_COUNT_KEY, key)} for key, change in changes if change < 0]
    if shrunk:
        session.execute(emptied, shrunk)


def close_overdue_attempts(session: Session, clock: Clock, rules: Rules = DEFAULT_RULES) -> int:
    """Close every attempt whose deadline has passed; for a periodic command."""
    overdue = session.scalars(
        select(Attempt).where(Attempt.finished_dt.is_(None), Attempt.deadline_dt.is_not(None),
                              Attempt.deadline_dt < clock.now() - rules.grace)
    ).all()
    for attempt in overdue:
        finish_attempt(session, attempt, attempt.deadline_dt, rules)  # type: ignore[arg-type]
    return len(overdue)


def not_reached(row: AttemptAnswer) -> bool:
    """A question the attempt ended before serving: the player never saw it, so a review
    shows neither its text nor its answer (a fixed draw would otherwise leak its key)."""
    return row.served_dt is None


def shows_feedback_now(attempt: Attempt) -> bool:
    """Whether right or wrong may be told now: after each answer with immediate feedback,
    otherwise only once the attempt is over."""
    return attempt.quiz.feedback == "immediate" or attempt.is_finished


def review(session: Session, attempt: Attempt) -> list[tuple[AttemptAnswer, QuestionRevision]]:
    rows = session.execute(
        select(AttemptAnswer, QuestionRevision)
        .join(QuestionRevision, QuestionRevision.id == AttemptAnswer.revision_id)
        .where(AttemptAnswer.attempt_id == attempt.id)
        .order_by(AttemptAnswer.position)
    ).all()
    return [(row[0], row[1]) for row in rows]


__all__ = ["AnswerOutcome", "AttemptClosed", "AttemptError", "CLEARED", "DEFAULT_RULES", "FLAGGED",
           "InvalidResponse", "NotCurrentQuestion", "QuizUnavailable", "Rules", "ServedQuestion",
           "TIME_ACCOMMODATIONS", "VOIDED", "close_if_expired", "close_overdue_attempts",
           "current_question", "finish_attempt", "is_on_boards", "keep_best", "lock_user_boards",
           "not_reached", "option_order", "review", "shows_feedback_now", "start_attempt",
           "start_or_resume", "start_practice", "submit_answer"]
