"""How fast a person can possibly answer a question: the human floor.

A ranked attempt with an answer under its question's floor (or finished in less than the
sum of its answered questions' floors) is held off the leaderboards until an admin looks
at it (``quizapp.moderation``).  The floor is deliberately generous to people: it is the
time to *skim* the question and its options at a speed no one reads at, plus the least
time the answer's controls take to work (one click, several selects, typing).  A bot that
knows the answer key answers in milliseconds; a person who knows the facts by heart still
needs seconds.  The constants are configuration (``docs/scoring.md`` lists them).

Plain Python; no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

# Types answered by typing (digits or words) rather than by a click.
TYPED_TYPES = frozenset({"numeric", "year", "text"})


@dataclass(frozen=True)
class PaceRules:
    """The floor's constants, in milliseconds (configured as ``MIN_…`` in the app config)."""

    # Skimming at 125 characters a second: about three times as fast as fast readers read.
    read_ms_per_char: int = 8
    # Seeing the page and making the one click every answer needs.
    answer_ms: int = 600
    # Each further control to set: a second ticked box, each select of an ordering or matching.
    choice_ms: int = 400
    # Typing a number, a year or a name instead of clicking.
    typed_ms: int = 1000


DEFAULT_PACE = PaceRules()


def _texts(value: Any) -> dict[str, str]:
    """A ``{ru, en}`` mapping of the bank (anything else counts as no text)."""
    return {lang: text for lang, text in value.items() if isinstance(text, str)} if isinstance(value, dict) else {}


# A Chinese character carries about as much as three letters of Russian, English or Kazakh
# (the bank's zh texts run about a third of the length of their ru ones), and is read about
# that much slower, so it counts as three letters.
IDEOGRAPH_WEIGHT = 3


def _reading_length(text: str) -> int:
    return sum(IDEOGRAPH_WEIGHT if "\u3400" <= char <= "\u9fff" else 1 for char in text)


def shown_characters(content: dict[str, Any]) -> int:
    """The letters a player must at least read: the prompt and every option, item or pair.

    In the shortest of the question's languages, a Chinese character counting as three
    letters.  Which language an answer was served in is not recorded (the page follows the
    browser or the account), and the floor must never be above what a person saw, so the
    shortest is the safe choice: weighted so, this bank's languages differ by a fifth or so."""
    parts: list[dict[str, str]] = [_texts(content.get("text"))]
    for key in ("options", "items"):
        if isinstance(content.get(key), dict):
            parts.extend(_texts(label) for label in content[key].values())
    for pair in content.get("pairs") or []:
        if isinstance(pair, dict):
            parts.extend((_texts(pair.get("left")), _texts(pair.get("right"))))
    languages = set().union(*(part.keys() for part in parts))
    if not languages:
        return 0
    return min(sum(_reading_length(part.get(lang, "")) for part in parts) for lang in languages)


def controls_to_set(question_type: str, content: dict[str, Any]) -> int:
    """How many controls a right answer needs: one click, or a box per right option, or a
    select per item or pair."""
    if question_type == "multiple":
        return max(1, len(content.get("answers") or ()))
    if question_type == "ordering":
        return max(1, len(content.get("items") or ()))
    if question_type == "matching":
        return max(1, len(content.get("pairs") or ()))
    return 1


def question_floor_ms(question_type: str, content: dict[str, Any], rules: PaceRules = DEFAULT_PACE) -> int:
    """The least time, in ms, a person needs to read this question and answer it."""
    floor = rules.answer_ms + rules.read_ms_per_char * shown_characters(content)
    floor += rules.choice_ms * (controls_to_set(question_type, content) - 1)
    if question_type in TYPED_TYPES:
        floor += rules.typed_ms
    return floor


@dataclass(frozen=True)
class TimedAnswer:
    """One answered question of an attempt, as the pace check needs it."""

    position: int
    question_type: str
    content: dict[str, Any]
    served_dt: datetime | None
    answered_dt: datetime | None


def pace_report(answers: Iterable[TimedAnswer], duration_ms: int, rules: PaceRules = DEFAULT_PACE) -> dict[str, Any]:
    """Every answered question's time against its floor, and the attempt's against the sum.

    ``too_fast`` is true when any answer, or the whole attempt, came in under its floor.
    Questions never answered (timed out, never served) took no human effort and are left
    out of both.  The result is plain JSON: it is stored with a flagged attempt, so the
    admin later sees the floors that applied then, whatever the configuration says now."""
    rows = []
    for answer in sorted(answers, key=lambda a: a.position):
        if answer.answered_dt is None or answer.served_dt is None:
            continue
        elapsed = max(0, int((answer.answered_dt - answer.served_dt).total_seconds() * 1000))
        floor = question_floor_ms(answer.question_type, answer.content, rules)
        rows.append({"position": answer.position, "type": answer.question_type, "elapsed_ms": elapsed,
                     "floor_ms": floor, "too_fast": elapsed < floor})
    floor_total = sum(row["floor_ms"] for row in rows)
    fast_answers = sum(1 for row in rows if row["too_fast"])
    attempt_too_fast = bool(rows) and duration_ms < floor_total
    return {"answers": rows, "fast_answers": fast_answers, "duration_ms": duration_ms, "floor_ms": floor_total,
            "attempt_too_fast": attempt_too_fast, "too_fast": fast_answers > 0 or attempt_too_fast}


__all__ = ["DEFAULT_PACE", "PaceRules", "TYPED_TYPES", "TimedAnswer", "controls_to_set", "pace_report",
           "question_floor_ms", "shown_characters"]
