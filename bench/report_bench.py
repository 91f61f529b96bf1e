"""How long a teacher's assignment report takes to render: a class of 40, 20 questions, 3 attempts each.

    .venv/bin/python bench/report_bench.py [--runs 60] [--database-url URL]

A fresh database (SQLite in a temporary folder; with --database-url, that PostgreSQL
database's schema ``bench_report``, dropped and made again), schema from the real
migrations, the bank in questions/ imported.  The quiz with the largest pool is set to draw
20 questions; a teacher, a class of 40 students and an assignment (three attempts, the best
counting) are made, and every student's three finished attempts are written as the app
writes them (20 answer rows each, right or wrong at random, scored from their rows).

Then, ``--runs`` times, the whole page a teacher opens: ``GET /teach/assignments/<id>``
through the app (the request, the report's queries, the template) with a signed-in teacher;
and for information the per-question page and the XLSX export.  Prints the medians and the
95th percentiles in milliseconds.  Target: the report page's median under 50 ms.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import create_engine, func, make_url, select, text  # noqa: E402

from quizapp import assignments, classes, create_app  # noqa: E402
from quizapp.bank.importer import import_bank  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.clock import SystemClock  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Attempt, AttemptAnswer, Quiz, QuizQuestion  # noqa: E402
from quizapp.modes import Mode  # noqa: E402
from quizapp.users import create_user  # noqa: E402

from http_bench import ensure_database  # noqa: E402  (bench/ is on the path: it holds this script)

TARGET_MS = 50.0
STUDENTS, QUESTIONS, ATTEMPTS = 40, 20, 3


def database_url(base_url: str | None, workdir: Path) -> str:
    if not base_url:
        return f"sqlite:///{workdir / 'report.sqlite'}"
    ensure_database(base_url)
    engine = create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS bench_report CASCADE"))
        connection.execute(text("CREATE SCHEMA bench_report"))
    engine.dispose()
    return make_url(base_url).update_query_dict({"options": "-csearch_path=bench_report"}).render_as_string(
        hide_password=False)


def seed(session, now) -> tuple[int, int]:
    """The class, its assignment and its 120 finished attempts; (teacher id, assignment id)."""
    rng = random.Random(18)
    pools = dict(session.execute(select(QuizQuestion.quiz_id, func.count()).group_by(QuizQuestion.quiz_id)).all())
    quiz = session.get(Quiz, max(pools, key=pools.get))
    assert pools[quiz.id] >= QUESTIONS, f"the largest pool has {pools[quiz.id]} questions"
    quiz.draw_count = QUESTIONS
    teacher = create_user(session, "bench-teacher", "a long bench passphrase", now)
    teacher.is_teacher = True
    school_class = classes.create_class(session, teacher, "Bench 9A", now)
    students = [create_user(session, f"bench-{n:02d}", "a long bench passphrase", now) for n in range(STUDENTS)]
    for student in students:
        classes.join(session, student, school_class.join_code, now)
    assignment = assignments.create_assignment(
        session, school_class, quiz.id, now, open_dt=now - timedelta(days=2), close_dt=now + timedelta(days=5),
        attempts_allowed=ATTEMPTS, counting="best", time_limit_s=None, feedback="end", answers_after="attempt",
        ranking="class")
    from quizapp.attempts import draw_plan
    from quizapp.models import QuestionRevision
    for student in students:
        for number in range(ATTEMPTS):
            started = now - timedelta(days=1, minutes=rng.randint(0, 600))
            plan = draw_plan(session, quiz, rng.randrange(2**31))
            attempt = Attempt(user_id=student.id, quiz_id=quiz.id, seed=number, plan=plan, started_dt=started,
                              deadline_dt=None, current_position=len(plan), mode=Mode.ASSIGNMENT, time_factor=1.0,
                              max_score=len(plan) * quiz.points_per_question, assignment_id=assignment.id)
            session.add(attempt)
            session.flush()
            score = correct = 0
            for position, revision_id in enumerate(plan):
                revision = session.get(QuestionRevision, revision_id)
                right = rng.random() < 0.65
                response = _right(revision) if right else _wrong(revision, rng)
                served = started + timedelta(seconds=20 * position)
                session.add(AttemptAnswer(attempt_id=attempt.id, position=position, revision_id=revision_id,
                                          served_dt=served, answered_dt=served + timedelta(seconds=12),
                                          response=response, is_correct=right, credit=1.0 if right else 0.0,
                                          points=quiz.points_per_question if right else 0, timed_out=False))
                score += quiz.points_per_question if right else 0
                correct += right
            attempt.score, attempt.correct_count = score, correct
            attempt.finished_dt = started + timedelta(seconds=20 * len(plan))
            attempt.duration_ms = 20_000 * len(plan)
    session.commit()
    return teacher.id, assignment.id


def _right(revision):
    """The right answer as the type stores it (the types a bench quiz draws; None for others)."""
    content = revision.content
    if revision.type in ("single", "true_false", "numeric"):
        return content["answer"]
    if revision.type == "multiple":
        return list(content["answers"])
    return None


def _wrong(revision, rng):
    """A wrong answer as the type stores it: another option, another number; None otherwise."""
    content = revision.content
    if revision.type in ("single", "true_false"):
        others = [key for key in content.get("options", {}) if key != content.get("answer")]
        return rng.choice(others) if others else (not content.get("answer"))
    if revision.type == "numeric":
        return float(content["answer"]) + 1
    return None


def timed(client, path: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = database_url(args.database_url, Path(workdir))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                          "RATELIMIT_ENABLED": False}, instance_path=str(Path(workdir) / "instance"))
        now = SystemClock().now()
        with app.app_context():
            flask_migrate.upgrade()
            loaded = load_bank([ROOT / "questions"])
            assert loaded.ok, loaded.problems
            import_bank(db.session, loaded, now)
            db.session.commit()
            teacher_id, assignment_id = seed(db.session, now)
            from quizapp.models import User
            session_id = db.session.get(User, teacher_id).get_id()
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = session_id, True
        base = f"/teach/assignments/{assignment_id}"
        timed(client, base, 5)  # warm: templates compiled, statements cached
        results = {"report page": timed(client, base, args.runs),
                   "per-question page": timed(client, base + "/questions", max(10, args.runs // 3)),
                   "XLSX export": timed(client, base + "/report.xlsx", max(10, args.runs // 3))}
        with app.app_context():
            db.engine.dispose()
    where = "PostgreSQL" if args.database_url else "SQLite"
    print(f"assignment report, {STUDENTS} students x {ATTEMPTS} attempts x {QUESTIONS} questions ({where}):")
    for name, samples in results.items():
        p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
        print(f"  {name:18} median {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms")
    median = statistics.median(results["report page"])
    ok = median < TARGET_MS
    print(f"target: report page median under {TARGET_MS:.0f} ms: {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
