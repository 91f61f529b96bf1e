"""The one registry of question types.

Each type owns three things: how its YAML is validated (``check``), how it is asked
(``make_field`` / ``read_field``), and how it is graded (``grade``).  Adding a type means
adding one class here and registering it; an unknown type name fails loudly.

Responses are stored as plain JSON in terms of the YAML's own keys (an option key, a
list of item keys, a number...).  What the browser sees are display positions only, so
nothing in a question page reveals which option is right.
"""
from __future__ import annotations

import math
import random
import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

from babel.numbers import get_decimal_symbol
from markupsafe import Markup, escape
from wtforms import fields, validators
from wtforms.fields.choices import SelectChoice

from quizapp.bank.checks import LANGUAGES, Checker, is_int, is_number


@dataclass(frozen=True)
class Grade:
    credit: float  # 0.0 .. 1.0
    is_correct: bool


class InvalidResponse(ValueError):
    """The submitted form data does not make an answer of this type."""


def localized(value: dict[str, str], locale: str) -> str:
    return value.get(locale) or value.get("ru") or next(iter(value.values()))


def display_order(seed: int, position: int, keys: list[str], shuffle: bool, avoid_identity: bool = False) -> list[str]:
    """The order options are shown in for one question of one attempt, from its seed."""
    order = list(keys)
    if not shuffle:
        return order
    rng = random.Random(f"{seed}:{position}")
    rng.shuffle(order)
    # Showing items in their right order would give the answer away, so that one order is
    # drawn again. Drawing again (not rotating) keeps every other order equally likely: a
    # rotation made one wrong order twice as likely, which told a player a little about the key.
    while avoid_identity and len(order) > 1 and order == list(keys):
        rng.shuffle(order)
    return order


class QuestionType:
    name: ClassVar[str]
    required_keys: ClassVar[tuple[str, ...]] = ()
    optional_keys: ClassVar[tuple[str, ...]] = ()
    # Whether the display order must be shuffled even when the quiz says not to.
    always_shuffle: ClassVar[bool] = False

    # --- authoring -------------------------------------------------------------
    def check(self, question: dict[str, Any], check: Checker) -> None:
        raise NotImplementedError

    # --- asking ----------------------------------------------------------------
    def shuffled_keys(self, content: dict[str, Any]) -> list[str]:
        """The keys whose order is randomised per attempt (empty when none)."""
        return []

    def make_field(self, content: dict[str, Any], order: list[str], locale: str, label: str) -> fields.Field:
        raise NotImplementedError

    def read_field(self, content: dict[str, Any], order: list[str], data: Any) -> Any:
        """Form data -> stored response; raises InvalidResponse with a message for the user."""
        raise NotImplementedError

    def read_json(self, content: dict[str, Any], order: list[str], data: Any) -> Any:
        """API payload -> stored response.  Uses the same display positions as the form."""
        return self.read_field(content, order, data)

    # --- grading and showing -----------------------------------------------------
    def grade(self, content: dict[str, Any], response: Any) -> Grade:
        raise NotImplementedError

    def format_answer(self, content: dict[str, Any], locale: str) -> str:
        raise NotImplementedError

    def format_response(self, content: dict[str, Any], response: Any, locale: str) -> str:
        raise NotImplementedError

    def response_language(self, content: dict[str, Any], response: Any, locale: str) -> str | None:
        """The language of ``format_response`` when it is not the page's (so the page can mark
        it with its own lang); None when it is the page's.  Only a typed answer can differ."""
        return None

    def public_view(self, content: dict[str, Any], order: list[str], locale: str) -> dict[str, Any]:
        """What may be shown before answering (used by the JSON API)."""
        return {}


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> QuestionType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown question type {name!r}") from None


def _choices(content: dict[str, Any], order: list[str], locale: str) -> list[SelectChoice]:
    return [SelectChoice(str(index), localized(content["options"][key], locale)) for index, key in enumerate(order)]


