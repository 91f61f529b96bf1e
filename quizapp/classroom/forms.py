from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from quizapp.forms import Form, HardToGuess


class JoinForm(Form):
    code = StringField(_l("Class code"), validators=[InputRequired(message=_l("Enter the code your teacher gave.")),
                                                     Length(max=40, message=_l("A class code has 7 characters."))],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})


class FirstPasswordForm(Form):
    password = PasswordField(_l("Your new password"), validators=[
        InputRequired(message=_l("Choose a password.")),
        Length(min=8, max=200, message=_l("A password has at least 8 characters.")),
        HardToGuess(),
    ], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords differ.")),
    ], render_kw={"autocomplete": "new-password"})


class StartForm(Form):
    pass
