"""How long a leaderboard page's queries take, with 10,000 and with 1,000,000 attempts.

    .venv/bin/python bench/leaderboard_bench.py [--sizes 10000,1000000] [--users 10000] [--quizzes 20]
                                                [--runs 330] [--rounds 3] [--database-url URL] [--no-baseline]
                                                [--end-with-rollback]

For each size: a fresh database (SQLite in a temporary folder; with --database-url or
QUIZAPP_BENCH_DATABASE_URL, a PostgreSQL schema ``bench_<size>`` in that database, dropped
and made again), schema from the real migrations, the bank in questions/ imported, then
``bench seed``'s data (``quizapp.seed``: players, quizzes, finished attempts, leaderboards
rebuilt), then ANALYZE (and VACUUM on PostgreSQL).  All sizes are built first and then
measured in turns (--rounds, each size --runs / --rounds runs per turn): on a shared
machine the load changes by the minute, and taking turns lets every size meet the same
load, so the ratios stay honest.  Medians are over all the turns' runs.

Then, many times over, what a board's page asks: the top 20 (``ranking.standings``) and a
signed-in viewer's rank (``ranking.entry_of``: the row and its rank in one statement).  The
viewers are spread over the board: run i takes the viewer at position (i mod 11) / 10 of a
random quiz's all-time board (the first, 10%, ..., the last), so a tenth of the runs ask for
the deepest ranks; "rank deep" is the median of those at 90% and 100%.  Each measurement
starts in an open transaction that has loaded the viewer (as a request's has, and so
PostgreSQL's BEGIN is not timed), with an otherwise empty session.  Also timed
for the same viewers, for information: ``participant_count``, ``window_around`` (by the
viewer's keys), and "floor": ``SELECT 1`` sent the same way, the round trip and driver cost of
the moment, against which to read the rest on a machine whose speed varies.  The overall board is timed the same way, on its own line.

Two variants on the same data: ``ranking`` as it is (bucket counts, migration 0005), and
"rows-ahead" - the previous queries (the viewer's row by primary key, then two index range
counts of every row ahead, minus the hidden players' rows), kept here as a baseline.  The
bucket ranks are checked against it on a sample of every kind of board, and the keyset
window against the OFFSET one.

Last, the cost of keeping the counts: ``ranking.maintain.keep_best`` for a new attempt of a random
player, with and without writing the bucket counts (rolled back each time).

Prints the medians in milliseconds and the ratio of the largest size's medians to the
smallest's.  Targets (quiz boards): top-20 and rank at most 1 ms each, ratio at most 2.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import (and_, bindparam, case, create_engine, func, literal_column, make_url, select, text,  # noqa: E402
                        tuple_)

from quizapp import create_app, ranking  # noqa: E402
from quizapp.bank.importer import import_bank  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.context import current_clock, rules  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Attempt, Base, LeaderboardEntry, OverallEntry, Quiz, User, UTCDateTime  # noqa: E402
from quizapp.periods import EPOCH  # noqa: E402
from quizapp.ranking import Board, maintain  # noqa: E402
from quizapp.ranking.rebuild import refresh_statistics  # noqa: E402
from quizapp.seed import seed  # noqa: E402

from http_bench import ensure_database  # noqa: E402  (bench/ is on the path: it holds this script)

TARGET_MS = 1.0
TARGET_RATIO = 2.0
POSITIONS = [step / 10 for step in range(11)]
# The cheapest statement there is, sent the same way: what this machine's round trip and
# driver cost at the moment (the "floor" column), to read the other columns against.
FLOOR = select(literal_column("1"))
# Each measured "request" ends with COMMIT, as the leaderboard views do: psycopg forgets its
# prepared statements at a ROLLBACK, so ending with one (--end-with-rollback) shows what
# the reads cost when every request has to prepare them again.
END_WITH_COMMIT = True


# --- the baseline: the queries before the bucket counts --------------------------------------------

@lru_cache(maxsize=None)
def _rows_ahead_statement(kind):
    entity = kind.model
    where = ranking.board_where(kind, entity)
    tiebreak = getattr(entity, kind.tiebreak)
    score = bindparam("score")
    higher = entity.score > score
    same_and_before = and_(entity.score == score,
                           tuple_(entity.duration_ms, entity.finished_dt, tiebreak)
                           < tuple_(bindparam("duration"), bindparam("finished", type_=UTCDateTime), bindparam("key")))

    def count(condition):
        return select(func.count()).select_from(entity).where(*where, condition).scalar_subquery()

    hidden_ahead = (select(func.coalesce(func.sum(case((higher | same_and_before, 1), else_=0)), 0))
                    .select_from(entity)
                    .where(*where, entity.user_id.in_(select(User.id).where(User.is_hidden.is_(True))))
                    .scalar_subquery())
    return select(count(higher) + count(same_and_before) - hidden_ahead)


def rows_ahead_viewer_rank(session, board, user_id) -> int:
    """The previous page: the viewer's row by primary key, then a count of every row ahead."""
    start = board.period_start or EPOCH
    if board.quiz_id is None:
        entry = session.get(OverallEntry, (board.mode, board.period, start, user_id))
    else:
        entry = session.get(LeaderboardEntry, (board.quiz_id, board.mode, board.period, start, user_id))
    values = {**board.values(), "score": entry.score, "duration": entry.duration_ms,
              "finished": entry.finished_dt, "key": entry.attempt_id if board.quiz_id is not None else entry.user_id}
    return int(session.execute(_rows_ahead_statement(board.kind), values).scalar() or 0) + 1


