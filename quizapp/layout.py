"""What every page's template is given: the site header, fragments, globals and filters.

``init_app`` installs the Jinja globals (``loc``, ``site_header`` …) and filters
(``lang_marked``, ``datetime``, ``percent``).  Rendered fragments that many requests share are
kept in the app's caches (``caching.caches``); each cache's key is written next to the
template it covers, at the top of that template.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Flask, current_app, g, render_template, request, session, url_for
from flask_babel import format_date, format_datetime, format_percent, format_time, gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from quizapp.caching import caches
from quizapp.config import LANGUAGE_NAMES
from quizapp.i18n import current_locale, current_zone
from quizapp.question_types import localized, script_language
from quizapp.zones import zone_label

# The bank's topics, by tag, for people.
TAG_LABELS = {
    "visits": _l("Visits"),
    "diplomacy": _l("Diplomacy"),
    "trade": _l("Trade"),
    "infrastructure": _l("Infrastructure"),
    "science": _l("Science"),
    "education": _l("Education"),
    "culture": _l("Culture"),
    "tourism": _l("Tourism"),
    "anniversaries": _l("Anniversaries"),
}


def tag_label(tag: str) -> str:
    return str(TAG_LABELS.get(tag, tag))


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


def zone_name(moment: datetime | None = None) -> str:
    """The viewer's zone as the page names it: "Алматы, UTC+5"."""
    return zone_label(current_zone(), moment or datetime.now(timezone.utc), current_locale())


def format_moment(value: datetime | None, fmt: str = "short", zone: bool = True) -> str:
    """A date and time to the minute, in the viewer's zone, the zone named unless the column
    header names it already: "02.12.2026, 05:54 (Алматы, UTC+5)"."""
    if value is None:
        return "—"
    text = format_datetime(value, fmt)
    return _("%(time)s (%(zone)s)", time=text, zone=zone_name(value)) if zone else text


def format_clock(value: datetime, seconds: bool = False) -> str:
    """The time of day in the viewer's zone, seconds only where they matter."""
    return format_time(value, "medium" if seconds else "short")


def with_zone(label: str) -> str:
    """A column header for times: "Finished (Almaty, UTC+5)"."""
    return _("%(time)s (%(zone)s)", time=label, zone=zone_name())


# Which header link is marked as the current page, by endpoint (then by blueprint).
_SECTIONS = {"main.home": "home", "study.index": "study", "study.topic": "study", "study.timeline": "timeline",
             "study.review": "review", "profiles.own": "profile", "auth.login": "login", "auth.register": "register"}
_SECTIONS_BY_BLUEPRINT = {"leaderboard": "leaderboard", "account": "account", "admin": "admin", "teach": "teach"}
_CSRF_SLOT, _NEXT_SLOT = "\x00csrf\x00", "\x00next\x00"


def _section() -> str | None:
    endpoint = request.endpoint or ""
    if endpoint == "profiles.show" and current_user.is_authenticated \
            and (request.view_args or {}).get("username") == current_user.username:
        return "profile"
    return _SECTIONS.get(endpoint) or _SECTIONS_BY_BLUEPRINT.get(request.blueprint or "")


def _header_key() -> tuple:
    user = current_user._get_current_object()
    signed_in = bool(user and user.is_authenticated)
    return (current_locale(), _section(), user.username if signed_in else None, signed_in and user.is_admin,
            signed_in and user.is_teacher)


def site_header() -> Markup:
    """The page header: rendered once per (language, section, user) and then reused.

    Every page has it and it changes only with those, yet rendering it (a dozen links and
    translations) cost as much as the rest of a question page.  The key is the contract
    written at the top of ``_site_header.html``: whatever it shows that differs between
    requests is in the key, or is a slot filled in here.
    """
    key = _header_key()
    html = caches(current_app).headers.get_or_make(key, lambda: render_fragment(
        "_site_header.html", locale=key[0], current=key[1], username=key[2], is_admin=key[3], is_teacher=key[4],
        languages=[(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]],
        csrf_slot=_CSRF_SLOT, next_slot=_NEXT_SLOT))
    if g.get("_quizapp_page_slots"):
        return html  # a whole page being kept (cached_page): it fills the slots for each request
    return _fill_slots(html)


def _fill_slots(html: str) -> str:
    """The slots filled for this request; a ``Markup`` (the header) stays ``Markup``, a page's
    text stays text.  The token and the address arrive as text: they are escaped here."""
    next_page = request.full_path.rstrip("?") if request.method == "GET" else url_for("main.home")
    return html.replace(_CSRF_SLOT, escape(generate_csrf())).replace(_NEXT_SLOT, escape(next_page))


def cached_page(template_name: str, key: tuple, context: Callable[[], dict[str, Any]]) -> str:
    """A whole page (``template_name`` on base.html), kept in the app's caches per (template,
    the header's key, ``key``): ``key`` must hold everything the page's own blocks show (the
    contract at the top of the template), read afresh for the request; ``context()`` gives the
    template's values, asked for only when the page is rendered.  The form token and the
    "back to this page" address are slots, filled in for each request, in the page's own
    blocks too (``csrf_token()``).  A page with a message to show (``flash``) is rendered
    afresh: messages are read once.

    Rendering base.html and the page's blocks around the kept fragments was what was left of
    the leaderboard and question pages' own work: +30% for each (the figures are beside each
    use, and in docs/performance.md)."""
    if "_flashes" in session:
        return render_template(template_name, **context())

    def make() -> str:
        g._quizapp_page_slots = True
        try:
            return render_template(template_name, **context(), csrf_token=lambda: _CSRF_SLOT)
        finally:
            g._quizapp_page_slots = False

    html = caches(current_app).pages.get_or_make((template_name, _header_key(), key), make)
    return _fill_slots(html)


def render_fragment(template_name: str, **context: Any) -> Markup:
    """A template rendered on its own, as HTML ready to be placed in a page.

    The template escapes every value it prints (autoescape), so its output is markup; taking
    it through ``escape`` (which uses the rendered module's ``__html__``) says so without
    wrapping an arbitrary string in ``Markup``.
    """
    return escape(current_app.jinja_env.get_template(template_name).make_module(context))


def init_app(app: Flask) -> None:
    # ``loc``: a bank text in the request's language (question_types.localized, the one such function).
    app.jinja_env.globals.update(loc=lambda value: localized(value, current_locale()), format_duration=format_duration,
                                 format_limit=format_limit, current_locale=current_locale, site_header=site_header,
                                 tag_label=tag_label, zone_name=zone_name, with_zone=with_zone)
    app.jinja_env.filters["lang_marked"] = mark_languages
    # Times to the minute, in the viewer's zone and naming it; dates alone where the time is noise.
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else "—"
    app.jinja_env.filters["clock"] = format_clock
    # A whole percent in the locale's form: "50 %" in Russian, "50%" in English, Kazakh and Chinese.
    app.jinja_env.filters["percent"] = lambda value: format_percent(round(value) / 100)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def page_globals() -> dict[str, Any]:
        return {"languages": app.config["LANGUAGES"]}
