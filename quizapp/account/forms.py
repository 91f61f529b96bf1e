"""The account page's forms.  Each has its own prefix, so the three can share one page
without their fields (or their CSRF inputs) sharing an id."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from quizapp.forms import Form
from quizapp.tokens import NAME_MAX_LENGTH, normalise_name

# The choices of User.time_accommodation (see modes.TIME_ACCOMMODATIONS), with what each means.
ACCOMMODATIONS = {
    "standard": (_l("Standard time"),
                 _l("The quiz's own time limits. Ranked on the standard leaderboard.")),
    "x1.5": (_l("Extended time ×1.5"),
             _l("Every time limit is one and a half times as long. Ranked on the extended-time leaderboard.")),
    "x2": (_l("Extended time ×2"),
           _l("Every time limit is twice as long. Ranked on the extended-time leaderboard.")),
    "untimed": (_l("Untimed practice"),
                _l("No time limits at all. Attempts are practice: they are not ranked.")),
}


class AccommodationForm(Form):
    time_accommodation = RadioField(
        _l("Time for quizzes"),
        choices=[SelectChoice(value, label) for value, (label, _hint) in ACCOMMODATIONS.items()],
        validators=[InputRequired(message=_l("Choose one of the options."))],
    )


class TokenForm(Form):
    name = StringField(
        _l("Token name"),
        filters=[lambda value: normalise_name(value) if isinstance(value, str) else value],
        validators=[DataRequired(message=_l("Give the token a name.")),
                    Length(max=NAME_MAX_LENGTH, message=_l("A token name has at most %(max)d characters.",
                                                            max=NAME_MAX_LENGTH))],
        description=_l("What will use it, for example “phone app” or “my script”."),
        render_kw={"autocomplete": "off", "maxlength": NAME_MAX_LENGTH},
    )


class RevokeForm(Form):
    pass
