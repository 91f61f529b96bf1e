"""Item analysis for authors: how each question revision behaved in ranked play.

For every question revision, over every ranked attempt that counts (finished, in a ranked mode,
not held by the pace check nor voided: the attempts on the boards), the classical figures
Moodle's quiz statistics report is built on:

- **answers**: how many of those attempts had the question (a question not reached or timed out
  is in the count, scored 0, as Moodle scores a finished attempt's blank question);
- **facility index**: the mean score of the question as a fraction of its full mark,
  F = mean(credit), 0 to 1 (Moodle: (x̄ − x_min) / (x_max − x_min); here x_min = 0, x_max = 1);
- **discrimination index** (the upper-lower index): the counted attempts at each quiz are ranked
  by their total score (the mean credit of all their questions; ties by attempt id); with n of
  them and g = round(27 % of n), the first g are the quiz's top group and the last g its bottom
  group.  For a question, D = (its mean credit in the answers of top-group attempts) − (its
  mean credit in those of bottom-group attempts), −1 to 1: the two proportions of Kelley's
  index, d = p(upper) − p(lower).  Groups are made per quiz because total scores are only
  comparable between attempts at the same quiz; a question in several quizzes pools its
  answers from every quiz's groups.  None when either group has no answer to it.

A flag marks what an author should look at: facility above 0.9 (too easy), below 0.2 (too
hard), or a negative discrimination (the stronger players do worse on it than the weaker).

Held attempts (``review_status = 'flagged'``) are left out until an admin clears them: they
were answered faster than a person reads, so their answers say little about the question.

Everything is one SQL statement (window functions: SQLite 3.25+ and PostgreSQL): the window
sorts the attempts (not the answers) by the total each one was given as it finished
(``attempt.credit_mean``, the mean of its answers' credits: ``finish.credit_mean_of``), and the
answers are summed in one grouped pass, so a million answers take seconds
(bench/item_stats_bench.py).  Plain Python, no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from quizapp.models import Attempt, AttemptAnswer, Question, QuestionRevision
from quizapp.modes import CLEARED, RANKED_MODES

UPPER_LOWER_SHARE = 27  # per cent of the attempts in each of the top and bottom groups
EASY_ABOVE = 0.9
HARD_BELOW = 0.2

TOO_EASY = "too easy"
TOO_HARD = "too hard"
NEGATIVE_DISCRIMINATION = "negative discrimination"


@dataclass(frozen=True)
class ItemStat:
    revision_id: int
    question_key: str
    revision: int  # the revision's number (1, 2...)
    type: str
    is_current: bool
    answers: int
    facility: float
    discrimination: float | None
    upper_count: int  # how many of its answers are in attempts of the top group
    lower_count: int  # and of the bottom group
    text: dict[str, Any]

    @property
    def flags(self) -> tuple[str, ...]:
        return flags_of(self.facility, self.discrimination)


def flags_of(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    flags = []
    if facility is not None and facility > EASY_ABOVE:
        flags.append(TOO_EASY)
    if facility is not None and facility < HARD_BELOW:
        flags.append(TOO_HARD)
    if discrimination is not None and discrimination < 0:
        flags.append(NEGATIVE_DISCRIMINATION)
    return tuple(flags)


def counted_attempts():
    """The attempts item analysis counts: those on the boards (``modes.is_on_boards`` in SQL)."""
    return and_(Attempt.finished_dt.is_not(None), Attempt.mode.in_([str(mode) for mode in RANKED_MODES]),
                or_(Attempt.review_status.is_(None), Attempt.review_status == CLEARED))


def _figures_query():
    answer = AttemptAnswer.__table__.c
    attempt = Attempt.__table__.c
    # Each counted attempt's total score: the mean credit of its questions, kept on the attempt
    # as it finished (finish.credit_mean_of) instead of a grouped pass over every answer on each
    # run.  Over 1,000,000 answers (bench/item_stats_bench.py, bench/results.md): PostgreSQL's
    # median from 2.75 s to 0.68 s (−75%); SQLite's, both forms alternated on one file, from
    # 1.30 s to 0.95 s (−27%).
    totals = (select(attempt.id.label("attempt_id"), attempt.quiz_id, attempt.credit_mean.label("total"))
              .where(counted_attempts(), attempt.credit_mean.is_not(None))
              .cte("totals"))
    # Its place among the attempts at the same quiz (ties by attempt id), and how many there are.
    placed = (select(totals.c.attempt_id,
                     func.row_number().over(partition_by=totals.c.quiz_id,
                                            order_by=(totals.c.total.desc(), totals.c.attempt_id)).label("place"),
                     func.count().over(partition_by=totals.c.quiz_id).label("n"))
              .cte("placed"))
    # g = round(27% of n), in integers so SQLite and PostgreSQL agree to the attempt.
    group = (placed.c.n * UPPER_LOWER_SHARE + 50) // 100
    grouped = (select(placed.c.attempt_id,
                      case((placed.c.place <= group, 1), (placed.c.place > placed.c.n - group, -1), else_=0)
                      .label("side"))
               .cte("grouped"))
    upper, lower = grouped.c.side == 1, grouped.c.side == -1
    return (select(answer.revision_id,
                   func.count().label("answers"),
                   func.avg(cast(answer.credit, Float)).label("facility"),
                   func.sum(case((upper, answer.credit), else_=0.0)).label("upper"),
                   func.sum(case((upper, 1), else_=0)).label("upper_n"),
                   func.sum(case((lower, answer.credit), else_=0.0)).label("lower"),
                   func.sum(case((lower, 1), else_=0)).label("lower_n"))
            .join(grouped, grouped.c.attempt_id == answer.attempt_id)
            .group_by(answer.revision_id))


def item_statistics(session: Session) -> list[ItemStat]:
    """Every question revision with at least one counted answer, by question id then revision."""
    figures = _figures_query().subquery("figures")
    rows = session.execute(
        select(figures, QuestionRevision.number, QuestionRevision.type, QuestionRevision.content,
               Question.key, Question.current_revision_id)
        .join(QuestionRevision, QuestionRevision.id == figures.c.revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .order_by(Question.key, QuestionRevision.number)
    ).all()
    stats = []
    for row in rows:
        upper_n, lower_n = int(row.upper_n or 0), int(row.lower_n or 0)
        discrimination = (float(row.upper) / upper_n - float(row.lower) / lower_n) if upper_n and lower_n else None
        stats.append(ItemStat(
            revision_id=row.revision_id, question_key=row.key, revision=row.number, type=row.type,
            is_current=row.current_revision_id == row.revision_id, answers=int(row.answers),
            facility=float(row.facility), discrimination=discrimination, upper_count=upper_n,
            lower_count=lower_n,
            text=(row.content or {}).get("text") or {},
        ))
    return stats


__all__ = ["EASY_ABOVE", "HARD_BELOW", "ItemStat", "NEGATIVE_DISCRIMINATION", "TOO_EASY", "TOO_HARD",
           "UPPER_LOWER_SHARE", "counted_attempts", "flags_of", "item_statistics"]
