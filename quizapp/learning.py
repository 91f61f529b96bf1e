"""Learning between quizzes: the review schedule, what is due, and mastery.

Plain Python over a SQLAlchemy session (no Flask), like ``attempts``.  Functions here
``flush()`` and never ``commit()``: the caller owns the transaction.  This module imports
neither ``attempts`` nor ``practice`` (they import it); the study material (timeline,
outlines) is ``study_material``.

The review schedule
-------------------
Every answer of every mode (quiz, practice, review) reaches ``record_answer`` from
``attempts._record`` (or, for a quiz with feedback at the end, from ``finish`` once the
attempt is over: ``schedules_each_answer``), which rates it and hands it to the ``fsrs``
scheduler; we never compute intervals ourselves.  The rating:

* **Again**: wrong (including partly right, and a question whose time ran out);
* **Easy**: right and fast: in under a third of the time allowed for the question, or
  under ``FAST_UNTIMED_S`` (8 s) when it was untimed;
* **Hard**: right but slow: in over two thirds of the time allowed, or over
  ``SLOW_UNTIMED_S`` (30 s) untimed;
* **Good**: right, otherwise.

The time allowed is the question's own limit, else the quiz's limit shared equally
between its questions (both times the attempt's extended-time factor); practice and
review runs are untimed.

The scheduler keeps fsrs's model and parameters with one change, its learning and
relearning steps: one step of zero length.  A quiz shows a question once, not several
times in a sitting as a flashcard deck does, so a question answered wrong is due at once
(the next review session serves it) and one right answer moves it to the day-scale
intervals.  ``lapses`` counts every wrong answer; at ``LEECH_LAPSES`` (8) the card is
flagged a leech.  Leeches are not suspended: they keep being served, and the review page
points their owner at the fact to read again.

Same-day successes do not count twice: a right answer less than ``SPACING`` (one day) after
the card's last review, on a card already in the Review state, is counted in ``reps`` but
leaves the schedule as it is.  fsrs would otherwise grow the stability with every repeat in
a row ("practise this" five times in a minute took a card from 8 to over 100 days), which is
cramming, not recall across a gap.  A wrong answer always counts, at any spacing.

Known (mastered)
----------------
A question is known when its card is in fsrs's Review state, its stability is at least
``MASTERY_STABILITY_DAYS`` (21 days) and its retrievability now is at least
``MASTERY_RETRIEVABILITY`` (0.9).  One right answer gives a stability of 2.3 days (Good) or
8.3 days (Easy), so it never makes a question known; with Good answers each given when due,
the third (about two weeks after the first) does.  Retrievability falls below 0.9 about when
the card falls due, so a known question that is not reviewed stops being known.
``docs/learning.md`` says the same for people.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Hashable, Sequence, TypeVar

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.loader import TAGS
from quizapp.clock import as_utc
from quizapp.models import Attempt, AttemptAnswer, Question, ReviewCard
from quizapp.modes import Mode, allowed_seconds, feedback_of
from quizapp.questions import revision_values
from quizapp.study_material import current_questions

# Rating thresholds (see the module docstring).
FAST_SHARE = 1 / 3
SLOW_SHARE = 2 / 3
FAST_UNTIMED_S = 8.0
SLOW_UNTIMED_S = 30.0
# A question failed this many times is a leech.
LEECH_LAPSES = 8
# A question counts as known when fsrs has it in the Review state, with a stability of at
# least this many days and a chance of recalling it now of at least MASTERY_RETRIEVABILITY.
MASTERY_STABILITY_DAYS = 21.0
MASTERY_RETRIEVABILITY = 0.9
# A right answer sooner than this after the last review of a card in Review leaves its schedule.
SPACING = timedelta(days=1)
# How many due questions one review session serves.
REVIEW_SESSION_SIZE = 20

LEARNING_STEPS = (timedelta(0),)
RELEARNING_STEPS = (timedelta(0),)


def make_scheduler(*, enable_fuzzing: bool = True) -> Scheduler:
    """The scheduler the app uses; tests pass ``enable_fuzzing=False`` for exact intervals."""
    return Scheduler(learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS, enable_fuzzing=enable_fuzzing)


SCHEDULER = make_scheduler()


# --- rating and recording ------------------------------------------------------------


def rating_for(is_correct: bool, elapsed_s: float | None, allowed_s: float | None) -> Rating:
    """Again, Hard, Good or Easy for one answer (thresholds in the module docstring)."""
    if not is_correct:
        return Rating.Again
    if elapsed_s is None:
        return Rating.Good
    if allowed_s:
        fast, slow = allowed_s * FAST_SHARE, allowed_s * SLOW_SHARE
    else:
        fast, slow = FAST_UNTIMED_S, SLOW_UNTIMED_S
    if elapsed_s < fast:
        return Rating.Easy
    if elapsed_s > slow:
        return Rating.Hard
    return Rating.Good


def to_fsrs(card: ReviewCard) -> Card:
    return Card(card_id=card.question_id, state=State(card.state), step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due_dt, last_review=card.last_review_dt)


def _locked_card(session: Session, user_id: int, question_id: int) -> ReviewCard | None:
    # FOR UPDATE on PostgreSQL (SQLite has one writer anyway): two answers to the same
    # question at once (two tabs, two attempts) update the card one after the other.
    return session.execute(_LOCKED_CARD, {"user": user_id, "question": question_id}).scalar_one_or_none()


_LOCKED_CARD = (select(ReviewCard)
                .where(ReviewCard.user_id == bindparam("user"), ReviewCard.question_id == bindparam("question"))
                .with_for_update()
                .execution_options(populate_existing=True))


def record_review(session: Session, user_id: int, question_id: int, *, is_correct: bool, elapsed_s: float | None,
                  allowed_s: float | None, at: datetime, scheduler: Scheduler | None = None) -> ReviewCard:
    """Rate one answer and move the user's card for the question along its schedule.

    Creates the card on the question's first answer.  ``elapsed_s`` is how long the
    answer took (None when unknown), ``allowed_s`` the time allowed (None when untimed).
    """
    scheduler = scheduler or SCHEDULER
    at = as_utc(at)
    rating = rating_for(is_correct, elapsed_s, allowed_s)
    row = _locked_card(session, user_id, question_id)
    if row is None:
        # The question's first answer: the card is written already reviewed, in one INSERT.
        # ON CONFLICT DO NOTHING rather than a savepoint (one statement instead of four, on
        # every answer's path): if a concurrent answer made the card a moment ago, nothing
        # is inserted and this answer moves that card below, like any later answer.
        new = ReviewCard(user_id=user_id, question_id=question_id, state=State.Learning.value, step=0,
                         stability=None, difficulty=None, due_dt=at, last_review_dt=None, reps=0, lapses=0,
                         is_leech=False)  # never added to the session: only its reviewed values are written
        inserted = session.execute(_new_card_statement(session.get_bind().dialect.name),
                                   {"user_id": user_id, "question_id": question_id,
                                    **_reviewed(new, rating, at, scheduler)}).first() is not None
        row = _locked_card(session, user_id, question_id)
        assert row is not None
        if inserted:
            return row
    for name, value in _reviewed(row, rating, at, scheduler).items():
        setattr(row, name, value)
    session.flush()
    return row


def _reviewed(row: ReviewCard, rating: Rating, at: datetime, scheduler: Scheduler) -> dict[str, Any]:
    """The card's columns after one review rated ``rating``."""
    if _is_cramming(row, rating, at):
        return {"reps": (row.reps or 0) + 1}
    card, _log = scheduler.review_card(to_fsrs(row), rating, review_datetime=at)
    lapses = (row.lapses or 0) + (1 if rating == Rating.Again else 0)
    return {"state": card.state.value, "step": card.step, "stability": card.stability,
            "difficulty": card.difficulty, "due_dt": card.due, "last_review_dt": card.last_review,
            "reps": (row.reps or 0) + 1, "lapses": lapses, "is_leech": bool(row.is_leech) or lapses >= LEECH_LAPSES}


