"""The bounded caches behind the rendered header, leaderboard tables and answer forms, one set per app."""
from __future__ import annotations

import threading

import pytest

from quizapp.caching import BoundedCache


def test_a_value_is_made_once_and_then_reused():
    made = []
    cache: BoundedCache[str] = BoundedCache(4)

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    assert cache.get_or_make("a", make("a")) == "A"
    assert cache.get_or_make("a", make("a")) == "A"
    assert made == ["a"]


def test_the_least_recently_used_entry_goes_first_when_full():
    cache: BoundedCache[int] = BoundedCache(2)
    cache.get_or_make("a", lambda: 1)
    cache.get_or_make("b", lambda: 2)
    cache.get_or_make("a", lambda: 99)  # used again: now "b" is the oldest
    cache.get_or_make("c", lambda: 3)
    assert "a" in cache and "c" in cache and "b" not in cache
    assert len(cache) == 2


def test_a_value_that_fails_to_be_made_is_not_kept():
    cache: BoundedCache[int] = BoundedCache(2)
    with pytest.raises(ZeroDivisionError):
        cache.get_or_make("x", lambda: 1 // 0)
    assert "x" not in cache and len(cache) == 0


def test_a_cache_holds_at_least_one_entry():
    with pytest.raises(ValueError):
        BoundedCache(0)


def test_a_value_may_be_made_from_the_same_cache_without_waiting_for_itself():
    """The lock (``flask run`` is threaded) covers the table, not the making: a value made
    from another entry of the same cache must not wait for itself (a page would hang)."""
    cache: BoundedCache[str] = BoundedCache(4)
    outer = threading.Thread(target=lambda: cache.get_or_make("fieldset", lambda: cache.get_or_make("form", lambda: "F") + "S"))
    outer.start()
    outer.join(timeout=10)
    assert not outer.is_alive() and cache.get_or_make("fieldset", lambda: "again") == "FS"


def test_every_app_has_its_own_caches(tmp_path):
    from quizapp import create_app
    from quizapp.caching import caches

    config = {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    first = create_app(config, instance_path=str(tmp_path / "a"))
    second = create_app(config, instance_path=str(tmp_path / "b"))
    caches(first).headers.get_or_make("key", lambda: "first")
    assert "key" not in caches(second).headers
    assert caches(second).headers.get_or_make("key", lambda: "second") == "second"


# The home page's list of quizzes is rendered once per (language, signed in, the quizzes' rows)
# and kept (main/_quiz_list.html): it must still follow every change at once.

def _home(client, lang="en"):
    return client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)


def test_the_kept_quiz_list_follows_a_changed_or_retired_quiz_at_once(app, client, bank):
    from sqlalchemy import select, update

    from quizapp.extensions import db
    from quizapp.models import Quiz

    assert "Quick" in _home(client)
    assert "Quick" in _home(client)  # now from the cache
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "quick"))
        db.session.execute(update(Quiz).where(Quiz.id == quiz.id).values(
            title={**quiz.title, "en": "Renamed at once"}, time_limit_s=420))
        db.session.commit()
    page = _home(client)
    assert "Renamed at once" in page and "Time limit: 7 min" in page and ">Quick<" not in page
    with app.app_context():
        db.session.execute(update(Quiz).where(Quiz.key == "quick").values(is_retired=True))
        db.session.commit()
    page = _home(client)
    assert "Renamed at once" not in page and 'id="quiz-quick"' not in page and "Every type" in page


def test_the_kept_quiz_list_is_each_languages_own(client, bank):
    assert "Every type" in _home(client, "en") and "Все типы" not in _home(client, "en")
    assert "Все типы" in _home(client, "ru") and "Every type" not in _home(client, "ru")
    assert "Every type" in _home(client, "en")  # the English list was not replaced by the Russian one
    assert "Log in to start" in _home(client, "en")


def test_each_signed_in_home_page_has_its_own_form_token_and_it_starts_a_quiz(database_url, tmp_path, bank):
    import re

    from helpers import make_app

    app = make_app(database_url, tmp_path / "csrf-instance", WTF_CSRF_ENABLED=True)
    pages, clients = {}, {}
    for name in ("aigerim", "erlan"):
        client = clients[name] = app.test_client()
        form = client.get("/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        client.post("/register", data={"username": name, "password": "correct horse battery",
                                       "confirm": "correct horse battery", "csrf_token": token})
        pages[name] = _home(client)
    visitor = _home(app.test_client())
    assert "Log in to start" in visitor and 'action="/quiz/quick/start"' not in visitor
    tokens = {name: set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) for name, html in pages.items()}
    assert all(len(found) == 1 for found in tokens.values())  # the header's forms and every Start button
    assert tokens["aigerim"] != tokens["erlan"]
    assert pages["aigerim"].count('action="/quiz/') >= 2 and "Log in to start" not in pages["aigerim"]
    started = clients["erlan"].post("/quiz/quick/start", data={"csrf_token": tokens["erlan"].pop()})
    assert started.status_code == 302 and "/attempt/" in started.headers["Location"]


