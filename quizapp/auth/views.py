"""Registering, logging in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from quizapp.auth.forms import LoginForm, LogoutForm, RegisterForm
from quizapp.extensions import db, limiter
from quizapp.forms import NAME_TAKEN_MESSAGE
from quizapp.users import UsernameTaken, authenticate, create_user
from quizapp.web import back_or, current_clock

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = create_user(db.session, form.username.data, form.password.data, current_clock().now(),
                               locale=session.get("lang"))  # only a language the visitor chose
        except UsernameTaken:
            # One message for the name itself and for a look-alike of it: the form tells that
            # this name cannot be had, not which name exists.
            db.session.rollback()
            form.username.errors.append(str(NAME_TAKEN_MESSAGE))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Pick a quiz to begin.", name=user.username), "success")
            return back_or(url_for("main.home"))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            if user.locale:
                session["lang"] = user.locale
            flash(_("You are logged in as %(name)s.", name=user.username), "success")
            return back_or(url_for("main.home"))
        # One message whether the name or the password was wrong: no telling which names exist.
        error = _("Wrong username or password.")
    status = 400 if (form.errors or error) else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))
