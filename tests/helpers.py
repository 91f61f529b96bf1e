"""Helpers the test modules share: plain functions, imported as ``from helpers import …``, so
that no test module imports another one (or conftest).  The fixtures are in conftest.py."""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from hypothesis import strategies as st
from sqlalchemy import event, select

from quizapp import attempts, create_app, ranking
from quizapp.clock import FrozenClock
from quizapp.extensions import db
from quizapp.models import Attempt, Base, Quiz, User

TEST_BANK = Path(__file__).parent / "data" / "bank"

# Every app make_app made; conftest's autouse fixture closes their pools after each test.
_made_apps: list = []


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table in primary-key order: what "the database is unchanged" compares."""
    with app.app_context():
        rows = {table.name: [tuple(row) for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}
        db.session.rollback()
    return rows


def make_app(database_url: str, instance: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "QUESTIONS_PATH": str(TEST_BANK),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Most tests answer at the frozen clock's instant, faster than the human floor; the
        # pace check's own tests (test_pace.py) turn it on.
        "PACE_CHECK": False,
        # The live games' timer thread: the tests move games with live_socket.timer_beat().
        "LIVE_TIMER": False,
        **overrides,
    }
    app = create_app(config, instance_path=str(instance))
    app.extensions["quizapp.clock"] = FrozenClock()
    _made_apps.append(app)
    return app



def register(client, username="aigerim", password="correct horse"):
    return client.post("/register", data={"username": username, "password": password, "confirm": password})


def login(client, username="aigerim", password="correct horse"):
    return client.post("/login", data={"username": username, "password": password})


def current_attempt(app) -> Attempt:
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        db.session.expunge(attempt)
        return attempt


def post_answer_for_page(client, attempt_id, html, right=True):
    """Answer the question shown in ``html`` the way a person reading it would."""
    app = client.application
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        served = attempts.current_question(db.session, attempt, app.extensions["quizapp.clock"])
        data = form_data(served, right)
        position = served.position
        kind = served.revision.type
    payload = {"position": str(position)}
    if kind in ("ordering", "matching"):
        payload.update({f"answer-{i}": value for i, value in enumerate(data)})
    else:
        payload["answer"] = data
    assert f'name="position" type="hidden" value="{position}"' in html
    return client.post(f"/attempt/{attempt_id}", data=payload)


def form_data(served, right=True):
    """What a browser would post to answer ``served`` rightly (or wrongly)."""
    content, order, kind = served.revision.content, served.order, served.revision.type
    if kind == "single":
        key = content["answer"] if right else next(k for k in content["options"] if k != content["answer"])
        return str(order.index(key))
    if kind == "multiple":
        keys = content["answers"] if right else [k for k in content["options"] if k not in content["answers"]]
        return [str(order.index(k)) for k in keys]
    if kind == "true_false":
        return "true" if content["answer"] == right else "false"
    if kind == "numeric":
        return str(content["answer"] if right else content["answer"] + 10)
    if kind == "year":
        return str(content["answer"] if right else content["answer"] + 10)
    if kind == "text":
        return content["accept"][0] if right else "nowhere"
    if kind == "ordering":
        keys = list(content["items"])
        places = [keys.index(k) + 1 for k in order]
        return [str(p) for p in (places if right else [len(keys) + 1 - p for p in places])]
    if kind == "matching":
        return [str(order.index(str(i if right else (i + 1) % len(order)))) for i in range(len(content["pairs"]))]
    raise AssertionError(kind)


def answer_current(session, attempt, clock, right=True):
    served = attempts.current_question(session, attempt, clock)
    assert served is not None
    return attempts.submit_answer(session, served, form_data(served, right), clock)


def quiz(session, key="all-types") -> Quiz:
    return session.scalar(select(Quiz).where(Quiz.key == key))


def finish(session, clock, user, key="all-types", wrong=(), seconds=5):
    """Play a whole attempt, answering the positions in ``wrong`` wrongly."""
    attempt = attempts.start_attempt(session, user, quiz(session, key), clock)
    for position in range(attempt.question_count):
        clock.advance(seconds)
        served = attempts.current_question(session, attempt, clock)
        attempts.submit_answer(session, served, form_data(served, position not in wrong), clock)
    assert attempt.is_finished
    return attempt


def assert_security_headers(response) -> None:
    """What every response carries; the fuzz tests (test_fuzz_forms, test_fuzz_api) check it on
    every page, error and API answer they get."""
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy, policy
    assert "frame-ancestors 'none'" in policy, policy
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


text_or_bytes = st.one_of(st.text(max_size=300), st.binary(max_size=300), st.just("x" * 5000),
                          st.sampled_from(["\x00", "\ud800".encode("utf-8", "surrogatepass"), "<script>alert(1)</script>",
                                           "' OR 1=1 --", "%00", "../../etc/passwd", "1e999", "-1", "999999999999"]))


@contextmanager
def read_only(app):
    """The database itself refuses every write: SQLite's query_only pragma, or PostgreSQL's
    read-only transactions (what a standby answers after a failover).  Nothing is mocked."""
    with app.app_context():
        engine = db.engine
    statement = ("PRAGMA query_only = ON" if engine.dialect.name == "sqlite"
                 else "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()  # PostgreSQL's SET is transactional

    engine.dispose()
    event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()


def disk_full_error(dialect: str) -> Exception:
    """What each driver raises when the disk is full (SQLITE_FULL; PostgreSQL's SQLSTATE 53100)."""
    if dialect == "sqlite":
        return sqlite3.OperationalError("database or disk is full")
    import psycopg
    return psycopg.errors.DiskFull('could not extend file "base/16384/16402": No space left on device')


@contextmanager
def disk_full(app, where: str):
    """Writes fail as on a full disk: at the request's first write ("first"), at a later write
    once earlier ones went through ("later"), or when its transaction commits ("commit").  The
    driver's own exception is raised at the driver's level, so SQLAlchemy wraps it as it would
    the real one.  (Filling a real disk on a shared machine is not an option.)"""
    with app.app_context():
        engine = db.engine
    error = disk_full_error(engine.dialect.name)
    writes: list[str] = []

    def before_execute(_conn, _cursor, statement, _parameters, _context, _executemany):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", statement, re.IGNORECASE):
            writes.append(statement.split()[2] if statement.split()[0].upper() == "INSERT" else statement.split()[1])
            if where == "first" or (where == "later" and len(writes) > 1):
                raise error

    def do_commit(dbapi_connection):
        if writes:  # a transaction that wrote something cannot be made durable
            raise error
        dbapi_connection.commit()

    event.listen(engine, "before_cursor_execute", before_execute)
    if where == "commit":
        engine.dialect.do_commit = do_commit  # this engine's dialect only
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", before_execute)
        engine.dialect.__dict__.pop("do_commit", None)


def sign_in(client, user_id: int | None) -> None:
    """Be this user (None: nobody) without a login request, so examples stay fast.  The session
    carries the user's current session version: an earlier example may have logged out."""
    session_user_id = None
    if user_id is not None:
        with client.application.app_context():
            session_user_id = db.session.get(User, user_id).get_id()
            db.session.rollback()
    with client.session_transaction() as session:
        session.clear()
        if session_user_id is not None:
            session["_user_id"] = session_user_id
            session["_fresh"] = True


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                     max_size=4),
                          max_leaves=12)


