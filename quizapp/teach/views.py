"""``/teach``: a teacher's classes, their members and accounts, assignments and reports.

Only teachers get these pages (anyone else: 404, as if they did not exist), and a teacher
only their own: every class, student and assignment is read through ``classes.class_of_teacher``,
``classes.member_of_class`` or ``assignments.assignment_of_teacher``, which give None for
anything of another teacher's, turned into 404 here.  Thin shells over ``quizapp.classes``,
``quizapp.assignments``, ``quizapp.class_reports`` and ``quizapp.exports``.
"""
from __future__ import annotations

from datetime import timedelta

import segno
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from quizapp import assignment_settings, assignments, class_live, class_reports, classes
from quizapp.context import current_clock
from quizapp.extensions import db
from quizapp.forms import NAME_MESSAGES, redirect_with_errors, refused_forgery, restore_errors
from quizapp.i18n import current_locale
from quizapp.models import Quiz, SchoolClass, User
from quizapp.question_types import get_type, localized
from quizapp.teach import tables
from quizapp.teach.forms import (AccountsForm, ActionForm, AssignmentForm, AssignmentSettingsForm, ClassForm,
                                 OverrideForm)
from quizapp.teach.times import from_local, to_local, viewer_zone

bp = Blueprint("teach", __name__, url_prefix="/teach")
MAX_ID = 2**31 - 1
STARTED_MESSAGE = _l("Students have started this assignment, so it cannot be deleted: their attempts are their "
                     "results. To end it, move its close to now.")


@bp.before_request
def teachers_only():
    if not (current_user.is_authenticated and current_user.is_teacher):
        abort(404)


def _class_or_404(class_id: int) -> SchoolClass:
    found = classes.class_of_teacher(db.session, current_user, class_id) if class_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


def _student_or_404(school_class: SchoolClass, user_id: int) -> User:
    found = classes.member_of_class(db.session, school_class, user_id) if user_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


def _assignment_or_404(assignment_id: int):
    found = assignments.assignment_of_teacher(db.session, current_user, assignment_id) \
        if assignment_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


@bp.get("/")
def index():
    mine = classes.classes_of_teacher(db.session, current_user)
    counts = {c.id: classes.member_count(db.session, c) for c in mine}
    return render_template("teach/index.html", classes=mine, counts=counts, form=ClassForm(formdata=None))


@bp.post("/classes")
def create_class():
    form = ClassForm()
    if not form.validate_on_submit():
        mine = classes.classes_of_teacher(db.session, current_user)
        counts = {c.id: classes.member_count(db.session, c) for c in mine}
        return render_template("teach/index.html", classes=mine, counts=counts, form=form), 400
    created = classes.create_class(db.session, current_user, form.name.data, current_clock().now())
    db.session.commit()
    flash(_("The class %(name)s is ready. Give your students its code.", name=created.name), "success")
    return redirect(url_for("teach.show_class", class_id=created.id))


def join_link(school_class: SchoolClass) -> str:
    return url_for("classroom.join_with_code", code=school_class.join_code, _external=True)


def qr_svg(link: str) -> Markup:
    """The join link as a QR code, drawn on the server as inline SVG (no script, no request)."""
    svg = segno.make(link, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False)
    # Markup is right here: segno draws the SVG from our own link (its code is [A-Z2-9]{7}),
    # and the one text put in, the title, is escaped.
    labelled = svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1).replace(
        ">", '><title id="qr-title">' + str(Markup.escape(_("QR code of the join link"))) + "</title>", 1)
    return Markup(labelled)  # nosec B704


