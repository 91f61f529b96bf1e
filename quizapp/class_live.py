"""Live games played by a class, in its teacher's reports (issue 18's "live games appear in
its reports").

A host who is a teacher may name one of their own classes when opening a room
(``live_game.class_id``).  The class's page then lists its games, each with a report: every
member who played signed in (``LivePlayer.user_id``) with their right answers out of the
game's questions as accuracy (the mark, as for assignments), their points and their place in
the whole room; everyone else (guests with a nickname only, and signed-in players outside the
class) is listed apart.  A student's report across assignments lists their games in the class
too.  Players the host removed are not in the report (they have no place).

Plain Python over a session; reads only.  No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizapp.classes import members
from quizapp.live.standings import standings
from quizapp.models import SchoolClass, User
from quizapp.models.live import LiveAnswer, LiveGame, LivePlayer


@dataclass(frozen=True)
class GameSummary:
    game: LiveGame
    players: int  # everyone who played (removed players aside), guests included


def games_of_class(session: Session, school_class: SchoolClass) -> list[GameSummary]:
    """The class's live games, the latest first, with how many played each."""
    found = list(session.scalars(select(LiveGame).where(LiveGame.class_id == school_class.id)
                                 .order_by(LiveGame.created_dt.desc(), LiveGame.id.desc())))
    counts = dict(session.execute(
        select(LivePlayer.game_id, func.count()).where(LivePlayer.game_id.in_([g.id for g in found]),
                                                       LivePlayer.removed.is_(False))
        .group_by(LivePlayer.game_id)).all()) if found else {}
    return [GameSummary(game, counts.get(game.id, 0)) for game in found]


def game_of_class(session: Session, school_class: SchoolClass, game_id: int) -> LiveGame | None:
    """The game, if this class played it (else None: the caller says 404)."""
    game = session.get(LiveGame, game_id)
    return game if game is not None and game.class_id == school_class.id else None


@dataclass(frozen=True)
class PlayerRow:
    player_id: int
    user_id: int | None
    name: str  # the username of a member, the nickname of anyone else
    right: int
    questions: int
    points: int
    place: int

    @property
    def accuracy(self) -> float:
        return self.right / self.questions if self.questions else 0.0


@dataclass(frozen=True)
class GameReport:
    game: LiveGame
    students: list[PlayerRow]  # class members who played signed in, by place
    others: list[PlayerRow]  # guests and players outside the class, by place

    @property
    def average_accuracy(self) -> float | None:
        return sum(r.accuracy for r in self.students) / len(self.students) if self.students else None


def _right_by_player(session: Session, game: LiveGame) -> dict[int, int]:
    return dict(session.execute(
        select(LiveAnswer.player_id, func.count()).where(LiveAnswer.game_id == game.id,
                                                         LiveAnswer.is_correct.is_(True))
        .group_by(LiveAnswer.player_id)).all())


def game_report(session: Session, school_class: SchoolClass, game: LiveGame) -> GameReport:
    right = _right_by_player(session, game)
    names = {user.id: user.username for user in members(session, school_class)}
    students, others = [], []
    for standing in standings(session, game):
        in_class = standing.user_id is not None and standing.user_id in names
        row = PlayerRow(standing.player_id, standing.user_id,
                        names[standing.user_id] if in_class else standing.nickname,  # type: ignore[index]
                        right.get(standing.player_id, 0), game.question_count, standing.score, standing.place)
        (students if in_class else others).append(row)
    return GameReport(game, students, others)


@dataclass(frozen=True)
class StudentGameRow:
    game: LiveGame
    row: PlayerRow
    players: int


def student_games(session: Session, school_class: SchoolClass, student: User) -> list[StudentGameRow]:
    """The class's games this student played signed in, the latest first."""
    found = []
    for summary in games_of_class(session, school_class):
        played = session.scalar(select(LivePlayer.id).where(LivePlayer.game_id == summary.game.id,
                                                            LivePlayer.user_id == student.id,
                                                            LivePlayer.removed.is_(False)))
        if played is None:
            continue
        report = game_report(session, school_class, summary.game)
        row = next((r for r in report.students if r.player_id == played), None)
        if row is not None:
            found.append(StudentGameRow(summary.game, row, summary.players))
    return found


def game_table(report: GameReport) -> tuple[list[str], list[list[Any]]]:
    """The game report as a table for CSV and XLSX (a key per column, which the page names in
    the viewer's language; plain values: accuracy as a fraction).  ``in_class`` tells members
    from guests and players outside the class."""
    headers = ["player", "in_class", "right", "questions", "accuracy", "points", "place"]
    table = [[row.name, in_class, row.right, row.questions, round(row.accuracy, 4), row.points, row.place]
             for rows, in_class in ((report.students, True), (report.others, False)) for row in rows]
    return headers, table


__all__ = ["GameReport", "GameSummary", "PlayerRow", "StudentGameRow", "game_of_class", "game_report", "game_table",
           "games_of_class", "student_games"]
