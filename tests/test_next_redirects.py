"""A control character in ``next=`` (a newline above all) is refused like any unsafe target:
the route falls back to its own page instead of answering 500 (issue 14, item 8; review #10)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.security import is_safe_redirect

# What a crafted link's "/%0A" arrives as, and its relatives: every C0 and C1 control character.
from quizapp.users import create_user
BAD_TARGETS = ["/\n", "/\r\nSet-Cookie: x=1", "/\t/evil.example", "/\x00", "/\x7f", "/\x85", "/ok\rthen"]


@pytest.fixture
def client(app):
    return app.test_client()  # one browser per test; see test_sessions.client


@pytest.fixture
def people(app, bank, clock):
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        create_user(db.session, "aigerim", "correct horse", clock.now())
        db.session.commit()
        return db.session.scalar(select(User.id).where(User.username == "aigerim"))


def location(response) -> str:
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_is_safe_redirect_refuses_control_characters(target):
    assert not is_safe_redirect(target)
    assert is_safe_redirect("/%0A")  # percent-encoded, it is an ordinary (and harmless) path


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_login_falls_back_home(client, people, target):
    # The target arrives in the query (a crafted link), and the login form carries it on.
    assert client.get("/login", query_string={"next": target}).status_code == 200
    response = client.post("/login", query_string={"next": target},
                           data={"username": "aigerim", "password": "correct horse", "next": target})
    assert location(response) == "/"


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_register_falls_back_home(client, people, target):
    response = client.post("/register", data={"username": "newcomer", "password": "correct horse",
                                              "confirm": "correct horse", "next": target})
    assert location(response) == "/"


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_language_switch_falls_back_home(client, people, target):
    assert location(client.post("/language", data={"lang": "en", "next": target})) == "/"


@pytest.mark.parametrize("action", ["hide", "unhide"])
@pytest.mark.parametrize("target", BAD_TARGETS)
def test_admin_hide_and_unhide_fall_back_to_the_users_page(client, people, target, action):
    assert client.post("/login", data={"username": "boss", "password": "correct horse"}).status_code == 302
    response = client.post(f"/admin/users/{people}/{action}", data={"next": target})
    assert location(response) == "/admin/users"


def test_a_safe_target_is_still_followed(client, people):
    response = client.post("/login", data={"username": "aigerim", "password": "correct horse",
                                           "next": "/leaderboard/quick?period=week"})
    assert location(response) == "/leaderboard/quick?period=week"
