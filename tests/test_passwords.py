"""Guessable passwords are refused (issue 14, item 8; security review #16): on registering, on
changing the password and in the CLI, with a clear message in Russian and English."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from quizapp.cli import users_cli
from quizapp.extensions import db
from quizapp.models import User
from quizapp.users import PasswordProblem, create_user, password_problem

from helpers import login, snapshot

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}
USERNAME = "student42"
GUESSABLE = ["password", "12345678", "aaaaaaaa", " " * 8, "qwertyuiop", "password123", "student42",
             "Student42", "student42student42"]
SAYS_EN = {"guessable": "This password is too easy to guess", "username": "A password must not be your username."}
SAYS_RU = {"guessable": "Этот пароль слишком легко угадать", "username": "Пароль не должен совпадать с именем"}


def expected(password: str) -> str:
    return "username" if password.casefold() == USERNAME else "guessable"


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_problems(password):
    assert password_problem(password, USERNAME) in (PasswordProblem.GUESSABLE, PasswordProblem.USERNAME)


@pytest.mark.parametrize("password", ["correct horse", "long enough", "пароль для викторины", "x7#Qm2!vLp"])
def test_reasonable_passwords_pass(password):
    assert password_problem(password, USERNAME) is None


def test_the_length_rule_stays_and_long_passwords_are_judged():
    assert password_problem("short", "") is PasswordProblem.LENGTH
    assert password_problem("x" * 201, "") is PasswordProblem.LENGTH
    assert password_problem("a" * 200, "") is PasswordProblem.GUESSABLE  # past zxcvbn's 72: judged by its start
    assert password_problem("tram ticket " * 16, "") is None


@pytest.mark.parametrize("password", GUESSABLE)
def test_register_refuses_guessable_passwords(client, app, password):
    before = snapshot(app)
    for headers, says in ((EN, SAYS_EN), (RU, SAYS_RU)):
        response = client.post("/register", data={"username": USERNAME, "password": password, "confirm": password},
                               headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert says[expected(password)] in html
        assert 'id="password-error"' in html
    assert snapshot(app) == before


def test_register_accepts_a_good_password(client, app):
    response = client.post("/register", data={"username": USERNAME, "password": "long enough",
                                              "confirm": "long enough"})
    assert response.status_code == 302


@pytest.mark.parametrize("password", GUESSABLE)
def test_changing_to_a_guessable_password_is_refused(client, app, clock, password):
    with app.app_context():
        create_user(db.session, USERNAME, "correct horse", clock.now())
        db.session.commit()
    login(client, USERNAME)
    before = snapshot(app)
    response = client.post("/profile/password", data={"password-current": "correct horse",
                                                      "password-password": password,
                                                      "password-confirm": password}, headers=RU)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=RU).get_data(as_text=True)
    assert SAYS_RU[expected(password)] in page
    assert snapshot(app) == before
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.username == USERNAME))
        assert check_password_hash(stored, "correct horse")


@pytest.mark.parametrize("password, says", [("password", "too easy to guess"), ("student42", "must not be the username"),
                                            ("short", "8 to 200 characters")])
def test_the_cli_refuses_guessable_passwords(app, password, says):
    result = app.test_cli_runner().invoke(users_cli, ["create", USERNAME, "--password", password])
    assert result.exit_code != 0 and says in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None
