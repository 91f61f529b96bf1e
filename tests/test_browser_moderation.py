"""An admin reviews the attempts held as too fast, in a real browser: at desktop and phone
width, in English and Russian, by keyboard, with no axe violations."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from quizapp import attempts
from quizapp.extensions import db
from quizapp.models import Quiz
from quizapp.pace import DEFAULT_PACE
from quizapp.users import create_user

from helpers import form_data
from browser_helpers import no_axe_violations, sign_in_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(both_sizes):
    return both_sizes


def fits_the_width(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


def test_an_admin_clears_one_held_attempt_and_voids_another(page: Page, live_server, shot):
    app, clock = live_server.app, live_server.app.extensions["quizapp.clock"]
    rules = attempts.Rules(pace=DEFAULT_PACE)
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        for name in ("speedy", "robot"):  # every answer the instant it is shown
            player = create_user(db.session, name, "correct horse", clock.now())
            attempt = attempts.start_attempt(db.session, player, quiz, clock, rules=rules)
            for _ in range(8):
                served = attempts.current_question(db.session, attempt, clock, rules)
                attempts.submit_answer(db.session, served, form_data(served), clock, rules=rules)
            assert attempt.review_status == "flagged"
        db.session.commit()

    sign_in_in_browser(page, live_server.url, "boss")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Attempts awaiting review").click()
    expect(page.locator("p[role=status]")).to_have_text("2 attempts await review.")
    expect(page.locator("table.timings")).to_have_count(2)
    expect(page.locator(".verdict", has_text="too fast")).to_have_count(16)
    no_axe_violations(page)
    fits_the_width(page)
    shot(page, "admin-held-en")

    page.get_by_role("button", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Попытки на проверке")
    no_axe_violations(page)
    fits_the_width(page)
    shot(page, "admin-held-ru")
    page.get_by_role("button", name="English").click()

    # Clear speedy's, by keyboard.
    speedy = page.locator("li.review-item", has_text="speedy")
    speedy.get_by_role("button", name="Clear: rank it").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Attempt \d+ by speedy is cleared and now on the leaderboards\."))).to_be_visible()
    expect(page.locator("p[role=status]")).to_have_text("1 attempt awaits review.")
    no_axe_violations(page)
    page.locator("li.review-item", has_text="robot").get_by_role("button", name="Void: never rank it").click()
    expect(page.get_by_text(re.compile(r"Attempt \d+ by robot is voided"))).to_be_visible()
    expect(page.locator("p[role=status]")).to_have_text("0 attempts await review.")
    no_axe_violations(page)

    page.goto(live_server.url + "/leaderboard/all-types")
    expect(page.locator("table.board tbody tr")).to_have_count(1)
    expect(page.locator("table.board tbody tr").first).to_contain_text("speedy")
