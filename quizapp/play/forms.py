"""The answer form: one field, made by the question's type, plus the position it answers."""
from __future__ import annotations

from wtforms import HiddenField

from quizapp.attempts import ServedQuestion
from quizapp.forms import Form
from quizapp.question_types import get_type, localized


class StartForm(Form):
    pass


def answer_form(served: ServedQuestion, locale: str, formdata=None) -> Form:
    revision = served.revision
    qtype = get_type(revision.type)
    field = qtype.make_field(revision.content, served.order, locale, localized(revision.content["text"], locale))

    class AnswerForm(Form):
        position = HiddenField()

    AnswerForm.answer = field
    form = AnswerForm() if formdata is None else AnswerForm(formdata=formdata)
    if not form.is_submitted():
        form.position.data = str(served.position)
    return form
