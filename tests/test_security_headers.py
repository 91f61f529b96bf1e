"""Headers every response carries."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/", "/login", "/leaderboard/", "/no-such-page", "/static/app.css"])
def test_security_headers_on_every_response(client, bank, path):
    response = client.get(path)
    response.close()  # a static file is streamed from disk; close it as a server would
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client, app):
    client.post("/register", data={"username": "cookie", "password": "long enough", "confirm": "long enough"})
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_passwords_are_stored_as_scrypt_hashes(client, app):
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models import User
    client.post("/register", data={"username": "hashme", "password": "long enough", "confirm": "long enough"})
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.username == "hashme"))
    assert stored.startswith("scrypt:") and "long enough" not in stored


def test_the_session_cookie_is_secure_when_configured(database_url, tmp_path, bank):
    from conftest import make_app
    app = make_app(database_url, tmp_path / "https", SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    client.post("/register", data={"username": "secure", "password": "long enough", "confirm": "long enough"},
                base_url="https://localhost")
    assert client.get_cookie("session", domain="localhost").secure
