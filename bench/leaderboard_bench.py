"""How long a leaderboard page's queries take, with 10,000 and with 1,000,000 attempts.

    .venv/bin/python bench/leaderboard_bench.py [--sizes 10000,1000000] [--users 10000] [--quizzes 20]
                                                [--runs 300] [--database-url URL]

For each size: a fresh database (SQLite in a temporary folder; PostgreSQL when
--database-url or QUIZAPP_BENCH_DATABASE_URL is given: its tables are dropped and rebuilt),
schema from the real migrations, the bank in questions/ imported, then ``bench seed``'s
data (``quizapp.seed``: players, quizzes, finished attempts, leaderboards rebuilt), then
ANALYZE.  Then, many times over, what a quiz's leaderboard page asks: the top 20
(``ranking.standings``) and a signed-in viewer's rank (``ranking.entry_of`` +
``ranking.rank_of``), for a random quiz and a random viewer ranked on it.  Each
measurement starts in an open transaction (a request has one anyway) with an empty
session.  Prints the medians (and 95th percentiles) in milliseconds, and the ratio of the
1,000,000 medians to the 10,000 ones.  Targets: at most 1 ms per query, ratio at most 2.

Three variants are timed on the same data: the current ``quizapp.ranking``; the proposed
queries defined below (statements built once; ``rank_of`` as two index-only range counts
with no join, minus the hidden players' rows found through a partial index
``ix_user_hidden``, which is created before they run; ``standings`` read as plain rows);
and the same with the viewer's row and rank fetched by one statement.  The proposed
queries are checked to give the current ones' results.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from functools import lru_cache
from typing import NamedTuple
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402
from sqlalchemy import Index, Integer, and_, bindparam, case, func, or_, select, text, tuple_  # noqa: E402

from quizapp import create_app  # noqa: E402
from quizapp.bank.importer import import_bank  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Base, LeaderboardEntry, Quiz, User, UTCDateTime  # noqa: E402
from quizapp.periods import EPOCH  # noqa: E402
from quizapp import ranking  # noqa: E402
from quizapp.ranking import Board, Standing, assign_ranks, ranking_order  # noqa: E402
from quizapp.seed import seed  # noqa: E402
from quizapp.web import current_clock, rules  # noqa: E402

TARGET_MS = 1.0
TARGET_RATIO = 2.0


# --- the proposed ranking queries (see the report / docs/leaderboards.md) -------------------------
# A partial index holding only the hidden players, so "who is hidden" costs their number.
HIDDEN_INDEX = Index("ix_user_hidden", User.id, sqlite_where=User.is_hidden.is_(True),
                     postgresql_where=User.is_hidden.is_(True))


def _board_where(entity):
    """The board's filter with bound parameters in place of its values."""
    clauses = [entity.board == bindparam("board"), entity.period == bindparam("period"),
               entity.period_start == bindparam("start")]
    if entity is LeaderboardEntry:
        clauses.insert(0, entity.quiz_id == bindparam("quiz"))
    return clauses


@lru_cache(maxsize=None)
def _rank_statement(entity, excluding: bool):
    """Built once per board kind: SQLAlchemy then only binds values (building and caching a
    statement of this size costs more than running it)."""
    tiebreak = ranking._tiebreak(entity)
    where = _board_where(entity)
    score = bindparam("score", type_=Integer)
    # Ahead: a higher score, or the same score and (time, finish, tie-break) lower as a row value:
    # two disjoint ranges of the ranking index.
    higher = entity.score > score
    same_and_before = and_(entity.score == score, tuple_(entity.duration_ms, entity.finished_dt, tiebreak)
                           < tuple_(bindparam("duration", type_=Integer), bindparam("finished", type_=UTCDateTime),
                                  bindparam("key", type_=Integer)))

    def count(*clauses):
        return select(func.count()).select_from(entity).where(*where, *clauses).scalar_subquery()

    left_out = entity.user_id.in_(select(User.id).where(User.is_hidden.is_(True)))  # ix_user_hidden
    if excluding:
        left_out = or_(left_out, entity.user_id == bindparam("exclude"))
    # The hidden players' rows ahead: looked up by primary key (board + user) for each hidden
    # player, and only then tested; a condition on the keys would let the planner walk the range.
    hidden_ahead = (select(func.coalesce(func.sum(case((or_(higher, same_and_before), 1), else_=0)), 0))
                    .select_from(entity).where(*where, left_out).scalar_subquery())
    return select(count(higher) + count(same_and_before) - hidden_ahead)


