"""Checking the JSON shape of an answer before the question type reads it.

The API takes answers in display positions, as the form does (see ``docs/api.md``):

=============  ==========================================================
single         the option's index: ``1``
true_false     ``true`` / ``false``, ``"true"`` / ``"false"``, or the index of the
               shown option (``0`` is the first label, "True"; ``1`` is "False")
multiple       a list of option indexes: ``[0, 2]``
numeric        a number, or a string as typed (``"43,8"``)
year           an integer, or a string of digits
text           a string
ordering       for each displayed item, its place (1 = first): ``[2, 3, 1]``
matching       for each left item, the index of the right item chosen: ``[2, 0, 1]``
=============  ==========================================================

JSON types are checked strictly here (``true`` is not the index 1, ``1.9`` is not an
index) so that the type's reader only ever sees the shapes the form would send, and
nothing a client sends can make it fail with anything but ``InvalidResponse``.
"""
from __future__ import annotations

import math
from typing import Any

from quizapp.bank.checks import is_int, is_number
from quizapp.question_types import InvalidResponse

MAX_INDEX = 10_000
MAX_LIST = 100
MAX_NUMBER_TEXT = 40
MAX_YEAR_TEXT = 6


def _index(value: Any) -> bool:
    return is_int(value) and 0 <= value < MAX_INDEX


def _index_list(value: Any, message: str) -> list[int]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST or not all(_index(v) for v in value):
        raise InvalidResponse(message)
    return value


def _encodable(value: str) -> bool:
    # JSON can carry lone surrogates ("\ud800"), which no form can send and no page can print.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MISSING = object()


def is_documented(value: Any) -> bool:
    """Whether ``value`` has a shape AnswerRequest's ``answer`` allows (see openapi.py): a number,
    a boolean, a string, or a list of whole numbers.  Whether it fits the question is for
    ``check_answer``; a body outside these shapes is refused even when it comes too late."""
    if value is MISSING or value is None or isinstance(value, dict):
        return False
    if isinstance(value, list):
        return all(is_int(item) or (isinstance(item, float) and item.is_integer()) for item in value)
    return True


def check_answer(kind: str, value: Any) -> Any:
    """The answer as the type's ``read_json`` expects it, or ``InvalidResponse``."""
    if isinstance(value, str) and not _encodable(value):
        raise InvalidResponse("Type an answer." if kind == "text" else "Unknown option.")
    if kind == "single":
        if not _index(value):
            raise InvalidResponse("Choose an answer." if value is None else "Unknown option.")
        return value
    if kind == "true_false":
        if isinstance(value, bool):
            return "true" if value else "false"
        if value in ("true", "false") and isinstance(value, str):
            return value
        if is_int(value) and value in (0, 1):
            return ("true", "false")[value]  # the display order of TrueFalse.public_view
        raise InvalidResponse("Answer true or false.")
    if kind == "multiple":
        return _index_list(value, "Choose at least one answer.")
    if kind == "numeric":
        if is_number(value):
            try:
                if math.isfinite(float(value)):
                    return value
            except OverflowError:
                pass
            raise InvalidResponse("Enter a number.")
        if isinstance(value, str) and 0 < len(value) <= MAX_NUMBER_TEXT:
            return value
        raise InvalidResponse("Enter a number.")
    if kind == "year":
        if is_int(value):
            if 0 < value <= 9999:
                return value
            raise InvalidResponse("Enter a year, such as 1992.")
        if isinstance(value, str) and 0 < len(value) <= MAX_YEAR_TEXT:
            return value
        raise InvalidResponse("Enter a year, such as 1992.")
    if kind == "text":
        if isinstance(value, str) and value.strip():
            return value
        raise InvalidResponse("Type an answer.")
    if kind == "ordering":
        if not isinstance(value, list) or not value or len(value) > MAX_LIST or not all(is_int(v) for v in value):
            raise InvalidResponse("Give every item a place.")
        return value
    if kind == "matching":
        return _index_list(value, "Match every item.")
    raise InvalidResponse("Unknown option.")  # a type this API does not know yet: refuse, never guess
