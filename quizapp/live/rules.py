"""A live game's settings and how an answer is scored.  No database, no Flask.

Scoring (docs/live.md): a question is worth ``BASE_POINTS`` × its multiplier (0, 1 or 2).
With speed points a right answer earns between half and all of it, by how soon it came
after the server sent the question; accuracy-only (and every untimed game) earns
``base × credit``.  The optional streak bonus adds 100 per right answer in a row before this
one, at most 500, times the multiplier.  The deadline and its grace are the timed quizzes'
rule (``modes.Rules.grace``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

BASE_POINTS = 1000
STREAK_STEP, STREAK_MAX = 100, 500
MULTIPLIERS = (0, 1, 2)
SPEED, ACCURACY = "speed", "accuracy"
MIN_SECONDS, MAX_SECONDS = 5, 240
MIN_PLAYERS, MAX_PLAYERS = 2, 2000
MAX_AUTO_ADVANCE_S = 60
# The question kinds a phone shows as tiles; a live game plays only these from a quiz.
TILE_TYPES = ("single", "multiple", "true_false")
# Tile i: a colour and a shape, so no player needs to tell colours apart.
TILES = (("red", "triangle"), ("blue", "diamond"), ("yellow", "circle"), ("green", "square"),
         ("purple", "star"), ("teal", "hexagon"), ("orange", "pentagon"), ("pink", "heart"))


class BadSettings(ValueError):
    """A setting out of range; the message says which."""


@dataclass(frozen=True)
class Settings:
    seconds: int | None = 20          # per question; None is untimed
    scoring: str = SPEED
    streak_bonus: bool = False
    multipliers: tuple[int, ...] = field(default_factory=tuple)  # one per question; missing ones are 1
    show_question: bool = True
    auto_advance_s: int | None = None  # seconds after a reveal; None: the host moves on
    max_players: int = 200

    def checked(self) -> Settings:
        if self.seconds is not None and not MIN_SECONDS <= self.seconds <= MAX_SECONDS:
            raise BadSettings(f"seconds must be {MIN_SECONDS}–{MAX_SECONDS} or untimed")
        if self.scoring not in (SPEED, ACCURACY):
            raise BadSettings("scoring must be speed or accuracy")
        if any(m not in MULTIPLIERS for m in self.multipliers):
            raise BadSettings("each multiplier must be 0, 1 or 2")
        if self.auto_advance_s is not None and not 1 <= self.auto_advance_s <= MAX_AUTO_ADVANCE_S:
            raise BadSettings(f"auto-advance must be 1–{MAX_AUTO_ADVANCE_S} seconds")
        if not MIN_PLAYERS <= self.max_players <= MAX_PLAYERS:
            raise BadSettings(f"the room holds {MIN_PLAYERS}–{MAX_PLAYERS} players")
        return self

    def multipliers_for(self, count: int) -> list[int]:
        given = list(self.multipliers[:count])
        return given + [1] * (count - len(given))


def deadline(started: datetime, seconds: int | None) -> datetime | None:
    return None if seconds is None else started + timedelta(seconds=seconds)


def is_late(now: datetime, deadline_dt: datetime | None, grace: timedelta) -> bool:
    """The timed quizzes' rule: an answer after the deadline plus its grace does not count."""
    return deadline_dt is not None and now > deadline_dt + grace


def points(*, credit: float, is_correct: bool, elapsed_s: float, seconds: int | None, scoring: str,
           multiplier: int, streak_before: int, streak_bonus: bool) -> int:
    """The points of one answer.  ``streak_before``: right answers in a row before this one."""
    base = BASE_POINTS * multiplier
    if scoring == SPEED and seconds and is_correct:
        share = min(max(elapsed_s, 0.0), float(seconds)) / seconds
        earned = round(base * (1 - share / 2))
    elif scoring == SPEED and seconds:
        earned = 0  # speed points are for right answers only
    else:
        earned = round(base * credit)
    if streak_bonus and is_correct:
        earned += min(STREAK_STEP * streak_before, STREAK_MAX) * multiplier
    return earned


def tile(index: int) -> tuple[str, str]:
    return TILES[index % len(TILES)]
