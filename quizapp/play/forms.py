"""The answer form: one field, made by the question's type, plus the position it answers."""
from __future__ import annotations

from wtforms import HiddenField

from quizapp.attempts import ServedQuestion
from quizapp.caching import BoundedCache
from quizapp.forms import Form
from quizapp.question_types import get_type, localized


class StartForm(Form):
    pass


# A form class per (revision, option order, language).  Revisions never change once stored,
# and making the class (WTForms' metaclass walks it) costs more than rendering the page.
# The content hash is in the key too, so a database rebuilt under a running process (ids
# given out again) can never be answered with another question's form.
_form_classes: BoundedCache[type[Form]] = BoundedCache(4096)


def _answer_form_class(served: ServedQuestion, locale: str) -> type[Form]:
    revision = served.revision

    def make() -> type[Form]:
        field = get_type(revision.type).make_field(revision.content, served.order, locale,
                                                   localized(revision.content["text"], locale))

        class AnswerForm(Form):
            position = HiddenField()
            answer = field

        return AnswerForm

    return _form_classes.get_or_make((revision.id, revision.content_hash, tuple(served.order), locale), make)


def answer_form(served: ServedQuestion, locale: str, formdata=None) -> Form:
    AnswerForm = _answer_form_class(served, locale)
    form = AnswerForm() if formdata is None else AnswerForm(formdata=formdata)
    if not form.is_submitted():
        form.position.data = str(served.position)
    return form
