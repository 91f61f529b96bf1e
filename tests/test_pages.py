"""Every page, in every language the app offers, at a desktop and a phone size: axe-core
finds nothing, the HTML is valid (one vnu run at the end), nothing is fetched from outside,
the page's lang is its language and any text in another language carries its own lang, no
page is wider than the window (document scrollWidth against the viewport, at both sizes), and
a question page stays within its 50 KB budget; key pages again in the dark theme.
Screenshots go to screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from audit import LOG, QUESTION_PAGE_BUDGET, VNU_JAR, audit, reset_html_dir, run_vnu, save_html
from quizapp.config import DEFAULTS, LANGUAGE_NAMES
from browser_helpers import answer_on_page, right_answer_now
from helpers import form_data

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 667}}
LANGUAGES = DEFAULTS["LANGUAGES"]
BUTTONS = {"ru": {"register": "Зарегистрироваться", "start": "Начать", "answer": "Ответить"},
           "en": {"register": "Create account", "start": "Start", "answer": "Answer"},
           "kk": {"register": "Тіркелу", "start": "Бастау", "answer": "Жауап беру"},
           "zh": {"register": "创建账户", "start": "开始", "answer": "提交答案"}}

# Text nodes whose script says they are in another language than the lang that applies to them:
# Han characters outside a zh element, or Cyrillic inside a zh or en one.  (Russian and Kazakh
# share the script, so a Russian text on a Kazakh page is caught by the bank's own check that
# every text has kk, not here.)
MISMARKED_TEXT = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (!text || node.parentElement.closest('script, style, svg title')) continue;
    const lang = (node.parentElement.closest('[lang]')?.getAttribute('lang') || '').split('-')[0];
    if (/\p{Script=Han}/u.test(text) && lang !== 'zh') found.push(`${lang}: ${text.slice(0, 60)}`);
    if (/\p{Script=Cyrillic}/u.test(text) && (lang === 'zh' || lang === 'en')) found.push(`${lang}: ${text.slice(0, 60)}`);
  }
  for (const button of document.querySelectorAll('form.language button')) {
    if (button.getAttribute('lang') !== button.value) found.push(`language button ${button.value} has lang ${button.getAttribute('lang')}`);
  }
  return found;
}"""


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


# What sticks out past the right edge: the document's width against the viewport's, and the
# elements whose right edge is past it (the first few, to say where to look).
SIDEWAYS = """() => {
  const doc = document.documentElement, width = doc.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || box.right <= width + 0.5) continue;
    let clipped = false;  // inside a box that scrolls or clips sideways: that box is measured itself
    for (let up = el.parentElement; up && up !== document.body && !clipped; up = up.parentElement) {
      clipped = getComputedStyle(up).overflowX !== 'visible';
    }
    if (!clipped) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} ${Math.round(box.right)}`);
      if (wide.length === 5) break;
    }
  }
  return {scroll: doc.scrollWidth, viewport: width, wide};
}"""


def check(page: Page, name: str, shot) -> None:
    violations = audit(page, name)
    sideways = page.evaluate(SIDEWAYS)
    if sideways["scroll"] > sideways["viewport"]:
        LOG.wider_than_viewport.append(name)
    shot(page, name)
    assert violations == [], "\n".join(violations)
    assert sideways["scroll"] <= sideways["viewport"], f"{name} scrolls sideways: {sideways}"
    lang = page.get_attribute("html", "lang")
    assert name.endswith(("-desktop", "-phone")) and name.rsplit("-", 2)[-2] == lang, (name, lang)
    mismarked = page.evaluate(MISMARKED_TEXT)
    assert mismarked == [], f"{name}: text in another language without its lang: {mismarked}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page(watched: Page, live_server, shot, lang, size):
    page, base, words = watched, live_server.url, BUTTONS[lang]
    page.set_viewport_size(SIZES[size])
    tag = f"{lang}-{size}"
    page.goto(base + "/")
    page.get_by_role("button", name=LANGUAGE_NAMES[lang]).click()
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
    page.goto(base + "/join")
    check(page, f"live-join-{tag}", shot)
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"live-join-errors-{tag}", shot)
    page.goto(base + "/join/rejoin")
    check(page, f"live-rejoin-{tag}", shot)
    page.goto(base + "/no-such-page")
    check(page, f"not-found-{tag}", shot)

    username = f"user-{lang}-{size}"
    page.goto(base + "/register")
    page.locator("#username").fill(username)
    page.locator("#password").fill("correct horse")
    page.locator("#confirm").fill("correct horse")
    page.get_by_role("button", name=words["register"]).click()
    check(page, f"home-signed-in-{tag}", shot)

    # Live games: the host's settings, the lobby, the player's screen (the host joins too), the history.
    page.goto(base + "/live/new/all-types")
    check(page, f"live-settings-{tag}", shot)
    page.locator("form.live-settings button[type=submit]").click()
    expect(page.locator("#live-lobby")).to_be_visible()
    check(page, f"live-host-lobby-{tag}", shot)
    code = page.locator("#live-code").inner_text().replace(" ", "")
    page.goto(base + "/join")
    page.locator("#code").fill(code)
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator("#live-lobby")).to_be_visible()
    check(page, f"live-player-lobby-{tag}", shot)
    page.goto(base + "/live/history")
    check(page, f"live-history-{tag}", shot)
    page.goto(base + "/")
    # What the question pages transfer is counted from here: the live pages' Socket.IO client
    # (47 KB), fetched a moment ago, once landed in the first question's sum under load.
    page.sizes.clear()

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
                       ("/source/7", "source-paragraph"), ("/review", "review"), ("/profile", "profile"), ("/account/", "account"),
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

    # Item analysis for authors, over the worked example of tests/item_helpers.py.
    from item_helpers import seed_worked_example
    with live_server.app.app_context():
        seed_worked_example(db.session, clock.now())
        db.session.commit()
    page.goto(base + "/admin/items")
    expect(page.locator("table.items .verdict").first).to_be_visible()
    check(page, f"admin-items-{tag}", shot)


