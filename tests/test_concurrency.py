"""Many players at once against gunicorn, and a crash in the middle: nothing acknowledged
is lost.  Runs on SQLite and on PostgreSQL (QUIZAPP_TEST_DATABASE_URL)."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import TEST_BANK
from loadclient import Player
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.leaderboard_rebuild import rebuild_leaderboards, snapshot
from quizapp.models import Attempt, AttemptAnswer
from quizapp.web import rules

GUNICORN = Path(sys.executable).with_name("gunicorn")
PLAYERS = int(os.environ.get("QUIZAPP_TEST_PLAYERS", "200"))


class Gunicorn:
    """gunicorn with 2 sync workers on a socket this test opened (so there is nothing to
    wait for: connections queue in the backlog until a worker accepts them)."""

    def __init__(self, database_url: str, instance: Path, log: Path) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(512)
        self.port = self.listener.getsockname()[1]
        env = {**os.environ, "QUIZAPP_DATABASE_URL": database_url, "QUIZAPP_SECRET_KEY": "concurrency-test",
               "QUIZAPP_INSTANCE_PATH": str(instance),
               # These players answer at machine speed; with the pace check on, every attempt
               # would be held for review and the boards this test checks would stay empty.
               "QUIZAPP_PACE_CHECK": "false"}
        env.pop("QUIZAPP_TEST_DATABASE_URL", None)
        self.log = log
        self.stderr = open(log.with_suffix(".stderr"), "w")
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", "2", "-b", f"fd://{self.listener.fileno()}", "--no-control-socket",
             "--timeout", "120", "--error-logfile", str(log), "quizapp:create_app()"],
            pass_fds=[self.listener.fileno()], env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=self.stderr,
        )

    def kill_hard(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.listener.close()
        self.stderr.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self.listener.close()
        self.stderr.close()

    def log_text(self) -> str:
        stderr = self.log.with_suffix(".stderr")
        return "".join(p.read_text() for p in (self.log, stderr) if p.exists())


@pytest.fixture
def prepared(app, database_url, tmp_path):
    with app.app_context():
        import_bank(db.session, load_bank([TEST_BANK]), app.extensions["quizapp.clock"].now())
        db.session.commit()
    return database_url, tmp_path


def answered_rows(app) -> set[tuple[int, int]]:
    with app.app_context():
        rows = db.session.execute(select(AttemptAnswer.attempt_id, AttemptAnswer.position)
                                  .where(AttemptAnswer.answered_dt.is_not(None), AttemptAnswer.timed_out.is_(False)))
        return {(a, p) for a, p in rows}


def test_200_players_at_once_lose_nothing(prepared, app):
    database_url, tmp_path = prepared
    server = Gunicorn(database_url, tmp_path / "instance", tmp_path / "gunicorn.log")
    players = [Player("127.0.0.1", server.port, f"player{n}") for n in range(PLAYERS)]

    def journey(player: Player) -> None:
        player.register()
        player.play("all-types")

    try:
        with ThreadPoolExecutor(max_workers=PLAYERS) as pool:
            list(pool.map(journey, players))
    finally:
        server.stop()
    log = server.log_text()
    assert [e for p in players for e in p.server_errors] == []
    assert "database is locked" not in log and "Traceback" not in log
    acknowledged = {(a.attempt_id, a.position) for p in players for a in p.acknowledged}
    assert len(acknowledged) == PLAYERS * 8
    assert answered_rows(app) == acknowledged
    with app.app_context():
        finished = db.session.scalars(select(Attempt).where(Attempt.finished_dt.is_not(None))).all()
        assert len(finished) == PLAYERS
        # Every finish updated the same quiz's bucket counts at the same time: they must still
        # be exactly what a rebuild from the attempts gives.
        maintained = snapshot(db.session)
        assert len(maintained[2]) > 0
        rebuild_leaderboards(db.session, rules().zone)
        assert snapshot(db.session) == maintained
        db.session.rollback()


def test_kill_9_in_the_middle_keeps_every_acknowledged_answer(prepared, app):
    database_url, tmp_path = prepared
    server = Gunicorn(database_url, tmp_path / "instance", tmp_path / "gunicorn-1.log")
    players = [Player("127.0.0.1", server.port, f"crash{n}") for n in range(40)]
    enough = threading.Event()
    attempts: dict[str, int] = {}

    def journey(player: Player) -> None:
        try:
            player.register()
            attempts[player.username] = player.start("all-types")
            while player.answer_one(attempts[player.username]):
                if sum(len(p.acknowledged) for p in players) >= 120:
                    enough.set()
        except (ConnectionError, OSError, http.client.HTTPException, AssertionError, AttributeError):
            pass  # the server died under us: that is the point

    with ThreadPoolExecutor(max_workers=40) as pool:
        futures = [pool.submit(journey, p) for p in players]
        assert enough.wait(timeout=120), "the players never got going"
        server.kill_hard()
        for future in futures:
            future.result(timeout=120)

    acknowledged = {(a.attempt_id, a.position) for p in players for a in p.acknowledged}
    assert len(acknowledged) >= 120
    stored = answered_rows(app)
    assert acknowledged <= stored, f"lost: {sorted(acknowledged - stored)[:10]}"
    # Anything stored but not acknowledged was committed just before the kill cut the reply.
    assert len(stored - acknowledged) <= len(players)

    with app.app_context():
        before = {a.id: (a.deadline_dt, a.current_position) for a in db.session.scalars(select(Attempt))}
    restarted = Gunicorn(database_url, tmp_path / "instance", tmp_path / "gunicorn-2.log")
    try:
        for player in players:
            if player.username not in attempts:
                continue
            player.port = restarted.port
            attempt_id = attempts[player.username]
            deadline, position = before[attempt_id]
            status, _, page = player.get(f"/attempt/{attempt_id}")
            if position >= 8:
                assert status == 302  # finished before the crash: straight to the results
                continue
            assert status == 200 and f"Question {position + 1} of 8" in page
            assert f'data-deadline="{deadline.isoformat()}"' in page
    finally:
        restarted.stop()
    assert "Traceback" not in restarted.log_text()
