"""Importing the bank into the database: one transaction, idempotent, revisions that keep
past answers as they were graded, retirement instead of deletion."""
from __future__ import annotations

import copy
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from quizapp import attempts
from quizapp.bank import importer
from quizapp.bank.importer import BankInvalid, import_bank
from quizapp.bank.loader import load_bank
from quizapp.models import AttemptAnswer, Base, Question, QuestionRevision, Quiz, QuizQuestion
from quizapp.users import create_user


def single(key: str, tags: list[str], answer: str = "b", paragraph: int = 4) -> dict[str, Any]:
    return {
        "id": key,
        "type": "single",
        "text": {"ru": f"Вопрос {key}?", "en": f"Question {key}?", "kk": f"{key} сұрағы?", "zh": f"问题 {key}？"},
        "options": {"a": {"ru": "Первый", "en": "First", "kk": "Бірінші", "zh": "第一"},
                    "b": {"ru": "Второй", "en": "Second", "kk": "Екінші", "zh": "第二"},
                    "c": {"ru": "Третий", "en": "Third", "kk": "Үшінші", "zh": "第三"}},
        "answer": answer,
        "explanation": {"ru": "Потому что.", "en": "Because.", "kk": "Себебі солай.", "zh": "因为如此。"},
        "source": {"paragraph": paragraph},
        "tags": tags,
        "difficulty": 1,
    }


def year(key: str, tags: list[str], answer: int = 1992) -> dict[str, Any]:
    return {
        "id": key,
        "type": "year",
        "text": {"ru": f"Год {key}?", "en": f"Year {key}?", "kk": f"{key} жылы?", "zh": f"年份 {key}？"},
        "answer": answer,
        "explanation": {"ru": "2026 − 34 = 1992.", "en": "2026 − 34 = 1992.", "kk": "2026 − 34 = 1992.",
                        "zh": "2026 − 34 = 1992。"},
        "source": {"paragraph": 13},
        "tags": tags,
        "difficulty": 2,
    }


QUESTIONS = [
    single("q-visit", ["visits"]),
    single("q-trade", ["trade"], answer="a", paragraph=7),
    single("q-both", ["visits", "trade"], answer="c"),
    year("q-year", ["anniversaries"]),
]
QUIZZES = [
    {"id": "visits", "title": {"ru": "Визиты", "en": "Visits", "kk": "Сапарлар", "zh": "访问"}, "from": {"tags": ["visits"]}, "shuffle": False},
    {"id": "everything", "title": {"ru": "Всё", "en": "Everything", "kk": "Барлығы", "zh": "全部"}, "shuffle": False, "time_limit": 600},
]
RIGHT = {"q-visit": "b", "q-trade": "a", "q-both": "c"}


