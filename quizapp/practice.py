"""Untimed, unranked runs: practising one's mistakes, a review session of due questions,
and "practise this" for one question met before.

Each run is an attempt in ``Mode.PRACTICE`` (``attempts.new_attempt``), filed under a quiz;
it is answered like any attempt and moves the review schedule with each answer.  A question
may be practised only once met (``has_met``), or "practise this" would hand anyone the
whole answer key, one question id after another.

Plain Python over a session: ``flush()``, never ``commit()``.  No Flask.
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from quizapp.attempts import QuizUnavailable, new_attempt
from quizapp.clock import Clock
from quizapp.finish import finish_attempt
from quizapp.learning import REVIEW_SESSION_SIZE, due_cards
from quizapp.models import Attempt, AttemptAnswer, Question, QuestionRevision, Quiz, QuizQuestion, ReviewCard, User
from quizapp.modes import Mode, RunPurpose

# "Practise this" and review runs left open are closed past this many, oldest first, so one
# account cannot pile up unfinished attempts (each click otherwise adds a row).
MAX_OPEN_PRACTICE_RUNS = 5


class NothingToReview(Exception):
    """A review or practice run was asked for with no question (or no quiz) to serve."""


class QuestionNotMet(Exception):
    """Practice of a question the user has never been served: refused, or "practise this"
    would hand anyone the whole answer key, one question id after another."""


def _current_revisions(session: Session, question_ids: list[int]) -> dict[int, int]:
    """question id -> its current revision, for the ones still offered."""
    return dict(session.execute(
        select(Question.id, Question.current_revision_id)
        .where(Question.id.in_(question_ids), Question.is_retired.is_(False), Question.current_revision_id.is_not(None))
    ).all())


def start_practice(session: Session, user: User, source: Attempt, clock: Clock) -> Attempt:
    """An untimed, unranked run of the questions ``source`` got wrong (their current wording)."""
    missed_question_ids = list(session.scalars(
        select(QuestionRevision.question_id)
        .join(AttemptAnswer, AttemptAnswer.revision_id == QuestionRevision.id)
        # Only questions the player met: one never reached is no mistake, and practising it
        # would show its answer.
        .where(AttemptAnswer.attempt_id == source.id, AttemptAnswer.is_correct.is_(False),
               AttemptAnswer.served_dt.is_not(None))
        .order_by(AttemptAnswer.position)
    ).all())
    current = _current_revisions(session, missed_question_ids)
    plan = [current[qid] for qid in missed_question_ids if qid in current]
    if not plan:
        raise QuizUnavailable("There are no mistakes to practise.")
    # The mistakes of a review session are reviewed again (titled "Review", not after the quiz
    # the session happens to be filed under); those of a study run keep its purpose.
    purpose = RunPurpose.MISTAKES if source.purpose is None else RunPurpose(source.purpose)
    return _open_or_new_run(session, user, source.quiz, plan, clock.now(), purpose)


def _met_questions(user_id: int, question_id: int | None = None):
    # Met: served to the user in a finished attempt (served_dt is set only when the server
    # showed it; finishing adds rows with none for questions never reached), or on the user's
    # review schedule.  A question of a ranked attempt still running is not met through that
    # attempt, card or not: practising it would show its right answer mid-attempt.
    def served(finished: bool):
        query = (select(QuestionRevision.question_id)
                 .join(AttemptAnswer, AttemptAnswer.revision_id == QuestionRevision.id)
                 .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
                 .where(Attempt.user_id == user_id, AttemptAnswer.served_dt.is_not(None)))
        if finished:
            return query.where(Attempt.finished_dt.is_not(None))
        return query.where(Attempt.finished_dt.is_(None), Attempt.mode != Mode.PRACTICE)

    seen = served(finished=True)
    carded = select(ReviewCard.question_id).where(ReviewCard.user_id == user_id,
                                                  ReviewCard.question_id.not_in(served(finished=False)))
    if question_id is not None:
        seen = seen.where(QuestionRevision.question_id == question_id)
        carded = carded.where(ReviewCard.question_id == question_id)
    return union(seen, carded)


def met_question_ids(session: Session, user_id: int) -> set[int]:
    """The questions this user has met, and so may practise by id and see asked on the study pages."""
    return set(session.scalars(select(_met_questions(user_id).subquery().c[0])))


def has_met(session: Session, user_id: int, question_id: int) -> bool:
    return session.scalar(select(_met_questions(user_id, question_id).subquery().c[0]).limit(1)) is not None


def _host_quiz(session: Session, question_id: int) -> Quiz:
    """The quiz an untimed run is filed under (``Attempt.quiz_id`` is required): the first
    offered quiz whose pool holds ``question_id``, else the first offered quiz."""
    quiz = session.scalar(
        select(Quiz)
        .join(QuizQuestion, QuizQuestion.quiz_id == Quiz.id)
        .where(Quiz.is_retired.is_(False), QuizQuestion.question_id == question_id)
        .order_by(Quiz.position, Quiz.id)
        .limit(1)
    ) or session.scalar(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position, Quiz.id).limit(1))
    if quiz is None:
        raise NothingToReview("No quiz is offered.")
    return quiz


def _practice_run(session: Session, user: User, question_ids: Iterable[int], now: datetime,
                  purpose: RunPurpose) -> Attempt:
    ids = list(question_ids)
    current = _current_revisions(session, ids)
    plan = [current[qid] for qid in ids if qid in current]
    if not plan:
        raise NothingToReview("There is nothing to review.")
    quiz = _host_quiz(session, ids[0] if ids[0] in current else next(iter(current)))
    return _open_or_new_run(session, user, quiz, plan, now, purpose)


def _open_or_new_run(session: Session, user: User, quiz: Quiz, plan: list[int], now: datetime,
                     purpose: RunPurpose) -> Attempt:
    """The user's open, untouched practice run of this plan, or a new one.  A double click, a
    second tab or a script posting again gets the run already open, not another row; and at
    most MAX_OPEN_PRACTICE_RUNS stay open (older ones are finished)."""
    open_runs = list(session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.mode == Mode.PRACTICE, Attempt.finished_dt.is_(None))
        .order_by(Attempt.id.desc())
    ))
    for open_run in open_runs:
        if (open_run.quiz_id == quiz.id and list(open_run.plan) == plan and open_run.current_position == 0
                and open_run.purpose == purpose):
            return open_run
    _close_old_runs(session, open_runs[MAX_OPEN_PRACTICE_RUNS - 1:], now)
    return new_attempt(session, user, quiz, plan, secrets.randbits(31), Mode.PRACTICE, 1.0, now, purpose)


def _close_old_runs(session: Session, runs: Sequence[Attempt], now: datetime) -> None:
    """Finish practice runs the user left open (what was not answered counts as not reached)."""
    for run in runs:
        finish_attempt(session, run, now)


def start_review(session: Session, user: User, now: datetime, limit: int = REVIEW_SESSION_SIZE) -> Attempt:
    """An untimed, unranked run of the user's due questions, in ``due_cards`` order."""
    cards = due_cards(session, user.id, now, limit)
    if not cards:
        raise NothingToReview("Nothing is due.")
    return _practice_run(session, user, [card.question_id for card in cards], now, RunPurpose.REVIEW)


def start_single(session: Session, user: User, question_id: int, now: datetime) -> Attempt:
    """An untimed, unranked run of one question ("practise this"), one the user has met.

    Raises ``QuestionNotMet`` otherwise (nothing is written)."""
    if not has_met(session, user.id, question_id):
        raise QuestionNotMet("This question has not been asked to this user yet.")
    return _practice_run(session, user, [question_id], now, RunPurpose.SINGLE)


def start_questions(session: Session, user: User, question_ids: Sequence[int], now: datetime) -> Attempt:
    """An untimed, unranked run of these questions (a live game's "practise my mistakes": the
    game has shown each of them and its answer already)."""
    if not question_ids:
        raise NothingToReview("There are no mistakes to practise.")
    return _practice_run(session, user, question_ids, now, RunPurpose.MISTAKES)


__all__ = ["MAX_OPEN_PRACTICE_RUNS", "NothingToReview", "QuestionNotMet", "has_met", "met_question_ids",
           "start_practice", "start_questions", "start_review", "start_single"]
