"""The bank as study material: the current questions, their facts, the timeline of their
events, the outline of a topic's facts, the facts of one paragraph of the article, and how
many questions each topic has.

A fact is what a question's ``fact:`` states, in the team's own words (never its
explanation, which may open with a verdict: "Неверно: …").  Questions that ask about the
same thing share one fact (``fact: <question id>``), so a fact is shown once, with every
question that asks it.  A question without a fact is left off the study pages.

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


# The article the bank is written from (../shared/source/article.ru.txt): its title, and its
# date.  Its text is not in the app; see docs/learning.md ("The source paragraph").
ARTICLE_DATE = "2026-01-07"
ARTICLE_TITLE = {
    "ru": "Совместными усилиями вписать новую страницу в историю китайско-казахстанских отношений",
    "en": "Writing a new page in the history of China–Kazakhstan relations together",
    "kk": "Қытай–Қазақстан қатынастарының тарихына бірлесіп жаңа бет жазу",
    "zh": "携手谱写中哈关系史新篇章",
}


def fact_owners(questions: list[CurrentQuestion]) -> dict[str, CurrentQuestion]:
    """question key -> the question whose ``fact:`` states its fact (itself, or the question
    it shares one with); questions without a fact are left out."""
    by_key = {q.key: q for q in questions}
    owners = {}
    for q in questions:
        fact = q.content.get("fact")
        owner = by_key.get(fact) if isinstance(fact, str) else q if isinstance(fact, dict) else None
        if owner is not None and isinstance(owner.content.get("fact"), dict):
            owners[q.key] = owner
    return owners


@dataclass(frozen=True)
class TimelineEvent:
    date: str  # "YYYY", "YYYY-MM" or "YYYY-MM-DD", as written in the bank
    title: dict[str, str]
    fact: dict[str, str]
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
    questions = current_questions(source)
    owners = fact_owners(questions)
    events = [
        TimelineEvent(q.content["event"]["date"], q.content["event"]["title"],
                      owners[q.key].content["fact"] if q.key in owners else {}, q.paragraph, q.key, q.id, q.tags)
        for q in questions if q.content.get("event")
    ]
    return sorted(events, key=lambda event: date_key(event.date))


@dataclass(frozen=True)
class AskedAs:
    """A question that asks about a fact."""

    key: str
    id: int | None
    text: dict[str, str]


@dataclass(frozen=True)
class Fact:
    """A fact to study, in the team's own words, and the questions that ask about it."""

    key: str  # the question whose ``fact:`` states it
    text: dict[str, str]
    paragraph: int
    difficulty: int  # of its easiest question
    tags: list[str]  # of all its questions
    questions: list[AskedAs]


@dataclass(frozen=True)
class OutlineSection:
    paragraph: int
    facts: list[Fact]


def facts(source: Bank | Session, keep=lambda q: True) -> list[Fact]:
    """The facts of the questions ``keep`` accepts, each once, easiest first, then in bank order."""
    questions = current_questions(source)
    owners = fact_owners(questions)
    grouped: dict[str, list[CurrentQuestion]] = {}
    for q in questions:
        if q.key in owners and keep(q):
            grouped.setdefault(owners[q.key].key, []).append(q)
    by_key = {q.key: q for q in questions}
    result = []
    for owner_key, asked in grouped.items():
        owner = by_key[owner_key]
        tags = [tag for tag in TAGS if any(tag in q.tags for q in asked)]
        result.append(Fact(owner_key, owner.content["fact"], owner.paragraph,
                           min(int(q.content.get("difficulty", 1)) for q in asked), tags,
                           [AskedAs(q.key, q.id, q.content["text"]) for q in asked]))
    return sorted(result, key=lambda fact: fact.difficulty)


def outline(source: Bank | Session, tag: str) -> list[OutlineSection]:
    """The facts of one topic tag, by the article's paragraph, easiest first within one."""
    by_paragraph: dict[int, list[Fact]] = {}
    for fact in facts(source, lambda q: tag in q.tags):
        by_paragraph.setdefault(fact.paragraph, []).append(fact)
    return [OutlineSection(paragraph, section) for paragraph, section in sorted(by_paragraph.items())]


def paragraph_facts(source: Bank | Session, paragraph: int) -> list[Fact]:
    """Every fact citing one paragraph of the article, whatever its topic."""
    return facts(source, lambda q: q.paragraph == paragraph)


def fact_counts(source: Bank | Session) -> dict[str, int]:
    """How many facts each tag's topic page states (a fact shared by several questions once),
    in the bank's tag order, empty tags left out."""
    counts = {tag: 0 for tag in TAGS}
    for fact in facts(source):
        for tag in fact.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return {tag: count for tag, count in counts.items() if count}


def topic_sizes(source: Bank | Session) -> dict[str, int]:
    """How many current questions each tag has, in the bank's tag order (empty tags left out)."""
    sizes = {tag: 0 for tag in TAGS}
    for q in current_questions(source):
        for tag in q.tags:
            sizes[tag] = sizes.get(tag, 0) + 1
    return {tag: size for tag, size in sizes.items() if size}


__all__ = ["ARTICLE_DATE", "ARTICLE_TITLE", "AskedAs", "CurrentQuestion", "Fact", "OutlineSection", "TimelineEvent",
           "current_questions", "date_key", "fact_counts", "fact_owners", "facts", "outline", "paragraph_facts", "timeline",
           "topic_sizes"]
