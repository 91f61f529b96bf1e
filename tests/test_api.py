"""The JSON API through the Flask test client, with a FrozenClock.

Every JSON response is checked against the schemas of the API's own OpenAPI document
(``ApiClient.call``): a response that does not match its documented schema fails the
test, and so does a status code the document does not list for that operation.
"""
from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from quizapp import tokens
from quizapp.config import DEFAULTS
from quizapp.extensions import db
from quizapp.models import ApiToken, Attempt, AttemptAnswer, Quiz, User
from quizapp.users import create_user

from helpers import answer_current, disk_full, make_app, read_only, snapshot
from api_helpers import ApiClient, BANK, OpenApi, PREFIX, QUESTIONS, make_user, right_answer

LANGUAGES = DEFAULTS["LANGUAGES"]  # every language the app offers


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture
def extra_app(database_url, tmp_path):
    """Another app on the test database, with other settings; its connections closed after."""
    made = []

    def make(**overrides):
        made.append(make_app(database_url, tmp_path / f"extra-{len(made)}", **overrides))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def openapi(client) -> OpenApi:
    return OpenApi(client.get(PREFIX + "/openapi.json").get_json())


@pytest.fixture
def api(app, client, bank, openapi) -> ApiClient:
    _user_id, token = make_user(app, "aigerim")
    return ApiClient(client, token, openapi)


def other_api(app, openapi, name: str, accommodation: str = "standard") -> ApiClient:
    _user_id, token = make_user(app, name, accommodation)
    return ApiClient(app.test_client(), token, openapi)


def any_answer(shown: dict[str, Any]) -> Any:
    """An answer of the right shape for whichever question is shown."""
    return "somewhere" if shown["type"] == "text" else 0


def answered_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                                 .where(AttemptAnswer.answered_dt.is_not(None)))


# --- the document -----------------------------------------------------------------------

def test_the_openapi_document_describes_every_route_and_both_auth_schemes(app, client, openapi):
    document = openapi.document
    assert document["openapi"].startswith("3.1")
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["components"]["securitySchemes"]["cookieAuth"]["in"] == "cookie"
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)[len(PREFIX):]: rule.methods - {"HEAD", "OPTIONS"}
              for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX)}
    documented = {path: {method.upper() for method in operations} for path, operations in document["paths"].items()}
    assert routes == documented
    from quizapp.question_types import all_types
    assert {f"Question_{name}" for name in all_types()} <= set(document["components"]["schemas"])


def test_the_validator_really_checks(openapi):
    with pytest.raises(AssertionError, match="does not match"):
        openapi.check("GET", PREFIX + "/quizzes", 200, {"quizzes": [{"key": "x"}]})
    with pytest.raises(AssertionError, match="not documented"):
        openapi.check("GET", PREFIX + "/quizzes", 418, {"error": {"code": "x", "message": "y"}})


# --- quizzes -----------------------------------------------------------------------------

def test_quizzes_are_public_and_localised(client, bank, openapi):
    anonymous = ApiClient(client, None, openapi)
    response, body = anonymous.get("/quizzes")
    assert response.status_code == 200
    quizzes = {quiz["key"]: quiz for quiz in body["quizzes"]}
    assert list(quizzes) == ["all-types", "quick"]
    every = quizzes["all-types"]
    assert every["title"] == "Every type" and every["titles"] == {"ru": "Все типы", "en": "Every type",
                                                                     "kk": "Барлық түрлері", "zh": "全部题型"}
    assert (every["question_count"], every["time_limit_s"], every["question_time_limit_s"]) == (8, 300, None)
    assert (every["feedback"], every["scoring"]) == ("end", "plain")
    quick = quizzes["quick"]
    assert (quick["question_count"], quick["time_limit_s"], quick["question_time_limit_s"]) == (2, 60, 20)
    assert (quick["feedback"], quick["scoring"]) == ("immediate", "speed")
    _response, russian = anonymous.get("/quizzes", lang="ru")
    assert russian["quizzes"][0]["title"] == "Все типы"
    _response, chinese = anonymous.get("/quizzes", lang="zh-CN")
    assert chinese["quizzes"][0]["title"] == "全部题型"


# --- a whole quiz -----------------------------------------------------------------------------

