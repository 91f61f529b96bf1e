"""A second reference beside the bare hello: the least a signed-in page can cost on this stack.

Flask with Flask-SQLAlchemy and Flask-Login, reading the quizapp's own session cookie (same
secret key) and its ``user`` table, then one more read and a 4 KB template, then COMMIT:
the shape of a question page with nothing of the app in it (no ORM objects, no forms, no
header, no translations).  Served by the same gunicorn settings in the same run, its ratio
to the hello says how much of a target the stack itself leaves to the app.
"""
import os

from flask import Flask
from flask_login import LoginManager, UserMixin, login_required
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, bindparam, select

db = SQLAlchemy()
_user = Table("user", MetaData(), Column("id", Integer, primary_key=True), Column("username", String),
              Column("is_hidden", Boolean), Column("session_version", Integer))
_USER_BY_ID = select(_user.c.id, _user.c.username, _user.c.session_version).where(_user.c.id == bindparam("id"))
_PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ name }}</title></head><body><main>"
         "<h1>{{ name }}</h1>" + "<p>{{ text }}</p>" * 40 + "</main></body></html>")


class _Viewer(UserMixin):
    def __init__(self, user_id: int, username: str) -> None:
        self.id, self.username = user_id, username


def create_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = os.environ["QUIZAPP_SECRET_KEY"]
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["QUIZAPP_DATABASE_URL"]
    db.init_app(app)
    login = LoginManager(app)
    page = app.jinja_env.from_string(_PAGE)

    @login.user_loader
    def load(session_user_id: str):
        # The app's cookie says "id:session_version" (auth/login.load_user): the same check here.
        user_id, _, version = session_user_id.partition(":")
        row = db.session.execute(_USER_BY_ID, {"id": int(user_id)}).first()
        return _Viewer(row.id, row.username) if row and row.session_version == int(version or 0) else None

    @app.get("/")
    @login_required
    def signed_in_page():
        row = db.session.execute(_USER_BY_ID, {"id": 1}).first()
        html = page.render(name=row.username, text="A line of the page, about sixty characters long, give or take.")
        db.session.commit()
        return html

    return app
