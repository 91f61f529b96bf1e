"""Taking a quiz through the services, with a frozen clock: no request, no sleeping."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizapp import attempts
from quizapp.models import Attempt, AttemptAnswer, LeaderboardEntry, Quiz
from quizapp.periods import EPOCH
from quizapp.practice import start_practice
from quizapp.question_types import InvalidResponse
from quizapp.users import create_user
from helpers import answer_current, form_data

# Answers to the test bank, by question key, as display positions/values the form would send.
RIGHT = {"t-single": "june", "t-multiple": ["ca", "ce", "cs"], "t-true-false": "true", "t-numeric": "43.8",
         "t-year": "1992", "t-text": "almaty"}


def quiz(session, key="all-types") -> Quiz:
    return session.scalar(select(Quiz).where(Quiz.key == key))


@pytest.fixture
def user(session, clock):
    made = create_user(session, "aigerim", "correct horse", clock.now())
    session.commit()
    return made


def test_a_whole_attempt_scores_every_type(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    assert attempt.question_count == 8 and attempt.deadline_dt == clock.now() + timedelta(seconds=300)
    for index in range(8):
        clock.advance(5)
        outcome = answer_current(session, attempt, clock, right=index != 2)
        assert not outcome.duplicate and not outcome.timed_out
    assert attempt.is_finished
    assert attempt.correct_count == 7
    assert attempt.score == 700 and attempt.max_score == 800
    assert attempt.duration_ms == 40_000
    entry = session.get(LeaderboardEntry, (attempt.quiz_id, "standard", "all", EPOCH, user.id))
    assert (entry.attempt_id, entry.score, entry.duration_ms) == (attempt.id, 700, 40_000)


def test_a_question_is_served_and_reviewed_as_the_same_plain_values_with_or_without_the_cache(session, bank, user,
                                                                                              clock):
    # One shape for serving and grading: the per-process cache changes how often the row is
    # read, never what the caller holds (an ORM object would belong to one session).
    from quizapp.caching import BoundedCache
    from quizapp.questions import RevisionValues

    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    read = attempts.current_question(session, attempt, clock)
    kept = attempts.current_question(session, attempt, clock, revisions=BoundedCache(8))
    assert type(read.revision) is RevisionValues and read.revision == kept.revision and read.order == kept.order
    assert not attempts.submit_answer(session, kept, form_data(kept), clock).duplicate
    for _ in range(attempt.question_count - 1):
        answer_current(session, attempt, clock)
    reviewed = attempts.review(session, attempt)
    assert reviewed[0][1] == read.revision and all(type(revision) is RevisionValues for _, revision in reviewed)
    assert attempt.correct_count == attempt.question_count


def test_the_same_answer_twice_is_recorded_once(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    served = attempts.current_question(session, attempt, clock)
    data = form_data(served)
    first = attempts.submit_answer(session, served, data, clock)
    again = attempts.submit_answer(session, served, data, clock)
    assert not first.duplicate and again.duplicate
    assert attempt.current_position == 1
    assert session.scalar(select(func.count()).select_from(AttemptAnswer)
                          .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.answered_dt.is_not(None))) == 1


def test_an_answer_to_another_question_is_refused(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    attempts.current_question(session, attempt, clock)
    with pytest.raises(attempts.NotCurrentQuestion):
        attempts.replay_or_refuse(session, attempt, 3)
    assert attempt.current_position == 0


def test_a_malformed_answer_changes_nothing(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    served = attempts.current_question(session, attempt, clock)
    with pytest.raises(InvalidResponse):
        attempts.submit_answer(session, served, "99", clock)
    assert attempt.current_position == 0


def test_starting_again_resumes_the_running_attempt(session, bank, user, clock):
    first = attempts.start_attempt(session, user, quiz(session), clock)
    clock.advance(30)
    assert attempts.start_attempt(session, user, quiz(session), clock).id == first.id


def test_an_answer_after_the_deadline_and_grace_is_not_counted(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    answer_current(session, attempt, clock)
    served = attempts.current_question(session, attempt, clock)
    clock.advance(300 + 2.5)  # past the deadline and the 2 s grace
    outcome = attempts.submit_answer(session, served, form_data(served), clock)
    assert outcome.timed_out and outcome.row.points == 0
    assert attempt.is_finished
    assert attempt.score == 100 and attempt.correct_count == 1
    # Closed at the deadline, not when the late answer came.
    assert attempt.finished_dt == attempt.deadline_dt and attempt.duration_ms == 300_000
    with pytest.raises(attempts.AttemptClosed):
        attempts.replay_or_refuse(session, attempt, 5)


def test_an_answer_within_the_grace_window_counts(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    served = attempts.current_question(session, attempt, clock)
    clock.advance(300 + 1.5)
    outcome = attempts.submit_answer(session, served, form_data(served), clock)
    assert not outcome.timed_out and outcome.row.is_correct


def test_closing_never_overwrites_an_answer_a_concurrent_request_recorded_within_grace(session, bank, user, clock):
    """Review finding #20: the request that closes an expired attempt had read the answer
    rows before a concurrent answer (within grace) was recorded and committed; it then
    marked that answer timed out and left its points out of the score."""
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    attempts.current_question(session, attempt, clock)
    session.commit()
    # The closing request reads the attempt and its rows (as finish_attempt did first; held,
    # so the session's identity map keeps them) ...
    closer = attempts.get_attempt(session, attempt.id)
    rows_read = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
    # ... while another request, on its own connection, records the answer within grace.
    clock.advance(300 + 1.5)
    with Session(session.get_bind()) as other:
        answering = attempts.get_attempt(other, attempt.id)
        served = attempts.current_question(other, answering, clock)
        outcome = attempts.submit_answer(other, served, form_data(served), clock)
        assert not outcome.timed_out and outcome.row.points == 100
        other.commit()
    clock.advance(1)  # now past deadline and grace: the first request closes the attempt
    assert attempts.close_if_expired(session, closer, clock)
    session.commit()
    assert closer.score == 100 and closer.correct_count == 1
    first = session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id,
                                                       AttemptAnswer.position == 0))
    assert first.answered_dt is not None and not first.timed_out and first.points == 100
    assert rows_read == [first]


def test_an_abandoned_attempt_is_closed_lazily_and_scored(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    answer_current(session, attempt, clock)
    clock.advance(hours=5)
    assert attempts.current_question(session, attempt, clock) is None
    assert attempt.is_finished and attempt.score == 100
    rows = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
    assert len(rows) == 8 and sum(r.timed_out for r in rows) == 7


def test_close_overdue_command_closes_without_the_player(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    clock.advance(301)
    assert attempts.close_overdue_attempts(session, clock) == 0  # still inside the grace window
    clock.advance(2)
    assert attempts.close_overdue_attempts(session, clock) == 1
    assert attempt.is_finished


def test_per_question_limit_times_out_one_question_and_moves_on(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session, "quick"), clock)
    first = attempts.current_question(session, attempt, clock)
    assert first.question_deadline_dt == clock.now() + timedelta(seconds=20)
    clock.advance(23)
    second = attempts.current_question(session, attempt, clock)
    assert second.position == 1
    # Its clock started when it was served, not when the attempt started.
    assert second.question_deadline_dt == clock.now() + timedelta(seconds=20)
    late = attempts.replay_or_refuse(session, attempt, 0)
    assert late.duplicate and late.timed_out


def test_speed_points_follow_kahoots_rule(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session, "quick"), clock)
    served = attempts.current_question(session, attempt, clock)
    clock.advance(10)  # half of the 20 s allowed: 100 × (1 − 0.5 / 2) = 75
    assert attempts.submit_answer(session, served, form_data(served), clock).row.points == 75
    served = attempts.current_question(session, attempt, clock)
    assert attempts.submit_answer(session, served, form_data(served), clock).row.points == 100


def test_the_draw_and_option_order_survive_a_reload(session, bank, user, clock):
    attempt = attempts.start_attempt(session, user, quiz(session, "quick"), clock, seed=12345)
    first = attempts.current_question(session, attempt, clock)
    session.expire_all()
    again = attempts.current_question(session, attempt, clock)
    assert (again.revision.id, again.order, again.row.served_dt) == (first.revision.id, first.order, first.row.served_dt)


def test_a_worse_attempt_keeps_the_better_leaderboard_entry(session, bank, user, clock):
    best = attempts.start_attempt(session, user, quiz(session), clock)
    for _ in range(8):
        answer_current(session, best, clock)
    worse = attempts.start_attempt(session, user, quiz(session), clock)
    for _ in range(8):
        answer_current(session, worse, clock, right=False)
    entry = session.get(LeaderboardEntry, (best.quiz_id, "standard", "all", EPOCH, user.id))
    assert entry.attempt_id == best.id and entry.score == 800


def test_extended_time_multiplies_limits_and_ranks_apart(session, bank, user, clock):
    user.time_accommodation = "x1.5"
    attempt = attempts.start_attempt(session, user, quiz(session, "quick"), clock)
    assert attempt.mode == "extended" and attempt.deadline_dt == clock.now() + timedelta(seconds=90)
    served = attempts.current_question(session, attempt, clock)
    assert served.question_deadline_dt == clock.now() + timedelta(seconds=30)
    for _ in range(2):
        answer_current(session, attempt, clock)
    boards = {entry.board for entry in session.scalars(select(LeaderboardEntry))}
    assert boards == {"extended"}


def test_untimed_practice_has_no_deadline_and_is_not_ranked(session, bank, user, clock):
    user.time_accommodation = "untimed"
    attempt = attempts.start_attempt(session, user, quiz(session), clock)
    assert attempt.mode == "practice" and attempt.deadline_dt is None
    clock.advance(hours=3)
    for _ in range(8):
        answer_current(session, attempt, clock)
    assert attempt.is_finished and attempt.score == 800
    assert session.scalar(select(func.count()).select_from(LeaderboardEntry)) == 0


def test_practise_mistakes_replays_only_the_wrong_questions(session, bank, user, clock):
    source = attempts.start_attempt(session, user, quiz(session), clock)
    for index in range(8):
        answer_current(session, source, clock, right=index % 3 != 0)  # wrong at 0, 3, 6
    practice = start_practice(session, user, source, clock)
    assert practice.mode == "practice" and practice.deadline_dt is None
    assert practice.plan == [source.plan[0], source.plan[3], source.plan[6]]
    for _ in range(3):
        answer_current(session, practice, clock)
    assert practice.is_finished
    # Unranked: the leaderboard still holds the source attempt.
    entry = session.get(LeaderboardEntry, (source.quiz_id, "standard", "all", EPOCH, user.id))
    assert entry.attempt_id == source.id


def test_practising_the_mistakes_of_an_expired_attempt_leaves_out_questions_never_reached(session, bank, user,
                                                                                          clock):
    source = attempts.start_attempt(session, user, quiz(session), clock)
    answer_current(session, source, clock, right=False)
    attempts.current_question(session, source, clock)  # the second is shown, then time runs out
    clock.advance(303)
    assert attempts.close_if_expired(session, source, clock)
    rows = attempts.review(session, source)
    assert [attempts.not_reached(row) for row, _ in rows] == [False, False] + [True] * 6
    practice = start_practice(session, user, source, clock)
    assert practice.plan == source.plan[:2]  # the wrong one and the timed-out one; never the unseen


def test_entries_are_kept_per_period_and_summed_overall(session, bank, user, clock):
    from quizapp.models import OverallEntry
    for key, count in (("all-types", 8), ("quick", 2)):
        attempt = attempts.start_attempt(session, user, quiz(session, key), clock)
        for _ in range(count):
            clock.advance(4)
            answer_current(session, attempt, clock)
    entries = session.scalars(select(LeaderboardEntry)).all()
    assert sorted({(e.period) for e in entries}) == ["all", "day", "week"] and len(entries) == 6
    overall = session.get(OverallEntry, ("standard", "all", EPOCH, user.id))
    # Each question is answered the moment it is served, so even the speed-scored quiz gives full
    # points: 800 of 800 and 200 of 200, each a full share (1000) on the overall board.
    assert (overall.score, overall.quiz_count, overall.duration_ms) == (1000 + 1000, 2, 32_000 + 8_000)


def test_practising_mistakes_again_reuses_the_open_run(session, bank, user, clock):
    """The review's #14 for "practise my mistakes": each POST used to add an attempt row."""
    source = attempts.start_attempt(session, user, quiz(session), clock)
    for index in range(8):
        answer_current(session, source, clock, right=index % 3 != 0)
    first = start_practice(session, user, source, clock)
    count = session.scalar(select(func.count()).select_from(Attempt))
    assert all(start_practice(session, user, source, clock).id == first.id for _ in range(20))
    assert session.scalar(select(func.count()).select_from(Attempt)) == count
    answer_current(session, first, clock)  # once begun, a new POST starts afresh
    assert start_practice(session, user, source, clock).id != first.id
