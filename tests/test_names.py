"""Usernames (issue 14, item 7; security review #4, #8, #9): one account per name whatever its
case or Unicode form, the length judged after normalising, no look-alikes of an existing name
and no mixed scripts.  On SQLite and PostgreSQL."""
from __future__ import annotations

from urllib.parse import quote

import flask_migrate
import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from quizapp.cli import users_cli
from quizapp.extensions import db
from quizapp.models import User
from quizapp.names import CheckedName, NameProblem, check_name, name_key, name_skeleton
from quizapp.users import InvalidUsername, UsernameTaken, create_user, find_user

from helpers import login, register, snapshot

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}
FDFB_40 = "\ufdfb" * 40  # ARABIC LIGATURE JALLAJALALOUHOU: 8 characters after NFKC
TAKEN = "This username is taken, or looks too much like one that is. Choose another."
MIXED = "Use the letters of one alphabet only"
TOO_LONG = "This username is too long once its letters are written out plainly"


def usernames(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(User.username)))


# --- the rules, without a database -------------------------------------------------------------

@pytest.mark.parametrize("name", ["Пётр", "Иван", "王芳", "Әлия", "carol", "山田たろう", "王fang", "aigerim_k.2", "Straße"])
def test_names_of_one_script_are_allowed(name):
    checked = check_name(name)
    assert isinstance(checked, CheckedName) and checked.name == name


@pytest.mark.parametrize("name", ["саrol", "аlicе", "pаypal", "Ivаn", "αlpha", "Пётр1ivan", "Иван王"])
def test_names_mixing_scripts_are_refused(name):
    # Cyrillic а/с/е or Greek α among Latin letters, Cyrillic with Han.  (Han with Latin, kana or
    # Hangul is one of the sets UTS #39 allows, as Japanese and Korean names are written so.)
    assert check_name(name) is NameProblem.MIXED_SCRIPTS


def test_the_length_is_checked_after_normalising():
    assert len(FDFB_40) == 40
    assert check_name(FDFB_40) is NameProblem.TOO_LONG
    assert check_name("ｃａｒｏｌ") == check_name("carol")  # full-width letters fold to plain ones
    assert check_name("ab") is NameProblem.TOO_SHORT and check_name("x" * 41) is NameProblem.TOO_LONG
    assert check_name("a b c") is NameProblem.CHARACTERS and check_name("bad\x00name") is NameProblem.CHARACTERS


def test_case_folds_every_script_and_look_alikes_share_a_skeleton():
    assert check_name("Пётр").key == check_name("пётр").key == check_name("ПЁТР").key == "пётр"
    assert check_name("STRASSE").key == check_name("Straße").key
    # Whole-script look-alikes: all Cyrillic, all Latin, yet they look the same.
    assert name_skeleton("рор") == name_skeleton("pop")
    assert name_skeleton("саrol") == name_skeleton("carol")
    assert name_skeleton("Ivan") == name_skeleton("lvan") and name_skeleton("b0b") == name_skeleton("bob")
    # Different names stay different.
    assert name_skeleton("Пётр") != name_skeleton("Петр") and name_skeleton("carol") != name_skeleton("caro")


# --- the service ---------------------------------------------------------------------------------

def test_create_user_refuses_a_taken_name_in_any_case_and_its_look_alikes(session, clock):
    create_user(session, "Пётр", "correct horse", clock.now())
    create_user(session, "pop", "correct horse", clock.now())
    for name in ("пётр", "ПЁТР", "рор", "ＰＯＰ"):
        with pytest.raises(UsernameTaken):
            create_user(session, name, "correct horse", clock.now())
    with pytest.raises(InvalidUsername) as refused:
        create_user(session, FDFB_40, "correct horse", clock.now())
    assert refused.value.problem is NameProblem.TOO_LONG
    assert find_user(session, "пётр").username == "Пётр" and find_user(session, "ＰＯＰ").username == "pop"


def test_the_database_refuses_a_second_key_or_skeleton(session, clock):
    """Two registrations at the same moment both pass the check; the unique columns decide."""
    create_user(session, "carol", "correct horse", clock.now())
    session.flush()
    for name in ("CAROL", "саrol"):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(insert(User).values(
                username=name, username_key=name_key(name), username_skeleton=name_skeleton(name),
                password_hash="x", created_dt=clock.now(), is_admin=False, is_hidden=False))
    assert session.scalar(select(func.count()).select_from(User)) == 1


# --- the web ---------------------------------------------------------------------------------------

def test_a_capitalised_cyrillic_name_registers_and_logs_in_again_in_any_case(client, app):
    assert register(client, "Пётр").status_code == 302
    client.post("/logout")
    for typed in ("пётр", "Пётр", "ПЁТР"):
        response = login(client, typed)
        assert response.status_code == 302, typed
        assert "Пётр" in client.get("/", headers=EN).get_data(as_text=True)
        client.post("/logout")
    assert usernames(app) == ["Пётр"]


def test_the_lower_case_twin_cannot_register(client, app):
    register(client, "Пётр")
    client.post("/logout")
    before = snapshot(app)
    response = client.post("/register", data={"username": "пётр", "password": "another horse",
                                              "confirm": "another horse"}, headers=EN)
    assert response.status_code == 400 and TAKEN in response.get_data(as_text=True)
    assert snapshot(app) == before
    # The login of Пётр is still Пётр's, not taken over.
    assert login(client, "пётр", "another horse").status_code == 400
    assert login(client, "пётр").status_code == 302


