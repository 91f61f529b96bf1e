"""The one ranking rule and its tie-breaks."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from quizapp import ranking
from quizapp.ranking.maintain import keep_best
from quizapp.models import Attempt, Quiz
from quizapp.periods import period_start
from quizapp.users import create_user
from helpers import check_board

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


def _quiz(session, key="q"):
    quiz = Quiz(key=key, title={"ru": key, "en": key}, description={}, draw_count=1, content_hash="x",
                time_limit_s=None, question_time_limit_s=None)
    session.add(quiz)
    session.flush()
    return quiz


def _finish(session, user, quiz, score, duration_ms, finished_offset_s, max_score=1000):
    # A maximum of 1000 makes a quiz's share on the overall board (thousandths) equal its score.
    attempt = Attempt(user_id=user.id, quiz_id=quiz.id, seed=1, plan=[], started_dt=T0, score=score,
                      max_score=max_score, finished_dt=T0 + timedelta(seconds=finished_offset_s),
                      duration_ms=duration_ms)
    session.add(attempt)
    session.flush()
    keep_best(session, attempt, ZONE)  # the boards' only writer: entries and bucket counts
    return attempt


@pytest.fixture
def board(session, clock):
    quiz = _quiz(session)

    def add(name, score, duration_ms, finished_offset_s):
        user = create_user(session, name, "password1", clock.now())
        _finish(session, user, quiz, score, duration_ms, finished_offset_s)
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
        assert ranking.rank_of(session, board, ranking.keys_of(board, entry)) == standing.rank


def test_hidden_users_are_left_out(session, board):
    quiz, add = board
    add("ann", 500, 1000, 1)
    cheat = add("cheat", 900, 1, 1)
    cheat.is_hidden = True
    session.flush()
    assert [s.username for s in ranking.standings(session, ranking.Board(quiz.id))] == ["ann"]
    assert ranking.participant_count(session, ranking.Board(quiz.id)) == 1


def test_pages_continue_the_ranks(session, board):
    quiz, add = board
    for index in range(5):
        add(f"user{index}", 100 * index, 1000, index)
    second_page = ranking.standings(session, ranking.Board(quiz.id), limit=2, offset=2)
    assert [(s.rank, s.username) for s in second_page] == [(3, "user2"), (4, "user1")]


# --- ranks from the bucket counts -----------------------------------------------------------------

def test_ranks_across_bands_scores_time_bands_and_ties(session, board):
    """Rows in higher bands, in the same band with higher scores, in earlier time bands, and in
    the viewer's own (score, time band) bucket with equal times that only the finishing
    moment or the attempt number separates."""
    quiz, add = board
    band, step = ranking.SCORE_BAND, ranking.TIME_BAND_MS
    specs = [
        (5 * band + 3, 40_000, 0), (5 * band + 1, 40_000, 0),          # a band above
        (4 * band + 40, 90_000, 0), (4 * band + 39, 10, 0),             # same band, higher scores
        (4 * band + 7, 2 * step - 1, 0), (4 * band + 7, step, 5),       # same score, earlier time bands
        (4 * band + 7, 3 * step, 9), (4 * band + 7, 3 * step + 1, 1),   # the same bucket...
        (4 * band + 7, 3 * step + 1, 1), (4 * band + 7, 3 * step + 1, 1),  # ...an exact tie but the attempt
        (4 * band + 7, 3 * step + 1, 0), (4 * band + 7, 4 * step - 1, 0),  # earlier finish; the bucket's end
        (4 * band + 7, 4 * step, 0),                                    # the next time band
        (4 * band, 0, 0), (4 * band - 1, 0, 0), (0, 0, 0), (0, 0, 0),   # band edges, the lowest score
    ]
    for index, (score, duration_ms, offset) in enumerate(specs):
        add(f"p{index:02d}", score, duration_ms, offset)
    for period in ("all", "week", "day"):
        expected = check_board(session, ranking.Board(quiz.id, "standard", period, _start(period)))
        assert sorted(expected.values()) == list(range(1, len(specs) + 1))


def _start(period):
    return period_start(period, T0, ZONE)


def test_hidden_players_ahead_behind_and_in_the_same_bucket(session, board):
    quiz, add = board
    step = ranking.TIME_BAND_MS
    people = [add(f"player{index}", score, duration_ms, index) for index, (score, duration_ms) in enumerate([
        (900, 1_000), (800, 2 * step), (800, 3 * step), (800, 3 * step), (800, 3 * step + 5), (700, 0), (5, 0)])]
    for hidden in (people[0], people[2], people[3], people[6]):  # a band above, the viewer's bucket, below
        hidden.is_hidden = True
    session.flush()
    board = ranking.Board(quiz.id)
    expected = check_board(session, board)
    assert [expected[person.id] for person in people] == [1, 1, 2, 2, 2, 3, 4]
    assert ranking.participant_count(session, board) == 3
    # attempt_rank leaves out the player's own row as well; a hidden player's is not taken off twice.
    viewer = ranking.entry_of(session, board, people[4].id)
    for excluded, rank in ((people[1], 1), (people[3], 2), (people[5], 2)):
        assert ranking.rank_of(session, board, ranking.keys_of(board, viewer), exclude_user=excluded.id) == rank


def test_the_overall_board_ranks_sums(session, board, clock):
    first, add = board
    second = _quiz(session, "q2")  # both quizzes 1000 points at most: a share equals the score
    people = [create_user(session, f"other{index}", "password1", clock.now()) for index in range(7)]
    results = {0: [(first, 900, 1_000), (second, 100, 9_000)],   # 1000 in 10 s
               1: [(first, 500, 4_000), (second, 500, 6_000)],   # 1000 in 10 s, last improved later
               2: [(first, 1000, 10_000)],                        # 1000 in 10 s, later still
               3: [(first, 1000, 9_999)],                         # 1000 in less
               4: [(second, 64, 0)], 5: [(second, 63, 0)],        # either side of a band's edge
               6: [(first, 10, 5), (first, 20, 50)]}              # improved: 20 counts, not 30
    offset = 0
    for index, played in results.items():
        for quiz, score, duration_ms in played:
            offset += 1
            _finish(session, people[index], quiz, score, duration_ms, offset)
    people[5].is_hidden = True
    session.flush()
    overall = ranking.Board(None)
    expected = check_board(session, overall)
    assert [expected[person.id] for person in people] == [2, 3, 4, 1, 5, 6, 6]  # 5 is hidden
    assert [standing.user_id for standing in ranking.standings(session, overall)] == [
        people[index].id for index in (3, 0, 1, 2, 4, 6)]
    assert ranking.entry_of(session, overall, people[6].id).quiz_count == 1
    assert ranking.entry_of(session, overall, people[6].id).score == 20


def test_quiz_share_is_thousandths_of_the_maximum_rounded_down():
    assert ranking.quiz_share(2500, 2500) == 1000
    assert ranking.quiz_share(1999, 2500) == 799  # 799.6
    assert ranking.quiz_share(701, 1000) == 701
    assert ranking.quiz_share(1, 3) == 333
    assert ranking.quiz_share(0, 0) == 0  # a quiz without points counts nothing, and does not divide by 0


def test_the_overall_board_sums_each_quizs_share_of_its_maximum(session, board, clock):
    """The worked example of docs/scoring.md: a speed-scored Marathon (2500 points at most)
    and History (1000).  In raw points Berik (2700) would lead and Aigerim (2000) trail; as
    shares Aigerim's perfect History outweighs Berik's Marathon speed points.  Aigerim and
    Dana both total 1400 (Dana's 1999 of 2500 is 799.6 thousandths, rounded down), so the
    time decides."""
    history, _add = board
    marathon = _quiz(session, "marathon")
    aigerim, berik, dana = (create_user(session, name, "password1", clock.now())
                            for name in ("aigerim", "berik", "dana"))
    _finish(session, aigerim, marathon, 1000, 300_000, 1, max_score=2500)
    _finish(session, aigerim, history, 1000, 100_000, 2)
    _finish(session, berik, marathon, 2500, 200_000, 3, max_score=2500)
    _finish(session, berik, history, 200, 100_000, 4)
    _finish(session, dana, marathon, 1999, 250_000, 5, max_score=2500)
    _finish(session, dana, history, 601, 100_000, 6)
    overall = ranking.Board(None)
    rows = ranking.standings(session, overall)
    assert [(s.rank, s.username, s.score, s.duration_ms, s.quiz_count) for s in rows] == [
        (1, "dana", 1400, 350_000, 2), (2, "aigerim", 1400, 400_000, 2), (3, "berik", 1200, 300_000, 2)]
    check_board(session, overall)


def test_the_window_around_a_viewer_keeps_its_shape_at_the_ends(session, board):
    quiz, add = board
    people = [add(f"win{index}", 1000 - index, 1_000, index) for index in range(8)]
    people[1].is_hidden = True
    session.flush()
    board = ranking.Board(quiz.id)
    for person, rank, names in ((people[0], 1, ["win0", "win2", "win3", "win4", "win5"]),
                                (people[2], 2, ["win0", "win2", "win3", "win4", "win5"]),
                                (people[4], 4, ["win2", "win3", "win4", "win5", "win6"]),
                                (people[7], 7, ["win5", "win6", "win7"])):
        entry = ranking.entry_of(session, board, person.id)
        assert entry.rank == rank
        window = ranking.window_around(session, board, rank, entry=entry)
        assert [standing.username for standing in window] == names
        assert window == ranking.window_around(session, board, rank)
        assert [standing.rank for standing in window] == list(range(window[0].rank, window[0].rank + len(names)))
    assert ranking.window_around(session, board, 4, radius=0, entry=ranking.entry_of(session, board, people[4].id)) \
        == ranking.window_around(session, board, 4, radius=0)


def test_a_board_page_reads_the_viewers_rank_with_their_row_and_asks_no_more(session, board):
    quiz, add = board
    player = add("once", 500, 1_000, 0)
    session.flush()
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listen)
    try:
        shown = ranking.board_page(session, ranking.Board(quiz.id), 1, 20, player.id, window=True)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert shown.viewer.rank == 1 and shown.viewer.on_page and shown.viewer.window == []
    assert len(statements) == 3  # the count, the page, the viewer's row with its rank: no rank asked again
    assert ranking.entry_of(session, ranking.Board(quiz.id, period="week", period_start=_start("week")),
                            player.id).rank == 1
    assert ranking.entry_of(session, ranking.Board(quiz.id, "extended"), player.id) is None