class BankDir:
    """A bank in a folder of its own that a test can edit and reload."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        self.questions = copy.deepcopy(QUESTIONS)
        self.quizzes = copy.deepcopy(QUIZZES)

    def write(self) -> Path:
        for old in self.path.glob("*.yaml"):
            old.unlink()
        for name, section, items in (("questions.yaml", "questions", self.questions),
                                     ("quizzes.yaml", "quizzes", self.quizzes)):
            text = yaml.safe_dump({section: items}, allow_unicode=True, sort_keys=False)
            (self.path / name).write_text(text, encoding="utf-8")
        return self.path

    def load(self):
        bank = load_bank([self.write()], root=self.path)
        assert bank.ok, [str(p) for p in bank.problems]
        return bank

    def question(self, key: str) -> dict[str, Any]:
        return next(q for q in self.questions if q["id"] == key)

    def remove(self, key: str) -> dict[str, Any]:
        found = self.question(key)
        self.questions.remove(found)
        return found


@pytest.fixture
def bank_dir(tmp_path) -> BankDir:
    return BankDir(tmp_path / "bank")


@pytest.fixture
def imported(session, clock, bank_dir):
    """The bank in bank_dir, imported and committed."""
    import_bank(session, bank_dir.load(), clock.now())
    session.commit()
    return bank_dir


def snapshot(session) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of every row's content, in primary-key order."""
    state = {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
        canonical = json.dumps([list(row) for row in rows], default=str, sort_keys=True, ensure_ascii=False)
        state[table.name] = (len(rows), hashlib.sha256(canonical.encode()).hexdigest())
    return state


def question_row(session, key: str) -> Question:
    return session.scalar(select(Question).where(Question.key == key))


def quiz_row(session, key: str) -> Quiz:
    return session.scalar(select(Quiz).where(Quiz.key == key))


def pool_keys(session, quiz_key: str) -> list[str]:
    return list(session.scalars(
        select(Question.key).join(QuizQuestion, QuizQuestion.question_id == Question.id)
        .join(Quiz, Quiz.id == QuizQuestion.quiz_id).where(Quiz.key == quiz_key).order_by(QuizQuestion.position)))


def revision_keys(session, revision_ids: list[int]) -> list[str]:
    rows = dict(session.execute(
        select(QuestionRevision.id, Question.key).join(Question, Question.id == QuestionRevision.question_id)
        .where(QuestionRevision.id.in_(revision_ids))).all())
    return [rows[rid] for rid in revision_ids]


# --- a first import ---------------------------------------------------------------------

def test_first_import_adds_everything(session, clock, bank_dir):
    report = import_bank(session, bank_dir.load(), clock.now())
    session.commit()
    assert sorted(report.added) == sorted(q["id"] for q in QUESTIONS)
    assert report.quizzes_added == ["visits", "everything"]
    assert session.scalar(select(func.count()).select_from(QuestionRevision)) == len(QUESTIONS)
    revision = question_row(session, "q-visit").current_revision
    assert (revision.number, revision.type, revision.content["answer"]) == (1, "single", "b")
    assert "id" not in revision.content
    assert pool_keys(session, "visits") == ["q-visit", "q-both"]
    assert pool_keys(session, "everything") == ["q-visit", "q-trade", "q-both", "q-year"]
    everything = quiz_row(session, "everything")
    assert (everything.draw_count, everything.time_limit_s, everything.shuffle_questions,
            everything.feedback, everything.scoring, everything.points_per_question) == (4, 600, False, "end", "plain", 100)


def test_an_invalid_bank_is_refused(session, clock, bank_dir):
    bank_dir.question("q-visit")["answer"] = "z"
    bank = load_bank([bank_dir.write()])
    assert not bank.ok
    with pytest.raises(BankInvalid):
        import_bank(session, bank, clock.now())
    assert session.scalar(select(func.count()).select_from(Question)) == 0


# --- idempotent ---------------------------------------------------------------------------

def test_a_second_import_of_the_same_bank_changes_nothing(session, clock, imported):
    before = snapshot(session)
    clock.advance(3600)
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    assert not report.changed_anything
    assert sorted(report.unchanged) == sorted(q["id"] for q in QUESTIONS)
    assert sorted(report.quizzes_unchanged) == ["everything", "visits"]
    assert (report.added, report.changed, report.retired) == ([], [], [])
    assert (report.quizzes_added, report.quizzes_changed, report.quizzes_retired) == ([], [], [])
    assert snapshot(session) == before


# --- atomic ---------------------------------------------------------------------------------

def edit_everything(bank_dir: BankDir) -> None:
    """An import that adds, changes, retires and re-pools: plenty to half-do."""
    bank_dir.question("q-visit")["answer"] = "a"
    bank_dir.question("q-trade")["text"]["en"] = "Reworded?"
    bank_dir.remove("q-year")
    bank_dir.questions += [single("q-new-1", ["visits"]), single("q-new-2", ["trade"]), year("q-new-3", ["trade"])]
    bank_dir.quizzes[0]["title"]["en"] = "Visits, again"
    bank_dir.quizzes.pop()
    bank_dir.quizzes.append({"id": "trade", "title": {"ru": "Торговля", "en": "Trade", "kk": "Сауда", "zh": "贸易"}, "from": {"tags": ["trade"]}})


def fail_on_call(monkeypatch, name: str, call: int) -> list[int]:
    """Make importer.<name> raise on its ``call``-th call, after the earlier ones did their work."""
    real = getattr(importer, name)
    calls = [0]

    def failing(*args, **kwargs):
        calls[0] += 1
        if calls[0] == call:
            raise RuntimeError(f"injected failure in {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, name, failing)
    return calls


@pytest.mark.parametrize("name, call", [
    ("_add_revisions", 1),  # the new questions are inserted, their revisions are next
    ("resolve_pool", 1),    # every question and revision is written, the quizzes are next
    ("_replace_pool", 2),   # the first quiz's new pool is written too
])
def test_a_failed_import_leaves_the_previous_bank_exactly(session, clock, imported, monkeypatch, name, call):
    before = snapshot(session)
    edit_everything(imported)
    bank = imported.load()
    calls = fail_on_call(monkeypatch, name, call)
    with pytest.raises(RuntimeError, match="injected failure"):
        import_bank(session, bank, clock.now())
    assert calls[0] == call
    # Rows were written before the failure: the import really was half done.
    half_done = snapshot(session)
    assert half_done["question"] != before["question"]
    session.rollback()
    assert snapshot(session) == before
    # And the same import, without the failure, then goes through.
    monkeypatch.undo()
    report = import_bank(session, bank, clock.now())
    session.commit()
    assert sorted(report.added) == ["q-new-1", "q-new-2", "q-new-3"]
    assert sorted(report.changed) == ["q-trade", "q-visit"] and report.retired == ["q-year"]
    assert (report.quizzes_added, report.quizzes_changed, report.quizzes_retired) == (["trade"], ["visits"], ["everything"])
    assert pool_keys(session, "trade") == ["q-trade", "q-both", "q-new-2", "q-new-3"]


def test_a_failed_cli_import_leaves_the_previous_bank_exactly(app, session, clock, imported, monkeypatch):
    before = snapshot(session)
    edit_everything(imported)
    imported.write()
    fail_on_call(monkeypatch, "_replace_pool", 2)
    result = app.test_cli_runner().invoke(args=["bank", "import", str(imported.path)])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    session.rollback()
    assert snapshot(session) == before


# --- revisions --------------------------------------------------------------------------------

def answer_all(session, clock, attempt, right: dict[str, Any], count: int | None = None) -> None:
    """Answer the attempt's questions in order (``count`` of them, or all)."""
    for _ in range(len(attempt.plan) if count is None else count):
        served = attempts.current_question(session, attempt, clock)
        assert served is not None
        key = revision_keys(session, [served.revision.id])[0]
        data = str(served.order.index(right[key]))
        clock.advance(5)
        attempts.submit_answer(session, served, data, clock)


@pytest.fixture
def user(session, clock):
    made = create_user(session, "aigerim", "correct horse battery", clock.now())
    session.commit()
    return made


def test_an_edited_question_gets_revision_2_and_old_answers_keep_revision_1(session, clock, imported, user):
    quiz = quiz_row(session, "visits")
    attempt = attempts.start_attempt(session, user, quiz, clock, seed=1)
    answer_all(session, clock, attempt, RIGHT)
    session.commit()
    assert attempt.is_finished and attempt.score == 200 and attempt.correct_count == 2
    old = question_row(session, "q-visit").current_revision
    old_id, old_content = old.id, copy.deepcopy(old.content)
    answer_row = session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id,
                                                            AttemptAnswer.revision_id == old_id))
    assert answer_row is not None and answer_row.is_correct

    # The right answer changes: the old response would now be wrong.
    imported.question("q-visit")["answer"] = "a"
    clock.advance(60)
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    session.expire_all()

    assert report.changed == ["q-visit"]
    question = question_row(session, "q-visit")
    assert [r.number for r in sorted(question.revisions, key=lambda r: r.number)] == [1, 2]
    assert question.current_revision.number == 2 and question.current_revision.content["answer"] == "a"
    assert question.current_revision.created_dt == clock.now()
    old = session.get(QuestionRevision, old_id)
    assert old.content == old_content and old.content["answer"] == "b"
    answer_row = session.get(AttemptAnswer, answer_row.id)
    assert answer_row.revision_id == old_id and answer_row.is_correct and answer_row.points == 100
    attempt = session.get(type(attempt), attempt.id)
    assert (attempt.score, attempt.correct_count) == (200, 2)
    assert [revision.id for _, revision in attempts.review(session, attempt)] == attempt.plan
    # The quiz's pool is unchanged, so the quiz is too; a new attempt gets revision 2.
    assert report.quizzes_changed == []
    other = create_user(session, "berik", "correct horse battery", clock.now())
    fresh = attempts.start_attempt(session, other, quiz_row(session, "visits"), clock, seed=1)
    assert question.current_revision.id in fresh.plan and old_id not in fresh.plan


