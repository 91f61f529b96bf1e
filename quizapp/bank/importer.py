"""Put a validated bank into the database.

One call, one transaction (the caller commits or rolls back), and idempotent: an
unchanged bank changes nothing.  An edited question gets a new revision and old answers
keep pointing at the revision they were graded on; a question gone from the YAML is
retired, never deleted, so past results still show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

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
    """Bring the database in line with ``bank`` inside the caller's transaction.

    Questions, revisions and quiz pools are written set by set (multi-row INSERT ...
    RETURNING, executemany UPDATE), not row by row with a flush each: a bank of 10,000
    questions imports in a second or two (see bench/bank_bench.py).  Objects the session
    held before are expired afterwards, since the rows behind them may have changed.
    """
    if not bank.ok:
        raise BankInvalid(f"{len(bank.problems)} problems; nothing imported")
    session.flush()  # anything the caller has pending goes first
    report = ImportReport()
    existing = {
        row.key: row
        for row in session.execute(
            select(Question.id, Question.key, Question.is_retired, QuestionRevision.number,
                   QuestionRevision.content_hash)
            .outerjoin(QuestionRevision, QuestionRevision.id == Question.current_revision_id)
            .order_by(Question.id)
        )
    }
    ids = {key: row.id for key, row in existing.items()}
    ids.update(_insert_questions(session, [key for key in bank.questions if key not in existing]))

    new_revisions: list[dict[str, Any]] = []
    restored: list[int] = []
    for key, item in bank.questions.items():
        digest = item.content_hash
        row = existing.get(key)
        if row is None or row.content_hash != digest:
            new_revisions.append(_revision_row(ids[key], item.data, digest, 1 if row is None else (row.number or 0) + 1, now))
            (report.added if row is None else report.changed).append(key)
        elif row.is_retired:
            restored.append(row.id)
            report.changed.append(key)
        else:
            report.unchanged.append(key)
    retired = [row for key, row in existing.items() if key not in bank.questions and not row.is_retired]
    report.retired = [row.key for row in retired]

    revision_ids = _add_revisions(session, new_revisions)
    updates = [{"id": row["question_id"], "current_revision_id": revision_id, "is_retired": False}
               for row, revision_id in zip(new_revisions, revision_ids)]
    updates += [{"id": question_id, "is_retired": False} for question_id in restored]
    updates += [{"id": row.id, "is_retired": True} for row in retired]
    _update_questions(session, updates)

    quizzes = {quiz.key: quiz for quiz in session.scalars(select(Quiz))}
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
        session.flush()  # a new quiz needs its id for the pool
        _replace_pool(session, quiz.id, [ids[question_key] for question_key in pool_keys])
    for key, quiz in quizzes.items():
        if key not in bank.quizzes and not quiz.is_retired:
            quiz.is_retired = True
            report.quizzes_retired.append(key)
    session.flush()
    session.expire_all()
    return report


def _insert_questions(session: Session, keys: list[str]) -> dict[str, int]:
    """New questions, without a current revision yet: key -> id."""
    if not keys:
        return {}
    table = Question.__table__
    rows = session.execute(
        insert(table).returning(table.c.id, table.c.key, sort_by_parameter_order=True),
        [{"key": key, "is_retired": False} for key in keys],
    )
    return {row.key: row.id for row in rows}


def _revision_row(question_id: int, data: dict[str, Any], digest: str, number: int, now: datetime) -> dict[str, Any]:
    content = {key: value for key, value in data.items() if key != "id"}
    return {"question_id": question_id, "number": number, "type": data["type"], "content": content,
            "content_hash": digest, "created_dt": now}


def _add_revisions(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert revisions; their ids, in the order given."""
    if not rows:
        return []
    table = QuestionRevision.__table__
    result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def _update_questions(session: Session, rows: list[dict[str, Any]]) -> None:
    """Point questions at their new revision and set ``is_retired``: one executemany per shape."""
    table = Question.__table__
    for shape in sorted({tuple(sorted(row)) for row in rows}):
        same = [{f"new_{key}": value for key, value in row.items()} for row in rows if tuple(sorted(row)) == shape]
        statement = (update(table).where(table.c.id == bindparam("new_id"))
                     .values({key: bindparam(f"new_{key}") for key in shape if key != "id"}))
        session.execute(statement, same)


def _replace_pool(session: Session, quiz_id: int, question_ids: list[int]) -> None:
    table = QuizQuestion.__table__
    session.execute(delete(table).where(table.c.quiz_id == quiz_id))
    if question_ids:
        session.execute(insert(table), [{"quiz_id": quiz_id, "question_id": question_id, "position": index}
                                        for index, question_id in enumerate(question_ids)])