@pytest.mark.parametrize("size", SIZES)
def test_key_pages_in_the_dark_theme(watched: Page, live_server, shot, size):
    """The dark theme (prefers-color-scheme: dark) keeps axe's contrast and every other rule on
    the pages that use the most colours: the header, answer tiles chosen and not, the results
    with their cheer and verdicts, a board with the player's own row, the profile."""
    page, base, tag = watched, live_server.url, f"ru-{size}"
    page.set_viewport_size(SIZES[size])
    page.emulate_media(color_scheme="dark")
    page.goto(base + "/")
    page.get_by_role("button", name=LANGUAGE_NAMES["ru"]).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(243, 245, 249)"  # not the light wash
    check(page, f"dark-home-anonymous-{tag}", shot)
    page.goto(base + "/register")
    page.locator("#username").fill(f"dark-{size}")
    page.locator("#password").fill("correct horse")
    page.locator("#confirm").fill("correct horse")
    page.get_by_role("button", name=BUTTONS["ru"]["register"]).click()
    expect(page.locator("li.quiz-card").first).to_be_visible()
    check(page, f"dark-home-signed-in-{tag}", shot)
    page.locator("li.quiz-card").first.get_by_role("button", name=BUTTONS["ru"]["start"]).click()
    attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
    for number in range(1, 9):
        kind, data = right_answer_now(live_server, attempt_id)
        if kind in ("single", "multiple", "matching"):
            page.keyboard.press("1")
            check(page, f"dark-question-{kind}-{tag}", shot)
        answer_on_page(page, kind, data)
    expect(page.locator(".cheer")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.cheer-confetti i')).animationName") == "cheer-fall"
    check(page, f"dark-results-{tag}", shot)
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")  # the cheer stays, still
    expect(page.locator(".cheer-title")).to_be_visible()
    expect(page.locator(".cheer-confetti")).to_be_hidden()
    assert page.evaluate("getComputedStyle(document.querySelector('.cheer-medal')).animationName") == "none"
    for path, name in (("/leaderboard/all-types", "leaderboard"), ("/profile", "profile")):
        page.goto(base + path)
        check(page, f"dark-{name}-{tag}", shot)


@pytest.mark.parametrize("size", SIZES)
def test_the_header_fits_and_its_switcher_works_by_keyboard_in_every_language(watched: Page, live_server, shot, size):
    """The four language buttons and the person's links share the header's first rows; at 375 px
    nothing may push the page sideways, and Tab reaches every button (Enter switches)."""
    page, base = watched, live_server.url
    page.set_viewport_size(SIZES[size])
    page.goto(base + "/register")
    page.locator("#username").fill(f"header-{size}-long-name")  # a long name: the widest user row
    page.locator("#password").fill("correct horse")
    page.locator("#confirm").fill("correct horse")
    page.locator("form.narrow button[type=submit]").click()
    for lang in LANGUAGES:
        page.goto(base + "/")
        # By keyboard: Tab from the top of the page until the button of this language has focus.
        page.locator("body").focus()
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('form.language button')"
                             f" && document.activeElement.value === '{lang}'"):
                break
        else:
            pytest.fail(f"Tab never reached the {lang} button")
        page.keyboard.press("Enter")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"{lang} at {size}: the page scrolls sideways ({width})"
        for button in page.locator("form.language button").all():
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width[1], (lang, size, box)
        expect(page.locator(f'form.language button[value="{lang}"]')).to_have_attribute("aria-pressed", "true")
        shot(page, f"header-{lang}-{size}")