def proposed_rank_of(session, board, entry, *, exclude_user=None) -> int:
    """1 + the visible rows ahead of ``entry``: two index-only range counts with no join, minus
    the hidden players' rows ahead (found through a partial index of the hidden players)."""
    entity = board.entity
    values = {"board": board.board, "period": board.period, "start": board.period_start or EPOCH,
              "score": entry.score, "duration": entry.duration_ms, "finished": entry.finished_dt,
              "key": entry.attempt_id if entity is LeaderboardEntry else entry.user_id}
    if entity is LeaderboardEntry:
        values["quiz"] = board.quiz_id
    if exclude_user is not None:
        values["exclude"] = exclude_user
    statement = _rank_statement(entity, exclude_user is not None)
    return int(session.execute(statement, values).scalar() or 0) + 1


@lru_cache(maxsize=None)
def _position_statement(entity):
    """The viewer's row and the number of visible rows ahead of it, in one round trip."""
    mine = aliased(entity, name="mine")
    tiebreak = ranking._tiebreak(entity)
    my_tiebreak = mine.attempt_id if entity is LeaderboardEntry else mine.user_id  # _tiebreak knows no aliases
    where = _board_where(entity)
    higher = entity.score > mine.score
    same_and_before = and_(entity.score == mine.score,
                           tuple_(entity.duration_ms, entity.finished_dt, tiebreak)
                           < tuple_(mine.duration_ms, mine.finished_dt, my_tiebreak))

    def count(condition):
        return select(func.count()).select_from(entity).where(*where, condition).correlate(mine).scalar_subquery()

    hidden_ahead = (select(func.coalesce(func.sum(case((or_(higher, same_and_before), 1), else_=0)), 0))
                    .select_from(entity)
                    .where(*where, entity.user_id.in_(select(User.id).where(User.is_hidden.is_(True))))
                    .correlate(mine).scalar_subquery())
    key_columns = [mine.score, mine.duration_ms, mine.finished_dt, my_tiebreak.label("key")]
    if entity is LeaderboardEntry:
        mine_where = [mine.quiz_id == bindparam("quiz")]
    else:
        mine_where = []
    mine_where += [mine.board == bindparam("board"), mine.period == bindparam("period"),
                   mine.period_start == bindparam("start"), mine.user_id == bindparam("user", type_=Integer)]
    return select(*key_columns, (count(higher) + count(same_and_before) - hidden_ahead).label("ahead")).where(
        *mine_where)


def proposed_position(session, board, user_id):
    """(the viewer's row, their rank), or None when they are not on the board."""
    values = {"board": board.board, "period": board.period, "start": board.period_start or EPOCH, "user": user_id}
    if board.quiz_id is not None:
        values["quiz"] = board.quiz_id
    row = session.execute(_position_statement(board.entity), values).first()
    return None if row is None else (row, row.ahead + 1)


@lru_cache(maxsize=None)
def _standings_statement(entity):
    extra = entity.attempt_id if entity is LeaderboardEntry else entity.quiz_count
    return (select(entity.user_id, User.username, entity.score, entity.duration_ms, entity.finished_dt, extra)
            .join(User, User.id == entity.user_id)
            .where(*_board_where(entity), User.is_hidden.is_(False))
            .order_by(*ranking_order(entity)).limit(bindparam("limit")).offset(bindparam("offset")))


