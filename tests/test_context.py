"""How a request's transaction ends (quizapp/context.py): COMMIT when it only read, so that
psycopg keeps its prepared statements; never when it wrote something a view did not commit."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from quizapp.extensions import db
from quizapp.models import Quiz

from helpers import snapshot


def _transaction_ends(app, client, path: str) -> list[str]:
    ends: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda connection: ends.append("COMMIT"),
                 "rollback": lambda connection: ends.append("ROLLBACK")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    return ends


@pytest.mark.parametrize("path", ["/leaderboard/", "/leaderboard/quick", "/api/v1/leaderboards/overall",
                                  "/api/v1/leaderboards/quick"])
def test_a_leaderboard_read_ends_with_commit_on_the_pages_and_in_the_api(app, bank, client, path):
    # The API's boards used to end with ROLLBACK: the COMMIT was written in the HTML view only.
    ends = _transaction_ends(app, client, path)
    assert ends and ends[-1] == "COMMIT", ends


def test_a_request_that_wrote_without_committing_keeps_nothing(app, bank, client):
    @app.post("/test-only/forgets-to-commit/<how>")
    def forgets_to_commit(how: str):
        if how == "flush":
            for quiz in db.session.scalars(select(Quiz)):
                quiz.is_retired = True
            db.session.flush()
        else:
            db.session.execute(update(Quiz).values(is_retired=True))
        return "done"

    before = snapshot(app)
    for how in ("flush", "statement"):
        assert client.post(f"/test-only/forgets-to-commit/{how}").status_code == 200
    assert snapshot(app) == before
