"""Live games over Socket.IO (quizapp/live_socket.py), with Flask-SocketIO's test client:
who may send what, acknowledgements against rows, the leak scan over every message a player
receives, the per-connection limit, 300 players in one game.  The clock is frozen; the
server's timer is one call (``timer_beat``)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.live import games, rules
from quizapp.live_socket import NAMESPACE, cookie_name, sign_player, socketio, timer_beat
from quizapp.models import QuestionRevision, Quiz
from quizapp.models.live import LiveAnswer, LiveGame
from quizapp.users import create_user

from helpers import login, make_app


@pytest.fixture
def live(app, bank, clock):
    """A game of all-types, its host signed in on a Flask test client."""
    with app.app_context():
        host = create_user(db.session, "teacher", "correct horse battery", clock.now())
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        game = games.create_game(db.session, host, quiz, rules.Settings(seconds=20), clock)
        db.session.commit()
        game_id, code = game.id, game.code
    web = app.test_client()
    login(web, "teacher", "correct horse battery")
    return {"id": game_id, "code": code, "web": web}


def player_socket(app, live, nickname):
    with app.app_context():
        player, token = games.join(db.session, live["code"], nickname, None, app.extensions["quizapp.clock"])
        db.session.commit()
        with app.test_request_context():
            cookie = sign_player(player.id, token)
        player_id = player.id
    client = socketio.test_client(app, namespace=NAMESPACE, query_string=f"game={live['id']}&role=player",
                                  headers={"Cookie": f"{cookie_name(live['id'])}={cookie}"})
    return client, player_id


def host_socket(app, live):
    return socketio.test_client(app, namespace=NAMESPACE, query_string=f"game={live['id']}&role=host",
                                flask_test_client=live["web"])


def send(client, event, data=None):
    return client.emit(event, data or {}, namespace=NAMESPACE, callback=True)


def states(client):
    return [m["args"][0] for m in client.get_received(NAMESPACE) if m["name"] == "state"]


def right_tiles(app, game_id):
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        revision = db.session.get(QuestionRevision, game.plan[game.position])
        return games.right_tiles(revision, games.tile_order(game, game.position, revision))


def row_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LiveAnswer))


def test_sockets_without_the_right_cookie_or_session_are_refused(app, live):
    stranger = socketio.test_client(app, namespace=NAMESPACE, query_string=f"game={live['id']}&role=player")
    assert not stranger.is_connected(NAMESPACE)
    forged = socketio.test_client(app, namespace=NAMESPACE, query_string=f"game={live['id']}&role=player",
                                  headers={"Cookie": f"{cookie_name(live['id'])}=1.forged"})
    assert not forged.is_connected(NAMESPACE)
    not_host = socketio.test_client(app, namespace=NAMESPACE, query_string=f"game={live['id']}&role=host")
    assert not not_host.is_connected(NAMESPACE)
    nowhere = socketio.test_client(app, namespace=NAMESPACE, query_string="game=999999&role=host",
                                   flask_test_client=live["web"])
    assert not nowhere.is_connected(NAMESPACE)


def test_only_the_host_starts_advances_removes_and_ends(app, live):
    player, player_id = player_socket(app, live, "Cheeky")
    for command in ("start", "next", "end", "lock"):
        assert send(player, command) == {"ok": False, "error": "not_host"}
    assert send(player, "remove", {"player_id": player_id}) == {"ok": False, "error": "not_host"}
    host = host_socket(app, live)
    assert send(host, "answer", {"position": 0, "choice": [0]}) == {"ok": False, "error": "not_player"}
    assert send(host, "next") == {"ok": False, "error": "wrong_state"}  # out of turn: the lobby
    assert send(host, "start")["ok"]
    assert send(host, "start") == {"ok": False, "error": "wrong_state"}
    with app.app_context():
        assert db.session.get(LiveGame, live["id"]).state == "question"


def test_a_second_host_tab_or_a_reload_keeps_the_game(app, live):
    player_socket(app, live, "Aru")
    first = host_socket(app, live)
    assert send(first, "start")["ok"]
    first.disconnect(NAMESPACE)
    again = host_socket(app, live)  # the reload
    second = host_socket(app, live)  # another tab
    for tab in (again, second):
        state = states(tab)[-1]
        assert (state["state"], state["position"], [p["nickname"] for p in state["players"]]) == ("question", 0, ["Aru"])


def test_each_acknowledged_answer_is_a_row_and_counts_once(app, live):
    host = host_socket(app, live)
    player, _ = player_socket(app, live, "Berik")
    other, _ = player_socket(app, live, "Saule")
    assert send(player, "answer", {"position": 0, "choice": [0]}) == {"ok": False, "error": "wrong_state"}
    send(host, "start")
    assert send(player, "answer", {"position": 1, "choice": [0]}) == {"ok": False, "error": "not_current"}
    assert send(player, "answer", {"position": 0, "choice": [42]}) == {"ok": False, "error": "invalid"}
    assert send(player, "answer", "nonsense") == {"ok": False, "error": "invalid"}
    # The payload names no player: a field saying another player is ignored, the socket decides.
    assert send(player, "answer", {"position": 0, "choice": [0], "player_id": 12345}) == {"ok": True, "position": 0}
    assert send(player, "answer", {"position": 0, "choice": [1]}) == {"ok": False, "error": "already_answered"}
    assert row_count(app) == 1
    host.get_received(NAMESPACE)
    assert send(other, "answer", {"position": 0, "choice": [0]})["ok"]
    # Everyone has answered: the question closes at once and everyone sees the reveal.
    assert states(player)[-1]["state"] == "reveal"
    assert [m["name"] for m in host.get_received(NAMESPACE)][-1] == "changed"


def test_the_timer_closes_the_question_after_the_grace_and_a_late_answer_is_refused(app, live, clock):
    host = host_socket(app, live)
    player, _ = player_socket(app, live, "Timur")
    player_socket(app, live, "Dana")
    send(host, "start")
    clock.advance(seconds=21.9)
    with app.app_context():
        assert timer_beat() == []
    assert send(player, "answer", {"position": 0, "choice": [0]})["ok"]  # inside deadline + 2 s grace
    clock.advance(seconds=0.2)
    with app.app_context():
        assert len(timer_beat()) == 1
    assert states(player)[-1]["state"] == "reveal"


def test_the_socket_limit_refuses_a_flood_from_one_connection(app, live):
    player, _ = player_socket(app, live, "Flood")
    answers = [send(player, "sync") for _ in range(30)]
    refused = [a for a in answers if a == {"ok": False, "error": "rate_limited"}]
    assert len(refused) >= 15  # a burst of 10 (and what trickles in while it runs), then refused
    assert row_count(app) == 0


def test_a_removed_player_is_told_and_cannot_come_back(app, live):
    host = host_socket(app, live)
    player, player_id = player_socket(app, live, "Troll")
    assert send(host, "remove", {"player_id": player_id})["ok"]
    assert "removed" in [m["name"] for m in player.get_received(NAMESPACE)]
    with app.app_context():
        removed = db.session.get(games.LivePlayer, player_id)
        assert removed.removed
    assert send(host, "start") == {"ok": False, "error": "no_players"}


def test_leak_scan_nothing_a_player_receives_before_the_reveal_says_which_tile_is_right(app, live, clock):
    """Every message and acknowledgement each player gets, question by question: before the
    reveal no message has a right answer, a grade or a changed score; at the reveal it does."""
    host = host_socket(app, live)
    players = [player_socket(app, live, name) for name in ("Alma", "Bota", "Dias")]
    with app.app_context():
        game = db.session.get(LiveGame, live["id"])
        keys = set()
        for revision_id in game.plan:
            content = db.session.get(QuestionRevision, revision_id).content
            keys |= set(content.get("options", {})) | {str(content.get("answer"))}
    send(host, "start")
    scores = {pid: 0 for _, pid in players}
    for position in range(3):
        right = right_tiles(app, live["id"])
        received = []
        for index, (client, player_id) in enumerate(players):
            received += [m["args"][0] for m in client.get_received(NAMESPACE)]
            choice = right[:1] if index == 0 else [next(i for i in range(4) if i not in right)]
            received.append(send(client, "answer", {"position": position, "choice": choice}))
            if index < 2:  # the last one's answer closes the question: its messages are the reveal
                received += [m["args"][0] for m in client.get_received(NAMESPACE)]
        for message in received:
            text = json.dumps(message)
            assert '"right"' not in text and "correct" not in text and '"points"' not in text
            assert not any(f'"{key}"' in text for key in keys - {"True", "False", "None"}), text
            if isinstance(message, dict) and message.get("me"):
                assert message["me"]["score"] == scores[message["me"]["id"]]
        for client, player_id in players:
            revealed = [m["args"][0] for m in client.get_received(NAMESPACE) if m["name"] == "state"][-1]
            assert revealed["state"] == "reveal" and revealed["reveal"]["right"] == right
            scores[player_id] = revealed["me"]["score"]
        assert send(host, "next")["ok"]
    assert scores[players[0][1]] > 0 and scores[players[1][1]] == 0


def test_three_hundred_players_play_a_game_and_rows_equal_acknowledgements(app, live, clock):
    with app.app_context():
        db.session.get(LiveGame, live["id"]).max_players = 300
        db.session.commit()
    host = host_socket(app, live)
    players = [player_socket(app, live, f"Player{n:03d}") for n in range(300)]
    host.get_received(NAMESPACE)
    send(host, "sync")  # what the host page does when told the lobby changed
    assert len(states(host)[-1]["players"]) == 300
    send(host, "start")
    acknowledged = 0
    for position in range(3):
        for n, (client, _) in enumerate(players):
            if n % 7 == position:  # a few do not answer this one
                continue
            clock.advance(seconds=0.01)
            ack = send(client, "answer", {"position": position, "choice": [n % 2]})
            assert ack == {"ok": True, "position": position}, ack
            acknowledged += 1
        clock.advance(seconds=25)
        with app.app_context():
            timer_beat()
        assert send(host, "next")["ok"]
    assert row_count(app) == acknowledged
    final = states(players[0][0])[-1]
    assert final["state"] == "podium" and final["podium"]["mine"]["of"] == 300
    send(host, "sync")
    assert states(host)[-1]["state"] == "podium"
