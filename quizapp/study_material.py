"""The bank as study material: the current questions, the timeline of their events, the
outline of a topic's facts, and how many questions each topic has.

Reads only (from a loaded ``Bank`` or from the database); no Flask.  ``learning.mastery``
and the study pages read these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.bank.loader import TAGS, Bank
from quizapp.models import Question, QuestionRevision


@dataclass(frozen=True)
class CurrentQuestion:
    """A question as it stands now: from a loaded bank (``id`` None) or the database."""

    id: int | None
    key: str
    content: dict[str, Any]

    @property
    def paragraph(self) -> int:
        return self.content["source"]["paragraph"]

    @property
    def tags(self) -> list[str]:
        return list(self.content.get("tags", []))


def current_questions(source: Bank | Session) -> list[CurrentQuestion]:
    """Every current question, in bank order: from a ``Bank`` or from the database
    (non-retired questions at their current revision)."""
    if isinstance(source, Bank):
        return [CurrentQuestion(None, key, {k: v for k, v in item.data.items() if k != "id"})
                for key, item in source.questions.items()]
    rows = source.execute(
        select(Question.id, Question.key, QuestionRevision.content)
        .join(QuestionRevision, QuestionRevision.id == Question.current_revision_id)
        .where(Question.is_retired.is_(False))
        .order_by(Question.id)
    ).all()
    return [CurrentQuestion(row.id, row.key, row.content) for row in rows]


@dataclass(frozen=True)
class TimelineEvent:
    date: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD", as written in the bank
    title: dict[str, str]
    explanation: dict[str, str]
    paragraph: int
    question_key: str
    question_id: int | None
    tags: list[str] = field(default_factory=list)

    @property
    def parts(self) -> tuple[int, ...]:
        """(year,), (year, month) or (year, month, day)."""
        return tuple(int(part) for part in self.date.split("-"))


def date_key(date: str) -> tuple[int, ...]:
    """Chronological order of bank dates: a bare year comes before its months, a month
    before its days ("2025" < "2025-06" < "2025-06-15" < "2026")."""
    return tuple(int(part) for part in date.split("-"))


def timeline(source: Bank | Session) -> list[TimelineEvent]:
    """The events of the bank's questions (their ``event:``), in chronological order;
    events of the same date keep bank order."""
    events = [
        TimelineEvent(q.content["event"]["date"], q.content["event"]["title"], q.content["explanation"],
                      q.paragraph, q.key, q.id, q.tags)
        for q in current_questions(source) if q.content.get("event")
    ]
    return sorted(events, key=lambda event: date_key(event.date))


@dataclass(frozen=True)
class Fact:
    """A fact to study: a question's explanation, in the team's own words."""

    question_key: str
    question_id: int | None
    text: dict[str, str]  # the explanation
    question: dict[str, str]  # the question that asks about it
    paragraph: int
    difficulty: int


@dataclass(frozen=True)
class OutlineSection:
    paragraph: int
    facts: list[Fact]


def outline(source: Bank | Session, tag: str) -> list[OutlineSection]:
    """The facts of one topic tag, by the article's paragraph, easiest first within one."""
    by_paragraph: dict[int, list[Fact]] = {}
    for q in current_questions(source):
        if tag in q.tags:
            by_paragraph.setdefault(q.paragraph, []).append(
                Fact(q.key, q.id, q.content["explanation"], q.content["text"], q.paragraph,
                     int(q.content.get("difficulty", 1))))
    return [OutlineSection(paragraph, sorted(facts, key=lambda fact: fact.difficulty))
            for paragraph, facts in sorted(by_paragraph.items())]


def topic_sizes(source: Bank | Session) -> dict[str, int]:
    """How many current questions each tag has, in the bank's tag order (empty tags left out)."""
    sizes = {tag: 0 for tag in TAGS}
    for q in current_questions(source):
        for tag in q.tags:
            sizes[tag] = sizes.get(tag, 0) + 1
    return {tag: size for tag, size in sizes.items() if size}


__all__ = ["CurrentQuestion", "Fact", "OutlineSection", "TimelineEvent", "current_questions", "date_key", "outline",
           "timeline", "topic_sizes"]
