"""What every page shares: the language, the clock, the signed-in user, error pages."""
from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from flask import Flask, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_datetime, format_percent, get_locale, get_translations, gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup, escape
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException

from quizapp.api.errors import error_response, is_api_request
from quizapp.modes import Rules
from quizapp.caching import BoundedCache
from quizapp.clock import Clock
from quizapp.config import LANGUAGE_NAMES
from quizapp.extensions import db, login_manager
from quizapp.models import User
from quizapp.pace import PaceRules
from quizapp.question_types import script_language
from quizapp.users import user_by_id


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)


# PostgreSQL's read_only_sql_transaction: a standby after a failover, or a database set read-only.
# psycopg files it under InternalError, not OperationalError.
READ_ONLY_SQLSTATE = "25006"


def database_cannot_write(error: DBAPIError) -> bool:
    """A full disk, a read-only file or server, a lost connection: the database, not the request."""
    return isinstance(error, OperationalError) or getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c``, ``\\u003e``, ``\\u0026`` (as Go's
    encoder does).  The same JSON to any parser, but a username or bank text holding markup is
    not markup in the bytes either, should anything ever render a response as HTML."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # These three characters can only occur inside JSON strings, where the escapes mean them.
        return (super().dumps(obj, **kwargs)
                .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def select_locale() -> Locale:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen not in languages:
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            chosen = current_user.locale
        else:
            chosen = (negotiated_language(request.accept_languages, languages)
                      or current_app.config["BABEL_DEFAULT_LOCALE"])
    return _locale(chosen)


def negotiated_language(accept: LanguageAccept, languages: Iterable[str]) -> str | None:
    """The first language the browser asks for, in its order of preference, that the app offers;
    a regional or script form (kk-KZ, zh-CN, zh-Hans-CN) counts as its language.

    Not werkzeug's ``best_match``: it takes any exact match before a regional one, so
    "kk-KZ, ru;q=0.8" got Russian and "zh-CN, en;q=0.5" English."""
    wanted = [value.lower() for value, quality in accept if quality > 0]  # q=0 means "not this one"
    return negotiate_locale(wanted, list(languages), sep="-", aliases={})


@lru_cache(maxsize=16)
def _locale(identifier: str) -> Locale:
    # Flask-Babel parses a name into a Locale for every request (a look at the locale data on
    # disk included); a Locale it is given is used as it is.  Only configured names come here.
    return Locale.parse(identifier)


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def current_clock() -> Clock:
    return current_app.extensions["quizapp.clock"]


def rules() -> Rules:
    """Timing and leaderboard rules from the configuration, for the domain services."""
    config = current_app.config
    pace = PaceRules(read_ms_per_char=config["MIN_READ_MS_PER_CHAR"], answer_ms=config["MIN_ANSWER_MS"],
                     choice_ms=config["MIN_CHOICE_MS"], typed_ms=config["MIN_TYPED_MS"]) if config["PACE_CHECK"] else None
    return Rules(grace=timedelta(seconds=config["ANSWER_GRACE_SECONDS"]), zone=ZoneInfo(config["LEADERBOARD_TIMEZONE"]),
                 pace=pace)


def loc(value: dict[str, str] | None) -> str:
    """The current language's text of a ``{ru, en}`` mapping from the bank."""
    if not value:
        return ""
    return value.get(current_locale()) or value.get("ru") or next(iter(value.values()), "")


# Runs of another script inside a bank text: the Chinese 冼星海 in a Russian, Kazakh or English
# explanation, the article's Russian «Си Синхай» quoted in an English or Chinese one.
_HAN_RUN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_CYRILLIC_RUN = r"[\u0400-\u04ff]+(?:[ \u00a0«»\-–—]+[\u0400-\u04ff]+)*"


def mark_languages(text: str) -> Markup:
    """A bank text as HTML, each run in another script than the page's language in a span with
    its own lang, so that a screen reader reads 冼星海 as Chinese on a Russian page.  Cyrillic is
    the page's own script in Russian and Kazakh; which of the two a run is, its letters say."""
    locale = current_locale()
    runs = [pattern for pattern, native in ((_HAN_RUN, ("zh",)), (_CYRILLIC_RUN, ("ru", "kk")))
            if locale not in native]
    parts, last = [], 0
    for found in re.finditer("|".join(runs), text) if runs else ():
        parts += [escape(text[last:found.start()]),
                  Markup('<span lang="{}">{}</span>').format(script_language(found.group()), found.group())]
        last = found.end()
    return Markup("").join([*parts, escape(text[last:])])


def format_duration(milliseconds: int | None) -> str:
    if milliseconds is None:
        return "—"
    seconds = round(milliseconds / 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def format_limit(seconds: int | None) -> str:
    if not seconds:
        return _("no time limit")
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return _("%(m)d min %(s)d s", m=minutes, s=rest)
    if minutes:
        return _("%(m)d min", m=minutes)
    return _("%(s)d s", s=rest)


def is_safe_redirect(target: str | None) -> bool:
    if not target:
        return False
    # No control character: werkzeug refuses a newline in a Location header (a 500), and a
    # browser drops tabs and newlines from a URL, so "/\t/evil.example" would mean "//evil.example".
    if any(unicodedata.category(character) == "Cc" for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def back_or(default: str) -> Any:
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_redirect(target) else default)


@login_manager.user_loader
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


def _request_translations():
    # Flask-Babel finds the catalog anew for every string (context, locale, identifier,
    # lookup); a page asks for dozens.  Keep the answer for the request, checked against the
    # locale so that ``force_locale`` still takes effect.
    locale = get_locale()
    cached = g.get("_quizapp_translations")
    if cached is None or cached[0] is not locale:
        cached = g._quizapp_translations = (locale, get_translations())
    return cached[1]


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: _request_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _request_translations().unpgettext(context, singular, plural, n),
        newstyle=True)


# Which header link is marked as the current page, by endpoint (then by blueprint).
_SECTIONS = {"main.home": "home", "study.index": "study", "study.topic": "study", "study.timeline": "timeline",
             "study.review": "review", "profiles.own": "profile", "auth.login": "login", "auth.register": "register"}
_SECTIONS_BY_BLUEPRINT = {"leaderboard": "leaderboard", "account": "account", "admin": "admin"}
_CSRF_SLOT, _NEXT_SLOT = "\x00csrf\x00", "\x00next\x00"
_HEADERS_MAX = 2048


def _section() -> str | None:
    endpoint = request.endpoint or ""
    if endpoint == "profiles.show" and current_user.is_authenticated \
            and (request.view_args or {}).get("username") == current_user.username:
        return "profile"
    return _SECTIONS.get(endpoint) or _SECTIONS_BY_BLUEPRINT.get(request.blueprint or "")


def site_header() -> Markup:
    """The page header: rendered once per (language, section, user) and then reused.

    Every page has it and it changes only with those, yet rendering it (a dozen links and
    translations) cost as much as the rest of a question page.
    """
    user = current_user._get_current_object()
    signed_in = bool(user and user.is_authenticated)
    key = (current_locale(), _section(), user.username if signed_in else None, signed_in and user.is_admin)
    headers: BoundedCache[Markup] = current_app.extensions["quizapp.headers"]
    html = headers.get_or_make(key, lambda: render_fragment(
        "_site_header.html", locale=key[0], current=key[1], username=key[2], is_admin=key[3],
        languages=[(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]],
        csrf_slot=_CSRF_SLOT, next_slot=_NEXT_SLOT))
    next_page = request.full_path.rstrip("?") if request.method == "GET" else url_for("main.home")
    # Markup.replace escapes what it puts in: the token and the address arrive as text.
    return html.replace(_CSRF_SLOT, generate_csrf()).replace(_NEXT_SLOT, next_page)


def render_fragment(template_name: str, **context: Any) -> Markup:
    """A template rendered on its own, as HTML ready to be placed in a page.

    The template escapes every value it prints (autoescape), so its output is markup; taking
    it through ``escape`` (which uses the rendered module's ``__html__``) says so without
    wrapping an arbitrary string in ``Markup``.
    """
    return escape(current_app.jinja_env.get_template(template_name).make_module(context))


def init_app(app: Flask) -> None:
    _install_template_gettext(app)
    app.extensions["quizapp.headers"] = BoundedCache(_HEADERS_MAX)
    app.json = HtmlSafeJSONProvider(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own

    @login_manager.unauthorized_handler
    def unauthorized():
        flash(_("Please log in first."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))

    app.jinja_env.globals.update(loc=loc, format_duration=format_duration, format_limit=format_limit,
                                 current_locale=current_locale, site_header=site_header)
    app.jinja_env.filters["lang_marked"] = mark_languages
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else "—"
    # A whole percent in the locale's form: "50 %" in Russian, "50%" in English, Kazakh and Chinese.
    app.jinja_env.filters["percent"] = lambda value: format_percent(round(value) / 100)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("error.html", code=400,
                               message=_("The form expired or was sent from elsewhere. Go back, reload the page and try again.")), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            404: _("There is nothing here."),
            405: _("That action is not allowed here."),
            413: _("What was sent is too large."),
            429: _("Too many attempts. Wait a little and try again."),
        }
        code = error.code or 500
        return render_template("error.html", code=code,
                               message=messages.get(code, error.description)), code

    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError):
        if not database_cannot_write(error):
            raise error  # a bug, not the database's state: the 500 handler answers
        # A full disk, a read-only file or server, a lost connection: say plainly that nothing was saved.
        db.session.rollback()
        app.logger.error("database unavailable: %s", error)
        message = _("The database cannot save anything right now, so your last action was not recorded. "
                    "Nothing already saved is lost. Please try again in a moment.")
        if is_api_request():
            return error_response(503, "database_unavailable", message)
        return render_template("error.html", code=503, message=message), 503

    @app.errorhandler(DataError)
    def unusable_value(error: DataError):
        # A value the database itself refuses (a NUL byte, a number out of range) is bad input.
        db.session.rollback()
        message = _("The request could not be understood.")
        if is_api_request():
            return error_response(400, "bad_request", message)
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(500)
    def server_error(error: Exception):  # pragma: no cover - the handler of last resort
        db.session.rollback()
        return render_template("error.html", code=500, message=_("Something went wrong on our side.")), 500

    @app.after_request
    def security_headers(response):
        # No inline script or style anywhere: everything comes from /static, so the policy
        # can forbid the rest.  Inline SVG presentation attributes are not styles.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        return {"languages": app.config["LANGUAGES"]}
