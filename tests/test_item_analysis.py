"""Item analysis (quizapp.item_analysis) against a worked example computed by hand.

The ten counted attempts of tests/item_helpers.py, their total score (mean credit of their five
questions) and their place when ranked by it (ties by attempt id):

    a2 0.8, a8 0.8, a4 0.7 | a1 0.6, a9 0.6, a10 0.6, a3 0.4 | a5 0.4, a6 0.4, a7 0.4

They are all at one quiz, n = 10, so each group holds g = round(0.27 × 10) = 3: top a2, a8, a4;
bottom a5, a6, a7.  Every question is in all ten, so D = (top sum − bottom sum) / 3.

    question      credits a1..a10               facility  top  bottom  discrimination  flags
    t-single      1 1 0 1 0 0 1 1 0 1             0.6       3     1     2/3
    t-true-false  0 1 1 1 1 0 0 1 1 1             0.7       3     1     2/3
    t-numeric     1 1 0 .5 0 0 0 1 1 0            0.45      2.5   0     2.5/3
    t-year        0 0 0 0 0 1 0 0 0 0             0.1       0     1     -1/3            too hard, negative
    t-text        1 1 1 1 1 1 1 1 1 1             1.0       3     3     0               too easy

A practice attempt, a held one, a voided one and an unfinished one are in the database too, with
all answers wrong or all right: counted, they would change every figure.
"""
from __future__ import annotations

import pytest

from quizapp.item_analysis import (NEGATIVE_DISCRIMINATION, TOO_EASY, TOO_HARD, flags_of, item_statistics)
from quizapp.models import Attempt

from item_helpers import seed_worked_example

EXPECTED = {
    "t-single": (0.6, 2 / 3, ()),
    "t-true-false": (0.7, 2 / 3, ()),
    "t-numeric": (0.45, 2.5 / 3, ()),
    "t-year": (0.1, -1 / 3, (TOO_HARD, NEGATIVE_DISCRIMINATION)),
    "t-text": (1.0, 0.0, (TOO_EASY,)),
}


def test_worked_example(session, bank, clock):
    seed_worked_example(session, clock.now())
    stats = {stat.question_key: stat for stat in item_statistics(session)}
    assert set(stats) == set(EXPECTED)
    for key, (facility, discrimination, flags) in EXPECTED.items():
        stat = stats[key]
        assert stat.answers == 10, key
        assert (stat.upper_count, stat.lower_count) == (3, 3), key
        assert stat.facility == pytest.approx(facility), key
        assert stat.discrimination == pytest.approx(discrimination), key
        assert stat.flags == flags, key
        assert stat.revision == 1 and stat.is_current
        assert stat.text["en"]


def test_a_cleared_attempt_counts(session, bank, clock):
    seed_worked_example(session, clock.now())
    held = session.query(Attempt).filter(Attempt.review_status == "flagged").one()
    held.review_status = "cleared"
    session.flush()
    stats = {stat.question_key: stat for stat in item_statistics(session)}
    # An eleventh attempt, all right: t-year now 2 right of 11.
    assert stats["t-year"].answers == 11
    assert stats["t-year"].facility == pytest.approx(2 / 11)


def test_one_answer_has_no_discrimination(session, bank, clock):
    from item_helpers import add_attempt
    from quizapp.models import Quiz, User
    quiz = session.query(Quiz).filter_by(key="all-types").one()
    user = User(username="solo", password_hash="-", created_dt=clock.now(), is_admin=False, is_hidden=False)
    session.add(user)
    session.flush()
    add_attempt(session, user, quiz, (1, 0, 1, 0, 1), clock.now())
    stats = item_statistics(session)
    assert [s.answers for s in stats] == [1] * 5
    assert all(s.discrimination is None for s in stats)


def test_no_answers_no_rows(session, bank):
    assert item_statistics(session) == []


@pytest.mark.parametrize("facility, discrimination, flags", [
    (0.9, 0.0, ()), (0.9001, 0.1, (TOO_EASY,)), (0.2, 0.5, ()), (0.1999, None, (TOO_HARD,)),
    (0.5, -0.01, (NEGATIVE_DISCRIMINATION,)), (0.5, None, ()),
])
def test_flag_thresholds(facility, discrimination, flags):
    assert flags_of(facility, discrimination) == flags


