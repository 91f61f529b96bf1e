"""Live games: a host runs a quiz for a room that answers in step (docs/live.md).

The database is the record: the game's state and its current question live in ``live_game``
(moved only by compare-and-set updates in ``quizapp.live.games``), every accepted answer is a
``live_answer`` row, written before the player is told it was accepted."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.models.bank import Quiz
from quizapp.models.base import Base
from quizapp.models.users import User
from quizapp.names import MAX_KEY_LENGTH, MAX_SKELETON_LENGTH

# LiveGame.state, in the order a game goes through them (docs/live.md: the state machine).
LOBBY, QUESTION, REVEAL, PODIUM = "lobby", "question", "reveal", "podium"
OPEN_STATES = (LOBBY, QUESTION, REVEAL)

# A code belongs to one open game at a time; a finished game's code may come round again.
OPEN_CODE = Index("uq_live_game_open_code", "code", unique=True,
                  sqlite_where=text("finished_dt IS NULL"), postgresql_where=text("finished_dt IS NULL"))


class LiveGame(Base):
    __tablename__ = "live_game"
    __table_args__ = (OPEN_CODE, Index("ix_live_game_host", "host_id", "created_dt"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6))
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    # The host's class that plays it (chosen on the settings page; None: no class).  Its
    # reports read the game (quizapp.class_live); a deleted class leaves the game unbound.
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school_class.id", ondelete="SET NULL"), index=True)
    plan: Mapped[list[Any]]  # revision ids, in the order they are played
    seed: Mapped[int]
    seconds: Mapped[Optional[int]]  # per question; None is untimed
    scoring: Mapped[str] = mapped_column(String(16), default="speed")  # "speed" or "accuracy"
    streak_bonus: Mapped[bool] = mapped_column(Boolean, default=False)
    multipliers: Mapped[list[Any]]  # 0, 1 or 2, one per question
    show_question: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_advance_s: Mapped[Optional[int]]  # None: the host moves on
    max_players: Mapped[int] = mapped_column(Integer, default=200)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=LOBBY)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question_started_dt: Mapped[Optional[datetime]]
    deadline_dt: Mapped[Optional[datetime]]
    revealed_dt: Mapped[Optional[datetime]]
    created_dt: Mapped[datetime]
    started_dt: Mapped[Optional[datetime]]
    finished_dt: Mapped[Optional[datetime]]

    host: Mapped[User] = relationship()
    quiz: Mapped[Quiz] = relationship()

    @property
    def question_count(self) -> int:
        return len(self.plan)


class LivePlayer(Base):
    __tablename__ = "live_player"
    __table_args__ = (UniqueConstraint("game_id", "nickname_key"), UniqueConstraint("game_id", "nickname_skeleton",
                                                                                     name="uq_live_player_skeleton"),
                      UniqueConstraint("rejoin_code"),
                      Index("ix_live_player_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_game.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    nickname: Mapped[str] = mapped_column(String(40))
    # As for usernames (quizapp.names): the case-folded key and the look-alike skeleton are
    # each unique in a game, so "AIGERIM" and "Aіgerim" (Cyrillic і) are both "Aigerim".
    nickname_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    nickname_skeleton: Mapped[str] = mapped_column(String(MAX_SKELETON_LENGTH))
    token_hash: Mapped[str] = mapped_column(String(64))
    rejoin_code: Mapped[str] = mapped_column(String(8))
    # The language the player's screens are in (the join request's).
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_dt: Mapped[datetime]

    game: Mapped[LiveGame] = relationship()


class LiveAnswer(Base):
    __tablename__ = "live_answer"
    __table_args__ = (UniqueConstraint("player_id", "position"), Index("ix_live_answer_game", "game_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("live_game.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"))
    position: Mapped[int]
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revision.id"))
    response: Mapped[Optional[Any]] = mapped_column(JSON)
    choice: Mapped[list[Any]]  # the tile indexes chosen (the spread is counted from these)
    credit: Mapped[float] = mapped_column(default=0.0)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    points: Mapped[int] = mapped_column(Integer, default=0)
    served_dt: Mapped[datetime]
    answered_dt: Mapped[datetime]
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    # The player's streak with this answer: right answers in a row up to here (0 when wrong).
    # Scores and streaks are read from these rows (quizapp.live.games.standings), never kept apart.
    streak: Mapped[int] = mapped_column(Integer, default=0)

    player: Mapped[LivePlayer] = relationship()
