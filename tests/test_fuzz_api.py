"""Every operation of the OpenAPI document, fuzzed through the test client.

Each request gets a random mix of credentials (a valid token, another user's, a forged
one, none, the session cookie without its CSRF header), path values (own, someone
else's, finished, edge and junk ids and keys), query parameters, headers and bodies: JSON
of any type and depth, answers of the wrong type, non-UTF-8 bytes, oversized bodies, the
wrong content type, the wrong method.  It must never give a 5xx; every answer is JSON and
matches the schema the document gives for its status; a refusal leaves the database as it
was; a success touches only the tables its operation may.
"""
from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from sqlalchemy import select

from quizapp import attempts, tokens
from quizapp.extensions import db
from quizapp.models import Quiz
from quizapp.users import create_user

from helpers import JSON_VALUE, assert_security_headers, changed_tables, finish, sign_in, snapshot
from api_helpers import OpenApi, PREFIX

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Every operation of the document; test_every_operation_is_fuzzed keeps this list complete.
OPERATIONS = [
    ("GET", "/openapi.json"),
    ("GET", "/me"),
    ("GET", "/quizzes"),
    ("POST", "/quizzes/{key}/attempts"),
    ("GET", "/attempts/{attempt_id}"),
    ("POST", "/attempts/{attempt_id}/answers"),
    ("GET", "/attempts/{attempt_id}/result"),
    ("GET", "/leaderboards/overall"),
    ("GET", "/leaderboards/{key}"),
]
# What a successful call may change (a bearer token's last use is kept on api_token).
PLAYING = frozenset({"api_token", "attempt", "attempt_answer"})
MAY_CHANGE = {
    "POST /quizzes/{key}/attempts": PLAYING,
    "GET /attempts/{attempt_id}": PLAYING,  # serving a question starts its clock; a late attempt is closed
    "POST /attempts/{attempt_id}/answers": PLAYING | {"review_card", "leaderboard_entry", "overall_entry"},
    "GET /attempts/{attempt_id}/result": PLAYING | {"leaderboard_entry", "overall_entry"},
}


@pytest.fixture
def openapi(client) -> OpenApi:
    return OpenApi(client.get(PREFIX + "/openapi.json").get_json())


@dataclass
class ApiWorld:
    token: str
    others_token: str
    ids: dict[str, list[Any]] = field(default_factory=dict)


@pytest.fixture
def api_world(app, bank, clock, client) -> ApiWorld:
    with app.app_context():
        session = db.session
        player = create_user(session, "aigerim", "correct horse", clock.now())
        other = create_user(session, "bolat", "correct horse", clock.now())
        _record, token = tokens.create_token(session, player, "fuzz", clock.now())
        _record, others_token = tokens.create_token(session, other, "theirs", clock.now())
        finished = finish(session, clock, player, key="quick")
        running = attempts.start_attempt(session, player, session.scalar(select(Quiz).where(Quiz.key == "all-types")),
                                         clock)
        others = attempts.start_attempt(session, other, session.scalar(select(Quiz).where(Quiz.key == "all-types")),
                                        clock)
        session.commit()
        made = ApiWorld(token, others_token, {"attempt_id": [running.id, finished.id, others.id],
                                              "key": ["all-types", "quick"]})
    for secret in (token, others_token):  # first use of each token and first serving, before any snapshot
        for attempt_id in made.ids["attempt_id"]:
            client.get(f"{PREFIX}/attempts/{attempt_id}", headers={"Authorization": f"Bearer {secret}"})
    return made


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)  # what HTTP carries
JUNK_TEXT = st.text(max_size=40) | st.sampled_from(["", "\x00", "a%00b", "k" * 300, "../..", "<script>", "-1", "1e9"])
ID_VALUES = st.one_of(st.integers(min_value=-5, max_value=2**70).map(str), JUNK_TEXT,
                      st.sampled_from(["0", str(2**31 - 1), str(2**31), str(2**63), "01", "1.0", " 1"]))
QUERY = st.dictionaries(st.sampled_from(["period", "board", "page", "x", "key"]),
                        st.sampled_from(["all", "week", "day", "standard", "extended", "1", "2", "0", "-1",
                                         "999999999999", "1e3"]) | JUNK_TEXT, max_size=3)
ANSWER_BODY = st.fixed_dictionaries({}, optional={
    "position": st.one_of(st.integers(min_value=-2, max_value=10), JSON_VALUE),
    "answer": st.one_of(st.integers(min_value=-2, max_value=10), st.lists(st.integers(-2, 10), max_size=5),
                        st.booleans(), st.sampled_from(["true", "Almaty", "43,8", "1992"]), JSON_VALUE),
    "extra": JSON_VALUE,
})
BODIES = st.one_of(
    st.none(),
    ANSWER_BODY.map(lambda value: ("application/json", json.dumps(value).encode())),
    JSON_VALUE.map(lambda value: ("application/json", json.dumps(value).encode())),
    st.tuples(st.sampled_from(["application/json", "application/json; charset=latin-1", "text/plain",
                               "application/x-www-form-urlencoded", "multipart/form-data", "application/merge-patch+json"]),
              st.one_of(st.binary(max_size=300),
                        st.just(b"[" * 5000 + b"]" * 5000),  # deeper than any parser should go
                        st.just(b'{"position": 0, "answer": "' + b"x" * 20_000 + b'"}'),  # over 16 KiB
                        st.just(b'{"position": 0, "answer": "\xff\xfe"}'),  # not UTF-8
                        st.just(b'{"position": 0, "answer": NaN}'),
                        st.just(b'{"position": 0, "position": 1, "answer": 1}'))),
)