def bucket_viewer_rank(session, board, user_id) -> int:
    return ranking.entry_of(session, board, user_id).rank  # read with the row, in one statement


VARIANTS = {"bucket counts (ranking/)": bucket_viewer_rank, "rows-ahead counts (before)": rows_ahead_viewer_rank}


# --- setting up -------------------------------------------------------------------------------------

def database_for(base_url: str | None, size: int, workdir: Path) -> str:
    """A fresh, empty database for one size: a SQLite file, or a PostgreSQL schema of its own."""
    if not base_url:
        return f"sqlite:///{workdir / f'bench-{size}.sqlite'}"
    schema = f"bench_{size}"
    ensure_database(base_url)
    engine = create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = make_url(base_url)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


def fresh_app(url: str, instance: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True},
                     instance_path=str(instance))
    with app.app_context():
        flask_migrate.upgrade()
    return app


def board_members(session, board) -> list[int]:
    entity = board.entity
    return list(session.scalars(select(entity.user_id).where(*ranking.board_where(board.kind, entity))
                                .order_by(*ranking.ranking_order(board.kind.keys(entity))), board.values()))


# --- measuring --------------------------------------------------------------------------------------

def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)] if values else float("nan")


def measure(runs: int, rng: random.Random, viewer_rank, boards: list[tuple[Board, list[int]]], extras: bool,
            samples: dict[str, list[float]]) -> None:
    """Top 20 and the viewer's rank, viewers cycling through the positions of random boards;
    the times (ms) are added to ``samples``."""
    session = db.session
    warm = 10
    for run in range(runs + warm):
        board, members = rng.choice(boards)
        position = POSITIONS[run % len(POSITIONS)]
        viewer = members[min(len(members) - 1, int(position * len(members)))]
        # The request's transaction is open and has run a statement already (Flask-Login loads
        # the viewer; for anyone, the page counts the participants first): so the BEGIN that
        # psycopg sends with a transaction's first statement is not part of what is timed.
        session.get(User, viewer)
        floor_started = time.perf_counter()
        session.connection().execute(FLOOR).scalar()
        started = time.perf_counter()
        rows = ranking.standings(session, board, limit=20)
        middle = time.perf_counter()
        place = viewer_rank(session, board, viewer)
        finished = time.perf_counter()
        assert rows and place >= 1
        if extras:
            ranking.participant_count(session, board)
            counted = time.perf_counter()
            entry = ranking.entry_of(session, board, viewer)
            looked_up = time.perf_counter()
            ranking.window_around(session, board, entry.rank, entry=entry)
            windowed = time.perf_counter()
        if END_WITH_COMMIT:
            session.commit()
        session.remove()  # a request's end
        if run < warm:  # the first runs warm the caches
            continue
        samples["floor"].append((started - floor_started) * 1000)
        samples["top"].append((middle - started) * 1000)
        samples["rank"].append((finished - middle) * 1000)
        if position >= 0.9:
            samples["deep"].append((finished - middle) * 1000)
        samples["both"].append((finished - started) * 1000)
        if extras:
            samples["count"].append((counted - finished) * 1000)
            samples["window"].append((windowed - looked_up) * 1000)


def summary(samples: dict[str, list[float]]) -> dict[str, float]:
    return {**{name: _median(values) for name, values in samples.items()}, "both_p95": _p95(samples["both"])}


