"""Spaced repetition in a real browser: a mistake in a quiz becomes due for review, and
answering it right in a review session takes it out of what is due."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quizapp import attempts, learning
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Attempt, Question

from browser_helpers import answer_on_page, no_axe_violations, register_in_browser
from helpers import form_data

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(both_sizes):
    return both_sizes

QUESTIONS = Path(__file__).parent.parent / "questions"
_axe = Axe()


@pytest.fixture(autouse=True)
def exact_scheduler(monkeypatch):
    monkeypatch.setattr(learning, "SCHEDULER", learning.make_scheduler(enable_fuzzing=False))


def answer_now(server, attempt_id: int, right: bool):
    """The question on screen (its key and type) and an answer to it, read from the server's side."""
    with server.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        served = attempts.current_question(db.session, attempt, server.app.extensions["quizapp.clock"])
        key = db.session.get(Question, served.revision.question_id).key
        db.session.commit()
        return key, served.revision.type, form_data(served, right)


def attempt_id_of(page: Page) -> int:
    return int(re.search(r"/attempt/(\d+)", page.url).group(1))


def test_a_review_session_gives_feedback_card_by_card(page: Page, live_server, shot):
    """Two mistakes in a quiz are due; a review session serves them one at a time, and after
    each answer says right or wrong, with the right answer, the explanation and the source
    paragraph (a link that leads to that paragraph's facts).  The session is "Review", not the
    quiz it is filed under, and its results lead back to the schedule, not to a leaderboard."""
    base, server_clock = live_server.url, live_server.app.extensions["quizapp.clock"]
    size = page.viewport_size["width"]
    register_in_browser(page, base, "reviewer")
    expect(page.locator("main")).not_to_contain_text("due for review")  # a new player is told where to start

    # A quiz with two questions answered wrongly (feedback only at its end).
    page.locator("li.quiz-card", has_text="Every type").get_by_role("button", name="Start").click()
    attempt_id = attempt_id_of(page)
    missed = []
    for number in range(1, 9):
        expect(page.get_by_text(f"Question {number} of 8")).to_be_visible()
        key, kind, data = answer_now(live_server, attempt_id, right=number not in (3, 5))
        if number in (3, 5):
            missed.append(key)
        server_clock.advance(10)
        answer_on_page(page, kind, data)
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()

    # They are due: on the home page and in review.
    page.get_by_role("link", name="Quizzes", exact=True).click()
    expect(page.locator(".next-step")).to_contain_text("2 questions you met before are due for review")
    page.locator(".next-step").get_by_role("link", name="Review now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")
    expect(page.locator("#due-count")).to_have_text("2 questions due for review")
    expect(page.locator("li.review-item .verdict-partial")).to_have_count(2)
    no_axe_violations(page)
    shot(page, f"review-due-en-{size}")

    # Card 1, answered wrong: its own feedback page.
    page.get_by_role("button", name="Start a review session").click()
    expect(page.locator(".quiz-name")).to_have_text("Review")
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.locator("#timer")).to_have_count(0)
    review_id = attempt_id_of(page)
    assert review_id != attempt_id
    first, kind, data = answer_now(live_server, review_id, right=False)
    shot(page, f"review-question-en-{size}")
    server_clock.advance(10)
    answer_on_page(page, kind, data)
    expect(page).to_have_url(re.compile(rf"/attempt/{review_id}/feedback/0$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Not quite")
    expect(page.locator(".quiz-name")).to_have_text("Review · Question 1 of 2")
    expect(page.locator(".answer-pair")).to_contain_text("Right answer")
    expect(page.locator(".feedback .explanation")).not_to_be_empty()
    source = page.locator(".feedback .source a")
    expect(source).to_have_text(re.compile(r"^Source: paragraph \d+ of the article$"))
    no_axe_violations(page)
    shot(page, f"review-feedback-wrong-en-{size}")
    page.get_by_role("button", name="Русский").click()
    expect(page.locator(".quiz-name")).to_contain_text("Повторение")
    shot(page, f"review-feedback-wrong-ru-{size}")
    page.get_by_role("button", name="English").click()

    # The source link leads to what that paragraph says, fact by fact; back to the session.
    paragraph = re.search(r"\d+", source.inner_text()).group(0)
    source.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Paragraph {paragraph} of the article")
    expect(page.locator("ul.facts > li").first).to_be_visible()
    no_axe_violations(page)
    shot(page, f"source-paragraph-en-{size}")
    page.go_back()
    page.get_by_role("link", name="Next question").click()

    # Card 2, answered right.
    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    second, kind, data = answer_now(live_server, review_id, right=True)
    assert sorted([first, second]) == sorted(missed)
    server_clock.advance(10)
    answer_on_page(page, kind, data)
    expect(page.get_by_role("heading", level=1)).to_have_text("Right!")
    shot(page, f"review-feedback-right-en-{size}")
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results: Review")
    expect(page.get_by_text("Practice: untimed and not ranked.")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("1 / 2")
    expect(page.locator("main .actions").get_by_role("link", name="Back to the review schedule")).to_be_visible()
    expect(page.locator("main .actions").get_by_role("link", name="Leaderboard", exact=True)).to_have_count(0)
    expect(page.locator("main .actions a[href^=\"/leaderboard/\"]")).to_have_count(0)
    no_axe_violations(page)
    shot(page, f"review-results-en-{size}")

    # Back on the schedule: the wrong one is due again at once; the right one is not due, and
    # not known either after one right answer.
    page.get_by_role("link", name="Back to the review schedule").click()
    expect(page.locator("#due-count")).to_have_text("1 question due for review")
    expect(page.locator(f"#card-{first} .verdict")).to_have_text("Due")
    expect(page.locator(f"#card-{second} .verdict")).to_have_text("Learning")
    expect(page.get_by_text("Known", exact=True)).to_have_count(0)
    shot(page, f"review-after-session-en-{size}")

    # The Russian page is the same page.
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    no_axe_violations(page)
    shot(page, f"review-ru-{size}")


def test_study_and_the_timeline_lead_to_practice(page: Page, live_server, shot):
    base, app = live_server.url, live_server.app
    with app.app_context():
        import_bank(db.session, load_bank([QUESTIONS]), app.extensions["quizapp.clock"].now())
        db.session.commit()

    page.goto(base + "/timeline")
    page.get_by_role("button", name="English").click()
    events = page.locator("ol.timeline > li")
    expect(events).to_have_count(13)
    expect(events.first.locator("time")).to_have_text("1905")
    expect(events.first).to_contain_text("Birth of Xian Xinghai")
    # Signed out: the facts only; practice is for questions already met.
    expect(page.get_by_role("button", name="Practise this")).to_have_count(0)
    expect(page.locator("p.hint").get_by_role("link", name="Log in")).to_be_visible()
    no_axe_violations(page)
    shot(page, "timeline-en")
    page.get_by_role("button", name="Русский").click()
    expect(events.first).to_contain_text("Рождение Сянь Синхая")
    shot(page, "timeline-ru")

    page.get_by_role("link", name="Изучение").click()
    no_axe_violations(page)
    shot(page, "study-ru")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Trade", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Study: Trade")
    no_axe_violations(page)
    shot(page, "study-topic-en")

    register_in_browser(page, base, "student")
    page.goto(base + "/study")
    expect(page.locator("#mastery-trade")).to_have_attribute("value", "0")
    shot(page, "study-signed-in-en")

    # "Practise this" on the first event, once the student has met its question (here: it is
    # on their review schedule): one untimed question.
    page.goto(base + "/timeline")
    expect(page.get_by_role("button", name="Practise this")).to_have_count(0)
    with app.app_context():
        from sqlalchemy import select
        from quizapp.models import Question, User
        student = db.session.scalar(select(User.id).where(User.username == "student"))
        birth = db.session.scalar(select(Question.id).where(Question.key == "xian-xinghai-birth-year"))
        learning.record_review(db.session, student, birth, is_correct=False, elapsed_s=None, allowed_s=None,
                               at=app.extensions["quizapp.clock"].now())
        db.session.commit()
    page.goto(base + "/timeline")
    expect(page.get_by_role("button", name="Practise this")).to_have_count(1)
    page.locator("ol.timeline > li").first.get_by_role("button", name="Practise this").click()
    expect(page.get_by_text("Question 1 of 1")).to_be_visible()
    key, kind, data = answer_now(live_server, attempt_id_of(page), right=True)
    assert key == "xian-xinghai-birth-year"
    answer_on_page(page, kind, data)
    expect(page.get_by_role("heading", level=1)).to_have_text("Right!")   # "Practise this" answers at once
    expect(page.locator(".quiz-name")).to_contain_text("Practice")
    page.goto(base + "/study/anniversaries")
    # One right answer, even after a wrong one, is not "known": that takes spaced successes.
    expect(page.locator("#mastery-anniversaries-text")).to_contain_text(re.compile(r"^Known: 0 of \d+ questions"))
    expect(page.locator("#q-xian-xinghai-birth-year")).to_contain_text("Asked as")
    no_axe_violations(page)
    shot(page, "study-anniversaries-en")
