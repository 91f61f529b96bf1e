"""The base of every form here: form fields only, and WTForms' messages parsed once.

Flask-WTF's ``FlaskForm`` also fills fields from uploaded files and from a JSON body, so a
field can receive a file, a number, a list or a dict.  WTForms' validators and our filters
expect text and fail on those with a TypeError: a 500 for ``{"username": 5}`` sent as JSON
to /login, or a file posted as a token's name.  No form of this app takes a file or JSON,
so here anything but a form field is simply absent, and the form says what is missing.
"""
from __future__ import annotations

from typing import Any

from flask import redirect, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS
from werkzeug.wrappers import Response
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


# --- Post/redirect/get for forms that are refused ---------------------------------------
# A settings form that is refused is not answered with its page (a refresh would send it
# again, the passwords in it included) but with a redirect to the page, at the form's
# anchor; the errors, and the fields named in ``keep`` (never a password), wait in the
# session for that one GET.
_KEPT_ERRORS = "form_errors"
KEPT_TEXT_LIMIT = 200


def redirect_with_errors(form: Form, name: str, url: str, keep: tuple[str, ...] = ()) -> Response:
    session[_KEPT_ERRORS] = {
        "form": name,
        "errors": {field.name: [str(error) for error in field.errors] for field in form if field.errors},
        # Only short text is kept: the session is a cookie, and a browser drops one over 4 kB.
        "data": {form[field_name].name: text for field_name in keep
                 if isinstance(text := _as_typed(form[field_name]), str) and len(text) <= KEPT_TEXT_LIMIT},
    }
    return redirect(url)


def _as_typed(field: Any) -> Any:
    """A text field's value; for a date or a number, the text as typed (its value may be None)."""
    if isinstance(field.data, str) or not field.raw_data:
        return field.data
    return field.raw_data[0]


def restore_errors(form: Form, name: str) -> Form:
    """``form`` with the errors (and kept values) of its refused post, if this GET follows one."""
    kept = session.get(_KEPT_ERRORS)
    if isinstance(kept, dict) and kept.get("form") == name:
        session.pop(_KEPT_ERRORS)
        fields = {field.name: field for field in form}
        for field_name, errors in kept.get("errors", {}).items():
            if field_name in fields:
                fields[field_name].errors = list(errors)
        for field_name, value in kept.get("data", {}).items():
            if field_name in fields:
                # raw_data too: a date or number field shows what was typed from it
                fields[field_name].data, fields[field_name].raw_data = value, [value]
    return form


def refused_forgery(form: Form) -> bool:
    """A post without a valid CSRF token: no person filled that form here, so nothing is kept."""
    csrf = getattr(form, "csrf_token", None)
    return bool(csrf is not None and csrf.errors)