class _Ranked(NamedTuple):
    user_id: int
    username: str
    score: int
    duration_ms: int
    finished_dt: object
    attempt_id: int | None
    quiz_count: int | None


def proposed_standings(session, board, limit=50, offset=0):
    """The same rows as ranking.standings, from a statement built once, read as plain rows
    (a NamedTuple's fields read faster than a SQLAlchemy Row's attributes)."""
    values = {"board": board.board, "period": board.period, "start": board.period_start or EPOCH,
              "limit": limit, "offset": offset}
    quiz_board = board.quiz_id is not None
    if quiz_board:
        values["quiz"] = board.quiz_id
    rows = [_Ranked(user_id, username, score, duration_ms, finished_dt,
                    *((extra, None) if quiz_board else (None, extra)))
            for user_id, username, score, duration_ms, finished_dt, extra
            in session.execute(_standings_statement(board.entity), values)]
    return [Standing(rank, *row) for rank, row in assign_ranks(rows, first_rank=offset + 1)]


def _viewer_rank(rank_of):
    """What the page does for the signed-in viewer: find their row, then count who is ahead."""
    def viewer(session, board, user_id):
        return rank_of(session, board, ranking.entry_of(session, board, user_id))
    return viewer


VARIANTS = {
    "current": (ranking.standings, _viewer_rank(ranking.rank_of)),
    "proposed": (proposed_standings, _viewer_rank(proposed_rank_of)),
    "proposed, viewer's row and rank in one statement": (
        proposed_standings, lambda session, board, user_id: proposed_position(session, board, user_id)[1]),
}


def fresh_app(url: str, instance: Path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True},
                     instance_path=str(instance))
    with app.app_context():
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                connection.execute(text(f"DROP TABLE IF EXISTS {tables}, alembic_version CASCADE"))
        flask_migrate.upgrade()
    return app


def analyze() -> None:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # index-only scans want the visibility map
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def measure(runs: int, rng: random.Random, variant: str) -> dict[str, float]:
    standings, viewer_rank = VARIANTS[variant]
    session = db.session
    quizzes = session.scalars(select(Quiz.id).where(Quiz.key.like("bench-%"))).all()
    viewers: dict[int, list[int]] = {}
    sizes = []
    for quiz_id in quizzes:
        on_board = session.scalars(select(LeaderboardEntry.user_id).where(
            LeaderboardEntry.quiz_id == quiz_id, LeaderboardEntry.board == "standard",
            LeaderboardEntry.period == "all", LeaderboardEntry.period_start == EPOCH)).all()
        if on_board:
            viewers[quiz_id] = list(on_board)
            sizes.append(len(on_board))
    session.remove()
    top, rank, both = [], [], []
    for run in range(runs + 20):
        quiz_id = rng.choice(list(viewers))
        viewer = rng.choice(viewers[quiz_id])
        board = Board(quiz_id)
        session.connection()  # the request's transaction is already open
        started = time.perf_counter()
        rows = standings(session, board, limit=20)
        middle = time.perf_counter()
        place = viewer_rank(session, board, viewer)
        finished = time.perf_counter()
        assert rows and place >= 1
        session.remove()
        if run >= 20:  # the first runs warm the caches
            top.append((middle - started) * 1000)
            rank.append((finished - middle) * 1000)
            both.append((finished - started) * 1000)

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95) - 1]

    return {"board_rows": statistics.median(sizes), "top": statistics.median(top), "rank": statistics.median(rank),
            "both": statistics.median(both), "both_p95": p95(both)}


