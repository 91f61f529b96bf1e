"""Registering, logging in and out."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from quizapp.auth.forms import LoginForm, LogoutForm, RegisterForm
from quizapp.auth.login import signed_in_account
from quizapp.context import current_clock
from quizapp.extensions import db, limiter
from quizapp.forms import NAME_TAKEN_MESSAGE
from quizapp.models import User
from quizapp.rate_limits import address_and_login_name_key, configured, everyone, login_name_key, refused
from quizapp.security import back_or
from quizapp.users import UsernameTaken, authenticate, create_user

bp = Blueprint("auth", __name__)


def sign_in(user: User) -> None:
    """Sign ``user`` in on a fresh session.  Nothing the visitor's session held before survives
    into the signed-in one (the CSRF secret above all: a token planted before login must not
    work after it), except the language the visitor chose."""
    language = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF keeps this request's token in g; the next one is made anew
    if language:
        session["lang"] = language
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
# Each registration runs scrypt: limited per address (with room for a class behind one school
# address) and for everyone at once, so a flood from many addresses cannot starve other visitors.
@limiter.limit(configured("LIMIT_REGISTER_PER_ADDRESS"), methods=["POST"])
@limiter.shared_limit(configured("LIMIT_REGISTER_ALL"), "register-all", key_func=everyone, methods=["POST"])
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
            sign_in(user)
            flash(_("Welcome, %(name)s! Pick a quiz to begin.", name=user.username), "success")
            return back_or(url_for("main.home"))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
# Only refused tries count (``refused``: the page answers 400), so a class behind one address
# can all log in.  Per (address, name) stops one guesser without touching anyone else; per name
# from every address stops guessing spread over many addresses (it can hold up that one
# account, never another); per address over all names stops one address trying many names.
@limiter.limit(configured("LIMIT_LOGIN_FAILURES_PER_ADDRESS_AND_NAME"), methods=["POST"],
               key_func=address_and_login_name_key, deduct_when=refused)
@limiter.limit(configured("LIMIT_LOGIN_FAILURES_PER_NAME"), methods=["POST"], scope="name",
               key_func=login_name_key, deduct_when=refused)
@limiter.limit(configured("LIMIT_LOGIN_FAILURES_PER_ADDRESS"), methods=["POST"], scope="address",
               deduct_when=refused)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        user = authenticate(db.session, form.username.data, form.password.data)
        if user is not None:
            sign_in(user)
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
        # Every session of this user ends, not only this browser's: a copied cookie stops working.
        signed_in_account().end_all_sessions()
        db.session.commit()
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))
