"""The live games' transport: Flask-SocketIO on the namespace ``/live`` (docs/live.md).

Thin: each event checks who sent it (the socket's role, fixed at ``connect``), spends one
token of the connection's allowance, calls ``quizapp.live.games`` and commits *before* it
acknowledges or broadcasts.  One process uses an in-process queue (``make run``); with
``SOCKETIO_MESSAGE_QUEUE`` (or ``REDIS_URL``) set, every server publishes through that Redis,
so players on different servers share a game.  The server's timer runs in every process,
reads the games from the database and moves them by compare-and-set, so a restarted server
carries on and two servers never both move a game."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, SocketIO, disconnect, emit, join_room
from itsdangerous import BadSignature, URLSafeSerializer

from quizapp.context import current_clock, rules
from quizapp.extensions import db
from quizapp.i18n import current_locale
from quizapp.live import games
from quizapp.live.after import feed_reviews
from quizapp.live.messages import Snapshot
from quizapp.models.live import QUESTION, LiveGame, LivePlayer

NAMESPACE = "/live"
socketio = SocketIO()
log = logging.getLogger(__name__)


def cookie_name(game_id: int) -> str:
    return f"live_player_{game_id}"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="live-player")


def sign_player(player_id: int, token: str) -> str:
    return _serializer().dumps(f"{player_id}.{token}")


def read_player_cookie(game_id: int) -> tuple[int, str] | None:
    raw = request.cookies.get(cookie_name(game_id))
    try:
        value = _serializer().loads(raw) if raw else None
    except BadSignature:
        return None
    head, _, token = str(value or "").partition(".")
    return (int(head), token) if head.isdigit() and token else None


@dataclass
class Connection:
    """One socket: who it is (fixed at connect) and its allowance (a token bucket)."""
    game_id: int
    role: str
    player_id: int | None
    locale: str
    tokens: float
    stamp: float = field(default_factory=time.monotonic)

    def spend(self, rate: float, burst: float) -> bool:
        now = time.monotonic()
        self.tokens = min(burst, self.tokens + (now - self.stamp) * rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


_connections: dict[str, Connection] = {}
_timers: set[int] = set()
_timer_lock = threading.Lock()


def init_app(app: Flask) -> None:
    queue = app.config.get("SOCKETIO_MESSAGE_QUEUE") or app.config.get("REDIS_URL")
    socketio.init_app(app, message_queue=queue, async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "threading"),
                      channel=app.config.get("SOCKETIO_CHANNEL", "quizapp-live"), manage_session=False)


# --- broadcasting --------------------------------------------------------------------------

def host_message(game: LiveGame, locale: str) -> dict[str, Any]:
    snapshot = Snapshot(db.session, game, current_clock().now())
    return snapshot.for_host(locale, games.active_players(db.session, game.id), f"/join/{game.code}")


def broadcast(game: LiveGame) -> None:
    """Every player of the game gets their own ``state``; host tabs are told to ``sync``."""
    snapshot = Snapshot(db.session, game, current_clock().now())
    for player in games.active_players(db.session, game.id):
        socketio.emit("state", snapshot.for_player(player), to=f"player:{player.id}", namespace=NAMESPACE)
    socketio.emit("changed", {"state": game.state, "answers": len(snapshot.answers)},
                  to=f"host:{game.id}", namespace=NAMESPACE)


def _after_answer(game: LiveGame) -> None:
    """Tell the hosts the count; close the question once every player has answered."""
    count = games.answer_count(db.session, game.id, game.position)
    if count >= games.player_count(db.session, game.id) and games.close(db.session, game, current_clock(), feed_reviews):
        db.session.commit()
        broadcast(game)
        return
    socketio.emit("changed", {"state": game.state, "answers": count}, to=f"host:{game.id}", namespace=NAMESPACE)


def start_timer(app: Flask) -> None:
    """The timer starts with the first live socket a process sees (a restarted server's first
    reconnecting player or host); a process that serves no live game runs none."""
    if not app.config["LIVE_TIMER"] or id(app) in _timers:
        return
    with _timer_lock:
        if id(app) in _timers:
            return
        _timers.add(id(app))
    socketio.start_background_task(_run_timer, app)


def _run_timer(app: Flask) -> None:  # pragma: no cover - exercised by the served tests
    while True:
        socketio.sleep(float(app.config["LIVE_TICK_S"]))
        with app.app_context():
            try:
                timer_beat()
            except Exception:  # a failed beat is logged; the next one tries again
                log.exception("live timer")
                db.session.rollback()


def timer_beat() -> list[LiveGame]:
    """One beat of the server's timer (tests call it with a frozen clock)."""
    moved = games.tick(db.session, current_clock(), rules(), on_close=feed_reviews)
    db.session.commit()
    for game in moved:
        broadcast(game)
    return moved


