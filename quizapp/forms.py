"""The base of every form: Flask-WTF with WTForms' own messages translated once per process."""
from __future__ import annotations

from functools import lru_cache

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            # Flask-WTF parses WTForms' catalog from disk for every request that makes a
            # form; it never changes while the process runs, so parse it once per language.
            return _wtforms_translations(str(get_locale() or "en"))
