"""Rate limits that stop an attacker without locking out the players around them (issue 14,
items 2, 3 and 8).  Each test makes an app with the limits on (the other tests run with them
off).  The limiter counts on its own clock; every test here runs well within a minute."""
from __future__ import annotations

import pytest

from helpers import make_app, post_answer_for_page
from quizapp import tokens
from quizapp.extensions import db
from quizapp.users import create_user

EN = {"Accept-Language": "en"}


@pytest.fixture
def limited(database_url, tmp_path, bank):
    """The app with the rate limits on (a store of its own: counts start at zero)."""
    return make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True)


def make_users(app, *names: str, password: str = "correct horse") -> None:
    with app.app_context():
        clock = app.extensions["quizapp.clock"]
        for name in names:
            create_user(db.session, name, password, clock.now())
        db.session.commit()


def make_token(app, name: str) -> str:
    with app.app_context():
        from quizapp.users import find_user
        clock = app.extensions["quizapp.clock"]
        _record, token = tokens.create_token(db.session, find_user(db.session, name), "tests", clock.now())
        db.session.commit()
        return token


def signed_in(app, name: str, password: str = "correct horse", address: str = "127.0.0.1"):
    client = app.test_client()
    response = client.post("/login", data={"username": name, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 302, response.status_code
    return client


def assert_clear_429(response, api: bool = False) -> None:
    """Refused with 429, saying so in words, and when to come back."""
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 0
    if api:
        assert response.get_json()["error"]["code"] == "rate_limited"
    else:
        assert "Too many attempts. Wait a little and try again." in response.get_data(as_text=True)


# --- item 2: the answer limits count per player, after the owner and token checks ----------------

def test_a_rivals_posts_to_my_attempt_do_not_use_up_my_answers(limited):
    make_users(limited, "victim", "rival")
    victim, rival = signed_in(limited, "victim"), signed_in(limited, "rival")
    location = victim.post("/quiz/all-types/start").headers["Location"]
    attempt_id = int(location.rsplit("/", 1)[1])
    statuses = [rival.post(location, data={"position": "0", "answer": "0"}).status_code for _ in range(61)]
    assert statuses == [404] * 60 + [429]  # the rival used up the rival's own allowance
    page = victim.get(location).get_data(as_text=True)
    assert post_answer_for_page(victim, attempt_id, page).status_code == 302  # recorded, not 429


def test_showing_the_question_uses_up_no_answers_and_is_never_held(limited):
    """The answer limit is for answers: the GET of the same address (its own view, without the
    limiter's checks, for speed) is never counted, before or after the limit is reached."""
    make_users(limited, "aigerim")
    client = signed_in(limited, "aigerim")
    location = client.post("/quiz/all-types/start").headers["Location"]
    assert {client.get(location).status_code for _ in range(70)} == {200}
    statuses = [client.post(location, data={"position": "0", "answer": "99"}).status_code for _ in range(61)]
    assert statuses == [400] * 60 + [429]  # all 60 answers were still there after 70 pages shown
    assert client.get(location).status_code == 200


def test_answers_are_limited_per_player(limited):
    make_users(limited, "aigerim", "bolat")
    client = signed_in(limited, "aigerim")
    location = client.post("/quiz/all-types/start").headers["Location"]
    statuses = [client.post(location, data={"position": "0", "answer": "99"}).status_code for _ in range(60)]
    assert set(statuses) == {400}  # a wrong shape of answer: a form error, each counted
    assert_clear_429(client.post(location, data={"position": "0", "answer": "99"}, headers=EN))
    # The allowance is the player's, whichever attempt: another quiz does not reset it...
    other = client.post("/quiz/quick/start").headers["Location"]
    assert client.post(other, data={"position": "0"}).status_code == 429
    # ...and another player has their own.
    second = signed_in(limited, "bolat")
    location = second.post("/quiz/quick/start").headers["Location"]
    assert second.post(location, data={"position": "0"}).status_code == 400


def test_anonymous_api_posts_from_my_address_do_not_lock_me_out(limited):
    make_users(limited, "victim")
    token = make_token(limited, "victim")
    bearer = {"Authorization": f"Bearer {token}"}
    client = limited.test_client()
    state = client.post("/api/v1/quizzes/quick/attempts", headers=bearer).get_json()
    url = f"/api/v1/attempts/{state['id']}/answers"
    anonymous = limited.test_client()
    statuses = {anonymous.post(url, json={"position": 0, "answer": 0}).status_code for _ in range(125)}
    assert statuses == {401}  # refused for want of credentials, and not counted against anyone
    response = client.post(url, json={"position": 0, "answer": 0}, headers=bearer)
    assert response.status_code in (200, 422), response.get_json()  # answered (or the shape refused), never 429


def test_a_rivals_api_posts_to_my_attempt_do_not_use_up_my_answers(limited):
    make_users(limited, "victim", "rival")
    victim = {"Authorization": f"Bearer {make_token(limited, 'victim')}"}
    rival = {"Authorization": f"Bearer {make_token(limited, 'rival')}"}
    client = limited.test_client()
    state = client.post("/api/v1/quizzes/quick/attempts", headers=victim).get_json()
    url = f"/api/v1/attempts/{state['id']}/answers"
    statuses = [client.post(url, json={"position": 0, "answer": 0}, headers=rival).status_code for _ in range(121)]
    assert statuses == [404] * 120 + [429]
    assert_clear_429(client.post(url, json={"position": 0, "answer": 0}, headers=rival), api=True)
    assert client.post(url, json={"position": 0, "answer": 0}, headers=victim).status_code in (200, 422)


def test_api_starts_are_limited_per_player(limited):
    make_users(limited, "aigerim", "bolat")
    client = limited.test_client()
    first = {"Authorization": f"Bearer {make_token(limited, 'aigerim')}"}
    statuses = [client.post("/api/v1/quizzes/quick/attempts", headers=first).status_code for _ in range(31)]
    assert statuses[:2] == [201, 200] and set(statuses[2:30]) == {200} and statuses[30] == 429
    second = {"Authorization": f"Bearer {make_token(limited, 'bolat')}"}
    assert client.post("/api/v1/quizzes/quick/attempts", headers=second).status_code == 201


# --- item 3: logins count failures only --------------------------------------------------------

def test_a_class_of_40_logs_in_and_plays_from_one_address_within_a_minute(limited):
    names = [f"student{n:02d}" for n in range(40)]
    make_users(limited, *names)
    for name in names:  # every request from 127.0.0.1, the school's one address
        client = signed_in(limited, name)
        location = client.post("/quiz/quick/start").headers["Location"]
        attempt_id = int(location.rsplit("/", 1)[1])
        page = client.get(location).get_data(as_text=True)
        assert post_answer_for_page(client, attempt_id, page).status_code == 302, name


def test_ten_wrong_passwords_for_one_account_lock_out_nobody_else(limited):
    make_users(limited, "alice", "bob")
    guesser = limited.test_client()
    statuses = [guesser.post("/login", data={"username": "alice", "password": f"guess {n}"}).status_code
                for n in range(10)]
    assert statuses == [400] * 10
    # From that address, alice's name is held for now, even with the right password...
    assert_clear_429(guesser.post("/login", data={"username": "Alice", "password": "correct horse"}, headers=EN))
    # ...but another account from the same address logs in,
    signed_in(limited, "bob")
    # and alice herself, from her own address, too.
    signed_in(limited, "alice", address="198.51.100.7")


def test_guessing_one_account_from_many_addresses_is_stopped(limited):
    make_users(limited, "alice", "bob")
    client = limited.test_client()
    statuses = [client.post("/login", data={"username": "alice", "password": ""},
                            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code for n in range(30)]
    assert statuses == [400] * 30  # 30 an hour per name, from anywhere
    assert client.post("/login", data={"username": "alice", "password": "correct horse"},
                       environ_base={"REMOTE_ADDR": "203.0.113.200"}).status_code == 429
    signed_in(limited, "bob", address="203.0.113.201")  # only that account is held


def test_one_address_trying_many_names_is_stopped(limited):
    make_users(limited, "bob")
    client = limited.test_client()
    statuses = [client.post("/login", data={"username": f"name{n}", "password": ""}).status_code for n in range(50)]
    assert statuses == [400] * 50  # 50 refused tries a minute from one address, over all names
    assert client.post("/login", data={"username": "bob", "password": "correct horse"}).status_code == 429
    signed_in(limited, "bob", address="198.51.100.7")


# --- item 8: registering, and the study pages ----------------------------------------------------

def bad_registration(client, address: str, n: int):
    # The two passwords differ: a form error, refused before any hashing, yet counted.
    return client.post("/register", data={"username": f"new{n}", "password": "correct horse", "confirm": "other"},
                       environ_base={"REMOTE_ADDR": address}, headers=EN)


def test_registering_is_limited_per_address(limited):
    client = limited.test_client()
    assert [bad_registration(client, "192.0.2.1", n).status_code for n in range(30)] == [400] * 30
    assert_clear_429(bad_registration(client, "192.0.2.1", 30))
    assert bad_registration(client, "192.0.2.2", 31).status_code == 400  # another address is not held
    assert client.get("/register").status_code == 200  # the page itself is not counted


def test_registering_is_limited_for_everyone_at_once(limited):
    client = limited.test_client()
    statuses = [bad_registration(client, f"10.0.{n // 250}.{n % 250}", n).status_code for n in range(120)]
    assert statuses == [400] * 120  # 120 a minute over every address
    assert_clear_429(bad_registration(client, "192.0.2.99", 120))


def test_a_real_registration_still_signs_in_under_the_limit(limited):
    client = limited.test_client()
    response = client.post("/register", data={"username": "newcomer", "password": "correct horse",
                                               "confirm": "correct horse"})
    assert response.status_code == 302 and client.get("/review").status_code == 200


def test_the_study_pages_are_limited_per_learner(limited):
    make_users(limited, "learner", "other")
    client = signed_in(limited, "learner")
    statuses = [client.get(path).status_code for path in ["/study", "/study/visits", "/review"] * 20]
    assert set(statuses) == {200}  # 60 a minute over the three pages together
    for path in ["/study", "/study/visits", "/review"]:
        assert_clear_429(client.get(path, headers=EN))
    assert client.get("/timeline").status_code == 200  # cheap pages are not held
    assert signed_in(limited, "other").get("/review").status_code == 200
    anonymous = limited.test_client()
    assert anonymous.get("/study").status_code == 200 and anonymous.get("/study/visits").status_code == 200


def test_password_changes_are_limited_per_user(limited):
    make_users(limited, "aigerim", "bolat")
    client = signed_in(limited, "aigerim")
    mismatch = {"password-current": "correct horse", "password-password": "new staple battery",
                "password-confirm": "something else"}
    assert [client.post("/profile/password", data=mismatch).status_code for _ in range(10)] == [302] * 10
    assert_clear_429(client.post("/profile/password", data=mismatch, headers=EN))
    # Another user from the same address is not held.
    assert signed_in(limited, "bolat").post("/profile/password", data=mismatch).status_code == 302


def test_limits_are_settings(database_url, tmp_path, bank):
    """A school with more players behind one address raises its per-address limits."""
    app = make_app(database_url, tmp_path / "school", RATELIMIT_ENABLED=True, LIMIT_REGISTER_PER_ADDRESS="2 per minute")
    client = app.test_client()
    assert [bad_registration(client, "192.0.2.1", n).status_code for n in range(3)] == [400, 400, 429]


def test_the_429_page_is_translated(limited):
    client = limited.test_client()
    for n in range(30):
        bad_registration(client, "192.0.2.1", n)
    page = client.post("/register", data={"username": "x"}, environ_base={"REMOTE_ADDR": "192.0.2.1"},
                       headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ru">' in page and "Слишком много попыток. Подождите немного и попробуйте снова." in page


# --- joining a class by code (issue 18): refused codes count, per user and per address ---------

def _class_code(app, teacher: str) -> str:
    from quizapp import classes
    from quizapp.users import find_user
    with app.app_context():
        clock = app.extensions["quizapp.clock"]
        owner = find_user(db.session, teacher)
        owner.is_teacher = True
        code = classes.create_class(db.session, owner, "7A", clock.now()).join_code
        db.session.commit()
        return code


def test_the_eleventh_wrong_class_code_in_a_minute_is_refused_even_when_right(limited):
    make_users(limited, "teacher", "guesser", "classmate")
    code = _class_code(limited, "teacher")
    guesser = signed_in(limited, "guesser")
    statuses = [guesser.post("/class/join", data={"code": f"WRONG{n:02d}"}, headers=EN).status_code
                for n in range(10)]
    assert statuses == [400] * 10  # the default: 10 refused codes a minute per user
    assert_clear_429(guesser.post("/class/join", data={"code": code}, headers=EN))
    # A classmate at the same address joins: their count is their own, and the address's is far off.
    assert signed_in(limited, "classmate").post("/class/join", data={"code": code}).status_code == 302


def test_a_right_code_is_not_counted_and_one_address_is_limited_over_all_its_users(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True,
                   LIMIT_CLASS_JOIN_FAILURES_PER_ADDRESS="4 per minute")
    names = [f"pupil{n}" for n in range(6)]
    make_users(app, "teacher", *names)
    code = _class_code(app, "teacher")
    # A class joins at once from one address: right codes use up nothing.
    assert [signed_in(app, name).post("/class/join", data={"code": code}).status_code
            for name in names] == [302] * 6
    # Guessers behind one address: two wrong codes each, and the fifth of the address is refused.
    guessers = [signed_in(app, name) for name in names[:3]]
    statuses = [client.post("/class/join", data={"code": "NOPE222"}, headers=EN).status_code
                for client in guessers for _ in range(2)]
    assert statuses == [400] * 4 + [429] * 2
    # Another address is not held back by them.
    other = signed_in(app, names[3], address="10.0.0.9")
    assert other.post("/class/join", data={"code": "NOPE222"}, headers=EN,
                      environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 400
