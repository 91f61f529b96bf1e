"""How long item analysis (``bank stats``, the authors' page) takes over 1,000,000 answers.

    .venv/bin/python bench/item_stats_bench.py [--attempts 100000] [--runs 5] [--database-url URL]

A fresh database (SQLite in a temporary folder; with --database-url or
QUIZAPP_BENCH_DATABASE_URL, the PostgreSQL schema ``bench_items`` in that database, dropped and
made again), schema from the real migrations, the bank in questions/ imported, then ``bench
seed``'s players and finished attempts (10 questions each) and ``bench seed-answers``'s answer
rows: 100,000 attempts make 1,000,000 answers.  ANALYZE, then ``item_analysis.item_statistics``
run --runs times, each in a new transaction.  Prints the median and the slowest run in seconds.
Target: the median under 5 s.  Exit status 1 when it is missed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import create_engine, func, make_url, select, text  # noqa: E402

from quizapp import create_app  # noqa: E402
from quizapp.bank.importer import import_bank  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.context import current_clock, rules  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.item_analysis import item_statistics  # noqa: E402
from quizapp.models import AttemptAnswer  # noqa: E402
from quizapp.seed import seed, seed_answers  # noqa: E402

from http_bench import ensure_database  # noqa: E402  (bench/ is on the path: it holds this script)

TARGET_S = 5.0
SCHEMA = "bench_items"


def database_for(base_url: str | None, workdir: Path) -> str:
    if not base_url:
        return f"sqlite:///{workdir / 'items.sqlite'}"
    ensure_database(base_url)
    engine = create_engine(base_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    url = make_url(base_url)
    return url.update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000, help="finished attempts (10 answers each)")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("QUIZAPP_BENCH_DATABASE_URL"),
                        help=f"PostgreSQL to use (its schema {SCHEMA} is dropped!); default: SQLite in a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = database_for(args.database_url, workdir)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True},
                         instance_path=str(workdir / "instance"))
        with app.app_context():
            flask_migrate.upgrade()
            import_bank(db.session, load_bank([ROOT / "questions"]), current_clock().now())
            db.session.commit()
            started = time.perf_counter()
            seed(db.session, users=args.users, attempts=args.attempts, quizzes=20, now=current_clock().now(),
                 zone=rules().zone, locales=app.config["LANGUAGES"])
            seed_answers(db.session)
            db.session.commit()
            answers = db.session.scalar(select(func.count()).select_from(AttemptAnswer))
            print(f"{db.engine.dialect.name}: {answers} answers seeded in {time.perf_counter() - started:.1f} s")
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
                if db.engine.dialect.name == "postgresql":
                    connection.execute(text("VACUUM"))
            db.session.remove()
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                stats = item_statistics(db.session)
                times.append(time.perf_counter() - started)
                db.session.rollback()
            median = statistics.median(times)
            flagged = sum(1 for stat in stats if stat.flags)
            print(f"item statistics, {len(stats)} revisions ({flagged} flagged) over {answers} answers: "
                  f"median {median:.2f} s, slowest {max(times):.2f} s (target {TARGET_S:.0f} s)")
            db.session.remove()
            db.engine.dispose()
        if args.database_url:
            engine = create_engine(args.database_url)
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            engine.dispose()
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