def measure_keep_best(runs: int, rng: random.Random, samples: dict[str, list[float]]) -> None:
    """keep_best for a new finished attempt of a random player on a random quiz, with and
    without writing the bucket counts; rolled back each time."""
    session = db.session
    players = session.execute(select(User.id, User.time_accommodation).where(User.username.like("bench-%"))).all()
    players = [(user_id, "standard" if kind == "standard" else "extended")
               for user_id, kind in players if kind != "untimed"]
    quizzes = session.scalars(select(Quiz.id).where(Quiz.key.like("bench-%"))).all()
    now = current_clock().now()
    zone = rules().zone
    session.remove()
    real_write = maintain._write_counts
    for run in range(2 * runs + 10):
        label = "with counts" if run % 2 == 0 else "without"
        user_id, mode = rng.choice(players)
        duration = rng.randrange(30_000, 300_000)
        finished = now - timedelta(seconds=rng.randrange(3 * 86_400))
        attempt = Attempt(user_id=user_id, quiz_id=rng.choice(quizzes), seed=1, plan=[], mode=mode,
                          started_dt=finished - timedelta(milliseconds=duration), finished_dt=finished,
                          duration_ms=duration, score=rng.randrange(0, 1001), max_score=1000, current_position=10)
        session.add(attempt)
        session.flush()
        if label == "without":
            maintain._write_counts = lambda session, counts: None
        try:
            started = time.perf_counter()
            maintain.keep_best(session, attempt, zone)
            session.flush()
            elapsed = time.perf_counter() - started
        finally:
            maintain._write_counts = real_write
        session.rollback()
        session.remove()
        if run >= 10:
            samples[label].append(elapsed * 1000)


def check_same_ranks(rng: random.Random, samples: int = 150) -> None:
    """Bucket ranks equal the rows-ahead counts; the keyset window equals the OFFSET one."""
    session = db.session
    rows = session.execute(select(LeaderboardEntry.quiz_id, LeaderboardEntry.board, LeaderboardEntry.period,
                                  LeaderboardEntry.period_start, LeaderboardEntry.user_id)).all()
    for quiz_id, board_name, period, start, user_id in rng.sample(rows, min(samples, len(rows))):
        for board in (Board(quiz_id, board_name, period, start), Board(None, board_name, period, start)):
            entry = ranking.entry_of(session, board, user_id)
            assert entry.rank == rows_ahead_viewer_rank(session, board, user_id), (board, user_id)
            assert ranking.rank_of(session, board, ranking.keys_of(board, entry), exclude_user=user_id) <= entry.rank
            assert (ranking.window_around(session, board, entry.rank, entry=entry)
                    == ranking.window_around(session, board, entry.rank))
            assert ranking.participant_count(session, board) == sum(
                1 for _ in session.execute(select(board.entity.user_id).join(User, User.id == board.entity.user_id)
                                           .where(*ranking.board_where(board.kind, board.entity),
                                                  User.is_hidden.is_(False)), board.values()))
    session.remove()


