"""One error shape for the whole API: ``{"error": {"code": "...", "message": "..."}}``.

``code`` is machine-readable and stable; ``message`` is for people, in the request's
language.  Errors raised inside the API's views are handled by the blueprint; those that
happen before a view is chosen (an unknown URL, a wrong method) reach the application's
handler, which ``install`` wraps so that anything under ``/api/`` still answers in JSON.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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
# Headers of a werkzeug error worth passing on (its Content-Type is HTML; ours is JSON).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiError(Exception):
    """Raised by a view to answer with an error; ``code`` is machine-readable."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def _message(status: int, error: HTTPException) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Log in or send an API token."),
        404: _("There is nothing here."),
        405: _("That action is not allowed here."),
        413: _("What was sent is too large."),
        429: _("Too many attempts. Wait a little and try again."),
        500: _("Something went wrong on our side."),
    }
    return messages.get(status) or error.description or error.name


def handle_api_error(error: ApiError) -> Response:
    db.session.rollback()
    return error_response(error.status, error.code, error.message, error.headers)


def handle_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    db.session.rollback()
    if isinstance(error, CSRFError):
        return error_response(400, "csrf_failed", _(
            "The CSRF token is missing or invalid. Send the token from GET /api/v1/me in an X-CSRFToken header, "
            "or authenticate with an API token instead of the session cookie."))
    headers = {name: value for name, value in error.get_headers() if name in _KEPT_HEADERS}
    return error_response(status, HTTP_CODES.get(status, "http_" + str(status)), _message(status, error), headers)


def install(app: Flask) -> None:
    """Make the application's HTTP error handler answer in JSON for paths under /api/."""
    previous: Callable[[HTTPException], Any] | None = app.error_handler_spec.get(None, {}).get(None, {}).get(HTTPException)

    def http_error(error: HTTPException) -> Any:
        if is_api_request():
            return handle_http_error(error)
        return previous(error) if previous is not None else error

    app.register_error_handler(HTTPException, http_error)
