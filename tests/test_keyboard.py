"""A whole quiz with the keyboard alone (Tab, arrows, Space, Enter), with a visible focus."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import register_in_browser, right_answer_now

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(both_sizes):
    return both_sizes

FOCUS_IS_VISIBLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focus is on an element matching ``selector``; check the focus shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            assert page.evaluate(FOCUS_IS_VISIBLE), f"focus on {selector} is not visible"
            return
    raise AssertionError(f"Tab never reached {selector}")


def answer_with_keyboard(page: Page, kind: str, data) -> None:
    if kind in ("single", "true_false"):
        values = page.eval_on_selector_all('input[name="answer"]', "els => els.map(e => e.value)")
        tab_to(page, 'input[name="answer"]')  # Tab lands on the group's first radio, unchecked
        target = values.index(str(data))
        if target == 0:
            page.keyboard.press("Space")
        for _ in range(target):
            page.keyboard.press("ArrowDown")  # arrows move and check
        expect(page.locator(f'input[name="answer"][value="{data}"]')).to_be_checked()
    elif kind == "multiple":
        for value in data:
            tab_to(page, f'input[name="answer"][value="{value}"]')
            page.keyboard.press("Space")
    elif kind in ("ordering", "matching"):
        for index, value in enumerate(data):
            tab_to(page, f'select[name="answer-{index}"]')
            options = page.eval_on_selector_all(f'select[name="answer-{index}"] option', "els => els.map(e => e.value)")
            for _ in range(options.index(str(value))):
                page.keyboard.press("ArrowDown")
            expect(page.locator(f'select[name="answer-{index}"]')).to_have_value(str(value))
    else:
        tab_to(page, 'input[name="answer"]')
        page.keyboard.type(str(data))
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")


def test_a_whole_quiz_with_the_keyboard_alone(page: Page, live_server):
    register_in_browser(page, live_server.url, "keys")
    tab_to(page, "li.quiz-card button.primary")  # the first quiz: every question type
    page.keyboard.press("Enter")
    expect(page.get_by_text("Question 1 of 8")).to_be_visible()
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    for number in range(1, 9):
        expect(page.get_by_text(f"Question {number} of 8")).to_be_visible()
        kind, data = right_answer_now(live_server, attempt_id)
        answer_with_keyboard(page, kind, data)
    expect(page.locator(".summary")).to_contain_text("800 / 800")
    tab_to(page, "a.button")  # on to the leaderboard
    page.keyboard.press("Enter")
    expect(page.locator("tr.mine")).to_contain_text("keys")


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page: Page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    assert page.evaluate(FOCUS_IS_VISIBLE)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


IN_VIEW = """selector => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""
CHOSEN_TILES = "() => [...document.querySelectorAll('.choice')].map(tile => getComputedStyle(tile).backgroundColor)"


def test_keys_1_to_9_choose_a_tile_the_question_has_the_focus_and_a_practice_run_says_so(page: Page, live_server, shot):
    """A question page opens with the focus on the question; 1–9 choose the tiles in order (a
    radio is chosen, a checkbox toggled) and the chosen tile looks chosen; digits typed into an
    answer field stay in the field.  A practice run says "Practice" on its question pages."""
    register_in_browser(page, live_server.url, "digits")
    page.locator("li.quiz-card").first.get_by_role("button", name="Start").click()
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    seen = set()
    for number in range(1, 9):
        expect(page.get_by_text(f"Question {number} of 8")).to_be_visible()
        expect(page.locator("#question-text")).to_be_focused()
        expect(page.locator(".mode-badge")).to_have_count(0)
        kind, data = right_answer_now(live_server, attempt_id)
        seen.add(kind)
        # The question and its first answer are in the first screen, and the timer stays in
        # sight when the page is scrolled to its end.
        assert page.evaluate(IN_VIEW, "legend h1") and page.evaluate(IN_VIEW, "fieldset :is(.choice, input, select)")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        assert page.evaluate(IN_VIEW, "#timer"), "the timer scrolled away"
        page.evaluate("window.scrollTo(0, 0)")
        values = page.eval_on_selector_all(".choice input", "els => els.map(e => e.value)")
        if kind == "single":  # a wrong tile first, then the right one: a radio moves
            wrong = next(i for i, value in enumerate(values) if value != data)
            page.keyboard.press(str(wrong + 1))
            expect(page.locator(".choice input").nth(wrong)).to_be_checked()
            unchosen = page.evaluate(CHOSEN_TILES)
            assert unchosen[wrong] != unchosen[(wrong + 1) % len(values)], "the chosen tile looks like the others"
            page.keyboard.press(str(values.index(data) + 1))
            expect(page.locator(f'.choice input[value="{data}"]')).to_be_checked()
            expect(page.locator(".choice input").nth(wrong)).not_to_be_checked()
        elif kind == "multiple":  # every right tile, and one wrong one ticked then unticked
            wrong = next(i for i, value in enumerate(values) if value not in data)
            for value in data:
                page.keyboard.press(str(values.index(value) + 1))
            page.keyboard.press(str(wrong + 1))
            expect(page.locator(".choice input").nth(wrong)).to_be_checked()
            page.keyboard.press(str(wrong + 1))
            expect(page.locator(".choice input").nth(wrong)).not_to_be_checked()
            for value in data:
                expect(page.locator(f'.choice input[value="{value}"]')).to_be_checked()
        elif kind == "true_false":  # answered wrongly on purpose: a mistake to practise
            page.keyboard.press(str(values.index("false" if data == "true" else "true") + 1))
        elif kind in ("numeric", "year", "text"):
            field = page.locator('input[name="answer"]')
            field.focus()
            page.keyboard.type(f"{data}19")  # digits are text here, not shortcuts
            expect(field).to_have_value(f"{data}19")
            field.fill(str(data))
        else:
            page.keyboard.press("1")  # nothing to choose by number on a page of selects
            expect(page.locator("#question-text")).to_be_focused()
            for index, value in enumerate(data):
                page.locator(f'select[name="answer-{index}"]').select_option(value)
        page.get_by_role("button", name="Answer").click()
    assert {"single", "multiple", "true_false", "numeric"} <= seen
    expect(page.locator(".summary")).to_contain_text("700 / 800")

    page.get_by_role("button", name="Practise my 1 mistake").click()
    expect(page.locator(".mode-badge")).to_have_text("Practice")
    shot(page, f"practice-question-{page.viewport_size['width']}")
    expect(page.locator("#question-text")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
