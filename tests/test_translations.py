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
from conftest import make_app

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
])
def test_a_page_renders_in_the_language_once_it_is_enabled(database_url, tmp_path, accept_language, lang,
                                                           heading):
    # The app offers ru and en today; the coordinator adds kk and zh to LANGUAGES when merging.
    app = make_app(database_url, tmp_path / "instance", LANGUAGES=("ru", "en", "kk", "zh"))
    page = app.test_client().get("/", headers={"Accept-Language": accept_language})
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert heading in page.text
