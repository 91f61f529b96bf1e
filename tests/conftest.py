"""Shared fixtures.  The database is SQLite in a temporary folder, or the server named
by QUIZAPP_TEST_DATABASE_URL (CI points it at PostgreSQL).  The schema is built once
per run by the real migrations; each test starts from empty tables."""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import text, update

from quizapp import create_app
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.clock import FrozenClock
from quizapp.extensions import db
from quizapp.models import Base, BoardsVersion, Question

from helpers import TEST_BANK, _made_apps, make_app

HERE = Path(__file__).parent


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("QUIZAPP_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory)
    app = create_app({"TESTING": True, "SECRET_KEY": "schema", "SQLALCHEMY_DATABASE_URI": url},
                     instance_path=str(tmp_path_factory.mktemp("schema-instance")))
    with app.app_context():
        _drop_everything()
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


def _drop_everything() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {tables}, alembic_version CASCADE"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for table in [*Base.metadata.sorted_tables, "alembic_version"]:
                connection.execute(text(f'DROP TABLE IF EXISTS "{getattr(table, "name", table)}"'))


def empty_tables() -> None:
    db.session.execute(update(Question).values(current_revision_id=None))
    # The boards' version is bookkeeping, like alembic_version: its one row stays (these deletes raise it).
    for table in reversed(Base.metadata.sorted_tables):
        if table.name != BoardsVersion.__tablename__:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _dispose_made_apps():
    """Close the connection pools of every app a test made, so no connection is left for
    the garbage collector (psycopg warns about that, and warnings are errors here)."""
    yield
    while _made_apps:
        made = _made_apps.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        empty_tables()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def clock(app) -> FrozenClock:
    return app.extensions["quizapp.clock"]


@pytest.fixture
def session(app):
    """A SQLAlchemy session for service tests (no request involved)."""
    with app.app_context():
        yield db.session


@pytest.fixture
def bank(app, clock):
    loaded = load_bank([TEST_BANK])
    assert loaded.ok, loaded.problems
    with app.app_context():
        import_bank(db.session, loaded, clock.now())
        db.session.commit()
    return loaded


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replaces pytest-flask's fixture of this name, which keeps one request context
    pushed for the whole test.  Requests made by the test client then shared one app
    context, and with it the locale Flask-Babel caches and the database session; each
    request must get its own, as in production."""
    yield


# --- the browser: Debian's Chromium driven by Playwright (see ../shared/TESTING.md) ---

CHROMIUM = os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = HERE.parent / "screenshots"


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-base-url's fixture, written in a form pytest 9 deprecates; our
    browser tests take the address from ``live_server``."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_FLAGS]}


@pytest.fixture
def live_server(database_url, tmp_path):
    """The app on a free port, served from a thread, with CSRF on.  Its clock is a
    FrozenClock set to the real time, so a test moves the server's time by hand (and the
    browser's with Playwright's ``page.clock``)."""
    import threading

    from werkzeug.serving import make_server

    from quizapp.clock import SystemClock

    app = make_app(database_url, tmp_path / "live-instance", WTF_CSRF_ENABLED=True)
    app.extensions["quizapp.clock"] = FrozenClock(SystemClock().now())
    with app.app_context():
        empty_tables()
        import_bank(db.session, load_bank([TEST_BANK]), SystemClock().now())
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.app = app
    yield server
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def shot():
    """Save a screenshot to look at (screenshots/ is git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


def pytest_terminal_summary(terminalreporter):
    """The audit's counts, printed at the end of every run that visited pages."""
    from audit import LOG
    if not LOG.pages:
        return
    terminalreporter.section("page audit")
    terminalreporter.write_line(f"pages visited: {len(LOG.pages)}")
    by_language = Counter(match.group(1) for name in LOG.pages
                          if (match := re.search(r"-([a-z]{2})-(?:desktop|phone)$", name)))
    terminalreporter.write_line("pages per language: " + ", ".join(f"{lang} {count}" for lang, count in sorted(by_language.items())))
    terminalreporter.write_line(f"axe violations: {len(LOG.axe_violations)}")
    terminalreporter.write_line(f"pages wider than the viewport: {len(LOG.wider_than_viewport)}"
                                + (f" ({', '.join(LOG.wider_than_viewport)})" if LOG.wider_than_viewport else ""))
    terminalreporter.write_line(f"vnu errors: {'not run' if LOG.vnu_errors is None else LOG.vnu_errors}")
    terminalreporter.write_line(f"largest question page: {LOG.largest_question_page / 1024:.1f} KB")
    terminalreporter.write_line(f"requests outside the app: {len(LOG.outside_requests)}")


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 667}}


@pytest.fixture(params=list(VIEWPORTS))
def both_sizes(request, browser_context_args):
    """Journey modules use this as their ``browser_context_args``: each journey runs at a
    desktop size and a phone size."""
    return {**browser_context_args, "viewport": VIEWPORTS[request.param]}
