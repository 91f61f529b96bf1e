"""Flask-Login for this app: whose session a cookie is, and where a visitor is sent to sign in."""
from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _

from quizapp.extensions import db, login_manager
from quizapp.models import User
from quizapp.users import user_by_id


def load_user(session_user_id: str) -> User | None:
    """The user of a session, if the session is still theirs: ``User.get_id`` writes
    "id:session_version", and a logout or a password change raises the version, which signs
    out every cookie made before (a copy included).  A bare id is a session from before
    versions existed, read as version 0."""
    user_id, _separator, version = session_user_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 12):
        return None
    if version and not (version.isascii() and version.isdigit() and len(version) < 12):
        return None
    user = user_by_id(db.session, int(user_id))
    if user is None or user.session_version != int(version or 0):
        return None
    return user


def unauthorized():
    flash(_("Please log in first."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own
