"""Operators' command for the benchmark data: ``flask --app quizapp bench seed``
(``leaderboard rebuild`` is ``quizapp.ranking.cli``)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from quizapp.context import current_clock, rules
from quizapp.extensions import db
from quizapp.ranking.rebuild import refresh_statistics

bench_cli = AppGroup("bench", help="Data for benchmarks.")


@bench_cli.command("seed")
@click.option("--users", default=10_000, show_default=True, type=click.IntRange(min=1))
@click.option("--attempts", default=1_000_000, show_default=True, type=click.IntRange(min=0))
@click.option("--quizzes", default=20, show_default=True, type=click.IntRange(min=1, max=99))
@click.option("--weeks", default=8, show_default=True, type=click.IntRange(min=1),
              help="Spread the attempts over this many weeks before now.")
@click.option("--prefix", default="bench", show_default=True, help="Usernames and quiz keys start with it.")
@click.option("--seed", "rng_seed", default=1, show_default=True, help="Random seed (the same seed, the same data).")
def seed_command(users: int, attempts: int, quizzes: int, weeks: int, prefix: str, rng_seed: int) -> None:
    """Add players, quizzes and finished attempts, then rebuild the leaderboards."""
    from quizapp.seed import SeedError, seed
    try:
        report = seed(db.session, users=users, attempts=attempts, quizzes=quizzes, now=current_clock().now(),
                      zone=rules().zone, weeks=weeks, prefix=prefix, rng_seed=rng_seed,
                      progress=lambda message: click.echo(message, err=True))
    except SeedError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    refresh_statistics(db.session)  # players, quizzes, attempts and the boards: everything it wrote
    for line in report.lines():
        click.echo(line)


@bench_cli.command("seed-answers")
@click.option("--prefix", default="bench", show_default=True, help="The players' prefix given to `bench seed`.")
@click.option("--seed", "rng_seed", default=1, show_default=True, help="Random seed (the same seed, the same data).")
def seed_answers_command(prefix: str, rng_seed: int) -> None:
    """Add answer rows to the seeded attempts that have none, for `bank stats` (item analysis)."""
    from quizapp.seed import seed_answers
    written = seed_answers(db.session, prefix=prefix, rng_seed=rng_seed,
                           progress=lambda message: click.echo(message, err=True))
    db.session.commit()
    click.echo(f"answers: {written}")
