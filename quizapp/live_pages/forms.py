"""The forms of live games: the host's settings, joining, rejoining."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Regexp

from quizapp.forms import AcceptableName, Form
from quizapp.live import rules


class HostForm(Form):
    seconds = SelectField(_l("Time per question"), default="20", choices=[
        SelectChoice("0", _l("Untimed")), SelectChoice("10", _l("10 seconds")), SelectChoice("20", _l("20 seconds")), SelectChoice("30", _l("30 seconds")),
        SelectChoice("60", _l("60 seconds")), SelectChoice("120", _l("2 minutes"))])
    scoring = RadioField(_l("Points"), default=rules.SPEED, choices=[
        SelectChoice(rules.SPEED, _l("Speed points: a quicker right answer earns more")),
        SelectChoice(rules.ACCURACY, _l("Accuracy only: every right answer earns the same"))])
    streak = BooleanField(_l("Answer streak bonus: +100 per right answer in a row, at most +500"))
    show_question = BooleanField(_l("Show the question on the players' devices too"), default=True)
    auto_advance = SelectField(_l("After each reveal"), default="0", choices=[
        SelectChoice("0", _l("The host moves on")), SelectChoice("5", _l("Move on by itself after 5 seconds")),
        SelectChoice("10", _l("Move on by itself after 10 seconds")), SelectChoice("20", _l("Move on by itself after 20 seconds"))])
    max_players = IntegerField(_l("Most players in the room"), default=200, validators=[
        InputRequired(message=_l("Enter how many players the room holds.")),
        NumberRange(min=rules.MIN_PLAYERS, max=rules.MAX_PLAYERS,
                    message=_l("The room holds 2 to 2000 players."))])
    # A teacher's own classes (the view fills the choices, or drops the field for anyone else).
    school_class = SelectField(_l("Class playing"), default="", choices=[])
    multipliers = FieldList(SelectField(_l("Question"), default="1", choices=[
        SelectChoice("1", _l("×1 points")), SelectChoice("2", _l("×2 points")), SelectChoice("0", _l("×0 points (warm-up)"))]), min_entries=0)


class JoinForm(Form):
    code = StringField(_l("Room code"), validators=[
        InputRequired(message=_l("Enter the 6-digit room code.")),
        Regexp(r"^\s*\d{6}\s*$", message=_l("A room code is 6 digits."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6})
    nickname = StringField(_l("Nickname"), validators=[
        InputRequired(message=_l("Choose a nickname.")), Length(max=200, message=_l("A nickname has 3 to 40 characters.")),
        AcceptableName()], render_kw={"autocomplete": "nickname", "maxlength": 40})


class SignedInJoinForm(Form):
    code = JoinForm.code


class RejoinForm(Form):
    code = JoinForm.code
    rejoin_code = StringField(_l("Rejoin code"), validators=[
        InputRequired(message=_l("Enter the rejoin code shown on your first device.")),
        Regexp(r"^\s*[A-Za-z0-9]{8}\s*$", message=_l("A rejoin code is 8 letters and digits."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 8})