def run_size(url: str, attempts: int, users: int, quizzes: int, runs: int, workdir: Path) -> dict[str, float]:
    app = fresh_app(url, workdir / f"instance-{attempts}")
    with app.app_context():
        bank = load_bank([ROOT / "questions"])
        import_bank(db.session, bank, current_clock().now())
        db.session.commit()
        started = time.perf_counter()
        report = seed(db.session, users=users, attempts=attempts, quizzes=quizzes, now=current_clock().now(),
                      zone=rules().zone)
        db.session.commit()
        seeded = time.perf_counter() - started
        analyze()
        entries = db.session.scalar(select(func.count()).select_from(LeaderboardEntry))
        db.session.remove()
        results = {"current": measure(runs, random.Random(attempts), "current")}
        HIDDEN_INDEX.create(db.engine, checkfirst=True)
        analyze()
        for variant in list(VARIANTS)[1:]:
            results[variant] = measure(runs, random.Random(attempts), variant)
        check_same_ranks(random.Random(1))
        for result in results.values():
            result.update(seed_s=seeded, entries=entries, attempts=report.attempts)
        db.engine.dispose()
    return results


def check_same_ranks(rng: random.Random, samples: int = 200) -> None:
    """The proposed queries must give what the current ones give."""
    session = db.session
    rows = session.execute(select(LeaderboardEntry.quiz_id, LeaderboardEntry.board, LeaderboardEntry.period,
                                  LeaderboardEntry.period_start, LeaderboardEntry.user_id)).all()
    for quiz_id, board_name, period, start, user_id in rng.sample(rows, min(samples, len(rows))):
        for board in (Board(quiz_id, board_name, period, start), Board(None, board_name, period, start)):
            entry = ranking.entry_of(session, board, user_id)
            assert proposed_rank_of(session, board, entry) == ranking.rank_of(session, board, entry)
            assert (proposed_rank_of(session, board, entry, exclude_user=user_id)
                    == ranking.rank_of(session, board, entry, exclude_user=user_id))
            assert proposed_standings(session, board, 20, 5) == ranking.standings(session, board, 20, 5)
            assert proposed_position(session, board, user_id)[1] == ranking.rank_of(session, board, entry)
    session.remove()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,1000000", help="attempt counts, comma-separated")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--quizzes", type=int, default=20)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("QUIZAPP_BENCH_DATABASE_URL"),
                        help="PostgreSQL to use (its tables are dropped!); SQLite in a temporary folder if not given")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="leaderboard-bench-") as folder:
        workdir = Path(folder)
        results = {}
        for size in sizes:
            url = args.database_url or f"sqlite:///{workdir / f'bench-{size}.sqlite'}"
            print(f"seeding {size} attempts...", file=sys.stderr, flush=True)
            results[size] = run_size(url, size, args.users, args.quizzes, args.runs, workdir)
        backend = (args.database_url or "sqlite").split(":", 1)[0]
    print(f"backend: {backend}; {args.users} users, {args.quizzes} quizzes; medians of {args.runs} runs, in ms")
    ok = True
    for variant in VARIANTS:
        print(f"\n{variant} queries")
        print(f"{'attempts':>10} {'seed s':>7} {'entries':>9} {'board rows':>10} {'top-20':>7} {'rank':>7} "
              f"{'both':>7} {'both p95':>8}")
        for size, by_variant in results.items():
            r = by_variant[variant]
            print(f"{size:>10} {r['seed_s']:>7.1f} {r['entries']:>9} {r['board_rows']:>10.0f} {r['top']:>7.3f} "
                  f"{r['rank']:>7.3f} {r['both']:>7.3f} {r['both_p95']:>8.3f}")
        met = all(r[variant]["top"] <= TARGET_MS and r[variant]["rank"] <= TARGET_MS for r in results.values())
        if len(sizes) >= 2:
            small, large = results[min(sizes)][variant], results[max(sizes)][variant]
            ratio = large["both"] / small["both"]
            print(f"ratio {max(sizes)}/{min(sizes)}: top-20 {large['top'] / small['top']:.2f}, "
                  f"rank {large['rank'] / small['rank']:.2f}, both {ratio:.2f} (target <= {TARGET_RATIO})")
            met = met and ratio <= TARGET_RATIO
        print("targets met" if met else "targets NOT met")
        ok = ok and met
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
