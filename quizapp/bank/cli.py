"""``flask --app quizapp bank validate|import``: thin shells over loader and importer."""
from __future__ import annotations

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
