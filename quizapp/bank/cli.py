"""``flask --app quizapp bank validate|import|stats|export|import-gift``: thin shells over the loader,
the importer, item analysis and the Moodle formats."""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.item_analysis import item_statistics

bank_cli = AppGroup("bank", help="Validate and import the YAML question banks.")


def _load(paths: tuple[str, ...]):
    targets = list(paths) or [current_app.config["QUESTIONS_PATH"]]
    missing = [p for p in targets if not Path(p).exists()]
    if missing:
        raise click.ClickException(f"no such file or folder: {', '.join(missing)}")
    return load_bank(targets)


def _report_problems(bank) -> None:
    for problem in bank.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(bank.problems)} problem{'s' if len(bank.problems) != 1 else ''} found", err=True)


@bank_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
def validate_command(paths: tuple[str, ...]) -> None:
    """Check the bank (default: questions/) and report every problem at once."""
    bank = _load(paths)
    if not bank.ok:
        _report_problems(bank)
        sys.exit(1)
    click.echo(bank.summary())


@bank_cli.command("import")
@click.argument("paths", nargs=-1, type=click.Path())
def import_command(paths: tuple[str, ...]) -> None:
    """Validate, then import in one transaction; with any problem nothing is imported."""
    started = time.perf_counter()
    bank = _load(paths)
    if not bank.ok:
        _report_problems(bank)
        click.echo("nothing imported: the database keeps its previous bank", err=True)
        sys.exit(1)
    try:
        report = import_bank(db.session, bank, current_clock().now())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for line in report.lines():
        click.echo(line)
    click.echo(f"{bank.summary()} ({time.perf_counter() - started:.2f} s)")


STATS_COLUMNS = ("question", "revision", "current", "type", "answers", "facility", "discrimination", "flags")


@bank_cli.command("stats")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on standard output instead of a table.")
def stats_command(as_csv: bool) -> None:
    """Item analysis of every question revision over the ranked attempts (docs/authoring.md)."""
    started = time.perf_counter()
    stats = item_statistics(db.session)
    db.session.rollback()
    rows = [(s.question_key, str(s.revision), "yes" if s.is_current else "no", s.type, str(s.answers),
             f"{s.facility:.2f}", "" if s.discrimination is None else f"{s.discrimination:.2f}",
             "; ".join(s.flags)) for s in stats]
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(STATS_COLUMNS)
        writer.writerows(rows)
        return
    widths = [max(len(value) for value in column) for column in zip(STATS_COLUMNS, *rows)]
    for line in (STATS_COLUMNS, *rows):
        click.echo("  ".join(value.ljust(width) for value, width in zip(line, widths)).rstrip())
    flagged = sum(1 for s in stats if s.flags)
    click.echo(f"{len(stats)} revisions with answers, {flagged} flagged ({time.perf_counter() - started:.2f} s)",
               err=True)
