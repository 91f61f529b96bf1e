"""The base of every form here: form fields only, and WTForms' messages parsed once.

Flask-WTF's ``FlaskForm`` also fills fields from uploaded files and from a JSON body, so a
field can receive a file, a number, a list or a dict.  WTForms' validators and our filters
expect text and fail on those with a TypeError: a 500 for ``{"username": 5}`` sent as JSON
to /login, or a file posted as a token's name.  No form of this app takes a file or JSON,
so here anything but a form field is simply absent, and the form says what is missing.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import support
from flask import request
from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from wtforms.i18n import messages_path

_FROM_REQUEST = object()


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            # Flask-WTF parses WTForms' catalog from disk for every request that makes a
            # form; it never changes while the process runs, so parse it once per language.
            return _wtforms_translations(str(get_locale() or "en"))

    def __init__(self, formdata: Any = _FROM_REQUEST, **kwargs: Any) -> None:
        if formdata is _FROM_REQUEST:
            formdata = request.form if request.method in SUBMIT_METHODS and request.form else None
        super().__init__(formdata=formdata, **kwargs)