def _class_page(school_class: SchoolClass, *, accounts_form=None, assignment_form=None, status: int = 200):
    now = current_clock().now()
    quizzes = db.session.scalars(select(Quiz).where(Quiz.is_retired.is_(False)).order_by(Quiz.position)).all()
    if assignment_form is None:
        start = to_local(now).replace(second=0, microsecond=0, tzinfo=None)
        assignment_form = AssignmentForm(formdata=None, open_at=start, close_at=start + timedelta(days=7))
    assignment_form.quiz.choices = [SelectChoice(q.id, _localized_title(q)) for q in quizzes]
    link = join_link(school_class)
    given = assignments.assignments_of_class(db.session, school_class)
    return render_template(
        "teach/class.html", school_class=school_class, students=classes.members(db.session, school_class),
        assignments=given, now=now, link=link,
        # Each assignment's figures as its report counts them (the same rows), so the two pages agree.
        progress=class_reports.class_progress(db.session, school_class, given),
        qr=qr_svg(link), code_expired=now >= school_class.code_expires_dt, to_local=to_local,
        accounts_form=accounts_form or AccountsForm(formdata=None), assignment_form=assignment_form,
        action=ActionForm(formdata=None), may_reset=classes.may_reset_password,
        live_games=class_live.games_of_class(db.session, school_class),
        window_state=assignments.window_state), status


def _localized_title(quiz: Quiz) -> str:
    return localized(quiz.title, current_locale())


@bp.get("/classes/<int:class_id>")
def show_class(class_id: int):
    return _class_page(_class_or_404(class_id))


@bp.post("/classes/<int:class_id>/code")
def renew_code(class_id: int):
    school_class = _class_or_404(class_id)
    if ActionForm().validate_on_submit() and not school_class.is_archived:
        classes.renew_code(db.session, school_class, current_clock().now())
        db.session.commit()
        flash(_("A new code is ready; the old one no longer works."), "success")
    return redirect(url_for("teach.show_class", class_id=class_id))


@bp.post("/classes/<int:class_id>/archive")
def archive_class(class_id: int):
    school_class = _class_or_404(class_id)
    if ActionForm().validate_on_submit():
        classes.archive(school_class, current_clock().now())
        db.session.commit()
        flash(_("The class is archived: nobody can join it, and its assignments left the students' pages. "
                "Its reports stay."), "success")
    return redirect(url_for("teach.show_class", class_id=class_id))


@bp.post("/classes/<int:class_id>/accounts")
def make_accounts(class_id: int):
    school_class = _class_or_404(class_id)
    form = AccountsForm()
    if school_class.is_archived:
        abort(404)
    if form.validate_on_submit():
        problem = classes.check_prefix(form.prefix.data)
        if problem is not None:
            form.prefix.errors.append(str(NAME_MESSAGES[problem]))
        else:
            cards = classes.make_accounts(db.session, current_user, school_class, form.prefix.data, form.count.data,
                                          current_clock().now())
            db.session.commit()
            return _cards(school_class, cards)
    return _class_page(school_class, accounts_form=form, status=400)


