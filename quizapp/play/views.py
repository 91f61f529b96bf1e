"""Taking a quiz in the browser: start, one question per page, feedback, results."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, pgettext
from flask_login import current_user, login_required
from sqlalchemy import select

from quizapp import attempts, practice
from quizapp.caching import caches
from quizapp.context import current_clock, rules
from quizapp.extensions import db
from quizapp.i18n import current_locale
from quizapp.models import Attempt, Quiz
from quizapp.question_types import localized
from quizapp.modes import RunPurpose, answers_shown, feedback_each_answer
from quizapp.layout import cached_page
from quizapp.play.forms import StartForm, answer_fields, answer_form, served_key
from quizapp.question_types import InvalidResponse, get_type
from quizapp.ranking import attempt_standing
from quizapp.rate_limits import per_user

bp = Blueprint("play", __name__)


def _quiz_or_404(key: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.key == key, Quiz.is_retired.is_(False)))
    if quiz is None:
        abort(404)
    return quiz


def run_title(attempt: Attempt) -> str:
    """What a run is called on its pages: a review session is "Review", whatever quiz it is
    filed under; "practise this" is "Practice"; the rest carry their quiz's title."""
    if attempt.purpose == RunPurpose.REVIEW:
        return pgettext("spaced repetition", "Review")
    if attempt.purpose == RunPurpose.SINGLE:
        return _("Practice")
    if attempt.purpose == RunPurpose.MISTAKES:
        return _("Practice: %(quiz)s", quiz=localized(attempt.quiz.title, current_locale()))
    return localized(attempt.quiz.title, current_locale())


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    attempt = attempts.get_attempt(db.session, attempt_id)
    # Someone else's attempt is "not found", not "forbidden": ids reveal nothing.
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.post("/quiz/<key>/start")
@login_required
def start(key: str):
    quiz = _quiz_or_404(key)
    StartForm().validate_on_submit()  # CSRF is checked for every POST; the form has no fields
    try:
        attempt = attempts.start_attempt(db.session, current_user, quiz, current_clock(), rules=rules())
    except attempts.QuizUnavailable:
        db.session.rollback()
        flash(_("This quiz cannot be started right now."), "error")
        return redirect(url_for("main.home"))
    db.session.commit()
    return redirect(url_for("play.question", attempt_id=attempt.id))


# One address, two views: the answer limit is for POSTs, and a route that has a limit runs the
# limiter's checks on each of its requests, whatever the method (the decorator's and the app's),
# GETs included.  With the GET on a view of its own and no limit, the question page went from
# 0.27x to 0.30x of the signed-in floor's CPU per request (+11%; in-process, limiter on, best of
# 5 rounds of 400 requests, 2026-12-05; the limiter was 7-10% of the page in profiles).
@bp.get("/attempt/<int(max=2147483647):attempt_id>")
@login_required
def question(attempt_id: int):
    return _question_page(attempt_id)


@bp.post("/attempt/<int(max=2147483647):attempt_id>")
@login_required
# Per player, not per attempt: a rival's posts to this attempt id count against the rival.
@per_user("LIMIT_ANSWERS_PER_USER")
def answer(attempt_id: int):
    return _question_page(attempt_id)


def _question_page(attempt_id: int):
    """The current question (GET), or an answer to it (POST)."""
    attempt = _own_attempt_or_404(attempt_id)
    clock = current_clock()
    was_at = None if attempt.is_finished else attempt.current_position
    served = attempts.current_question(db.session, attempt, clock, rules(), revisions=caches(current_app).revisions)
    if request.method == "GET" or served is None:
        db.session.commit()  # serving a question starts its clock: keep that even if nothing else happens
    if served is None:
        if request.method == "POST":
            flash(_("Time is up. Answers sent after the deadline are not counted."), "info")
        return redirect(url_for("play.result", attempt_id=attempt.id))
    if request.method == "GET" and was_at is not None and served.position > was_at:
        # The question's own time ran out while the player was away: say so, never skip silently.
        return _timed_out(attempt, was_at)
    # A POST commits once, at the end, whatever the outcome: the question's clock (started
    # above if this is its first serving) is kept even when the answer itself is refused,
    # and nothing else is written unless the answer is recorded.
    locale = current_locale()
    form = None  # a page with nothing sent needs no form object: its fields come from the cache
    status = 200
    if request.method == "POST":
        form = answer_form(served, locale)
        position = _posted_position()
        if position is None:
            db.session.commit()
            abort(400)
        if position != served.position:
            try:
                outcome = attempts.replay_or_refuse(db.session, attempt, position)
            except attempts.NotCurrentQuestion:
                db.session.commit()
                flash(_("That answer was for another question. Here is the current one."), "error")
                return redirect(url_for("play.question", attempt_id=attempt.id))
            # A repeat of an answer already recorded (a double click, the back button): nothing changes.
            db.session.commit()
            return _after_answer(attempt, outcome.row.position)
        if request.form.get("timeout") == "1" and not form.validate():
            # The countdown reached zero before an answer was chosen.
            closed = attempts.time_out_current(db.session, attempt, clock, rules())
            db.session.commit()
            if closed and not _ran_out(attempt) and (attempt.quiz.feedback == "immediate" or not attempt.is_finished):
                return _timed_out(attempt, position)
            return redirect(url_for("play.result" if attempt.is_finished else "play.question", attempt_id=attempt.id))
        if form.validate_on_submit():
            try:
                outcome = attempts.submit_answer(db.session, served, form.answer.data, clock, rules=rules())
            except InvalidResponse as error:
                form.answer.errors = [_(str(error))]
            except attempts.AttemptClosed:
                db.session.commit()
                return redirect(url_for("play.result", attempt_id=attempt.id))
            else:
                db.session.commit()
                if outcome.timed_out:
                    flash(_("Time was up for that question; the answer was not counted."), "info")
                return _after_answer(attempt, position)
        db.session.commit()
        status = 400
    run_name = run_title(attempt)

    def context() -> dict:
        return dict(attempt=attempt, run_name=run_name, quiz=attempt.quiz, served=served,
                    answer_fields=answer_fields(served, locale, form), now=clock.now())

    if form is None and served.deadline_dt is None:
        # Nothing sent and no clock on the page: the whole page is kept, keyed by all it shows
        # (the contract at the top of play/question.html).  The question page went from
        # 0.30-0.32x to 0.36-0.41x of the signed-in floor's CPU per request (+25-30%; in-process,
        # limiter on, the bench's data, 3 interleaved pairs of runs, 2026-12-05 17:13 UTC).
        return cached_page("play/question.html", (run_name, attempt.mode, served.position, attempt.question_count,
                                                  served_key(served, locale)), context)
    return render_template("play/question.html", **context()), status


