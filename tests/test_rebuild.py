"""Rebuilding the leaderboard tables gives exactly what ``keep_best`` maintains."""
from __future__ import annotations

import bisect
import random
from collections import Counter
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from quizapp import attempts, ranking
from quizapp.models import Base, Attempt, LeaderboardEntry, OverallEntry, Quiz, User
from quizapp.modes import RANKED_MODES
from quizapp.periods import EPOCH, PERIODS, period_start
from quizapp.ranking import OVERALL_QUIZ_ID, count_buckets, rank_key
from quizapp.ranking.rule import quiz_share
from quizapp.ranking.rebuild import local_days, rebuild_leaderboards, snapshot
from quizapp.users import create_user

from helpers import check_board, form_data

UTC = timezone.utc
BANK_TABLES = {"question", "question_revision", "quiz", "quiz_question"}
ALMATY = ZoneInfo("Asia/Almaty")

# Moments near the edges that matter, in Asia/Almaty:
STARTS = [
    datetime(2026, 1, 11, 18, 50, tzinfo=UTC),  # Sunday 23:50: a day and a week end ten minutes later
    datetime(2024, 2, 29, 17, 40, tzinfo=UTC),  # 23:40 on the 25-hour day Almaty moved from UTC+6 to UTC+5
    datetime(2026, 1, 7, 9, 0, tzinfo=UTC),     # a Wednesday afternoon
]
# Seconds before an attempt starts: none, a little, past midnight, a day, past a week.
GAPS = [0, 1, 45, 600, 3_600, 5 * 3_600, 86_400, 3 * 86_400, 7 * 86_400]
# Seconds before an answer: instant (ties), quick, slow, past quick's 20 s per question,
# past all-types' 300 s for the whole quiz.
DELAYS = [0, 0, 1, 3, 10, 19, 25, 120, 400]

user_specs = st.lists(
    st.tuples(st.sampled_from(["standard", "standard", "x1.5", "x2", "untimed"]), st.booleans()),
    min_size=1, max_size=4)
attempt_specs = st.lists(
    st.fixed_dictionaries({
        "user": st.integers(0, 3),
        "quiz": st.sampled_from(["all-types", "quick"]),
        "gap": st.sampled_from(GAPS),
        "answers": st.lists(st.tuples(st.booleans(), st.sampled_from(DELAYS)), max_size=8),
    }),
    min_size=1, max_size=10)


def play(session, clock, user, quiz, answers) -> None:
    """Start (or resume) ``quiz`` and answer as told; a short list leaves it unfinished."""
    attempt = attempts.start_attempt(session, user, quiz, clock)
    for right, delay in answers:
        clock.advance(delay)
        served = attempts.current_question(session, attempt, clock)
        if served is None:
            return
        attempts.submit_answer(session, served, form_data(served, right), clock)


def oracle(session, zone) -> list[tuple]:
    """keep_best's rule written out in Python, straight from the attempts."""
    best: dict[tuple, Attempt] = {}
    for attempt in session.scalars(select(Attempt).where(Attempt.finished_dt.is_not(None),
                                                         Attempt.mode.in_(RANKED_MODES))):
        key = rank_key(attempt.score, attempt.duration_ms, attempt.finished_dt, attempt.id)
        for period in PERIODS:
            slot = (attempt.quiz_id, attempt.mode, period, period_start(period, attempt.finished_dt, zone),
                    attempt.user_id)
            held = best.get(slot)
            if held is None or key < rank_key(held.score, held.duration_ms, held.finished_dt, held.id):
                best[slot] = attempt
    return sorted((*slot, a.id, a.score, a.duration_ms, a.finished_dt) for slot, a in best.items())


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.sampled_from(STARTS), users=user_specs, plays=attempt_specs)
def test_rebuilt_tables_equal_the_maintained_ones(session, bank, clock, start, users, plays):
    clock.set(start)
    quizzes = {quiz.key: quiz for quiz in session.scalars(select(Quiz))}
    _forget_players(session)
    try:
        people = []
        for index, (accommodation, hidden) in enumerate(users):
            person = create_user(session, f"player{index}", "password1", clock.now())
            person.time_accommodation, person.is_hidden = accommodation, hidden
            people.append(person)
        session.flush()
        for spec in plays:
            clock.advance(spec["gap"])
            play(session, clock, people[spec["user"] % len(people)], quizzes[spec["quiz"]], spec["answers"])
        clock.advance(days=1)
        attempts.close_overdue_attempts(session, clock)  # what cron would do for the abandoned ones

        maintained = snapshot(session)
        assert maintained[0] == oracle(session, ALMATY)
        assert maintained[1] == overall_oracle(session, maintained[0])
        assert maintained[2] == count_oracle(*maintained[:2])
        check_every_board(session, maintained)
        report = rebuild_leaderboards(session, ALMATY)
        rebuilt = snapshot(session)
        assert rebuilt == maintained
        assert sum(report.entries.values()) == len(rebuilt[0]) and report.overall == len(rebuilt[1])
        assert report.counts == len(rebuilt[2])
        # Keeping on playing after a rebuild works from the rebuilt rows.
        play(session, clock, people[0], quizzes["quick"], [(True, 1), (True, 1)])
        again = snapshot(session)
        assert again[0] == oracle(session, ALMATY) and again[2] == count_oracle(*again[:2])
    finally:
        session.rollback()
        _forget_players(session)