class Size:
    """One size's database, seeded, with the boards to ask about and the times measured so far."""

    def __init__(self, base_url: str | None, attempts_count: int, users: int, quizzes: int, workdir: Path):
        self.attempts = attempts_count
        self.app = fresh_app(database_for(base_url, attempts_count, workdir), workdir / f"instance-{attempts_count}")
        with self.app.app_context():
            bank = load_bank([ROOT / "questions"])
            import_bank(db.session, bank, current_clock().now())
            db.session.commit()
            started = time.perf_counter()
            seed(db.session, users=users, attempts=attempts_count, quizzes=quizzes, now=current_clock().now(),
                 zone=rules().zone, locales=self.app.config["LANGUAGES"])
            db.session.commit()
            self.seed_s = time.perf_counter() - started
            refresh_statistics(db.session)
            session = db.session
            quiz_ids = session.scalars(select(Quiz.id).where(Quiz.key.like("bench-%"))).all()
            self.boards = {"quiz boards": [(board, members) for board in (Board(quiz_id) for quiz_id in quiz_ids)
                                           if (members := board_members(session, board))],
                           "overall board": [(Board(None), board_members(session, Board(None)))]}
            self.entries = session.scalar(select(func.count()).select_from(LeaderboardEntry))
            session.remove()
            check_same_ranks(random.Random(1))
            db.engine.dispose()
        self.samples: dict = defaultdict(lambda: defaultdict(list))
        self.rng = random.Random(attempts_count)

    def board_rows(self, kind: str) -> float:
        return statistics.median(len(members) for _, members in self.boards[kind])

    def measure_round(self, runs: int, baseline: bool) -> None:
        with self.app.app_context():
            for variant, viewer_rank in VARIANTS.items():
                if viewer_rank is not bucket_viewer_rank and not baseline:
                    continue
                for kind, boards in self.boards.items():
                    measure(runs, self.rng, viewer_rank, boards, viewer_rank is bucket_viewer_rank,
                            self.samples[(variant, kind)])
            measure_keep_best(max(20, runs // 3), self.rng, self.samples["keep_best"])
            db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,1000000", help="attempt counts, comma-separated")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--quizzes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=330, help="runs per size, variant and kind of board")
    parser.add_argument("--rounds", type=int, default=3, help="turns the sizes take at being measured")
    parser.add_argument("--database-url", default=os.environ.get("QUIZAPP_BENCH_DATABASE_URL"),
                        help="PostgreSQL to use (schemas bench_<size> in it are dropped!); "
                             "SQLite in a temporary folder if not given")
    parser.add_argument("--no-baseline", action="store_true", help="do not time the previous (rows-ahead) queries")
    parser.add_argument("--end-with-rollback", action="store_true",
                        help="end each measured request with ROLLBACK, not COMMIT as the views do "
                             "(psycopg's prepared statements are then lost)")
    args = parser.parse_args()
    global END_WITH_COMMIT
    END_WITH_COMMIT = not args.end_with_rollback
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="leaderboard-bench-") as folder:
        workdir = Path(folder)
        prepared = {}
        for size in sizes:
            print(f"seeding {size} attempts...", file=sys.stderr, flush=True)
            prepared[size] = Size(args.database_url, size, args.users, args.quizzes, workdir)
        for turn in range(args.rounds):
            for size in sizes:
                print(f"round {turn + 1}: measuring {size}...", file=sys.stderr, flush=True)
                prepared[size].measure_round(-(-args.runs // args.rounds), not args.no_baseline)
        backend = (args.database_url or "sqlite").split(":", 1)[0]
    print(f"backend: {backend}; {args.users} users, {args.quizzes} quizzes; medians of {args.runs} runs in "
          f"{args.rounds} turns, in ms; viewers at 0%, 10%, ..., 100% of the board; 'rank deep' = those at 90% "
          f"and 100%; floor = SELECT 1 the same way; count = participant_count, window = window_around by keys; "
          f"each request ends with {'COMMIT' if END_WITH_COMMIT else 'ROLLBACK'}")
    ok = True
    results = {size: {key: summary(samples) for key, samples in size_data.samples.items()}
               for size, size_data in prepared.items()}
    for key in [key for key in results[sizes[0]] if key != "keep_best"]:
        variant, kind = key
        print(f"\n{variant}, {kind}")
        print(f"{'attempts':>10} {'seed s':>7} {'entries':>8} {'rows':>6} {'floor':>6} {'top-20':>7} {'rank':>7} "
              f"{'rank deep':>9} {'both':>7} {'both p95':>8} {'count':>6} {'window':>7}")
        for size, by_key in results.items():
            r = {"count": float("nan"), "window": float("nan"), **by_key[key]}
            print(f"{size:>10} {prepared[size].seed_s:>7.1f} {prepared[size].entries:>8} "
                  f"{prepared[size].board_rows(kind):>6.0f} {r['floor']:>6.3f} {r['top']:>7.3f} {r['rank']:>7.3f} "
                  f"{r['deep']:>9.3f} "
                  f"{r['both']:>7.3f} {r['both_p95']:>8.3f} {r['count']:>6.3f} {r['window']:>7.3f}")
        met = all(r[key]["top"] <= TARGET_MS and r[key]["rank"] <= TARGET_MS for r in results.values())
        if len(sizes) >= 2:
            small, large = results[min(sizes)][key], results[max(sizes)][key]
            ratio = large["both"] / small["both"]
            print(f"ratio {max(sizes)}/{min(sizes)}: top-20 {large['top'] / small['top']:.2f}, "
                  f"rank {large['rank'] / small['rank']:.2f}, rank deep {large['deep'] / small['deep']:.2f}, "
                  f"both {ratio:.2f} (target <= {TARGET_RATIO})")
            met = met and ratio <= TARGET_RATIO
        print("targets met" if met else "targets NOT met")
        if variant == next(iter(VARIANTS)):  # the verdict is the current queries', on both kinds of board
            ok = ok and met
    print("\nkeep_best for one new finished attempt, median ms (with / without writing the bucket counts)")
    for size, by_key in results.items():
        write = by_key["keep_best"]
        print(f"{size:>10} {write['with counts']:>7.3f} {write['without']:>7.3f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
