"""Every rate limit's key, in one place, and why each limit is keyed as it is.

The limits themselves are settings (``LIMIT_*`` in ``config.py``), so a school with many players
behind one address can raise the per-address ones.  They are counted in the limiter's store:
memory, or one Redis shared by several servers (``RATELIMIT_STORAGE_URI``).

Two rules, from issue 14:

* What only a signed-in user can do is limited **per user**, keyed on who the server has
  already recognised (``login_required`` ran, or the API's ``authenticate`` checked the token
  or cookie).  Someone else's requests (a rival posting to your attempt id, an anonymous
  script behind the same school address) count against that someone, never against you.
  Requests from nobody signed in are not counted: they are refused at once anyway.
* Logging in counts **failures only**, per (address, name), per name from anywhere, and per
  address over all names, so a class behind one address can all log in while a guesser is
  stopped; see ``auth/views.py``.  Joining a class by code counts refused codes the same way,
  per user and per address (``classroom/views.py``).
"""
from __future__ import annotations

import unicodedata
from typing import Callable

from flask import current_app, g, request
from flask.wrappers import Response
from flask_limiter.util import get_remote_address
from flask_login import current_user

from quizapp.extensions import limiter
from quizapp.models import User


def configured(name: str) -> Callable[[], str]:
    """The limit named ``name`` in the configuration, read per request (tests and deployments set it)."""
    return lambda: current_app.config[name]


def signed_in_user() -> User | None:
    """Who the request is from: the API's caller (bearer or cookie, see api/auth.py), else the session's user."""
    user = g.get("api_user")
    if user is None and current_user.is_authenticated:
        user = current_user
    return user


def user_key() -> str:
    user = signed_in_user()
    return f"user:{user.id if user is not None else '-'}"


def nobody_signed_in() -> bool:
    return signed_in_user() is None


def per_user(setting: str, **options):
    """A route limit counted per signed-in user (see the module's first rule)."""
    return limiter.limit(configured(setting), key_func=user_key, exempt_when=nobody_signed_in, **options)


def shared_per_user(setting: str, scope: str, **options):
    """One per-user allowance shared by several routes (``scope`` names it)."""
    return limiter.shared_limit(configured(setting), scope, key_func=user_key, exempt_when=nobody_signed_in,
                                **options)


def login_name() -> str:
    """The name a login form was sent with, folded as names compare (NFKC, case), so ``Alice`` and
    ``alice`` share one count.  Cut short first: the key must stay small whatever is sent."""
    return unicodedata.normalize("NFKC", request.form.get("username", "")[:80]).strip().casefold()[:40]


def login_name_key() -> str:
    return f"name:{login_name()}"


def address_and_login_name_key() -> str:
    return f"{get_remote_address()}|{login_name()}"


def refused(response: Response) -> bool:
    """``deduct_when`` for logins: only a refused try counts (the login page answers 400)."""
    return response.status_code == 400


def everyone() -> str:
    return "everyone"
