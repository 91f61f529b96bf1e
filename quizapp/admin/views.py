"""``/admin/users``: find players and hide them from (or show them again on) the leaderboards.
``/admin/attempts``: the attempts held for review as too fast (``quizapp.moderation``), to
clear (they enter the boards) or void (never ranked).  ``/admin/items``: item analysis for
authors (``quizapp.item_analysis``), each question revision's facility and discrimination.

Only admins get these pages; everyone else gets 404, as if they did not exist.  Hiding
deletes nothing: the player's attempts and leaderboard rows stay, and every board filters
hidden players out when it is read (``ranking``), so unhiding puts them straight back."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from quizapp import item_analysis, moderation
from quizapp.admin.forms import DecisionForm, VisibilityForm
from quizapp.context import current_clock, rules
from quizapp.extensions import db
from quizapp.models import Attempt, User
from quizapp.security import back_or
from quizapp.users import names_like

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
MAX_ID = 2**31 - 1


@bp.before_request
def admins_only():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


@bp.get("/users")
def users():
    query = request.args.get("q", "").strip()[:40]
    filters = [names_like(query)] if query else []
    total = int(db.session.scalar(select(func.count()).select_from(User).where(*filters)) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page_number(), pages)
    people = db.session.scalars(select(User).where(*filters).order_by(User.username_key, User.id)
                                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    finished = dict(db.session.execute(
        select(Attempt.user_id, func.count()).where(Attempt.user_id.in_([p.id for p in people]),
                                                    Attempt.finished_dt.is_not(None))
        .group_by(Attempt.user_id)).all()) if people else {}
    here = url_for("admin.users", q=query or None, page=page if page > 1 else None)
    return render_template("admin/users.html", people=people, finished=finished, query=query, page=page,
                           pages=pages, total=total, here=here, form=VisibilityForm(formdata=None))


def _set_flag(user_id: int, flag: str, value: bool, said):
    """An admin's switch on a user (hidden from the boards, a teacher): one form, one conditional
    write, the message ``said(name)`` only when something changed."""
    form = VisibilityForm()
    user = db.session.get(User, user_id) if user_id <= MAX_ID else None
    if user is None:
        abort(404)
    if form.validate_on_submit() and getattr(user, flag) != value:
        setattr(user, flag, value)
        db.session.commit()
        flash(said(user.username), "success")
    return back_or(url_for("admin.users"))


def _set_hidden(user_id: int, hidden: bool):
    return _set_flag(user_id, "is_hidden", hidden, lambda name: (
        _("%(name)s is hidden from the leaderboards. Nothing was deleted.", name=name) if hidden
        else _("%(name)s is shown on the leaderboards again.", name=name)))


def _set_teacher(user_id: int, teacher: bool):
    return _set_flag(user_id, "is_teacher", teacher, lambda name: (
        _("%(name)s is a teacher now and can run classes.", name=name) if teacher
        else _("%(name)s is no longer a teacher. Their classes are kept.", name=name)))


@bp.post("/users/<int:user_id>/teacher")
def make_teacher(user_id: int):
    return _set_teacher(user_id, True)


@bp.post("/users/<int:user_id>/not-teacher")
def unmake_teacher(user_id: int):
    return _set_teacher(user_id, False)


@bp.post("/users/<int:user_id>/hide")
def hide(user_id: int):
    return _set_hidden(user_id, True)


@bp.post("/users/<int:user_id>/unhide")
def unhide(user_id: int):
    return _set_hidden(user_id, False)


# --- attempts held for review ------------------------------------------------------------

TYPE_LABELS = {
    "single": _l("single choice"),
    "multiple": _l("multiple choice"),
    "true_false": _l("true or false"),
    "numeric": _l("number"),
    "year": _l("year"),
    "ordering": _l("ordering"),
    "matching": _l("matching"),
    "text": _l("typed answer"),
}


def seconds(milliseconds: int) -> str:
    """A time to the tenth of a second, in the page's language ("0.2 s", "2,4 с")."""
    return _("%(seconds)s s", seconds=format_decimal(milliseconds / 1000, "0.0"))


@bp.get("/attempts")
def flagged():
    total = moderation.flagged_count(db.session)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page_number(), pages)
    held = moderation.flagged_attempts(db.session, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template("admin/attempts.html", held=held, total=total, page=page, pages=pages,
                           seconds=seconds,
                           type_label=lambda name: str(TYPE_LABELS.get(name, name)))


def _decide(attempt_id: int, clear: bool):
    form = DecisionForm()
    if attempt_id > MAX_ID or db.session.get(Attempt, attempt_id) is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    decided = moderation.decide(db.session, attempt_id, clear, current_user, current_clock().now(), rules().zone)
    if decided is None:
        db.session.rollback()
        flash(_("Attempt %(id)d is not awaiting review (another admin may have decided already). Nothing changed.",
                id=attempt_id), "info")
    else:
        db.session.commit()
        if clear:
            flash(_("Attempt %(id)d by %(name)s is cleared and now on the leaderboards.", id=attempt_id,
                    name=decided.user.username), "success")
        else:
            flash(_("Attempt %(id)d by %(name)s is voided: kept as a record, never ranked.", id=attempt_id,
                    name=decided.user.username), "success")
    return redirect(url_for("admin.flagged"))


@bp.post("/attempts/<int:attempt_id>/clear")
def clear(attempt_id: int):
    return _decide(attempt_id, clear=True)


@bp.post("/attempts/<int:attempt_id>/void")
def void(attempt_id: int):
    return _decide(attempt_id, clear=False)


# --- item analysis for authors -----------------------------------------------------------

FLAG_LABELS = {
    item_analysis.TOO_EASY: _l("too easy"),
    item_analysis.TOO_HARD: _l("too hard"),
    item_analysis.NEGATIVE_DISCRIMINATION: _l("negative discrimination"),
}


@bp.get("/items")
def items():
    # One SQL statement over every counted answer (seconds at a million answers: see
    # bench/item_stats_bench.py); admins only, so it is not cached.
    stats = item_analysis.item_statistics(db.session)
    flagged_only = request.args.get("flagged") == "1"
    flagged_count = sum(1 for stat in stats if stat.flags)
    shown = [stat for stat in stats if stat.flags] if flagged_only else stats
    return render_template("admin/items.html", stats=shown, total=len(stats), flagged_count=flagged_count,
                           flagged_only=flagged_only,
                           share_percent=format_percent(item_analysis.UPPER_LOWER_SHARE / 100),
                           share=lambda value: format_decimal(value, "0.00"),
                           flag_label=lambda flag: str(FLAG_LABELS[flag]),
                           type_label=lambda name: str(TYPE_LABELS.get(name, name)))