def test_a_whole_quiz_through_the_api_with_a_bearer_token(api, app, clock):
    started_at = clock.now()
    response, state = api.post("/quizzes/all-types/attempts")
    assert response.status_code == 201
    attempt_id = state["id"]
    assert response.headers["Location"].endswith(f"{PREFIX}/attempts/{attempt_id}")
    assert state["status"] == "active" and state["mode"] == "standard" and state["question_count"] == 8
    assert state["deadline"] == (started_at + timedelta(seconds=300)).isoformat().replace("+00:00", "Z")
    assert state["remaining_seconds"] == 300 and state["question_deadline"] is None
    seen_types = []
    for index in range(8):
        clock.advance(4)
        _response, state = api.get(f"/attempts/{attempt_id}")
        assert state["position"] == index and state["question"]["position"] == index
        assert state["remaining_seconds"] == 300 - 4 * (index + 1)
        question = state["question"]
        seen_types.append(question["type"])
        response, outcome = api.answer(attempt_id, index, right_answer(question))
        assert response.status_code == 200
        assert outcome["outcome"] == "recorded" and outcome["feedback"] is None  # feedback at the end
        if index < 7:  # right or wrong is not told while the attempt runs
            assert (outcome["is_correct"], outcome["credit"], outcome["points"]) == (None, None, None)
        else:  # the last answer ends the attempt: now it may be told
            assert outcome["is_correct"] and outcome["points"] == 100
        assert outcome["attempt"]["position"] == index + 1
    assert seen_types == ["single", "multiple", "true_false", "numeric", "year", "ordering", "matching", "text"]
    assert outcome["attempt"]["status"] == "finished"
    _response, state = api.get(f"/attempts/{attempt_id}")
    assert state["status"] == "finished" and state["question"] is None and state["remaining_seconds"] is None
    response, result = api.get(f"/attempts/{attempt_id}/result")
    assert response.status_code == 200
    assert (result["score"], result["max_score"], result["correct_count"]) == (800, 800, 8)
    assert result["duration_ms"] == 32_000 and result["ranked"] is True
    assert (result["rank"], result["participants"], result["is_best"]) == (1, 1, True)
    assert [item["verdict"] for item in result["questions"]] == ["right"] * 8
    year = result["questions"][4]
    assert year["right_answer"] == "1992" and year["your_answer"] == "1992"
    assert year["explanation"] == "2026 − 34 = 1992." and year["source_paragraph"] == 13
    assert result["questions"][0]["your_answer"] == "June"
    _response, board = api.get("/leaderboards/all-types")
    assert board["rows"][0]["username"] == "aigerim" and board["rows"][0]["is_me"]
    assert board["me"]["rank"] == 1 and board["me"]["score"] == 800


@pytest.mark.parametrize("kind, answers", [
    # Other shapes the API takes for the same answers.
    ("true_false", ["true", 0]),
    ("numeric", ["43,8", "43.8", 43.75]),
    ("year", ["1992"]),
    ("text", ["  алма-ата! "]),
])
def test_other_answer_shapes_are_accepted(api, app, kind, answers):
    for answer in answers:
        with app.app_context():
            for attempt in db.session.scalars(select(Attempt)):
                attempt.finished_dt = attempt.started_dt  # start afresh each time
            db.session.commit()
        _response, state = api.post("/quizzes/all-types/attempts")
        while state["question"]["type"] != kind:
            _r, _o = api.answer(state["id"], state["position"], right_answer(state["question"]))
            _r, state = api.get(f"/attempts/{state['id']}")
        _response, outcome = api.answer(state["id"], state["position"], answer)
        assert outcome["outcome"] == "recorded", (kind, answer)
        with app.app_context():
            row = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == state["id"],
                                                                AttemptAnswer.position == state["position"]))
            assert row.is_correct, (kind, answer)


def test_immediate_feedback_gives_the_right_answer_and_its_source(api, clock):
    _response, state = api.post("/quizzes/quick/attempts")
    assert state["question_deadline"] is not None and state["remaining_seconds"] == 20
    question = state["question"]
    _response, outcome = api.answer(state["id"], 0, any_answer(question))
    feedback = outcome["feedback"]
    assert feedback["right_answer"] and feedback["explanation"] and isinstance(feedback["source_paragraph"], int)
    assert feedback["your_answer"]


