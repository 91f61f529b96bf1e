"""Commands for operators: ``flask --app quizapp users ...`` and ``attempts ...`` (closing
overdue attempts; listing, clearing and voiding the attempts held as too fast)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from quizapp import moderation
from quizapp.context import current_clock, rules
from quizapp.extensions import db
from quizapp.finish import close_overdue_attempts
from quizapp.names import NameProblem
from quizapp.users import InvalidUsername, PasswordProblem, UsernameTaken, create_user, password_problem

users_cli = AppGroup("users", help="Manage user accounts.")
attempts_cli = AppGroup("attempts", help="Maintain quiz attempts.")


# Operators read English; the web forms say the same in the visitor's language.
_PASSWORD_PROBLEMS = {
    PasswordProblem.LENGTH: "a password has 8 to 200 characters",
    PasswordProblem.USERNAME: "a password must not be the username",
    PasswordProblem.GUESSABLE: "this password is too easy to guess (a common password, a word or a simple pattern)",
}
_NAME_PROBLEMS = {
    NameProblem.TOO_SHORT: "a username has 3 to 40 characters",
    NameProblem.TOO_LONG: "it has more than 40 characters once normalised (NFKC)",
    NameProblem.CHARACTERS: "use letters, digits, dots, dashes and underscores only",
    NameProblem.MIXED_SCRIPTS: "it mixes alphabets (Latin and Cyrillic, say)",
}


@users_cli.command("create")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--teacher", is_flag=True, help="Give the user the teacher role (classes and assignments).")
def create_user_command(username: str, password: str, admin: bool, teacher: bool) -> None:
    """Create a user (an admin with --admin, a teacher with --teacher)."""
    problem = password_problem(password, username)
    if problem is not None:
        raise click.ClickException(_PASSWORD_PROBLEMS[problem])
    try:
        user = create_user(db.session, username, password, current_clock().now(), is_admin=admin)
    except InvalidUsername as refused:
        raise click.ClickException(f"the username {username!r} is refused: {_NAME_PROBLEMS[refused.problem]}") \
            from None
    except UsernameTaken:
        db.session.rollback()
        raise click.ClickException(f"the username {username!r} is taken, or looks like one that is") from None
    user.is_teacher = teacher
    db.session.commit()
    roles = " ".join(role for role, has in (("admin", admin), ("teacher", teacher)) if has)
    click.echo(f"created {roles + ' ' if roles else ''}user {user.username} (id {user.id})")


@attempts_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close and score every attempt whose deadline has passed."""
    closed = close_overdue_attempts(db.session, current_clock(), rules())
    db.session.commit()
    click.echo(f"closed {closed} overdue attempts")


@attempts_cli.command("held")
def held_command() -> None:
    """List the attempts held for review as too fast (as /admin/attempts does)."""
    held = moderation.flagged_attempts(db.session, limit=1000)
    for attempt in held:
        report = attempt.pace_report or {}
        click.echo(f"{attempt.id}\t{attempt.user.username}\t{attempt.quiz.key}\t{attempt.score}/{attempt.max_score}\t"
                   f"{report.get('fast_answers', 0)} of {len(report.get('answers', []))} answers under the floor, "
                   f"{attempt.duration_ms} ms against a floor of {report.get('floor_ms', 0)} ms")
    click.echo(f"{moderation.flagged_count(db.session)} attempts await review")


def _decide(attempt_id: int, clear: bool) -> None:
    """The command line's report of ``moderation.decide``."""
    decided = moderation.decide(db.session, attempt_id, clear, None, current_clock().now(), rules().zone)
    if decided is None:
        db.session.rollback()
        raise click.ClickException(f"attempt {attempt_id} is not awaiting review")
    db.session.commit()
    click.echo(f"attempt {attempt_id} {'cleared: on the leaderboards' if clear else 'voided: never ranked'}")


@attempts_cli.command("clear")
@click.argument("attempt_id", type=click.IntRange(min=1, max=2**31 - 1))
def clear_command(attempt_id: int) -> None:
    """Put a held attempt on the leaderboards."""
    _decide(attempt_id, clear=True)


@attempts_cli.command("void")
@click.argument("attempt_id", type=click.IntRange(min=1, max=2**31 - 1))
def void_command(attempt_id: int) -> None:
    """Keep a held attempt off the leaderboards for good."""
    _decide(attempt_id, clear=False)
