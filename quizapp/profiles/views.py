"""Profile pages: a player's history, bests, accuracy by topic and progress; one's own
page adds changing the password and the display language."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from babel.dates import format_skeleton
from flask_babel import force_locale, format_time, get_locale, get_timezone, gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from werkzeug.security import check_password_hash

from quizapp.auth.login import signed_in_account
from quizapp import tokens
from quizapp.account.forms import RevokeForm
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.forms import redirect_with_errors, refused_forgery, restore_errors
from quizapp.i18n import current_locale
from quizapp.layout import TAG_LABELS
from quizapp.models import User
from quizapp.profiles import stats
from quizapp.profiles.chart import progress_chart
from quizapp.profiles.forms import VISIBILITY_CHOICES, LanguageChoiceForm, PasswordForm, ProfileVisibilityForm
from quizapp.rate_limits import per_user
from quizapp.users import find_user, may_see_profile, set_password

bp = Blueprint("profiles", __name__)

HISTORY_PAGE_SIZE = 20
MODE_LABELS = {"standard": _l("Standard"), "extended": _l("Extended time"), "practice": _l("Practice")}
BOARD_LABELS = {"standard": _l("Standard time"), "extended": _l("Extended time")}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


def _tick_label(moment, with_time: bool) -> str:
    """A date on the chart's axis in the reader's language and zone ("5 дек.", "Dec 5",
    "12月5日"), with the time when the attempts span under two days."""
    day = format_skeleton("MMMd", moment, tzinfo=get_timezone(), locale=get_locale())
    return f"{day}, {format_time(moment, 'short')}" if with_time else day


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


def _refused(form, name: str):
    """A refused settings form: back to the profile at that form, its errors kept, no password."""
    if refused_forgery(form):
        abort(400)
    return redirect_with_errors(form, name, url_for("profiles.show", username=current_user.username,
                                                    _anchor=f"{name}-title"))


def _render(user: User):
    own = current_user.is_authenticated and current_user.id == user.id
    total = stats.finished_count(db.session, user.id)
    pages = max(1, -(-total // HISTORY_PAGE_SIZE))
    page = min(_page_number(), pages)
    points = stats.progress(db.session, user.id)
    context = {
        "user": user, "own": own, "page": page, "pages": pages, "total": total,
        "attempts": stats.history(db.session, user.id, HISTORY_PAGE_SIZE, (page - 1) * HISTORY_PAGE_SIZE),
        "bests": stats.best_per_quiz(db.session, user.id),
        "accuracy": stats.accuracy_by_tag(db.session, user.id),
        "points": points, "chart": progress_chart(points) if points else None, "tick_label": _tick_label,
        "tag_labels": TAG_LABELS, "mode_labels": MODE_LABELS, "board_labels": BOARD_LABELS,
    }
    if own:
        # A refused post came back as a redirect (post/redirect/get): its errors are restored here.
        context["password_form"] = restore_errors(PasswordForm(prefix="password", formdata=None), "password")
        context["language_form"] = restore_errors(LanguageChoiceForm(
            prefix="language", formdata=None, locale=user.locale or current_locale()), "language")
        context["visibility_form"] = restore_errors(ProfileVisibilityForm(
            prefix="visibility", formdata=None, visibility="members" if user.shares_profile else "private"), "visibility")
    headers = {"Cache-Control": "no-store"} if own else {}
    return render_template("profiles/show.html", **context), 200, headers


@bp.get("/users/<username>")
def show(username: str):
    # A profile the viewer may not see is the same 404 as a name nobody has: the page does
    # not tell which names exist.  A visitor who is not signed in sees none, so no lookup.
    viewer = _viewer()
    user = find_user(db.session, username) if viewer is not None and len(username) <= 80 else None
    if user is None or not may_see_profile(viewer, user):
        abort(404)
    if user.username != username:
        return redirect(url_for("profiles.show", username=user.username, **request.args), 301)
    return _render(user)


@bp.get("/profile")
@login_required
def own():
    return redirect(url_for("profiles.show", username=current_user.username))


@bp.post("/profile/password")
@login_required
@per_user("LIMIT_PASSWORD_CHANGES_PER_USER")
def change_password():
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        user = signed_in_account()
        if check_password_hash(user.password_hash, form.current.data):
            set_password(user, form.password.data)
            # Whoever else holds a session of this account (a copied cookie) is signed out;
            # the person who changed the password is signed in again on the new version.
            user.end_all_sessions()
            db.session.commit()
            login_user(user)
            flash(_("Your password is changed. Every other session of your account is signed out."), "success")
            return redirect(url_for("profiles.api_tokens"))
        form.current.errors.append(_("This is not your current password."))
    return _refused(form, "password")


@bp.get("/profile/tokens")
@login_required
def api_tokens():
    """Where a password change leads: API tokens do not depend on the password, so a token made
    by someone who had the session keeps working; this lists them and offers to revoke them all."""
    return render_template("profiles/api_tokens.html", tokens=tokens.active_tokens(db.session, current_user),
                           revoke_form=RevokeForm(formdata=None)), 200, {"Cache-Control": "no-store"}


@bp.post("/profile/tokens/revoke-all")
@login_required
def revoke_all_tokens():
    RevokeForm().validate_on_submit()  # CSRF is checked for every POST; the form has no fields
    if tokens.revoke_all_tokens(db.session, current_user, current_clock().now()):
        db.session.commit()
        flash(_("Every API token of yours is revoked: none of them works any more."), "success")
    return redirect(url_for("profiles.api_tokens"))


@bp.post("/profile/language")
@login_required
def change_language():
    form = LanguageChoiceForm(prefix="language")
    if form.validate_on_submit() and form.locale.data in current_app.config["LANGUAGES"]:
        signed_in_account().locale = form.locale.data
        session["lang"] = form.locale.data
        db.session.commit()
        with force_locale(form.locale.data):  # say it in the language just chosen
            flash(_("Display language saved."), "success@language")
        return redirect(url_for("profiles.show", username=current_user.username, _anchor="language-title"))
    return _refused(form, "language")


@bp.post("/profile/visibility")
@login_required
def change_visibility():
    form = ProfileVisibilityForm(prefix="visibility")
    if form.validate_on_submit() and form.visibility.data in VISIBILITY_CHOICES:
        account = signed_in_account()
        account.shares_profile = VISIBILITY_CHOICES[form.visibility.data]
        db.session.commit()
        flash(_("Saved: your profile can now be seen by every signed-in player.") if account.shares_profile
              else _("Saved: only you can see your profile now."), "success@visibility")
        return redirect(url_for("profiles.show", username=current_user.username, _anchor="visibility-title"))
    return _refused(form, "visibility")
