"""The UI catalogs are complete and safe to render.

Every catalog under quizapp/translations/ must translate every msgid of messages.pot, with no
fuzzy entry (the Makefile compiles with --use-fuzzy, so a fuzzy guess would reach players) and
with the msgid's own placeholders and markup: a translation that loses ``%(name)s`` drops the
value from the page, and one that invents a placeholder fails when the page renders.
Extra entries are allowed: new strings get their Russian by hand before messages.pot is
regenerated."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timezone
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask_babel import force_locale, format_date, format_datetime, format_decimal, gettext, ngettext

import quizapp
from helpers import make_app

TRANSLATIONS = Path(quizapp.__file__).parent / "translations"
CATALOGS = sorted(path.parents[1].name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))

# %(name)s, %d, %% (printf style, as gettext's python-format); {name} (str.format); and tags.
_PRINTF = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrs%]")
_BRACES = re.compile(r"\{[^{}]*\}")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _template() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


def _catalog(lang: str) -> Catalog:
    return _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)


def _tokens(text: str) -> Counter[str]:
    return Counter(_PRINTF.findall(text) + _BRACES.findall(text) + _TAG.findall(text))


def _problems(wanted: Message, catalog: Catalog) -> list[str]:
    label = f"{wanted.context + ' | ' if wanted.context else ''}{wanted.id!r}"
    found = catalog.get(wanted.id, context=wanted.context)
    if found is None:
        return [f"missing: {label}"]
    if found.fuzzy:
        return [f"fuzzy: {label}"]
    if wanted.pluralizable:
        if not found.pluralizable or found.id != wanted.id:
            return [f"not the same plural msgid: {label}"]
        forms = list(found.string)
        if len(forms) != catalog.num_plurals:
            return [f"{len(forms)} plural forms, the catalog's Plural-Forms has {catalog.num_plurals}: {label}"]
        # A form serves either the singular or the plural msgid; it keeps the tokens of one of them.
        allowed = [_tokens(text) for text in wanted.id]
    else:
        forms = [found.string]
        allowed = [_tokens(wanted.id)]
    problems = []
    for form in forms:
        if not form:
            problems.append(f"untranslated: {label}")
        elif _tokens(form) not in allowed:
            problems.append(f"placeholders or markup differ: {label} -> {form!r}")
    return problems


def test_kazakh_and_chinese_catalogs_exist_beside_russian():
    assert {"ru", "kk", "zh"} <= set(CATALOGS)


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalog_translates_every_msgid_of_the_template(lang):
    catalog = _catalog(lang)
    problems = [problem for message in _template() if message.id for problem in _problems(message, catalog)]
    assert not problems, f"{lang}: {len(problems)} problems\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", CATALOGS)
def test_catalog_uses_babels_plural_rule_and_passes_babels_checks(lang):
    catalog = _catalog(lang)
    rule = get_plural(lang)
    # Compared by value, not text: Babel versions spell the same rule differently.
    written, babels = c2py(catalog.plural_expr), c2py(rule.plural_expr)
    assert catalog.num_plurals == rule.num_plurals
    assert [written(n) for n in range(1000)] == [babels(n) for n in range(1000)]
    # The checks `pybabel compile` runs (python-format placeholders, number of plural forms).
    assert [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()] == []


# Parts of the locale's own forms; the spaces around them are CLDR's to choose (narrow no-break, …).
@pytest.mark.parametrize("lang, log_in, five_questions, in_long_date, in_number", [
    ("kk", "Кіру", "5 сұрақ", "17 маусым", "234,5"),
    ("zh", "登录", "5 道题", "2025年6月17日", "1,234.5"),
])
def test_flask_babel_serves_the_catalog_and_formats_dates_and_numbers(app, lang, log_in, five_questions,
                                                                      in_long_date, in_number):
    with app.test_request_context(), force_locale(lang):
        assert gettext("Log in") == log_in
        assert ngettext("%(num)d question", "%(num)d questions", 5) == five_questions
        assert in_long_date in format_date(date(2025, 6, 17), "long")
        assert in_number in format_decimal(1234.5)
        assert format_datetime(datetime(2025, 6, 17, 14, 5, tzinfo=timezone.utc), "short")


@pytest.mark.parametrize("accept_language, lang, heading", [
    ("kk", "kk", "Викториналар"),
    ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk", "Викториналар"),
    ("zh-CN,zh;q=0.9", "zh", "测验"),
    ("zh-Hans", "zh", "测验"),
    ("zh-Hans-CN, en;q=0.5", "zh", "测验"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en", "Quizzes"),
    # The browser's first choice wins even when only a later, lesser one matches exactly.
    ("kk-KZ,ru-RU;q=0.9,ru;q=0.8", "kk", "Викториналар"),
    ("zh-CN, en;q=0.5", "zh", "测验"),
    ("zh;q=0, kk", "kk", "Викториналар"),  # q=0: not Chinese
    ("de-DE", "ru", "Викторины"),  # none offered: the default
])
def test_accept_language_chooses_among_the_four_languages(client, accept_language, lang, heading):
    page = client.get("/", headers={"Accept-Language": accept_language})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert heading in page.text


SELF_NAMES = {"ru": "Русский", "en": "English", "kk": "Қазақша", "zh": "中文"}


def _switcher(html: str) -> list[tuple[str, str, str, str]]:
    """(value, lang, aria-pressed, name) of each button of the header's language form."""
    form = re.search(r'<form[^>]*class="language".*?</form>', html, re.S).group(0)
    return re.findall(r'<button type="submit" name="lang" value="([^"]*)" lang="([^"]*)"[^>]*'
                      r'aria-pressed="([^"]*)">([^<]*)</button>', form)


@pytest.mark.parametrize("lang", ["ru", "en", "kk", "zh"])
def test_the_switcher_offers_the_four_languages_each_named_in_itself(client, lang):
    # Each name carries its own lang (a Chinese name on a Kazakh page is Chinese), and the
    # language of the page is the pressed one.
    response = client.post("/language", data={"lang": lang, "next": "/"})
    assert response.status_code == 302
    html = client.get("/").text
    assert f'<html lang="{lang}">' in html
    assert _switcher(html) == [(code, code, "true" if code == lang else "false", name)
                               for code, name in SELF_NAMES.items()]


def test_the_switcher_and_the_profile_follow_the_configured_languages(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", LANGUAGES=("ru", "en"))
    client = app.test_client()
    assert [button[0] for button in _switcher(client.get("/").text)] == ["ru", "en"]
    client.post("/language", data={"lang": "zh", "next": "/"})  # not offered: nothing changes
    assert '<html lang="ru">' in client.get("/", headers={"Accept-Language": "zh"}).text


def test_a_language_without_a_self_name_stops_the_app_at_start(database_url, tmp_path):
    with pytest.raises(ValueError, match="LANGUAGE_NAMES"):
        make_app(database_url, tmp_path / "instance", LANGUAGES=("ru", "en", "uz"))


def test_every_configured_language_but_english_has_a_catalog(app):
    # English is the msgids themselves; every other language needs its catalog, or its pages
    # would silently show English.
    assert set(app.config["LANGUAGES"]) - {"en"} <= set(CATALOGS)
