"""What the home page tells a signed-in player about where they stand and what to do next.

- ``quiz_standings``: per quiz, the best score of a whole run of it and whether it is done;
- ``running_attempts``: the quiz attempts left running, with their deadlines ("Continue");
- ``suggest``: one suggestion, in this order: an open assignment not yet done (homework
  has a deadline; the quiz list below it would otherwise offer the same quiz as practice, and
  a student took that for the homework), else questions due for review, else a quiz never
  taken (in the quizzes' order), else the weakest topic (the lowest share of right answers,
  below ``WEAK_SHARE``).  None when there is nothing worth saying.

Plain Python over a session: no Flask, no request, nothing written.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.models import Attempt, Quiz
from quizapp.modes import RANKED_MODES, Mode

# A topic answered right at least this often is not offered as "your weakest".
WEAK_SHARE = 0.8


@dataclass(frozen=True)
class QuizStanding:
    best_score: int
    max_score: int
    done: bool = True


@dataclass(frozen=True)
class Running:
    attempt_id: int
    quiz_id: int
    deadline_dt: datetime | None

    def seconds_left(self, now: datetime) -> int | None:
        if self.deadline_dt is None:
            return None
        return max(0, int((self.deadline_dt - now).total_seconds()))


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "homework", "review", "untried" or "weakest"
    due: int = 0
    homework: Any = None  # an assignments.StudentAssignment
    quiz: Quiz | None = None
    tag: str | None = None
    share: float = 0.0


def quiz_standings(session: Session, user_id: int) -> dict[int, QuizStanding]:
    """Per quiz id: the best finished whole run (ranked, or untimed over the whole draw).
    Practice of one's mistakes or a review run is a part of a quiz, so it does not count."""
    rows = session.execute(
        select(Attempt.quiz_id, Attempt.mode, Attempt.score, Attempt.max_score, Attempt.plan, Quiz.draw_count)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user_id, Attempt.finished_dt.is_not(None))
    ).all()
    best: dict[int, QuizStanding] = {}
    for quiz_id, mode, score, max_score, plan, draw_count in rows:
        whole = mode in RANKED_MODES or (mode == Mode.PRACTICE and len(plan or ()) >= draw_count)
        if not whole:
            continue
        kept = best.get(quiz_id)
        if kept is None or _share(score, max_score) > _share(kept.best_score, kept.max_score):
            best[quiz_id] = QuizStanding(score, max_score)
    return best


def _share(score: int, max_score: int) -> float:
    return score / max_score if max_score else 0.0


def running_attempts(session: Session, user_id: int, now: datetime) -> dict[int, Running]:
    """Per quiz id: the player's quiz attempt still running (at most one each: the database's
    uq_attempt_running_ranked); one past its deadline is over, not running."""
    rows = session.execute(
        select(Attempt.id, Attempt.quiz_id, Attempt.deadline_dt)
        .where(Attempt.user_id == user_id, Attempt.finished_dt.is_(None), Attempt.mode != Mode.PRACTICE)
        .order_by(Attempt.id)
    ).all()
    return {quiz_id: Running(attempt_id, quiz_id, deadline) for attempt_id, quiz_id, deadline in rows
            if deadline is None or deadline > now}


def suggest(due: int, quizzes: Sequence[Quiz], standings: dict[int, QuizStanding],
            running: dict[int, Running], weakest: Callable[[], Iterable[tuple[str, int, float]]],
            homework: Sequence[Any] = ()) -> Suggestion | None:
    """One thing to do next.  ``weakest()``: (tag, answered, share right), weakest first; called
    only when nothing comes before it (it reads every answer of the player: most of the cost).
    ``homework``: the student's assignments (``assignments.student_assignments``, due soonest
    first); the first open one neither done nor running comes before anything else."""
    for item in homework:
        if item.state == "open" and item.counted is None and item.running is None \
                and (item.attempts_left is None or item.attempts_left > 0):
            return Suggestion("homework", homework=item)
    if due > 0:
        return Suggestion("review", due=due)
    for quiz in quizzes:
        if quiz.id not in standings and quiz.id not in running:
            return Suggestion("untried", quiz=quiz)
    for tag, answered, share in weakest():
        if answered and share < WEAK_SHARE:
            return Suggestion("weakest", tag=tag, share=share)
    return None
