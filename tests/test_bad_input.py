"""Bad input never gives a 500 and never changes the database."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from helpers import TEST_BANK, assert_security_headers, disk_full, make_app, read_only, register, snapshot, text_or_bytes
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import AttemptAnswer, User

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


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
              .replace("Көшбасшы Астанаға қай айда келді?", "<svg onload=alert('kk')>")
              .replace("这位领导人在哪个月访问了阿斯塔纳？", "<iframe src=javascript:alert('zh')>")
              .replace("{ru: Июнь, en: June, kk: Маусым, zh: 六月}",
                       '{ru: "<b>Июнь</b>", en: "<b>June</b>", kk: "<b>Маусым</b>", zh: "<b>六月</b>"}'))
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
    kk = client.get(location, headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "<svg onload" not in kk and "&lt;svg onload=alert(&#39;kk&#39;)&gt;" in kk
    assert "<b>Маусым</b>" not in kk and "&lt;b&gt;Маусым&lt;/b&gt;" in kk
    zh = client.get(location, headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "<iframe" not in zh and "&lt;iframe src=javascript:alert(&#39;zh&#39;)&gt;" in zh
    assert "<b>六月</b>" not in zh and "&lt;b&gt;六月&lt;/b&gt;" in zh
    client.post(location, data={"position": "0", "answer": "1"})
    feedback = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<b>June</b>" not in feedback


# --- a database that cannot write: read-only, or a full disk --------------------------------

NOT_RECORDED = {"en": "your last action was not recorded", "ru": "ваше последнее действие не записано",
                "kk": "соңғы әрекетіңіз жазылмады", "zh": "您刚才的操作没有被记录"}


def answered_positions(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(AttemptAnswer.position).where(AttemptAnswer.answered_dt.is_not(None))
                                       .order_by(AttemptAnswer.position)))


def dialect_of(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def start_and_answer_the_first_question(client) -> str:
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    assert client.post(location, data={"position": "0", "answer": "1"}).status_code == 302  # acknowledged
    assert client.get(location).status_code == 200  # question 1 is served (its clock runs) before trouble starts
    return location


def assert_refused_clearly(client, location: str) -> None:
    for lang, words in NOT_RECORDED.items():
        response = client.post(location, data={"position": "1", "answer": ["0", "2"]}, headers={"Accept-Language": lang})
        assert response.status_code == 503 and response.mimetype == "text/html"
        assert_security_headers(response)
        assert words in response.get_data(as_text=True), lang


@pytest.mark.parametrize("where", ["first", "later", "commit"])
def test_a_full_disk_while_answering_gives_a_clear_error_and_loses_no_acknowledged_answer(client, bank, app, where):
    location = start_and_answer_the_first_question(client)
    before = snapshot(app)
    with disk_full(app, where) as writes:
        assert_refused_clearly(client, location)
    assert writes[0] == "attempt_answer"  # the answer itself was being written when the disk filled
    if where == "later":
        assert len(writes) > 1  # ...and the failure came after that write had gone through
    assert snapshot(app) == before  # the acknowledged answer is there; no part of the refused one is
    assert answered_positions(app) == [0]
    # Once there is room again, the same answer goes through.
    assert client.post(location, data={"position": "1", "answer": ["0", "2"]}).status_code == 302
    assert answered_positions(app) == [0, 1]


def test_a_read_only_database_while_answering_gives_a_clear_error_and_loses_nothing(client, bank, app):
    location = start_and_answer_the_first_question(client)
    before = snapshot(app)
    with read_only(app):
        assert_refused_clearly(client, location)
        assert client.get("/leaderboard/").status_code == 200  # reading still works
    assert snapshot(app) == before
    assert client.post(location, data={"position": "1", "answer": ["0", "2"]}).status_code == 302
    assert answered_positions(app) == [0, 1]


def test_a_database_error_that_is_a_bug_is_not_passed_off_as_unavailable(client, bank, app, monkeypatch):
    """Only a database that cannot write earns the 503; any other database error stays a 500."""
    from sqlalchemy.exc import IntegrityError
    from quizapp import attempts

    def broken(*args, **kwargs):
        raise IntegrityError("INSERT INTO attempt", {}, Exception("UNIQUE constraint failed"))

    register(client)
    monkeypatch.setattr(attempts, "start_attempt", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/quiz/all-types/start", headers={"Accept-Language": "en"})
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)


def test_login_is_rate_limited(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "nobody", "password": "wrong password"}).status_code
                for _ in range(12)]
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]
    with app.app_context():
        db.engine.dispose()


def test_a_forged_forwarded_address_does_not_escape_the_login_limit(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "direct", RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "nobody", "password": ""},
                            headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(12)]
    assert statuses == [400] * 10 + [429, 429]


def test_behind_a_trusted_proxy_each_client_address_has_its_own_login_limit(database_url, tmp_path, bank):
    """Behind nginx every request comes from the proxy: without TRUSTED_PROXIES one person's
    ten wrong passwords would lock everybody out."""
    app = make_app(database_url, tmp_path / "proxied", RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    client = app.test_client()

    def login_from(address: str) -> int:
        return client.post("/login", data={"username": "nobody", "password": ""},
                           headers={"X-Forwarded-For": address}).status_code

    assert [login_from("203.0.113.7") for _ in range(11)] == [400] * 10 + [429]
    assert login_from("198.51.100.23") == 400  # someone else behind the same proxy
    # Only the address the proxy appended counts: a client cannot prepend its way out.
    assert login_from("10.9.9.9, 203.0.113.7") == 429


# --- rate limits shared by several servers through Redis ------------------------------------
#
# Each "server" here is its own gunicorn process.  Two create_app() calls in this process would
# not do: Flask-Limiter's ``limiter`` is one module-level object whose storage the last
# init_app replaces, so two in-process apps always share one counter, Redis or not.

REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_store():
    """A Redis URL and a key prefix of this test's own: the server may be shared, so only
    this prefix's keys are deleted afterwards.  Skipped when no Redis answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        client.close()
        pytest.skip(f"no Redis answers at {REDIS_URL} ({error}); point QUIZAPP_TEST_REDIS_URL at one")
    prefix = f"quizapp-test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@contextmanager
