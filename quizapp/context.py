"""What the request's services are given (the clock, the rules) and how its transaction ends.

Views pass ``current_clock()`` and ``rules()`` to the Flask-free domain services, which never
read the app themselves; tests swap the clock for a ``FrozenClock``.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from quizapp.modes import Rules
from quizapp.clock import Clock, SystemClock
from quizapp.extensions import db
from quizapp.pace import PaceRules

_CLOCK = "quizapp.clock"
_WROTE = "quizapp.wrote"


def current_clock() -> Clock:
    return current_app.extensions[_CLOCK]


def rules() -> Rules:
    """Timing and leaderboard rules from the configuration, for the domain services."""
    config = current_app.config
    pace = PaceRules(read_ms_per_char=config["MIN_READ_MS_PER_CHAR"], answer_ms=config["MIN_ANSWER_MS"],
                     choice_ms=config["MIN_CHOICE_MS"], typed_ms=config["MIN_TYPED_MS"]) if config["PACE_CHECK"] else None
    return Rules(grace=timedelta(seconds=config["ANSWER_GRACE_SECONDS"]), zone=ZoneInfo(config["LEADERBOARD_TIMEZONE"]),
                 pace=pace)


# Whether the open transaction has written anything: a flush, or an INSERT/UPDATE/DELETE sent
# through the session.  These listen to the sessions of ``db`` only (Flask-SQLAlchemy's class).
@event.listens_for(db.session, "after_flush")
def _flushed(session: Session, flush_context: object) -> None:
    session.info[_WROTE] = True


@event.listens_for(db.session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def commit_clean_transaction(exception: BaseException | None) -> None:
    """End a request whose transaction only read with COMMIT rather than the ROLLBACK that
    removing the session would send.  To the data they are the same; but psycopg forgets the
    statements it has prepared at a ROLLBACK, and keeping them roughly halves the time of the
    leaderboard reads on PostgreSQL (docs/performance.md).  A transaction that wrote, or a
    request that failed, is left to that ROLLBACK: what a view did not commit is never kept."""
    if exception is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except DBAPIError:  # the connection went away after the response was made: nothing to keep
        session.rollback()


def init_app(app: Flask) -> None:
    # The one clock every timed service asks; tests swap in a FrozenClock.
    app.extensions[_CLOCK] = SystemClock()
    app.teardown_request(commit_clean_transaction)
