"""The OpenAPI 3.1 document of ``/api/v1``, served at ``/api/v1/openapi.json``.

Every schema is strict (``additionalProperties: false``): the tests validate every real
response against it, so a field added to ``present.py`` without being described here
fails them, and so would a question that showed more than its type's public view.
"""
from __future__ import annotations

from typing import Any

from flask import current_app

from quizapp.bank.loader import FEEDBACK_MODES, SCORING_MODES
from quizapp.json_schema import BOOLEAN, COUNT, DATETIME, INTEGER, LOCALIZED, NUMBER, STRING, nullable, obj, ref
from quizapp.modes import RANKED_MODES, TIME_ACCOMMODATIONS, Mode
from quizapp.periods import PERIODS
from quizapp.question_types import all_types, get_type

JSON = "application/json"


def _question_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name in all_types():  # what each type shows before it is answered, as the type describes it
        view = get_type(name).public_schema
        schemas["Question_" + name] = obj(
            {"position": COUNT, "type": {"const": name}, "text": STRING, **view.properties},
            ["position", "type", "text", *view.required], description=view.description)
    schemas["Question"] = {
        "description": "The question being asked: its text and what its type shows before it is answered "
                       "(labels in display order). Never the answer, option keys or explanation.",
        "oneOf": [ref("Question_" + name) for name in all_types()],
        "discriminator": {"propertyName": "type",
                          "mapping": {name: f"#/components/schemas/Question_{name}" for name in all_types()}},
    }
    return schemas


WITHHELD = ("null while the attempt is running on a quiz whose feedback is at the end: right or wrong is told "
            "only in the result.")
NOT_REACHED = "null for a question the attempt never reached (verdict not_reached): it was never shown."


