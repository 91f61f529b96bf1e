"""Accounts and their personal API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from quizapp.models.base import Base
from quizapp.names import MAX_KEY_LENGTH, MAX_SKELETON_LENGTH, name_key, name_skeleton

if TYPE_CHECKING:  # attempts.py imports this module for its foreign keys
    from quizapp.models.attempts import Attempt


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    # Set with the username (see ``_keep_name_keys``); what lookups and uniqueness use: one
    # account per name whatever its case, and none that looks like another (quizapp.names).
    username_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), unique=True)
    username_skeleton: Mapped[str] = mapped_column(String(MAX_SKELETON_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_dt: Mapped[datetime]
    locale: Mapped[Optional[str]] = mapped_column(String(8))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hidden users keep their data but are left out of every leaderboard.
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Extended time (WCAG 2.2.1): "standard", "x1.5", "x2" or "untimed"; see modes.TIME_ACCOMMODATIONS.
    time_accommodation: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    # Part of every session's user id (``get_id``); raising it signs out every session made before.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether other signed-in players may see this player's profile.  Off unless the player
    # turns it on: the players are school children (visitors who are not signed in never see it).
    shares_profile: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A teacher runs classes (quizapp.classes); an admin grants it (admin page, ``users create --teacher``).
    is_teacher: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # An account a teacher made (or whose password a teacher reset) has a one-time password:
    # the student must choose their own before anything else (quizapp.classroom).
    must_set_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The teacher who made this account, the only one who may reset its password; None for a
    # player who registered alone (no teacher may take over that account).
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    attempts: Mapped[list["Attempt"]] = relationship(back_populates="user", foreign_keys="Attempt.user_id")
    created_by: Mapped[Optional["User"]] = relationship(remote_side=[id], foreign_keys=[created_by_id])

    @validates("username")
    def _keep_name_keys(self, _field: str, username: str) -> str:
        self.username_key = name_key(username)
        self.username_skeleton = name_skeleton(username)
        return username

    # The four members Flask-Login needs, written out so this module stays Flask-free.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie; the loader (auth/login.load_user) accepts it
        # only while the version is the user's current one.
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self) -> None:
        """Sign out every session of this user (logout, a password change)."""
        self.session_version = (self.session_version or 0) + 1


class ApiToken(Base):
    """A personal API token.  Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_dt: Mapped[datetime]
    last_used_dt: Mapped[Optional[datetime]]
    revoked_dt: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship()

# Only the hidden players (few), so leaving them out of a count costs their number, not everyone's.
Index("ix_user_hidden", User.id, sqlite_where=User.is_hidden.is_(True), postgresql_where=User.is_hidden.is_(True))
