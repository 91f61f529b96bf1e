"""Bad input never gives a 500 and never changes the database."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from conftest import TEST_BANK, make_app
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, User
from test_views import register

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text_or_bytes = st.one_of(st.text(max_size=300), st.binary(max_size=300), st.just("x" * 5000),
                          st.sampled_from(["\x00", "\ud800".encode("utf-8", "surrogatepass"), "<script>alert(1)</script>",
                                           "' OR 1=1 --", "%00", "../../etc/passwd", "1e999", "-1", "999999999999"]))


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(User)),
                db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                                  .where(AttemptAnswer.answered_dt.is_not(None))))


@FUZZ
@given(username=text_or_bytes, password=text_or_bytes, confirm=text_or_bytes)
def test_register_and_login_survive_anything(client, app, username, password, confirm):
    before = counts(app)
    response = client.post("/register", data={"username": username, "password": password, "confirm": confirm})
    assert response.status_code < 500
    if response.status_code != 302:
        assert counts(app) == before
    else:
        client.post("/logout")
    assert client.post("/login", data={"username": username, "password": password}).status_code < 500


@FUZZ
@given(position=text_or_bytes, answer=st.one_of(text_or_bytes, st.lists(text_or_bytes, max_size=5)),
       extra=st.dictionaries(st.sampled_from(["answer-0", "answer-1", "answer-7", "timeout", "answer-99"]),
                             text_or_bytes, max_size=3))
def test_answers_survive_anything(client, bank, app, position, answer, extra):
    if not client.get_cookie("session"):
        register(client)
    location = client.post("/quiz/all-types/start").headers.get("Location") or ""
    attempt_path = re.search(r"/attempt/\d+", location).group(0) if "/attempt/" in location else "/attempt/1"
    before = counts(app)
    response = client.post(attempt_path, data={"position": position, "answer": answer, **extra})
    assert response.status_code < 500
    if response.status_code == 400:
        assert counts(app) == before


@FUZZ
@given(path=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60),
       query=st.dictionaries(st.sampled_from(["page", "period", "board", "next", "lang"]), st.text(max_size=40)))
def test_get_pages_with_odd_paths_and_parameters(client, bank, path, query):
    for base in ("/leaderboard/", "/leaderboard/all-types", "/", "/login"):
        response = client.get(base, query_string=query)
        assert response.status_code < 500
    assert client.get("/" + path.lstrip("/")).status_code < 500


def test_markup_in_question_text_is_shown_as_text(client, app, tmp_path, clock):
    hostile = (tmp_path / "bank").resolve()
    hostile.mkdir()
    source = ((TEST_BANK / "mini.yaml").read_text(encoding="utf-8")
              .replace("В каком месяце лидер посетил Астану?", "<script>alert('ru')</script>")
              .replace("In which month did the leader visit Astana?", "<img src=x onerror=alert(1)>")
              .replace("{ru: Июнь, en: June}", '{ru: "<b>Июнь</b>", en: "<b>June</b>"}'))
    (hostile / "mini.yaml").write_text(source, encoding="utf-8")
    bank = load_bank([hostile])
    assert bank.ok, bank.problems
    with app.app_context():
        import_bank(db.session, bank, clock.now())
        db.session.commit()
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    page = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>June</b>" not in page and "&lt;b&gt;June&lt;/b&gt;" in page
    ru = client.get(location, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "<script>alert" not in ru and "&lt;script&gt;alert(&#39;ru&#39;)&lt;/script&gt;" in ru
    client.post(location, data={"position": "0", "answer": "1"})
    feedback = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<b>June</b>" not in feedback


def test_a_failing_database_gives_a_clear_error_and_records_nothing(client, bank, app, monkeypatch):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.get(location)
    before = counts(app)

    def read_only(*args, **kwargs):
        raise OperationalError("UPDATE attempt_answer", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(db.session, "commit", read_only)
    response = client.post(location, data={"position": "0", "answer": "1"}, headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "was not recorded" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert counts(app) == before
    # Once the database is back, the same answer goes through.
    assert client.post(location, data={"position": "0", "answer": "1"}).status_code == 302
    assert counts(app)[1] == before[1] + 1


def test_login_is_rate_limited(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "nobody", "password": "wrong password"}).status_code
                for _ in range(12)]
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/leaderboard/a%00b", "/attempt/99999999999999999999", "/attempt/1/feedback/99999999999",
                                  "/leaderboard/" + "x" * 500])
def test_values_the_database_would_refuse_are_not_found_or_bad_requests(client, bank, path):
    register(client)
    assert client.get(path).status_code in (400, 404)


def test_answers_are_rate_limited_per_attempt(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "limited-answers", RATELIMIT_ENABLED=True)
    client = app.test_client()
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    statuses = [client.post(location, data={"position": "0", "answer": "99"}).status_code for _ in range(62)]
    assert set(statuses[:60]) == {400} and statuses[60:] == [429, 429]
    # Another attempt (another quiz) has its own allowance.
    other = client.post("/quiz/quick/start").headers["Location"]
    assert client.post(other, data={"position": "0"}).status_code == 400  # no answer: a form error, not 429
    with app.app_context():
        db.engine.dispose()
