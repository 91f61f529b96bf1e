"""Personal API tokens: create, look up, revoke.  Plain Python over a session; no Flask.

A token is ``qz_`` + 32 random bytes (URL-safe base64).  Only its SHA-256 (hex) is
stored, with a short display prefix so a user can tell their tokens apart; the token
itself is shown once, when it is created, and cannot be recovered.  Like the other
services these functions ``flush()`` and never ``commit()``.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizapp.models import ApiToken, User

TOKEN_PREFIX = "qz_"
DISPLAY_PREFIX_LENGTH = 9  # "qz_" and six characters: enough to tell tokens apart, too few to guess
NAME_MAX_LENGTH = 60
MAX_ACTIVE_TOKENS = 20
# last_used_dt is refreshed at most this often, so a busy client does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Anything longer is not one of ours; refuse it before hashing.
_MAX_TOKEN_LENGTH = 100


class TooManyTokens(ValueError):
    """The user already has ``MAX_ACTIVE_TOKENS`` active tokens."""


def normalise_name(name: str) -> str:
    """Runs of spaces and anything unprintable (control characters, NUL) become one space."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None))
        .order_by(ApiToken.created_dt.desc(), ApiToken.id.desc())
    ))


def create_token(session: Session, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``: returns the stored record and the token, which is not kept."""
    name = normalise_name(name)[:NAME_MAX_LENGTH]
    if not name:
        raise ValueError("a token needs a name")
    count = session.scalar(select(func.count()).select_from(ApiToken)
                           .where(ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None)))
    if (count or 0) >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens(f"at most {MAX_ACTIVE_TOKENS} active tokens")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token),
                      prefix=token[:DISPLAY_PREFIX_LENGTH], created_dt=now)
    session.add(record)
    session.flush()
    return record, token


def find_token(session: Session, token: str, now: datetime) -> ApiToken | None:
    """The active record for a presented token, or None; notes when it was last used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        return None
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                                   ApiToken.revoked_dt.is_(None)))
    if record is None:
        return None
    if record.last_used_dt is None or now - record.last_used_dt >= LAST_USED_RESOLUTION:
        record.last_used_dt = now
        session.flush()
    return record


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of ``user``'s active tokens.  False when there is no such token of theirs."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id or record.revoked_dt is not None:
        return False
    record.revoked_dt = now
    session.flush()
    return True


def revoke_all_tokens(session: Session, user: User, now: datetime) -> int:
    """Revoke every active token of ``user`` (after a password change, say); how many were."""
    records = active_tokens(session, user)
    for record in records:
        record.revoked_dt = now
    session.flush()
    return len(records)


__all__ = ["DISPLAY_PREFIX_LENGTH", "MAX_ACTIVE_TOKENS", "NAME_MAX_LENGTH", "TOKEN_PREFIX", "TooManyTokens",
           "active_tokens", "create_token", "find_token", "hash_token", "normalise_name", "revoke_all_tokens",
           "revoke_token"]