def _cards(school_class: SchoolClass, cards: list[classes.Card]):
    """The printable cards: the only time these passwords are shown (nothing stores them)."""
    response = Response(render_template("teach/cards.html", school_class=school_class, cards=cards,
                                        login_url=url_for("auth.login", _external=True)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/classes/<int:class_id>/students/<int:user_id>/reset")
def reset_password(class_id: int, user_id: int):
    school_class = _class_or_404(class_id)
    student = _student_or_404(school_class, user_id)
    if not classes.may_reset_password(current_user, student):
        abort(404)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("teach.show_class", class_id=class_id))
    card = classes.reset_password(student)
    db.session.commit()
    return _cards(school_class, [card])


@bp.post("/classes/<int:class_id>/students/<int:user_id>/remove")
def remove_student(class_id: int, user_id: int):
    school_class = _class_or_404(class_id)
    student = _student_or_404(school_class, user_id)
    if ActionForm().validate_on_submit():
        classes.remove_member(db.session, school_class, student)
        db.session.commit()
        flash(_("%(name)s is no longer in the class. Their account and results are kept.", name=student.username),
              "success")
    return redirect(url_for("teach.show_class", class_id=class_id))


@bp.get("/classes/<int:class_id>/students/<int:user_id>")
def student(class_id: int, user_id: int):
    school_class = _class_or_404(class_id)
    who = _student_or_404(school_class, user_id)
    rows = class_reports.student_report(db.session, school_class, who)
    return render_template("teach/student.html", school_class=school_class, student=who, rows=rows,
                           games=class_live.student_games(db.session, school_class, who), to_local=to_local)


def _game_or_404(school_class: SchoolClass, game_id: int):
    found = class_live.game_of_class(db.session, school_class, game_id) if game_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


@bp.get("/classes/<int:class_id>/live/<int:game_id>")
def live_game(class_id: int, game_id: int):
    school_class = _class_or_404(class_id)
    game = _game_or_404(school_class, game_id)
    return render_template("teach/live_game.html", school_class=school_class, to_local=to_local,
                           report=class_live.game_report(db.session, school_class, game))


@bp.get("/classes/<int:class_id>/live/<int:game_id>/report.<any(csv, xlsx):kind>")
def live_export(class_id: int, game_id: int, kind: str):
    school_class = _class_or_404(class_id)
    game = _game_or_404(school_class, game_id)
    keys, rows = class_live.game_table(class_live.game_report(db.session, school_class, game))
    return tables.download(keys, rows, f"{school_class.name} – {_localized_title(game.quiz)}", kind,
                           f"live-game-{game.id}")


@bp.post("/classes/<int:class_id>/assignments")
def create_assignment(class_id: int):
    school_class = _class_or_404(class_id)
    if school_class.is_archived:
        abort(404)
    form = AssignmentForm()
    quizzes = db.session.scalars(select(Quiz).where(Quiz.is_retired.is_(False))).all()
    form.quiz.choices = [SelectChoice(q.id, _localized_title(q)) for q in quizzes]
    if not form.validate_on_submit():
        return _class_page(school_class, assignment_form=form, status=400)
    settings = _settings_from(form)
    if settings.close_dt <= settings.open_dt:  # the zone's clocks went back in between
        form.close_at.errors.append(_("The close must come after the opening."))
        return _class_page(school_class, assignment_form=form, status=400)
    assignment = assignments.create_assignment(db.session, school_class, form.quiz.data, current_clock().now(),
                                               **vars(settings))
    db.session.commit()
    flash(_("The assignment is set."), "success")
    return redirect(url_for("teach.assignment", assignment_id=assignment.id))


def _settings_from(form: AssignmentSettingsForm) -> assignment_settings.Settings:
    return assignment_settings.Settings(
        open_dt=from_local(form.open_at.data), close_dt=from_local(form.close_at.data),
        attempts_allowed=form.attempts_allowed.data, counting=form.counting.data,
        time_limit_s=form.time_limit_min.data * 60 if form.time_limit_min.data else None,
        feedback=form.feedback.data, answers_after=form.answers_after.data, ranking=form.ranking.data)


def _editable_or_404(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    if found.school_class.is_archived:  # as for a new assignment: an archived class is left as it is
        abort(404)
    return found


_SETTINGS_FIELDS = ("open_at", "close_at", "attempts_allowed", "counting", "time_limit_min", "feedback",
                    "answers_after", "ranking")


@bp.get("/assignments/<int:assignment_id>/edit")
def edit_assignment(assignment_id: int):
    found = _editable_or_404(assignment_id)
    limit = found.time_limit_s
    form = AssignmentSettingsForm(
        formdata=None, open_at=to_local(found.open_dt).replace(tzinfo=None),
        close_at=to_local(found.close_dt).replace(tzinfo=None), attempts_allowed=found.attempts_allowed,
        counting=found.counting, time_limit_min=limit // 60 if limit else None, feedback=found.feedback,
        answers_after=found.answers_after, ranking=found.ranking)
    return render_template("teach/edit_assignment.html", assignment=found, form=restore_errors(form, "assignment"),
                           action=ActionForm(formdata=None), started=assignment_settings.is_started(db.session, found),
                           now=current_clock().now())


@bp.post("/assignments/<int:assignment_id>/edit")
def update_assignment(assignment_id: int):
    found = _editable_or_404(assignment_id)
    form = AssignmentSettingsForm()
    here = url_for("teach.edit_assignment", assignment_id=assignment_id)
    if not form.validate_on_submit():
        if refused_forgery(form):
            return redirect(here)
        return redirect_with_errors(form, "assignment", here, keep=_SETTINGS_FIELDS)
    try:
        moved = assignment_settings.change_settings(db.session, found, _settings_from(form))
    except ValueError:  # close after open as typed, not once in UTC (the zone's clocks went back)
        db.session.rollback()
        form.close_at.errors.append(_("The close must come after the opening."))
        return redirect_with_errors(form, "assignment", here, keep=_SETTINGS_FIELDS)
    db.session.commit()
    flash(_("The assignment's settings are saved.") + (" " + ngettext(
        "The deadline of %(num)d running attempt moved with the close.",
        "The deadlines of %(num)d running attempts moved with the close.",
        moved) if moved else ""), "success")
    return redirect(url_for("teach.assignment", assignment_id=assignment_id))


@bp.post("/assignments/<int:assignment_id>/delete")
def delete_assignment(assignment_id: int):
    found = _editable_or_404(assignment_id)
    here = url_for("teach.edit_assignment", assignment_id=assignment_id)
    if not ActionForm().validate_on_submit():
        return redirect(here)
    class_id = found.class_id
    try:
        assignment_settings.delete_assignment(db.session, found)
    except assignment_settings.AssignmentStarted:
        db.session.rollback()
        flash(str(STARTED_MESSAGE), "error")
        return redirect(here)
    db.session.commit()
    flash(_("The assignment is deleted."), "success")
    return redirect(url_for("teach.show_class", class_id=class_id))


def _override_form(assignment, report, formdata=None):
    form = OverrideForm(formdata=formdata) if formdata is not None else OverrideForm(formdata=None)
    form.student.choices = [SelectChoice(row.user_id, row.username) for row in report.rows]
    return form


@bp.get("/assignments/<int:assignment_id>")
def assignment(assignment_id: int, override_form=None, status: int = 200):
    found = _assignment_or_404(assignment_id)
    report = class_reports.assignment_report(db.session, found)
    return render_template("teach/assignment.html", assignment=found, report=report,
                           overrides=assignments.overrides(db.session, found), to_local=to_local,
                           state=assignments.window_state(found, current_clock().now()),
                           # The class board's ranks, as a column of the report (the same rows).
                           ranks={s.user_id: s.rank for s in assignments.class_board(db.session, found, (
                               report.attempts, {row.user_id: row.username for row in report.rows}))},
                           override_form=override_form or _override_form(found, report)), status


@bp.post("/assignments/<int:assignment_id>/overrides")
def set_override(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    report = class_reports.assignment_report(db.session, found)
    form = OverrideForm()
    form.student.choices = [SelectChoice(row.user_id, row.username) for row in report.rows]
    if not form.validate_on_submit():
        return assignment(assignment_id, override_form=form, status=400)
    who = _student_or_404(found.school_class, form.student.data)
    assignments.set_override(db.session, found, who,
                             form.time_limit_min.data * 60 if form.time_limit_min.data else None,
                             form.extra_attempts.data)
    db.session.commit()
    flash(_("The override for %(name)s is saved.", name=who.username), "success")
    return redirect(url_for("teach.assignment", assignment_id=assignment_id))


@bp.get("/assignments/<int:assignment_id>/questions")
def questions(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    locale = current_locale()
    return render_template("teach/questions.html", assignment=found, get_type=get_type,
                           stats=class_reports.question_report(db.session, found, locale),
                           prompt=lambda revision: class_reports.question_prompt(revision, locale))


@bp.get("/assignments/<int:assignment_id>/report.<any(csv, xlsx):kind>")
def export(assignment_id: int, kind: str):
    found = _assignment_or_404(assignment_id)
    keys, rows = class_reports.report_table(class_reports.assignment_report(db.session, found), viewer_zone())
    return tables.download(keys, rows, f"{found.school_class.name} – {_localized_title(found.quiz)}", kind,
                           f"assignment-{found.id}")