def _expected(session, board):
    """Every row of the board with its rank among the visible players, straight from the rule."""
    entity = board.entity
    rows = session.execute(select(entity, User.is_hidden).join(User, User.id == entity.user_id)
                           .where(*ranking.board_where(board.kind, entity)), board.values()).all()
    tiebreak = (lambda row: row.attempt_id) if board.quiz_id is not None else (lambda row: row.user_id)
    keyed = sorted(rows, key=lambda pair: ranking.rank_key(pair[0].score, pair[0].duration_ms, pair[0].finished_dt,
                                                           tiebreak(pair[0])))
    expected, visible_ahead = {}, 0
    for row, hidden in keyed:
        expected[row.user_id] = visible_ahead + 1
        visible_ahead += not hidden
    return expected, visible_ahead


def check_board(session, board):
    """entry_of, rank_of by keys, attempt_rank, participant_count and both ways of
    window_around agree with the rule for every row of the board."""
    expected, visible = _expected(session, board)
    assert ranking.participant_count(session, board) == visible
    for user_id, rank in expected.items():
        entry = ranking.entry_of(session, board, user_id)
        assert entry.rank == rank, (user_id, entry)
        keys = SimpleNamespace(score=entry.score, duration_ms=entry.duration_ms, finished_dt=entry.finished_dt,
                               attempt_id=entry.attempt_id, user_id=user_id)
        assert ranking.rank_of(session, board, ranking.keys_of(board, keys)) == rank  # counted again from the keys alone
        assert (ranking.window_around(session, board, rank, entry=entry)
                == ranking.window_around(session, board, rank))
    return expected