def servers(database_url: str, tmp_path, count: int, **settings):
    """``count`` separate server processes of the app (gunicorn, one sync worker each); yields
    their URLs.  Each listens on a socket opened here, so requests wait for it to boot."""
    listeners, processes = [], []
    try:
        for n in range(count):
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            listeners.append(listener)
            env = {**os.environ, "QUIZAPP_DATABASE_URL": database_url, "QUIZAPP_SECRET_KEY": "test-secret",
                   "QUIZAPP_INSTANCE_PATH": str(tmp_path / f"server-{n}"), "QUIZAPP_WTF_CSRF_ENABLED": "false",
                   **{f"QUIZAPP_{name}": str(value) for name, value in settings.items()}}
            processes.append(subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "-b", f"fd://{listener.fileno()}",
                 "--no-control-socket", "quizapp:create_app()"],
                env=env, pass_fds=[listener.fileno()], start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield [f"http://127.0.0.1:{listener.getsockname()[1]}" for listener in listeners]
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        for listener in listeners:
            listener.close()


def login_statuses(urls: list[str], count: int) -> list[int]:
    """``count`` refused logins from one address, sent to each server in turn.  The password is
    empty: a form error costs no scrypt check, yet counts against the limit like any POST."""
    body = urllib.parse.urlencode({"username": "nobody", "password": ""}).encode()
    statuses = []
    for n in range(count):
        request = urllib.request.Request(urls[n % len(urls)] + "/login", data=body)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            error.close()
    return statuses


def test_with_redis_the_login_limit_is_shared_by_two_servers(database_url, tmp_path, redis_store):
    with servers(database_url, tmp_path, 2, RATELIMIT_ENABLED="true", **redis_store) as urls:
        # 10 a minute in all: the 11th try is refused whichever server it reaches.
        assert login_statuses(urls, 12) == [400] * 10 + [429, 429]


def test_in_memory_each_server_counts_alone(database_url, tmp_path):
    """Why several servers need Redis: with the default store, two servers allow twice as many."""
    with servers(database_url, tmp_path, 2, RATELIMIT_ENABLED="true") as urls:
        assert login_statuses(urls, 20) == [400] * 20
        assert login_statuses(urls, 2) == [429, 429]


def test_when_redis_stops_answering_each_server_limits_on_its_own(database_url, tmp_path):
    with socket.socket() as closed:  # a port nobody listens on: a Redis that is down
        closed.bind(("127.0.0.1", 0))
        down = f"redis://127.0.0.1:{closed.getsockname()[1]}/0"
        with servers(database_url, tmp_path, 1, RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI=down) as urls:
            assert login_statuses(urls, 12) == [400] * 10 + [429, 429]


@pytest.mark.parametrize("path", ["/leaderboard/a%00b", "/attempt/99999999999999999999", "/attempt/1/feedback/99999999999",
                                  "/leaderboard/" + "x" * 500])
def test_values_the_database_would_refuse_are_not_found_or_bad_requests(client, bank, path):
    register(client)
    assert client.get(path).status_code in (400, 404)