def test_the_profile_url_works_for_a_capitalised_cyrillic_name(client):
    register(client, "Пётр")
    page = client.get("/users/" + quote("Пётр"), headers=EN)
    assert page.status_code == 200 and "Profile of Пётр" in page.get_data(as_text=True)
    moved = client.get("/users/" + quote("пётр"))
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/users/" + quote("Пётр"))
    assert client.get("/profile").headers["Location"].endswith("/users/" + quote("Пётр"))


@pytest.mark.parametrize("impostor, message", [
    ("саrol", MIXED),  # Cyrillic с and а
    ("аlicе", MIXED),
    ("СAROL", MIXED),  # a Cyrillic capital С
    ("сагоl", MIXED),  # Cyrillic с, а and г beside a Latin l
    ("рор", TAKEN),    # all Cyrillic, the same look as "pop"
    ("ｃａｒｏｌ", TAKEN),
    ("CaroI", TAKEN),  # a capital I for the l
])
def test_look_alikes_of_an_existing_name_are_refused(client, app, clock, impostor, message):
    with app.app_context():
        for name in ("carol", "alice", "pop"):
            create_user(db.session, name, "correct horse", clock.now())
        db.session.commit()
    before = snapshot(app)
    response = client.post("/register", data={"username": impostor, "password": "correct horse",
                                              "confirm": "correct horse"}, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'id="username-error"' in html and 'aria-invalid="true"' in html
    assert snapshot(app) == before


def test_mixed_scripts_are_refused_even_when_nobody_has_the_name(client, app):
    response = client.post("/register", data={"username": "аdmin", "password": "correct horse",
                                              "confirm": "correct horse"}, headers=RU)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Используйте буквы только одного алфавита" in html
    assert usernames(app) == []


def test_forty_fdfb_ligatures_are_refused_not_stored_as_320_characters(client, app):
    response = client.post("/register", data={"username": FDFB_40, "password": "correct horse",
                                              "confirm": "correct horse"}, headers=EN)
    assert response.status_code == 400 and TOO_LONG in response.get_data(as_text=True)
    assert usernames(app) == []
    ru = client.post("/register", data={"username": FDFB_40, "password": "correct horse",
                                        "confirm": "correct horse"}, headers=RU)
    assert "Это имя слишком длинное" in ru.get_data(as_text=True)
    # A name too long as typed gets the plain message.
    plain = client.post("/register", data={"username": "x" * 41, "password": "correct horse",
                                           "confirm": "correct horse"}, headers=EN)
    assert "A username has 3 to 40 characters." in plain.get_data(as_text=True)


def test_names_of_one_script_register(client, app):
    for name in ("Иван", "王芳", "Әлия", "carol"):
        assert register(client, name).status_code == 302, name
        client.post("/logout")
    assert usernames(app) == sorted(["Иван", "王芳", "Әлия", "carol"])


def test_admin_search_folds_case_and_finds_look_alikes(client, app, clock):
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        create_user(db.session, "carol", "correct horse", clock.now())
        create_user(db.session, "Иван", "correct horse", clock.now())
        # An impostor from before these rules (the model still fills its keys).
        db.session.add(User(username="саrol-2", password_hash="x", created_dt=clock.now(), is_admin=False,
                            is_hidden=False))
        db.session.commit()
    login(client, "boss")
    found = client.get("/admin/users?q=carol", headers=EN).get_data(as_text=True)
    assert ">carol</a>" in found and ">саrol-2</a>" in found
    assert ">Иван</a>" in client.get("/admin/users?q=" + quote("иван"), headers=EN).get_data(as_text=True)


def test_the_cli_applies_the_same_rules(app, clock):
    runner = app.test_cli_runner()
    made = runner.invoke(users_cli, ["create", "Пётр", "--password", "correct horse"])
    assert made.exit_code == 0, made.output
    for name, says in (("пётр", "is taken, or looks like one that is"), ("саrol", "mixes alphabets"),
                       (FDFB_40, "more than 40 characters")):
        refused = runner.invoke(users_cli, ["create", name, "--password", "correct horse"])
        assert refused.exit_code != 0 and says in refused.output, refused.output
    assert usernames(app) == ["Пётр"]


# --- the migration: keys backfilled, earlier names keep theirs ----------------------------------

def test_the_migration_backfills_keys_and_renames_later_collisions(app):
    with app.app_context():
        flask_migrate.downgrade(revision="0005_leaderboard_count")
        with db.engine.begin() as connection:
            for user_id, name in ((1, "Пётр"), (2, "пётр"), (3, "carol"), (4, "саrol"), (5, "alice"),
                                  (6, "ｂｏｂ"), (7, "Bob")):
                connection.execute(text(
                    'INSERT INTO "user" (id, username, password_hash, created_dt, is_admin, is_hidden, '
                    "time_accommodation) VALUES (:id, :name, 'x', '2026-01-01 00:00:00', false, false, 'standard')"),
                    {"id": user_id, "name": name})
        flask_migrate.upgrade(revision="head")
        rows = db.session.execute(select(User.id, User.username, User.username_key, User.shares_profile)
                                  .order_by(User.id)).all()
        db.session.rollback()
        db.engine.dispose()
    assert rows == [(1, "Пётр", "пётр", False), (2, "player-2", "player-2", False), (3, "carol", "carol", False),
                    (4, "player-4", "player-4", False), (5, "alice", "alice", False),
                    (6, "ｂｏｂ", "bob", False), (7, "player-7", "player-7", False)]
