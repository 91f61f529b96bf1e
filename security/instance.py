"""A throwaway instance of the app on 127.0.0.1 for the scanners of ``make audit``.

A fresh SQLite database in a temporary folder, migrated, with the shipped question bank
and one user (``scanner``, an admin, so that every page can be reached), served by gunicorn on a port this process opened.  Rate
limits are off so that a scanner's hundreds of requests are all really tested.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERNAME, PASSWORD = "scanner", "scanner-password"

# Prints a new API token of the scanner user, and the id of an attempt of theirs that is over
# (every question timed out), so that the result operation has something to show.
_SCANNER_SETUP = """
from datetime import timedelta
from sqlalchemy import select
from quizapp import attempts, create_app, tokens
from quizapp.clock import FrozenClock
from quizapp.context import current_clock, rules
from quizapp.extensions import db
from quizapp.models import Quiz
from quizapp.users import find_user
app = create_app()
with app.app_context():
    now = current_clock().now()
    user = find_user(db.session, "scanner")
    _record, token = tokens.create_token(db.session, user, "audit", now)
    quiz = db.session.scalar(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position))
    attempt = attempts.start_attempt(db.session, user, quiz, FrozenClock(now - timedelta(days=1)), rules=rules())
    assert attempts.close_if_expired(db.session, attempt, FrozenClock(now), rules())
    db.session.commit()
    print(token, attempt.id)
"""


@dataclass
class Instance:
    url: str
    env: dict[str, str]
    tmp: str

    def flask(self, *args: str) -> str:
        return subprocess.run([str(BIN / "flask"), "--app", "quizapp", *args], env=self.env, cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout

    def scanner_setup(self) -> tuple[str, int]:
        """A new API token of the scanner, and the id of a finished attempt of theirs."""
        token, attempt_id = subprocess.run([sys.executable, "-c", _SCANNER_SETUP], env=self.env, cwd=ROOT, check=True,
                                           capture_output=True, text=True).stdout.split()
        return token, int(attempt_id)


@contextmanager
def local_instance(workers: int = 2) -> Iterator[Instance]:
    with tempfile.TemporaryDirectory(prefix="quizapp-audit-") as tmp:
        env = {**os.environ, "QUIZAPP_DATABASE_URL": f"sqlite:///{tmp}/scan.sqlite", "QUIZAPP_SECRET_KEY": "scan",
               "QUIZAPP_INSTANCE_PATH": f"{tmp}/instance", "QUIZAPP_RATELIMIT_ENABLED": "false", "HOME": tmp}
        instance = Instance("", env, tmp)
        instance.flask("db", "upgrade")
        instance.flask("bank", "import")
        instance.flask("users", "create", USERNAME, "--password", PASSWORD, "--admin")  # admin pages too
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(256)
        instance.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"fd://{listener.fileno()}", "--no-control-socket",
             "quizapp:create_app()"], env=env, cwd=ROOT, pass_fds=[listener.fileno()], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield instance
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            listener.close()
