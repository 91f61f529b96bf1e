"""The migrations go all the way down and back up on the test database (SQLite or
PostgreSQL), and what they build is exactly what the models describe."""
from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import func, inspect, select

import quizapp
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptAnswer, Base, Question, Quiz
from quizapp.ranking.rebuild import rebuild_leaderboards, snapshot
from quizapp.users import create_user

from helpers import finish


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_downgrade_to_nothing_and_upgrade_again(app):
    with app.app_context():
        expected = {table.name for table in Base.metadata.sorted_tables}
        assert tables(db.engine) == expected
        flask_migrate.downgrade(revision="base")
        assert tables(db.engine) == set()
        flask_migrate.upgrade(revision="0001_initial")
        flask_migrate.upgrade(revision="head")
        assert tables(db.engine) == expected
        db.engine.dispose()


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        differences = compare_metadata(context, Base.metadata)
        assert differences == []


def test_running_duplicates_are_closed_unranked_before_the_one_running_attempt_index(app, bank, clock):
    """0009 must apply to a live database that the start race already left with several
    running ranked attempts of one quiz: it keeps the newest (the one the app resumes)."""
    with app.app_context():
        # As before the migration: no index.  (Not a downgrade, which would also undo every
        # migration after this one, whatever the chain is by then.)
        RUNNING_INDEX.drop(db.engine)
        user = create_user(db.session, "twice", "correct horse", clock.now())
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        other = db.session.scalar(select(Quiz).where(Quiz.key == "quick"))
        revision_id = db.session.scalar(select(Question.current_revision_id).where(Question.key == "t-single"))
        start = clock.now()

        def running(on: Quiz, mode: str = "standard") -> Attempt:
            attempt = Attempt(user_id=user.id, quiz_id=on.id, seed=1, plan=[revision_id, revision_id], mode=mode,
                              started_dt=start, current_position=0, score=0, max_score=200, correct_count=0)
            db.session.add(attempt)
            db.session.flush()
            return attempt

        older, old, newest = running(quiz), running(quiz), running(quiz)
        alone, practice = running(other), running(quiz, "practice")
        db.session.add(AttemptAnswer(attempt_id=older.id, position=0, revision_id=revision_id, served_dt=start,
                                     answered_dt=start + timedelta(seconds=7), response="0", is_correct=True,
                                     credit=1.0, points=100, timed_out=False))
        db.session.add(AttemptAnswer(attempt_id=older.id, position=1, revision_id=revision_id, served_dt=start))
        ids = {name: a.id for name, a in dict(older=older, old=old, newest=newest, alone=alone,
                                              practice=practice).items()}
        db.session.commit()
        run_upgrade_of("one_running_attempt")
        db.session.expire_all()
        state = {name: db.session.get(Attempt, attempt_id) for name, attempt_id in ids.items()}
        still_running = {name for name, a in state.items() if a.finished_dt is None}
        assert still_running == {"newest", "alone", "practice"}
        assert state["newest"].mode == "standard" and state["alone"].mode == "standard"
        closed = state["older"]
        assert (closed.mode, closed.score, closed.correct_count, closed.duration_ms) == ("practice", 100, 1, 7000)
        assert closed.finished_dt == start + timedelta(seconds=7)
        assert [row.timed_out for row in closed.answers] == [False, True]
        assert (state["old"].mode, state["old"].score, state["old"].duration_ms) == ("practice", 0, 0)
        db.session.commit()
        assert "uq_attempt_running_ranked" in {i["name"] for i in inspect(db.engine).get_indexes("attempt")}
        db.engine.dispose()


RUNNING_INDEX = next(index for index in Attempt.__table__.indexes if index.name == "uq_attempt_running_ranked")


def run_upgrade_of(name: str, step: str = "upgrade") -> None:
    """Run one migration's upgrade() (or ``step``) on the test database, found by its name
    whatever its number."""
    [path] = (Path(quizapp.__file__).parent / "migrations" / "versions").glob(f"*_{name}.py")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        getattr(module, step)()


def test_the_overall_board_is_recomputed_as_shares_of_each_quizs_maximum(app, bank, clock):
    """0014 turns an overall board of raw sums (as the app kept it before) into sums of each
    quiz's share of its maximum: exactly what the app now maintains, and a rebuild gives."""
    with app.app_context():
        aigerim = create_user(db.session, "aigerim", "correct horse", clock.now())
        berik = create_user(db.session, "berik", "correct horse", clock.now())
        finish(db.session, clock, aigerim, "all-types", wrong=(0, 1))  # 600 of 800: 750
        finish(db.session, clock, aigerim, "quick", wrong=(0,))  # 100 of 200: 500
        finish(db.session, clock, berik, "all-types")  # 800 of 800: 1000
        db.session.commit()
        maintained = snapshot(db.session)
        run_upgrade_of("boards", "downgrade")  # back to raw points, as before 0014
        db.session.expire_all()
        raw = snapshot(db.session)
        assert raw[0] == maintained[0]  # the per-quiz boards are untouched
        assert {(row[3], row[4]) for row in raw[1] if row[1] == "all"} == {(aigerim.id, 700), (berik.id, 800)}
        assert raw[2] != maintained[2]  # the overall board's buckets follow its scores
        run_upgrade_of("boards")
        db.session.expire_all()
        upgraded = snapshot(db.session)
        assert {(row[3], row[4]) for row in upgraded[1] if row[1] == "all"} == {(aigerim.id, 1250),
                                                                                  (berik.id, 1000)}
        assert upgraded == maintained
        rebuild_leaderboards(db.session, ZoneInfo("Asia/Almaty"))
        assert snapshot(db.session) == maintained
        db.session.rollback()
        db.engine.dispose()


def test_the_totals_item_analysis_ranks_by_are_filled_for_attempts_finished_before_0016(app, bank, clock):
    """0016 keeps each finished attempt's total (the mean credit of its answers) on the attempt:
    for those finished before it, its upgrade fills in, to the bit, what item analysis's
    grouped pass over the answers gave, so no figure moves; a running attempt gets none."""
    from item_helpers import seed_worked_example
    from quizapp.item_analysis import item_statistics

    with app.app_context():
        seed_worked_example(db.session, clock.now())  # counted, practice, held, voided, running
        finish(db.session, clock, create_user(db.session, "aigerim", "correct horse", clock.now()), "all-types",
               wrong=(0, 2))
        db.session.commit()
        kept = dict(db.session.execute(select(Attempt.id, Attempt.credit_mean)).all())
        figures = item_statistics(db.session)
        db.session.commit()
        run_upgrade_of("item_totals", "downgrade")
        assert "credit_mean" not in {column["name"] for column in inspect(db.engine).get_columns("attempt")}
        answer, attempt = AttemptAnswer.__table__.c, Attempt.__table__.c
        with db.engine.connect() as connection:  # the totals as item analysis computed them before 0016
            grouped = dict(connection.execute(
                select(answer.attempt_id, func.avg(answer.credit))
                .join(Attempt.__table__, attempt.id == answer.attempt_id)
                .where(attempt.finished_dt.is_not(None)).group_by(answer.attempt_id)).all())
        run_upgrade_of("item_totals")
        db.session.expire_all()
        filled = dict(db.session.execute(select(Attempt.id, Attempt.credit_mean)).all())
        assert filled == kept
        assert {attempt_id: mean for attempt_id, mean in filled.items() if mean is not None} == grouped
        assert sum(mean is None for mean in filled.values()) == 1  # the running attempt
        assert item_statistics(db.session) == figures
        db.session.rollback()
        db.engine.dispose()
