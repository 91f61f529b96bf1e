"""The JSON forms of quizzes, attempts, questions, answers, results and boards.

What a question shows before it is answered comes only from the type's ``public_view``
(labels in display order, never option keys); right answers, explanations and sources
appear only for questions already answered (immediate feedback) or in a finished
attempt's result, and never for a question the attempt did not reach.  With feedback at the
end, an answer's outcome while the attempt runs says only that it was recorded.
``openapi.py`` describes every shape made here.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from quizapp.attempts import AnswerOutcome, ServedQuestion, not_reached, shows_feedback_now
from quizapp.clock import as_utc
from quizapp.models import Attempt, AttemptAnswer, Quiz
from quizapp.modes import feedback_each_answer, feedback_of
from quizapp.question_types import get_type, localized
from quizapp.questions import RevisionValues
from quizapp.ranking import Standing


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``."""
    if moment is None:
        return None
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def quiz_brief(quiz: Quiz, locale: str) -> dict[str, Any]:
    return {"key": quiz.key, "title": localized(quiz.title, locale)}


def quiz_json(quiz: Quiz, locale: str) -> dict[str, Any]:
    return {
        "key": quiz.key,
        "title": localized(quiz.title, locale),
        "titles": dict(quiz.title or {}),
        "description": localized(quiz.description, locale),
        "descriptions": dict(quiz.description or {}),
        "question_count": quiz.draw_count,
        "time_limit_s": quiz.time_limit_s,
        "question_time_limit_s": quiz.question_time_limit_s,
        "feedback": quiz.feedback,
        "scoring": quiz.scoring,
        "points_per_question": quiz.points_per_question,
    }


def question_json(served: ServedQuestion, locale: str) -> dict[str, Any]:
    revision = served.revision
    data: dict[str, Any] = {"position": served.position, "type": revision.type,
                            "text": localized(revision.content.get("text"), locale)}
    data.update(get_type(revision.type).public_view(revision.content, served.order, locale))
    return data


def state_json(attempt: Attempt, served: ServedQuestion | None, now: datetime, locale: str) -> dict[str, Any]:
    deadline = served.deadline_dt if served is not None else None
    remaining = None if deadline is None else round(max(0.0, (deadline - now).total_seconds()), 3)
    return {
        "id": attempt.id,
        "quiz": quiz_brief(attempt.quiz, locale),
        "status": "finished" if attempt.is_finished else "active",
        "mode": attempt.mode,
        "time_factor": attempt.time_factor,
        "feedback": feedback_of(attempt),
        "position": served.position if served is not None else (
            attempt.question_count if attempt.is_finished else attempt.current_position),
        "question_count": attempt.question_count,
        "started_dt": iso(attempt.started_dt),
        "finished_dt": iso(attempt.finished_dt),
        "deadline": iso(attempt.deadline_dt),
        "question_deadline": iso(served.question_deadline_dt) if served is not None else None,
        "server_now": iso(now),
        "remaining_seconds": remaining,
        "question": question_json(served, locale) if served is not None else None,
    }


def verdict(row: AttemptAnswer) -> str:
    if not_reached(row):
        return "not_reached"
    if row.timed_out:
        return "timed_out"
    if row.is_correct:
        return "right"
    return "partial" if row.credit > 0 else "wrong"


def your_answer(revision: RevisionValues, row: AttemptAnswer, locale: str) -> str | None:
    if row.response is None:
        return None
    return get_type(revision.type).format_response(revision.content, row.response, locale)


def reveal(revision: RevisionValues, row: AttemptAnswer, locale: str) -> dict[str, Any]:
    """The right answer and its source: only for a question that is over."""
    source = revision.content.get("source") or {}
    return {
        "your_answer": your_answer(revision, row, locale),
        "right_answer": get_type(revision.type).format_answer(revision.content, locale),
        "explanation": localized(revision.content.get("explanation"), locale),
        "source_paragraph": source.get("paragraph"),
    }


def outcome_json(outcome: AnswerOutcome, revision: RevisionValues, locale: str) -> dict[str, Any]:
    row, attempt = outcome.row, outcome.attempt
    if row.timed_out:
        kind = "timed_out"
    elif outcome.duplicate:
        kind = "duplicate"
    else:
        kind = "recorded"
    # A quiz with feedback at the end says nothing about an answer while the attempt runs:
    # right or wrong would be the answer key, one question at a time.
    withheld = not shows_feedback_now(attempt)
    return {
        "position": row.position,
        "outcome": kind,
        "duplicate": outcome.duplicate,
        "is_correct": None if withheld else row.is_correct,
        "credit": None if withheld else row.credit,
        "points": None if withheld else row.points,
        "attempt": {"id": attempt.id, "status": "finished" if attempt.is_finished else "active",
                    "position": attempt.current_position, "question_count": attempt.question_count},
        "feedback": reveal(revision, row, locale) if feedback_each_answer(attempt) else None,
    }


def review_item(row: AttemptAnswer, revision: RevisionValues, locale: str) -> dict[str, Any]:
    if not_reached(row):
        # Never shown to the player (time ran out first): on a quiz whose draw is fixed, its
        # text and answer would be the key to the next attempt.
        return {"position": row.position, "type": revision.type, "text": None, "your_answer": None,
                "right_answer": None, "explanation": None, "source_paragraph": None, "verdict": "not_reached",
                "is_correct": False, "credit": 0.0, "points": 0}
    return {
        "position": row.position,
        "type": revision.type,
        "text": localized(revision.content.get("text"), locale),
        **reveal(revision, row, locale),
        "verdict": verdict(row),
        "is_correct": row.is_correct,
        "credit": row.credit,
        "points": row.points,
    }


def standing_json(standing: Standing, me: int | None) -> dict[str, Any]:
    return {
        "rank": standing.rank,
        "username": standing.username,
        "score": standing.score,
        "duration_ms": standing.duration_ms,
        "finished_dt": iso(standing.finished_dt),
        "quiz_count": standing.quiz_count,
        "is_me": me is not None and standing.user_id == me,
    }
