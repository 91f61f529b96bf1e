"""The home page (the list of quizzes) and the language switcher."""
from __future__ import annotations

import json
from typing import Any, Sequence

from flask import Blueprint, current_app, render_template, session
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Text, cast, select

from quizapp import learning, next_steps
from quizapp.assignments import student_assignments
from quizapp.auth.login import signed_in_account
from quizapp.caching import caches
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.i18n import current_locale
from quizapp.layout import render_fragment
from quizapp.main.forms import LanguageForm
from quizapp.models import Quiz
from quizapp.profiles import stats
from quizapp.security import back_or

bp = Blueprint("main", __name__)

# What the list shows of each quiz, as plain values: the texts as their stored JSON, so that a
# row is hashable (the cache key) and nothing is decoded unless the list is rendered.
_LISTED = select(Quiz.key, cast(Quiz.title, Text), cast(Quiz.description, Text), Quiz.draw_count,
                 Quiz.time_limit_s, Quiz.question_time_limit_s) \
    .where(Quiz.is_retired.is_(False)).order_by(Quiz.position, Quiz.id)


def _quiz_list(rows: Sequence[Any]) -> Markup:
    """The signed-out list of quizzes, kept per (language, the quizzes' rows)."""
    # The list of quizzes was most of the home page's cost: about 30 quizzes, each with three
    # addresses, five translations and three bank texts, every one through Jinja's calls,
    # besides loading every quiz as an ORM object with its JSON decoded.  Signed out it is the
    # same for everyone in one language, so it is kept, keyed by the rows themselves (read for
    # every request: a bank import is a new key, never a stale list).  The signed-out home page
    # went from 0.11x to 0.46x of the signed-in floor's CPU per request (3.8 ms to 0.9 ms;
    # in-process, limiter on, the bench's 21 quizzes plus the bank's, best of 3 rounds of 500
    # requests, 2026-12-05).  Signed in, the list is the player's own (best scores, Continue)
    # and is rendered for each request.
    key = (current_locale(), tuple(rows))
    return caches(current_app).quiz_lists.get_or_make(key, lambda: render_fragment(
        "main/_quiz_list.html", signed_in=False, standings={}, running={},
        quizzes=[dict(key=row[0], title=json.loads(row[1]), description=json.loads(row[2]), draw_count=row[3],
                      time_limit_s=row[4], question_time_limit_s=row[5]) for row in rows]))


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        rows = db.session.connection().execute(_LISTED).all()
        return render_template("main/home.html", quizzes=bool(rows), quiz_list=_quiz_list(rows) if rows else None,
                               suggestion=None, homework=[])
    quizzes = db.session.scalars(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position)).all()
    now = current_clock().now()
    standings = next_steps.quiz_standings(db.session, current_user.id)
    running = next_steps.running_attempts(db.session, current_user.id, now)

    def weakest():  # read only when nothing comes before it: it is most of the page's cost
        return [(row.tag, row.answered, row.share) for row in stats.accuracy_by_tag(db.session, current_user.id)]

    homework = student_assignments(db.session, current_user, now)
    suggestion = next_steps.suggest(learning.due_count(db.session, current_user.id, now), quizzes, standings,
                                    running, weakest, homework)
    return render_template("main/home.html", quizzes=quizzes, signed_in=True, standings=standings, running=running,
                           suggestion=suggestion, now=now, homework=homework)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            signed_in_account().locale = form.lang.data
            db.session.commit()
    return back_or("/")
