"""The JSON API, version 1.  Each view mirrors an HTML page of ``play`` or ``leaderboard``
and calls the same services; the caller's transaction rules are the same too (a view
commits what a service flushed, or rolls back on a refusal)."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from quizapp import attempts
from quizapp.api import openapi
from quizapp.api.auth import authenticate, optional_user, require_user
from quizapp.api.present import iso, outcome_json, quiz_brief, quiz_json, review_item, standing_json, state_json
from quizapp.bank.checks import is_int
from quizapp.caching import caches
from quizapp.context import current_clock, rules
from quizapp.errors import ApiError
from quizapp.extensions import csrf, db
from quizapp.i18n import current_locale
from quizapp.models import Attempt, Quiz
from quizapp.modes import RANKED_MODES, answers_shown
from quizapp.periods import PERIODS, period_start
from quizapp.question_types import InvalidResponse, get_type
from quizapp.questions import revision_values
from quizapp.ranking import Board, attempt_standing, board_page
from quizapp.rate_limits import per_user

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Flask-WTF's global check is off for this blueprint; ``authenticate`` applies it to every
# request that is not bearer-authenticated (see auth.py).
csrf.exempt(bp)
bp.before_request(authenticate)
# Errors, raised here or before a view was chosen, are answered in JSON by quizapp/errors.py.

MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer are simply not found (PostgreSQL would refuse them)
MAX_PAGE = 1_000_000


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send the request body as JSON (Content-Type: application/json)."))
    raw = request.get_data(cache=True)  # 413 beyond MAX_BODY_BYTES
    try:
        payload = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # bad JSON, not UTF-8 (UnicodeDecodeError), too deeply nested
        raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", _("The request body must be a JSON object."))
    return payload


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


MISSING = object()


def is_documented(value: Any) -> bool:
    """Whether ``value`` has a shape AnswerRequest's ``answer`` allows (see openapi.py): a number,
    a boolean, a string, or a list of whole numbers.  Whether it fits the question is for the
    type's ``read_json``; a body outside these shapes is refused even when it comes too late."""
    if value is MISSING or value is None or isinstance(value, dict):
        return False
    if isinstance(value, list):
        return all(is_int(item) or (isinstance(item, float) and item.is_integer()) for item in value)
    return True


def _quiz_or_404(key: str, *, retired_too: bool = False) -> Quiz:
    if len(key) > 64 or "\x00" in key:  # no key is like that, and PostgreSQL refuses NUL in text
        raise ApiError(404, "quiz_not_found", _("There is no such quiz."))
    query = select(Quiz).where(Quiz.key == key)
    if not retired_too:
        query = query.where(Quiz.is_retired.is_(False))
    quiz = db.session.scalar(query)
    if quiz is None:
        raise ApiError(404, "quiz_not_found", _("There is no such quiz."))
    return quiz


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    user = require_user()
    attempt = db.session.get(Attempt, attempt_id) if attempt_id <= MAX_ID else None
    # Someone else's attempt is "not found", not "forbidden": ids reveal nothing.
    if attempt is None or attempt.user_id != user.id:
        raise ApiError(404, "attempt_not_found", _("There is no such attempt."))
    return attempt


def _state(attempt: Attempt, status: int = 200, headers: dict[str, str] | None = None):
    clock = current_clock()
    served = attempts.current_question(db.session, attempt, clock, rules(), revisions=caches(current_app).revisions)
    db.session.commit()  # serving a question starts its clock: keep that even if nothing else happens
    response = jsonify(state_json(attempt, served, clock.now(), current_locale()))
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# --- documents and the caller ------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.get("/me")
def me():
    user = require_user()
    response = jsonify({
        "username": user.username,
        "locale": user.locale,
        "time_accommodation": user.time_accommodation,
        "auth": g.api_auth,
        # The header a cookie-authenticated client sends with every POST.
        "csrf_token": generate_csrf() if g.api_auth == "cookie" else None,
    })
    response.headers["Cache-Control"] = "no-store"
    return response


# --- quizzes and attempts ------------------------------------------------------------

@bp.get("/quizzes")
def quizzes():
    locale = current_locale()
    rows = db.session.scalars(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position)).all()
    return jsonify({"quizzes": [quiz_json(quiz, locale) for quiz in rows]})


@bp.post("/quizzes/<key>/attempts")
@per_user("LIMIT_API_STARTS_PER_USER")
def start(key: str):
    user = require_user()
    quiz = _quiz_or_404(key)
    clock = current_clock()
    try:
        attempt, created = attempts.start_or_resume(db.session, user, quiz, clock, rules=rules())
    except attempts.QuizUnavailable:
        db.session.rollback()
        raise ApiError(409, "quiz_unavailable", _("This quiz cannot be started right now.")) from None
    if not created:
        return _state(attempt)  # already running (a second client, a retry, a start at the same instant)
    return _state(attempt, 201, {"Location": url_for("api.attempt_state", attempt_id=attempt.id)})


@bp.get("/attempts/<int:attempt_id>")
def attempt_state(attempt_id: int):
    return _state(_own_attempt_or_404(attempt_id))