def _rendered_fonts(page: Page, selector: str) -> list[dict]:
    """The fonts Chromium drew an element's text with (DevTools' "Rendered fonts")."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def test_chinese_is_drawn_with_the_systems_simplified_cjk_font(watched: Page, live_server):
    """The zh pages name Simplified CJK faces before any fallback (app.css) and fetch no font
    (``watched`` fails on any outside request); here Debian's fonts-noto-cjk is the one found."""
    page, base = watched, live_server.url
    page.goto(base + "/")
    page.get_by_role("button", name="中文").click()
    # The switch is a post and a redirect: read the fonts of the new page, not of the one leaving.
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    page.wait_for_load_state()
    for selector in ("h1", "form.language button[value='zh']", "main li.quiz-card h2"):
        fonts = _rendered_fonts(page, selector)
        assert fonts and not any(font["isCustomFont"] for font in fonts), (selector, fonts)
        assert any(font["familyName"] == "Noto Sans CJK SC" for font in fonts), (selector, fonts)
    page.get_by_role("button", name="Русский").click()  # the 中文 button on a Russian page, too
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.wait_for_load_state()
    fonts = _rendered_fonts(page, "form.language button[value='zh']")
    assert [font["familyName"] for font in fonts] == ["Noto Sans CJK SC"], fonts


def test_the_html_of_every_visited_page_is_valid(request):
    """One run of the Nu HTML Checker over every page saved above (one JVM start).  Run on its
    own (under -k, or before the page tests) it saves the anonymous pages in every language
    itself, so it never depends on the order the tests run in."""
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: `make test` installs it with npm")
    if not LOG.html_files:
        save_anonymous_pages(request.getfixturevalue("page"), request.getfixturevalue("live_server").url)
    assert LOG.html_files
    errors = run_vnu(LOG.html_files)
    LOG.vnu_errors = len(errors)
    assert errors == [], "\n".join(f"{e.get('url', '').rsplit('/', 1)[-1]}:{e.get('lastLine')}: {e['message']}"
                                   for e in errors[:30])


