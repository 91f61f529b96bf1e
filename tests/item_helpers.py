"""The worked example of item analysis (tests/test_item_analysis.py and the authors' page in
tests/test_pages.py): ten ranked attempts at five questions with credits chosen by hand, and
attempts that must not count.  The figures each question should get are worked out by hand in
test_item_analysis.py."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from quizapp.finish import fill_credit_means
from quizapp.models import Attempt, AttemptAnswer, Question, Quiz, User

QUESTIONS = ("t-single", "t-true-false", "t-numeric", "t-year", "t-text")
# Attempt a1..a10: the credit of each question above, in that order.
CREDITS = {
    1: (1, 0, 1, 0, 1),
    2: (1, 1, 1, 0, 1),
    3: (0, 1, 0, 0, 1),
    4: (1, 1, 0.5, 0, 1),
    5: (0, 1, 0, 0, 1),
    6: (0, 0, 0, 1, 1),
    7: (1, 0, 0, 0, 1),
    8: (1, 1, 1, 0, 1),
    9: (0, 1, 1, 0, 1),
    10: (1, 1, 0, 0, 1),
}


def add_attempt(session, user, quiz, credits, now, *, mode="standard", review_status=None, finished=True):
    revisions = {key: session.scalar(select(Question.current_revision_id).where(Question.key == key))
                 for key in QUESTIONS}
    plan = [revisions[key] for key in QUESTIONS]
    attempt = Attempt(user_id=user.id, quiz_id=quiz.id, seed=1, plan=plan, started_dt=now - timedelta(minutes=5),
                      deadline_dt=None, finished_dt=now if finished else None, current_position=len(plan),
                      mode=mode, review_status=review_status, score=0, max_score=0, correct_count=0)
    session.add(attempt)
    session.flush()
    for position, (revision, credit) in enumerate(zip(plan, credits)):
        session.add(AttemptAnswer(attempt_id=attempt.id, position=position, revision_id=revision,
                                  served_dt=now, answered_dt=now, response=None, is_correct=credit == 1,
                                  credit=float(credit), points=int(credit * 100), timed_out=False))
    session.flush()
    fill_credit_means(session)  # the total finish_attempt would have kept (rows written by hand here)
    return attempt


def seed_worked_example(session, now) -> None:
    """The ten counted attempts (in id order a1..a10), then five that must not count."""
    quiz = session.scalar(select(Quiz).where(Quiz.key == "all-types"))
    users = []
    for number in range(1, 16):
        user = User(username=f"item-{number:02d}", password_hash="-", created_dt=now, is_admin=False, is_hidden=False)
        session.add(user)
        users.append(user)
    session.flush()
    for number, credits in CREDITS.items():
        add_attempt(session, users[number - 1], quiz, credits, now)
    wrong = (0, 0, 0, 0, 0)
    right = (1, 1, 1, 1, 1)
    add_attempt(session, users[10], quiz, wrong, now, mode="practice")
    add_attempt(session, users[11], quiz, right, now, review_status="flagged")
    add_attempt(session, users[12], quiz, wrong, now, review_status="voided")
    add_attempt(session, users[13], quiz, right, now, finished=False)
    session.flush()
