"""Configuration, in three layers: defaults here, then ``instance/config.py``, then
``QUIZAPP_*`` environment variables (``QUIZAPP_DATABASE_URL``, ``QUIZAPP_SECRET_KEY``...).
Nothing is read at import time; ``load_config`` runs inside ``create_app``."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "BABEL_DEFAULT_LOCALE": "ru",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # The languages offered, in the switcher's order; each needs a catalog under
    # quizapp/translations/ (but ru, the source) and a name in LANGUAGE_NAMES.
    "LANGUAGES": ("ru", "en", "kk", "zh"),
    "ANSWER_GRACE_SECONDS": 2,
    "LEADERBOARD_PAGE_SIZE": 50,
    # Where "today" and "this week" begin for the leaderboards (stored and compared in UTC).
    "LEADERBOARD_TIMEZONE": "Asia/Almaty",
    # The zone times are shown in (quizapp/zones.py) when the browser has not said its own;
    # None: the leaderboards' zone.  Every time on a page names its zone.
    "DISPLAY_TIMEZONE": None,
    # The human floor of a question (quizapp.pace; docs/scoring.md): a ranked attempt with an
    # answer faster than this is held off the leaderboards until an admin clears it.
    "PACE_CHECK": True,
    "MIN_READ_MS_PER_CHAR": 8,  # per character of the prompt and options (125 a second)
    "MIN_ANSWER_MS": 600,  # seeing the page and the one click every answer needs
    "MIN_CHOICE_MS": 400,  # each further box, select or pairing to set
    "MIN_TYPED_MS": 1000,  # typing a number, a year or a name instead of a click
    "QUESTIONS_PATH": None,  # defaults to the questions/ folder beside the package
    # No form here comes near this; a larger body is refused (413) before it is read.  The API
    # sets its own, smaller limit (api/auth.py).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,  # a long quiz must not expire its own form
    # memory:// counts per server process; several servers share redis://host:6379/0 instead.
    "RATELIMIT_STORAGE_URI": "memory://",
    # If that Redis stops answering, each server counts in memory until it is back: the limits
    # hold (per server) and logging in keeps working, instead of every limited page failing.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    # How many reverse proxies in front set X-Forwarded-For (1 behind one nginx).  The rate
    # limits key on the client's address; behind a proxy that is the proxy's own unless this
    # says to trust the header, and trusting it without a proxy would let anyone pick an address.
    "TRUSTED_PROXIES": 0,
    # Rate limits ("N per minute; M per hour"); quizapp/rate_limits.py says what each is keyed
    # on.  Per user: nobody else's requests use up a player's allowance.
    "LIMIT_ANSWERS_PER_USER": "60 per minute",
    "LIMIT_API_ANSWERS_PER_USER": "120 per minute",
    "LIMIT_API_STARTS_PER_USER": "30 per minute",
    "LIMIT_PASSWORD_CHANGES_PER_USER": "10 per minute; 50 per hour",
    # /study, /study/<topic> and /review together (each costs tens of ms of CPU); a learner
    # reading topics one after another stays far below.
    "LIMIT_STUDY_PAGES_PER_USER": "60 per minute",
    # Logins count failures only: a class behind one address all log in; a guesser is stopped
    # per name and address, per name from any address, and per address over all names.
    "LIMIT_LOGIN_FAILURES_PER_ADDRESS_AND_NAME": "10 per minute",
    "LIMIT_LOGIN_FAILURES_PER_NAME": "30 per hour",
    "LIMIT_LOGIN_FAILURES_PER_ADDRESS": "50 per minute; 300 per hour",
    # Registering runs scrypt (tens of ms, 32 MiB): per address, room for a class; and for everyone.
    "LIMIT_REGISTER_PER_ADDRESS": "30 per minute; 200 per hour",
    "LIMIT_REGISTER_ALL": "120 per minute",
    # Joining a class by code counts refused codes only (a right code joins and is not counted):
    # a guesser is stopped per user, and per address over all users; a class behind one school
    # address mistyping its code now and then stays far below the second.
    "LIMIT_CLASS_JOIN_FAILURES_PER_USER": "10 per minute; 50 per day",
    "LIMIT_CLASS_JOIN_FAILURES_PER_ADDRESS": "30 per minute; 300 per day",
    # Live games (docs/live.md).  Joins per address: room for a class behind one address.
    "LIVE_JOIN_LIMIT": "60 per minute",
    # Socket events per connection: a steady rate per second and a burst; beyond it, refused.
    "LIVE_SOCKET_RATE": 5.0,
    "LIVE_SOCKET_BURST": 10,
    # Several servers share games through one Redis (redis://host:6379/N); None: one process,
    # an in-process queue (``make run``).  QUIZAPP_REDIS_URL is used when this is not set.
    "SOCKETIO_MESSAGE_QUEUE": None,
    "REDIS_URL": None,
    # The server's timer (closing questions, auto-advance), every LIVE_TICK_S seconds.
    "LIVE_TIMER": True,
    "LIVE_TICK_S": 0.25,
}

SECRET_KEY_FILE = "secret_key"

# Each language named in itself, as language pickers do (so a reader finds their own language
# whatever the page's).  Babel's display names are lower-case descriptions ("қазақ тілі",
# "русский"), not the short self-names people look for in a switcher.
LANGUAGE_NAMES = {"ru": "Русский", "en": "English", "kk": "Қазақша", "zh": "中文"}


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "quizapp.sqlite")
    app.config["QUESTIONS_PATH"] = str(Path(app.root_path).parent / "questions")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    overrides = test_config or {}
    for name, value in os.environ.items():
        if not name.startswith("QUIZAPP_") or name.startswith("QUIZAPP_TEST_"):
            continue
        key = name.removeprefix("QUIZAPP_")
        key = "SQLALCHEMY_DATABASE_URI" if key == "DATABASE_URL" else key
        if key not in overrides:
            app.config[key] = _parse(value)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # the form many hosts hand out
        uri = "postgresql://" + uri.removeprefix("postgres://")
    if uri.startswith("postgresql://"):  # we ship psycopg 3, not psycopg2
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    unnamed = [lang for lang in app.config["LANGUAGES"] if lang not in LANGUAGE_NAMES]
    if unnamed:  # the switcher would show a bare code: say so at start, not on the first page
        raise ValueError(f"LANGUAGES has {', '.join(unnamed)}, which LANGUAGE_NAMES in quizapp/config.py does not name")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _parse(value: str) -> Any:
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(value)
    except ValueError:
        return value


def _instance_secret(instance: Path) -> str:
    """Read the instance's secret key, generating it on first run (never a guessable default)."""
    path = instance / SECRET_KEY_FILE
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        # O_EXCL: when two workers start at once, exactly one writes and both read its key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key
