"""The home page (the list of quizzes) and the language switcher."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, session
from flask_login import current_user
from sqlalchemy import select

from quizapp.assignments import student_assignments
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.main.forms import LanguageForm
from quizapp.models import Quiz
from quizapp.security import back_or

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    quizzes = db.session.scalars(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position)).all()
    homework = student_assignments(db.session, current_user, current_clock().now()) \
        if current_user.is_authenticated else []
    return render_template("main/home.html", quizzes=quizzes, homework=homework)


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return back_or("/")
