"""Headers every response carries; session cookies; how passwords are kept and checked."""
from __future__ import annotations

import pytest
from helpers import assert_security_headers, make_app


@pytest.mark.parametrize("path", ["/", "/login", "/leaderboard/", "/no-such-page", "/static/app.css"])
def test_security_headers_on_every_response(client, bank, path):
    response = client.get(path)
    response.close()  # a static file is streamed from disk; close it as a server would
    assert_security_headers(response)


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
    app = make_app(database_url, tmp_path / "https", SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    client.post("/register", data={"username": "secure", "password": "long enough", "confirm": "long enough"},
                base_url="https://localhost")
    assert client.get_cookie("session", domain="localhost").secure


def test_login_errors_do_not_reveal_whether_a_username_exists(app, monkeypatch):
    """Same status, same page, and one scrypt check with the same cost either way, so
    neither the answer nor its timing tells a known name from an unknown one."""
    import re

    from werkzeug.security import generate_password_hash

    from quizapp import users
    from quizapp.extensions import db
    with app.app_context():
        users.create_user(db.session, "aigerim", "long enough", app.extensions["quizapp.clock"].now())
        db.session.commit()
    checked: list[str] = []
    real_check = users.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(users, "check_password_hash", spy)
    pages, costs = {}, {}
    for name in ("aigerim", "nobody-at-all"):
        checked.clear()
        visitor = app.test_client()  # a fresh visitor each time: no session yet
        response = visitor.post("/login", data={"username": name, "password": "wrong password"},
                                headers={"Accept-Language": "en"})
        assert response.status_code == 400 and "Wrong username or password." in response.get_data(as_text=True)
        page = response.get_data(as_text=True).replace(name, "NAME")
        page = re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", page)  # a random token per visitor
        pages[name] = (sorted(key for key, _value in response.headers), page)
        assert len(checked) == 1, name  # a known name and an unknown one both cost one scrypt check
        costs[name] = checked[0].split("$")[0]
    assert pages["aigerim"] == pages["nobody-at-all"]
    # The dummy hash has the parameters of a real one (scrypt:32768:8:1 today), so it costs the same.
    assert costs["aigerim"] == costs["nobody-at-all"] == generate_password_hash("x", method="scrypt").split("$")[0]
    assert re.fullmatch(r"scrypt:\d+:\d+:\d+", costs["aigerim"])


def test_a_login_takes_as_long_for_an_unknown_username(app, session, clock):
    """Timing, measured: without the dummy check an unknown name answers some 50 times faster."""
    import statistics
    import time

    from quizapp.users import authenticate, create_user
    create_user(session, "aigerim", "long enough", clock.now())
    session.commit()
    known, unknown = [], []
    for _ in range(4):  # interleaved, so a busy moment on a shared machine hits both
        for name, times in (("aigerim", known), ("nobody-at-all", unknown)):
            started = time.perf_counter()
            assert authenticate(session, name, "wrong password") is None
            times.append(time.perf_counter() - started)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 1 / 3 < ratio < 3, (known, unknown)
