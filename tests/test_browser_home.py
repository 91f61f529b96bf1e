"""Issue 16 in a real browser, at a desktop and a phone size, in Russian and English: the home
page that says what to do next, the clock said as a person would, timeouts that are said,
answers as tables, the settings forms' post/redirect/get and the token's copy button.
Screenshots go to screenshots/home-*.png."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quizapp import attempts
from quizapp.config import LANGUAGE_NAMES
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.users import create_user

from browser_helpers import answer_on_page, no_axe_violations
from helpers import form_data

pytestmark = pytest.mark.browser

WORDS = {"ru": {"login": "Войдите, чтобы начать", "continue": "Продолжить", "copy": "Копировать", "copied": "Скопировано.",
                "zone": "Алматы, UTC+5", "ran_out": "Время викторины истекло", "timed_out": "Время истекло"},
         "en": {"login": "Log in to start", "continue": "Continue", "copy": "Copy", "copied": "Copied.",
                "zone": "Almaty, UTC+5", "ran_out": "The time for this quiz ran out", "timed_out": "Time was up"}}


@pytest.fixture
def browser_context_args(both_sizes):
    return {**both_sizes, "timezone_id": "Asia/Almaty"}


def answer_now(server, attempt_id: int, right: bool = True):
    with server.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        served = attempts.current_question(db.session, attempt, server.app.extensions["quizapp.clock"])
        db.session.commit()
        return served.revision.type, form_data(served, right)


def fits(page: Page) -> None:
    """No sideways scrolling: the page is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def look(page: Page, shot, name: str) -> None:
    no_axe_violations(page)
    fits(page)
    shot(page, name)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_home_page_and_the_quiz_clock_in_a_browser(page: Page, live_server, shot, lang):
    base, words, clock = live_server.url, WORDS[lang], live_server.app.extensions["quizapp.clock"]
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    tag = f"{lang}-{size}"
    name = f"home-{lang}-{size}"
    with live_server.app.app_context():
        create_user(db.session, name, "correct horse", clock.now())
        db.session.commit()

    # Anonymous: "Log in to start" on a quiz comes back to that quiz.
    page.goto(base + "/")
    page.get_by_role("button", name=LANGUAGE_NAMES[lang]).click()
    look(page, shot, f"home-anonymous-{tag}")
    page.locator("li.quiz-card").nth(1).get_by_role("link", name=words["login"]).click()
    page.locator("#username").fill(name)
    page.locator("#password").fill("correct horse")
    page.locator("form.narrow button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/#quiz-quick$"))
    assert page.evaluate("document.querySelector(':target').id") == "quiz-quick"
    look(page, shot, f"home-new-{tag}")
    expect(page.locator(".next-step")).to_be_visible()
    assert "0 " not in page.locator(".next-step").inner_text()

    # Start from the suggestion, answer one question, leave: the home page offers Continue.
    page.locator(".next-step button[type=submit]").click()
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    note = page.locator(".deadline-note").inner_text()
    assert words["zone"] in note and "UTC;" not in note
    answer_on_page(page, *answer_now(live_server, attempt_id))
    clock.advance(30)
    page.goto(base + "/")
    running = page.locator(".next-step").first
    expect(running.get_by_role("link", name=words["continue"])).to_be_visible()
    assert "4:30" in running.inner_text()
    look(page, shot, f"home-running-{tag}")
    running.get_by_role("link", name=words["continue"]).click()
    for position in range(1, 8):
        expect(page.locator("legend h1")).to_be_visible()
        answer_on_page(page, *answer_now(live_server, attempt_id, right=position not in (5, 6)))
    expect(page.locator(".summary")).to_be_visible()
    expect(page.locator("table.answer-table")).to_have_count(2)
    look(page, shot, f"home-results-tables-{tag}")

    page.goto(base + "/")
    expect(page.locator("li.quiz-card.done")).to_have_count(1)
    look(page, shot, f"home-done-{tag}")

    # The quick quiz: both limits; a question whose time ran out gets its feedback page.
    page.locator("li.quiz-card").nth(1).locator("button[type=submit]").click()
    quick_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    expect(page.locator(".timer-total")).to_be_visible()
    look(page, shot, f"home-question-both-limits-{tag}")
    clock.advance(25)
    page.goto(f"{base}/attempt/{quick_id}")
    expect(page).to_have_url(re.compile(rf"/attempt/{quick_id}/feedback/0$"))
    expect(page.locator("#feedback-title")).to_have_text(words["timed_out"])
    expect(page.locator("#timer")).to_be_visible()  # the quiz's clock runs while you read
    look(page, shot, f"home-feedback-timed-out-{tag}")
    clock.advance(60)
    page.goto(f"{base}/attempt/{quick_id}")
    expect(page.locator("#time-up")).to_contain_text(words["ran_out"])
    look(page, shot, f"home-results-ran-out-{tag}")
    clock.advance(-115)

    # A new token: post/redirect/get, shown once beside its form, with a working copy button.
    page.goto(base + "/account/")
    page.locator("form[action$='/account/tokens'] input[type=text]").fill("my script")
    page.locator("form[action$='/account/tokens'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/#new-token-title$"))
    page.get_by_role("button", name=words["copy"]).click()
    expect(page.locator("#new-token-copied")).to_have_text(words["copied"])
    look(page, shot, f"home-account-token-{tag}")
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)  # a refresh makes no second token

    # A wrong current password: back at the form, its error in view.
    page.goto(base + "/profile")
    page.locator("#password-current").fill("not it")
    page.locator("#password-password").fill("new staple battery")
    page.locator("#password-confirm").fill("new staple battery")
    page.locator("form[action$='/profile/password'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"#password-title$"))
    expect(page.locator("#password-current-error")).to_be_in_viewport()
    assert page.locator("#password-current").input_value() == ""
    look(page, shot, f"home-profile-password-error-{tag}")


def test_times_follow_the_browsers_zone(browser, live_server):
    context = browser.new_context(timezone_id="Europe/Berlin", locale="en-GB")
    page = context.new_page()
    try:
        base, clock = live_server.url, live_server.app.extensions["quizapp.clock"]
        with live_server.app.app_context():
            create_user(db.session, "berliner", "correct horse", clock.now())
            db.session.commit()
        page.goto(base + "/login")
        page.get_by_role("button", name="English").click()
        page.locator("#username").fill("berliner")
        page.locator("#password").fill("correct horse")
        page.locator("form.narrow button[type=submit]").click()
        page.locator("li.quiz-card").first.locator("button[type=submit]").click()
        assert re.search(r"Berlin, UTC\+[12]", page.locator(".deadline-note").inner_text())
    finally:
        context.close()
