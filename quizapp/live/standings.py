"""Standings of a live game, read from its answer rows (nothing else keeps a score)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from quizapp.models.live import PODIUM, REVEAL, LiveAnswer, LiveGame, LivePlayer


def scored_upto(game: LiveGame) -> int:
    """The last position whose points count now: the current one once revealed, else the one before."""
    return game.position if game.state in (REVEAL, PODIUM) else game.position - 1


@dataclass(frozen=True)
class Standing:
    player_id: int
    nickname: str
    score: int
    place: int
    user_id: int | None


def standings(session: Session, game: LiveGame) -> list[Standing]:
    """Every active player, best first: score desc, then time on right answers asc, then who
    joined first (docs/live.md)."""
    upto = scored_upto(game)
    a = LiveAnswer
    score = func.coalesce(func.sum(case((a.position <= upto, a.points), else_=0)), 0)
    right_ms = func.coalesce(func.sum(case((and_(a.position <= upto, a.is_correct), a.elapsed_ms), else_=0)), 0)
    rows = session.execute(
        select(LivePlayer.id, LivePlayer.nickname, LivePlayer.user_id, score.label("score"))
        .outerjoin(a, a.player_id == LivePlayer.id)
        .where(LivePlayer.game_id == game.id, LivePlayer.removed.is_(False))
        .group_by(LivePlayer.id, LivePlayer.nickname, LivePlayer.user_id)
        .order_by(score.desc(), right_ms, LivePlayer.id)).all()
    return [Standing(pid, nick, int(points), place, uid) for place, (pid, nick, uid, points) in enumerate(rows, 1)]


def streaks(session: Session, game: LiveGame) -> dict[int, int]:
    """player id -> their streak after the last scored question."""
    upto = scored_upto(game)
    return dict(session.execute(select(LiveAnswer.player_id, LiveAnswer.streak)
                                .where(LiveAnswer.game_id == game.id, LiveAnswer.position == upto)).all())


def answers_at(session: Session, game_id: int, position: int) -> dict[int, LiveAnswer]:
    return {row.player_id: row for row in session.scalars(
        select(LiveAnswer).where(LiveAnswer.game_id == game_id, LiveAnswer.position == position))}
