"""Flask-Login for this app: whose session a cookie is, and where a visitor is sent to sign in.

``current_user`` is a ``Viewer``: the user's row as plain values, read with one prebuilt
statement, not an ORM object.  Every signed-in page reads its user; only a few change it, and
those ask for the ORM object with ``signed_in_account()``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import bindparam, select

from quizapp.extensions import db, login_manager
from quizapp.models import User
from quizapp.users import user_by_id


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user as a request reads them.  Frozen: a view that changes the user must
    change the ORM object (``signed_in_account()``), which is what gets written."""

    id: int
    username: str
    session_version: int
    is_admin: bool
    is_hidden: bool
    locale: Optional[str]
    time_accommodation: str
    shares_profile: bool
    is_teacher: bool
    must_set_password: bool

    # What Flask-Login asks of a user, as User answers it (models/users.py).
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


# Loading the user as an ORM object was 13-15% of a question page in profiles (the identity
# map, the instance state, eleven attributes); a plain row of the columns pages read is most of
# that saved.  Measured: see ``load_user``.
_VIEWER_BY_ID = select(User.id, User.username, User.session_version, User.is_admin, User.is_hidden, User.locale,
                       User.time_accommodation, User.shares_profile, User.is_teacher,
                       User.must_set_password).where(User.id == bindparam("id"))


def load_user(session_user_id: str) -> Viewer | None:
    """The user of a session, if the session is still theirs: ``User.get_id`` writes
    "id:session_version", and a logout or a password change raises the version, which signs
    out every cookie made before (a copy included).  A bare id is a session from before
    versions existed, read as version 0.

    A plain row (``Viewer``) instead of the ORM object: the question page went from 0.26x to
    0.30x of the signed-in floor's CPU per request (+15%; in-process, limiter on, median of 5
    rounds of 400 requests on the 1,000,000-attempt bench data, 2026-12-05)."""
    user_id, _separator, version = session_user_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 12):
        return None
    if version and not (version.isascii() and version.isdigit() and len(version) < 12):
        return None
    row = db.session.connection().execute(_VIEWER_BY_ID, {"id": int(user_id)}).first()
    if row is None or row.session_version != int(version or 0):
        return None
    return Viewer(*row)


def signed_in_account() -> User:
    """The signed-in user as the ORM object, for a view that changes them (their language,
    password, sessions, settings) or hands them to a service that may.  Only after
    ``login_required``."""
    user = current_user._get_current_object()
    if isinstance(user, User):  # signed in during this request (login_user): already the object
        return user
    account = user_by_id(db.session, user.id)
    assert account is not None  # the loader has just read the row, in this transaction
    return account


def unauthorized():
    flash(_("Please log in first."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def _forget_the_last_requests_user() -> None:
    # Flask-Login keeps the loaded user in ``g``, which belongs to the app context; a request
    # shares the context that is already pushed (pytest-flask's, a shell's), so without this a
    # later request would see the user, a frozen Viewer, as an earlier request loaded them.
    g.pop("_login_user", None)


def init_app(app: Flask) -> None:
    app.before_request(_forget_the_last_requests_user)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own