def auth_headers(draw, world: ApiWorld) -> dict[str, str]:
    choice = draw(st.sampled_from(["own"] * 5 + ["other", "forged", "none", "odd"]))
    if choice == "own":
        return {"Authorization": f"Bearer {world.token}"}
    if choice == "other":
        return {"Authorization": f"Bearer {world.others_token}"}
    if choice == "forged":
        return {"Authorization": "Bearer " + draw(HEADER_TEXT)}
    if choice == "odd":
        return {"Authorization": draw(st.sampled_from(["Bearer", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "bearer  ",
                                                        f"Token {world.token}", "Bearer qz_ü"]))}
    return {}


@pytest.mark.parametrize("method, template", OPERATIONS, ids=[f"{m} {t}" for m, t in OPERATIONS])
@FUZZ
@given(data=st.data())
def test_every_operation_survives_anything(client, app, api_world, openapi, method, template, data):
    draw = data.draw

    def path_value(match: re.Match) -> str:
        real = api_world.ids[match.group(1)]
        # Mostly the first real value (the player's running attempt, a quiz), so that requests
        # get past the lookup to their body and parameters; then the others, then junk.
        value = draw(st.one_of(st.just(real[0]), st.just(real[0]), st.sampled_from(real), ID_VALUES))
        return urllib.parse.quote(str(value), safe="")

    path = PREFIX + re.sub(r"\{(\w+)\}", path_value, template)
    verb = draw(st.sampled_from([method] * 8 + ["GET", "POST", "PUT", "DELETE", "PATCH"]))
    headers = {**auth_headers(draw, api_world),
               "Accept-Language": draw(st.sampled_from(["en", "ru", "kk", "*", "", "en;q=abc"]))}
    if draw(st.booleans()):
        headers["X-CSRFToken"] = draw(HEADER_TEXT)
    body = draw(BODIES)
    kwargs: dict[str, Any] = {"query_string": draw(QUERY), "headers": headers}
    if body is not None:
        kwargs["content_type"], kwargs["data"] = body
    before = snapshot(app)
    response = client.open(path, method=verb, **kwargs)
    after = snapshot(app)
    event(f"{verb} -> {response.status_code}")  # see --hypothesis-show-statistics
    assert response.status_code < 500, (verb, path, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", (verb, path, response.status_code)
    assert_security_headers(response)
    payload = response.get_json()
    openapi.check(verb, path.split("?")[0], response.status_code, payload)
    if response.status_code >= 400:
        assert set(payload) == {"error"} and payload["error"]["code"]
        assert after == before, (verb, path, response.status_code, changed_tables(before, after))
    else:
        allowed = MAY_CHANGE.get(f"{verb} {template}", frozenset())
        assert changed_tables(before, after) <= allowed, (verb, path, changed_tables(before, after))


@FUZZ
@given(body=BODIES, current=st.booleans())
def test_any_body_answering_the_running_attempt(client, app, api_world, openapi, body, current):
    """The one operation with a body, in depth: the right token, the player's running attempt,
    and often the current position, so the answer's own shape is what gets judged."""
    attempt_id = api_world.ids["attempt_id"][0]
    path = f"{PREFIX}/attempts/{attempt_id}/answers"
    headers = {"Authorization": f"Bearer {api_world.token}"}
    if current and body is not None and body[0] == "application/json":
        position = client.get(f"{PREFIX}/attempts/{attempt_id}", headers=headers).get_json()["position"]
        try:
            decoded = json.loads(body[1])
        except (ValueError, RecursionError):  # the fuzz sends JSON nested deeper than Python's parser goes
            decoded = None
        if isinstance(decoded, dict):
            body = (body[0], json.dumps({**decoded, "position": position}).encode())
    before = snapshot(app)
    kwargs = {"content_type": body[0], "data": body[1]} if body is not None else {}
    response = client.post(path, headers=headers, **kwargs)
    after = snapshot(app)
    event(f"-> {response.status_code}")
    assert response.status_code in (200, 400, 409, 413, 415, 422), response.get_data(as_text=True)[:300]
    openapi.check("POST", path, response.status_code, response.get_json())
    if response.status_code != 200:
        assert after == before, changed_tables(before, after)
    else:
        assert changed_tables(before, after) <= MAY_CHANGE["POST /attempts/{attempt_id}/answers"]


def test_every_operation_is_fuzzed(openapi):
    documented = [(method.upper(), path) for path, operations in openapi.document["paths"].items()
                  for method in operations]
    assert sorted(documented) == sorted(OPERATIONS)


def test_the_session_cookie_without_its_csrf_header_changes_nothing(app, client, api_world):
    """The cookie half of the API's CSRF rule, on every POST of the document."""
    with app.app_context():
        player_id = db.session.scalar(select(tokens.ApiToken.user_id).where(
            tokens.ApiToken.token_hash == tokens.hash_token(api_world.token)))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        sign_in(client, player_id)
        for method, template in OPERATIONS:
            if method != "POST":
                continue
            path = PREFIX + template.format(key="quick", attempt_id=api_world.ids["attempt_id"][0])
            before = snapshot(app)
            response = client.post(path, json={"position": 0, "answer": 0})
            assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed", path
            assert snapshot(app) == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