def test_an_attempt_under_way_is_graded_on_the_revision_it_was_given(session, clock, imported, user):
    attempt = attempts.start_attempt(session, user, quiz_row(session, "visits"), clock, seed=1)
    session.commit()
    planned = list(attempt.plan)
    imported.question("q-visit")["answer"] = "a"
    imported.question("q-both")["answer"] = "a"
    import_bank(session, imported.load(), clock.now())
    session.commit()
    answer_all(session, clock, attempt, RIGHT)  # the answers that were right when it started
    session.commit()
    assert attempt.plan == planned
    assert attempt.is_finished and attempt.score == 200


def test_unchanged_questions_keep_their_revision(session, clock, imported):
    ids = {q["id"]: question_row(session, q["id"]).current_revision_id for q in QUESTIONS}
    imported.question("q-trade")["difficulty"] = 3
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    assert report.changed == ["q-trade"] and sorted(report.unchanged) == ["q-both", "q-visit", "q-year"]
    for key, revision_id in ids.items():
        assert (question_row(session, key).current_revision_id == revision_id) is (key != "q-trade")


# --- retirement ------------------------------------------------------------------------------

def test_a_removed_question_is_retired_and_no_longer_drawn_then_restored(session, clock, imported, user):
    # An answer to it exists, so deleting it would break history.
    first = attempts.start_attempt(session, user, quiz_row(session, "visits"), clock, seed=3)
    answer_all(session, clock, first, RIGHT)
    session.commit()
    question = question_row(session, "q-visit")
    question_id, revision_id = question.id, question.current_revision_id
    revisions_before = session.scalar(select(func.count()).select_from(QuestionRevision))

    removed = imported.remove("q-visit")
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    session.expire_all()
    assert report.retired == ["q-visit"]
    assert sorted(report.quizzes_changed) == ["everything", "visits"]  # their pools lost it
    question = question_row(session, "q-visit")
    assert question.id == question_id and question.is_retired
    assert question.current_revision_id == revision_id
    assert session.scalar(select(func.count()).select_from(QuestionRevision)) == revisions_before
    assert pool_keys(session, "visits") == ["q-both"]
    assert "q-visit" not in pool_keys(session, "everything")
    assert [revision.id for _, revision in attempts.review(session, first)] == first.plan  # history intact
    for seed in range(20):
        clock.advance(700)  # past the quiz's time limit: the previous attempt closes, a new one starts
        drawn = attempts.start_attempt(session, user, quiz_row(session, "everything"), clock, seed=seed)
        assert revision_id not in drawn.plan and len(drawn.plan) == 3
    session.rollback()

    # Retiring twice is a no-op.
    report = import_bank(session, imported.load(), clock.now())
    assert report.retired == [] and not report.changed_anything
    session.commit()

    # Put back under the same id: restored, with the same row and revision.
    imported.questions.insert(0, removed)
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    session.expire_all()
    assert report.changed == ["q-visit"] and report.added == []
    question = question_row(session, "q-visit")
    assert (question.id, question.is_retired, question.current_revision_id) == (question_id, False, revision_id)
    assert session.scalar(select(func.count()).select_from(QuestionRevision)) == revisions_before
    assert pool_keys(session, "visits") == ["q-visit", "q-both"]
    clock.advance(700)
    again = attempts.start_attempt(session, user, quiz_row(session, "everything"), clock, seed=5)
    assert revision_id in again.plan


