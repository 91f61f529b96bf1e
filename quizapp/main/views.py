"""The home page (the list of quizzes) and the language switcher."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, session
from flask_login import current_user
from sqlalchemy import select

from quizapp import learning, next_steps
from quizapp.assignments import student_assignments
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.main.forms import LanguageForm
from quizapp.models import Quiz
from quizapp.profiles import stats
from quizapp.security import back_or

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    quizzes = db.session.scalars(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position)).all()
    if not current_user.is_authenticated:
        return render_template("main/home.html", quizzes=quizzes, standings={}, running={}, suggestion=None, homework=[])
    now = current_clock().now()
    standings = next_steps.quiz_standings(db.session, current_user.id)
    running = next_steps.running_attempts(db.session, current_user.id, now)

    def weakest():  # read only when nothing comes before it: it is most of the page's cost
        return [(row.tag, row.answered, row.share) for row in stats.accuracy_by_tag(db.session, current_user.id)]

    suggestion = next_steps.suggest(learning.due_count(db.session, current_user.id, now), quizzes, standings,
                                    running, weakest)
    return render_template("main/home.html", quizzes=quizzes, standings=standings, running=running,
                           suggestion=suggestion, now=now, homework=student_assignments(db.session, current_user, now))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return back_or("/")
