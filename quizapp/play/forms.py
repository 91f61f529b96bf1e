"""The answer form: one field, made by the question's type, plus the position it answers."""
from __future__ import annotations

from flask import current_app
from markupsafe import Markup
from wtforms import HiddenField

from quizapp.attempts import ServedQuestion
from quizapp.caching import caches
from quizapp.forms import Form
from quizapp.layout import render_fragment
from quizapp.question_types import get_type, localized


class StartForm(Form):
    pass


def served_key(served: ServedQuestion, locale: str) -> tuple:
    """What an answer form depends on: the revision, the option order, the language (the
    contract at the top of play/_answer_fields.html, and each type's answer template under
    templates/play/answer/ says what it reads of these).  Revisions never change once stored;
    the content hash is in the key too, so a database rebuilt under a running process (ids
    given out again) can never be answered with another question's form."""
    revision = served.revision
    return revision.id, revision.content_hash, tuple(served.order), locale


def _answer_form_class(served: ServedQuestion, locale: str) -> type[Form]:
    revision = served.revision

    def make() -> type[Form]:
        field = get_type(revision.type).make_field(revision.content, served.order, locale,
                                                   localized(revision.content["text"], locale))

        class AnswerForm(Form):
            position = HiddenField()
            answer = field

        return AnswerForm

    # Making the class (WTForms' metaclass walks it) costs more than rendering the page.
    return caches(current_app).answer_form_classes.get_or_make(served_key(served, locale), make)


def answer_form(served: ServedQuestion, locale: str, formdata=None) -> Form:
    AnswerForm = _answer_form_class(served, locale)
    form = AnswerForm() if formdata is None else AnswerForm(formdata=formdata)
    if not form.is_submitted():
        form.position.data = str(served.position)
    return form


def answer_fields(served: ServedQuestion, locale: str, form: Form | None = None) -> Markup:
    """The fieldset of the answer form: blank (and cached) when nothing was sent, else
    rendered from ``form``, with what was sent and why it was refused."""
    def render(form: Form) -> Markup:
        return render_fragment("play/_answer_fields.html", field=form.answer, revision=served.revision,
                               answer_template=get_type(served.revision.type).answer_template)

    if form is not None:
        return render(form)
    # Blank, it is the same for everyone served that question in that order, and most of the page.
    return caches(current_app).blank_answer_fields.get_or_make(served_key(served, locale),
                                     lambda: render(answer_form(served, locale, formdata=None)))
