"""What the browser tests share: answering on the page as a person would, registering,
signing in, and axe-core's verdict."""
from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from quizapp import attempts
from quizapp.extensions import db
from quizapp.models import Attempt

from helpers import form_data

_axe = Axe()


def right_answer_now(server, attempt_id: int, right: bool = True):
    """What the page on screen asks, and its right (or, ``right=False``, a wrong) answer, read
    from the server's side."""
    with server.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        served = attempts.current_question(db.session, attempt, server.app.extensions["quizapp.clock"])
        db.session.commit()
        return served.revision.type, form_data(served, right)


def answer_on_page(page: Page, kind: str, data) -> None:
    """Answer with the keyboard-reachable controls a person would use."""
    if kind in ("single", "true_false"):
        page.locator(f'input[name="answer"][value="{data}"]').check()
    elif kind == "multiple":
        for value in data:
            page.locator(f'input[name="answer"][value="{value}"]').check()
    elif kind in ("ordering", "matching"):
        for index, value in enumerate(data):
            page.locator(f'select[name="answer-{index}"]').select_option(value)
    else:
        page.locator('input[name="answer"]').fill(str(data))
    page.get_by_role("button", name=re.compile("Answer|Ответить|Жауап беру|提交答案")).click()


def register_in_browser(page: Page, base: str, username: str) -> None:
    page.goto(base + "/register")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Repeat the password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Welcome, {username}!")).to_be_visible()


def sign_in_in_browser(page: Page, base: str, username: str, password: str = "correct horse") -> None:
    """Sign in through the login form, in English."""
    page.goto(base + "/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("form.narrow button[type=submit]").click()


def no_axe_violations(page: Page) -> None:
    violations = _axe.run(page).response["violations"]
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