def schemas() -> dict[str, Any]:
    attempt_status = {"type": "string", "enum": ["active", "finished"]}
    mode = {"type": "string", "enum": list(Mode),
            "description": "standard and extended attempts are ranked (each on its own board); practice is not."}
    quiz_brief = obj({"key": STRING, "title": STRING})
    answer_feedback = obj({
        "your_answer": nullable(STRING),
        "right_answer": STRING,
        "explanation": STRING,
        "source_paragraph": nullable(INTEGER),
    }, description="Shown once the question is over.")
    return {
        "Error": obj({"error": obj({
            "code": {"type": "string", "pattern": "^[a-z0-9_]+$",
                     "description": "Machine-readable: not_found, attempt_not_found, quiz_not_found, unauthorized, "
                                    "invalid_token, csrf_failed, invalid_json, invalid_request, invalid_answer, "
                                    "invalid_parameter, not_current_question, attempt_finished, "
                                    "attempt_in_progress, quiz_unavailable, method_not_allowed, payload_too_large, "
                                    "unsupported_media_type, rate_limited, bad_request, database_unavailable, "
                                    "server_error."},
            "message": {"type": "string", "description": "For people, in the request's language."},
        })}),
        "Me": obj({
            "username": STRING,
            "locale": nullable(STRING),
            "time_accommodation": {"type": "string", "enum": list(TIME_ACCOMMODATIONS)},
            "auth": {"type": "string", "enum": ["cookie", "bearer"]},
            "csrf_token": {**nullable(STRING),
                           "description": "With cookie authentication: send it as X-CSRFToken on every POST."},
        }),
        "Quiz": obj({
            "key": STRING,
            "title": {**STRING, "description": "In the request's language."},
            "titles": LOCALIZED,
            "description": STRING,
            "descriptions": LOCALIZED,
            "question_count": {**COUNT, "description": "How many questions an attempt draws."},
            "time_limit_s": nullable(COUNT),
            "question_time_limit_s": nullable(COUNT),
            "feedback": {"type": "string", "enum": list(FEEDBACK_MODES)},
            "scoring": {"type": "string", "enum": list(SCORING_MODES)},
            "points_per_question": COUNT,
        }),
        "QuizList": obj({"quizzes": {"type": "array", "items": ref("Quiz")}}),
        "QuizBrief": quiz_brief,
        **_question_schemas(),
        "AttemptState": obj({
            "id": INTEGER,
            "quiz": ref("QuizBrief"),
            "status": attempt_status,
            "mode": mode,
            "time_factor": {**NUMBER, "description": "Every limit is multiplied by this (extended time)."},
            "feedback": {"type": "string", "enum": list(FEEDBACK_MODES)},
            "position": {**COUNT, "description": "The current question (0-based); question_count once finished."},
            "question_count": COUNT,
            "started_dt": DATETIME,
            "finished_dt": nullable(DATETIME),
            "deadline": {**nullable(DATETIME), "description": "When the whole attempt ends (UTC); null if untimed."},
            "question_deadline": {**nullable(DATETIME), "description": "When the current question's time ends."},
            "server_now": {**DATETIME, "description": "The server's clock: count down from here, not your own."},
            "remaining_seconds": {**nullable({"type": "number", "minimum": 0}),
                                  "description": "Until the earlier of the two deadlines; null if untimed."},
            "question": {**nullable(ref("Question")), "description": "null once the attempt is finished."},
        }),
        "AnswerRequest": obj({
            "position": {**COUNT, "maximum": 2**31 - 1,
                         "description": "The position of the question answered (from the state)."},
            "answer": {"description": "In display positions; the shape depends on the question type "
                                      "(see the Question_* schemas).",
                       "anyOf": [INTEGER, BOOLEAN, STRING, {"type": "number"},
                                 {"type": "array", "items": INTEGER}]},
        }, ["position", "answer"]),
        "AnswerFeedback": answer_feedback,
        "AnswerOutcome": obj({
            "position": COUNT,
            "outcome": {"type": "string", "enum": ["recorded", "duplicate", "timed_out"],
                        "description": "duplicate: this answer had been recorded already (a retry); timed_out: "
                                       "it came after the deadline and earns nothing."},
            "duplicate": BOOLEAN,
            "is_correct": {**nullable(BOOLEAN), "description": WITHHELD},
            "credit": {**nullable({"type": "number", "minimum": 0, "maximum": 1}), "description": WITHHELD},
            "points": {**nullable(COUNT), "description": WITHHELD},
            "attempt": obj({"id": INTEGER, "status": attempt_status, "position": COUNT, "question_count": COUNT}),
            "feedback": {**nullable(ref("AnswerFeedback")),
                         "description": "Only for quizzes with immediate feedback."},
        }),
        "ReviewItem": obj({
            "position": COUNT,
            "type": {"type": "string", "enum": all_types()},
            "text": {**nullable(STRING), "description": NOT_REACHED},
            "your_answer": nullable(STRING),
            "right_answer": {**nullable(STRING), "description": NOT_REACHED},
            "explanation": {**nullable(STRING), "description": NOT_REACHED},
            "source_paragraph": nullable(INTEGER),
            "verdict": {"type": "string", "enum": ["right", "partial", "wrong", "timed_out", "not_reached"],
                        "description": "not_reached: the attempt ended (time ran out) before this question "
                                       "was shown."},
            "is_correct": BOOLEAN,
            "credit": {"type": "number", "minimum": 0, "maximum": 1},
            "points": COUNT,
        }),
        "Result": obj({
            "id": INTEGER,
            "quiz": ref("QuizBrief"),
            "status": {"const": "finished"},
            "mode": mode,
            "time_factor": NUMBER,
            "ranked": BOOLEAN,
            "review_status": {"type": ["string", "null"], "enum": ["flagged", "cleared", "voided", None],
                              "description": "flagged: answered faster than a person can read and answer, so on no "
                                             "leaderboard until an admin reviews it (rank is then null); cleared: "
                                             "reviewed and ranked; voided: reviewed and never ranked; null: not held."},
            "score": COUNT,
            "max_score": COUNT,
            "correct_count": COUNT,
            "question_count": COUNT,
            "duration_ms": nullable(COUNT),
            "started_dt": DATETIME,
            "finished_dt": DATETIME,
            "rank": {**nullable({"type": "integer", "minimum": 1}),
                     "description": "Where this attempt stands against everyone's best (ranked modes only)."},
            "participants": nullable(COUNT),
            "is_best": {**nullable(BOOLEAN), "description": "Whether this attempt is your leaderboard entry."},
            "questions": {"type": "array", "items": ref("ReviewItem")},
        }),
        "LeaderboardRow": obj({
            "rank": {"type": "integer", "minimum": 1},
            "username": STRING,
            "score": INTEGER,
            "duration_ms": COUNT,
            "finished_dt": DATETIME,
            "quiz_count": {**nullable(COUNT), "description": "Overall board only: quizzes counted."},
            "is_me": BOOLEAN,
        }),
        "LeaderboardMe": obj({
            "rank": {"type": "integer", "minimum": 1},
            "username": STRING,
            "score": INTEGER,
            "duration_ms": COUNT,
            "finished_dt": DATETIME,
            "quiz_count": nullable(COUNT),
            "page": {"type": "integer", "minimum": 1},
        }),
        "Leaderboard": obj({
            "quiz": {**nullable(ref("QuizBrief")), "description": "null for the overall board."},
            "board": {"type": "string", "enum": list(RANKED_MODES)},
            "period": {"type": "string", "enum": list(PERIODS)},
            "period_start": {**DATETIME, "description": "When the period began (UTC); the epoch for all time."},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "total": COUNT,
            "rows": {"type": "array", "items": ref("LeaderboardRow")},
            "me": {**nullable(ref("LeaderboardMe")),
                   "description": "The caller's entry, wherever it is; null if anonymous or not on this board."},
        }),
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def _ok(description: str, schema: str, headers: dict[str, Any] | None = None,
        links: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": ref(schema)}}}
    if headers:
        response["headers"] = headers
    if links:
        response["links"] = links
    return response


def _attempt_links(id_pointer: str) -> dict[str, Any]:
    """Where an attempt's id in a response leads (clients and stateful testers follow these)."""
    attempt_id = {"attempt_id": f"$response.body#{id_pointer}"}
    return {"GetAttempt": {"operationId": "getAttempt", "parameters": attempt_id},
            "Answer": {"operationId": "answer", "parameters": attempt_id},
            "GetResult": {"operationId": "getResult", "parameters": attempt_id}}


RESPONSES = {
    "BadRequest": _error("The request is malformed (invalid_json, invalid_request, invalid_parameter), or, with "
                         "cookie authentication, the CSRF token is missing (csrf_failed)."),
    "Unauthorized": _error("No valid session and no valid API token (unauthorized, invalid_token)."),
    "NotFound": _error("No such thing, or it is not yours."),
    "MethodNotAllowed": _error("The path exists but not with this method."),
    "TooLarge": _error("The request body is larger than 16 KiB."),
    "UnsupportedMediaType": _error("The body must be JSON (Content-Type: application/json)."),
    "RateLimited": _error("Too many requests; wait and retry."),
    "ServerError": _error("Something went wrong on the server."),
    "DatabaseUnavailable": _error("database_unavailable: the database cannot write (a full disk, a read-only "
                                  "server); nothing of this request was recorded. Retry later."),
}


def _refs(*names: str) -> dict[str, Any]:
    codes = {"BadRequest": "400", "Unauthorized": "401", "NotFound": "404", "MethodNotAllowed": "405",
             "TooLarge": "413", "UnsupportedMediaType": "415", "RateLimited": "429"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in names}


def _operation(summary: str, responses: dict[str, Any], *, auth: bool, description: str = "",
               parameters: list[Any] | None = None, body: str | None = None, tags: list[str],
               operation_id: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": tags,
        # Required auth: either scheme.  Optional auth: none, or either scheme (adds "me").
        "security": [{"bearerAuth": []}, {"cookieAuth": []}] if auth else [{}, {"bearerAuth": []}, {"cookieAuth": []}],
        # Every operation may touch the database (a bearer token's use is recorded).
        "responses": {**responses, "503": {"$ref": "#/components/responses/DatabaseUnavailable"},
                      "default": {"$ref": "#/components/responses/ServerError"}},
    }
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": ref(body)}}}
    return operation


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def paths() -> dict[str, Any]:
    state_ok = "The attempt's state, with the current question."
    return {
        "/openapi.json": {"get": _operation(
            "This document", {"200": {"description": "The OpenAPI document.",
                                      "content": {JSON: {"schema": {"type": "object"}}}},
                              **_refs("Unauthorized")},
            auth=False, tags=["meta"], operation_id="getOpenApi")},
        "/me": {"get": _operation(
            "Who is calling", {"200": _ok("The caller.", "Me"), **_refs("Unauthorized")},
            auth=True, tags=["meta"], operation_id="getMe",
            description="With cookie authentication this also gives the CSRF token for the X-CSRFToken header.")},
        "/quizzes": {"get": _operation(
            "The quizzes on offer", {"200": _ok("Every quiz that can be started.", "QuizList"), **_refs("Unauthorized")},
            auth=False, tags=["quizzes"], operation_id="listQuizzes")},
        "/quizzes/{key}/attempts": {"post": _operation(
            "Start a quiz (or resume the attempt already running)",
            {"201": _ok("A new attempt. " + state_ok, "AttemptState",
                        {"Location": {"description": "The attempt's URL.", "schema": STRING}}, _attempt_links("/id")),
             "200": _ok("The attempt already running at this quiz. " + state_ok, "AttemptState",
                        links=_attempt_links("/id")),
             "409": _error("The quiz cannot be started (quiz_unavailable)."),
             **_refs("BadRequest", "Unauthorized", "NotFound", "RateLimited")},
            auth=True, tags=["attempts"], operation_id="startAttempt", parameters=[_param("QuizKey"), _param("Csrf")],
            description="The user's time accommodation decides the mode: standard, extended (limits × 1.5 or × 2, "
                        "ranked on the extended board) or untimed practice (unranked). Serving the first question "
                        "starts its clock.")},
        "/attempts/{attempt_id}": {"get": _operation(
            "An attempt's state and current question",
            {"200": _ok(state_ok, "AttemptState", links=_attempt_links("/id")), **_refs("Unauthorized", "NotFound")},
            auth=True, tags=["attempts"], operation_id="getAttempt", parameters=[_param("AttemptId")],
            description="Serving a question starts its clock. An attempt past its deadline is closed here.")},
        "/attempts/{attempt_id}/answers": {"post": _operation(
            "Answer the current question",
            {"200": _ok("What became of the answer.", "AnswerOutcome", links=_attempt_links("/attempt/id")),
             "409": _error("not_current_question: the position is not the current question; attempt_finished: "
                           "the attempt accepts no more answers."),
             "422": _error("invalid_answer: the answer does not fit the question; nothing was recorded."),
             **_refs("BadRequest", "Unauthorized", "NotFound", "TooLarge", "UnsupportedMediaType", "RateLimited")},
            auth=True, tags=["attempts"], operation_id="answer", parameters=[_param("AttemptId"), _param("Csrf")],
            body="AnswerRequest",
            description="Sending the same answer again returns the first outcome (duplicate) and records nothing. "
                        "An answer after the deadline (plus a short grace) is recorded as timed_out with no points.")},
        "/attempts/{attempt_id}/result": {"get": _operation(
            "A finished attempt's result and review",
            {"200": _ok("Score, time, rank and every question with its right answer.", "Result"),
             "409": _error("attempt_in_progress: the attempt is still running."),
             **_refs("Unauthorized", "NotFound")},
            auth=True, tags=["attempts"], operation_id="getResult", parameters=[_param("AttemptId")])},
        "/leaderboards/overall": {"get": _operation(
            "The overall leaderboard (each quiz's best score as thousandths of its maximum, summed)",
            {"200": _ok("One page of the board.", "Leaderboard"), **_refs("BadRequest", "Unauthorized")},
            auth=False, tags=["leaderboards"], operation_id="getOverallLeaderboard",
            parameters=[_param("Period"), _param("Board"), _param("Page")])},
        "/leaderboards/{key}": {"get": _operation(
            "A quiz's leaderboard (each player's best attempt)",
            {"200": _ok("One page of the board.", "Leaderboard"), **_refs("BadRequest", "Unauthorized", "NotFound")},
            auth=False, tags=["leaderboards"], operation_id="getQuizLeaderboard",
            parameters=[_param("QuizKey"), _param("Period"), _param("Board"), _param("Page")])},
    }


def document() -> dict[str, Any]:
    cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "quizapp API",
            "version": "1.0.0",
            "description": "Take the quizzes and read the leaderboards. Authenticate with a personal API token "
                           "(create one on the Account page) or, from the site's own pages, the session cookie plus "
                           "an X-CSRFToken header on POST. Texts come in the language of Accept-Language "
                           f"({', '.join(current_app.config['LANGUAGES'])}). "
                           "Every error is {\"error\": {\"code\", \"message\"}}.",
        },
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name} for name in ("quizzes", "attempts", "leaderboards", "meta")],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "responses": RESPONSES,
            "parameters": {
                "QuizKey": {"name": "key", "in": "path", "required": True, "schema": STRING},
                "AttemptId": {"name": "attempt_id", "in": "path", "required": True,
                              "schema": {"type": "integer", "minimum": 1}},
                "Period": {"name": "period", "in": "query", "required": False,
                           "schema": {"type": "string", "enum": list(PERIODS), "default": PERIODS[0]},
                           "description": "all time, this week or today (weeks and days in the leaderboard time zone)."},
                "Board": {"name": "board", "in": "query", "required": False,
                          "schema": {"type": "string", "enum": list(RANKED_MODES), "default": RANKED_MODES[0]},
                          "description": "standard time, or extended time (attempts with a time accommodation)."},
                "Page": {"name": "page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
                "Csrf": {"name": "X-CSRFToken", "in": "header", "required": False, "schema": STRING,
                         "description": "Required with cookie authentication (from GET /me); not with a bearer token."},
            },
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "qz_...",
                               "description": "A personal API token from the Account page. CSRF does not apply."},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": cookie,
                               "description": "The session cookie of a logged-in browser. POST requests must also "
                                              "send the CSRF token (GET /me) in an X-CSRFToken header."},
            },
        },
    }
