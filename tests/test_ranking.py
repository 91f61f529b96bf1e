"""The one ranking rule and its tie-breaks."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from quizapp import ranking
from quizapp.attempts import keep_best
from quizapp.models import Attempt, Quiz
from quizapp.users import create_user

T0 = datetime(2026, 1, 7, 9, 0, tzinfo=timezone.utc)
ZONE = ZoneInfo("Asia/Almaty")


class Row:
    def __init__(self, score, duration_ms, finished_dt, attempt_id):
        self.score, self.duration_ms, self.finished_dt, self.attempt_id = score, duration_ms, finished_dt, attempt_id


def test_rank_key_orders_by_score_then_time_then_finish_then_id():
    rows = [Row(5, 10, T0, 4), Row(7, 50, T0, 3), Row(5, 10, T0 - timedelta(1), 9), Row(5, 8, T0, 8), Row(5, 10, T0, 2)]
    ordered = sorted(rows, key=lambda r: ranking.rank_key(r.score, r.duration_ms, r.finished_dt, r.attempt_id))
    assert [r.attempt_id for r in ordered] == [3, 8, 9, 2, 4]


def test_equal_rows_share_a_rank_only_when_every_key_is_equal():
    same = Row(5, 10, T0, 1)
    ranked = ranking.assign_ranks([Row(9, 1, T0, 7), same, same, Row(5, 10, T0, 2)])
    assert [rank for rank, _ in ranked] == [1, 2, 2, 4]


@pytest.fixture
def board(session, clock):
    quiz = Quiz(key="q", title={"ru": "q", "en": "q"}, description={}, draw_count=1, content_hash="x",
                time_limit_s=None, question_time_limit_s=None)
    session.add(quiz)
    session.flush()

    def add(name, score, duration_ms, finished_offset_s):
        user = create_user(session, name, "password1", clock.now())
        attempt = Attempt(user_id=user.id, quiz_id=quiz.id, seed=1, plan=[], started_dt=T0, score=score,
                          finished_dt=T0 + timedelta(seconds=finished_offset_s), duration_ms=duration_ms)
        session.add(attempt)
        session.flush()
        keep_best(session, attempt, ZONE)  # the boards' only writer: entries and bucket counts
        return user

    return quiz, add


def test_sql_standings_match_the_rule(session, board):
    quiz, add = board
    add("slow", 800, 90_000, 100)
    add("fast", 800, 60_000, 200)
    add("top", 900, 120_000, 300)
    add("early", 800, 90_000, 50)
    add("low", 100, 1_000, 10)
    board = ranking.Board(quiz.id)
    standings = ranking.standings(session, board)
    assert [(s.rank, s.username) for s in standings] == [(1, "top"), (2, "fast"), (3, "early"), (4, "slow"), (5, "low")]
    for standing in standings:
        entry = ranking.entry_of(session, board, standing.user_id)
        assert ranking.rank_of(session, board, entry) == standing.rank


def test_hidden_users_are_left_out(session, board):
    quiz, add = board
    add("a", 500, 1000, 1)
    cheat = add("cheat", 900, 1, 1)
    cheat.is_hidden = True
    session.flush()
    assert [s.username for s in ranking.standings(session, ranking.Board(quiz.id))] == ["a"]
    assert ranking.participant_count(session, ranking.Board(quiz.id)) == 1


def test_pages_continue_the_ranks(session, board):
    quiz, add = board
    for index in range(5):
        add(f"user{index}", 100 * index, 1000, index)
    second_page = ranking.standings(session, ranking.Board(quiz.id), limit=2, offset=2)
    assert [(s.rank, s.username) for s in second_page] == [(3, "user2"), (4, "user1")]
