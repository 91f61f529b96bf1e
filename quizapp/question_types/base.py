"""What every question type is, and the registry that holds them.

A type owns everything about its kind of question: its YAML validation (``check``), its
form field (``make_field``/``read_field``) and the template that shows it
(``answer_template``), its strict JSON reader for the API (``check_json``, used by
``read_json``) and the OpenAPI schema of what it shows (``public_view``/``public_schema``),
its grading and partial credit (``grade``), and the API's message for a missing answer
(``missing_message``).  ``incomplete_types`` lists a type that lacks one of them;
``create_app`` refuses to start with one.

Responses are stored as plain JSON in terms of the YAML's own keys (an option key, a
list of item keys, a number...).  What the browser sees are display positions only, so
nothing in a question page reveals which option is right.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, NamedTuple

from wtforms import fields
from wtforms.fields.choices import SelectChoice

from quizapp.bank.checks import Checker, is_int

# The API's bounds on what a client may send, before the type reads it.
MAX_INDEX = 10_000
MAX_LIST = 100


@dataclass(frozen=True)
class Grade:
    credit: float  # 0.0 .. 1.0
    is_correct: bool


class InvalidResponse(ValueError):
    """The submitted form data does not make an answer of this type."""


@dataclass(frozen=True)
class PublicSchema:
    """The OpenAPI schema of a type's ``public_view``: the properties it shows besides
    position, type and text, which of them are always there, and how to answer."""
    properties: dict[str, Any]
    required: list[str]
    description: str


def _msg(text: str) -> str:
    # Messages are translated where they are shown (play/_answer_fields.html, the API's
    # views), so they stay plain here; ``make extract-messages`` collects them (-k _msg).
    return text


def localized(value: Mapping[str, str] | None, locale: str) -> str:
    """The text of a ``{ru, en, kk, zh}`` mapping from the bank in ``locale``; Russian, then
    any language, where that one is missing; "" for no text at all.  The one such function:
    the question types, the API's JSON and the pages (``loc`` in templates) all use it."""
    if not value:
        return ""
    return value.get(locale) or value.get("ru") or next(iter(value.values()), "")


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


def encodable(value: str) -> bool:
    # JSON can carry lone surrogates ("\ud800"), which no form can send and no page can print.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_index(value: Any) -> bool:
    return is_int(value) and 0 <= value < MAX_INDEX


def index_list(value: Any, message: str) -> list[int]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST or not all(is_index(v) for v in value):
        raise InvalidResponse(message)
    return value


def choices(content: dict[str, Any], order: list[str], locale: str) -> list[SelectChoice]:
    return [SelectChoice(str(index), localized(content["options"][key], locale)) for index, key in enumerate(order)]


def key_at(order: list[str], raw: Any) -> str:
    try:
        index = int(raw)
    except (TypeError, ValueError):
        raise InvalidResponse(_msg("Unknown option.")) from None
    if not 0 <= index < len(order):
        raise InvalidResponse(_msg("Unknown option."))
    return order[index]


class AnswerRow(NamedTuple):
    """One line of a two-column answer: what it is about, the player's part, the right part."""
    label: str
    given: str
    right: str

    @property
    def is_right(self) -> bool:
        return self.given == self.right


class QuestionType:
    name: ClassVar[str]
    required_keys: ClassVar[tuple[str, ...]] = ()
    optional_keys: ClassVar[tuple[str, ...]] = ()
    # Whether the display order must be shuffled even when the quiz says not to.
    always_shuffle: ClassVar[bool] = False
    # The template, under templates/, that shows this type's field inside the answer fieldset
    # (play/_answer_fields.html includes it).  Its blank rendering is cached: see the comment
    # at its top for what the cache key must include.
    answer_template: ClassVar[str]
    # What the API says when the body has no answer at all (missing, null, an object...).
    missing_message: ClassVar[str]
    # What the API says for a string JSON can carry but no page can print (a lone surrogate).
    unprintable_message: ClassVar[str] = _msg("Unknown option.")
    public_schema: ClassVar[PublicSchema]

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

    def check_json(self, data: Any) -> Any:
        """An API answer, checked strictly by JSON type (``true`` is not the index 1, ``1.9`` is
        not an index), as the form would send it to ``read_field``; or ``InvalidResponse``.
        The shapes are listed in docs/api.md and in ``public_schema``."""
        raise NotImplementedError

    def read_json(self, content: dict[str, Any], order: list[str], data: Any) -> Any:
        """API payload -> stored response.  Uses the same display positions as the form, and
        nothing a client sends makes it fail with anything but ``InvalidResponse``."""
        if isinstance(data, str) and not encodable(data):
            raise InvalidResponse(self.unprintable_message)
        return self.read_field(content, order, self.check_json(data))

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

    def answer_rows(self, content: dict[str, Any], response: Any, locale: str) -> list[AnswerRow] | None:
        """An answer made of several parts (pairs, places) as rows, the player's part beside the
        right one, for a two-column table; None for an answer that is one thing."""
        return None

    def public_view(self, content: dict[str, Any], order: list[str], locale: str) -> dict[str, Any]:
        """What may be shown before answering (used by the JSON API); ``public_schema`` describes it."""
        raise NotImplementedError


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> QuestionType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown question type {name!r}") from None


def all_types() -> list[str]:
    return sorted(REGISTRY)


# Every method a type must write itself; ``shuffled_keys`` and ``read_json`` have defaults
# that are right for a type without options and for every type.
REQUIRED_METHODS = ("check", "make_field", "read_field", "check_json", "grade", "format_answer",
                    "format_response", "public_view")


def incomplete_types(template_exists: Callable[[str], bool]) -> list[str]:
    """What each registered type lacks, one line per gap (empty when every type is whole)."""
    gaps = []
    for name, qtype in sorted(REGISTRY.items()):
        cls = type(qtype)
        for method in REQUIRED_METHODS:
            if getattr(cls, method) is getattr(QuestionType, method):
                gaps.append(f"question type {name!r} does not define {method}()")
        schema = getattr(cls, "public_schema", None)
        if not isinstance(schema, PublicSchema):
            gaps.append(f"question type {name!r} has no public_schema (a PublicSchema)")
        for attribute in ("missing_message", "unprintable_message"):
            if not isinstance(getattr(cls, attribute, None), str) or not getattr(cls, attribute):
                gaps.append(f"question type {name!r} has no {attribute}")
        template = getattr(cls, "answer_template", None)
        if not isinstance(template, str):
            gaps.append(f"question type {name!r} has no answer_template")
        elif not template_exists(template):
            gaps.append(f"question type {name!r}: answer_template {template!r} does not exist")
    return gaps
