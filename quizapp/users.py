"""Accounts: creating users and checking passwords.  Plain Python over a session.

What makes a name acceptable is ``quizapp.names``; this module adds what needs the database
(is it, or a name like it, taken?) and the password rules."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from quizapp.models import User
from quizapp.names import MAX_KEY_LENGTH, CheckedName, NameProblem, check_name, name_key, name_skeleton

# Checked against when the username is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


# Built once: every signed-in request loads its user, and building a statement (or going
# through Session.get) costs more than SQLite takes to answer it.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.execute(_USER_BY_ID, {"id": user_id}).scalar_one_or_none()


class UsernameTaken(ValueError):
    """The name, or one that looks like it (``саrol`` beside ``carol``), belongs to someone."""


class InvalidUsername(ValueError):
    def __init__(self, problem: NameProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def find_user(session: Session, username: str) -> User | None:
    """The user of that name, whatever its case or Unicode form (``ＣＡＲＯＬ`` is carol)."""
    key = name_key(username)
    if "\x00" in key or len(key) > MAX_KEY_LENGTH:  # no stored key is like that; PostgreSQL refuses NUL outright
        return None
    return session.scalar(select(User).where(User.username_key == key))


def names_like(query: str) -> ColumnElement[bool]:
    """SQL: the usernames an admin searching for ``query`` means: those containing it whatever
    the case (``иван`` finds ``Иван``), and those that look as if they did (``carol`` finds
    ``саrol``, written with Cyrillic letters)."""
    return or_(User.username_key.contains(name_key(query), autoescape=True),
               User.username_skeleton.contains(name_skeleton(query), autoescape=True))


def may_see_profile(viewer: User | None, owner: User) -> bool:
    """Profiles are private: ``viewer`` (None when not signed in) sees ``owner``'s if it is
    their own, if they are an admin (who looks after the players), or if the owner shares it
    with signed-in players.  A hidden player's is never shared.  A visitor sees none."""
    if viewer is None:
        return False
    if viewer.id == owner.id or viewer.is_admin:
        return True
    return owner.shares_profile and not owner.is_hidden


def name_in_use(session: Session, checked: CheckedName) -> bool:
    return session.scalar(select(User.id).where(or_(User.username_key == checked.key,
                                                    User.username_skeleton == checked.skeleton)).limit(1)) is not None


def create_user(session: Session, username: str, password: str, now: datetime, *, is_admin: bool = False,
                locale: str | None = None) -> User:
    """Raises ``InvalidUsername`` for a name the rules refuse and ``UsernameTaken`` for one
    that is, or looks like, another player's.  The password is not judged here (see
    ``password_problem``): operators and tests may set any."""
    checked = check_name(username)
    if isinstance(checked, NameProblem):
        raise InvalidUsername(checked)
    if name_in_use(session, checked):
        raise UsernameTaken(checked.name)
    user = User(username=checked.name, password_hash=generate_password_hash(password, method="scrypt"),
                created_dt=now, is_admin=is_admin, is_hidden=False, locale=locale)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # registered at the same moment: the unique key or skeleton refuses it
        raise UsernameTaken(checked.name) from None
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password, method="scrypt")


class PasswordProblem(enum.Enum):
    LENGTH = "length"
    USERNAME = "username"
    GUESSABLE = "guessable"


PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 200
# zxcvbn's score: 0 is under 10^3 guesses, 1 under 10^6, 2 under 10^8.  Online guessing is rate
# limited, so 2 ("safe from unthrottled online guessing") is enough, and still refuses every
# common password, keyboard walk, repetition and date.
PASSWORD_MIN_SCORE = 2
# zxcvbn refuses to judge more than this (its time grows with the length); a password longer
# than that is judged by its beginning, which is then already long.
_ESTIMATED_LENGTH = 72


def password_problem(password: str, username: str = "") -> PasswordProblem | None:
    """Why a password is refused, or None.  Besides the length, zxcvbn estimates how many
    guesses it takes (a maintained estimator with lists of common passwords, names and words,
    and patterns), counting the username as a first guess."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        return PasswordProblem.LENGTH
    name = name_key(username) if username else ""
    if name and password.casefold().strip() == name:
        return PasswordProblem.USERNAME
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=[name] if name else [])
    return PasswordProblem.GUESSABLE if estimate["score"] < PASSWORD_MIN_SCORE else None