@bp.post("/attempts/<int:attempt_id>/answers")
# Per caller, once ``authenticate`` has checked the token or cookie: anonymous posts from the
# same address, or a rival's posts to this attempt, do not use up the player's allowance.
@per_user("LIMIT_API_ANSWERS_PER_USER")
def answer(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    body = _json_body()
    unknown = sorted(set(body) - {"position", "answer"})
    if unknown:  # as the document says (additionalProperties: false): a misspelt field is not ignored
        raise ApiError(400, "invalid_request", _("Unknown field: %(name)s. Send only position and answer.",
                                                   name=unknown[0][:40]))
    position = body.get("position")
    if isinstance(position, float) and position.is_integer():
        position = int(position)  # 3.0 is 3 to JSON and to the document's schema; 3.5 is refused
    if not (isinstance(position, int) and not isinstance(position, bool) and 0 <= position <= MAX_ID):
        raise ApiError(400, "invalid_request", _("Send the position of the question you answer, as a whole number."))
    answer = body.get("answer", MISSING)
    current = position == attempt.current_position < len(attempt.plan) and not attempt.is_finished
    kept = caches(current_app).revisions  # the question page's: the same plain values, read once per process
    if not is_documented(answer):
        # Not an answer at all (missing, null, an object...): refused whatever the time, as the
        # document says; the message is the question's own when it is the current one.
        revision = revision_values(db.session, attempt.plan[position], kept) if current else None
        message = get_type(revision.type).missing_message if revision is not None else "Choose an answer."
        raise ApiError(422, "invalid_answer", _(message))
    try:
        # The type reads the answer strictly (its read_json), and only once the service has
        # checked the time: an answer that comes too late is "timed_out" whatever its shape,
        # and a replay is not read at all.
        outcome = attempts.answer_at(db.session, attempt, position, answer, current_clock(), rules=rules(),
                                     from_json=True, revisions=kept)
    except InvalidResponse as error:
        raise ApiError(422, "invalid_answer", _(str(error))) from None
    except OverflowError:
        raise ApiError(422, "invalid_answer", _("Enter a number.")) from None
    except attempts.AttemptClosed:
        raise ApiError(409, "attempt_finished", _("This attempt is finished; it accepts no more answers.")) from None
    except attempts.NotCurrentQuestion:
        raise ApiError(409, "not_current_question",
                       _("That answer was for another question. Here is the current one.")) from None
    revision = revision_values(db.session, outcome.row.revision_id, kept)
    assert revision is not None
    if outcome.duplicate:
        db.session.rollback()  # a replay changes nothing
    else:
        db.session.commit()
    response = jsonify(outcome_json(outcome, revision, current_locale()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/attempts/<int:attempt_id>/result")
def result(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not attempts.close_if_expired(db.session, attempt, current_clock(), rules()):
        db.session.rollback()
        raise ApiError(409, "attempt_in_progress", _("This attempt is still running; the result comes when it ends."))
    db.session.commit()
    locale = current_locale()
    standing = attempt_standing(db.session, attempt)
    response = jsonify({
        "id": attempt.id,
        "quiz": quiz_brief(attempt.quiz, locale),
        "status": "finished",
        "mode": attempt.mode,
        "time_factor": attempt.time_factor,
        "ranked": attempt.mode in RANKED_MODES,
        # "flagged": answered faster than a person can, off the boards until an admin reviews it;
        # "voided": reviewed and never ranked; "cleared": reviewed and ranked; null: not held.
        "review_status": attempt.review_status,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "correct_count": attempt.correct_count,
        "question_count": attempt.question_count,
        "duration_ms": attempt.duration_ms,
        "started_dt": iso(attempt.started_dt),
        "finished_dt": iso(attempt.finished_dt),
        "rank": standing.rank if standing else None,
        "participants": standing.participants if standing else None,
        "is_best": standing.is_best if standing else None,
        # An assignment may keep its answers until its close (modes.answers_shown): none yet then.
        "questions": [review_item(row, revision, locale) for row, revision in attempts.review(db.session, attempt)]
        if answers_shown(attempt, current_clock().now()) else [],
    })
    response.headers["Cache-Control"] = "no-store"
    return response


# --- leaderboards ------------------------------------------------------------------------

def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name, allowed[0])
    if value not in allowed:
        raise ApiError(400, "invalid_parameter", _("%(name)s must be one of: %(allowed)s.", name=name,
                                                     allowed=", ".join(allowed)))
    return value


def _page() -> int:
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= MAX_PAGE):
        raise ApiError(400, "invalid_parameter", _("page must be a whole number from 1 to %(max)d.", max=MAX_PAGE))
    return int(raw)


def _board(quiz: Quiz | None):
    period, board_name, page = _choice("period", PERIODS), _choice("board", RANKED_MODES), _page()
    start_dt = period_start(period, current_clock().now(), rules().zone)
    board = Board(quiz.id if quiz else None, board_name, period, start_dt)
    page_size = current_app.config["LEADERBOARD_PAGE_SIZE"]
    user = optional_user()
    me_id = user.id if user is not None and not user.is_hidden else None
    shown = board_page(db.session, board, page, page_size, me_id)
    mine = None
    if shown.viewer is not None:
        own = shown.viewer.standing
        mine = {"rank": own.rank, "username": own.username, "score": own.score, "duration_ms": own.duration_ms,
                "finished_dt": iso(own.finished_dt), "quiz_count": own.quiz_count, "page": shown.viewer.page}
    return jsonify({
        "quiz": quiz_brief(quiz, current_locale()) if quiz else None,
        "board": board_name,
        "period": period,
        "period_start": iso(start_dt),
        "page": page,
        "pages": shown.pages,
        "page_size": page_size,
        "total": shown.total,
        "rows": [standing_json(row, me_id) for row in shown.rows],
        "me": mine,
    })


@bp.get("/leaderboards/overall")
def overall_board():
    return _board(None)


@bp.get("/leaderboards/<key>")
def quiz_board(key: str):
    return _board(_quiz_or_404(key, retired_too=True))