def _key_at(order: list[str], raw: Any) -> str:
    try:
        index = int(raw)
    except (TypeError, ValueError):
        raise InvalidResponse(_msg("Unknown option.")) from None
    if not 0 <= index < len(order):
        raise InvalidResponse(_msg("Unknown option."))
    return order[index]


@register
class SingleChoice(QuestionType):
    name = "single"
    required_keys = ("options", "answer")

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
        return fields.RadioField(label, choices=_choices(content, order, locale),
                                 validators=[validators.InputRequired(message=_msg("Choose an answer."))])

    def read_field(self, content, order, data):
        return _key_at(order, data)

    def grade(self, content, response):
        right = response == content["answer"]
        return Grade(1.0 if right else 0.0, right)

    def format_answer(self, content, locale):
        return localized(content["options"][content["answer"]], locale)

    def format_response(self, content, response, locale):
        option = content["options"].get(response)
        return localized(option, locale) if option else "—"

    def public_view(self, content, order, locale):
        return {"options": [choice.label for choice in _choices(content, order, locale)]}


@register
class MultipleChoice(QuestionType):
    name = "multiple"
    required_keys = ("options", "answers")

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
        return MultiCheckboxField(label, choices=_choices(content, order, locale),
                                  validators=[validators.InputRequired(message=_msg("Choose at least one answer."))])

    def read_field(self, content, order, data):
        if not isinstance(data, list) or not data:
            raise InvalidResponse(_msg("Choose at least one answer."))
        keys = [_key_at(order, item) for item in data]
        return sorted(set(keys), key=order.index)

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
        return {"options": [choice.label for choice in _choices(content, order, locale)]}


TRUE_FALSE_LABELS = {"ru": ("Верно", "Неверно"), "en": ("True", "False"),
                     "kk": ("Дұрыс", "Бұрыс"), "zh": ("正确", "错误")}


@register
class TrueFalse(QuestionType):
    name = "true_false"
    required_keys = ("answer",)

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

    def grade(self, content, response):
        right = is_int(response) and abs(response - content["answer"]) <= content.get("tolerance", 0)
        return Grade(1.0 if right else 0.0, bool(right))

    def format_answer(self, content, locale):
        text = str(content["answer"])
        return text + (f" ± {content['tolerance']}" if content.get("tolerance") else "")

    def format_response(self, content, response, locale):
        return "—" if response is None else str(response)


@register
class Ordering(QuestionType):
    name = "ordering"
    required_keys = ("items",)
    always_shuffle = True

    def check(self, question, check):
        check.option_mapping(question.get("items"), ("items",), minimum=3)

    def shuffled_keys(self, content):
        return list(content["items"])

    def make_field(self, content, order, locale, label):
        rows = [localized(content["items"][key], locale) for key in order]
        positions = [(str(n), str(n)) for n in range(1, len(order) + 1)]
        return SelectGroupField(label, rows=rows, choices=positions)

    def read_field(self, content, order, data):
        # data: for each item in display order, the place the player gave it (1..n).
        if not isinstance(data, list) or len(data) != len(order):
            raise InvalidResponse(_msg("Give every item a place."))
        try:
            places = [int(value) for value in data]
        except (TypeError, ValueError):
            raise InvalidResponse(_msg("Give every item a place.")) from None
        if sorted(places) != list(range(1, len(order) + 1)):
            raise InvalidResponse(_msg("Use each place exactly once."))
        return [key for _, key in sorted(zip(places, order))]

    def grade(self, content, response):
        right_order = list(content["items"])
        response = list(response or [])
        if sorted(response) != sorted(right_order):
            return Grade(0.0, False)
        rank = {key: index for index, key in enumerate(response)}
        pairs = [(a, b) for i, a in enumerate(right_order) for b in right_order[i + 1:]]
        # Partial credit: the share of pairs the player put in the right relative order.
        good = sum(1 for a, b in pairs if rank[a] < rank[b])
        return Grade(good / len(pairs), good == len(pairs))

    def format_answer(self, content, locale):
        return " → ".join(localized(label, locale) for label in content["items"].values())

    def format_response(self, content, response, locale):
        return " → ".join(localized(content["items"][key], locale) for key in (response or []) if key in content["items"]) or "—"

    def public_view(self, content, order, locale):
        return {"items": [localized(content["items"][key], locale) for key in order]}


