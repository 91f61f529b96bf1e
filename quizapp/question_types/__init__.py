"""The one registry of question types.

Each type is one class in one module of this package (one module per family), and one
template under ``templates/play/answer/``; ``base.QuestionType`` lists what a type owns.
Importing the package registers every type; an unknown type name fails loudly
(``get_type``), and so does an incomplete one, when the app starts (``incomplete_types``).
"""
from __future__ import annotations

from quizapp.question_types.base import (REGISTRY, Grade, InvalidResponse, PublicSchema, QuestionType, all_types,
                                         display_order, get_type, incomplete_types, localized, register)
# Importing the families registers their types; the order is that of the docs, not the registry's.
from quizapp.question_types import choice, numbers, arrange, text  # noqa: E402,F401  isort: skip
from quizapp.question_types.text import normalise_text, script_language

__all__ = ["Grade", "InvalidResponse", "PublicSchema", "QuestionType", "REGISTRY", "all_types", "display_order",
           "get_type", "incomplete_types", "localized", "normalise_text", "register",
           "script_language"]