def _is_cramming(row: ReviewCard, rating: Rating, at: datetime) -> bool:
    """A right answer to a card in Review given less than SPACING after its last review."""
    return (rating != Rating.Again and row.state == State.Review.value and row.last_review_dt is not None
            and at - as_utc(row.last_review_dt) < SPACING)


@lru_cache(maxsize=None)
def _new_card_statement(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING says whether the row went in (nothing comes back when the conflict skipped it);
    # the rowcount would not: psycopg reports -1 for this statement.
    table = ReviewCard.__table__
    return (insert(table)
            .values({column: bindparam(column.key, type_=column.type) for column in table.c})
            .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.question_id])
            .returning(table.c.user_id))


def schedules_each_answer(attempt: Attempt) -> bool:
    """Every recorded answer, in any mode, moves the review schedule.  A quiz with feedback at
    the end moves it only once the attempt is over (finish_attempt), or /review would tell
    right from wrong mid-attempt: a wrong answer's card comes back at once, a right one's in
    days.  Practice runs tell right or wrong anyway, and may be left open for good."""
    return feedback_of(attempt) == "immediate" or attempt.mode == Mode.PRACTICE


def record_answer(session: Session, attempt: Attempt, row: AttemptAnswer, at: datetime,
                  scheduler: Scheduler | None = None) -> ReviewCard:
    """The hook ``attempts._record`` calls once an answer (or a question's timeout) is
    written, or ``finish`` for each answer when ``schedules_each_answer`` says no."""
    revision = revision_values(session, row.revision_id)
    assert revision is not None
    question_id = revision.question_id
    elapsed = (as_utc(at) - row.served_dt).total_seconds() if row.served_dt is not None else None
    return record_review(session, attempt.user_id, question_id, is_correct=row.is_correct and not row.timed_out,
                         elapsed_s=None if elapsed is None else max(0.0, elapsed),
                         allowed_s=allowed_seconds(attempt), at=at, scheduler=scheduler)


