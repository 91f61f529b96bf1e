"""Questions answered by choosing among shown options: one, several, or true/false."""
from __future__ import annotations

from typing import Any

from wtforms import fields, validators
from wtforms.fields.choices import SelectChoice

from quizapp.bank.checks import Checker, is_int
from quizapp.json_schema import LABELS
from quizapp.question_types.base import (Grade, InvalidResponse, PublicSchema, QuestionType, _msg,
                                         choices, index_list, is_index, key_at, localized, register)
from quizapp.question_types.fields import MultiCheckboxField


@register
class SingleChoice(QuestionType):
    name = "single"
    required_keys = ("options", "answer")
    answer_template = "play/answer/_choices.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({"options": LABELS}, ["options"],
                                 "One right option. Answer with its index in `options`.")

    def check(self, question: dict[str, Any], check: Checker) -> None:
        options = question.get("options")
        check.option_mapping(options, ("options",), minimum=2)
        if isinstance(options, dict):
            answer = question.get("answer")
            if answer not in options:
                check.problem(("answer",), f"{answer!r} is not one of the options ({', '.join(question['options'])})")

    def shuffled_keys(self, content: dict[str, Any]) -> list[str]:
        return list(content["options"])

    def make_field(self, content, order, locale, label):
        return fields.RadioField(label, choices=choices(content, order, locale),
                                 validators=[validators.InputRequired(message=_msg("Choose an answer."))])

    def read_field(self, content, order, data):
        return key_at(order, data)

    def check_json(self, data):
        # The option's index: 1.
        if not is_index(data):
            raise InvalidResponse(_msg("Choose an answer.") if data is None else _msg("Unknown option."))
        return data

    def grade(self, content, response):
        right = response == content["answer"]
        return Grade(1.0 if right else 0.0, right)

    def format_answer(self, content, locale):
        return localized(content["options"][content["answer"]], locale)

    def format_response(self, content, response, locale):
        option = content["options"].get(response)
        return localized(option, locale) if option else "—"

    def public_view(self, content, order, locale):
        return {"options": [choice.label for choice in choices(content, order, locale)]}


@register
class MultipleChoice(QuestionType):
    name = "multiple"
    required_keys = ("options", "answers")
    answer_template = "play/answer/_checkboxes.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({"options": LABELS}, ["options"],
                                 "Several right options. Answer with the list of their indexes in `options`.")

    def check(self, question, check):
        if not check.option_mapping(question.get("options"), ("options",), minimum=3):
            return
        answers = question.get("answers")
        if not isinstance(answers, list) or not answers:
            check.problem(("answers",), "expected a non-empty list of option keys")
            return
        for index, answer in enumerate(answers):
            if answer not in question["options"]:
                check.problem(("answers", index), f"{answer!r} is not one of the options ({', '.join(question['options'])})")
        if len(set(map(str, answers))) != len(answers):
            check.problem(("answers",), "lists the same option twice")
        if len(set(answers)) >= len(question["options"]):
            check.problem(("answers",), "every option is right; leave at least one wrong option")

    def shuffled_keys(self, content):
        return list(content["options"])

    def make_field(self, content, order, locale, label):
        return MultiCheckboxField(label, choices=choices(content, order, locale),
                                  validators=[validators.InputRequired(message=_msg("Choose at least one answer."))])

    def read_field(self, content, order, data):
        if not isinstance(data, list) or not data:
            raise InvalidResponse(_msg("Choose at least one answer."))
        keys = [key_at(order, item) for item in data]
        return sorted(set(keys), key=order.index)

    def check_json(self, data):
        # A list of option indexes: [0, 2].
        return index_list(data, _msg("Choose at least one answer."))

    def grade(self, content, response):
        right = set(content["answers"])
        chosen = set(response or [])
        # Each right pick earns a share, each wrong pick takes one back; never below zero.
        credit = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
        return Grade(credit, chosen == right)

    def format_answer(self, content, locale):
        return "; ".join(localized(content["options"][key], locale) for key in content["answers"])

    def format_response(self, content, response, locale):
        return "; ".join(localized(content["options"][key], locale) for key in (response or []) if key in content["options"]) or "—"

    def public_view(self, content, order, locale):
        return {"options": [choice.label for choice in choices(content, order, locale)]}


TRUE_FALSE_LABELS = {"ru": ("Верно", "Неверно"), "en": ("True", "False"),
                     "kk": ("Дұрыс", "Бұрыс"), "zh": ("正确", "错误")}


@register
class TrueFalse(QuestionType):
    name = "true_false"
    required_keys = ("answer",)
    answer_template = "play/answer/_choices.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({"options": {**LABELS, "minItems": 2, "maxItems": 2}}, ["options"],
                                 'Answer `true` or `false` (or the index of the label in `options`: 0 is "true").')

    def check(self, question, check):
        check.boolean(question.get("answer"), ("answer",))

    def make_field(self, content, order, locale, label):
        yes, no = TRUE_FALSE_LABELS.get(locale, TRUE_FALSE_LABELS["en"])
        return fields.RadioField(label, choices=[SelectChoice("true", yes), SelectChoice("false", no)],
                                 validators=[validators.InputRequired(message=_msg("Choose an answer."))])

    def read_field(self, content, order, data):
        # Compared by identity and text only: 1 == True in Python, and 0/1 are not answers here.
        if data is True or data == "true":
            return True
        if data is False or data == "false":
            return False
        raise InvalidResponse(_msg("Answer true or false."))

    def check_json(self, data):
        # true / false, "true" / "false", or the index of the shown label (0 is "True").
        if isinstance(data, bool):
            return "true" if data else "false"
        if data in ("true", "false") and isinstance(data, str):
            return data
        if is_int(data) and data in (0, 1):
            return ("true", "false")[data]  # the display order of public_view
        raise InvalidResponse(_msg("Answer true or false."))

    def grade(self, content, response):
        right = response is content["answer"]
        return Grade(1.0 if right else 0.0, right)

    def format_answer(self, content, locale):
        yes, no = TRUE_FALSE_LABELS.get(locale, TRUE_FALSE_LABELS["en"])
        return yes if content["answer"] else no

    def format_response(self, content, response, locale):
        if response is None:
            return "—"
        yes, no = TRUE_FALSE_LABELS.get(locale, TRUE_FALSE_LABELS["en"])
        return yes if response else no

    def public_view(self, content, order, locale):
        return {"options": list(TRUE_FALSE_LABELS.get(locale, TRUE_FALSE_LABELS["en"]))}
