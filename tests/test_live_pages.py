"""Live games' pages (the ``live`` blueprint): hosting from a quiz card, the QR code, joining
and rejoining with every refusal, the join limit per address, the history and its CSV,
"practise my mistakes".  The game itself is in test_live_games.py and test_live_socket.py."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.live import games
from quizapp.live_socket import cookie_name
from quizapp.models import Attempt, QuestionRevision
from quizapp.models.live import LiveGame, LivePlayer

from helpers import login, make_app, register


def english(app):
    """A browser that asks for English pages (the messages below are compared in English)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def host_game(client, **fields):
    data = {"seconds": "20", "scoring": "speed", "show_question": "y", "auto_advance": "0", "max_players": "50",
            "multipliers-0": "1", "multipliers-1": "2", "multipliers-2": "0", **fields}
    return client.post("/live/new/all-types", data=data)


@pytest.fixture
def host(app):
    """The host's browser.  (Not pytest-flask's ``client``: its context would keep the host
    signed in for every other test client of the app.)"""
    return english(app)


@pytest.fixture
def hosted(app, bank, host):
    client = host
    register(client, "teacher", "correct horse battery")
    response = host_game(client)
    assert response.status_code == 303
    with app.app_context():
        game = db.session.scalar(select(LiveGame))
        return {"id": game.id, "code": game.code}


def players(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LivePlayer))


def test_the_quiz_card_offers_hosting_and_the_settings_make_the_game(app, bank, host, hosted):
    client = host
    home = client.get("/").get_data(as_text=True)
    assert 'href="/live/new/all-types"' in home
    with app.app_context():
        game = db.session.get(LiveGame, hosted["id"])
        assert (game.seconds, game.scoring, game.multipliers, game.max_players, game.show_question) == (20, "speed", [1, 2, 0], 50, True)
    page = client.get(f"/live/{hosted['id']}/host").get_data(as_text=True)
    assert " ".join(hosted["code"]) in page and f"/join/{hosted['code']}" in page
    svg = client.get(f"/live/{hosted['id']}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and '<svg xmlns="http://www.w3.org/2000/svg"' in svg.get_data(as_text=True)


def test_bad_settings_are_a_form_error_not_a_game(app, bank, host):
    client = host
    register(client, "teacher", "correct horse battery")
    for bad in ({"max_players": "1"}, {"max_players": "lots"}, {"seconds": "7"}, {"multipliers-0": "5"},
                {"scoring": "luck"}):
        assert host_game(client, **bad).status_code in (200, 400)
    assert host_game(client).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveGame)) == 1
    assert client.get("/live/new/no-such-quiz").status_code == 404


def test_only_the_host_sees_the_host_pages(app, bank, hosted):
    other = english(app)
    assert other.get(f"/live/{hosted['id']}/host").status_code == 302  # to the login
    register(other, "stranger", "correct horse battery")
    for path in ("host", "qr.svg", "results", "results.csv"):
        assert other.get(f"/live/{hosted['id']}/{path}").status_code == 404


@pytest.mark.parametrize("code, nickname, message", [
    ("", "Aigerim", "Enter the 6-digit room code."),
    ("12ab56", "Aigerim", "A room code is 6 digits."),
    ("WRONG!", "Aigerim", "A room code is 6 digits."),
    (None, "<script>", "Use letters, digits, dots, dashes and underscores only."),
    (None, "Aлия", "Use the letters of one alphabet only"),
    (None, "", "Choose a nickname."),
])
def test_join_refusals_say_why_and_change_nothing(app, hosted, code, nickname, message):
    guest = english(app)
    response = guest.post("/join", data={"code": hosted["code"] if code is None else code, "nickname": nickname})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert players(app) == 0


