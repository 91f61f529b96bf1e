"""The pages of usernames, passwords and profile privacy in a real browser, at 375 px, in
Russian and English: axe-core finds nothing, and the choice is made with the keyboard."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.users import create_user

from audit import HTML_DIR, audit
from helpers import finish

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
WORDS = {
    "ru": {"lang": "Русский", "register": "Зарегистрироваться", "members": "Мне и всем вошедшим на сайт игрокам",
           "save": "Сохранить выбор", "mixed": "Используйте буквы только одного алфавита",
           "weak": "Этот пароль слишком легко угадать", "name": "Пётр"},
    "en": {"lang": "English", "register": "Create account", "members": "Me and every signed-in player",
           "save": "Save who may see it", "mixed": "Use the letters of one alphabet only",
           "weak": "This password is too easy to guess", "name": "Иван"},
}


@pytest.fixture(scope="module", autouse=True)
def _html_dir():
    HTML_DIR.mkdir(parents=True, exist_ok=True)  # kept as it is: test_pages validates what is there


def check(page: Page, name: str, shot) -> None:
    violations = audit(page, name)
    shot(page, name)
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_names_passwords_and_profile_privacy_pages(page: Page, live_server, shot, lang):
    base, words = live_server.url, WORDS[lang]
    app = live_server.app
    with app.app_context():
        carol = create_user(db.session, "carol", "correct horse", app.extensions["quizapp.clock"].now())
        carol.shares_profile = True
        finish(db.session, app.extensions["quizapp.clock"], carol)
        db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto(base + "/")
    page.get_by_role("button", name=words["lang"]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)

    # A look-alike of carol with a guessable password: both refused, each with its message.
    page.goto(base + "/register")
    page.locator("#username").fill("саrol")
    page.locator("#password").fill("password")
    page.locator("#confirm").fill("password")
    page.get_by_role("button", name=words["register"]).click()
    expect(page.locator("#username-error")).to_contain_text(words["mixed"])
    expect(page.locator("#password-error")).to_contain_text(words["weak"])
    check(page, f"register-lookalike-weak-{lang}", shot)

    # A name of one script registers; the own profile says who sees it, and the choice is
    # made with the keyboard alone.
    page.locator("#username").fill(words["name"])
    page.locator("#password").fill("correct horse")
    page.locator("#confirm").fill("correct horse")
    page.get_by_role("button", name=words["register"]).click()
    page.goto(base + "/profile")
    check(page, f"profile-own-private-{lang}", shot)
    page.get_by_label(words["members"]).focus()
    page.keyboard.press("Space")
    expect(page.get_by_label(words["members"])).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=words["save"])).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_be_visible()
    check(page, f"profile-own-shared-{lang}", shot)
    with app.app_context():
        assert db.session.scalar(select(User.shares_profile).where(User.username == words["name"])) is True

    # The board links carol (who shares) and oneself; carol's page is open to signed-in players.
    page.goto(base + "/leaderboard/all-types")
    expect(page.locator("table.board a", has_text="carol")).to_be_visible()
    check(page, f"leaderboard-profile-links-{lang}", shot)
    page.locator("table.board a", has_text="carol").click()
    expect(page.locator("h1")).to_contain_text("carol")
    check(page, f"profile-shared-other-{lang}", shot)
