from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from quizapp.forms import AcceptableName, Form, HardToGuess


class RegisterForm(Form):
    username = StringField(_l("Username"), validators=[
        InputRequired(message=_l("Choose a username.")),
        # A bound on what is typed, before the rules judge the normalised name.
        Length(max=200, message=_l("A username has 3 to 40 characters.")),
        AcceptableName(),
    ], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[
        InputRequired(message=_l("Choose a password.")),
        Length(min=8, max=200, message=_l("A password has at least 8 characters.")),
        HardToGuess(),
    ], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords differ.")),
    ], render_kw={"autocomplete": "new-password"})
    next = HiddenField()


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[InputRequired(message=_l("Enter your username.")),
                                                       Length(max=40)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("Enter your password.")),
                                                         Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LogoutForm(Form):
    pass