def test_bank_stats_command_table_and_csv(app, session, bank, clock):
    import csv
    import io
    seed_worked_example(session, clock.now())
    session.commit()
    runner = app.test_cli_runner()
    table = runner.invoke(args=["bank", "stats"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["question", "revision", "current", "type", "answers", "facility",
                                "discrimination", "flags"]
    year = next(line for line in lines if line.startswith("t-year"))
    assert year.split()[4:7] == ["10", "0.10", "-0.33"] and "too hard; negative discrimination" in year
    assert "5 revisions with answers, 2 flagged" in table.stderr
    result = runner.invoke(args=["bank", "stats", "--csv"])
    assert result.exit_code == 0
    rows = {row["question"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["t-numeric"]["facility"] == "0.45" and rows["t-numeric"]["discrimination"] == "0.83"
    assert rows["t-text"]["flags"] == "too easy"
    assert rows["t-single"]["answers"] == "10" and rows["t-single"]["flags"] == ""


def test_seeded_answers_agree_with_the_seeded_attempts(app, session, bank, clock):
    """`bench seed-answers` (the benchmark's and the demo's data): one row per planned question,
    as many right as the attempt's correct_count, and item statistics over all of them."""
    from sqlalchemy import func, select
    from quizapp.models import AttemptAnswer
    from quizapp.seed import seed, seed_answers
    from quizapp.modes import DEFAULT_RULES
    seed(session, users=30, attempts=120, quizzes=2, now=clock.now(), zone=DEFAULT_RULES.zone)
    written = seed_answers(session)
    attempts = session.execute(select(Attempt.id, Attempt.plan, Attempt.correct_count)).all()
    assert written == sum(len(a.plan) for a in attempts) == session.scalar(select(func.count()).select_from(AttemptAnswer))
    right = dict(session.execute(select(AttemptAnswer.attempt_id, func.sum(AttemptAnswer.credit))
                                 .group_by(AttemptAnswer.attempt_id)).all())
    assert all(right[a.id] == a.correct_count for a in attempts)
    assert seed_answers(session) == 0  # only attempts without answers get some
    # Each attempt's total, as finish_attempt keeps it for a played one: its right share.
    means = dict(session.execute(select(Attempt.id, Attempt.credit_mean)).all())
    assert all(means[a.id] == pytest.approx(a.correct_count / len(a.plan)) for a in attempts)
    stats = item_statistics(session)
    assert sum(stat.answers for stat in stats) <= written and stats


def test_each_attempt_keeps_the_mean_credit_of_its_answers_however_it_finishes(session, bank, clock):
    """What item analysis ranks the attempts by (``attempt.credit_mean``) is set as each one
    finishes, whichever way it ends: its last answer, a question's and then the quiz's time
    running out, the browser's countdown at the deadline, the lazy close of an abandoned
    attempt and the periodic one.  Unreached and timed-out questions count 0."""
    from sqlalchemy import func, select

    from helpers import answer_current, form_data, quiz
    from quizapp import attempts
    from quizapp.models import AttemptAnswer
    from quizapp.users import create_user

    players = iter(create_user(session, f"total-{n}", "correct horse", clock.now()) for n in range(6))
    # Every question answered: the text one wrongly, the multiple one with one right option of
    # its three (credit 1/3), the rest rightly.
    whole = attempts.start_attempt(session, next(players), quiz(session), clock)
    for _ in range(whole.question_count):
        clock.advance(5)
        served = attempts.current_question(session, whole, clock)
        data = form_data(served, right=served.revision.type != "text")
        attempts.submit_answer(session, served, data[:1] if served.revision.type == "multiple" else data, clock)
    # "quick": the first question's 20 s run out, the second is answered.
    question_timed_out = attempts.start_attempt(session, next(players), quiz(session, "quick"), clock)
    attempts.current_question(session, question_timed_out, clock)
    clock.advance(23)
    answer_current(session, question_timed_out, clock)
    # One right answer, then the countdown of the quiz reaches zero in the browser.
    countdown = attempts.start_attempt(session, next(players), quiz(session), clock)
    answer_current(session, countdown, clock)
    clock.advance(299)
    assert attempts.time_out_current(session, countdown, clock)
    # One right answer each, then abandoned: one is closed when next served, one by the command.
    lazy = attempts.start_attempt(session, next(players), quiz(session), clock)
    answer_current(session, lazy, clock)
    periodic = attempts.start_attempt(session, next(players), quiz(session), clock)
    answer_current(session, periodic, clock)
    clock.advance(hours=5)
    assert attempts.current_question(session, lazy, clock) is None
    assert attempts.close_overdue_attempts(session, clock) == 1
    running = attempts.start_attempt(session, next(players), quiz(session), clock)
    answer_current(session, running, clock)
    session.flush()

    finished = [whole, question_timed_out, countdown, lazy, periodic]
    for attempt in finished:
        session.refresh(attempt)
        assert attempt.is_finished
        credits = session.scalars(select(AttemptAnswer.credit).where(AttemptAnswer.attempt_id == attempt.id)).all()
        assert len(credits) == attempt.question_count
        assert attempt.credit_mean == pytest.approx(sum(credits) / len(credits))
        # To the bit what the grouped pass over the answers gave before it was kept.
        assert attempt.credit_mean == session.scalar(
            select(func.avg(AttemptAnswer.credit)).where(AttemptAnswer.attempt_id == attempt.id))
    assert whole.credit_mean == pytest.approx((6 + 1 / 3) / 8)
    assert question_timed_out.credit_mean == pytest.approx(1 / 2)
    assert countdown.credit_mean == lazy.credit_mean == periodic.credit_mean == pytest.approx(1 / 8)
    session.refresh(running)
    assert not running.is_finished and running.credit_mean is None
