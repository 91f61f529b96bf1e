"""Ending an attempt: its last answer, its deadline passing, or the periodic close.

Part of taking a quiz (``attempts`` offers these functions too); kept apart so that each
module stays readable.  ``finish_attempt`` scores the attempt from its rows (its points,
right answers and the mean credit item analysis ranks it by), adds rows for the questions it
never reached, moves the review schedule if the quiz held it back
(``learning.schedules_each_answer``), holds a too-fast ranked attempt for review
(``moderation``), and otherwise puts it on the boards (``ranking.maintain``).

Plain Python over a session and a ``Clock``; ``flush()``, never ``commit()``.  No Flask.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from quizapp.clock import Clock
from quizapp.learning import record_answer, schedules_each_answer
from quizapp.models import Attempt, AttemptAnswer
from quizapp.moderation import hold_if_too_fast
from quizapp.modes import DEFAULT_RULES, RANKED_MODES, Mode, Rules
from quizapp.ranking.maintain import record_finish

_answers = AttemptAnswer.__table__


def close_if_expired(session: Session, attempt: Attempt, clock: Clock, rules: Rules = DEFAULT_RULES) -> bool:
    """Close an attempt whose deadline (plus grace) has passed.  True when it is finished."""
    if attempt.finished_dt is not None:
        return True
    if attempt.deadline_dt is not None and clock.now() > attempt.deadline_dt + rules.grace:
        finish_attempt(session, attempt, attempt.deadline_dt, rules)
        return True
    return False


def finish_attempt(session: Session, attempt: Attempt, finished_dt: datetime, rules: Rules = DEFAULT_RULES) -> None:
    """Score the attempt and, when it is ranked, keep the user's best entry on the boards.

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
                .where(of_this_attempt, _answers.c.is_correct.is_(True)).scalar_subquery(),
                credit_mean=credit_mean_of(attempt.id))
        .execution_options(synchronize_session=False)
    ).rowcount
    for row in list(session.identity_map.values()):
        if isinstance(row, AttemptAnswer) and row.attempt_id == attempt.id:
            session.expire(row)  # the statements above changed what these objects say
    session.flush()
    session.refresh(attempt)
    if claimed and not schedules_each_answer(attempt):
        for row in _answer_rows(session, attempt):
            if row.answered_dt is not None:
                record_answer(session, attempt, row, row.answered_dt)
    # An assignment's attempt is on no public board, but it is checked for pace all the same:
    # its teacher's report shows the held ones (quizapp.class_reports).
    if claimed and (attempt.mode in RANKED_MODES or attempt.mode == Mode.ASSIGNMENT):
        if rules.pace is not None and hold_if_too_fast(session, attempt, _answer_rows(session, attempt), rules.pace):
            return  # off every board until an admin clears it (quizapp.moderation)
        if attempt.mode in RANKED_MODES:
            record_finish(session, attempt, rules.zone)


def credit_mean_of(attempt_id):
    """The attempt's total score as item analysis ranks it, from its rows as they stand: the
    mean credit of all its answers (unreached and timed-out ones at 0), None with no row.
    ``finish_attempt`` keeps it in ``attempt.credit_mean``; ``attempt_id`` may be a column,
    for a statement that fills many attempts (``fill_credit_means``)."""
    return select(func.avg(_answers.c.credit)).where(_answers.c.attempt_id == attempt_id).scalar_subquery()


def fill_credit_means(session: Session) -> int:
    """Set ``credit_mean`` on every finished attempt that has answer rows and none yet: for
    whatever writes finished attempts and their rows apart from ``finish_attempt`` (the bench
    seeding).  Migration 0016 did the same for the attempts finished before it."""
    has_rows = select(_answers.c.id).where(_answers.c.attempt_id == Attempt.id).exists()
    return session.execute(
        update(Attempt)
        .where(Attempt.finished_dt.is_not(None), Attempt.credit_mean.is_(None), has_rows)
        .values(credit_mean=credit_mean_of(Attempt.id))
        .execution_options(synchronize_session=False)
    ).rowcount


def _answer_rows(session: Session, attempt: Attempt) -> list[AttemptAnswer]:
    """The attempt's answer rows as the database has them now (finish_attempt wrote them by
    statement, so what this session held is stale)."""
    return list(session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)))


@lru_cache(maxsize=None)
def _unserved_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(AttemptAnswer)
            .values(attempt_id=bindparam("attempt"), position=bindparam("position"),
                    revision_id=bindparam("revision"), served_dt=None, timed_out=True, is_correct=False,
                    credit=0.0, points=0)
            .on_conflict_do_nothing(index_elements=[AttemptAnswer.attempt_id, AttemptAnswer.position]))


def close_overdue_attempts(session: Session, clock: Clock, rules: Rules = DEFAULT_RULES) -> int:
    """Close every attempt whose deadline has passed; for a periodic command."""
    overdue = session.scalars(
        select(Attempt).where(Attempt.finished_dt.is_(None), Attempt.deadline_dt.is_not(None),
                              Attempt.deadline_dt < clock.now() - rules.grace)
    ).all()
    for attempt in overdue:
        finish_attempt(session, attempt, attempt.deadline_dt, rules)  # type: ignore[arg-type]
    return len(overdue)


__all__ = ["close_if_expired", "close_overdue_attempts", "credit_mean_of", "fill_credit_means", "finish_attempt"]
