from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from quizapp.classes import MAX_ACCOUNTS_AT_ONCE, MAX_PREFIX_LENGTH
from quizapp.forms import Form


class ClassForm(Form):
    name = StringField(_l("Class name"), validators=[InputRequired(message=_l("Name the class.")),
                                                      Length(max=80, message=_l("At most 80 characters."))])


class AccountsForm(Form):
    prefix = StringField(_l("Start of the usernames"), validators=[
        InputRequired(message=_l("Choose how the usernames start, for example 7b.")),
        Length(max=MAX_PREFIX_LENGTH, message=_l("At most 20 characters."))])
    count = IntegerField(_l("How many accounts"), default=5, validators=[
        InputRequired(message=_l("Say how many accounts to make.")),
        NumberRange(min=1, max=MAX_ACCOUNTS_AT_ONCE, message=_l("From 1 to 60 accounts at once."))])


class ActionForm(Form):
    """A button: no fields but the CSRF token."""

    next = HiddenField()


# Dates beyond these are typing slips, and beyond year 1 or 9999 they cannot even be moved to UTC.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


class AssignmentSettingsForm(Form):
    """An assignment's settings: set when it is made (``AssignmentForm`` adds the quiz) and
    changed later on its edit page, from this one list of fields."""

    open_at = DateTimeLocalField(_l("Opens"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(message=_l("Choose when it opens."))])
    close_at = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired(message=_l("Choose when it closes."))])
    attempts_allowed = IntegerField(_l("Attempts allowed (0: no limit)"), default=1, validators=[
        InputRequired(message=_l("Say how many attempts are allowed.")),
        NumberRange(min=0, max=50, message=_l("From 0 to 50."))])
    counting = RadioField(_l("Which attempt counts"), default="best",
                          choices=[SelectChoice("best", _l("The best")), SelectChoice("last", _l("The last"))])
    time_limit_min = IntegerField(_l("Time limit in minutes (empty: none)"), validators=[
        Optional(), NumberRange(min=1, max=600, message=_l("From 1 to 600 minutes."))])
    feedback = RadioField(_l("Feedback"), default="end",
                          choices=[SelectChoice("end", _l("At the end")), SelectChoice("immediate", _l("After each answer"))])
    answers_after = RadioField(_l("Right answers shown"), default="attempt",
                               choices=[SelectChoice("attempt", _l("After each attempt")), SelectChoice("close", _l("After the close"))])
    ranking = RadioField(_l("Ranking"), default="none",
                         choices=[SelectChoice("none", _l("No ranking")), SelectChoice("class", _l("The class's own leaderboard"))])

    def validate_open_at(self, field):
        _check_year(field)

    def validate_close_at(self, field):
        _check_year(field)
        if self.open_at.data and field.data and field.data <= self.open_at.data:
            raise ValidationError(str(_l("The close must come after the opening.")))

    def validate_answers_after(self, field):
        if field.data == "close" and self.feedback.data == "immediate":
            raise ValidationError(str(_l("Feedback after each answer shows the right answers at once: "
                                         "choose feedback at the end to keep them until the close.")))


def _check_year(field):
    if field.data and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        raise ValidationError(str(_l("Choose a date between the years %(first)d and %(last)d.",
                                     first=EARLIEST_YEAR, last=LATEST_YEAR)))


class AssignmentForm(AssignmentSettingsForm):
    quiz = SelectField(_l("Quiz"), coerce=int, validate_choice=True)


class OverrideForm(Form):
    student = SelectField(_l("Student"), coerce=int, validate_choice=True)
    time_limit_min = IntegerField(_l("Their time limit in minutes (empty: the assignment's)"), validators=[
        Optional(), NumberRange(min=1, max=600, message=_l("From 1 to 600 minutes."))])
    extra_attempts = IntegerField(_l("Extra attempts"), default=0, validators=[
        InputRequired(message=_l("Say how many extra attempts (0 for none).")),
        NumberRange(min=0, max=20, message=_l("From 0 to 20."))])
