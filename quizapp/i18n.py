"""The language of a request: which one, its parsed ``Locale``, and the translations for it.

``init_app`` binds Flask-Babel with ``select_locale`` and gives templates the per-request
translations.  Every cost saved here was measured (docs/performance.md, "Template
translations are looked up once per request"; "WTForms' own catalog is parsed once").
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale, support
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale, get_timezone, get_translations
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from wtforms.i18n import messages_path

from quizapp.extensions import babel
from quizapp.zones import zone_named

ZONE_COOKIE = "tz"


def select_locale() -> Locale:
    """The language chosen on this browser, else the signed-in user's, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen not in languages:
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            chosen = current_user.locale
        else:
            chosen = (negotiated_language(request.accept_languages, languages)
                      or current_app.config["BABEL_DEFAULT_LOCALE"])
    return _locale(chosen)


def select_timezone() -> str:
    """The browser's zone (the ``tz`` cookie of static/zone.js) if it is a real zone name,
    else the configured one; quizapp/zones.py says why each time names its zone.  A name:
    Flask-Babel makes its own (pytz) zone of it."""
    config = current_app.config
    chosen = zone_named(request.cookies.get(ZONE_COOKIE))
    return chosen.key if chosen else (config["DISPLAY_TIMEZONE"] or config["LEADERBOARD_TIMEZONE"])


def current_zone() -> ZoneInfo:
    """The viewer's zone (the one Flask-Babel formats times in) as a ZoneInfo."""
    return zone_named(str(get_timezone())) or ZoneInfo("UTC")


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


def request_translations() -> support.NullTranslations:
    # Flask-Babel finds the catalog anew for every string (context, locale, identifier,
    # lookup); a page asks for dozens.  Keep the answer for the request, checked against the
    # locale so that ``force_locale`` still takes effect.
    locale = get_locale()
    cached = g.get("_quizapp_translations")
    if cached is None or cached[0] is not locale:
        cached = g._quizapp_translations = (locale, get_translations())
    return cached[1]


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def wtforms_translations() -> support.Translations:
    """WTForms' own messages in the request's language.  Flask-WTF parses WTForms' catalog
    from disk for every request that makes a form; it never changes while the process runs,
    so it is parsed once per language."""
    return _wtforms_catalog(str(get_locale() or "en"))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(context, singular, plural, n),
        newstyle=True)