def overall_oracle(session, entries: list[tuple]) -> list[tuple]:
    """OverallEntry as the rule says, summed in Python from the per-quiz rows: each quiz's
    best score as thousandths of that attempt's maximum (all-types and quick differ)."""
    max_score = dict(session.execute(select(Attempt.id, Attempt.max_score)).all())
    sums: dict[tuple, list] = {}
    for _quiz, board, period, start, user_id, attempt_id, score, duration_ms, finished in entries:
        total = sums.setdefault((board, period, start, user_id), [0, 0, finished, 0])
        total[0] += quiz_share(score, max_score[attempt_id])
        total[1] += duration_ms
        total[2] = max(total[2], finished)
        total[3] += 1
    return sorted((*key, *total) for key, total in sums.items())


def count_oracle(entries: list[tuple], overall: list[tuple]) -> list[tuple]:
    """LeaderboardCount as it should be, counted in Python from the two boards' rows."""
    counts: Counter[tuple] = Counter()
    for quiz_id, board, period, start, _user, _attempt, score, duration_ms, _finished in entries:
        for bucket in count_buckets(score, duration_ms):
            counts[(quiz_id, board, period, start, *bucket)] += 1
    for board, period, start, _user, score, duration_ms, _finished, _quizzes in overall:
        for bucket in count_buckets(score, duration_ms):
            counts[(OVERALL_QUIZ_ID, board, period, start, *bucket)] += 1
    return sorted((*key, n) for key, n in counts.items())


def check_every_board(session, state) -> None:
    """Every row's rank (read from the buckets, hidden players subtracted) is the rule's."""
    entries, overall, _counts = state
    boards = {ranking.Board(quiz_id, board, period, start) for quiz_id, board, period, start, *_ in entries}
    boards |= {ranking.Board(None, board, period, start) for board, period, start, *_ in overall}
    for board in boards:
        check_board(session, board)


def _forget_players(session) -> None:
    """Empty every table but the bank's, so each example starts from the imported bank alone.
    (A rollback is not enough on SQLite: pysqlite opens no transaction before the first
    write, so the SAVEPOINT in create_user starts one and its RELEASE commits it.)"""
    session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in BANK_TABLES and table.name != "boards_version":
            session.execute(table.delete())
    session.commit()


def test_a_full_tie_goes_to_the_lower_attempt_id(session, bank, clock):
    """Same score, same time, same finishing moment: only the attempt id decides."""
    quiz = session.scalar(select(Quiz).where(Quiz.key == "quick"))
    player = create_user(session, "twice", "password1", clock.now())
    for _ in range(2):
        play(session, clock, player, quiz, [(True, 0), (True, 0)])
    first, second = session.scalars(select(Attempt).order_by(Attempt.id)).all()
    assert (first.score, first.duration_ms, first.finished_dt) == (second.score, second.duration_ms, second.finished_dt)
    maintained = snapshot(session)
    assert {row[5] for row in maintained[0]} == {first.id}
    rebuild_leaderboards(session, ALMATY)
    assert snapshot(session) == maintained


def test_rebuild_of_nothing_empties_the_tables(session, bank, clock):
    report = rebuild_leaderboards(session, ALMATY)
    assert report.attempts == 0 and report.overall == 0
    assert snapshot(session) == ([], [], [])