def test_a_kept_question_page_has_each_sessions_own_form_token_and_moves_on_with_the_player(database_url, tmp_path,
                                                                                             bank):
    # An untimed question page is kept whole (play/question.html): two sessions of one player
    # get the same page, each with its own form token, and an answer moves both on.
    import re

    from sqlalchemy import update

    from helpers import form_data, make_app
    from quizapp import attempts
    from quizapp.extensions import db
    from quizapp.models import Attempt, Quiz

    app = make_app(database_url, tmp_path / "question-instance", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.session.execute(update(Quiz).where(Quiz.key == "all-types").values(time_limit_s=None,
                                                                               question_time_limit_s=None))
        db.session.commit()

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    first, second = app.test_client(), app.test_client()
    first.post("/register", data={"username": "aigerim", "password": "correct horse battery",
                                  "confirm": "correct horse battery", "csrf_token": token(_home(first))})
    second.post("/login", data={"username": "aigerim", "password": "correct horse battery",
                                "csrf_token": token(second.get("/login").get_data(as_text=True))})
    started = first.post("/quiz/all-types/start", data={"csrf_token": token(_home(first))})
    address = started.headers["Location"]
    english = {"Accept-Language": "en"}
    pages = [client.get(address, headers=english).get_data(as_text=True) for client in (first, second, first)]
    assert all("aigerim" in page and "Question 1 of" in page for page in pages)
    # A signed token is "session's token.timestamp.signature": the same session's token may be
    # signed in two different seconds, so only its first part is compared.
    session_token = [token(page).split(".")[0] for page in pages]
    assert session_token[0] == session_token[2] != session_token[1]
    with app.app_context():
        attempt = db.session.get(Attempt, int(address.rsplit("/", 1)[1]))
        served = attempts.current_question(db.session, attempt, app.extensions["quizapp.clock"])
        answer, kind = form_data(served), served.revision.type
    payload = {"position": "0", "csrf_token": token(pages[1])}
    if kind in ("ordering", "matching"):
        payload.update({f"answer-{i}": value for i, value in enumerate(answer)})
    else:
        payload["answer"] = answer
    assert second.post(address, data=payload).status_code == 302
    assert "Question 2 of" in first.get(address, headers=english).get_data(as_text=True)



def test_a_question_is_read_once_per_process_as_plain_values_and_graded_right(app, bank):
    # Caches.revisions: the question page reads its revision once per process, as plain values
    # (never an ORM object that another request's session could attach or expire), and the
    # answer is graded from what was kept: a right answer right, a wrong one wrong.
    from sqlalchemy import event, select

    from helpers import current_attempt, post_answer_for_page, register
    from quizapp.caching import caches
    from quizapp.extensions import db
    from quizapp.models import AttemptAnswer
    from quizapp.questions import RevisionValues

    with app.app_context():
        engine = db.engine
    statements: list[str] = []  # every statement run while the question pages are served

    def record(conn, cursor, statement, *rest) -> None:
        statements.append(statement)

    graded = {}
    for name, right in (("aigerim", True), ("erlan", False)):
        player = app.test_client()
        register(player, name)
        player.post("/quiz/all-types/start")
        attempt_id = current_attempt(app).id
        event.listen(engine, "before_cursor_execute", record)
        try:
            pages = [player.get(f"/attempt/{attempt_id}").get_data(as_text=True) for _ in range(2)]
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert post_answer_for_page(player, attempt_id, pages[1], right=right).status_code == 302
        with app.app_context():
            graded[name] = db.session.scalar(select(AttemptAnswer.is_correct).where(
                AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.position == 0))
    assert graded == {"aigerim": True, "erlan": False}
    assert sum("FROM question_revision" in statement for statement in statements) <= 2  # one per player at most
    kept = list(caches(app).revisions._entries.values())
    assert kept and all(type(revision) is RevisionValues for revision in kept)