def test_a_question_restored_with_new_wording_gets_a_new_revision(session, clock, imported):
    removed = imported.remove("q-trade")
    import_bank(session, imported.load(), clock.now())
    session.commit()
    removed["text"]["ru"] = "Новая формулировка?"
    imported.questions.append(removed)
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    question = question_row(session, "q-trade")
    assert report.changed == ["q-trade"]
    assert not question.is_retired and question.current_revision.number == 2


def test_a_removed_quiz_is_retired_and_restored(session, clock, imported, user):
    removed = imported.quizzes.pop()
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    assert report.quizzes_retired == ["everything"] and report.quizzes_unchanged == ["visits"]
    quiz = quiz_row(session, "everything")
    assert quiz.is_retired and len(quiz.pool) == 4  # kept, not deleted
    with pytest.raises(attempts.QuizUnavailable):
        attempts.start_attempt(session, user, quiz, clock)
    imported.quizzes.append(removed)
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    assert report.quizzes_changed == ["everything"] and report.quizzes_unchanged == ["visits"]
    assert not quiz_row(session, "everything").is_retired
    assert len(attempts.start_attempt(session, user, quiz_row(session, "everything"), clock).plan) == 4


def test_a_new_question_with_a_quizs_tag_joins_its_pool(session, clock, imported):
    imported.questions.append(single("q-later", ["visits"]))
    report = import_bank(session, imported.load(), clock.now())
    session.commit()
    assert report.added == ["q-later"]
    assert sorted(report.quizzes_changed) == ["everything", "visits"]
    assert pool_keys(session, "visits") == ["q-visit", "q-both", "q-later"]
    assert quiz_row(session, "visits").draw_count == 3


