"""Every error answer, for pages and for the API, decided in one place.

Each handler builds its message once and ``error_answer`` picks the form: JSON under
``/api/`` (``{"error": {"code": "...", "message": "..."}}``, ``code`` machine-readable and
stable, ``message`` for people in the request's language), an error page anywhere else.  The
choice is made by ``wants_json_response`` alone, as in microblog, so an unknown URL or a wrong
method under ``/api/`` answers in JSON too, although no API view was chosen.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from quizapp.extensions import db

API_PREFIX = "/api/"

# HTTP status -> the machine-readable code used when nothing more specific applies.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "server_error",
}
# Headers of a werkzeug error worth passing on to an API client (its Content-Type is HTML; ours is JSON).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

# PostgreSQL's read_only_sql_transaction: a standby after a failover, or a database set read-only.
# psycopg files it under InternalError, not OperationalError.
READ_ONLY_SQLSTATE = "25006"


class ApiError(Exception):
    """Raised by an API view to answer with an error; ``code`` is machine-readable."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def wants_json_response() -> bool:
    """Whether this request is answered in JSON: anything under /api/, matched to a view or not."""
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def error_answer(status: int, code: str, message: str, headers: dict[str, str] | None = None):
    """The one way an error is answered.  The transaction is rolled back first: what a request
    did before it failed is never kept (nor committed at the end of the request)."""
    db.session.rollback()
    if wants_json_response():
        return error_response(status, code, message, headers)
    return render_template("error.html", code=status, message=message), status


def http_message(status: int, error: HTTPException) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Log in or send an API token."),
        404: _("There is nothing here."),
        405: _("That action is not allowed here."),
        413: _("What was sent is too large."),
        429: _("Too many attempts. Wait a little and try again."),
        500: _("Something went wrong on the site."),
    }
    return messages.get(status) or error.description or error.name


def database_cannot_write(error: DBAPIError) -> bool:
    """A full disk, a read-only file or server, a lost connection: the database, not the request."""
    return isinstance(error, OperationalError) or getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE


def api_error(error: ApiError):
    return error_answer(error.status, error.code, error.message, error.headers)


def csrf_error(error: CSRFError):
    if wants_json_response():
        message = _("The CSRF token is missing or invalid. Send the token from GET /api/v1/me in an X-CSRFToken "
                    "header, or authenticate with an API token instead of the session cookie.")
    else:
        message = _("The form expired or was sent from elsewhere. Go back, reload the page and try again.")
    return error_answer(400, "csrf_failed", message)


def http_error(error: HTTPException):
    status = error.code or 500
    # Pages show only the message; an API client also gets what the error says to do next.
    headers = {name: value for name, value in error.get_headers() if name in _KEPT_HEADERS}
    return error_answer(status, HTTP_CODES.get(status, "http_" + str(status)), http_message(status, error),
                        headers if wants_json_response() else None)


def database_unavailable(error: DBAPIError):
    if not database_cannot_write(error):
        raise error  # a bug, not the database's state: the 500 handler answers
    # A full disk, a read-only file or server, a lost connection: say plainly that nothing was saved.
    current_app.logger.error("database unavailable: %s", error)
    return error_answer(503, "database_unavailable", _(
        "The database cannot save anything right now, so your last action was not recorded. "
        "Nothing already saved is lost. Please try again in a moment."))


def unusable_value(error: DataError):
    # A value the database itself refuses (a NUL byte, a number out of range) is bad input.
    return error_answer(400, "bad_request", _("The request could not be understood."))


def server_error(error: Exception):  # pragma: no cover - the handler of last resort
    return error_answer(500, "server_error", _("Something went wrong on the site."))


def init_app(app: Flask) -> None:
    # Flask looks up a handler by status code before it looks by class (CSRFError is a 400,
    # the last resort a 500), and the API registers none of its own: these are all there is.
    app.register_error_handler(ApiError, api_error)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DBAPIError, database_unavailable)
    app.register_error_handler(DataError, unusable_value)
    app.register_error_handler(500, server_error)
