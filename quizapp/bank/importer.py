"""Put a validated bank into the database.

One call, one transaction (the caller commits or rolls back), and idempotent: an
unchanged bank changes nothing.  An edited question gets a new revision and old answers
keep pointing at the revision they were graded on; a question gone from the YAML is
retired, never deleted, so past results still show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quizapp.bank.loader import Bank, content_hash, resolve_pool
from quizapp.models import Question, QuestionRevision, Quiz, QuizQuestion

DEFAULT_POINTS = 100


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    quizzes_added: list[str] = field(default_factory=list)
    quizzes_changed: list[str] = field(default_factory=list)
    quizzes_retired: list[str] = field(default_factory=list)
    quizzes_unchanged: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.retired or self.quizzes_added
                    or self.quizzes_changed or self.quizzes_retired)

    def lines(self) -> list[str]:
        def show(label: str, keys: list[str]) -> str:
            listed = ", ".join(keys[:12]) + (f", ... ({len(keys) - 12} more)" if len(keys) > 12 else "")
            return f"{label}: {len(keys)}" + (f" ({listed})" if keys and label != "unchanged" else "")
        return [
            "questions " + "; ".join(show(label, keys) for label, keys in (
                ("added", self.added), ("changed", self.changed), ("retired", self.retired), ("unchanged", self.unchanged))),
            "quizzes " + "; ".join(show(label, keys) for label, keys in (
                ("added", self.quizzes_added), ("changed", self.quizzes_changed),
                ("retired", self.quizzes_retired), ("unchanged", self.quizzes_unchanged))),
        ]


class BankInvalid(ValueError):
    pass


def import_bank(session: Session, bank: Bank, now: datetime) -> ImportReport:
    if not bank.ok:
        raise BankInvalid(f"{len(bank.problems)} problems; nothing imported")
    report = ImportReport()
    existing = {
        question.key: question
        for question in session.scalars(select(Question).options(selectinload(Question.current_revision)))
    }
    by_key: dict[str, Question] = {}
    for key, item in bank.questions.items():
        digest = item.content_hash
        question = existing.get(key)
        if question is None:
            question = Question(key=key, is_retired=False)
            session.add(question)
            _add_revision(session, question, item.data, digest, 1, now)
            report.added.append(key)
        elif question.current_revision is None or question.current_revision.content_hash != digest:
            number = (question.current_revision.number if question.current_revision else 0) + 1
            _add_revision(session, question, item.data, digest, number, now)
            question.is_retired = False
            report.changed.append(key)
        elif question.is_retired:
            question.is_retired = False
            report.changed.append(key)
        else:
            report.unchanged.append(key)
        by_key[key] = question
    for key, question in existing.items():
        if key not in bank.questions and not question.is_retired:
            question.is_retired = True
            report.retired.append(key)
    session.flush()

    quizzes = {quiz.key: quiz for quiz in session.scalars(select(Quiz).options(selectinload(Quiz.pool)))}
    for position, (key, item) in enumerate(bank.quizzes.items()):
        data = item.data
        pool_keys = resolve_pool(data, bank.questions)
        # The pool is part of what a quiz is: a question added under its tag changes it.
        digest = content_hash({"quiz": data, "pool": pool_keys, "position": position})
        quiz = quizzes.get(key)
        if quiz is not None and quiz.content_hash == digest and not quiz.is_retired:
            report.quizzes_unchanged.append(key)
            continue
        if quiz is None:
            quiz = Quiz(key=key)
            session.add(quiz)
            report.quizzes_added.append(key)
        else:
            report.quizzes_changed.append(key)
        quiz.title = data["title"]
        quiz.description = data.get("description") or {"ru": "", "en": ""}
        quiz.time_limit_s = data.get("time_limit")
        quiz.question_time_limit_s = data.get("question_time_limit")
        quiz.draw_count = data.get("draw") or len(pool_keys)
        quiz.shuffle_questions = data.get("shuffle", True)
        quiz.shuffle_options = data.get("shuffle_options", True)
        quiz.feedback = data.get("feedback", "end")
        quiz.scoring = data.get("scoring", "plain")
        quiz.points_per_question = data.get("points", DEFAULT_POINTS)
        quiz.position = position
        quiz.content_hash = digest
        quiz.is_retired = False
        quiz.pool.clear()
        session.flush()
        quiz.pool.extend(QuizQuestion(question_id=by_key[q].id, position=index) for index, q in enumerate(pool_keys))
    for key, quiz in quizzes.items():
        if key not in bank.quizzes and not quiz.is_retired:
            quiz.is_retired = True
            report.quizzes_retired.append(key)
    session.flush()
    return report


def _add_revision(session: Session, question: Question, data: dict, digest: str, number: int, now: datetime) -> None:
    content = {key: value for key, value in data.items() if key != "id"}
    revision = QuestionRevision(question=question, number=number, type=data["type"], content=content,
                                content_hash=digest, created_dt=now)
    session.add(revision)
    session.flush()
    question.current_revision = revision
