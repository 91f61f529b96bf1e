"""Questions answered with a number: any number (with a tolerance and a unit), or a year."""
from __future__ import annotations

import math
import re
from typing import Any

from babel.numbers import get_decimal_symbol
from wtforms import fields, validators

from quizapp.bank.checks import is_int, is_number
from quizapp.json_schema import STRING
from quizapp.question_types.base import (Grade, InvalidResponse, PublicSchema, QuestionType, _msg,
                                         localized, register)

# The longest text the API takes for a number or a year, as the form's fields do.
MAX_NUMBER_TEXT = 40
MAX_YEAR_TEXT = 6


def _parse_number(data: Any) -> float:
    if is_number(data):
        value = float(data)
    else:
        text = str(data or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            raise InvalidResponse(_msg("Enter a number."))
        try:
            value = float(text)
        except ValueError:
            raise InvalidResponse(_msg("Enter a number.")) from None
    if not math.isfinite(value):
        raise InvalidResponse(_msg("Enter a number."))
    return value


def _format_number(value: float, locale: str) -> str:
    # The locale's own decimal sign (a comma in Russian and Kazakh), as Babel's data gives it.
    return f"{value:g}".replace(".", get_decimal_symbol(locale))


@register
class Numeric(QuestionType):
    name = "numeric"
    required_keys = ("answer",)
    optional_keys = ("tolerance", "unit")
    answer_template = "play/answer/_text.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({"unit": STRING}, [],
                                 "Answer with a number (or a string such as \"43,8\"), in `unit` if given.")

    def check(self, question, check):
        check.number(question.get("answer"), ("answer",))
        if "tolerance" in question:
            check.tolerance(question["tolerance"], ("tolerance",))
        if "unit" in question:
            check.localized(question["unit"], ("unit",))

    def make_field(self, content, order, locale, label):
        return fields.StringField(label, validators=[validators.InputRequired(message=_msg("Enter a number.")),
                                                      validators.Length(max=40)],
                                  render_kw={"inputmode": "decimal", "autocomplete": "off"})

    def read_field(self, content, order, data):
        return _parse_number(data)

    def check_json(self, data):
        # A number, or a string as typed: "43,8".
        if is_number(data):
            try:
                if math.isfinite(float(data)):
                    return data
            except OverflowError:
                pass
            raise InvalidResponse(_msg("Enter a number."))
        if isinstance(data, str) and 0 < len(data) <= MAX_NUMBER_TEXT:
            return data
        raise InvalidResponse(_msg("Enter a number."))

    def grade(self, content, response):
        tolerance = content.get("tolerance", 0)
        # A little slack for binary floating point: 43.7 must count when 43.8 ± 0.1.
        right = response is not None and abs(float(response) - content["answer"]) <= tolerance + 1e-9
        return Grade(1.0 if right else 0.0, right)

    def format_answer(self, content, locale):
        text = _format_number(content["answer"], locale)
        if content.get("tolerance"):
            text += " ± " + _format_number(content["tolerance"], locale)
        if "unit" in content:
            text += " " + localized(content["unit"], locale)
        return text

    def format_response(self, content, response, locale):
        if response is None:
            return "—"
        text = _format_number(float(response), locale)
        return text + (" " + localized(content["unit"], locale) if "unit" in content else "")

    def public_view(self, content, order, locale):
        return {"unit": localized(content["unit"], locale)} if "unit" in content else {}


@register
class Year(QuestionType):
    name = "year"
    required_keys = ("answer",)
    optional_keys = ("tolerance",)
    answer_template = "play/answer/_text.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({}, [], "Answer with a year, as an integer.")

    def check(self, question, check):
        check.integer(question.get("answer"), ("answer",), 1, 9999)
        if "tolerance" in question:
            check.tolerance(question["tolerance"], ("tolerance",), integer=True)

    def make_field(self, content, order, locale, label):
        return fields.StringField(label, validators=[validators.InputRequired(message=_msg("Enter a year.")),
                                                      validators.Length(max=6)],
                                  render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def read_field(self, content, order, data):
        if is_int(data):
            return data
        text = str(data or "").strip()
        if not re.fullmatch(r"\d{1,4}", text):
            raise InvalidResponse(_msg("Enter a year, such as 1992."))
        return int(text)

    def check_json(self, data):
        # An integer, or a string of digits.
        if is_int(data):
            if 0 < data <= 9999:
                return data
            raise InvalidResponse(_msg("Enter a year, such as 1992."))
        if isinstance(data, str) and 0 < len(data) <= MAX_YEAR_TEXT:
            return data
        raise InvalidResponse(_msg("Enter a year, such as 1992."))

    def grade(self, content, response):
        right = is_int(response) and abs(response - content["answer"]) <= content.get("tolerance", 0)
        return Grade(1.0 if right else 0.0, bool(right))

    def format_answer(self, content, locale):
        text = str(content["answer"])
        return text + (f" ± {content['tolerance']}" if content.get("tolerance") else "")

    def format_response(self, content, response, locale):
        return "—" if response is None else str(response)

    def public_view(self, content, order, locale):
        return {}  # the question's text is all it shows
