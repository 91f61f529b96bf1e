"""Profiles are private by default (issue 14, item 10; security review #15): only the owner (and
the admins) see one, unless the player shares it with signed-in players; a visitor who is not
signed in sees none; a profile the viewer may not see is the same 404 as a name nobody has.
Leaderboards show names and scores, and link a name only to a profile the viewer may see."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.users import create_user, may_see_profile

from helpers import finish, login, snapshot

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}


@pytest.fixture
def players(app, bank, clock):
    """aigerim and dana have played; boss is an admin; visitor has not played."""
    with app.app_context():
        for name in ("aigerim", "dana", "visitor"):
            create_user(db.session, name, "correct horse", clock.now())
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        for name in ("aigerim", "dana"):
            finish(db.session, clock, db.session.scalar(select(User).where(User.username == name)))
        db.session.commit()


def set_shared(app, name: str, shared: bool = True, hidden: bool = False) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        user.shares_profile, user.is_hidden = shared, hidden
        db.session.commit()


def assert_same_as_nobody(client, name: str) -> None:
    """The profile gives what a name nobody has gives: the same status, headers and page, but
    for the address it echoes (the language form's "next") and the CSRF token."""
    def seen(path: str) -> tuple:
        response = client.get(path, headers=EN)
        page = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", response.get_data(as_text=True))
        headers = sorted((k, v) for k, v in response.headers.items() if k not in ("Content-Length", "Set-Cookie"))
        return response.status_code, headers, page.replace(path, "/users/?")
    client.get("/")  # shows any message waiting from the login, so neither page has one
    nobody = seen("/users/nobody-has-it")
    assert nobody[0] == 404
    assert seen(f"/users/{name}") == nobody


def test_the_rule_without_a_request(session, clock):
    owner = create_user(session, "owner", "correct horse", clock.now())
    other = create_user(session, "other", "correct horse", clock.now())
    admin = create_user(session, "admin", "correct horse", clock.now(), is_admin=True)
    assert not owner.shares_profile  # private unless the player says otherwise
    assert may_see_profile(owner, owner) and may_see_profile(admin, owner)
    assert not may_see_profile(other, owner) and not may_see_profile(None, owner)
    owner.shares_profile = True
    assert may_see_profile(other, owner) and not may_see_profile(None, owner)
    owner.is_hidden = True
    assert not may_see_profile(other, owner) and may_see_profile(admin, owner)


def test_visitors_who_are_not_signed_in_see_no_profile(client, app, players):
    assert_same_as_nobody(client, "aigerim")
    set_shared(app, "aigerim")
    assert_same_as_nobody(client, "aigerim")
    assert_same_as_nobody(client, "AIGERIM")  # no telling redirect either


def test_a_private_profile_is_the_same_404_as_a_name_nobody_has(client, players):
    login(client, "visitor")
    assert_same_as_nobody(client, "aigerim")
    assert_same_as_nobody(client, "Aigerim")
    assert_same_as_nobody(client, "boss")  # a never-played account tells nothing either


def test_the_owner_and_the_admins_see_a_private_profile(client, app, players):
    login(client, "aigerim")
    page = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    assert "<h1>Profile of aigerim</h1>" in page and "Only you can see this page." in page
    client.post("/logout")
    login(client, "boss")
    assert client.get("/users/aigerim").status_code == 200


def test_a_shared_profile_is_seen_by_signed_in_players_only(client, app, players):
    login(client, "aigerim")
    response = client.post("/profile/visibility", data={"visibility-visibility": "members"}, headers=EN)
    assert response.status_code == 302
    page = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    assert "Saved: your profile can now be seen by every signed-in player." in page
    assert "Signed-in players can see this page." in page
    assert re.search(r'<input checked[^>]*value="members"|value="members" checked', page)
    client.post("/logout")
    assert_same_as_nobody(client, "aigerim")
    login(client, "visitor")
    shown = client.get("/users/aigerim", headers=EN)
    assert shown.status_code == 200 and "Accuracy by topic" in shown.get_data(as_text=True)
    assert "Who may see your profile" not in shown.get_data(as_text=True)


def test_making_it_private_again(client, app, players):
    set_shared(app, "aigerim")
    login(client, "aigerim")
    response = client.post("/profile/visibility", data={"visibility-visibility": "private"}, headers=RU)
    assert response.status_code == 302
    assert "Сохранено: теперь ваш профиль видите только вы." in client.get("/users/aigerim", headers=RU).get_data(
        as_text=True)
    client.post("/logout")
    login(client, "visitor")
    assert_same_as_nobody(client, "aigerim")


def test_a_hidden_players_shared_profile_is_not_shown_to_others(client, app, players):
    set_shared(app, "aigerim", hidden=True)
    login(client, "visitor")
    assert_same_as_nobody(client, "aigerim")


@pytest.mark.parametrize("value", ["public", "", "members\x00", "1"])
def test_a_bad_visibility_changes_nothing(client, app, players, value):
    login(client, "aigerim")
    before = snapshot(app)
    response = client.post("/profile/visibility", data={"visibility-visibility": value}, headers=EN)
    assert response.status_code == 302  # back to the form (post/redirect/get), its error beside it
    assert 'id="visibility-visibility-error"' in client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert snapshot(app) == before


def test_the_setting_needs_a_login(client, app, players):
    before = snapshot(app)
    response = client.post("/profile/visibility", data={"visibility-visibility": "members"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot(app) == before


def linked_names(html: str) -> set[str]:
    table = html.split('<table class="board ranking">', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'<a href="/users/([^"]+)">', table))


def board_names(html: str) -> set[str]:
    table = html.split('<table class="board ranking">', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r"<td>(?:<a [^>]*>)?([a-z]+)", table))


@pytest.mark.parametrize("path", ["/leaderboard/all-types", "/leaderboard/"])
def test_leaderboards_link_names_only_to_profiles_the_viewer_may_see(client, app, players, path):
    set_shared(app, "dana")
    page = client.get(path, headers=EN).get_data(as_text=True)
    assert board_names(page) == {"aigerim", "dana"} and linked_names(page) == set()  # a visitor: no links
    login(client, "visitor")
    assert linked_names(client.get(path, headers=EN).get_data(as_text=True)) == {"dana"}
    client.post("/logout")
    login(client, "aigerim")
    assert linked_names(client.get(path, headers=EN).get_data(as_text=True)) == {"aigerim", "dana"}
    client.post("/logout")
    login(client, "boss")
    assert linked_names(client.get(path, headers=EN).get_data(as_text=True)) == {"aigerim", "dana"}
    client.post("/logout")
    # Unsharing takes the link away at once (the cached table is keyed by the links).
    set_shared(app, "dana", shared=False)
    login(client, "visitor")
    assert linked_names(client.get(path, headers=EN).get_data(as_text=True)) == set()
