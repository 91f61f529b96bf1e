"""The admin's users page: only admins see it; hiding a player takes them off every board."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, LeaderboardEntry, OverallEntry, User
from quizapp.users import create_user

from helpers import finish, login, make_app

EN = {"Accept-Language": "en"}


@pytest.fixture
def people(app, bank, clock):
    """dana 800, erlan 700, farida 600 on all-types; an admin; and a player who never played."""
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        for name, wrong in (("dana", set()), ("erlan", {0}), ("farida", {0, 1})):
            finish(db.session, clock, create_user(db.session, name, "correct horse", clock.now()), wrong=wrong)
        create_user(db.session, "idle", "correct horse", clock.now())
        db.session.commit()


def ranks(client, path="/leaderboard/all-types") -> list[tuple[int, str]]:
    html = client.get(path, headers=EN).get_data(as_text=True)
    return [(int(rank), name) for rank, name in re.findall(r"<td>(\d+)</td>\s*<td>(?:<a [^>]*>)?([a-z]+)", html)]


def user_id(app, name) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == name))


def test_everyone_but_admins_gets_404(client, app, people):
    dana = user_id(app, "dana")
    for method, path in (("get", "/admin/users"), ("post", f"/admin/users/{dana}/hide"),
                         ("post", f"/admin/users/{dana}/unhide"), ("get", "/admin/users/nothing")):
        assert getattr(client, method)(path).status_code == 404  # not signed in: not even a login redirect
    login(client, "erlan")
    for method, path in (("get", "/admin/users"), ("post", f"/admin/users/{dana}/hide")):
        assert getattr(client, method)(path).status_code == 404
    assert "/admin/" not in client.get("/", headers=EN).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, dana).is_hidden is False


def test_the_list_searches_and_pages(client, app, people, clock):
    login(client, "boss")
    html = client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert "5 users." in html
    assert [n for n in re.findall(r'<th scope="row"><a href="/users/(\w+)">', html)] == [
        "boss", "dana", "erlan", "farida", "idle"]
    assert re.search(r'<a href="/admin/users" aria-current="page">Admin</a>', html)
    found = client.get("/admin/users?q=RL", headers=EN).get_data(as_text=True)
    assert re.findall(r'<th scope="row"><a href="/users/(\w+)">', found) == ["erlan"]
    assert "1 users match “RL”." in found or "1 users match &#8220;RL&#8221;." in found
    # LIKE wildcards are searched for literally.
    assert "0 users match" in client.get("/admin/users?q=%25", headers=EN).get_data(as_text=True)
    with app.app_context():
        for number in range(60):
            create_user(db.session, f"extra{number:02d}", "correct horse", clock.now())
        db.session.commit()
    first = client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('<th scope="row">') == 50
    second = client.get("/admin/users?page=2", headers=EN).get_data(as_text=True)
    assert second.count('<th scope="row">') == 15
    assert client.get("/admin/users?page=abc").status_code == 200


def test_hiding_takes_a_player_off_the_boards_and_unhiding_restores(client, app, people):
    login(client, "boss")
    assert ranks(client) == [(1, "dana"), (2, "erlan"), (3, "farida")]
    assert ranks(client, "/leaderboard/") == [(1, "dana"), (2, "erlan"), (3, "farida")]
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(LeaderboardEntry))
    dana = user_id(app, "dana")

    response = client.post(f"/admin/users/{dana}/hide", data={"next": "/admin/users?q=a"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users?q=a"
    page = client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert "dana is hidden from the leaderboards. Nothing was deleted." in page
    assert re.search(rf'action="/admin/users/{dana}/unhide"', page)
    # Off every board, and everyone below moves up.
    assert ranks(client) == [(1, "erlan"), (2, "farida")]
    assert ranks(client, "/leaderboard/?period=week") == [(1, "erlan"), (2, "farida")]
    assert ranks(client, "/leaderboard/all-types?period=day") == [(1, "erlan"), (2, "farida")]
    with app.app_context():  # nothing deleted
        assert db.session.scalar(select(func.count()).select_from(LeaderboardEntry)) == stored
        assert db.session.scalar(
            select(func.count()).select_from(OverallEntry).where(OverallEntry.user_id == dana)) == 3
        assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id == dana)) == 1

    client.post(f"/admin/users/{dana}/unhide", headers=EN)
    assert "dana is shown on the leaderboards again." in client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert ranks(client) == [(1, "dana"), (2, "erlan"), (3, "farida")]
    assert ranks(client, "/leaderboard/") == [(1, "dana"), (2, "erlan"), (3, "farida")]


def test_a_hidden_player_sees_no_rank_of_their_own(client, app, people):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "dana")).is_hidden = True
        db.session.commit()
    login(client, "dana")
    html = client.get("/leaderboard/all-types", headers=EN).get_data(as_text=True)
    assert "Your rank" not in html and 'class="mine"' not in html


def test_outside_redirects_and_unknown_users(client, app, people):
    login(client, "boss")
    erlan = user_id(app, "erlan")
    response = client.post(f"/admin/users/{erlan}/hide", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/admin/users"
    assert client.post("/admin/users/999999/hide").status_code == 404
    assert client.post(f"/admin/users/{2**40}/hide").status_code == 404


def test_hiding_needs_a_csrf_token(database_url, tmp_path, bank, app, clock):
    strict = make_app(database_url, tmp_path / "csrf-instance", WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    with strict.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        target = create_user(db.session, "target", "correct horse", clock.now())
        db.session.commit()
        target_id = target.id
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "boss", "password": "correct horse", "csrf_token": token})
    assert client.post(f"/admin/users/{target_id}/hide").status_code == 400
    listing = client.get("/admin/users").get_data(as_text=True)
    form_token = re.search(rf'action="/admin/users/{target_id}/hide"[^>]*>\s*<input type="hidden" name="csrf_token" '
                           r'value="([^"]+)"', listing).group(1)
    assert client.post(f"/admin/users/{target_id}/hide", data={"csrf_token": form_token}).status_code == 302
    with strict.app_context():
        assert db.session.get(User, target_id).is_hidden is True
        db.engine.dispose()
