"""Live games against a served app (gunicorn, the worker `make serve` runs) and real
Socket.IO clients over WebSockets: a `kill -9` of the server in the middle of a question loses
no acknowledged answer, and after a restart the game carries on (clients reconnect by
themselves, the server's timer closes the question)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import func, select, update

from quizapp.clock import SystemClock
from quizapp.extensions import db
from quizapp.live import games, rules
from quizapp.live_socket import cookie_name, sign_player
from quizapp.models import Quiz
from quizapp.models.live import LiveAnswer, LiveGame
from quizapp.users import create_user

from helpers import TEST_BANK

PORT = int(os.environ.get("QUIZAPP_TEST_LIVE_PORT", "5510"))
ROOT = Path(__file__).resolve().parent.parent
PLAYERS = 20


def start_server(database_url: str, instance: Path, port: int = PORT, **extra: str) -> subprocess.Popen:
    env = {**os.environ, **extra, "QUIZAPP_DATABASE_URL": database_url, "QUIZAPP_SECRET_KEY": "served-secret",
           "QUIZAPP_INSTANCE_PATH": str(instance), "QUIZAPP_QUESTIONS_PATH": str(TEST_BANK),
           "QUIZAPP_LIVE_TICK_S": "0.1", "QUIZAPP_RATELIMIT_ENABLED": "false"}
    with open(instance.parent / "server.log", "ab") as log:  # the child keeps its own copy of the file
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "--threads", "64", "-b", f"127.0.0.1:{port}",
             "--no-control-socket", "--graceful-timeout", "1", "quizapp:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    for _ in range(150):  # up to 30 s for the worker to answer
        try:
            if requests.get(f"http://127.0.0.1:{port}/join", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        try:
            server.wait(timeout=0.2)
            pytest.fail("the server exited at start")
        except subprocess.TimeoutExpired:
            continue
    kill_9(server)
    pytest.fail("the server did not start")


def kill_9(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGKILL)  # master and worker at once, no goodbye
    server.wait(timeout=10)


class Player:
    def __init__(self, game_id: int, cookie: str, port: int = PORT) -> None:
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5)
        self.latest: dict = {}
        self.changed = threading.Condition()
        self.client.on("state", self._state, namespace="/live")
        self.client.on("connect", self._connected, namespace="/live")
        self.refusals: list = []
        self.client.on("connect_error", self.refusals.append, namespace="/live")
        self.headers = {"Cookie": f"{cookie_name(game_id)}={cookie}"}
        self.url = f"http://127.0.0.1:{port}?game={game_id}&role=player"

    def _state(self, message):
        with self.changed:
            self.latest = message
            self.changed.notify_all()

    def _connected(self):
        with self.changed:
            self.changed.notify_all()

    def connect(self):
        try:
            self.client.connect(self.url, namespaces=["/live"], headers=self.headers, transports=["websocket"],
                                wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            pytest.fail(f"refused: {self.refusals}")

    def wait_for(self, predicate, timeout=20.0):
        """Until the latest state passes ``predicate`` and the namespace is connected: the server
        sends its first state from its connect handler, which python-socketio's server writes
        before the namespace's CONNECT packet, so after a restart a state can arrive while a
        call would still be refused ("/live is not a connected namespace")."""
        with self.changed:
            assert self.changed.wait_for(lambda: "/live" in self.client.namespaces and predicate(self.latest),
                                         timeout=timeout), self.latest

    def answer(self, position: int, choice: list[int]):
        return self.client.call("answer", {"position": position, "choice": choice}, namespace="/live", timeout=10)


def rows(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(LiveAnswer))
        db.session.rollback()
        return count


def new_game(app, players: int, seconds: int = 240):
    clock = SystemClock()
    with app.app_context():
        host = create_user(db.session, "teacher", "correct horse battery", clock.now())
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        game = games.create_game(db.session, host, quiz, rules.Settings(seconds=seconds), clock)
        joined = [games.join(db.session, game.code, f"Player{n:02d}", None, clock) for n in range(players)]
        db.session.commit()
        with app.test_request_context():
            app.config["SECRET_KEY"] = "served-secret"
            return game.id, [sign_player(player.id, token) for player, token in joined]


def start_game(app, game_id: int) -> None:
    with app.app_context():
        games.start(db.session, db.session.get(LiveGame, game_id), SystemClock())  # as the host's Start does
        db.session.commit()


REDIS_URL = os.environ.get("QUIZAPP_TEST_LIVE_REDIS_URL", "redis://127.0.0.1:6379/5")


def test_two_servers_share_a_game_through_redis(app, bank, database_url, tmp_path):
    """Players on two servers: the answer that closes the question on one server brings the
    reveal to the player on the other, through the Redis message queue."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    game_id, cookies = new_game(app, 2)
    queue = {"QUIZAPP_SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "QUIZAPP_SOCKETIO_CHANNEL": f"quizapp-live-test-{os.getpid()}"}
    servers = [start_server(database_url, tmp_path / "one", PORT + 1, **queue),
               start_server(database_url, tmp_path / "two", PORT + 2, **queue)]
    players = [Player(game_id, cookies[0], PORT + 1), Player(game_id, cookies[1], PORT + 2)]
    try:
        for player in players:
            player.connect()
            player.wait_for(lambda s: s.get("state") == "lobby")
        start_game(app, game_id)
        players[0].client.emit("sync", {}, namespace="/live")
        players[0].wait_for(lambda s: s.get("state") == "question")
        assert players[0].answer(0, [0]) == {"ok": True, "position": 0}
        assert players[1].answer(0, [1]) == {"ok": True, "position": 0}  # the last: server two closes it
        for player in players:  # server one's player hears of it through Redis
            player.wait_for(lambda s: s.get("state") == "reveal")
        assert players[0].latest["reveal"]["mine"]["answered"] is True
    finally:
        for player in players:
            player.client.disconnect()
        for server in servers:
            kill_9(server)


def test_kill_9_mid_question_loses_no_acknowledged_answer_and_the_game_resumes(app, bank, database_url, tmp_path):
    clock = SystemClock()
    with app.app_context():
        host = create_user(db.session, "teacher", "correct horse battery", clock.now())
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        game = games.create_game(db.session, host, quiz, rules.Settings(seconds=240), clock)
        joined = [games.join(db.session, game.code, f"Player{n:02d}", None, clock) for n in range(PLAYERS)]
        db.session.commit()
        game_id = game.id
        with app.test_request_context():
            app.config["SECRET_KEY"] = "served-secret"
            cookies = [sign_player(player.id, token) for player, token in joined]
    server = start_server(database_url, tmp_path / "served")
    players = [Player(game_id, cookie) for cookie in cookies]
    try:
        for player in players:
            player.connect()
        with app.app_context():
            games.start(db.session, db.session.get(LiveGame, game_id), clock)  # as the host's Start does
            db.session.commit()
        for player in players:
            player.client.emit("sync", {}, namespace="/live")
        for player in players:
            player.wait_for(lambda s: s.get("state") == "question")
        acknowledged = 0
        for player in players[: PLAYERS // 2]:
            ack = player.answer(0, [0])
            assert ack == {"ok": True, "position": 0}
            acknowledged += 1

        kill_9(server)
        assert rows(app) == acknowledged  # every acknowledged answer was in the database before its ack
        for player in players:
            with player.changed:
                player.latest = {}  # what comes next is from the restarted server

        server = start_server(database_url, tmp_path / "served")
        for player in players:  # each client reconnects by itself and is sent the question again
            player.wait_for(lambda s: s.get("state") == "question")
        for player in players[: PLAYERS // 2]:
            assert player.answer(0, [1]) == {"ok": False, "error": "already_answered"}
        for player in players[PLAYERS // 2: -2]:
            assert player.answer(0, [1]) == {"ok": True, "position": 0}
            acknowledged += 1
        # Two players never answer; the deadline passes: the restarted server's timer closes the question.
        with app.app_context():
            db.session.execute(update(LiveGame).where(LiveGame.id == game_id)
                               .values(deadline_dt=clock.now() - timedelta(seconds=10)))
            db.session.commit()
        for player in players:
            player.wait_for(lambda s: s.get("state") == "reveal")
        assert rows(app) == acknowledged
        assert players[0].latest["reveal"]["mine"]["answered"] is True
        assert players[-1].latest["reveal"]["mine"]["answered"] is False
    finally:
        for player in players:
            player.client.disconnect()
        if server.poll() is None:
            kill_9(server)
