from __future__ import annotations

from wtforms import HiddenField

from quizapp.forms import Form


class LanguageForm(Form):
    lang = HiddenField()
    next = HiddenField()
