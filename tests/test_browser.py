"""Journeys in a real browser: Debian's Chromium driven by Playwright."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quizapp import attempts
from quizapp.extensions import db
from browser_helpers import answer_on_page, register_in_browser, right_answer_now, sign_in_in_browser
from helpers import answer_current

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(both_sizes):
    return both_sizes


def test_register_take_a_whole_quiz_see_results_and_the_leaderboard(page: Page, live_server, shot):
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "home-en")

    page.get_by_role("link", name="Register").first.click()
    page.get_by_label("Username").fill("aigerim")
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Repeat the password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, aigerim!")).to_be_visible()

    page.locator("li.quiz-card", has_text="Every type").get_by_role("button", name="Start").click()
    expect(page.get_by_text("Question 1 of 8")).to_be_visible()
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    expect(page.locator(".timer-value").first).to_have_text(re.compile(r"^[45]:\d\d$"))
    shot(page, "question-en")
    for number in range(1, 9):
        expect(page.get_by_text(f"Question {number} of 8")).to_be_visible()
        if number == 6:
            page.reload()  # a reload keeps the question and the time
            expect(page.get_by_text("Question 6 of 8")).to_be_visible()
        kind, data = right_answer_now(live_server, attempt_id)
        if number == 7:
            shot(page, f"question-{kind}-en")
        answer_on_page(page, kind, data)

    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("800 / 800")
    expect(page.locator(".summary")).to_contain_text("8 / 8")
    expect(page.locator(".summary")).to_contain_text("1 of 1")
    expect(page.locator(".review-item")).to_have_count(8)
    shot(page, "results-en")

    page.get_by_role("link", name="Leaderboard").first.click()
    mine = page.locator("tr.mine")
    expect(mine).to_contain_text("aigerim")
    expect(mine.locator("td").first).to_have_text("1")
    shot(page, "leaderboard-en")

    # The same pages in Russian.
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Таблица лидеров")
    shot(page, "leaderboard-ru")
    page.goto(f"{base}/attempt/{attempt_id}/result")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Результаты")
    shot(page, "results-ru")
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Викторины")
    shot(page, "home-ru")
    page.locator("li.quiz-card", has_text="Быстрая").get_by_role("button", name="Начать").click()
    expect(page.get_by_text("Вопрос 1 из 2")).to_be_visible()
    shot(page, "question-ru")


def test_the_countdown_reaches_zero_and_the_browser_lands_on_the_results(page: Page, live_server, shot):
    server_clock = live_server.app.extensions["quizapp.clock"]
    page.clock.install()
    register_in_browser(page, live_server.url, "timer")
    page.locator("li.quiz-card", has_text="Quick").get_by_role("button", name="Start").click()
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.locator(".timer-value").first).to_have_text("0:20")
    announce = page.locator("#timer-announce")
    expect(announce).to_have_attribute("aria-live", "polite")

    # The warning is announced once at 10 s, not every second.
    server_clock.advance(10.5)
    page.clock.run_for(10_500)
    expect(announce).to_have_text("10 seconds left.")
    expect(page.locator(".timer-value").first).to_have_text("0:10")
    shot(page, "question-countdown-en")

    # A reload keeps the question and the time left (the server's deadline).
    page.reload()
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.locator(".timer-value").first).to_have_text("0:10")

    # At zero the page sends itself; the unanswered question is timed out, and (this quiz gives
    # feedback at once) its feedback page says so, with the right answer and the quiz's time left.
    server_clock.advance(9.5)
    page.clock.run_for(10_000)
    expect(page.locator("#feedback-title")).to_have_text("Time was up")
    expect(page.locator("#timer .timer-value")).to_have_text("0:40")
    page.get_by_role("link", name="Next question").click()
    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    expect(page.locator(".timer-value").first).to_have_text("0:20")
    server_clock.advance(20)
    page.clock.run_for(21_000)
    expect(page.locator("#feedback-title")).to_have_text("Time was up")
    page.get_by_role("link", name="See the results").click()

    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    expect(page.locator(".summary")).to_contain_text("0 / 200")
    expect(page.locator(".review-item .verdict-timeout")).to_have_count(2)
    shot(page, "results-timed-out-en")


def test_an_admin_hides_a_player_from_the_leaderboard_and_shows_them_again(page: Page, live_server, shot):
    from quizapp.models import Quiz
    from quizapp.users import create_user
    from sqlalchemy import select

    app, clock = live_server.app, live_server.app.extensions["quizapp.clock"]
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        for name in ("cheater", "honest"):
            player = create_user(db.session, name, "correct horse", clock.now())
            attempt = attempts.start_attempt(db.session, player, quiz, clock)
            for _ in range(8):
                answer_current(db.session, attempt, clock, right=name == "cheater")
        db.session.commit()

    sign_in_in_browser(page, live_server.url, "boss")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("button", name=re.compile(r"^Hide from leaderboards\W+cheater$")).click()
    expect(page.get_by_text("cheater is hidden from the leaderboards")).to_be_visible()
    shot(page, "admin-hidden-en")
    page.goto(live_server.url + "/leaderboard/all-types")
    expect(page.locator("table.board tbody tr")).to_have_count(1)
    expect(page.locator("table.board tbody tr").first).to_contain_text("honest")
    page.goto(live_server.url + "/admin/users")
    page.get_by_role("button", name=re.compile(r"^Show on leaderboards\W+cheater$")).click()
    page.goto(live_server.url + "/leaderboard/all-types")
    expect(page.locator("table.board tbody tr").first).to_contain_text("cheater")


def test_the_two_tables_of_a_board_page_line_up_and_link_shared_profiles(page: Page, live_server, shot):
    """Review newcomer #26: the page's table and "Around you" had different column widths.
    A long name wraps in its column instead of widening it; a shared profile's name is a link,
    a private one's plain text."""
    from quizapp.users import create_user
    from helpers import finish

    app, clock = live_server.app, live_server.app.extensions["quizapp.clock"]
    app.config["LEADERBOARD_PAGE_SIZE"] = 2
    with app.app_context():
        names = ["Someone_With_A_Very_Long_Name_Indeed", "shared", "anna", "boris", "viewer"]
        for wrong, name in enumerate(names):  # each one more wrong answer than the one before
            player = create_user(db.session, name, "correct horse", clock.now())
            player.shares_profile = name == "shared"
            finish(db.session, clock, player, "all-types", wrong=set(range(wrong)))
        db.session.commit()
    sign_in_in_browser(page, live_server.url, "viewer")
    page.goto(live_server.url + "/leaderboard/all-types")
    tables = page.locator(".ranks table")
    expect(tables).to_have_count(2)  # page 1 (two rows) and "Around you" (the viewer's row and those above)
    widths = [tables.nth(index).locator("thead th").evaluate_all("cells => cells.map(c => c.offsetWidth)")
              for index in range(2)]
    assert widths[0] == widths[1], widths
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    first_page = tables.nth(0)
    expect(first_page.get_by_role("link", name="shared")).to_be_visible()
    expect(first_page.locator("a", has_text="Someone_With")).to_have_count(0)  # a private profile: no link
    shot(page, f"leaderboard-around-you-{page.viewport_size['width']}")
