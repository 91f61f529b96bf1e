"""What a profile page shows, computed over a session: no Flask, no request.

- ``history``: the user's finished attempts, newest first, one page at a time;
- ``best_per_quiz``: their all-time leaderboard entries, with today's rank;
- ``accuracy_by_tag``: per topic tag, the share of the questions they answered that were
  fully right (timed-out questions are not answers and are left out);
- ``progress`` and ``progress_chart``: score % of each finished ranked attempt, in
  order, and the geometry of a small line chart of it (drawn as SVG by the template).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from quizapp.models import Attempt, AttemptAnswer, LeaderboardEntry, QuestionRevision, Quiz, User
from quizapp.modes import RANKED_MODES
from quizapp.periods import EPOCH
from quizapp.ranking import Board, keys_of, rank_of


@dataclass(frozen=True)
class HistoryRow:
    attempt_id: int
    quiz_key: str
    quiz_title: dict[str, Any]
    finished_dt: datetime
    score: int
    max_score: int
    duration_ms: int | None
    rank_at_finish: int | None
    mode: str


def history(session: Session, user_id: int, limit: int = 20, offset: int = 0) -> list[HistoryRow]:
    rows = session.execute(
        select(Attempt.id, Quiz.key, Quiz.title, Attempt.finished_dt, Attempt.score, Attempt.max_score,
               Attempt.duration_ms, Attempt.rank_at_finish, Attempt.mode)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user_id, Attempt.finished_dt.is_not(None))
        .order_by(Attempt.finished_dt.desc(), Attempt.id.desc())
        .limit(limit).offset(offset)
    ).all()
    return [HistoryRow(*row) for row in rows]


def finished_count(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Attempt)
                              .where(Attempt.user_id == user_id, Attempt.finished_dt.is_not(None))) or 0)


@dataclass(frozen=True)
class BestRow:
    quiz_key: str
    quiz_title: dict[str, Any]
    board: str
    score: int
    max_score: int
    duration_ms: int
    finished_dt: datetime
    rank: int | None  # where it stands now; None while the user is hidden


def best_per_quiz(session: Session, user_id: int) -> list[BestRow]:
    """One row per quiz and board the user is ranked on (their all-time best)."""
    hidden = bool(session.scalar(select(User.is_hidden).where(User.id == user_id)))
    rows = session.execute(
        select(LeaderboardEntry, Quiz.key, Quiz.title, Attempt.max_score)
        .join(Quiz, Quiz.id == LeaderboardEntry.quiz_id)
        .join(Attempt, Attempt.id == LeaderboardEntry.attempt_id)
        .where(LeaderboardEntry.user_id == user_id, LeaderboardEntry.period == "all",
               LeaderboardEntry.period_start == EPOCH)
        .order_by(Quiz.position, Quiz.id, LeaderboardEntry.board.desc())  # standard before extended
    ).all()
    return [BestRow(key, title, entry.board, entry.score, max_score, entry.duration_ms, entry.finished_dt,
                    None if hidden else _rank(session, entry))
            for entry, key, title, max_score in rows]


def _rank(session: Session, entry: LeaderboardEntry) -> int:
    board = Board(entry.quiz_id, entry.board)
    return rank_of(session, board, keys_of(board, entry))


@dataclass(frozen=True)
class TagAccuracy:
    tag: str
    answered: int
    right: int

    @property
    def share(self) -> float:
        return self.right / self.answered if self.answered else 0.0


def accuracy_by_tag(session: Session, user_id: int) -> list[TagAccuracy]:
    """Weakest topic first (then by name).  A question with two tags counts for both."""
    per_revision = session.execute(
        select(AttemptAnswer.revision_id, func.count(),
               func.sum(case((AttemptAnswer.is_correct.is_(True), 1), else_=0)))
        .join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
        .where(Attempt.user_id == user_id, AttemptAnswer.answered_dt.is_not(None),
               AttemptAnswer.timed_out.is_(False))
        .group_by(AttemptAnswer.revision_id)
    ).all()
    if not per_revision:
        return []
    contents = dict(session.execute(
        select(QuestionRevision.id, QuestionRevision.content)
        .where(QuestionRevision.id.in_([row[0] for row in per_revision]))).all())
    totals: dict[str, list[int]] = {}
    for revision_id, answered, right in per_revision:
        for tag in (contents.get(revision_id) or {}).get("tags") or []:
            total = totals.setdefault(str(tag), [0, 0])
            total[0] += int(answered)
            total[1] += int(right or 0)
    tags = [TagAccuracy(tag, answered, right) for tag, (answered, right) in totals.items()]
    return sorted(tags, key=lambda item: (item.share, item.tag))


@dataclass(frozen=True)
class ProgressPoint:
    attempt_id: int
    quiz_key: str
    quiz_title: dict[str, Any]
    finished_dt: datetime
    score: int
    max_score: int

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


def progress(session: Session, user_id: int, last: int = 60) -> list[ProgressPoint]:
    """The user's last ``last`` finished ranked attempts, oldest first (practice runs of
    one's mistakes would only pull the line down, so they are left out)."""
    rows = session.execute(
        select(Attempt.id, Quiz.key, Quiz.title, Attempt.finished_dt, Attempt.score, Attempt.max_score)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Attempt.user_id == user_id, Attempt.finished_dt.is_not(None), Attempt.mode.in_(RANKED_MODES))
        .order_by(Attempt.finished_dt.desc(), Attempt.id.desc())
        .limit(last)
    ).all()
    return [ProgressPoint(*row) for row in reversed(rows)]


__all__ = ["BestRow", "HistoryRow", "ProgressPoint", "TagAccuracy", "accuracy_by_tag", "best_per_quiz",
           "finished_count", "history", "progress"]
