"""A live game in real browsers: one host at a desktop size and three players on phone-sized
contexts.  The whole game (join, answer, reveal, podium), a player who reloads mid-question
and keeps their points, a player who rejoins from a new context with the rejoin code, a player
who plays with the keyboard alone, and axe-core on every screen (host and player)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from quizapp.extensions import db
from quizapp.live import games
from quizapp.models import QuestionRevision
from quizapp.models.live import LiveGame
from quizapp.users import create_user

from browser_helpers import no_axe_violations

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 667}


def right_now(server, game_id):
    with server.app.app_context():
        game = db.session.get(LiveGame, game_id)
        revision = db.session.get(QuestionRevision, game.plan[game.position])
        order = games.tile_order(game, game.position, revision)
        right = games.right_tiles(revision, order)
        db.session.commit()
        return revision.type, right, [i for i in range(len(order)) if i not in right]


def fits(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def tap(page: Page, kind: str, tiles: list[int]) -> None:
    buttons = page.locator("#live-tiles button")
    for index in tiles:
        buttons.nth(index).click()
    if kind == "multiple":
        page.get_by_role("button", name="Send the answer").click()
    # The last answer of the room closes the question at once: the reveal may already be there.
    expect(page.locator("#live-result")).to_have_text(re.compile(r"^(Answer sent\. Wait for the reveal\.|Right!|Wrong)"))


def score(page: Page) -> int:
    return int(re.search(r"\d+", page.locator("#live-score").inner_text()).group(0))


def test_a_whole_live_game_with_a_reload_a_rejoin_and_a_keyboard_player(browser: Browser, live_server, shot):
    base = live_server.url
    with live_server.app.app_context():
        create_user(db.session, "teacher", "correct horse", live_server.app.extensions["quizapp.clock"].now())
        db.session.commit()
    host = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en").new_page()
    host.goto(base + "/login")
    host.get_by_role("button", name="English").click()
    host.get_by_label("Username").fill("teacher")
    host.get_by_label("Password").fill("correct horse")
    host.locator("form.narrow button[type=submit]").click()
    host.locator("li.quiz-card").first.get_by_role("link", name="Host live").click()
    no_axe_violations(host)
    shot(host, "live-host-settings-en-desktop")
    host.get_by_role("button", name="Open the room").click()
    expect(host.locator("#live-lobby")).to_be_visible()
    game_id = int(re.search(r"/live/(\d+)/host", host.url).group(1))
    code = host.locator("#live-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{6}", code)

    phones = []
    for name in ("Aigerim", "Bolat", "Chen"):
        page = browser.new_context(viewport=PHONE, locale="en", has_touch=True).new_page()
        page.goto(f"{base}/join/{code}")
        page.get_by_role("button", name="English").click()
        expect(page.get_by_label("Room code")).to_have_value(code)
        page.get_by_label("Nickname").fill(name)
        page.get_by_role("button", name="Join", exact=True).click()
        expect(page.locator("#live-lobby")).to_be_visible()
        phones.append(page)
    aigerim, bolat, chen = phones
    expect(host.locator("#live-players li")).to_have_count(3)
    no_axe_violations(host)
    no_axe_violations(aigerim)
    fits(aigerim)
    shot(host, "live-host-lobby-en-desktop")
    shot(aigerim, "live-player-lobby-en-phone")

    host.get_by_role("button", name="Start the game").click()
    # Question 1: Aigerim right, Bolat wrong, Chen by keyboard alone (Tab to a tile, Enter).
    for page in phones:
        expect(page.locator("#live-tiles button").first).to_be_visible()
    kind, right, wrong = right_now(live_server, game_id)
    no_axe_violations(aigerim)
    fits(aigerim)
    shot(aigerim, "live-player-question-en-phone")
    expect(host.locator("#live-question-text")).not_to_be_empty()
    shot(host, "live-host-question-en-desktop")
    tap(aigerim, kind, right[:1])
    tap(bolat, kind, wrong[:1])
    chen.locator("body").focus()
    for _ in range(40):
        chen.keyboard.press("Tab")
        if chen.evaluate("document.activeElement.classList.contains('tile-button')"):
            break
    else:
        pytest.fail("Tab never reached a tile")
    for _ in range(wrong[0]):
        chen.keyboard.press("Tab")
    chen.keyboard.press("Enter")
    # Everyone answered: the reveal, on every screen.
    expect(host.locator("#live-reveal")).to_be_visible()
    expect(host.locator("#live-answers")).to_be_empty()
    expect(aigerim.locator("#live-result")).to_contain_text("Right!")
    expect(bolat.locator("#live-result")).to_contain_text("Wrong")
    expect(chen.locator("#live-result")).to_contain_text("Wrong")
    first_score = score(aigerim)
    assert first_score > 0 and score(bolat) == 0
    assert host.locator("#live-tiles li.is-right").count() == len(right)
    no_axe_violations(host)
    no_axe_violations(aigerim)
    shot(host, "live-host-reveal-en-desktop")
    shot(aigerim, "live-player-reveal-en-phone")

    # Question 2: Aigerim answers, then reloads mid-question: her answer and points stay.
    host.get_by_role("button", name="Next").click()
    expect(aigerim.locator("#live-position")).to_have_text("Question 2 of 3")
    kind, right, wrong = right_now(live_server, game_id)
    tap(aigerim, kind, right)
    aigerim.reload()
    expect(aigerim.locator("#live-result")).to_have_text("Answer sent. Wait for the reveal.")
    expect(aigerim.locator("#live-score")).to_have_text(f"Score: {first_score}")

    # Chen's phone dies: a new context rejoins with the room code and Chen's rejoin code.
    chen.get_by_text("Playing on another device?").click()
    rejoin_code = re.search(r"Your rejoin code is ([A-Z0-9]{8})", chen.locator(".live-rejoin").inner_text()).group(1)
    chen.context.close()
    chen = browser.new_context(viewport=PHONE, locale="en").new_page()
    chen.goto(base + "/join/rejoin")
    chen.get_by_role("button", name="English").click()
    chen.get_by_label("Room code").fill(code)
    chen.get_by_label("Rejoin code").fill(rejoin_code)
    chen.get_by_role("button", name="Rejoin").click()
    expect(chen.locator("#live-nickname")).to_have_text("Chen")
    expect(chen.locator("#live-position")).to_have_text("Question 2 of 3")
    tap(chen, kind, right)
    tap(bolat, kind, wrong[:1])
    expect(aigerim.locator("#live-result")).to_contain_text("Right!")
    assert score(aigerim) > first_score
    expect(chen.locator("#live-result")).to_contain_text("Right!")

    # Question 3, then the podium; each player sees their own place.
    host.get_by_role("button", name="Next").click()
    expect(bolat.locator("#live-position")).to_have_text("Question 3 of 3")
    kind, right, wrong = right_now(live_server, game_id)
    for page in (aigerim, bolat, chen):
        tap(page, kind, right[:1])
    expect(host.locator("#live-reveal")).to_be_visible()
    host.get_by_role("button", name="Next").click()
    expect(host.locator("#live-podium")).to_be_visible()
    expect(host.locator("#live-podium-list li").first).to_contain_text("Aigerim")
    expect(aigerim.locator("#live-final")).to_contain_text("You finished in place 1 of 3")
    expect(bolat.locator("#live-final")).to_contain_text("of 3")
    expect(bolat.locator("#live-mistakes")).to_contain_text("The right answer")
    no_axe_violations(host)
    no_axe_violations(bolat)
    fits(bolat)
    shot(host, "live-host-podium-en-desktop")
    shot(bolat, "live-player-podium-en-phone")