@register
class Matching(QuestionType):
    name = "matching"
    required_keys = ("pairs",)
    always_shuffle = True

    def check(self, question, check):
        pairs = question.get("pairs")
        if not isinstance(pairs, list):
            check.problem(("pairs",), "expected a list of {left, right} pairs")
            return
        seen: dict[str, dict[tuple[str, str], int]] = {"left": {}, "right": {}}
        for index, pair in enumerate(pairs):
            if not check.mapping(pair, ("pairs", index)) or not check.keys(pair, ("pairs", index), ("left", "right"), ()):
                continue
            for side in ("left", "right"):
                if not check.localized(pair[side], ("pairs", index, side)):
                    continue
                for lang in (lang for lang in LANGUAGES if lang in pair[side]):
                    folded = (lang, " ".join(pair[side][lang].casefold().split()))
                    if folded in seen[side]:
                        check.problem(("pairs", index, side), f"duplicate option: same {lang} text as pairs[{seen[side][folded]}]")
                    else:
                        seen[side][folded] = index
        if len(pairs) < 3:
            check.problem(("pairs",), f"needs at least 3 pairs, got {len(pairs)}")

    def shuffled_keys(self, content):
        return [str(index) for index in range(len(content["pairs"]))]

    def make_field(self, content, order, locale, label):
        rows = [localized(pair["left"], locale) for pair in content["pairs"]]
        choices = [(str(n), localized(content["pairs"][int(key)]["right"], locale)) for n, key in enumerate(order)]
        return SelectGroupField(label, rows=rows, choices=choices)

    def read_field(self, content, order, data):
        # data: for each left item (in YAML order), the display index of the right item chosen.
        if not isinstance(data, list) or len(data) != len(content["pairs"]):
            raise InvalidResponse(_msg("Match every item."))
        return [_key_at(order, value) for value in data]

    def grade(self, content, response):
        response = list(response or [])
        total = len(content["pairs"])
        good = sum(1 for index, chosen in enumerate(response[:total]) if chosen == str(index))
        return Grade(good / total, good == total)

    def format_answer(self, content, locale):
        return "; ".join(f"{localized(p['left'], locale)} — {localized(p['right'], locale)}" for p in content["pairs"])

    def format_response(self, content, response, locale):
        if not response:
            return "—"
        return "; ".join(
            f"{localized(pair['left'], locale)} — {localized(content['pairs'][int(chosen)]['right'], locale)}"
            for pair, chosen in zip(content["pairs"], response)
            if str(chosen).isdigit() and int(chosen) < len(content["pairs"])
        )

    def public_view(self, content, order, locale):
        return {
            "left": [localized(pair["left"], locale) for pair in content["pairs"]],
            "right": [localized(content["pairs"][int(key)]["right"], locale) for key in order],
        }