def test_practice_and_unfinished_attempts_are_not_ranked(session, bank, clock):
    quiz = session.scalar(select(Quiz).where(Quiz.key == "quick"))
    runner = create_user(session, "runner", "password1", clock.now())
    practising = create_user(session, "practising", "password1", clock.now())
    practising.time_accommodation = "untimed"
    play(session, clock, runner, quiz, [(True, 1)])             # still running
    play(session, clock, practising, quiz, [(True, 1), (True, 1)])  # finished, practice
    assert rebuild_leaderboards(session, ALMATY).attempts == 0
    assert snapshot(session) == ([], [], [])


def test_day_lookup_equals_period_start_across_almaty_history():
    """The rebuild finds an attempt's day as "the latest day start at or before it"; for
    every moment, that must be what ``period_start`` says (including 1970s-2000s summer
    time and the 2024 move from UTC+6 to UTC+5)."""
    first, last = datetime(1970, 1, 1, tzinfo=UTC), datetime(2036, 1, 1, tzinfo=UTC)
    days = local_days(first, last, ALMATY)
    starts = [day for day, _ in days]
    rng = random.Random(7)
    moments = [first + timedelta(seconds=rng.randrange(int((last - first).total_seconds()))) for _ in range(20_000)]
    moments += [day + timedelta(microseconds=delta) for day in starts[::97] for delta in (-1, 0, 1)]
    for moment in moments:
        if moment < starts[0] or moment >= last:
            continue
        index = bisect.bisect_right(starts, moment) - 1
        assert starts[index] == period_start("day", moment, ALMATY), moment
        assert days[index][1] == period_start("week", moment, ALMATY), moment


def test_the_rebuild_module_does_not_import_flask():
    import quizapp
    code = ("import sys, importlib\n"
            "sys.modules['quizapp'] = type(sys)('quizapp'); sys.modules['quizapp'].__path__ = [%r]\n"
            "importlib.import_module('quizapp.ranking.rebuild')\n"
            "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'flask_'))))"
            ) % (quizapp.__path__[0],)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


# --- hidden users: stored like everyone, filtered on read ----------------------------------------

def _finish(session, clock, user, quiz, wrong: int, seconds: int) -> Attempt:
    attempt = attempts.start_attempt(session, user, quiz, clock)
    for index in range(attempt.question_count):
        clock.advance(seconds)
        served = attempts.current_question(session, attempt, clock)
        attempts.submit_answer(session, served, form_data(served, index >= wrong), clock)
    assert attempt.is_finished
    return attempt


def test_hidden_users_are_stored_but_filtered_on_read(session, bank, clock):
    quiz = session.scalar(select(Quiz).where(Quiz.key == "all-types"))
    aigul, cheat, dana = (create_user(session, name, "password1", clock.now()) for name in ("aigul", "cheat", "dana"))
    cheat.is_hidden = True
    _finish(session, clock, aigul, quiz, wrong=2, seconds=5)
    _finish(session, clock, cheat, quiz, wrong=0, seconds=1)
    later = _finish(session, clock, dana, quiz, wrong=1, seconds=5)

    # Stored: the hidden player has every row a visible one would have.
    for period in PERIODS:
        start = period_start(period, clock.now(), ALMATY)
        assert session.get(LeaderboardEntry, (quiz.id, "standard", period, start, cheat.id)) is not None
        assert session.get(OverallEntry, ("standard", period, start, cheat.id)) is not None
    maintained = snapshot(session)
    rebuild_leaderboards(session, ALMATY)
    assert snapshot(session) == maintained

    # Read: left out of the standings, the counts and everyone else's rank.
    board = ranking.Board(quiz.id)
    assert [(s.rank, s.username) for s in ranking.standings(session, board)] == [(1, "dana"), (2, "aigul")]
    assert ranking.participant_count(session, board) == 2
    assert ranking.rank_of(session, board, ranking.keys_of(board, ranking.entry_of(session, board, dana.id))) == 1
    assert later.rank_at_finish == 1  # the hidden 800 did not count when dana finished
    overall = ranking.Board(None)
    assert [s.username for s in ranking.standings(session, overall)] == ["dana", "aigul"]

    # Unhiding needs no write to the boards: the player is back where their score puts them.
    cheat.is_hidden = False
    session.flush()
    assert [(s.rank, s.username) for s in ranking.standings(session, board)] == [
        (1, "cheat"), (2, "dana"), (3, "aigul")]
    assert snapshot(session) == maintained
    assert session.scalar(select(User.is_hidden).where(User.id == cheat.id)) is False
    assert EPOCH in {row[3] for row in maintained[0]}