def _posted_position() -> int | None:
    raw = request.form.get("position", "")
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


def _ran_out(attempt: Attempt) -> bool:
    """Whether the quiz's own time ended the attempt (finish_attempt dates it at the deadline)."""
    return attempt.deadline_dt is not None and attempt.finished_dt is not None \
        and attempt.finished_dt >= attempt.deadline_dt


def _timed_out(attempt: Attempt, position: int):
    """Question ``position`` ran out of time: with immediate feedback its feedback page says so
    and shows the right answer; otherwise the next question says so."""
    if feedback_each_answer(attempt):
        return redirect(url_for("play.feedback", attempt_id=attempt.id, position=position))
    flash(_("Time ran out for question %(n)d: it counts as unanswered.", n=position + 1), "info")
    return redirect(url_for("play.question", attempt_id=attempt.id))


def _after_answer(attempt: Attempt, position: int):
    if feedback_each_answer(attempt):
        return redirect(url_for("play.feedback", attempt_id=attempt.id, position=position))
    if attempt.is_finished:
        return redirect(url_for("play.result", attempt_id=attempt.id))
    return redirect(url_for("play.question", attempt_id=attempt.id))


@bp.get("/attempt/<int(max=2147483647):attempt_id>/feedback/<int(max=100000):position>")
@login_required
def feedback(attempt_id: int, position: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not attempts.shows_feedback_now(attempt) or not answers_shown(attempt, current_clock().now()):
        abort(404)  # feedback at the end: nothing about an answer until the attempt is over
    rows = {row.position: (row, revision) for row, revision in attempts.review(db.session, attempt)}
    if position not in rows or (rows[position][0].answered_dt is None and not rows[position][0].timed_out):
        abort(404)  # feedback exists only for a question already answered
    row, revision = rows[position]
    if attempts.not_reached(row):
        abort(404)  # never shown, so never revealed
    # The quiz's clock runs while the player reads (docs/scoring.md): the page shows what is left.
    clock = current_clock()
    if attempts.close_if_expired(db.session, attempt, clock, rules()):
        db.session.commit()
    return render_template("play/feedback.html", attempt=attempt, run_name=run_title(attempt), quiz=attempt.quiz, row=row,
                           revision=revision, get_type=get_type, locale=current_locale(), now=clock.now())


@bp.get("/attempt/<int(max=2147483647):attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not attempts.close_if_expired(db.session, attempt, current_clock(), rules()):
        db.session.rollback()
        return redirect(url_for("play.question", attempt_id=attempt.id))
    db.session.commit()
    standing = attempt_standing(db.session, attempt)
    # An assignment may keep the answers until its close: the score shows, the review not yet.
    rows = attempts.review(db.session, attempt) if answers_shown(attempt, current_clock().now()) else []
    return render_template("play/result.html", attempt=attempt, run_name=run_title(attempt), quiz=attempt.quiz, rows=rows,
                           standing=standing, ran_out=_ran_out(attempt),
                           mistakes=sum(1 for row, _ in rows if not row.is_correct and not attempts.not_reached(row)),
                           get_type=get_type, locale=current_locale(), practice_form=StartForm())


@bp.post("/attempt/<int(max=2147483647):attempt_id>/practice")
@login_required
def practise_mistakes(attempt_id: int):
    source = _own_attempt_or_404(attempt_id)
    StartForm().validate_on_submit()
    if not source.is_finished or not answers_shown(source, current_clock().now()):
        abort(404)
    try:
        run = practice.start_practice(db.session, current_user, source, current_clock())
    except attempts.QuizUnavailable:
        db.session.rollback()
        flash(_("There are no mistakes to practise in that attempt."), "info")
        return redirect(url_for("play.result", attempt_id=source.id))
    db.session.commit()
    return redirect(url_for("play.question", attempt_id=run.id))