# Quotation marks and apostrophes are dropped, so «Цифровых технологий» = "Цифровых
# технологий" and Xi'an = Xi’an = Xian.  Chinese writes titles in book-title marks and
# corner quotes, 《冼星海》, 「一带一路」, 〈…〉, 『…』, so they are quotes too.
_QUOTES = re.compile(r"[\"'«»„“”‟‘’‚‛`´ʼ‹›《》〈〉「」『』〝〞〟]")
# Any dash or hyphen, with or without spaces around it, is one word break, so
# Китай—Казахстан = Китай – Казахстан = Китай-Казахстан = Китай Казахстан, and
# Alma-Ata = Alma Ata.
_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]+\s*")
# A note in brackets after the answer, "Шанхайская организация сотрудничества (ШОС)",
# adds nothing to it.
_BRACKETED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
# Commas, full stops and the like inside an answer are word breaks too:
# "One Belt, One Road" = "One Belt One Road".  NFKC has already turned the full-width
# ，；：！？（） of a Chinese keyboard into these ASCII ones (so 上海合作组织（上合组织） has its
# note dropped like any other); the ideographic full stop and enumeration comma (。、) and
# the dot between the parts of a foreign name in Chinese (卡西姆-若马尔特·托卡耶夫) have
# no ASCII form, so they are listed.
_SEPARATORS = re.compile(r"[,.;:!?/\\&+*_|。、｡､·・‧•]+")
# Chinese is written without spaces between words, and players type it with or without
# them (冼星海 = 冼 星海, 中欧班列 = 中欧 班列), so a space next to a Chinese character is
# dropped.  Letters of other scripts keep their word breaks.
_HAN = r"\u3007\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003FFFF"
_SPACE_BY_HAN = re.compile(rf"(?<=[{_HAN}]) | (?=[{_HAN}])")
# Romanised Kazakh and Russian names come in several systems: й and ы are written y or i
# (Moyynty, Moiynty, Moyinty), е after a vowel ye or e (Tynyshpayev, Tynyshpaev), х kh or h.
# Folding these in Latin text only leaves Cyrillic answers exact.
_LATIN_YE_AFTER_VOWEL = re.compile(r"(?<=[aeiouy])ye")
_STRIP = string.punctuation + "«»„“”‘’—–…" + string.whitespace


_KAZAKH_ONLY_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def script_language(text: str) -> str | None:
    """Which of the bank's languages a short text is most likely in, by its letters: Chinese
    characters are zh, Cyrillic with a letter only Kazakh has is kk, other Cyrillic ru, Latin
    en; None for digits and signs alone."""
    names = [unicodedata.name(character, "") for character in text if character.isalpha()]
    if any(name.startswith("CJK UNIFIED IDEOGRAPH") for name in names):
        return "zh"
    if any(name.startswith("CYRILLIC") for name in names):
        return "kk" if _KAZAKH_ONLY_LETTERS & set(text) else "ru"
    if any(name.startswith("LATIN") for name in names):
        return "en"
    return None


