"""Accounts: creating users and checking passwords.  Plain Python over a session."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from quizapp.models import User

# Checked against when the username is unknown, so a login takes as long either way.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


# Built once: every signed-in request loads its user, and building a statement (or going
# through Session.get) costs more than SQLite takes to answer it.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.execute(_USER_BY_ID, {"id": user_id}).scalar_one_or_none()


class UsernameTaken(ValueError):
    pass


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip()


def find_user(session: Session, username: str) -> User | None:
    name = normalise_username(username)
    if "\x00" in name or len(name) > 40:  # no stored name is like that; PostgreSQL refuses NUL outright
        return None
    return session.scalar(select(User).where(func.lower(User.username) == name.lower()))


def create_user(session: Session, username: str, password: str, now: datetime, *, is_admin: bool = False,
                locale: str | None = None) -> User:
    name = normalise_username(username)
    if find_user(session, name) is not None:
        raise UsernameTaken(name)
    user = User(username=name, password_hash=generate_password_hash(password, method="scrypt"), created_dt=now,
                is_admin=is_admin, is_hidden=False, locale=locale)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise UsernameTaken(name) from None
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password, method="scrypt")