# --- the CLI ------------------------------------------------------------------------------------

def test_cli_import_then_again(app, session, bank_dir):
    runner = app.test_cli_runner()
    path = str(bank_dir.write())
    result = runner.invoke(args=["bank", "import", path])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "questions added: 4 (q-visit, q-trade, q-both, q-year); changed: 0; retired: 0; unchanged: 0"
    assert lines[1] == "quizzes added: 2 (visits, everything); changed: 0; retired: 0; unchanged: 0"
    assert lines[2].startswith("OK: 4 questions, 2 quizzes, 2 files (")
    before = snapshot(session)
    result = runner.invoke(args=["bank", "import", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "questions added: 0; changed: 0; retired: 0; unchanged: 4",
        "quizzes added: 0; changed: 0; retired: 0; unchanged: 2",
    ]
    assert snapshot(session) == before


def test_cli_import_of_a_broken_bank_exits_1_and_changes_nothing(app, session, imported, monkeypatch):
    before = snapshot(session)
    edit_everything(imported)
    imported.write()
    broken = imported.path / "questions.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("paragraph: 7", "paragraph: 70", 1), encoding="utf-8")
    line, column = next((number, text.index("70") + 1)
                        for number, text in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1)
                        if "paragraph: 70" in text)
    monkeypatch.chdir(imported.path)
    result = app.test_cli_runner().invoke(args=["bank", "import", "."])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"questions.yaml:{line}:{column}: source.paragraph: must be between 1 and 14, got 70\n"
        "1 problem found\n"
        "nothing imported: the database keeps its previous bank\n"
    )
    session.rollback()
    assert snapshot(session) == before


# --- hostile files: refused with a clear error, nothing imported -------------------------------

BILLION_LAUGHS = "\n".join(['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
                            *(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10))]) + "\n"


def hostile_file(kind: str, folder: Path) -> tuple[str | bytes, str]:
    """A hostile bank file, and the start of the problem the import must report for it."""
    marker = folder.parent / "pwned"
    if kind == "python-tag":
        return (f'questions:\n  - !!python/object/apply:os.system ["touch {marker}"]\n',
                "hostile.yaml:2:5: questions[0]: YAML tag !!python/object/apply:os.system is not allowed")
    if kind == "python-name":
        return ("questions:\n  - !!python/name:os.system\n",
                "hostile.yaml:2:5: questions[0]: YAML tag !!python/name:os.system is not allowed")
    if kind == "billion-laughs":
        return BILLION_LAUGHS, "hostile.yaml:2:10: a1[0]: YAML aliases (*name) are not allowed in a bank"
    if kind == "50-MB":
        return (b"#" * 99 + b"\n") * 524_288, "hostile.yaml:1:1: file: too large: 52,428,800 bytes"  # 50 MiB
    if kind == "deep-nesting":
        return "questions: " + "[" * 50_000 + "]" * 50_000 + "\n", "hostile.yaml:1:1011: yaml: exceeded maximum nesting depth"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["python-tag", "python-name", "billion-laughs", "50-MB", "deep-nesting"])
def test_a_hostile_file_is_refused_with_a_clear_error_and_nothing_is_imported(app, session, imported, monkeypatch,
                                                                              kind):
    before = snapshot(session)
    edit_everything(imported)  # valid changes beside the hostile file must not go in either
    imported.write()
    content, problem = hostile_file(kind, imported.path)
    target = imported.path / "hostile.yaml"
    target.write_bytes(content) if isinstance(content, bytes) else target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(imported.path)
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["bank", "import", "."])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(problem), result.stderr[:300]
    assert result.stderr.endswith("nothing imported: the database keeps its previous bank\n")
    assert elapsed < 5, elapsed  # refused without expanding, reading or recursing through it
    assert not (imported.path.parent / "pwned").exists()  # nothing of the file was run
    session.rollback()
    assert snapshot(session) == before
    target.unlink()  # 50 MB is not left behind in the temporary folder
