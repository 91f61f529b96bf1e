"""What each side of a live game is sent (docs/live.md, "Server → client").

These are the only builders of socket payloads, so the leak rule lives here: before the
reveal, nothing a player is sent says which tile is right (``tests/test_live_leak.py`` scans
every message).  Localised text is picked per player (``LivePlayer.locale``).  No Flask."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from quizapp.live import games, rules
from quizapp.live.standings import Standing, answers_at, standings, streaks
from quizapp.models.live import PODIUM, QUESTION, REVEAL, LiveGame, LivePlayer
from quizapp.question_types.base import get_type, localized
from quizapp.question_types.choice import TRUE_FALSE_LABELS
from quizapp.questions import RevisionValues, revision_values

TOP = 5


class Snapshot:
    """One read of a game for one broadcast: standings, streaks, the revision and the reveal
    are read once and shared by every player's message."""

    def __init__(self, session: Session, game: LiveGame, now: datetime) -> None:
        self.game, self.now = game, now
        self.revision: RevisionValues | None = None
        self.order: list[str] = []
        if game.state in (QUESTION, REVEAL) or (game.state == PODIUM and game.started_dt is not None):
            self.revision = revision_values(session, game.plan[game.position])
            assert self.revision is not None
            self.order = games.tile_order(game, game.position, self.revision)
        self.standings = standings(session, game) if game.state != QUESTION else standings(session, game)
        self.by_player = {row.player_id: row for row in self.standings}
        self.streaks = streaks(session, game)
        self.answers = answers_at(session, game.id, game.position) if self.revision is not None else {}
        self.players = len(self.standings)
        self.right: list[int] | None = None
        self.spread: list[int] | None = None
        if game.state == REVEAL and self.revision is not None:
            self.right = games.right_tiles(self.revision, self.order)
            self.spread = [0] * len(self.order)
            for row in self.answers.values():
                for index in row.choice:
                    if 0 <= index < len(self.spread):
                        self.spread[index] += 1

    def top(self, count: int) -> list[dict[str, Any]]:
        return [{"nickname": row.nickname, "score": row.score, "place": row.place} for row in self.standings[:count]]

    def question(self, locale: str, with_text: bool) -> dict[str, Any] | None:
        if self.revision is None or self.game.state == PODIUM:
            return None
        content = self.revision.content
        if self.revision.type == "true_false":
            labels = list(TRUE_FALSE_LABELS.get(locale, TRUE_FALSE_LABELS["en"]))
        else:
            labels = [localized(content["options"][key], locale) for key in self.order]
        remaining = None
        if self.game.state == QUESTION and self.game.deadline_dt is not None:
            remaining = max(0, int((self.game.deadline_dt - self.now).total_seconds() * 1000))
        tiles = []
        for index, label in enumerate(labels):
            colour, shape = rules.tile(index)
            tiles.append({"index": index, "text": label, "colour": colour, "shape": shape})
        return {"position": self.game.position, "type": self.revision.type,
                "text": localized(content["text"], locale) if with_text else None,
                "tiles": tiles, "multiple": self.revision.type == "multiple", "remaining_ms": remaining,
                "seconds": self.game.seconds, "multiplier": self.game.multipliers[self.game.position]}

    def _mine(self, player: LivePlayer) -> dict[str, Any]:
        row: Standing | None = self.by_player.get(player.id)
        return {"id": player.id, "nickname": player.nickname, "rejoin_code": player.rejoin_code,
                "score": row.score if row else 0, "place": row.place if row else None,
                "streak": self.streaks.get(player.id, 0)}

    def for_player(self, player: LivePlayer) -> dict[str, Any]:
        game = self.game
        message: dict[str, Any] = {
            "state": game.state, "position": game.position, "count": game.question_count,
            "me": self._mine(player), "question": self.question(player.locale, game.show_question),
            "answered": player.id in self.answers if game.state == QUESTION else None,
            "reveal": None, "podium": None, "players": self.players}
        if game.state == REVEAL:
            row = self.answers.get(player.id)
            message["reveal"] = {"position": game.position, "right": self.right, "spread": self.spread,
                                 "top": self.top(TOP),
                                 "mine": {"answered": row is not None, "right": bool(row and row.is_correct),
                                          "points": row.points if row else 0, "choice": row.choice if row else []}}
        if game.state == PODIUM:
            mine = self.by_player.get(player.id)
            message["podium"] = {"top": self.top(3), "mine": {"place": mine.place if mine else None,
                                                              "score": mine.score if mine else 0,
                                                              "of": self.players}}
        return message

    def for_host(self, locale: str, players: list[LivePlayer], join_url: str) -> dict[str, Any]:
        game = self.game
        message: dict[str, Any] = {
            "state": game.state, "position": game.position, "count": game.question_count,
            "code": game.code, "join_url": join_url, "locked": game.locked, "max_players": game.max_players,
            "players": [{"id": p.id, "nickname": p.nickname} for p in players],
            "question": self.question(locale, True), "answers": len(self.answers),
            "auto_advance_s": game.auto_advance_s, "reveal": None, "podium": None}
        if game.state == REVEAL:
            message["reveal"] = {"position": game.position, "right": self.right, "spread": self.spread,
                                 "top": self.top(TOP)}
        if game.state == PODIUM:
            message["podium"] = {"top": self.top(3), "of": self.players}
        return message