def test_a_wrong_locked_full_or_taken_room(app, hosted, clock):
    guest = english(app)
    wrong = f"{(int(hosted['code']) + 1) % 10 ** 6:06d}"
    assert "There is no open game with this code" in guest.post("/join", data={"code": wrong, "nickname": "Dana"}).get_data(as_text=True)
    assert guest.post("/join", data={"code": hosted["code"], "nickname": "Dana"}).status_code == 303
    taken = english(app).post("/join", data={"code": hosted["code"], "nickname": "DANA"})
    assert taken.status_code == 400 and "This nickname is taken" in taken.get_data(as_text=True)
    with app.app_context():
        game = db.session.get(LiveGame, hosted["id"])
        game.locked = True
        db.session.commit()
    locked = english(app).post("/join", data={"code": hosted["code"], "nickname": "Erlan"})
    assert "locked this room" in locked.get_data(as_text=True)
    with app.app_context():
        game = db.session.get(LiveGame, hosted["id"])
        game.locked, game.max_players = False, 1
        db.session.commit()
    full = english(app).post("/join", data={"code": hosted["code"], "nickname": "Erlan"})
    assert "This room is full" in full.get_data(as_text=True)
    with app.app_context():
        games.end(db.session, db.session.get(LiveGame, hosted["id"]), clock)
        db.session.commit()
    expired = english(app).post("/join", data={"code": hosted["code"], "nickname": "Farida"})
    assert "There is no open game with this code" in expired.get_data(as_text=True)
    assert players(app) == 1


def test_joining_sets_the_cookie_and_rejoining_moves_the_player(app, hosted):
    phone = english(app)
    response = phone.post("/join", data={"code": hosted["code"], "nickname": "Nurlan"})
    assert response.headers["Location"].endswith(f"/live/play/{hosted['id']}")
    assert phone.get_cookie(cookie_name(hosted["id"])) is not None
    page = phone.get(f"/live/play/{hosted['id']}").get_data(as_text=True)
    rejoin_code = re.search(r"Your rejoin code is ([A-Z0-9]{8})", page).group(1)
    laptop = english(app)
    assert laptop.get(f"/live/play/{hosted['id']}").status_code == 302  # no cookie: to /join
    bad = laptop.post("/join/rejoin", data={"code": hosted["code"], "rejoin_code": "AAAAAAAA"})
    assert bad.status_code == 400 and "No player of this game has that rejoin code" in bad.get_data(as_text=True)
    assert laptop.post("/join/rejoin", data={"code": hosted["code"], "rejoin_code": rejoin_code.lower()}).status_code == 303
    assert "Nurlan" in laptop.get(f"/live/play/{hosted['id']}").get_data(as_text=True)
    assert players(app) == 1


def test_a_signed_in_user_joins_as_themselves(app, hosted):
    student = english(app)
    register(student, "Madina", "correct horse battery")
    assert student.post("/join", data={"code": hosted["code"]}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(LivePlayer.nickname)) == "Madina"


def test_a_flood_of_joins_from_one_address_is_limited(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True, LIVE_JOIN_LIMIT="5 per minute")
    guest = english(app)
    codes = [guest.post("/join", data={"code": "000000", "nickname": f"Bot{n}"}).status_code for n in range(8)]
    assert codes[:5] == [400] * 5 and codes[5:] == [429] * 3


def test_history_results_csv_and_practise_my_mistakes(app, host, hosted, clock):
    client = host
    student = english(app)
    register(student, "Learner", "correct horse battery")
    student.post("/join", data={"code": hosted["code"]})
    with app.app_context():
        game = db.session.get(LiveGame, hosted["id"])
        player = db.session.scalar(select(LivePlayer))
        games.start(db.session, game, clock)
        revision = db.session.get(QuestionRevision, game.plan[0])
        order = games.tile_order(game, 0, revision)
        wrong = next(i for i in range(len(order)) if i not in games.right_tiles(revision, order))
        games.answer(db.session, game, player, 0, [wrong], clock)
        games.end(db.session, game, clock)
        db.session.commit()
        answer, played = player.nickname, game.plan[0]
    assert hosted["code"] in client.get("/live/history").get_data(as_text=True)
    assert answer in client.get(f"/live/{hosted['id']}/results").get_data(as_text=True)
    csv_text = client.get(f"/live/{hosted['id']}/results.csv").get_data(as_text=True)
    assert csv_text.splitlines()[1].startswith("1,Learner,")
    mistakes = student.get(f"/live/play/{hosted['id']}/mistakes").get_data(as_text=True)
    assert "Practise my mistakes" in mistakes
    response = student.post(f"/live/play/{hosted['id']}/practise")
    assert response.status_code == 302 and "/attempt/" in response.headers["Location"]
    with app.app_context():
        run = db.session.scalar(select(Attempt))
        assert run.mode == "practice" and run.plan == [played]  # the one played and missed