def normalise_text(text: str) -> str:
    """The one rule that decides whether two typed answers are the same answer.

    Case, ё/е, quotes (Chinese ones too), dashes (with or without spaces), a bracketed
    note, other punctuation, runs of spaces, spaces beside Chinese characters and the usual
    variants of romanisation do not matter; letters and the order of words do.  Both the
    bank's accepted answers and the player's answer go through it, so the bank lists only
    spellings that truly differ.
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = _QUOTES.sub("", text)
    without_note = _BRACKETED.sub("", text)
    if without_note.strip(_STRIP):
        text = without_note
    text = _DASHES.sub(" ", _SEPARATORS.sub(" ", text))
    text = " ".join(text.split()).strip(_STRIP)
    text = _SPACE_BY_HAN.sub("", text)
    text = _LATIN_YE_AFTER_VOWEL.sub("e", text)
    return text.replace("kh", "h").replace("y", "i")


@register
class ShortText(QuestionType):
    name = "text"
    required_keys = ("answer", "accept")

    def check(self, question, check):
        check.localized(question.get("answer"), ("answer",))
        if check.string_list(question.get("accept"), ("accept",)):
            # The grader already folds case, dashes, quotes and romanisation; two entries it
            # reads as one answer mean the list has not been kept to spellings that differ.
            seen: dict[str, str] = {}
            for index, variant in enumerate(question["accept"]):
                same = seen.setdefault(normalise_text(variant), variant)
                if same is not variant:
                    check.problem(("accept", index), f"{variant!r} is the same answer as {same!r} once "
                                                     "normalised; list only spellings that truly differ")

    def make_field(self, content, order, locale, label):
        return fields.StringField(label, validators=[validators.InputRequired(message=_msg("Type an answer.")),
                                                      validators.Length(max=200)],
                                  render_kw={"autocomplete": "off"})

    def read_field(self, content, order, data):
        text = str(data or "").strip()
        if not text:
            raise InvalidResponse(_msg("Type an answer."))
        return text[:200]

    def accepted(self, content) -> set[str]:
        return {normalise_text(v) for v in [*content["accept"], *content["answer"].values()]}

    def grade(self, content, response):
        right = isinstance(response, str) and normalise_text(response) in self.accepted(content)
        return Grade(1.0 if right else 0.0, right)

    def format_answer(self, content, locale):
        return localized(content["answer"], locale)

    def format_response(self, content, response, locale):
        return response or "—"

    def response_language(self, content, response, locale):
        # A player on an English page may type the Russian «Алматы»: the answer's own forms say
        # which language it is; anything else is judged by its letters.
        if not isinstance(response, str):
            return None
        typed = normalise_text(response)
        for lang in (locale, *content["answer"]):
            if lang in content["answer"] and normalise_text(content["answer"][lang]) == typed:
                return None if lang == locale else lang
        guess = script_language(response)
        # Russian and Kazakh share Cyrillic: on either page, Cyrillic letters alone prove nothing.
        if guess is None or guess == locale or {guess, locale} <= {"ru", "kk"}:
            return None
        return guess


# --- form fields -----------------------------------------------------------------

def _msg(text: str) -> str:
    # Messages are translated where they are shown (see play/forms.py), so they stay plain here.
    return text


class MultiCheckboxField(fields.SelectMultipleField):
    """Checkboxes in a fieldset; the browser sends one value per ticked box."""

    widget = None  # rendered by the template macro, one labelled checkbox per option
    option_widget = None

    def pre_validate(self, form):  # choices are display positions; read_field checks them
        pass


class SelectGroupField(fields.Field):
    """A row of labelled selects, one per item: used for ordering (item -> place) and
    matching (left -> right).  Plain selects keep it usable with a keyboard and
    without JavaScript."""

    def __init__(self, label=None, rows=(), choices=(), **kwargs):
        super().__init__(label, **kwargs)
        self.rows = list(rows)
        self.choices = list(choices)
        self.data = []

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.raw_data = []
        if formdata is not None:
            self.data = [formdata.get(f"{self.name}-{index}", "") for index in range(len(self.rows))]
            self.raw_data = self.data
        else:
            self.data = [""] * len(self.rows)

    def pre_validate(self, form):
        if any(value == "" for value in self.data):
            raise validators.StopValidation(_msg("Answer every row."))

    def row_id(self, index: int) -> str:
        return f"{self.id}-{index}"

    def __call__(self, **kwargs):
        # Markup.format escapes every argument: row and option labels come from the bank.
        placeholder = kwargs.pop("placeholder", "—")
        selected_mark, no_mark = Markup(" selected"), Markup("")
        parts = [Markup('<ol class="select-group">')]
        for index, row in enumerate(self.rows):
            select_id = self.row_id(index)
            options = [Markup('<option value="">{}</option>').format(placeholder)]
            for value, label in self.choices:
                chosen = bool(self.data) and index < len(self.data) and self.data[index] == value
                options.append(Markup('<option value="{}"{}>{}</option>').format(
                    value, selected_mark if chosen else no_mark, label))
            parts.append(Markup('<li><label for="{}">{}</label> <select id="{}" name="{}" required>{}</select></li>')
                         .format(select_id, row, select_id, f"{self.name}-{index}", Markup("").join(options)))
        parts.append(Markup("</ol>"))
        return Markup("").join(parts)


def all_types() -> list[str]:
    return sorted(REGISTRY)


__all__ = ["Grade", "InvalidResponse", "QuestionType", "REGISTRY", "get_type", "all_types",
           "display_order", "localized", "normalise_text", "escape"]
