"""A week of homework in a real browser, at a desktop and a phone size (issue 18): a teacher
makes a class and its accounts and prints the cards; a student logs in with a card, chooses
a password, does the assignment and sees it done; the teacher reads the report and downloads
the XLSX."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.users import create_user
from browser_helpers import answer_on_page, no_axe_violations, right_answer_now

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(both_sizes):
    return {**both_sizes, "accept_downloads": True}


def _log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("form.narrow button[type=submit]").click()


def _fits(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_a_teacher_runs_homework_and_a_student_does_it(page: Page, live_server, shot, browser, both_sizes):
    base = live_server.url
    size = "phone" if both_sizes["viewport"]["width"] < 500 else "desktop"
    clock = live_server.app.extensions["quizapp.clock"]
    with live_server.app.app_context():
        teacher = create_user(db.session, f"teacher-{size}", "correct horse", clock.now())
        teacher.is_teacher = True
        db.session.commit()
    page.goto(base + "/")
    page.get_by_role("button", name="English").click()
    _log_in(page, base, f"teacher-{size}", "correct horse")

    # A class, with its code, link and QR code.
    page.get_by_role("link", name="My classes").click()
    page.get_by_label("Class name").fill("7A")
    page.get_by_role("button", name="Create the class").click()
    expect(page.locator(".join-code")).to_have_text(re.compile(r"^[A-Z2-9]{7}$"))
    expect(page.locator(".qr svg")).to_be_visible()
    class_url = page.url

    # An assignment of the "quick" quiz, open now, with the class's own leaderboard.
    page.get_by_label("Quiz", exact=True).select_option(label="Quick")
    page.get_by_label("Attempts allowed (0: no limit)").fill("2")
    page.get_by_label("The class's own leaderboard").check()
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("The assignment is set.")).to_be_visible()
    report_url = page.url

    # Three accounts and their cards; on paper, only the cards.
    page.goto(class_url)
    page.get_by_label("Start of the usernames").fill(f"k{size[0]}")
    page.get_by_label("How many accounts").fill("3")
    page.get_by_role("button", name="Make the accounts and print the cards").click()
    cards = page.locator(".login-card")
    expect(cards).to_have_count(3)
    no_axe_violations(page)
    _fits(page)
    shot(page, f"classes-cards-{size}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the cards")).to_be_hidden()
    expect(cards.first).to_be_visible()
    shot(page, f"classes-cards-print-{size}")
    page.emulate_media(media="screen")
    username = cards.first.locator(".card-username").inner_text()
    password = cards.first.locator(".card-password").inner_text()

    # The student: the card, a password of their own, the assignment, done.
    student = browser.new_context(viewport=both_sizes["viewport"]).new_page()
    student.goto(base + "/")
    student.get_by_role("button", name="English").click()
    _log_in(student, base, username, password)
    expect(student.get_by_role("heading", name="Choose your password")).to_be_visible()
    student.get_by_label("Your new password").fill("a quiet meadow in spring")
    student.get_by_label("Repeat the password").fill("a quiet meadow in spring")
    student.get_by_role("button", name="Save my password").click()
    card = student.locator(".assignment-card")
    expect(card).to_contain_text("To do")
    shot(student, f"classes-home-todo-{size}")
    card.get_by_role("link").click()
    no_axe_violations(student)
    student.get_by_role("button", name="Start").click()
    while "/attempt/" in student.url and "/result" not in student.url:
        attempt_id = int(re.search(r"/attempt/(\d+)", student.url).group(1))
        kind, data = right_answer_now(live_server, attempt_id)
        answer_on_page(student, kind, data)
    expect(student.locator(".summary")).to_be_visible()
    student.goto(base + "/")
    expect(student.locator(".assignment-card")).to_contain_text("Done")
    shot(student, f"classes-home-done-{size}")
    student.context.close()

    # The teacher's report, and the XLSX.
    page.goto(report_url)
    row = page.locator(f'tr[data-user="{username}"]')
    expect(row).to_contain_text("Done")
    expect(row.locator(".accuracy")).to_have_text("100%")
    no_axe_violations(page)
    _fits(page)
    shot(page, f"classes-report-{size}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[username][1] == "Done" and rows[username][3] == 1
    assert len(rows) == 3 and {r[1] for name, r in rows.items() if name != username} == {"Not started"}


def test_a_teacher_moves_the_close_and_the_student_sees_the_new_due_time(page: Page, live_server, shot, browser,
                                                                         both_sizes):
    from datetime import timedelta

    from quizapp import assignments, classes
    from helpers import quiz
    base = live_server.url
    size = "phone" if both_sizes["viewport"]["width"] < 500 else "desktop"
    clock = live_server.app.extensions["quizapp.clock"]
    with live_server.app.app_context():
        teacher = create_user(db.session, "teacher", "correct horse", clock.now())
        teacher.is_teacher = True
        pupil = create_user(db.session, "pupil", "correct horse", clock.now())
        school_class = classes.create_class(db.session, teacher, "7A", clock.now())
        classes.join(db.session, pupil, school_class.join_code, clock.now())
        made = assignments.create_assignment(
            db.session, school_class, quiz(db.session, "quick").id, clock.now(), open_dt=clock.now(),
            close_dt=clock.now() + timedelta(days=2), attempts_allowed=1, counting="best", time_limit_s=None,
            feedback="end", answers_after="attempt", ranking="none")
        db.session.commit()
        assignment_id = made.id
    new_close = (clock.now() + timedelta(days=10)).date()
    page.goto(base + "/")
    page.get_by_role("button", name="English").click()
    _log_in(page, base, "teacher", "correct horse")
    page.goto(f"{base}/teach/assignments/{assignment_id}")
    page.get_by_role("link", name="Change the settings").click()
    expect(page.get_by_text("running attempts keep theirs")).to_be_visible()
    no_axe_violations(page)
    _fits(page)
    shot(page, f"assignment-edit-{size}")
    page.get_by_label("Closes").fill(f"{new_close.isoformat()}T18:30")
    page.get_by_label("Attempts allowed (0: no limit)").fill("3")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_text("The assignment's settings are saved.")).to_be_visible()

    student = browser.new_context(viewport=both_sizes["viewport"]).new_page()
    student.goto(base + "/")
    student.get_by_role("button", name="English").click()
    _log_in(student, base, "pupil", "correct horse")
    due = f"Due: {new_close.month}/{new_close.day}/{new_close:%y}, 6:30"
    expect(student.locator(".assignment-card")).to_contain_text(re.compile(re.escape(due) + r"\sPM"))
    _fits(student)
    student.locator(".assignment-card a").click()
    expect(student.locator("main")).to_contain_text("0 used, 3 left")
    student.context.close()
