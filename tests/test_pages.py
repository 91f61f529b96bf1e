"""Every page, in both languages, at a desktop and a phone size: axe-core finds nothing,
the HTML is valid (one vnu run at the end), nothing is fetched from outside, and a
question page stays within its 50 KB budget.  Screenshots go to screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from audit import LOG, QUESTION_PAGE_BUDGET, VNU_JAR, audit, reset_html_dir, run_vnu
from test_browser import answer_on_page, right_answer_now

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 667}}
BUTTONS = {"ru": {"lang": "Русский", "register": "Зарегистрироваться", "start": "Начать", "answer": "Ответить"},
           "en": {"lang": "English", "register": "Create account", "start": "Start", "answer": "Answer"}}


@pytest.fixture(scope="module", autouse=True)
def _fresh_html_dir():
    reset_html_dir()


@pytest.fixture
def watched(page: Page, live_server):
    """The page, failing the test on any request that leaves the app."""
    outside: list[str] = []
    sizes: dict[str, int] = {}

    def on_request(request):
        if not request.url.startswith((live_server.url, "data:", "about:")):
            outside.append(request.url)

    def on_response(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # a redirect has no body
            sizes[response.url] = 0

    page.on("request", on_request)
    page.on("response", on_response)
    page.sizes = sizes
    yield page
    LOG.outside_requests.extend(outside)
    assert outside == [], f"requests outside the app: {outside}"


def check(page: Page, name: str, shot) -> None:
    violations = audit(page, name)
    shot(page, name)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_page(watched: Page, live_server, shot, lang, size):
    page, base, words = watched, live_server.url, BUTTONS[lang]
    page.set_viewport_size(SIZES[size])
    tag = f"{lang}-{size}"
    page.goto(base + "/")
    page.get_by_role("button", name=words["lang"]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    check(page, f"home-anonymous-{tag}", shot)

    page.goto(base + "/login")
    check(page, f"login-{tag}", shot)
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"login-errors-{tag}", shot)

    page.goto(base + "/register")
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"register-errors-{tag}", shot)

    page.goto(base + "/leaderboard/all-types")
    check(page, f"leaderboard-empty-{tag}", shot)
    page.goto(base + "/no-such-page")
    check(page, f"not-found-{tag}", shot)

    username = f"user-{lang}-{size}"
    page.goto(base + "/register")
    page.locator("#username").fill(username)
    page.locator("#password").fill("correct horse")
    page.locator("#confirm").fill("correct horse")
    page.get_by_role("button", name=words["register"]).click()
    check(page, f"home-signed-in-{tag}", shot)

    # Every question type, an error message on a question, and the results.
    page.locator("li.quiz-card").first.get_by_role("button", name=words["start"]).click()  # "all-types" is first
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    for number in range(1, 9):
        kind, data = right_answer_now(live_server, attempt_id)
        expect(page.locator("legend h1")).to_be_visible()
        page_bytes = sum(page.sizes.get(url, 0) for url in page.sizes if "/attempt/" in url or "/static/" in url)
        LOG.largest_question_page = max(LOG.largest_question_page, page_bytes)
        assert page_bytes <= QUESTION_PAGE_BUDGET
        check(page, f"question-{kind}-{tag}", shot)
        if number == 1:
            page.get_by_role("button", name=words["answer"]).click()  # nothing chosen: an error
            expect(page.locator(".errors")).to_be_visible()
            check(page, f"question-error-{tag}", shot)
        page.sizes.clear()
        answer_on_page(page, kind, data)
    expect(page.locator(".summary")).to_be_visible()
    check(page, f"results-{tag}", shot)
    page.goto(base + "/leaderboard/all-types")
    check(page, f"leaderboard-{tag}", shot)
    page.goto(base + "/leaderboard/")
    check(page, f"leaderboard-overall-{tag}", shot)

    # Learning, the profile and the account.
    for path, name in (("/study", "study"), ("/study/trade", "study-topic"), ("/timeline", "timeline"),
                       ("/review", "review"), ("/profile", "profile"), ("/account/", "account"),
                       ("/leaderboard/all-types?period=week", "leaderboard-week"),
                       ("/leaderboard/all-types?board=extended", "leaderboard-extended")):
        page.goto(base + path)
        check(page, f"{name}-{tag}", shot)
    page.goto(base + "/account/")
    page.locator("form[action$='/account/tokens'] input[type=text]").fill("my script")
    page.locator("form[action$='/account/tokens'] button[type=submit]").click()
    check(page, f"account-token-created-{tag}", shot)
    page.goto(base + "/profile/tokens")  # where a password change leads: the tokens, and revoking them all
    check(page, f"profile-tokens-{tag}", shot)
    page.goto(base + "/profile")
    page.locator("form[action$='/profile/password'] button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"profile-password-errors-{tag}", shot)

    # Immediate feedback, then an attempt that expires.
    page.goto(base + "/")
    page.locator("li.quiz-card").nth(1).get_by_role("button", name=words["start"]).click()
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    kind, data = right_answer_now(live_server, attempt_id)
    answer_on_page(page, kind, data)
    expect(page.locator(".feedback")).to_be_visible()
    check(page, f"feedback-{tag}", shot)
    live_server.app.extensions["quizapp.clock"].advance(120)
    page.goto(f"{base}/attempt/{attempt_id}")
    expect(page.locator(".summary")).to_be_visible()
    check(page, f"results-expired-{tag}", shot)
    live_server.app.extensions["quizapp.clock"].advance(-120)

    # The admin's page.
    from quizapp.extensions import db
    from quizapp.users import create_user
    with live_server.app.app_context():
        create_user(db.session, f"admin-{lang}-{size}", "correct horse", live_server.app.extensions["quizapp.clock"].now(),
                    is_admin=True)
        db.session.commit()
    page.locator("form[action$='/logout'] button").click()
    page.goto(base + "/login")
    page.locator("#username").fill(f"admin-{lang}-{size}")
    page.locator("#password").fill("correct horse")
    page.locator("form.narrow button[type=submit]").click()
    page.goto(base + "/admin/users")
    check(page, f"admin-users-{tag}", shot)

    # The attempts held for review, with one held: every answer given at once.
    from sqlalchemy import select
    from quizapp import attempts
    from quizapp.models import Quiz
    from quizapp.pace import DEFAULT_PACE
    from test_attempts import form_data
    clock, rules = live_server.app.extensions["quizapp.clock"], attempts.Rules(pace=DEFAULT_PACE)
    with live_server.app.app_context():
        player = create_user(db.session, f"speedy-{lang}-{size}", "correct horse", clock.now())
        held = attempts.start_attempt(db.session, player, db.session.scalar(select(Quiz).where(Quiz.key == "quick")),
                                      clock, rules=rules)
        while not held.is_finished:
            served = attempts.current_question(db.session, held, clock, rules)
            attempts.submit_answer(db.session, served, form_data(served), clock, rules=rules)
        assert held.review_status == "flagged"
        db.session.commit()
    page.goto(base + "/admin/attempts")
    expect(page.locator("table.timings").first).to_be_visible()
    check(page, f"admin-attempts-{tag}", shot)


def test_the_html_of_every_visited_page_is_valid():
    """One run of the Nu HTML Checker over every page saved above (one JVM start)."""
    if not LOG.html_files:
        pytest.skip("no pages were saved: run this module's page tests first")
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: `make test` installs it with npm")
    errors = run_vnu(LOG.html_files)
    LOG.vnu_errors = len(errors)
    assert errors == [], "\n".join(f"{e.get('url', '').rsplit('/', 1)[-1]}:{e.get('lastLine')}: {e['message']}"
                                   for e in errors[:30])
