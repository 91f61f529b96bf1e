"""What a live game leaves behind: signed-in players' answers move their review schedule
(FSRS, ``quizapp.learning``), the host's history and its CSV, each player's mistakes.  No Flask."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizapp.learning import record_review
from quizapp.live.standings import standings
from quizapp.models import QuestionRevision
from quizapp.models.live import LiveAnswer, LiveGame, LivePlayer
from quizapp.question_types.base import get_type, localized
from quizapp.questions import revision_values, revisions_values


def feed_reviews(session: Session, game: LiveGame, position: int) -> None:
    """On a question's close (the reveal, never before: the schedule would tell right from
    wrong mid-question): each signed-in player's answer moves their card for the question."""
    revision = revision_values(session, game.plan[position])
    assert revision is not None
    rows = session.execute(
        select(LiveAnswer, LivePlayer.user_id).join(LivePlayer, LivePlayer.id == LiveAnswer.player_id)
        .where(LiveAnswer.game_id == game.id, LiveAnswer.position == position, LivePlayer.user_id.is_not(None))
        .order_by(LiveAnswer.id)).all()
    for row, user_id in rows:
        record_review(session, user_id, revision.question_id, is_correct=row.is_correct,
                      elapsed_s=row.elapsed_ms / 1000, allowed_s=float(game.seconds) if game.seconds else None,
                      at=row.answered_dt)


def hosted_games(session: Session, host_id: int, limit: int = 50) -> list[LiveGame]:
    return list(session.scalars(select(LiveGame).where(LiveGame.host_id == host_id)
                                .order_by(LiveGame.created_dt.desc(), LiveGame.id.desc()).limit(limit)))


def results(session: Session, game: LiveGame, locale: str) -> dict[str, Any]:
    """Every player's answer to every question: the host's history page and its CSV."""
    revisions = revisions_values(session, game.plan)
    questions = [localized(revisions[rid].content["text"], locale) for rid in game.plan]
    answers: dict[tuple[int, int], LiveAnswer] = {(a.player_id, a.position): a for a in session.scalars(
        select(LiveAnswer).where(LiveAnswer.game_id == game.id))}
    rows = []
    for standing in standings(session, game):
        cells = []
        for position, rid in enumerate(game.plan):
            answer = answers.get((standing.player_id, position))
            revision = revisions[rid]
            cells.append(None if answer is None else {
                "text": get_type(revision.type).format_response(revision.content, answer.response, locale),
                "right": answer.is_correct, "points": answer.points, "ms": answer.elapsed_ms})
        rows.append({"place": standing.place, "nickname": standing.nickname, "score": standing.score, "cells": cells})
    return {"questions": questions, "rows": rows}


def results_csv(table: dict[str, Any]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["place", "nickname", "score"]
    for number in range(1, len(table["questions"]) + 1):
        head += [f"q{number} answer", f"q{number} right", f"q{number} points", f"q{number} ms"]
    writer.writerow(head)
    for row in table["rows"]:
        line = [row["place"], _cell(row["nickname"]), row["score"]]
        for cell in row["cells"]:
            line += ["", "", 0, ""] if cell is None else [_cell(cell["text"]), int(cell["right"]), cell["points"], cell["ms"]]
        writer.writerow(line)
    yield out.getvalue()


def _cell(text: str) -> str:
    # A cell a spreadsheet would run as a formula is quoted (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def mistakes(session: Session, game: LiveGame, player: LivePlayer) -> list[int]:
    """The question ids this player missed or got wrong among the questions played."""
    played = range(0, min(game.position + 1, game.question_count))
    right = set(session.scalars(select(LiveAnswer.position).where(LiveAnswer.player_id == player.id,
                                                                  LiveAnswer.is_correct.is_(True))))
    wanted = [game.plan[p] for p in played if p not in right]
    ids = dict(session.execute(select(QuestionRevision.id, QuestionRevision.question_id)
                               .where(QuestionRevision.id.in_(wanted))).all())
    return [ids[rid] for rid in wanted if rid in ids]


def mistake_items(session: Session, game: LiveGame, player: LivePlayer, locale: str) -> list[dict[str, str]]:
    """What the player missed, each with its right answer: the end screen's list (after the game only)."""
    missed = set(mistakes(session, game, player))
    revisions = revisions_values(session, game.plan)
    items = []
    for revision_id in game.plan:
        revision = revisions.get(revision_id)
        if revision is not None and revision.question_id in missed:
            items.append({"text": localized(revision.content["text"], locale),
                          "answer": get_type(revision.type).format_answer(revision.content, locale)})
    return items
