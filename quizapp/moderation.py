"""Attempts held for review: the ones answered faster than a person can (``quizapp.pace``).

``finish.finish_attempt`` flags them (``hold_if_too_fast``) and leaves them off every board.
An admin then either **clears** one (it enters the boards exactly as ``ranking.maintain``
would have put it when it finished: per-quiz rows, overall sums and bucket counts) or **voids** it
(never ranked; the attempt stays as a record).  Each decision is taken once: a second
click, or two admins at once, finds the attempt no longer flagged and changes nothing.

Plain Python over a session; ``flush()``, never ``commit()``.  No Flask.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from quizapp.models import Attempt, AttemptAnswer, User
from quizapp.modes import CLEARED, FLAGGED, RANKED_MODES, VOIDED
from quizapp.pace import PaceRules, TimedAnswer, pace_report
from quizapp.questions import revisions_values
from quizapp.ranking.maintain import record_finish


def hold_if_too_fast(session: Session, attempt: Attempt, rows: Iterable[AttemptAnswer], pace: PaceRules) -> bool:
    """Flag the just-finished attempt if an answer (or the whole attempt) came in under the
    human floor; the report of every answer's time against its floor is kept with it."""
    rows = list(rows)
    revisions = revisions_values(session, [row.revision_id for row in rows])  # one select for them all
    answers = []
    for row in rows:
        revision = revisions[row.revision_id]
        answers.append(TimedAnswer(row.position, revision.type, revision.content, row.served_dt,
                                   None if row.timed_out else row.answered_dt))
    report = pace_report(answers, attempt.duration_ms or 0, pace)
    if not report["too_fast"]:
        return False
    attempt.review_status = FLAGGED
    attempt.pace_report = report
    session.flush()
    return True


def flagged_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Attempt).where(Attempt.review_status == FLAGGED)) or 0)


def flagged_attempts(session: Session, limit: int, offset: int = 0) -> list[Attempt]:
    """Attempts awaiting review, the oldest first (each with its player and quiz)."""
    return list(session.scalars(
        select(Attempt).options(joinedload(Attempt.user), joinedload(Attempt.quiz))
        .where(Attempt.review_status == FLAGGED)
        .order_by(Attempt.finished_dt, Attempt.id)
        .limit(limit).offset(offset)
    ).unique())


def decide(session: Session, attempt_id: int, clear: bool, admin: User | None, now: datetime,
           zone: ZoneInfo) -> Attempt | None:
    """An admin's decision on a held attempt, from the admin pages and the command line alike:
    ``clear`` puts it on the boards (``record_finish``, as if it had never been held), otherwise
    it is voided (never ranked, kept as a record).  ``admin`` is who decided (None from the
    command line).  None, and nothing changed, when the attempt is not (or no longer) flagged."""
    # A conditional update: only one decision ever applies, whoever clicks first.
    decided = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.review_status == FLAGGED)
        .values(review_status=CLEARED if clear else VOIDED, reviewed_dt=now,
                reviewed_by_id=admin.id if admin is not None else None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not decided:
        return None
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    session.refresh(attempt)
    if clear and attempt.mode in RANKED_MODES:  # an assignment's attempt is on no public board
        record_finish(session, attempt, zone)
    return attempt


__all__ = ["decide", "flagged_attempts", "flagged_count", "hold_if_too_fast"]
