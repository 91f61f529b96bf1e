"""The study pages: topics and their facts, the timeline, the review schedule and runs.

The content comes from ``quizapp.learning`` (built from the bank in the database, never
written into a template); review and "practise this" runs are practice attempts served by
the ordinary question pages of ``play``.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_skeleton
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_date, format_time, get_locale, gettext as _
from flask_login import current_user, login_required

from quizapp import learning, practice, study_material
from quizapp.bank.loader import PARAGRAPHS
from quizapp.context import current_clock
from quizapp.extensions import db, limiter
from quizapp.layout import tag_label, zone_name
from quizapp.models import Question
from quizapp.play.forms import StartForm
from quizapp.rate_limits import shared_per_user

bp = Blueprint("study", __name__)

# The pages that compute the signed-in learner's memory of every card (tens of ms of CPU each)
# share one allowance per user, far above what reading them takes.  Signed out, they do not
# compute it and are not counted.
study_pages_limit = shared_per_user("LIMIT_STUDY_PAGES_PER_USER", "study-pages")


def event_date(value: str) -> str:
    """A bank date for people: "1905", "June 2025", "January 7, 2026", in the page's language."""
    parts = study_material.date_key(value)
    if len(parts) == 1:
        return str(parts[0])
    if len(parts) == 2:
        # The locale's own month-and-year form (CLDR's yMMMM): "2025年6月", "2025 ж. маусым",
        # "июнь 2025 г."; a fixed "LLLL y" pattern gave Chinese "六月 2025".
        text = format_skeleton("yMMMM", date(parts[0], parts[1], 1), locale=get_locale())
        return text[:1].upper() + text[1:]
    return format_date(date(*parts), "long")


def moment(value: datetime) -> str:
    """A date and time to the minute, in the page's language and the viewer's zone, named
    ("Dec 3, 2026, 2:12 PM (Almaty, UTC+5)")."""
    text = _("%(date)s, %(time)s", date=format_date(value, "medium"), time=format_time(value, "short"))
    return _("%(time)s (%(zone)s)", time=text, zone=zone_name(value))


def _mastery() -> dict[str, learning.TopicMastery]:
    if not current_user.is_authenticated:
        return {}
    return learning.mastery(db.session, current_user.id, current_clock().now())


def _met() -> set[int]:
    """The questions the viewer has met: only those are asked and offered for practice on
    the public pages (the facts are for everyone)."""
    if not current_user.is_authenticated:
        return set()
    return practice.met_question_ids(db.session, current_user.id)


def _page(template: str, **context: Any) -> str:
    return render_template(template, tag_label=tag_label, event_date=event_date, moment=moment,
                           known_percent=round(learning.MASTERY_RETRIEVABILITY * 100),
                           known_days=round(learning.MASTERY_STABILITY_DAYS), **context)


@bp.app_context_processor
def review_globals() -> dict[str, Any]:
    def review_due_count() -> int:
        """For the home page: how many of the signed-in user's questions are due."""
        if not current_user.is_authenticated:
            return 0
        return learning.due_count(db.session, current_user.id, current_clock().now())

    return {"review_due_count": review_due_count}


@bp.get("/study")
@study_pages_limit
def index():
    sizes = study_material.fact_counts(db.session)  # as many as each topic page states
    return _page("study/index.html", sizes=sizes, mastery=_mastery())


@bp.get("/study/<tag>")
@study_pages_limit
def topic(tag: str):
    sections = study_material.outline(db.session, tag)
    if not sections:
        abort(404)
    return _page("study/topic.html", tag=tag, sections=sections, mastery=_mastery().get(tag), met=_met(),
                 fact_count=sum(len(section.facts) for section in sections))


@bp.get("/source/<int:paragraph>")
def source(paragraph: int):
    """What one paragraph of the article says, fact by fact, in the bank's own words: where
    "Source: paragraph N" leads.  The article itself is not reprinted (docs/learning.md)."""
    if paragraph not in PARAGRAPHS:
        abort(404)
    return _page("study/source.html", paragraph=paragraph, last=PARAGRAPHS.stop - 1, met=_met(),
                 facts=study_material.paragraph_facts(db.session, paragraph),
                 article_title=study_material.ARTICLE_TITLE, article_date=study_material.ARTICLE_DATE)


@bp.get("/timeline")
def timeline():
    return _page("study/timeline.html", events=study_material.timeline(db.session), met=_met())


@bp.get("/review")
@login_required
@study_pages_limit
def review():
    now = current_clock().now()
    cards = learning.card_statuses(db.session, current_user.id, now)
    due = learning.due_count(db.session, current_user.id, now)
    return _page("study/review.html", cards=cards, due=due, now=now, leech_lapses=learning.LEECH_LAPSES,
                 session_size=learning.REVIEW_SESSION_SIZE, leeches=sum(1 for c in cards if c.card.is_leech))


@bp.post("/review/start")
@login_required
def start_review():
    StartForm().validate_on_submit()  # CSRF is checked for every POST; the form has no fields
    try:
        attempt = practice.start_review(db.session, current_user, current_clock().now())
    except practice.NothingToReview:
        db.session.rollback()
        flash(_("Nothing is due for review right now."), "info")
        return redirect(url_for("study.review"))
    db.session.commit()
    return redirect(url_for("play.question", attempt_id=attempt.id))


@bp.post("/practise/<int(max=2147483647):question_id>")  # beyond any id: 404 (SQLite overflows)
@login_required
@limiter.limit("30 per minute", key_func=lambda: f"practise:{current_user.id}")  # per player, counted once signed in
def practise(question_id: int):
    StartForm().validate_on_submit()
    question = db.session.get(Question, question_id)
    if question is None or question.is_retired:
        abort(404)
    try:
        attempt = practice.start_single(db.session, current_user, question.id, current_clock().now())
    except practice.QuestionNotMet:
        # Only questions already met can be practised by id; the others are "not found",
        # as if they did not exist, so ids reveal nothing.
        db.session.rollback()
        abort(404)
    except practice.NothingToReview:
        db.session.rollback()
        flash(_("This question cannot be practised right now."), "error")
        return redirect(url_for("study.timeline"))
    db.session.commit()
    return redirect(url_for("play.question", attempt_id=attempt.id))
