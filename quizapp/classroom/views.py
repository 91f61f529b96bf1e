"""A student's side of classes: ``/join`` (with the code, typed or from the link or QR code),
``/first-password`` (an account a teacher made chooses its own password before anything
else) and ``/assignments/<id>`` (the rules, the attempts so far, start, the class's board).

Thin shells over ``quizapp.classes`` and ``quizapp.assignments``.  An assignment of a class
the student is not in is "not found", as everywhere here.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required

from quizapp import assignments, classes
from quizapp.attempts import QuizUnavailable
from quizapp.classroom.forms import FirstPasswordForm, JoinForm, StartForm
from quizapp.context import current_clock, rules
from quizapp.auth.login import signed_in_account
from quizapp.extensions import db, limiter
from quizapp.rate_limits import configured, per_user, refused

bp = Blueprint("classroom", __name__)
MAX_ID = 2**31 - 1

JOIN_MESSAGES = {
    classes.JoinProblem.UNKNOWN: _l("No class has this code. Check it with your teacher."),
    classes.JoinProblem.EXPIRED: _l("This code has expired. Ask your teacher for a new one."),
    classes.JoinProblem.ARCHIVED: _l("This class is archived: it takes no new students."),
    classes.JoinProblem.OWN_CLASS: _l("You teach this class."),
    classes.JoinProblem.ALREADY: _l("You are in this class already."),
}
START_MESSAGES = {
    assignments.NotOpen: _l("This assignment is not open yet."),
    assignments.Closed: _l("This assignment is closed."),
    assignments.NoAttemptsLeft: _l("You have used every attempt of this assignment."),
    assignments.OtherAttemptRunning: _l("You have an attempt at this quiz running outside the assignment. "
                                        "Finish it first."),
    QuizUnavailable: _l("This quiz cannot be started right now."),
}
# Where a student with a one-time password may still go (everything else leads to the form).
_OPEN_TO_ONE_TIME = {"classroom.first_password", "auth.logout", "static", "main.set_language"}


@bp.before_app_request
def one_time_password_first():
    # The endpoint first: a static file never loads the user.
    if (request.endpoint not in _OPEN_TO_ONE_TIME and not request.path.startswith("/api/")
            and current_user.is_authenticated and current_user.must_set_password):
        return redirect(url_for("classroom.first_password"))
    return None


@bp.route("/first-password", methods=["GET", "POST"])
@login_required
def first_password():
    if not current_user.must_set_password:
        return redirect(url_for("main.home"))
    form = FirstPasswordForm()
    if form.validate_on_submit():
        classes.choose_password(signed_in_account(), form.password.data)
        db.session.commit()
        flash(_("Your password is set. From now on, log in with it."), "success")
        return redirect(url_for("main.home"))
    return render_template("classroom/first_password.html", form=form), 400 if form.errors else 200


def _join(form: JoinForm):
    try:
        joined = classes.join(db.session, current_user, form.code.data, current_clock().now())
    except classes.JoinRefused as refused:
        db.session.rollback()
        form.code.errors.append(str(JOIN_MESSAGES[refused.problem]))
        return render_template("classroom/join.html", form=form), 400
    db.session.commit()
    flash(_("You joined %(name)s.", name=joined.name), "success")
    return redirect(url_for("main.home"))


# Refused codes only, per user and per address (see rate_limits.py): a 7-letter code is
# out of reach of a guesser at these rates, and a class joining at once is not counted.
@bp.route("/class/join", methods=["GET", "POST"])
@login_required
@per_user("LIMIT_CLASS_JOIN_FAILURES_PER_USER", methods=["POST"], deduct_when=refused, scope="class-join-user")
@limiter.limit(configured("LIMIT_CLASS_JOIN_FAILURES_PER_ADDRESS"), methods=["POST"], deduct_when=refused,
               scope="class-join-address")
def join():
    form = JoinForm()
    if form.validate_on_submit():
        return _join(form)
    return render_template("classroom/join.html", form=form), 400 if form.errors else 200


@bp.get("/class/join/<code>")
@login_required
def join_with_code(code: str):
    """The join link (and QR code): the form, filled in, to confirm with one press."""
    return render_template("classroom/join.html", form=JoinForm(formdata=None, code=classes.normalise_code(code)))


def _assignment_or_404(assignment_id: int):
    found = assignments.assignment_of_student(db.session, current_user, assignment_id) \
        if assignment_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


@bp.get("/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    now = current_clock().now()
    taken = assignments.attempts_of(db.session, found, current_user.id)
    terms = assignments.terms_for(db.session, found, current_user.id)
    return render_template("classroom/assignment.html", assignment=found, taken=taken, terms=terms,
                           state=assignments.window_state(found, now), left=terms.attempts_left(len(taken)),
                           counted=assignments.counted_attempt(taken, found.counting),
                           running=next((a for a in taken if a.finished_dt is None), None),
                           answers_shown=found.answers_after != "close" or now >= found.close_dt,
                           board=assignments.class_board(db.session, found), form=StartForm(formdata=None))


@bp.post("/assignments/<int:assignment_id>/start")
@login_required
def start(assignment_id: int):
    found = _assignment_or_404(assignment_id)
    StartForm().validate_on_submit()  # CSRF is checked for every POST; the form has no fields
    try:
        attempt = assignments.start(db.session, current_user, found, current_clock(), rules=rules())
    except tuple(START_MESSAGES) as refused:
        db.session.rollback()
        flash(str(START_MESSAGES[type(refused)]), "error")
        return redirect(url_for("classroom.assignment", assignment_id=assignment_id))
    db.session.commit()
    return redirect(url_for("play.question", attempt_id=attempt.id))
