"""What kind of run an attempt is (its mode, its review status, the time it allows) and
the rules the operator sets for timing and boards.

Low in the domain modules (it imports only ``pace``, for its rules): attempts, practice,
learning, ranking and the views all read these, so none of them needs another for it.
No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from quizapp.pace import PaceRules

if TYPE_CHECKING:  # only for the annotations: models may import this module
    from quizapp.models import Attempt


class Mode(StrEnum):
    """``Attempt.mode``.  A ``str``: it compares, hashes and is stored as its value."""

    STANDARD = "standard"  # ranked
    EXTENDED = "extended"  # ranked on a board of its own (limits × 1.5 or × 2)
    PRACTICE = "practice"  # untimed and unranked: practice of mistakes, review, "practise this"
    ASSIGNMENT = "assignment"  # given by a teacher to a class (quizapp.assignments): on no public board


class RunPurpose(StrEnum):
    """``Attempt.purpose`` of a study run (a practice attempt the app starts, not a quiz taken)."""

    REVIEW = "review"      # a review session: the user's due questions, titled "Review"
    MISTAKES = "mistakes"  # "practise my mistakes" of one attempt
    SINGLE = "single"      # "practise this": one question met before


def feedback_each_answer(attempt: Attempt) -> bool:
    """Right or wrong, the right answer and the explanation after every answer: in a quiz (or an
    assignment) with immediate feedback, and in every study run (review, mistakes, "practise this"), which are
    for learning, as in Anki, card by card."""
    return feedback_of(attempt) == "immediate" or attempt.purpose is not None


# The ranked modes, which are also the boards' names, in the order the boards list them.
RANKED_MODES: tuple[Mode, ...] = (Mode.STANDARD, Mode.EXTENDED)

# Extended time (WCAG 2.2.1): ``User.time_accommodation`` -> the factor applied to every
# limit; None means untimed practice.
TIME_ACCOMMODATIONS: dict[str, float | None] = {"standard": 1.0, "x1.5": 1.5, "x2": 2.0, "untimed": None}

# ``Attempt.review_status`` (quizapp.moderation): held by the pace check, then cleared or voided.
FLAGGED, CLEARED, VOIDED = "flagged", "cleared", "voided"


@dataclass(frozen=True)
class Rules:
    """What the operator configures about timing and boards (``context.rules`` reads the config)."""

    grace: timedelta = timedelta(seconds=2)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Almaty"))
    # The human floor (quizapp.pace): a ranked attempt answered faster is held for review.
    # None checks nothing; the app always passes the configured floor (context.rules).
    pace: PaceRules | None = None


DEFAULT_RULES = Rules()


def mode_for(accommodation: str) -> tuple[Mode, float]:
    """The mode and time factor of a quiz started by a user with this accommodation."""
    factor = TIME_ACCOMMODATIONS.get(accommodation, 1.0)
    if factor is None:
        return Mode.PRACTICE, 1.0
    return (Mode.STANDARD if factor == 1.0 else Mode.EXTENDED), factor


def is_on_boards(attempt: Attempt) -> bool:
    """Ranked, and not held or voided by the pace check: what ``ranking.maintain`` has put
    on the boards (``ranking.rebuild`` says the same in SQL)."""
    return attempt.mode in RANKED_MODES and attempt.review_status in (None, CLEARED)


def feedback_of(attempt: Attempt) -> str:
    """"immediate" or "end": the assignment's choice for an assignment's attempt, else the quiz's."""
    assignment = attempt.assignment if attempt.assignment_id is not None else None
    return assignment.feedback if assignment is not None else attempt.quiz.feedback


def answers_shown(attempt: Attempt, now: datetime) -> bool:
    """Whether the review of a finished attempt may show the right answers now: always, but
    for an assignment that keeps them until its close (so no one passes them on meanwhile)."""
    assignment = attempt.assignment if attempt.assignment_id is not None else None
    return assignment is None or assignment.answers_after != "close" or now >= assignment.close_dt


def allowed_seconds(attempt: Attempt) -> float | None:
    """The time one question of ``attempt`` is given, or None when it is untimed: the
    question's own limit, else the quiz's limit shared equally between its questions, both
    times the attempt's extended-time factor.  Speed scoring and the review rating read it."""
    if attempt.mode == Mode.PRACTICE:
        return None
    quiz = attempt.quiz
    if quiz.question_time_limit_s:
        return quiz.question_time_limit_s * attempt.time_factor
    if quiz.time_limit_s and attempt.plan:
        return quiz.time_limit_s * attempt.time_factor / len(attempt.plan)
    return None


__all__ = ["CLEARED", "DEFAULT_RULES", "FLAGGED", "Mode", "Rules", "RANKED_MODES", "TIME_ACCOMMODATIONS", "VOIDED", "allowed_seconds",
           "answers_shown", "feedback_of", "is_on_boards", "mode_for"]