# --- retries, order and time -------------------------------------------------------------------

def test_starting_twice_resumes_the_same_attempt(api, app):
    first, state = api.post("/quizzes/all-types/attempts")
    again, resumed = api.post("/quizzes/all-types/attempts")
    assert (first.status_code, again.status_code) == (201, 200)
    assert resumed["id"] == state["id"] and "Location" not in again.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_the_same_answer_twice_is_recorded_once(api, app):
    _response, state = api.post("/quizzes/all-types/attempts")
    _response, first = api.answer(state["id"], 0, 1)
    _response, second = api.answer(state["id"], 0, 1)
    assert first["outcome"] == "recorded" and not first["duplicate"]
    assert second["outcome"] == "duplicate" and second["duplicate"]
    # A different answer to a question already answered changes nothing either.
    _response, third = api.answer(state["id"], 0, 0)
    assert third["outcome"] == "duplicate"
    with app.app_context():
        recorded = select(AttemptAnswer.response).where(AttemptAnswer.attempt_id == state["id"])
        assert db.session.scalar(recorded) == "june"
    assert answered_count(app) == 1
    _response, state = api.get(f"/attempts/{state['id']}")
    assert state["position"] == 1


def test_a_position_written_as_a_whole_float_is_that_position(api, app):
    """JSON has one number type, and the document's integer schema accepts 1.0: so does the API."""
    _response, state = api.post("/quizzes/all-types/attempts")
    response, outcome = api.call("POST", f"/attempts/{state['id']}/answers", data='{"position": 0.0, "answer": 1}',
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and outcome["position"] == 0 and outcome["outcome"] == "recorded"
    assert answered_count(app) == 1


def test_an_answer_to_another_question_is_refused(api, app):
    _response, state = api.post("/quizzes/all-types/attempts")
    for position in (3, 8, 2**31 - 1):
        response, body = api.answer(state["id"], position, 0)
        assert response.status_code == 409 and body["error"]["code"] == "not_current_question"
    assert answered_count(app) == 0


def test_a_finished_attempt_takes_no_more_answers(api, app):
    _response, state = api.post("/quizzes/quick/attempts")
    for position in range(2):
        _r, state = api.get(f"/attempts/{state['id']}")
        api.answer(state["id"], position, any_answer(state["question"]))
    _response, state = api.get(f"/attempts/{state['id']}")
    assert state["status"] == "finished"
    response, body = api.answer(state["id"], 2, 0)
    assert response.status_code == 409 and body["error"]["code"] == "attempt_finished"
    # A replay of an answer that was recorded is still acknowledged, not refused.
    _response, replay = api.answer(state["id"], 1, 0)
    assert replay["outcome"] == "duplicate"


def test_a_late_answer_is_timed_out_and_earns_nothing(api, app, clock):
    _response, state = api.post("/quizzes/all-types/attempts")
    clock.advance(303)  # past the 300 s limit and the 2 s grace
    response, outcome = api.answer(state["id"], 0, 1)  # the right answer, too late
    assert response.status_code == 200
    assert outcome["outcome"] == "timed_out" and outcome["points"] == 0 and not outcome["is_correct"]
    assert outcome["attempt"]["status"] == "finished"
    _response, result = api.get(f"/attempts/{state['id']}/result")
    # The question served timed out; the seven never served are not reached, and not revealed.
    assert result["score"] == 0 and [q["verdict"] for q in result["questions"]] == ["timed_out"] + ["not_reached"] * 7
    assert all(q["text"] is None and q["right_answer"] is None and q["explanation"] is None
               for q in result["questions"][1:])
    assert result["duration_ms"] == 300_000


def test_a_malformed_answer_is_refused_even_when_it_comes_late(api, app, clock):
    """Only a well-formed answer (as AnswerRequest documents it) is judged on time; a body the
    document forbids is refused however late it is (schemathesis found it timed out with 200)."""
    _response, state = api.post("/quizzes/quick/attempts")
    clock.advance(23)  # past the 20 s per-question limit and the grace
    before = snapshot(app)
    for bad in ({"position": 0}, {"position": 0, "answer": None}, {"position": 0, "answer": {"x": 1}},
                {"position": 0, "answer": ["a"]}, {"position": 0, "answer": [True]}):
        response, body = api.post(f"/attempts/{state['id']}/answers", bad)
        assert response.status_code == 422 and body["error"]["code"] == "invalid_answer", bad
    assert snapshot(app) == before
    _response, outcome = api.answer(state["id"], 0, 0)  # well-formed, and late
    assert outcome["outcome"] == "timed_out"


def test_an_answer_that_fits_no_question_is_refused_in_time_and_timed_out_when_late(api, app, clock):
    """The type reads the answer only once the service has checked the time: a documented body
    that fits no type (no list has a place or an index that large) is 422 in time, timed_out late."""
    _response, state = api.post("/quizzes/quick/attempts")
    before = snapshot(app)
    response, body = api.answer(state["id"], 0, [10**6])
    assert response.status_code == 422 and body["error"]["code"] == "invalid_answer"
    assert snapshot(app) == before
    clock.advance(23)  # past the 20 s per-question limit and the grace
    response, outcome = api.answer(state["id"], 0, [10**6])
    assert response.status_code == 200 and outcome["outcome"] == "timed_out" and outcome["points"] == 0


def test_an_answer_within_the_grace_window_counts(api, clock):
    _response, state = api.post("/quizzes/all-types/attempts")
    clock.advance(301)
    _response, outcome = api.answer(state["id"], 0, 1)
    assert outcome["outcome"] == "recorded" and outcome["points"] is None  # feedback at the end
    clock.advance(2)
    _response, result = api.get(f"/attempts/{state['id']}/result")
    assert result["questions"][0]["points"] == 100 and result["score"] == 100


def test_a_question_timing_out_moves_the_attempt_on(api, clock):
    _response, state = api.post("/quizzes/quick/attempts")
    clock.advance(23)  # past the 20 s per-question limit and the grace
    _response, outcome = api.answer(state["id"], 0, 0)
    assert outcome["outcome"] == "timed_out" and outcome["points"] == 0
    assert outcome["feedback"]["right_answer"]  # immediate feedback, even for a timeout
    _response, state = api.get(f"/attempts/{state['id']}")
    assert state["position"] == 1 and state["question"]["position"] == 1 and state["remaining_seconds"] == 20


def test_the_result_waits_for_the_end(api, clock):
    _response, state = api.post("/quizzes/all-types/attempts")
    response, body = api.get(f"/attempts/{state['id']}/result")
    assert response.status_code == 409 and body["error"]["code"] == "attempt_in_progress"
    clock.advance(400)
    response, result = api.get(f"/attempts/{state['id']}/result")  # closed lazily, like the page
    assert response.status_code == 200 and result["score"] == 0


def test_extended_and_untimed_accommodations(app, client, bank, openapi, clock):
    extended = other_api(app, openapi, "dana", "x2")
    _response, state = extended.post("/quizzes/quick/attempts")
    assert state["mode"] == "extended" and state["time_factor"] == 2.0
    assert state["remaining_seconds"] == 40 and state["question_deadline"] is not None  # 20 s × 2 per question
    assert state["deadline"] == (clock.now() + timedelta(seconds=120)).isoformat().replace("+00:00", "Z")
    untimed = other_api(app, openapi, "erlan", "untimed")
    _response, state = untimed.post("/quizzes/quick/attempts")
    assert state["mode"] == "practice" and state["deadline"] is None and state["remaining_seconds"] is None
    for position in range(2):
        clock.advance(500)
        _r, state = untimed.get(f"/attempts/{state['id']}")
        _r, outcome = untimed.answer(state["id"], position, any_answer(state["question"]))
        assert outcome["outcome"] == "recorded"
    _response, result = untimed.get(f"/attempts/{state['id']}/result")
    assert result["ranked"] is False and result["rank"] is None and result["participants"] is None


# --- invalid input ---------------------------------------------------------------------------

BAD_ANSWERS = {
    "single": [None, "1", True, 1.0, 1.5, -1, 3, 10**40, [1], {"a": 1}],
    "multiple": [None, [], 0, "0", [True], [0, 99], [-1], [[0]], ["0"], [0.0]],
    "true_false": [None, 2, -1, "yes", "True", 1.0, [True], {}],
    "numeric": [None, "", "abc", "4\ud8003", "NaN", "inf", "1e999", 10**400, True, [43.8], "9" * 41, {}],
    "year": [None, "", "19x2", "12345", -5, 0, 10000, 1992.0, True, [1992], "1992.5"],
    "ordering": [None, [], [1, 2], [1, 1, 2], [1, 2, 4], ["1", "2", "3"], [1.0, 2.0, 3.0], [True, 2, 3],
                 [1, 2, 3, 4], 123, [[1], 2, 3]],
    "matching": [None, [], [0, 1], [0, 1, 3], [0, 1, 2, 0], [True, 0, 1], ["0", "1", "2"], [0.0, 1, 2], "012"],
    "text": [None, "", "   ", 5, ["Almaty"], {"text": "Almaty"}, True, "Alma\ud800ty"],
}


def test_invalid_answers_are_422_and_record_nothing(api, app):
    _response, state = api.post("/quizzes/all-types/attempts")
    attempt_id = state["id"]
    for position in range(8):
        _r, state = api.get(f"/attempts/{attempt_id}")
        question = state["question"]
        for bad in BAD_ANSWERS[question["type"]]:
            response, body = api.answer(attempt_id, position, bad)
            assert response.status_code == 422, (question["type"], bad, body)
            assert body["error"]["code"] == "invalid_answer"
        assert answered_count(app) == position
        # The message is the type's own, in the request's language.
        response, body = api.post(f"/attempts/{attempt_id}/answers", {"position": position}, lang="ru")
        assert response.status_code == 422 and re.search("[а-я]", body["error"]["message"])
        api.answer(attempt_id, position, right_answer(question))
    assert answered_count(app) == 8


def test_bad_requests_get_json_errors_never_a_500(api, app):
    _response, state = api.post("/quizzes/all-types/attempts")
    url = f"/attempts/{state['id']}/answers"
    json_type = {"Content-Type": "application/json"}
    cases = [
        # (data, headers, status, code)
        ("position=0&answer=1", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ('{"position": 0, "answer": 1}', {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
        ("", json_type, 400, "invalid_json"),
        ("{position: 0}", json_type, 400, "invalid_json"),
        (b'{"position": 0, "answer": "\xff\xfe"}', json_type, 400, "invalid_json"),
        ('{"position": 0, "answer": NaN}', json_type, 400, "invalid_json"),
        ("[0, 1]", json_type, 400, "invalid_json"),
        ('"just a string"', json_type, 400, "invalid_json"),
        ("[" * 5000 + "]" * 5000, json_type, 400, "invalid_json"),
        ('{"answer": ' + "[" * 3000 + "]" * 3000 + ', "position": 0}', json_type, 400, "invalid_json"),
        ('{"position": 0, "answer": ' + "9" * 5000 + "}", json_type, 400, "invalid_json"),
        ('{"position": 0, "answer": "' + "x" * 20_000 + '"}', json_type, 413, "payload_too_large"),
        ('{"answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": "0", "answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": true, "answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": -1, "answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": 0.5, "answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": 1e400, "answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": ' + "9" * 40 + ', "answer": 1}', json_type, 400, "invalid_request"),
        ('{"position": 0, "answer": 1, "extra": 1}', json_type, 400, "invalid_request"),  # as documented
        ('{"positon": 0, "answer": 1}', json_type, 400, "invalid_request"),  # a misspelt field is not ignored
    ]
    for data, headers, status, code in cases:
        response, body = api.call("POST", url, data=data, headers=headers)
        assert (response.status_code, body["error"]["code"]) == (status, code), (data[:60], body)
    assert answered_count(app) == 0
    # Paths and methods that do not exist, under /api/, answer in JSON too.
    for method, path, status, code in [
        ("GET", "/nothing-here", 404, "not_found"),
        ("POST", "/nothing/here", 404, "not_found"),
        ("GET", "/attempts/99999999999999999999999", 404, "attempt_not_found"),
        ("GET", "/attempts/2147483648/result", 404, "attempt_not_found"),
        ("GET", "/attempts/abc", 404, "not_found"),
        ("DELETE", "/quizzes", 405, "method_not_allowed"),
        ("GET", f"/attempts/{state['id']}/answers", 405, "method_not_allowed"),
        ("POST", "/quizzes/no-such-quiz/attempts", 404, "quiz_not_found"),
        ("GET", "/leaderboards/no-such-quiz", 404, "quiz_not_found"),
        ("GET", "/leaderboards/a%00b", 404, "quiz_not_found"),
        ("POST", "/quizzes/a%00b/attempts", 404, "quiz_not_found"),
        ("GET", "/leaderboards/" + "k" * 5000, 404, "quiz_not_found"),
        ("GET", "/leaderboards/all-types?page=abc", 400, "invalid_parameter"),
        ("GET", "/leaderboards/all-types?page=0", 400, "invalid_parameter"),
        ("GET", "/leaderboards/all-types?page=99999999999999999999", 400, "invalid_parameter"),
        ("GET", "/leaderboards/overall?period=year", 400, "invalid_parameter"),
        ("GET", "/leaderboards/overall?board=slow", 400, "invalid_parameter"),
    ]:
        response, body = api.call(method, path)
        assert (response.status_code, body["error"]["code"]) == (status, code), (method, path, body)
    response, _body = api.call("DELETE", "/quizzes")
    assert "GET" in response.headers["Allow"]
    # Outside /api/ the HTML error pages are untouched.
    page = api.client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_too_many_requests_is_a_json_429(extra_app, bank):
    app = extra_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    _user_id, token = make_user(app, "aigerim")
    api = ApiClient(client, token)
    statuses = [api.post("/quizzes/quick/attempts")[0].status_code for _ in range(31)]
    assert statuses[:2] == [201, 200] and statuses[-1] == 429
    response, body = api.post("/quizzes/quick/attempts")
    assert body["error"]["code"] == "rate_limited"


# --- who may do what ---------------------------------------------------------------------------

def test_without_credentials_the_api_answers_401(client, bank, openapi):
    anonymous = ApiClient(client, None, openapi)
    for method, path in [("POST", "/quizzes/quick/attempts"), ("GET", "/attempts/1"), ("GET", "/me"),
                         ("POST", "/attempts/1/answers"), ("GET", "/attempts/1/result")]:
        response, body = anonymous.call(method, path, json_body={"position": 0, "answer": 0})
        assert response.status_code == 401 and body["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # Public reads stay public.
    assert anonymous.get("/leaderboards/overall")[0].status_code == 200


def test_a_revoked_or_unknown_token_is_401(api, app):
    _response, me = api.get("/me")
    assert me == {"username": "aigerim", "locale": None, "time_accommodation": "standard", "auth": "bearer",
                  "csrf_token": None}
    with app.app_context():
        record = db.session.scalar(select(ApiToken))
        user = db.session.get(User, record.user_id)
        assert record.last_used_dt is not None
        assert tokens.revoke_token(db.session, user, record.id, app.extensions["quizapp.clock"].now())
        db.session.commit()
    for token in (api.token, "qz_not-a-real-token", "", "x" * 500, "qz_ü"):
        api.token = token
        for method, path in [("GET", "/me"), ("POST", "/quizzes/quick/attempts"), ("GET", "/quizzes")]:
            response, body = api.call(method, path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401 and body["error"]["code"] == "invalid_token", (token, path)
            assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_another_users_attempt_is_not_found(api, app, openapi):
    _response, state = api.post("/quizzes/all-types/attempts")
    intruder = other_api(app, openapi, "bolat")
    for method, path in [("GET", f"/attempts/{state['id']}"), ("GET", f"/attempts/{state['id']}/result"),
                         ("POST", f"/attempts/{state['id']}/answers")]:
        response, body = intruder.call(method, path, json_body={"position": 0, "answer": 1})
        assert response.status_code == 404 and body["error"]["code"] == "attempt_not_found"
    assert answered_count(app) == 0


def test_cookie_auth_needs_the_csrf_header_for_posts(extra_app, bank):
    app = extra_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/register", data={"username": "zhanna", "password": "long enough",
                                          "confirm": "long enough", "csrf_token": form_token}).status_code == 302
    api = ApiClient(client)
    response, body = api.post("/quizzes/quick/attempts")
    assert response.status_code == 400 and body["error"]["code"] == "csrf_failed"
    response, body = api.post("/quizzes/quick/attempts", headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400 and body["error"]["code"] == "csrf_failed"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    # Reads need no token; /me hands it out.
    _response, me = api.get("/me")
    assert me["auth"] == "cookie" and me["csrf_token"]
    response, state = api.post("/quizzes/quick/attempts", headers={"X-CSRFToken": me["csrf_token"]})
    assert response.status_code == 201
    response, body = api.answer(state["id"], 0, any_answer(state["question"]))
    assert response.status_code == 400 and body["error"]["code"] == "csrf_failed"
    response, _outcome = api.answer(state["id"], 0, any_answer(state["question"]),
                                    headers={"X-CSRFToken": me["csrf_token"]})
    assert response.status_code == 200
    # A bearer token needs no CSRF token, even on the same app; a bad bearer token is not
    # rescued by the session cookie.
    _user_id, token = make_user(app, "bearer-user")
    bearer = ApiClient(app.test_client(), token, api.openapi)
    assert bearer.post("/quizzes/quick/attempts")[0].status_code == 201
    response, body = api.post("/quizzes/all-types/attempts", headers={"Authorization": "Bearer qz_wrong",
                                                                      "X-CSRFToken": me["csrf_token"]})
    assert response.status_code == 401


# --- leaderboards ------------------------------------------------------------------------------

def test_leaderboards_rank_best_attempts_and_show_me(app, client, bank, openapi, clock):
    from quizapp import attempts
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        for name, wrong in (("dana", 0), ("erlan", 3), ("farida", 1)):
            user = create_user(db.session, name, "password1", clock.now())
            attempt = attempts.start_attempt(db.session, user, quiz, clock)
            for index in range(8):
                clock.advance(3)
                answer_current(db.session, attempt, clock, right=index >= wrong)
        erlan = db.session.scalar(select(User).where(User.username == "erlan"))
        _record, token = tokens.create_token(db.session, erlan, "tests", clock.now())
        db.session.commit()
    api = ApiClient(client, token, openapi)
    _response, board = api.get("/leaderboards/all-types")
    assert [(row["rank"], row["username"], row["score"]) for row in board["rows"]] == [
        (1, "dana", 800), (2, "farida", 700), (3, "erlan", 500)]
    assert [row["is_me"] for row in board["rows"]] == [False, False, True]
    assert board["me"]["rank"] == 3 and board["me"]["page"] == 1 and board["total"] == 3
    assert board["quiz"] == {"key": "all-types", "title": "Every type"} and board["rows"][0]["duration_ms"] == 24_000
    _response, overall = api.get("/leaderboards/overall")
    assert overall["quiz"] is None and [row["quiz_count"] for row in overall["rows"]] == [1, 1, 1]
    assert overall["me"]["quiz_count"] == 1
    for period in ("day", "week"):
        _response, board = api.get(f"/leaderboards/all-types?period={period}")
        assert board["period"] == period and board["total"] == 3
    _response, extended = api.get("/leaderboards/all-types?board=extended")
    assert extended["rows"] == [] and extended["me"] is None and extended["pages"] == 1
    _response, beyond = api.get("/leaderboards/all-types?page=5")
    assert beyond["rows"] == [] and beyond["page"] == 5
    _response, anonymous = ApiClient(client, None, openapi).get("/leaderboards/all-types")
    assert anonymous["me"] is None and not any(row["is_me"] for row in anonymous["rows"])


# --- nothing in a question gives its answer away -------------------------------------------------

def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in _strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


OPTION_KEYS = {key for q in BANK["questions"] for field in ("options", "items") for key in q.get(field, {})}
FORBIDDEN_FIELDS = {"answer", "answers", "accept", "tolerance", "explanation", "source", "right_answer", "pairs",
                    "is_correct", "correct", "seed", "plan", "order", "keys", "credit", "points"}


def assert_reveals_nothing(state: dict[str, Any], locale: str) -> None:
    question = state["question"]
    source = QUESTIONS[{q["text"][locale]: q["id"] for q in BANK["questions"]}[question["text"]]]
    text = json.dumps(state, ensure_ascii=False)
    strings = _strings(state)
    assert not OPTION_KEYS & set(strings), OPTION_KEYS & set(strings)
    for key in OPTION_KEYS:
        assert f'"{key}"' not in text
    assert not FORBIDDEN_FIELDS & set(_strings({k: None for k in _keys(state)}))
    for q in BANK["questions"]:  # no explanation of any question
        for language in LANGUAGES:
            assert q["explanation"][language] not in text
    kind = source["type"]
    if kind in ("numeric", "year"):
        assert source["answer"] not in _numbers(state)
        for shown in (str(source["answer"]), str(source["answer"]).replace(".", ",")):
            assert shown not in text
    if kind == "text":
        for accepted in [*source["accept"], *source["answer"].values()]:
            assert accepted.casefold() not in text.casefold()
    if kind == "ordering":
        right = [label[locale] for label in source["items"].values()]
        assert sorted(question["items"]) == sorted(right) and question["items"] != right
    if kind == "matching":
        right = [pair["right"][locale] for pair in source["pairs"]]
        assert sorted(question["right"]) == sorted(right) and question["right"] != right
    if kind == "true_false":
        assert question["options"] in (["True", "False"], ["Верно", "Неверно"], ["Дұрыс", "Бұрыс"], ["正确", "错误"])


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value.keys(), *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_no_question_state_reveals_its_answer(api, app, openapi):
    for attempt_round in range(3):  # a few attempts: other seeds, other display orders
        with app.app_context():
            for attempt in db.session.scalars(select(Attempt)):
                attempt.finished_dt = attempt.started_dt
            db.session.commit()
        _response, state = api.post("/quizzes/all-types/attempts")
        for position in range(8):
            for locale in LANGUAGES:
                _r, state = api.get(f"/attempts/{state['id']}", lang=locale)
                assert_reveals_nothing(state, locale)
            _r, state = api.get(f"/attempts/{state['id']}")  # right_answer reads the English state
            api.answer(state["id"], position, right_answer(state["question"]))
    # Sanity: the scan would catch a leak.
    with pytest.raises(AssertionError):
        _r, state = api.post("/quizzes/all-types/attempts")
        assert_reveals_nothing({**state, "question": {**state["question"], "answer": "june"}}, "en")


def test_odd_but_valid_text_is_stored_and_shown_safely(api, app, client, clock):
    _response, state = api.post("/quizzes/all-types/attempts")
    odd = "Al\x00ma <script>alert(1)</script> ты 🙂"
    for position in range(8):
        _r, state = api.get(f"/attempts/{state['id']}")
        answer = odd if state["question"]["type"] == "text" else right_answer(state["question"])
        _r, outcome = api.answer(state["id"], position, answer)
        assert outcome["outcome"] == "recorded"
    _response, result = api.get(f"/attempts/{state['id']}/result")
    assert result["questions"][7]["your_answer"] == odd and result["questions"][7]["verdict"] == "wrong"
    # The same attempt's HTML result page shows it escaped.
    client.post("/login", data={"username": "aigerim", "password": "correct horse"})
    page = client.get(f"/attempt/{state['id']}/result")
    assert page.status_code == 200 and "<script>alert" not in page.get_data(as_text=True)


def test_a_server_error_under_the_api_is_json_too(app, client, monkeypatch):
    from quizapp.api import openapi as document_module

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(document_module, "document", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(PREFIX + "/openapi.json")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "server_error"
    assert "boom" not in response.get_data(as_text=True)


@pytest.mark.parametrize("trouble", ["disk_full", "read_only"])
def test_a_database_that_cannot_write_is_a_json_503_and_records_nothing(api, app, trouble):
    _response, state = api.post("/quizzes/all-types/attempts")
    api.answer(state["id"], 0, right_answer(state["question"]))
    _response, state = api.get(f"/attempts/{state['id']}")
    before = snapshot(app)
    with (disk_full(app, "later") if trouble == "disk_full" else read_only(app)):
        for lang, words in (("en", "was not recorded"), ("ru", "не записано"), ("kk", "жазылмады"), ("zh", "没有被记录")):
            response, body = api.answer(state["id"], 1, right_answer(state["question"]), lang=lang)
            assert response.status_code == 503 and body["error"]["code"] == "database_unavailable"
            assert words in body["error"]["message"]
    assert snapshot(app) == before
    response, outcome = api.answer(state["id"], 1, right_answer(state["question"]))
    assert response.status_code == 200 and outcome["outcome"] == "recorded"
