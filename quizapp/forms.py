"""The base of every form here: form fields only, and WTForms' messages parsed once.

Flask-WTF's ``FlaskForm`` also fills fields from uploaded files and from a JSON body, so a
field can receive a file, a number, a list or a dict.  WTForms' validators and our filters
expect text and fail on those with a TypeError: a 500 for ``{"username": 5}`` sent as JSON
to /login, or a file posted as a token's name.  No form of this app takes a file or JSON,
so here anything but a form field is simply absent, and the form says what is missing.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from wtforms.validators import StopValidation, ValidationError

from quizapp.i18n import wtforms_translations
from quizapp.names import MAX_LENGTH, NameProblem, check_name
from quizapp.users import PasswordProblem, password_problem

_FROM_REQUEST = object()


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return wtforms_translations()  # parsed once per language, not per form

    def __init__(self, formdata: Any = _FROM_REQUEST, **kwargs: Any) -> None:
        if formdata is _FROM_REQUEST:
            formdata = request.form if request.method in SUBMIT_METHODS and request.form else None
        super().__init__(formdata=formdata, **kwargs)


NAME_LENGTH_MESSAGE = _l("A username has 3 to 40 characters.")
NAME_MESSAGES = {
    NameProblem.TOO_SHORT: NAME_LENGTH_MESSAGE,
    NameProblem.TOO_LONG: _l("This username is too long once its letters are written out plainly "
                             "(some signs stand for several letters): use at most 40 characters."),
    NameProblem.CHARACTERS: _l("Use letters, digits, dots, dashes and underscores only."),
    NameProblem.MIXED_SCRIPTS: _l("Use the letters of one alphabet only: a name that mixes alphabets "
                                  "(Latin and Cyrillic, say) can pass for someone else's."),
}
NAME_TAKEN_MESSAGE = _l("This username is taken, or looks too much like one that is. Choose another.")
PASSWORD_MESSAGES = {
    PasswordProblem.USERNAME: _l("A password must not be your username."),
    PasswordProblem.GUESSABLE: _l("This password is too easy to guess: it is a common password, a word or "
                                  "a simple pattern. Try a few words that do not go together."),
}


class AcceptableName:
    """The rules of ``quizapp.names``, applied to the name as it will be stored (after NFKC)."""

    def __call__(self, form: Any, field: Any) -> None:
        typed = field.data or ""
        checked = check_name(typed)
        if checked is NameProblem.TOO_LONG and len(typed.strip()) > MAX_LENGTH:
            raise StopValidation(str(NAME_LENGTH_MESSAGE))  # too long as typed, not only once written out
        if isinstance(checked, NameProblem):
            raise StopValidation(str(NAME_MESSAGES[checked]))


class HardToGuess:
    """``users.password_problem`` for the field, against the form's username or, on a form
    without one (changing the password), the signed-in user's.  Runs after ``Length``."""

    def __call__(self, form: Any, field: Any) -> None:
        username_field = getattr(form, "username", None)
        if username_field is not None:
            username = username_field.data or ""
        else:
            username = current_user.username if current_user.is_authenticated else ""
        problem = password_problem(field.data or "", username)
        if problem in PASSWORD_MESSAGES:
            raise ValidationError(str(PASSWORD_MESSAGES[problem]))
