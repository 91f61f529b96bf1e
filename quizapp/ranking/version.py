"""The boards' version: one number in the database (``BoardsVersion``) that grows with every
committed write to what a leaderboard page shows, so an app server may keep rendered board
pages per version (``leaderboard/views.py``) and never show one older than the last commit.

Where the number lives, and who raises it, is the whole point:

- In the database, read by every board request (one primary-key read instead of the board's
  count, its page of rows and the viewer's row): each gunicorn worker, on each machine, keeps
  its own pages, and a finish on any of them must be seen by all.
- Raised by the connection, not by the code that writes: ``watch`` notes every INSERT, UPDATE
  or DELETE sent to a watched table, whatever sent it (a finish, a hold, a clearance or a void,
  a rebuild, a rename, a player hiding or sharing their profile, the seeding CLI), and raises
  the number in the same transaction just before it commits.  No writer has to remember a
  cache (the invalidation over many call sites that STYLE.md warns of), and a rolled-back
  write raises nothing.
- Last in the transaction: the row is locked only for the commit itself, so finishes do not
  queue behind each other for longer than that, and no lock is ever taken after it (no
  deadlock through it).

A reader reads the version first, then the board (``stamp``): a page kept under a version can
only be as new as that version or newer, never older.  Writes made outside the app (by hand
in psql) raise nothing: ``flask leaderboard rebuild`` afterwards raises it.  No Flask.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine

from quizapp.models import BoardsVersion

# What a board page reads: its rows and counts, and the players' names, hidden flags and
# profile choices (``user``).  The quiz's own row is read for every request anyway.
WATCHED_TABLES = ("leaderboard_entry", "overall_entry", "leaderboard_count", "user")

# A write to one of them, as SQLAlchemy renders it (PostgreSQL quotes "user"), a CTE before it
# included.  Matching more than needed only costs a needless new version; matching less would
# keep a stale page, so tests write each way a board can change (tests/test_board_versions.py).
_WRITE = re.compile(r'\s*(?:WITH\b.*?)?\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(?:%s)"?(?:[\s(]|$)'
                    % "|".join(WATCHED_TABLES), re.IGNORECASE | re.DOTALL)
_READ_PREFIX = "SELECT"
_SCHEMA_CHANGES = ("DROP ", "ALTER", "CREAT")

_WRITTEN = "quizapp.boards_written"  # in the DBAPI connection's info: this transaction wrote a watched table
_PRESENT = "quizapp.boards_version_present"  # the table exists (migrations before 0017 run without it)
_BUMP = "UPDATE boards_version SET version = version + 1 WHERE id = 1"
_STAMP = select(BoardsVersion.generation, BoardsVersion.version).where(BoardsVersion.id == 1)


def is_board_write(statement: str) -> bool:
    """Whether SQL ``statement`` writes a table a board shows."""
    return not statement.lstrip()[:6].upper() == _READ_PREFIX and _WRITE.match(statement) is not None


def _noted(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    # Runs before every statement: a read (the most of them, as SQLAlchemy writes them: no
    # leading space) is told apart first, by its first word alone.
    if statement.startswith(_READ_PREFIX):
        return
    if is_board_write(statement):
        conn.info[_WRITTEN] = True
    elif statement.lstrip()[:5].upper() in _SCHEMA_CHANGES:
        conn.info.pop(_PRESENT, None)  # a migration may have dropped the table: look again before raising


def _raise_before_commit(conn: Connection) -> None:
    if not conn.info.pop(_WRITTEN, False):
        return
    if not conn.info.get(_PRESENT):
        if not conn.dialect.has_table(conn, BoardsVersion.__tablename__):
            return  # a migration older than 0017 is running: there is nothing to raise yet
        conn.info[_PRESENT] = True
    # On the DBAPI cursor, in the transaction being committed: no statement events, nothing
    # compiled, and the row lock lasts only as long as the COMMIT that follows.
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_BUMP)
    finally:
        cursor.close()


def _forget(conn: Connection) -> None:
    conn.info.pop(_WRITTEN, None)


def _forget_on_reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
    # A connection returned to the pool without COMMIT is rolled back by the pool itself.
    connection_record.info.pop(_WRITTEN, None)


def watch(engine: Engine) -> None:
    """Raise the boards' version in every transaction on ``engine`` that writes what a board shows."""
    event.listen(engine, "before_cursor_execute", _noted)
    event.listen(engine, "commit", _raise_before_commit)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "reset", _forget_on_reset)


def stamp(connection: Connection) -> tuple[str, int] | None:
    """The boards' (generation, version) as this transaction sees them; read it before the
    board.  None when nothing may be kept: this transaction has written to a board and not yet
    committed (what it reads is not everyone's yet), or the row is missing."""
    if connection.info.get(_WRITTEN):
        return None
    row = connection.execute(_STAMP).first()
    return None if row is None else (row[0], row[1])


__all__ = ["WATCHED_TABLES", "is_board_write", "stamp", "watch"]