# --- events ----------------------------------------------------------------------------------

@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth: Any = None) -> None:
    start_timer(current_app._get_current_object())  # type: ignore[attr-defined]
    game_id = request.args.get("game", "")
    game = db.session.get(LiveGame, int(game_id)) if game_id.isdigit() else None
    if game is None:
        raise ConnectionRefusedError("no_game")
    config = current_app.config
    if request.args.get("role") == "host":
        if not current_user.is_authenticated or current_user.id != game.host_id:
            raise ConnectionRefusedError("not_host")
        _connections[request.sid] = Connection(game.id, "host", None, current_locale(), config["LIVE_SOCKET_BURST"])
        join_room(f"host:{game.id}")
        join_room(f"game:{game.id}")
        emit("state", host_message(game, current_locale()))
        return
    found = read_player_cookie(game.id)
    player = games.player_by_token(db.session, game.id, *found) if found else None
    if player is None:
        raise ConnectionRefusedError("not_player")
    if player.removed:
        raise ConnectionRefusedError("removed")
    _connections[request.sid] = Connection(game.id, "player", player.id, player.locale, config["LIVE_SOCKET_BURST"])
    join_room(f"player:{player.id}")
    join_room(f"game:{game.id}")
    emit("state", Snapshot(db.session, game, current_clock().now()).for_player(player))
    if game.state == "lobby":
        socketio.emit("changed", {"state": game.state}, to=f"host:{game.id}", namespace=NAMESPACE)


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*args: Any) -> None:
    _connections.pop(request.sid, None)


def _allowed() -> Connection | None:
    connection = _connections.get(request.sid)
    config = current_app.config
    if connection is None or not connection.spend(config["LIVE_SOCKET_RATE"], config["LIVE_SOCKET_BURST"]):
        return None
    return connection


def _refused(code: str) -> dict[str, Any]:
    db.session.rollback()
    return {"ok": False, "error": code}


@socketio.on("sync", namespace=NAMESPACE)
def on_sync(data: Any = None) -> dict[str, Any] | None:
    connection = _allowed()
    if connection is None:
        return _refused("rate_limited")
    game = db.session.get(LiveGame, connection.game_id)
    assert game is not None
    if connection.role == "host":
        emit("state", host_message(game, connection.locale))
    else:
        player = db.session.get(LivePlayer, connection.player_id)
        if player is None or player.removed:
            emit("removed", {})
            disconnect()
            return None
        emit("state", Snapshot(db.session, game, current_clock().now()).for_player(player))
    return {"ok": True}


@socketio.on("answer", namespace=NAMESPACE)
def on_answer(data: Any = None) -> dict[str, Any]:
    connection = _allowed()
    if connection is None:
        return _refused("rate_limited")
    if connection.role != "player":
        return _refused("not_player")
    if not isinstance(data, dict):
        return _refused("invalid")
    game = db.session.get(LiveGame, connection.game_id)
    player = db.session.get(LivePlayer, connection.player_id)
    assert game is not None and player is not None
    try:
        accepted = games.answer(db.session, game, player, data.get("position"), data.get("choice"),
                                current_clock(), rules())
        db.session.commit()  # the row is the record: committed before the acknowledgement
    except games.Refused as refused:
        return _refused(refused.code)
    _after_answer(game)
    return {"ok": True, "position": accepted.position}


def _host_command(data: Any, command: str) -> dict[str, Any]:
    connection = _allowed()
    if connection is None:
        return _refused("rate_limited")
    if connection.role != "host":
        return _refused("not_host")
    game = db.session.get(LiveGame, connection.game_id)
    assert game is not None
    data = data if isinstance(data, dict) else {}
    clock = current_clock()
    removed = None
    try:
        if command == "start":
            games.start(db.session, game, clock)
        elif command == "next":
            games.advance(db.session, game, clock, feed_reviews)
        elif command == "end":
            games.end(db.session, game, clock, feed_reviews)
        elif command == "lock":
            games.set_locked(db.session, game, data.get("locked") is True)
        else:
            removed = games.remove(db.session, game, data.get("player_id"))
        db.session.commit()
    except games.Refused as refused:
        return _refused(refused.code)
    if removed is not None:
        socketio.emit("removed", {}, to=f"player:{removed.id}", namespace=NAMESPACE)
        socketio.close_room(f"player:{removed.id}", namespace=NAMESPACE)
    broadcast(game)
    return {"ok": True, "state": game.state}


for _command in ("start", "next", "end", "lock", "remove"):
    socketio.on_event(_command, (lambda name: lambda data=None: _host_command(data, name))(_command), namespace=NAMESPACE)