@pytest.mark.parametrize("zone_name", ["Asia/Almaty", "UTC"])
def test_local_days_cover_first_to_last(zone_name):
    zone = ZoneInfo(zone_name)
    first = datetime(2026, 1, 11, 18, 59, tzinfo=UTC)
    days = local_days(first, first + timedelta(hours=30), zone)
    assert days[0][0] == period_start("day", first, zone)
    assert days[-1][0] == period_start("day", first + timedelta(hours=30), zone)
    assert all(week == period_start("week", day + timedelta(hours=1), zone) for day, week in days)


# --- seeding and the commands ---------------------------------------------------------------------

def test_seeding_makes_finished_attempts_and_consistent_boards(session, bank, clock):
    from quizapp.seed import SeedError, seed
    report = seed(session, users=40, attempts=1_500, quizzes=3, now=clock.now(), zone=ALMATY, weeks=2,
                  chunk=400)
    assert (report.users, report.quizzes, report.attempts) == (40, 3, 1_500)
    rows = session.execute(select(Attempt.finished_dt, Attempt.started_dt, Attempt.duration_ms, Attempt.score,
                                  Attempt.max_score, Attempt.mode)).all()
    assert len(rows) == 1_500
    for finished, started, duration, score, max_score, mode in rows:
        assert clock.now() - timedelta(weeks=2, days=1) <= finished <= clock.now()
        assert finished - started == timedelta(milliseconds=duration) and 0 <= score <= max_score
    assert len({row.finished_dt.astimezone(ALMATY).date() for row in rows}) > 7  # spread over the weeks
    assert snapshot(session)[0] == oracle(session, ALMATY)
    assert report.rebuild.attempts == sum(1 for row in rows if row.mode != "practice")
    with pytest.raises(SeedError):
        seed(session, users=1, attempts=1, quizzes=1, now=clock.now(), zone=ALMATY)


def planner_row_count(session, table: str) -> int | None:
    """How many rows the database's statistics say ``table`` has (None: no statistics)."""
    if session.get_bind().dialect.name == "postgresql":
        count = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table})
        return None if count is None or count < 0 else int(count)
    has_stats = session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
    stat = session.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table LIMIT 1"), {"table": table}) \
        if has_stats else None
    return int(stat.split()[0]) if stat else None


def test_the_rebuild_and_seed_commands(app, bank, clock):
    from quizapp.extensions import db
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["bench", "seed", "--users", "20", "--attempts", "300", "--quizzes", "2"])
    assert seeded.exit_code == 0, seeded.output
    assert "attempts: 300" in seeded.output and "leaderboard entries:" in seeded.output
    with app.app_context():
        # The planner was told about the new rows (ANALYZE), so it walks the indexes at once.
        assert planner_row_count(db.session, "leaderboard_entry") \
            == db.session.scalar(select(func.count()).select_from(LeaderboardEntry))
    again = runner.invoke(args=["bench", "seed", "--users", "1", "--attempts", "1", "--quizzes", "1"])
    assert again.exit_code != 0 and "exist already" in again.output

    checked = runner.invoke(args=["leaderboard", "rebuild", "--check"])
    assert checked.exit_code == 0 and "differing rows: leaderboard entries 0, overall entries 0" in checked.output
    with app.app_context():
        first = db.session.scalars(select(LeaderboardEntry).order_by(LeaderboardEntry.attempt_id)).first()
        db.session.delete(first)
        db.session.commit()
        before = len(snapshot(db.session)[0])
    drifted = runner.invoke(args=["leaderboard", "rebuild", "--check"])
    assert drifted.exit_code == 1 and "leaderboard entries 1," in drifted.output
    with app.app_context():
        assert len(snapshot(db.session)[0]) == before  # --check changed nothing
    rebuilt = runner.invoke(args=["leaderboard", "rebuild"])
    assert rebuilt.exit_code == 0 and "rebuilt in" in rebuilt.output
    assert runner.invoke(args=["leaderboard", "rebuild", "--check"]).exit_code == 0
