"""Sessions end when they should (issue 14, items 3 and 6): logging out or changing the
password signs out every session of that user, a copied cookie included; logging in starts a
fresh session, so a CSRF token from before no longer works; and after a password change the
player is offered to revoke the API tokens, which do not depend on the password."""
from __future__ import annotations

import re

import flask_migrate
import pytest
from sqlalchemy import select, text

from helpers import login, make_app, register
from quizapp import tokens
from quizapp.extensions import db
from quizapp.models import ApiToken, User
from quizapp.users import create_user

EN = {"Accept-Language": "en"}


@pytest.fixture
def client(app):
    """A plain test client.  pytest-flask's keeps its last request's context pushed, and another
    client's request would then share that context (and the user loaded in it): not what two
    browsers do."""
    return app.test_client()


def copy_of_cookie(app, client):
    """Another browser holding the same session cookie (a stolen or copied one)."""
    cookie = client.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value, domain=cookie.domain or "localhost", path="/")
    return thief


def signed_in_as(client) -> bool:
    return client.get("/account/").status_code == 200


def change_password(client, current="correct horse", new="new staple battery"):
    return client.post("/profile/password", data={"password-current": current, "password-password": new,
                                                  "password-confirm": new})


def test_a_copied_cookie_is_signed_out_by_logout(client, app, bank):
    register(client)
    thief = copy_of_cookie(app, client)
    assert signed_in_as(thief)  # the copy works while the session lasts...
    assert client.post("/logout").status_code == 302
    assert not signed_in_as(thief)  # ...and not after its owner logs out
    assert thief.get("/account/").headers["Location"].startswith("/login")
    assert thief.get("/api/v1/me").status_code == 401
    # The owner logs in again: the copy stays out, the new session works.
    assert login(client).status_code == 302
    assert signed_in_as(client) and not signed_in_as(thief)


def test_a_password_change_signs_out_every_other_session(client, app, bank):
    register(client)
    other_browser = app.test_client()
    assert login(other_browser).status_code == 302
    thief = copy_of_cookie(app, client)
    response = change_password(client)
    assert response.status_code == 302 and response.headers["Location"] == "/profile/tokens"
    assert signed_in_as(client)  # the person who changed it stays signed in
    assert not signed_in_as(other_browser) and not signed_in_as(thief)
    assert thief.get("/api/v1/me").status_code == 401
    # The new password works, the old one does not.
    assert login(app.test_client(), password="correct horse").status_code == 400
    assert login(app.test_client(), password="new staple battery").status_code == 302


def test_a_refused_password_change_ends_nothing(client, app, bank):
    register(client)
    thief = copy_of_cookie(app, client)
    assert change_password(client, current="wrong password").status_code == 302  # back to the form with its error
    assert signed_in_as(thief)


def test_a_session_from_before_versions_works_until_the_next_logout(client, app, bank):
    """Cookies made before the migration hold a bare user id: read as version 0."""
    register(client)
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
    old = app.test_client()
    with old.session_transaction() as session:
        session["_user_id"] = str(user_id)
    assert signed_in_as(old)
    client.post("/logout")
    assert not signed_in_as(old)
    with old.session_transaction() as session:
        session["_user_id"] = "not:a-number"
    assert not signed_in_as(old)


def test_the_migration_gives_existing_users_version_0(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0005_leaderboard_count")
        db.session.execute(text('INSERT INTO "user" (username, password_hash, created_dt, is_admin, is_hidden, '
                                "time_accommodation) VALUES ('existing', 'x', :now, :no, :no, 'standard')"),
                           {"now": "2026-01-01 00:00:00", "no": False})
        db.session.commit()
        flask_migrate.upgrade(revision="head")
        assert db.session.execute(text('SELECT username, session_version FROM "user"')).all() == [("existing", 0)]
        db.session.commit()
        db.engine.dispose()


def token_names(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(ApiToken.name).where(ApiToken.revoked_dt.is_(None))))


@pytest.fixture
def csrf_app(database_url, tmp_path, bank):
    return make_app(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_after_a_password_change_the_tokens_are_listed_and_can_all_be_revoked(csrf_app):
    app = csrf_app
    with app.app_context():
        clock = app.extensions["quizapp.clock"]
        user = create_user(db.session, "aigerim", "correct horse", clock.now())
        _record, phone = tokens.create_token(db.session, user, "phone <app>", clock.now())
        _record, stolen = tokens.create_token(db.session, user, "made with a stolen cookie", clock.now())
        db.session.commit()
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "aigerim", "password": "correct horse", "csrf_token": token})
    profile = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    response = client.post("/profile/password", data={
        "password-csrf_token": re.search(r'id="password-csrf_token" name="password-csrf_token" type="hidden" '
                                         r'value="([^"]+)"', profile).group(1),
        "password-current": "correct horse", "password-password": "new staple battery",
        "password-confirm": "new staple battery"}, headers=EN)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Your password is changed. Every other session of your account is signed out." in html
    assert "phone &lt;app&gt;" in html and "made with a stolen cookie" in html and stolen[:9] in html
    assert stolen not in html and phone not in html  # only the display prefix, never a token
    # Without the form's CSRF token nothing is revoked.
    assert client.post("/profile/tokens/revoke-all").status_code == 400
    assert token_names(app) == ["made with a stolen cookie", "phone <app>"]
    response = client.post("/profile/tokens/revoke-all", data={"csrf_token": csrf_token(html)}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/profile/tokens"
    assert token_names(app) == []
    after = client.get("/profile/tokens", headers=EN).get_data(as_text=True)
    assert "Every API token of yours is revoked" in after and "You have no API tokens." in after
    for revoked in (phone, stolen):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {revoked}"}).status_code == 401


def test_revoking_all_tokens_touches_only_ones_own(client, app, bank):
    with app.app_context():
        clock = app.extensions["quizapp.clock"]
        tokens.create_token(db.session, create_user(db.session, "other", "correct horse", clock.now()), "theirs",
                            clock.now())
        db.session.commit()
    register(client)
    assert client.post("/profile/tokens/revoke-all").status_code == 302
    assert token_names(app) == ["theirs"]
    assert client.get("/profile/tokens").status_code == 200


def test_the_pre_login_csrf_token_no_longer_works_after_login(csrf_app):
    app = csrf_app
    with app.app_context():
        create_user(db.session, "aigerim", "correct horse", app.extensions["quizapp.clock"].now())
        db.session.commit()
    client = app.test_client()
    before = csrf_token(client.get("/login").get_data(as_text=True))  # planted by an attacker, say
    assert client.post("/login", data={"username": "aigerim", "password": "correct horse",
                                       "csrf_token": before}).status_code == 302
    assert client.post("/language", data={"lang": "en", "csrf_token": before}).status_code == 400
    after = csrf_token(client.get("/").get_data(as_text=True))
    assert after != before
    assert client.post("/language", data={"lang": "en", "csrf_token": after}).status_code == 302


def test_registering_also_starts_a_fresh_session_and_keeps_the_chosen_language(csrf_app):
    client = csrf_app.test_client()
    home = client.get("/").get_data(as_text=True)
    before = csrf_token(home)
    client.post("/language", data={"lang": "en", "csrf_token": before})
    page = client.get("/register").get_data(as_text=True)
    assert client.post("/register", data={"username": "newcomer", "password": "correct horse",
                                          "confirm": "correct horse", "csrf_token": csrf_token(page)}
                       ).status_code == 302
    assert client.post("/language", data={"lang": "ru", "csrf_token": before}).status_code == 400
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
