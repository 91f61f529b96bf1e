"""The account page: time accommodation and API tokens, through the test client."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp import tokens
from quizapp.extensions import db
from quizapp.models import ApiToken, Attempt, User
from quizapp.users import create_user

from helpers import make_app, register

EN = {"Accept-Language": "en"}


def user_named(app, name: str = "aigerim") -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        db.session.expunge(user)
        return user


def create_token_via_page(client, name: str = "deploy bot") -> tuple[str, str]:
    response = client.post("/account/tokens", data={"token-name": name}, headers=EN)
    # Post/redirect/get: a refresh of the page that shows the token makes no second one.
    assert response.status_code == 302 and response.headers["Location"] == "/account/#new-token-title"
    response = client.get("/account/", headers=EN)
    page = response.get_data(as_text=True)
    token = re.search(r'id="new-token" value="(qz_[^"]+)"', page).group(1)
    return token, page


def test_the_page_needs_a_login(client, app):
    response = client.get("/account/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/tokens", data={"token-name": "x"}).status_code == 302


@pytest.mark.parametrize("lang, expected", [("en", ["Account", "Time for quizzes", "API tokens"]),
                                            ("ru", ["Викторины"])])
def test_the_page_renders_in_both_languages_accessibly(client, app, lang, expected):
    register(client)
    response = client.get("/account/", headers={"Accept-Language": lang})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'<html lang="{lang}">' in page
    for text in expected:
        assert text in page
    assert "WCAG" not in page and 'href="/account/"' in page and 'aria-current="page"' in page
    # Every radio has its label and its explanation; the current choice is checked.
    radios = re.findall(r"<input[^>]*type=\"radio\"[^>]*>", page)
    assert len(radios) == 4
    for radio in radios:
        radio_id = re.search(r'id="([^"]+)"', radio).group(1)
        assert f'<label for="{radio_id}">' in page
        assert f'aria-describedby="{radio_id}-hint"' in radio and f'id="{radio_id}-hint"' in page
    assert "checked" in next(radio for radio in radios if 'value="standard"' in radio)
    assert '<label for="token-name">' in page and 'aria-describedby="token-name-hint"' in page
    # No inline script or style (a strict Content-Security-Policy stays possible).
    assert not re.search(r"<script(?![^>]*\ssrc=)", page) and not re.search(r"\sstyle=|<style", page)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_the_account_link_is_in_the_menu_for_signed_in_users(client, app):
    assert 'href="/account/"' not in client.get("/").get_data(as_text=True)
    register(client)
    assert 'href="/account/"' in client.get("/").get_data(as_text=True)


def test_the_accommodation_is_saved_and_used_by_the_next_attempt(client, app, bank, clock):
    register(client)
    response = client.post("/account/time", data={"time-time_accommodation": "x2"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/account/#time-title"
    page = client.get("/account/", headers=EN).get_data(as_text=True)
    # The message is in the form's section, not at the top of the page.
    section = page[page.index('id="time-title"'):page.index('id="tokens-title"')]
    assert "Saved: Extended time ×2" in section
    assert re.search(r'<input[^>]*checked[^>]*value="x2"', page)
    assert user_named(app).time_accommodation == "x2"
    client.post("/quiz/all-types/start")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.mode == "extended" and attempt.time_factor == 2.0
        assert attempt.deadline_dt == clock.now() + timedelta(seconds=600)  # 300 s × 2
    client.post("/account/time", data={"time-time_accommodation": "untimed"})
    client.post("/quiz/quick/start")
    with app.app_context():
        practice = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        assert practice.mode == "practice" and practice.deadline_dt is None


def test_an_invalid_accommodation_is_refused_with_an_error_tied_to_the_field(client, app):
    register(client)
    for data in ({"time-time_accommodation": "x10"}, {}):
        response = client.post("/account/time", data=data, headers=EN)
        assert response.status_code == 302 and response.headers["Location"] == "/account/#time-title"
        page = client.get("/account/", headers=EN).get_data(as_text=True)
        assert re.search(r'<fieldset aria-describedby="time-ranking time-time_accommodation-error">', page)
        assert 'id="time-time_accommodation-error"' in page
    assert user_named(app).time_accommodation == "standard"


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, app):
    register(client)
    token, page = create_token_via_page(client, "deploy\x00 \t bot")
    assert page.count(token) == 1 and "Copy it now" in page
    assert token.startswith("qz_") and len(token) > 40
    with app.app_context():
        record = db.session.scalar(select(ApiToken))
        assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert record.prefix == token[:9] and record.name == "deploy bot"
        stored = [str(value) for value in (record.name, record.token_hash, record.prefix)]
        assert not any(token in value for value in stored)
    again = client.get("/account/", headers=EN).get_data(as_text=True)
    assert token not in again and "deploy bot" in again and token[:9] in again and "never" in again
    # It works on the API, and the page then shows when it was last used.
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["auth"] == "bearer"
    assert "never" not in client.get("/account/", headers=EN).get_data(as_text=True)


def test_a_token_needs_a_name(client, app):
    register(client)
    for name in ("", "   ", "\x00\x01\n", "x" * 61):
        response = client.post("/account/tokens", data={"token-name": name}, headers=EN)
        assert response.status_code == 302 and response.headers["Location"] == "/account/#create-token-title"
        page = client.get("/account/", headers=EN).get_data(as_text=True)
        assert 'id="new-token"' not in page
        assert 'aria-describedby="token-name-hint token-name-error"' in page and 'aria-invalid="true"' in page
        assert 'id="token-name-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_at_most_so_many_tokens(client, app, clock):
    register(client)
    with app.app_context():
        user = db.session.scalar(select(User))
        for index in range(tokens.MAX_ACTIVE_TOKENS):
            tokens.create_token(db.session, user, f"t{index}", clock.now())
        db.session.commit()
    response = client.post("/account/tokens", data={"token-name": "one more"}, headers=EN)
    assert response.status_code == 302
    page = client.get("/account/", headers=EN).get_data(as_text=True)
    assert 'id="token-name-error"' in page and 'value="one more"' in page  # the name typed is kept
    # Shown once: the errors belong to the page after the post, not to every later visit.
    assert 'id="token-name-error"' not in client.get("/account/", headers=EN).get_data(as_text=True)


def test_revoking_a_token_stops_it_working(client, app):
    register(client)
    token, _page = create_token_via_page(client)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    response = client.post(f"/account/tokens/{token_id}/revoke", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/account/#tokens-title"
    page = client.get("/account/", headers=EN).get_data(as_text=True)
    assert "The token is revoked" in page and "deploy bot" not in page
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_dt is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Revoking it again finds nothing to revoke.
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_another_users_token_cannot_be_revoked(client, app, clock):
    with app.app_context():
        owner = create_user(db.session, "bolat", "password1", clock.now())
        _record, token = tokens.create_token(db.session, owner, "bolat's", clock.now())
        db.session.commit()
        token_id = _record.id
    register(client)
    for target in (token_id, 999_999, 2**40):
        assert client.post(f"/account/tokens/{target}/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_dt is None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_account_forms_need_the_csrf_token(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    try:
        _check_account_forms_need_the_csrf_token(app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _check_account_forms_need_the_csrf_token(app):
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/register", data={"username": "zhanna", "password": "long enough", "confirm": "long enough",
                                   "csrf_token": form_token})
    assert client.post("/account/time", data={"time-time_accommodation": "x2"}).status_code == 400
    assert client.post("/account/tokens", data={"token-name": "forged"}).status_code == 400
    page = client.get("/account/").get_data(as_text=True)
    token_form_csrf = re.search(r'name="token-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/tokens", data={"token-name": "real", "token-csrf_token": token_form_csrf})
    assert response.status_code == 302 and 'id="new-token"' in client.get("/account/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.time_accommodation)) == "standard"
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_the_new_token_has_a_copy_button_and_works_as_text_without_script(client, app):
    register(client)
    token, page = create_token_via_page(client)
    # The field is plain read-only text; the button, hidden until copy.js shows it, copies it.
    assert re.search(r'<input type="text" id="new-token" value="%s" readonly' % token, page)
    assert re.search(r'<button type="button" data-copy="new-token"[^>]*hidden>Copy</button>', page)
    assert '<script src="/static/copy.js" defer></script>' in page
    # A refresh (a second GET) neither shows the token again nor makes another.
    again = client.get("/account/", headers=EN).get_data(as_text=True)
    assert token not in again and "copy.js" not in again
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_the_two_settings_pages_point_to_each_other(client, app):
    """Review #29: settings live on two pages (profile: password, language, visibility; account:
    time and tokens); each says what the other holds and links to it."""
    register(client)
    account = client.get("/account/", headers=EN).get_data(as_text=True)
    assert "who may see your profile are set on your profile page" in account
    assert 'href="/users/aigerim#settings"' in account
    profile = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    assert "Time for quizzes and API tokens are on the account page" in profile and 'href="/account/"' in profile