def save_anonymous_pages(page: Page, base: str) -> None:
    """The pages anyone can see, in every language, saved for vnu."""
    for lang in LANGUAGES:
        page.goto(base + "/")
        page.get_by_role("button", name=LANGUAGE_NAMES[lang]).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for path in ("/", "/login", "/register", "/leaderboard/"):
            page.goto(base + path)
            save_html(page, f"alone-{path.strip('/') or 'home'}-{lang}-desktop")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_class_page(watched: Page, live_server, shot, lang, size):
    """Issue 18's pages, a teacher's and a student's, with their error states."""
    from quizapp.extensions import db
    from quizapp.users import create_user
    page, base = watched, live_server.url
    page.set_viewport_size(SIZES[size])
    tag = f"{lang}-{size}"
    clock = live_server.app.extensions["quizapp.clock"]
    with live_server.app.app_context():
        teacher = create_user(db.session, f"teacher-{tag}", "correct horse", clock.now())
        teacher.is_teacher = True
        db.session.commit()
    page.goto(base + "/")
    page.get_by_role("button", name=LANGUAGE_NAMES[lang]).click()
    page.goto(base + "/login")
    page.locator("#username").fill(f"teacher-{tag}")
    page.locator("#password").fill("correct horse")
    page.locator("form.narrow button[type=submit]").click()
    page.goto(base + "/teach/")
    check(page, f"teach-index-empty-{tag}", shot)
    page.locator("form[action$='/teach/classes'] button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"teach-index-errors-{tag}", shot)
    page.locator("#name").fill("7A")
    page.locator("form[action$='/teach/classes'] button[type=submit]").click()
    expect(page.locator(".join-code")).to_be_visible()
    check(page, f"teach-class-{tag}", shot)
    class_url = page.url
    page.locator("form[action$='/assignments'] button[type=submit]").click()  # the defaults: valid
    expect(page.locator("#window-state")).to_be_visible()  # nobody in the class yet: no table, a way on
    check(page, f"teach-report-empty-{tag}", shot)
    report_url = page.url
    page.goto(class_url)
    page.locator("#prefix").fill("?!")
    page.locator("form[action$='/accounts'] button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"teach-class-errors-{tag}", shot)
    page.locator("#prefix").fill(f"p{lang}{size[0]}")
    page.locator("#count").fill("2")
    page.locator("form[action$='/accounts'] button[type=submit]").click()
    expect(page.locator(".login-card")).to_have_count(2)
    check(page, f"teach-cards-{tag}", shot)
    username = page.locator(".card-username").first.inner_text()
    password = page.locator(".card-password").first.inner_text()

    # The student: the first password, home with the assignment, joining, the assignment, its result.
    page.locator("form[action$='/logout'] button").click()
    page.goto(base + "/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator("#confirm")).to_be_visible()
    check(page, f"first-password-{tag}", shot)
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"first-password-errors-{tag}", shot)
    page.locator("#password").fill("a quiet meadow in spring")
    page.locator("#confirm").fill("a quiet meadow in spring")
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator(".assignment-card")).to_be_visible()
    check(page, f"home-assignments-{tag}", shot)
    page.goto(base + "/class/join")
    page.locator("#code").fill("WRONG99")
    page.locator("form.narrow button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"join-errors-{tag}", shot)
    page.goto(base + "/")
    page.locator(".assignment-card a").first.click()
    check(page, f"assignment-{tag}", shot)
    page.locator("form[action$='/start'] button").click()
    first = True  # wrong: so the report by question names the student
    while "/attempt/" in page.url and "/result" not in page.url:
        attempt_id = int(re.search(r"/attempt/(\d+)", page.url).group(1))
        kind, data = right_answer_now(live_server, attempt_id, right=not first)
        answer_on_page(page, kind, data)
        first = False
    expect(page.locator(".summary")).to_be_visible()
    page.goto(base + "/")
    page.locator(".assignment-card a").first.click()
    check(page, f"assignment-done-{tag}", shot)

    # Back to the teacher: the report, by question, one student.
    page.locator("form[action$='/logout'] button").click()
    page.goto(base + "/login")
    page.locator("#username").fill(f"teacher-{tag}")
    page.locator("#password").fill("correct horse")
    page.locator("form.narrow button[type=submit]").click()
    page.goto(report_url)
    check(page, f"teach-report-{tag}", shot)
    page.locator("form[action$='/overrides'] #extra_attempts").fill("99")
    page.locator("form[action$='/overrides'] button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"teach-report-errors-{tag}", shot)
    page.goto(report_url + "/edit")  # started: the page says why it cannot be deleted
    expect(page.locator("#cannot-delete")).to_be_visible()
    check(page, f"teach-edit-assignment-{tag}", shot)
    page.locator("#attempts_allowed").fill("-1")
    page.locator("form#settings button[type=submit]").click()
    expect(page.locator(".errors").first).to_be_visible()
    check(page, f"teach-edit-assignment-errors-{tag}", shot)
    page.goto(report_url + "/questions")
    page.locator("details.missed summary").first.click()  # open: the names are checked too
    expect(page.locator(".missed-names a").first).to_be_visible()
    check(page, f"teach-questions-{tag}", shot)
    page.goto(report_url)
    page.locator(f'tr[data-user="{username}"] th a').click()
    check(page, f"teach-student-{tag}", shot)

    # A live game the class played (issue 18): the settings page with the class to choose, the
    # class's games, the game's report (the student by place, a guest apart), the student's games.
    page.goto(base + "/live/new/all-types")
    expect(page.locator("#school_class")).to_be_visible()
    check(page, f"live-new-class-{tag}", shot)
    play_a_class_game(live_server, f"teacher-{tag}", username)
    page.goto(class_url)  # with students: the join box folded below the assignments, opened here
    page.locator("details#join summary").click()
    expect(page.locator(".join-code")).to_be_visible()
    check(page, f"teach-class-joined-{tag}", shot)
    page.locator("tr[data-game] th a").first.click()
    expect(page.locator("table.report")).to_have_count(2)
    check(page, f"teach-live-game-{tag}", shot)
    page.locator(f'tr[data-player="{username}"] th a').click()
    expect(page.locator("tr[data-game]")).to_have_count(1)
    check(page, f"teach-student-live-{tag}", shot)


def play_a_class_game(live_server, teacher_name: str, student_name: str) -> None:
    """The teacher's class plays all-types live: the student right throughout, a guest wrong."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.live import games, rules
    from quizapp.models import QuestionRevision, Quiz, SchoolClass, User
    clock = live_server.app.extensions["quizapp.clock"]
    with live_server.app.app_context():
        session = db.session
        teacher = session.scalar(select(User).where(User.username == teacher_name))
        student = session.scalar(select(User).where(User.username == student_name))
        school_class = session.scalar(select(SchoolClass).where(SchoolClass.teacher_id == teacher.id))
        quiz = session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        game = games.create_game(session, teacher, quiz, rules.Settings(seconds=None), clock, class_id=school_class.id)
        player, _ = games.join(session, game.code, "", student, clock)
        guest, _ = games.join(session, game.code, "Sunflower", None, clock)
        games.start(session, game, clock)
        for position in range(game.question_count):
            revision = session.get(QuestionRevision, game.plan[position])
            order = games.tile_order(game, position, revision)
            right = games.right_tiles(revision, order)
            games.answer(session, game, player, position, right, clock)
            games.answer(session, game, guest, position, [next(i for i in range(len(order)) if i not in right)], clock)
            games.advance(session, game, clock)
            games.advance(session, game, clock)
        session.commit()
