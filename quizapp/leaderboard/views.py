"""Leaderboards: each user's best attempt per quiz, in the one ranking order."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Quiz
from quizapp.ranking import RULE_TEXT, entry_rank, participant_count, quiz_standings, user_entry

bp = Blueprint("leaderboard", __name__, url_prefix="/leaderboard")


@bp.get("/<key>")
def quiz_board(key: str):
    quiz = db.session.scalar(select(Quiz).where(Quiz.key == key))
    if quiz is None:
        abort(404)
    page_size = current_app.config["LEADERBOARD_PAGE_SIZE"]
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1
    total = participant_count(db.session, quiz.id)
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    standings = quiz_standings(db.session, quiz.id, limit=page_size, offset=(page - 1) * page_size)
    mine = None
    if current_user.is_authenticated and not current_user.is_hidden:
        entry = user_entry(db.session, quiz.id, current_user.id)
        if entry is not None:
            mine = {"rank": entry_rank(db.session, entry), "entry": entry,
                    "on_page": any(s.user_id == current_user.id for s in standings)}
    return render_template("leaderboard/quiz.html", quiz=quiz, standings=standings, page=page, pages=pages,
                           total=total, mine=mine, rule=RULE_TEXT)
