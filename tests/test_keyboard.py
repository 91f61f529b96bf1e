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
