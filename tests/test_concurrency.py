"""Many players at once against gunicorn, and a crash in the middle: nothing acknowledged
is lost.  Runs on SQLite and on PostgreSQL (QUIZAPP_TEST_DATABASE_URL)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import TEST_BANK, form_data
from loadclient import Player
from quizapp import attempts, tokens
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.context import rules
from quizapp.extensions import db
from quizapp.ranking.rebuild import rebuild_leaderboards, snapshot
from quizapp.models import Attempt, AttemptAnswer, OverallEntry, Question, Quiz, QuizQuestion, User
from quizapp.users import create_user

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
               "QUIZAPP_PACE_CHECK": "false",
               # All the players register from 127.0.0.1 within seconds: a school whose whole
               # year registers at once behind one address raises these limits the same way.
               "QUIZAPP_LIMIT_REGISTER_PER_ADDRESS": "10000 per minute",
               "QUIZAPP_LIMIT_REGISTER_ALL": "10000 per minute"}
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


# --- one player, many requests at the same instant ----------------------------------------------
# In-process: a thread per request, each with its own test client, app context, session and
# database connection, released together by a barrier.  On PostgreSQL the requests truly
# overlap; on SQLite their writes queue behind one another (busy_timeout), as in production.

ONE_QUESTION_EACH = ["t-single", "t-multiple", "t-true-false", "t-numeric", "t-year", "t-text"]
SIMULTANEOUS = len(ONE_QUESTION_EACH)


def signed_in_clients(app, username: str, count: int) -> list:
    clients = []
    for _ in range(count):
        client = app.test_client()
        assert client.post("/login", data={"username": username, "password": "correct horse"}).status_code == 302
        clients.append(client)
    return clients


def at_once(calls: list) -> list:
    """Run every call in its own thread, all released at the same moment; their results
    (or the exceptions they raised)."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(timeout=30)
        try:
            return call()
        except Exception as error:  # a 500 in TESTING mode is raised here
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def one_question_quizzes(app, bank):
    """SIMULTANEOUS quizzes of one question each: its only answer finishes the attempt.  Each
    quiz asks another question, so the finishes share no review card (whose row lock would
    queue them one behind the other)."""
    with app.app_context():
        keys = []
        for n, key in enumerate(ONE_QUESTION_EACH):
            question = db.session.scalar(select(Question).where(Question.key == key))
            quiz = Quiz(key=f"one-{n}", title={"ru": f"Один {n}", "en": f"One {n}"}, description={},
                        draw_count=1, content_hash="x", time_limit_s=None, question_time_limit_s=None,
                        position=10 + n)
            quiz.pool.append(QuizQuestion(question_id=question.id, position=0))
            db.session.add(quiz)
            keys.append(quiz.key)
        db.session.commit()
    return keys


def finish_all(app, clients, user_id: int, keys: list[str], right: bool, *, together: bool) -> list[int]:
    """Start every quiz, then send each one's only answer: all at the same instant, or one by one."""
    clock = app.extensions["quizapp.clock"]
    posts = []
    with app.app_context():
        user = db.session.get(User, user_id)
        for key in keys:
            quiz = db.session.scalar(select(Quiz).where(Quiz.key == key))
            attempt = attempts.start_attempt(db.session, user, quiz, clock)
            served = attempts.current_question(db.session, attempt, clock)
            posts.append((attempt.id, {"position": "0", "answer": form_data(served, right)}))
        db.session.commit()
    clock.advance(3)
    calls = [lambda client=client, attempt_id=attempt_id, form=form: client.post(f"/attempt/{attempt_id}", data=form)
             for client, (attempt_id, form) in zip(clients, posts)]
    responses = at_once(calls) if together else [call() for call in calls]
    assert [r if isinstance(r, Exception) else r.status_code for r in responses] == [302] * len(keys)
    return [attempt_id for attempt_id, _ in posts]


def assert_boards_equal_a_rebuild(app) -> None:
    with app.app_context():
        maintained = snapshot(db.session)
        rebuild_leaderboards(db.session, rules().zone)
        rebuilt = snapshot(db.session)
        db.session.rollback()
    for name, mine, truth in zip(("entries", "overall", "bucket counts"), maintained, rebuilt):
        assert mine == truth, f"{name} differ from a rebuild"


@pytest.mark.parametrize("history", ["fresh player", "player with board rows"])
def test_one_player_finishing_several_quizzes_at_once_loses_nothing(app, one_question_quizzes, history):
    """Issue 14, item 4: on PostgreSQL every finish but one gave a 500 (a duplicate overall
    row) and lost its answer; a player with overall rows lost updates instead (sums short
    of the truth, bucket counts adrift)."""
    with app.app_context():
        user_id = create_user(db.session, "racer", "correct horse", app.extensions["quizapp.clock"].now()).id
        db.session.commit()
    clients = signed_in_clients(app, "racer", SIMULTANEOUS)
    if history == "player with board rows":
        finish_all(app, clients, user_id, one_question_quizzes, False, together=False)
    attempt_ids = finish_all(app, clients, user_id, one_question_quizzes, True, together=True)
    with app.app_context():
        for attempt_id in attempt_ids:
            attempt = db.session.get(Attempt, attempt_id)
            assert attempt.is_finished and attempt.score == 100
            row = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
            assert row.answered_dt is not None and not row.timed_out  # the last answer is kept
        overall = db.session.scalars(select(OverallEntry).where(OverallEntry.user_id == user_id,
                                                                OverallEntry.period == "all")).all()
        # Each quiz is one question of 100 points, answered right: a full share, 1000, on the overall board.
        assert [(o.score, o.quiz_count) for o in overall] == [(SIMULTANEOUS * 1000, SIMULTANEOUS)]
    assert_boards_equal_a_rebuild(app)


def test_starts_at_the_same_instant_share_one_attempt(app, bank):
    """Issue 14, item 5: starts fired together (browser forms and the API) each inserted an
    attempt with its own draw.  The database now lets one through; the others resume it."""
    with app.app_context():
        user = create_user(db.session, "starter", "correct horse", app.extensions["quizapp.clock"].now())
        _record, token = tokens.create_token(db.session, user, "race", app.extensions["quizapp.clock"].now())
        db.session.commit()
        user_id = user.id
    html_clients = signed_in_clients(app, "starter", SIMULTANEOUS // 2)
    api_clients = [app.test_client() for _ in range(SIMULTANEOUS - len(html_clients))]
    calls = [lambda client=client: client.post("/quiz/all-types/start") for client in html_clients]
    calls += [lambda client=client: client.post("/api/v1/quizzes/all-types/attempts",
                                                headers={"Authorization": f"Bearer {token}"})
              for client in api_clients]
    responses = at_once(calls)
    assert [r for r in responses if isinstance(r, Exception)] == []
    ids = set()
    for response in responses[:len(html_clients)]:
        assert response.status_code == 302
        ids.add(int(re.search(r"/attempt/(\d+)$", response.headers["Location"]).group(1)))
    for response in responses[len(html_clients):]:
        assert response.status_code in (200, 201)  # 201 only for the start that created it
        ids.add(response.get_json()["id"])
    assert [r.status_code for r in responses[len(html_clients):]].count(201) <= 1
    with app.app_context():
        running = db.session.scalars(select(Attempt.id).where(Attempt.user_id == user_id,
                                                              Attempt.finished_dt.is_(None))).all()
    assert len(ids) == 1 and running == list(ids)