# --- what is due ---------------------------------------------------------------------

T = TypeVar("T")


def _feasible(counts: dict[Hashable, int], last: Hashable) -> bool:
    """Can items with these group sizes be lined up with no two neighbours of one group,
    the first not of group ``last``?"""
    total = sum(counts.values())
    if total == 0:
        return True
    most = max(counts.values())
    room = (total + 1) // 2
    if most > room:
        return False
    return not (total % 2 == 1 and counts.get(last, 0) == room)


def space_siblings(items: Sequence[T], key: Callable[[T], Hashable]) -> list[T]:
    """``items`` (already in priority order) reordered so that no two neighbours share a
    ``key`` whenever some order allows it, keeping each item as early as that permits.

    Greedy: take the first remaining item of another group than the last one taken,
    unless taking it would leave the rest impossible to space; when nothing can be spaced,
    the first remaining item.
    """
    remaining = list(items)
    counts: dict[Hashable, int] = {}
    for item in remaining:
        counts[key(item)] = counts.get(key(item), 0) + 1
    result: list[T] = []
    last: Hashable = object()
    while remaining:
        chosen = None
        for index, item in enumerate(remaining):
            group = key(item)
            if group == last:
                continue
            counts[group] -= 1
            ok = _feasible(counts, group)
            counts[group] += 1
            if ok:
                chosen = index
                break
        if chosen is None:
            chosen = next((i for i, item in enumerate(remaining) if key(item) != last), 0)
        item = remaining.pop(chosen)
        last = key(item)
        counts[last] -= 1
        result.append(item)
    return result


def paragraph_of(card: ReviewCard) -> int | None:
    revision = card.question.current_revision
    return revision.content.get("source", {}).get("paragraph") if revision is not None else None


def due_cards(session: Session, user_id: int, now: datetime, limit: int = REVIEW_SESSION_SIZE) -> list[ReviewCard]:
    """The user's cards due at ``now`` (current questions only), earliest due first, with
    questions citing the same paragraph never back to back when another order exists.
    Each card comes with its question and current revision loaded."""
    cards = session.scalars(
        select(ReviewCard)
        .join(Question, Question.id == ReviewCard.question_id)
        .where(ReviewCard.user_id == user_id, ReviewCard.due_dt <= now, Question.is_retired.is_(False),
               Question.current_revision_id.is_not(None))
        .order_by(ReviewCard.due_dt, ReviewCard.question_id)
        .limit(limit)
        .options(selectinload(ReviewCard.question).selectinload(Question.current_revision))
    ).all()
    return space_siblings(cards, paragraph_of)


