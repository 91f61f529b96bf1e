"""``flask --app quizapp bank validate|import|stats|export|import-gift``: thin shells over the loader,
the importer, item analysis and the Moodle formats."""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import AppGroup

from quizapp.bank.checks import LANGUAGES
from quizapp.bank.gift_import import read_gift
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.bank.moodle import FORMATS, SelectorError, export
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


@bank_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="gift or moodle-xml.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (default: standard output).")
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="One language as plain text (default: all four in Moodle's multi-language spans).")
@click.option("--questions", "paths", multiple=True, type=click.Path(),
              help="Bank folder or file (default: questions/); may be repeated.")
@click.argument("selector", metavar="QUIZ_OR_TAG")
def export_command(fmt: str, output: str | None, lang: str | None, paths: tuple[str, ...], selector: str) -> None:
    """Write a quiz's questions, or a tag's, in a format Moodle imports (docs/authoring.md)."""
    bank = _load(paths)
    if not bank.ok:
        _report_problems(bank)
        sys.exit(1)
    try:
        text, skipped = export(bank, selector, fmt, lang)
    except SelectorError as error:
        raise click.ClickException(str(error)) from None
    for key, reason in skipped:
        click.echo(f"skipped {key}: {reason}", err=True)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    else:
        click.echo(text, nl=False)
    click.echo(f"{fmt}: {text.count(_QUESTION_MARK[fmt])} questions exported, {len(skipped)} skipped", err=True)


_QUESTION_MARK = {"gift": "\n::", "moodle-xml": "<idnumber>"}


@bank_cli.command("import-gift")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the YAML to this file (default: standard output).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="ru", show_default=True,
              help="The language of text outside multi-language spans.")
def import_gift_command(file: str, output: str | None, lang: str) -> None:
    """Turn a GIFT file into YAML questions in this bank's format; report FILE:LINE: problem."""
    try:
        text = Path(file).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file}: not UTF-8 text (byte {error.start})") from None
    result = read_gift(text, file, lang)
    for line in [*result.problems, *result.warnings]:
        click.echo(line, err=True)
    document = "# Converted from {} by `flask --app quizapp bank import-gift`.\n".format(Path(file).name)
    document += yaml.safe_dump({"questions": result.questions}, allow_unicode=True, sort_keys=False, width=110)
    if output:
        try:
            Path(output).write_text(document, encoding="utf-8")
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
    else:
        click.echo(document, nl=False)
    click.echo(f"{len(result.questions)} questions converted, {len(result.problems)} not converted, "
               f"{len(result.warnings)} warnings", err=True)
    if result.problems:
        sys.exit(1)
