"""A teacher's reports: per assignment, per question, per student; the rows the exports write.

Accuracy is the mark: the share of the counted attempt's questions answered right (its game
score, speed points included, is shown beside it but is not the mark), as Wayground keeps
them apart.  The counted attempt is the best or the last (``assignments.counted_attempt``).
Bands are Wayground's: under 40 %, 40 to 70 %, 70 to 90 %, 90 % and over.

Live games a class played have their own report (``quizapp.class_live``): a game is not an
attempt, so its rows are not forced into ``StudentRow`` (see ``docs/architecture.md``).

Plain Python over a session; reads only.  No Flask.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizapp.assignments import assignments_of_class, counted_attempt, overrides, terms_for
from quizapp.classes import members
from quizapp.models import Assignment, AssignmentOverride, Attempt, AttemptAnswer, QuestionRevision, Quiz, SchoolClass, User
from quizapp.modes import FLAGGED, VOIDED
from quizapp.question_types import get_type, localized

# (key, lower bound): a student is in the last band whose bound their accuracy reaches.
BANDS: tuple[tuple[str, float], ...] = (("under_40", 0.0), ("40_70", 0.4), ("70_90", 0.7), ("90_up", 0.9))
NOT_STARTED, IN_PROGRESS, DONE = "not_started", "in_progress", "done"


def band_of(accuracy: float) -> str:
    found = BANDS[0][0]
    for key, bound in BANDS:
        if accuracy >= bound - 1e-9:
            found = key
    return found


def accuracy_of(attempt: Any) -> float:
    """``attempt``: an ``Attempt`` or a row of ``_SUMMARY`` (both have these attributes)."""
    count = attempt.question_count if hasattr(attempt, "question_count") else len(attempt.plan)
    return attempt.correct_count / count if count else 0.0


@dataclass(frozen=True)
class StudentRow:
    user_id: int
    username: str
    state: str
    attempts_used: int
    attempts_left: int | None
    counted: Any | None  # an Attempt, or a summary row with its columns
    flags: tuple[str, ...]  # "held" (awaiting an admin) and/or "voided" attempts of this student
    has_override: bool

    @property
    def accuracy(self) -> float | None:
        return accuracy_of(self.counted) if self.counted is not None else None

    @property
    def band(self) -> str | None:
        return band_of(self.accuracy) if self.accuracy is not None else None


@dataclass(frozen=True)
class AssignmentReport:
    assignment: Assignment
    rows: list[StudentRow]
    bands: dict[str, int]
    attempts: dict[int, list[Any]]  # by member's id: what the class board is ranked from

    @property
    def done(self) -> list[StudentRow]:
        return [row for row in self.rows if row.counted is not None]

    @property
    def not_started(self) -> list[StudentRow]:
        """Who has not begun: the names a teacher chases before the close."""
        return [row for row in self.rows if row.state == NOT_STARTED]

    @property
    def average_accuracy(self) -> float | None:
        """The class average: over the students with a counted attempt."""
        done = self.done
        return sum(row.accuracy for row in done) / len(done) if done else None  # type: ignore[misc]


# What a report needs of an attempt, read as plain rows: a class's 120 attempts as ORM objects
# (each with its plan and pace report decoded) cost more than the rest of the page.
_SUMMARY = (Attempt.id, Attempt.user_id, Attempt.score, Attempt.max_score, Attempt.correct_count,
            Attempt.duration_ms, Attempt.started_dt, Attempt.finished_dt, Attempt.review_status,
            # max_score is len(plan) x the points per question (attempts.attempt_values): whole.
            (Attempt.max_score // func.nullif(Quiz.points_per_question, 0)).label("question_count"))


def _attempts_by_assignment(session: Session, where: Any) -> dict[int, dict[int, list[Any]]]:
    """The attempts matching ``where``, by assignment, then by student, oldest first."""
    found: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for attempt in session.execute(select(*_SUMMARY, Attempt.assignment_id).join(Quiz, Quiz.id == Attempt.quiz_id)
                                   .where(where).order_by(Attempt.id)):
        found[attempt.assignment_id][attempt.user_id].append(attempt)
    return found


def _assignment_ids(school_class: SchoolClass) -> Any:
    # By the class, not a list of ids: one statement text (psycopg prepares it) for any class.
    return select(Assignment.id).where(Assignment.class_id == school_class.id).scalar_subquery()


def assignment_report(session: Session, assignment: Assignment) -> AssignmentReport:
    """Every member of the class, in name order, with where they stand on the assignment."""
    by_user = _attempts_by_assignment(session, Attempt.assignment_id == assignment.id)[assignment.id]
    return _report(session, assignment, members(session, assignment.school_class), by_user,
                   overrides(session, assignment))


def class_progress(session: Session, school_class: SchoolClass,
                   given: list[Assignment]) -> dict[int, AssignmentReport]:
    """The report of each of ``given``, the class's assignments, for the class page: the rows
    ``assignment_report`` gives (the same ``_report`` builds them), read in three statements
    for the whole class rather than three per assignment."""
    if not given:
        return {}
    in_class = _assignment_ids(school_class)
    attempts = _attempts_by_assignment(session, Attempt.assignment_id.in_(in_class))
    special: dict[int, dict[int, AssignmentOverride]] = defaultdict(dict)
    for override in session.scalars(select(AssignmentOverride).where(AssignmentOverride.assignment_id.in_(in_class))):
        special[override.assignment_id][override.user_id] = override
    students = members(session, school_class)
    return {a.id: _report(session, a, students, attempts[a.id], special[a.id]) for a in given}


def _report(session: Session, assignment: Assignment, students: list[User], by_user: dict[int, list[Any]],
            special: dict[int, AssignmentOverride]) -> AssignmentReport:
    """The rules of a report, once: ``by_user`` is the assignment's attempts (anyone's: a
    student who left keeps theirs), ``special`` its overrides; only ``students``, the
    members, are counted."""
    rows = []
    for student in students:
        taken = by_user.get(student.id, [])
        counted = counted_attempt(taken, assignment.counting)
        running = any(a.finished_dt is None for a in taken)
        state = IN_PROGRESS if running else DONE if counted is not None else NOT_STARTED
        left = terms_for(session, assignment, student.id, special).attempts_left(len(taken))
        rows.append(StudentRow(student.id, student.username, state, len(taken), left, counted, _flags(taken),
                               student.id in special))
    bands = {key: 0 for key, _ in BANDS}
    for row in rows:
        if row.band is not None:
            bands[row.band] += 1
    # The members' attempts only: the class board ranks members, and names them from ``rows``.
    return AssignmentReport(assignment, rows, bands, {row.user_id: by_user[row.user_id] for row in rows
                                                      if row.user_id in by_user})


def _flags(taken: list[Any]) -> tuple[str, ...]:
    return tuple(sorted({"held" if a.review_status == FLAGGED else "voided" for a in taken
                         if a.review_status in (FLAGGED, VOIDED)}))


WRONG, PARTLY, NO_RESPONSE = "wrong", "partly", "no_answer"


@dataclass(frozen=True)
class Missed:
    """A student whose counted attempt did not get a question right, and how."""
    user_id: int
    username: str
    how: str  # WRONG, PARTLY (some credit) or NO_RESPONSE (reached, not answered)


@dataclass
class QuestionStats:
    revision: QuestionRevision
    position: int  # the first place it took in a counted attempt (a stable order for the page)
    answered: int = 0  # counted attempts that reached it
    right: int = 0
    # What was answered, as shown, with its language when not the page's (a typed answer):
    # (text, lang or None), right and wrong.
    responses: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    wrong: Counter[tuple[str, str | None]] = field(default_factory=Counter)
    # Who did not get it right, in name order: the names a teacher drills down to (Moodle's
    # per-question view).  As many as ``answered - right``, so they agree with the share.
    missed: list[Missed] = field(default_factory=list)

    @property
    def share_right(self) -> float | None:
        return self.right / self.answered if self.answered else None

    def distractors(self, top: int = 3) -> list[tuple[tuple[str, str | None], int]]:
        return self.wrong.most_common(top)


NO_ANSWER = "—"


def question_report(session: Session, assignment: Assignment, locale: str) -> list[QuestionStats]:
    """Each question met in the students' counted attempts: who reached it, the share right,
    the spread of answers, and the wrong answers chosen most (the distractors that work)."""
    report = assignment_report(session, assignment)
    whose = {row.counted.id: row for row in report.rows if row.counted is not None}
    counted_ids = list(whose)
    stats: dict[int, QuestionStats] = {}
    if not counted_ids:
        return []
    a = AttemptAnswer
    rows = session.execute(
        select(a.attempt_id, a.position, a.revision_id, a.served_dt, a.response, a.is_correct, a.credit)
        .where(a.attempt_id.in_(counted_ids)).order_by(a.attempt_id, a.position)).all()
    revisions = {r.id: r for r in session.scalars(select(QuestionRevision).where(
        QuestionRevision.id.in_({row.revision_id for row in rows})))}
    for answer in rows:
        revision = revisions[answer.revision_id]
        if answer.served_dt is None:
            continue  # never reached: says nothing about the question
        item = stats.setdefault(revision.id, QuestionStats(revision, answer.position))
        item.position = min(item.position, answer.position)
        item.answered += 1
        qtype = get_type(revision.type)
        shown = (NO_ANSWER, None) if answer.response is None else (
            qtype.format_response(revision.content, answer.response, locale),
            qtype.response_language(revision.content, answer.response, locale))
        item.responses[shown] += 1
        if answer.is_correct:
            item.right += 1
        else:
            item.wrong[shown] += 1
            student = whose[answer.attempt_id]
            how = NO_RESPONSE if answer.response is None else PARTLY if answer.credit > 0 else WRONG
            item.missed.append(Missed(student.user_id, student.username, how))
    order = {row.user_id: place for place, row in enumerate(report.rows)}  # the class's name order
    for item in stats.values():
        item.missed.sort(key=lambda m: order[m.user_id])
    return sorted(stats.values(), key=lambda s: (s.position, s.revision.id))


def question_prompt(revision: QuestionRevision, locale: str) -> str:
    return localized(revision.content["text"], locale) if revision.content.get("text") else ""


@dataclass(frozen=True)
class StudentAssignmentRow:
    assignment: Assignment
    attempts_used: int
    counted: Any | None  # an Attempt, or a summary row with its columns
    flags: tuple[str, ...]
    running: bool = False  # an attempt is under way

    @property
    def accuracy(self) -> float | None:
        return accuracy_of(self.counted) if self.counted is not None else None

    @property
    def state(self) -> str:
        """As the assignment's report says it (``assignment_report``), so the pages agree."""
        return IN_PROGRESS if self.running else DONE if self.counted is not None else NOT_STARTED


