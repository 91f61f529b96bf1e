"""``flask --app quizapp leaderboard rebuild [--check]``: the operators' command over
``rebuild``.  The one module of the package that imports Flask; ``create_app`` registers
it, and nothing else in ``quizapp.ranking`` imports it."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from quizapp.extensions import db
from quizapp.ranking.rebuild import LEADERBOARD_TABLES, rebuild_leaderboards, refresh_statistics, snapshot
from quizapp.context import rules

leaderboard_cli = AppGroup("leaderboard", help="Maintain the leaderboard tables.")


@leaderboard_cli.command("rebuild")
@click.option("--check", is_flag=True,
              help="Only compare: report how many rows a rebuild would change, change nothing, exit 1 if any.")
def rebuild_command(check: bool) -> None:
    """Recompute every leaderboard row from the finished ranked attempts."""
    started = time.perf_counter()
    before = snapshot(db.session) if check else None
    report = rebuild_leaderboards(db.session, rules().zone)
    for line in report.lines():
        click.echo(line)
    if before is not None:
        after = snapshot(db.session)
        db.session.rollback()
        drift = [len(set(old) ^ set(new)) for old, new in zip(before, after)]
        click.echo(f"differing rows: leaderboard entries {drift[0]}, overall entries {drift[1]}, "
                   f"bucket counts {drift[2]} (nothing changed)")
        if any(drift):
            raise SystemExit(1)
        return
    db.session.commit()
    refresh_statistics(db.session, LEADERBOARD_TABLES)
    click.echo(f"rebuilt in {time.perf_counter() - started:.1f} s")
