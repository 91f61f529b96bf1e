"""Who is calling the API, and the CSRF rule that goes with it.

Two ways in:

* ``Authorization: Bearer qz_...`` — a personal API token (see ``quizapp.tokens``).  A
  browser never attaches one on its own, so these requests cannot be forged cross-site
  and CSRF does not apply to them.  A bearer token that is unknown or revoked is a 401;
  the session cookie is then not consulted.
* The session cookie of a logged-in browser.  Then every state-changing request must
  carry the CSRF token in an ``X-CSRFToken`` header (``GET /api/v1/me`` hands it out).

The blueprint is exempt from Flask-WTF's global check, and ``authenticate`` runs
``csrf.protect()`` itself for every request that is not bearer-authenticated: an exemption
for valid bearer tokens only.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.auth.login import signed_in_account
from quizapp import tokens
from quizapp.context import current_clock
from quizapp.errors import ApiError
from quizapp.extensions import csrf, db
from quizapp.models import User

# No request body the API takes comes near this; anything larger is refused with 413.
MAX_BODY_BYTES = 16 * 1024
REALM = 'Bearer realm="quizapp"'


def authenticate() -> None:
    """The blueprint's ``before_request``: sets ``g.api_user`` and ``g.api_auth``."""
    request.max_content_length = MAX_BODY_BYTES
    g.api_user = None
    g.api_auth = None
    scheme, _sep, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        record = tokens.find_token(db.session, credentials.strip(), current_clock().now())
        if record is None:
            raise ApiError(401, "invalid_token", _("The API token is invalid or has been revoked."),
                           {"WWW-Authenticate": REALM + ', error="invalid_token"'})
        user = record.user
        db.session.commit()  # keeps last_used_dt
        g.api_user, g.api_auth = user, "bearer"
        return
    if current_user.is_authenticated:
        # The ORM object, as a bearer token gives: the API hands its user to the services.
        g.api_user, g.api_auth = signed_in_account(), "cookie"
        config = current_app.config
        if config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True):
            csrf.protect()  # raises CSRFError (400) for a POST without a valid X-CSRFToken header


def optional_user() -> User | None:
    return g.get("api_user")


def require_user() -> User:
    user = g.get("api_user")
    if user is None:
        raise ApiError(401, "unauthorized", _("Log in or send an API token."), {"WWW-Authenticate": REALM})
    return user
