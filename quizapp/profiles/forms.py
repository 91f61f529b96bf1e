from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length

from quizapp.config import LANGUAGE_NAMES
from quizapp.forms import Form, HardToGuess


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(message=_l("Enter your current password.")),
        Length(max=200),
    ], render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[
        InputRequired(message=_l("Choose a new password.")),
        Length(min=8, max=200, message=_l("A password has at least 8 characters.")),
        HardToGuess(),
    ], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(message=_l("Repeat the new password.")),
        EqualTo("password", message=_l("The two passwords differ.")),
    ], render_kw={"autocomplete": "new-password"})


class LanguageChoiceForm(Form):
    locale = RadioField(_l("Display language"), validators=[InputRequired(message=_l("Choose a language."))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The languages the app is configured with, not a list of its own.
        self.locale.choices = [SelectChoice(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]


# Who may see one's profile (User.shares_profile): the choice's value is what the radio sends.
VISIBILITY_CHOICES = {"private": False, "members": True}


class ProfileVisibilityForm(Form):
    visibility = RadioField(_l("Who may see your profile"),
                            choices=[SelectChoice("private", _l("Only me")),
                                     SelectChoice("members", _l("Me and every signed-in player"))],
                            validators=[InputRequired(message=_l("Choose who may see your profile."))])