def due_count(session: Session, user_id: int, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(ReviewCard)
        .join(Question, Question.id == ReviewCard.question_id)
        .where(ReviewCard.user_id == user_id, ReviewCard.due_dt <= now, Question.is_retired.is_(False))
    ) or 0


def is_known(card: ReviewCard | Card, now: datetime, scheduler: Scheduler | None = None) -> bool:
    """Known: in the Review state, stable for at least MASTERY_STABILITY_DAYS, and likely
    enough (MASTERY_RETRIEVABILITY) to be recalled now.

    fsrs gives a card just failed a retrievability of 1 (no time has passed), so the state
    is checked too; and one right answer puts a card in Review with a stability of days, so
    the stability is what asks for several spaced successes.
    """
    fsrs_card = to_fsrs(card) if isinstance(card, ReviewCard) else card
    if fsrs_card.state != State.Review or (fsrs_card.stability or 0.0) < MASTERY_STABILITY_DAYS:
        return False
    return (scheduler or SCHEDULER).get_card_retrievability(fsrs_card, current_datetime=as_utc(now)) \
        >= MASTERY_RETRIEVABILITY


@dataclass(frozen=True)
class CardStatus:
    """One of a user's review cards, for the review page."""

    card: ReviewCard
    key: str
    text: dict[str, str]
    tags: list[str]
    paragraph: int | None
    is_due: bool
    is_known: bool


def card_statuses(session: Session, user_id: int, now: datetime) -> list[CardStatus]:
    """Every card of the user on a current question, earliest due first."""
    cards = session.scalars(
        select(ReviewCard)
        .join(Question, Question.id == ReviewCard.question_id)
        .where(ReviewCard.user_id == user_id, Question.is_retired.is_(False),
               Question.current_revision_id.is_not(None))
        .order_by(ReviewCard.due_dt, ReviewCard.question_id)
        .options(selectinload(ReviewCard.question).selectinload(Question.current_revision))
    ).all()
    result = []
    for card in cards:
        content = card.question.current_revision.content  # type: ignore[union-attr]
        result.append(CardStatus(card, card.question.key, content["text"], list(content.get("tags", [])),
                                 content.get("source", {}).get("paragraph"), card.due_dt <= as_utc(now),
                                 is_known(card, now)))
    return result


@dataclass(frozen=True)
class TopicMastery:
    tag: str
    known: int
    total: int

    @property
    def share(self) -> float:
        return self.known / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def mastery(session: Session, user_id: int, now: datetime, scheduler: Scheduler | None = None) -> dict[str, TopicMastery]:
    """Per topic tag: how many of its current questions the user knows (``is_known``)."""
    cards = {card.question_id: card for card in session.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id))}
    known: dict[str, int] = {}
    total: dict[str, int] = {}
    for q in current_questions(session):
        card = cards.get(q.id)  # type: ignore[arg-type]
        is_q_known = card is not None and is_known(card, now, scheduler)
        for tag in q.tags:
            total[tag] = total.get(tag, 0) + 1
            known[tag] = known.get(tag, 0) + int(is_q_known)
    ordered = [tag for tag in TAGS if tag in total] + sorted(tag for tag in total if tag not in TAGS)
    return {tag: TopicMastery(tag, known[tag], total[tag]) for tag in ordered}


__all__ = ["CardStatus", "LEECH_LAPSES", "MASTERY_RETRIEVABILITY", "MASTERY_STABILITY_DAYS", "REVIEW_SESSION_SIZE", "SCHEDULER", "TopicMastery",
           "card_statuses", "due_cards", "due_count", "is_known", "make_scheduler", "mastery", "rating_for",
           "record_answer", "record_review", "schedules_each_answer", "space_siblings"]