def student_report(session: Session, school_class: SchoolClass, student: User) -> list[StudentAssignmentRow]:
    """One student across the class's assignments, the latest close first."""
    attempts = _attempts_by_assignment(session, Attempt.assignment_id.in_(_assignment_ids(school_class))
                                       & (Attempt.user_id == student.id))
    found = []
    for assignment in assignments_of_class(session, school_class):
        taken = attempts[assignment.id][student.id]
        found.append(StudentAssignmentRow(assignment, len(taken), counted_attempt(taken, assignment.counting),
                                          _flags(taken), any(a.finished_dt is None for a in taken)))
    return found


def report_table(report: AssignmentReport, zone: tzinfo = timezone.utc) -> tuple[list[str], list[list[Any]]]:
    """The assignment report as a table for CSV and XLSX: a key per column (the page names
    them in the viewer's language), plain values (accuracy as a fraction, the time in seconds)
    and the finish in ``zone``, the viewer's, as a spreadsheet's plain date and time."""
    headers = ["student", "state", "attempts", "accuracy", "band", "score", "max_score", "time_s", "finished",
               "flags"]
    table = []
    for row in report.rows:
        counted = row.counted
        finished = counted.finished_dt if counted else None
        table.append([row.username, row.state, row.attempts_used,
                      round(row.accuracy, 4) if row.accuracy is not None else None, row.band,
                      counted.score if counted else None, counted.max_score if counted else None,
                      round((counted.duration_ms or 0) / 1000, 1) if counted else None,
                      finished.astimezone(zone).replace(tzinfo=None, microsecond=0) if finished else None,
                      list(row.flags)])
    return headers, table


__all__ = ["AssignmentReport", "BANDS", "DONE", "IN_PROGRESS", "Missed", "NOT_STARTED", "NO_RESPONSE", "PARTLY", "WRONG", "QuestionStats", "StudentAssignmentRow",
           "StudentRow", "accuracy_of", "assignment_report", "band_of", "class_progress", "question_prompt", "question_report",
           "report_table", "student_report"]
