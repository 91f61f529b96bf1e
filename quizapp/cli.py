"""Commands for operators: ``flask --app quizapp users ...`` and ``attempts ...``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from quizapp.attempts import close_overdue_attempts
from quizapp.extensions import db
from quizapp.users import UsernameTaken, create_user
from quizapp.web import current_clock, rules

users_cli = AppGroup("users", help="Manage user accounts.")
attempts_cli = AppGroup("attempts", help="Maintain quiz attempts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
def create_user_command(username: str, password: str, admin: bool) -> None:
    """Create a user (an admin with --admin)."""
    if len(password) < 8:
        raise click.ClickException("a password has at least 8 characters")
    try:
        user = create_user(db.session, username, password, current_clock().now(), is_admin=admin)
    except UsernameTaken:
        db.session.rollback()
        raise click.ClickException(f"the username {username!r} is taken") from None
    db.session.commit()
    click.echo(f"created {'admin ' if admin else ''}user {user.username} (id {user.id})")


@attempts_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close and score every attempt whose deadline has passed."""
    closed = close_overdue_attempts(db.session, current_clock(), rules())
    db.session.commit()
    click.echo(f"closed {closed} overdue attempts")
