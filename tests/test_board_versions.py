"""Board pages kept per version of the boards (quizapp/ranking/version.py): a page is read from
the database once per version, and every committed change to what a board shows, through any
code and on any server, is seen at the next request."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, update

from quizapp import moderation
from quizapp.context import rules
from quizapp.extensions import db
from quizapp.models import Attempt, BoardsVersion, User
from quizapp.ranking import version
from quizapp.users import create_user

from helpers import finish, login, make_app

EN = {"Accept-Language": "en"}
BOARDS = ("/leaderboard/all-types", "/leaderboard/", "/leaderboard/all-types?period=week")


@pytest.fixture
def players(app, bank, clock):
    """dana 800, erlan 700 on all-types; farida has not played yet; a viewer who never plays."""
    with app.app_context():
        for name, wrong in (("dana", set()), ("erlan", {0})):
            finish(db.session, clock, create_user(db.session, name, "correct horse", clock.now()), wrong=wrong)
        create_user(db.session, "farida", "correct horse", clock.now())
        create_user(db.session, "viewer", "correct horse", clock.now())
        db.session.commit()


def ranks(client, path="/leaderboard/all-types") -> list[tuple[int, str]]:
    html = client.get(path, headers=EN).get_data(as_text=True)
    return [(int(rank), name) for rank, name in re.findall(r"<td>(\d+)</td>\s*<td>(?:<a [^>]*>)?([a-z]+)", html)]


def boards(client) -> list[list[tuple[int, str]]]:
    return [ranks(client, path) for path in BOARDS]


def current_stamp(app) -> tuple[str, int]:
    with app.app_context():
        found = version.stamp(db.session.connection())
        db.session.rollback()
    assert found is not None
    return found


def statements_of(app, client, path: str) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(path, headers=EN).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_a_board_seen_again_is_not_read_again_until_something_on_it_changes(app, client, players, clock):
    login(client, "viewer")
    client.get("/", headers=EN)  # the welcome message shown (a page with a message is never kept)
    assert ranks(client) == [(1, "dana"), (2, "erlan")]
    again = statements_of(app, client, "/leaderboard/all-types")
    assert not [s for s in again if "leaderboard_entry" in s or "leaderboard_count" in s], again
    with app.app_context():
        farida = db.session.scalar(select(User).where(User.username == "farida"))
        finish(db.session, clock, farida, wrong={0, 1})
        db.session.commit()
    changed = statements_of(app, client, "/leaderboard/all-types")
    assert any("leaderboard_entry" in s for s in changed)
    assert ranks(client) == [(1, "dana"), (2, "erlan"), (3, "farida")]


def test_every_change_to_what_a_board_shows_is_seen_at_the_next_request(app, client, players, clock):
    login(client, "viewer")
    assert boards(client) == [[(1, "dana"), (2, "erlan")]] * 3
    with app.app_context():  # a finish
        finish(db.session, clock, db.session.scalar(select(User).where(User.username == "farida")))
        db.session.commit()
    assert [names for names in boards(client)] == [[(1, "dana"), (2, "farida"), (3, "erlan")]] * 3
    with app.app_context():  # a player hidden by an admin
        db.session.execute(update(User).where(User.username == "dana").values(is_hidden=True))
        db.session.commit()
    assert boards(client) == [[(1, "farida"), (2, "erlan")]] * 3
    with app.app_context():  # a new name (as a database fix would give it)
        db.session.scalar(select(User).where(User.username == "erlan")).username = "yerlan"
        db.session.commit()
    assert boards(client) == [[(1, "farida"), (2, "yerlan")]] * 3
    with app.app_context():  # sharing a profile: the name becomes a link
        db.session.scalar(select(User).where(User.username == "farida")).shares_profile = True
        db.session.commit()
    assert '<a href="/users/farida"' in client.get("/leaderboard/all-types", headers=EN).get_data(as_text=True)
    # The boards recomputed from the attempts by the command line.
    with app.app_context():
        db.session.execute(update(User).where(User.username == "dana").values(is_hidden=False))
        db.session.commit()
    before = current_stamp(app)
    assert app.test_cli_runner().invoke(args=["leaderboard", "rebuild"]).exit_code == 0
    assert current_stamp(app)[1] > before[1]
    assert boards(client) == [[(1, "dana"), (2, "farida"), (3, "yerlan")]] * 3


def test_a_held_attempt_cleared_by_an_admin_reaches_the_kept_board(app, client, players, clock):
    login(client, "viewer")
    assert ranks(client) == [(1, "dana"), (2, "erlan")]
    with app.app_context():
        farida = db.session.scalar(select(User).where(User.username == "farida"))
        held = finish(db.session, clock, farida).id
        # As the pace check leaves a bot's attempt: finished, flagged, off the boards.
        db.session.execute(update(Attempt).where(Attempt.id == held).values(review_status="flagged"))
        db.session.commit()
        app.test_cli_runner().invoke(args=["leaderboard", "rebuild"])
    assert ranks(client) == [(1, "dana"), (2, "erlan")]
    with app.test_request_context():
        assert moderation.decide(db.session, held, True, None, clock.now(), rules().zone) is not None
        db.session.commit()
    assert ranks(client) == [(1, "dana"), (2, "farida"), (3, "erlan")]


def test_another_server_on_the_same_database_sees_a_finish_made_through_the_first(
        app, client, players, clock, database_url, tmp_path):
    other = make_app(database_url, tmp_path / "other-instance")
    other_client = other.test_client()
    login(other_client, "viewer")
    other_client.get("/", headers=EN)  # the welcome message shown: the board page after it is kept
    assert ranks(other_client) == [(1, "dana"), (2, "erlan")]
    with app.app_context():
        finish(db.session, clock, db.session.scalar(select(User).where(User.username == "farida")))
        db.session.commit()
    assert ranks(other_client) == [(1, "dana"), (2, "farida"), (3, "erlan")]


def test_reads_and_rolled_back_writes_leave_the_version_alone(app, client, players):
    login(client, "viewer")
    before = current_stamp(app)
    for path in BOARDS:
        client.get(path, headers=EN)
    assert current_stamp(app) == before
    with app.app_context():
        db.session.execute(update(User).values(shares_profile=True))
        assert version.stamp(db.session.connection()) is None  # this transaction's reads are not everyone's yet
        db.session.rollback()
    assert current_stamp(app) == before
    with app.app_context():
        db.session.execute(update(Attempt).values(credit_mean=None))  # not on any board
        db.session.commit()
    assert current_stamp(app) == before
    with app.app_context():
        db.session.execute(update(User).values(shares_profile=True))
        db.session.commit()
    assert current_stamp(app) == (before[0], before[1] + 1)


def test_without_the_version_row_a_board_is_read_for_every_request(app, client, players, clock):
    with app.app_context():
        db.session.execute(BoardsVersion.__table__.delete())
        db.session.commit()
    assert ranks(client) == [(1, "dana"), (2, "erlan")]
    with app.app_context():
        finish(db.session, clock, db.session.scalar(select(User).where(User.username == "farida")))
        db.session.commit()
    assert ranks(client) == [(1, "dana"), (2, "farida"), (3, "erlan")]


@pytest.mark.parametrize("statement, writes", [
    ('INSERT INTO leaderboard_entry (quiz_id, board) VALUES (?, ?)', True),
    ("INSERT INTO leaderboard_count (quiz_id, board, n) VALUES (%(q)s, %(b)s, %(n)s) ON CONFLICT DO UPDATE", True),
    ('UPDATE "user" SET username=%(username)s WHERE "user".id = %(id_1)s', True),
    ("UPDATE user SET shares_profile=? WHERE user.id = ?", True),
    ("DELETE FROM overall_entry WHERE overall_entry.user_id = ?", True),
    ("  delete from leaderboard_entry", True),
    ("WITH moved AS (SELECT 1) UPDATE overall_entry SET score = 0", True),
    ("SELECT leaderboard_entry.user_id FROM leaderboard_entry", False),
    ('SELECT "user".id FROM "user" WHERE "user".id = %(id)s FOR KEY SHARE', False),
    ("UPDATE attempt SET credit_mean=? WHERE attempt.id = ?", False),
    ("INSERT INTO user_token (user_id) VALUES (?)", False),
    ("INSERT INTO attempt_answer (attempt_id) VALUES (?)", False),
])
def test_which_statements_write_a_board(statement, writes):
    assert version.is_board_write(statement) is writes
