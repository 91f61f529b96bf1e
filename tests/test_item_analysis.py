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
    stats = item_statistics(session)
    assert sum(stat.answers for stat in stats) <= written and stats
