"""Teachers' classes (issue 18): roles and isolation, join codes, accounts made by a teacher
and their one-time passwords, assignments (windows, attempts, overrides, best against last,
ranking off), and the reports against figures worked out by hand."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from quizapp import assignments, attempts, class_reports, classes
from quizapp.extensions import db
from quizapp.live import games, rules as live_rules
from quizapp.models import Assignment, Attempt, ClassMember, SchoolClass, User
from quizapp.users import authenticate, create_user

from helpers import form_data, post_answer_for_page, quiz, sign_in as _sign_in

PASSWORD = "correct horse"


sign_in = _sign_in


def _client(app):
    """A test client that reads English (the assertions quote the English messages)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _each_request_loads_its_user(app):
    """These tests hold the ``session`` fixture's app context, which every request of the test
    clients then shares, and with it the user Flask-Login keeps in ``g``: forget it each time."""
    from flask import g

    @app.before_request
    def forget_the_user():
        g.pop("_login_user", None)


def _user(session, clock, name, teacher=False):
    user = create_user(session, name, PASSWORD, clock.now())
    user.is_teacher = teacher
    session.flush()
    return user


def _assignment(session, clock, school_class, key="all-types", **overrides):
    settings = dict(open_dt=clock.now(), close_dt=clock.now() + timedelta(days=7), attempts_allowed=2,
                    counting="best", time_limit_s=None, feedback="end", answers_after="attempt", ranking="none")
    settings.update(overrides)
    return assignments.create_assignment(session, school_class, quiz(session, key).id, clock.now(), **settings)


def _play(session, clock, user, assignment, wrong=(), seconds=5):
    attempt = assignments.start(session, user, assignment, clock)
    for position in range(attempt.question_count):
        clock.advance(seconds)
        served = attempts.current_question(session, attempt, clock)
        if served is None:
            break
        attempts.submit_answer(session, served, form_data(served, position not in wrong), clock)
    return attempt


@pytest.fixture
def teacher(session, clock, bank):
    """A teacher, after the test bank: ``bank`` writes through a session of its own, which
    SQLite (one writer) would refuse once this test's session has written."""
    return _user(session, clock, "teacher", True)


@pytest.fixture
def school_class(session, clock, teacher):
    """The teacher's class, nobody in it yet."""
    return classes.create_class(session, teacher, "9A", clock.now())


@pytest.fixture
def enrol(session, clock, school_class):
    """Students joining the class by its code: ``enrol("ann", "ben")`` gives {name: user}."""
    def enrol_students(*names):
        people = {name: _user(session, clock, name) for name in names}
        for user in people.values():
            classes.join(session, user, school_class.join_code, clock.now())
        return people
    return enrol_students


@pytest.fixture
def pupil(enrol):
    """One student in the class."""
    return enrol("pupil")["pupil"]


@pytest.fixture
def assign(session, clock, school_class):
    """Assignments of the class: ``assign(key, **settings)``, ``_assignment``'s settings otherwise."""
    return lambda key="all-types", **settings: _assignment(session, clock, school_class, key, **settings)


@pytest.fixture
def play(session, clock):
    """A whole assignment attempt: ``play(user, assignment, wrong={positions})``."""
    return lambda user, assignment, **how: _play(session, clock, user, assignment, **how)


def _signed_in(app, session, user):
    session.commit()  # what the test made so far, the user included, for the client's requests
    client = _client(app)
    sign_in(client, user.id)
    return client


@pytest.fixture
def as_teacher(app, session, teacher):
    """An English test client signed in as the teacher."""
    return _signed_in(app, session, teacher)


@pytest.fixture
def as_pupil(app, session, pupil):
    """An English test client signed in as the class's one student."""
    return _signed_in(app, session, pupil)


@pytest.fixture
def world(app, session, clock, bank):
    """Two teachers, each with a class of students and an assignment with one finished attempt."""
    t1, t2 = _user(session, clock, "teacher-one", True), _user(session, clock, "teacher-two", True)
    c1, c2 = classes.create_class(session, t1, "7A", clock.now()), classes.create_class(session, t2, "7B", clock.now())
    s1 = _user(session, clock, "student-one")
    s2 = _user(session, clock, "student-two")
    classes.join(session, s1, c1.join_code, clock.now())
    classes.join(session, s2, c2.join_code, clock.now())
    cards = classes.make_accounts(session, t2, c2, "kid", 1, clock.now())
    a1, a2 = _assignment(session, clock, c1), _assignment(session, clock, c2)
    _play(session, clock, s2, a2)
    # Teacher two's class plays a live game, student two signed in (issue 18: live games in reports).
    g2 = games.create_game(session, t2, quiz(session), live_rules.Settings(), clock, class_id=c2.id)
    games.join(session, g2.code, "", s2, clock)
    session.commit()
    kid = session.scalar(select(User).where(User.username == cards[0].username))
    return dict(t1=t1.id, t2=t2.id, c1=c1.id, c2=c2.id, s1=s1.id, s2=s2.id, a1=a1.id, a2=a2.id, kid=kid.id,
                g2=g2.id)


def teacher_routes(w):
    """Every teacher route, aimed at teacher two's class, student and assignment."""
    c, s, a, kid = w["c2"], w["s2"], w["a2"], w["kid"]
    return [("get", f"/teach/classes/{c}"), ("post", f"/teach/classes/{c}/code"),
            ("post", f"/teach/classes/{c}/archive"), ("post", f"/teach/classes/{c}/accounts"),
            ("post", f"/teach/classes/{c}/students/{kid}/reset"), ("post", f"/teach/classes/{c}/students/{s}/remove"),
            ("get", f"/teach/classes/{c}/students/{s}"), ("post", f"/teach/classes/{c}/assignments"),
            ("get", f"/teach/assignments/{a}"), ("post", f"/teach/assignments/{a}/overrides"),
            ("get", f"/teach/assignments/{a}/edit"), ("post", f"/teach/assignments/{a}/edit"),
            ("post", f"/teach/assignments/{a}/delete"),
            ("get", f"/teach/assignments/{a}/questions"), ("get", f"/teach/assignments/{a}/report.csv"),
            ("get", f"/teach/assignments/{a}/report.xlsx"), ("get", f"/teach/classes/{c}/live/{w['g2']}"),
            ("get", f"/teach/classes/{c}/live/{w['g2']}/report.csv"),
            ("get", f"/teach/classes/{c}/live/{w['g2']}/report.xlsx")]


# What each teacher form takes, valid: refused as "not found", not as a bad form.
ANY_FORM = {"name": "x", "prefix": "x", "count": "1", "open_at": "2026-03-02T09:00", "close_at": "2026-03-09T18:30",
            "attempts_allowed": "5", "counting": "last", "feedback": "end", "answers_after": "attempt", "ranking": "none"}


def test_every_teacher_route_is_404_for_another_teachers_class_student_or_report(app, world):
    client = _client(app)
    # The routes exist and work for their own teacher...
    sign_in(client, world["t2"])
    for method, path in teacher_routes(world):
        if method == "get":
            assert client.get(path).status_code == 200, path
    # ...and are "not found" for another teacher, for a student and for a visitor.
    for who in (world["t1"], world["s1"], None):
        sign_in(client, who)
        for method, path in teacher_routes(world):
            assert getattr(client, method)(path, data=ANY_FORM).status_code == 404, \
                (who, method, path)
    # Teacher one's own student in teacher two's class: still 404 through teacher one's class.
    sign_in(client, world["t1"])
    assert client.get(f"/teach/classes/{world['c1']}/students/{world['s2']}").status_code == 404
    assert client.get(f"/teach/classes/{world['c1']}/students/{world['s1']}").status_code == 200
    # Teacher two's class's live game through teacher one's own class: 404 too.
    for suffix in ("", "/report.csv", "/report.xlsx"):
        assert client.get(f"/teach/classes/{world['c1']}/live/{world['g2']}{suffix}").status_code == 404
    # Nothing changed for teacher two.
    with app.app_context():
        assert db.session.get(SchoolClass, world["c2"]).archived_dt is None
        assert db.session.get(Assignment, world["a2"]).attempts_allowed == 2
        assert db.session.scalar(select(ClassMember).where(ClassMember.user_id == world["s2"])) is not None


def test_the_teacher_page_is_404_for_a_player_and_the_admin_makes_a_teacher(app, session, clock):
    admin = create_user(session, "boss", PASSWORD, clock.now(), is_admin=True)
    player = _user(session, clock, "player")
    session.commit()
    client = _client(app)
    sign_in(client, player.id)
    assert client.get("/teach/").status_code == 404
    sign_in(client, admin.id)
    assert client.post(f"/admin/users/{player.id}/teacher").status_code == 302
    assert "player" in client.get("/admin/users").get_data(as_text=True)
    sign_in(client, player.id)
    page = client.get("/teach/")
    assert page.status_code == 200 and "/teach/" in page.get_data(as_text=True)
    sign_in(client, admin.id)
    client.post(f"/admin/users/{player.id}/not-teacher")
    sign_in(client, player.id)
    assert client.get("/teach/").status_code == 404


def test_users_create_teacher_on_the_command_line(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "ms-aliya", "--teacher",
                                                "--password", "a long and odd passphrase"])
    assert result.exit_code == 0, result.output
    assert "created teacher user ms-aliya" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "ms-aliya")).is_teacher


def test_join_codes_wrong_expired_archived_and_already(app, session, clock, teacher, school_class):
    student = _user(session, clock, "student")
    client = _signed_in(app, session, student)
    wrong = client.post("/class/join", data={"code": "NOPE123"})
    assert wrong.status_code == 400 and "No class has this code" in wrong.get_data(as_text=True)
    # Typed in lower case with a space: still the code.
    code = school_class.join_code
    assert client.get(f"/class/join/{code}").status_code == 200
    joined = client.post("/class/join", data={"code": f"{code[:3].lower()} {code[3:].lower()}"})
    assert joined.status_code == 302
    again = client.post("/class/join", data={"code": code})
    assert "in this class already" in again.get_data(as_text=True)
    other = _user(session, clock, "latecomer")
    session.commit()
    sign_in(client, other.id)
    clock.advance(int(classes.CODE_LIFETIME.total_seconds()) + 1)
    expired = client.post("/class/join", data={"code": code})
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    sign_in(client, teacher.id)
    client.post(f"/teach/classes/{school_class.id}/code")
    with app.app_context():
        new_code = db.session.get(SchoolClass, school_class.id).join_code
    assert new_code != code
    sign_in(client, other.id)
    assert client.post("/class/join", data={"code": code}).status_code == 400  # the old code is gone
    sign_in(client, teacher.id)
    client.post(f"/teach/classes/{school_class.id}/archive")
    sign_in(client, other.id)
    archived = client.post("/class/join", data={"code": new_code})
    assert archived.status_code == 400 and "archived" in archived.get_data(as_text=True)


def test_accounts_cards_one_time_passwords_and_the_first_login(app, session, clock, school_class, as_teacher):
    client = as_teacher
    _user(session, clock, "5a-02")  # taken: the numbering skips it
    session.commit()
    page = client.post(f"/teach/classes/{school_class.id}/accounts", data={"prefix": "5a", "count": "3"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    names = re.findall(r'class="card-username">([^<]+)<', html)
    passwords = re.findall(r'class="card-password">([^<]+)<', html)
    assert names == ["5a-01", "5a-03", "5a-04"] and len(set(passwords)) == 3
    from pathlib import Path
    assert html.count('class="login-card"') == 3 and "@media print" in (Path(app.static_folder) / "app.css").read_text()
    bad = client.post(f"/teach/classes/{school_class.id}/accounts", data={"prefix": "5a", "count": "61"})
    assert bad.status_code == 400
    # The student logs in with the card and must choose a password before anything else.
    student = _client(app)
    assert student.post("/login", data={"username": names[0], "password": passwords[0]}).status_code == 302
    assert student.get("/").headers["Location"].endswith("/first-password")
    assert student.get("/leaderboard/").headers["Location"].endswith("/first-password")
    weak = student.post("/first-password", data={"password": "password", "confirm": "password"})
    assert weak.status_code == 400
    chosen = "my own quiet meadow"
    assert student.post("/first-password", data={"password": chosen, "confirm": chosen}).status_code == 302
    assert student.get("/").status_code == 200
    with app.app_context():
        assert authenticate(db.session, names[0], passwords[0]) is None
        assert authenticate(db.session, names[0], chosen) is not None
        user = db.session.scalar(select(User).where(User.username == names[0]))
        user_id = user.id
    # The teacher resets it: a new one-time password, every session of the student ends.
    reset = client.post(f"/teach/classes/{school_class.id}/students/{user_id}/reset")
    new_password = re.findall(r'class="card-password">([^<]+)<', reset.get_data(as_text=True))[0]
    assert "/login" in student.get("/account/").headers["Location"]  # signed out
    with app.app_context():
        assert authenticate(db.session, names[0], new_password).must_set_password
    # A student who registered alone cannot have their password reset by a teacher.
    alone = _user(session, clock, "alone")
    classes.join(session, alone, school_class.join_code, clock.now())
    session.commit()
    assert client.post(f"/teach/classes/{school_class.id}/students/{alone.id}/reset").status_code == 404
    # Removing a student keeps the account.
    assert client.post(f"/teach/classes/{school_class.id}/students/{alone.id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(User, alone.id) is not None
        assert classes.member_of_class(db.session, db.session.get(SchoolClass, school_class.id), alone.id) is None


def test_class_page_shows_the_code_link_and_a_server_made_qr_code(school_class, as_teacher):
    html = as_teacher.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    assert school_class.join_code in html and f"/class/join/{school_class.join_code}" in html
    assert "<svg" in html and 'role="img"' in html and "<title" in html


def test_assignment_window_attempts_override_and_the_close_with_the_injected_clock(session, clock, pupil, assign):
    opens = clock.now() + timedelta(hours=1)
    assignment = assign(open_dt=opens, close_dt=opens + timedelta(hours=2), attempts_allowed=1, time_limit_s=600)
    with pytest.raises(assignments.NotOpen):
        assignments.start(session, pupil, assignment, clock)
    clock.advance(3600)
    attempt = assignments.start(session, pupil, assignment, clock)
    assert attempt.mode == "assignment" and attempt.assignment_id == assignment.id
    assert attempt.deadline_dt == clock.now() + timedelta(seconds=600)
    assert assignments.start(session, pupil, assignment, clock).id == attempt.id  # resumed, not a second
    clock.advance(601 + 5)
    assert attempts.close_if_expired(session, attempt, clock)
    with pytest.raises(assignments.NoAttemptsLeft):
        assignments.start(session, pupil, assignment, clock)
    # An extra attempt and a longer time, for this pupil only.
    assignments.set_override(session, assignment, pupil, 3 * 3600, 1)
    second = assignments.start(session, pupil, assignment, clock)
    # Their time limit is 3 hours but the assignment closes sooner: the close ends it.
    assert second.deadline_dt == assignment.close_dt
    clock.advance(7200)
    with pytest.raises(assignments.Closed):
        assignments.start(session, pupil, assignment, clock)


def test_best_against_last_and_ranking_off(session, pupil, assign, play, as_pupil):
    best = assign(attempts_allowed=0, ranking="class")
    good = play(pupil, best)
    poor = play(pupil, best, wrong={0, 1, 2})
    assert good.correct_count > poor.correct_count
    taken = assignments.attempts_of(session, best, pupil.id)
    assert assignments.counted_attempt(taken, "best").id == good.id
    assert assignments.counted_attempt(taken, "last").id == poor.id
    board = assignments.class_board(session, best)
    assert [(row.username, row.attempt_id) for row in board] == [("pupil", good.id)]
    # Assignment attempts are on no public board.
    assert session.scalar(select(Attempt).where(Attempt.id == good.id)).rank_at_finish is None
    best.ranking = "none"
    assert assignments.class_board(session, best) == []
    session.commit()
    client = as_pupil
    page = client.get(f"/assignments/{best.id}").get_data(as_text=True)
    assert "Class leaderboard" not in page
    home = client.get("/").get_data(as_text=True)
    assert "Your assignments" in home and "Done" in home


def test_home_lists_assignments_due_first_and_hides_answers_until_the_close(session, clock, pupil, assign, play,
                                                                            as_pupil):
    later = assign("all-types", close_dt=clock.now() + timedelta(days=5), answers_after="close")
    sooner = assign("quick", close_dt=clock.now() + timedelta(days=1))
    listed = assignments.student_assignments(session, pupil, clock.now())
    assert [item.assignment.id for item in listed] == [sooner.id, later.id]
    attempt = play(pupil, later, wrong={0})
    session.commit()
    client = as_pupil
    result = client.get(f"/attempt/{attempt.id}/result").get_data(as_text=True)
    assert 'class="review-item"' not in result
    assert client.post(f"/attempt/{attempt.id}/practice").status_code == 404
    clock.advance(6 * 86400)
    assert 'class="review-item"' in client.get(f"/attempt/{attempt.id}/result").get_data(as_text=True)


def test_an_assignment_of_another_class_is_not_found_for_a_student(app, world):
    client = _client(app)
    sign_in(client, world["s1"])
    assert client.get(f"/assignments/{world['a2']}").status_code == 404
    assert client.post(f"/assignments/{world['a2']}/start").status_code == 404
    assert client.get(f"/assignments/{world['a1']}").status_code == 200


def test_report_figures_against_a_class_worked_out_by_hand(app, session, school_class, enrol, assign, play,
                                                            as_teacher):
    """A class of four on the 8-question "all-types" quiz, best attempt counting:
    ann 8/8 then 6/8 -> best 8/8 = 100 %; ben 5/8 = 62.5 %; cat 3/8 = 37.5 %; dan nothing.
    Average over the three who finished: (1 + 0.625 + 0.375) / 3 = 0.6667.
    Bands: under 40 % cat; 40-70 % ben; 70-90 % nobody; 90 %+ ann."""
    people = enrol("ann", "ben", "cat", "dan")
    assignment = assign(attempts_allowed=3)
    play(people["ann"], assignment)
    play(people["ann"], assignment, wrong={0, 1})
    play(people["ben"], assignment, wrong={0, 1, 2})
    play(people["cat"], assignment, wrong={0, 1, 2, 3, 4})
    report = class_reports.assignment_report(session, assignment)
    by_name = {row.username: row for row in report.rows}
    assert [row.username for row in report.rows] == ["ann", "ben", "cat", "dan"]
    assert by_name["ann"].accuracy == 1.0 and by_name["ann"].attempts_used == 2
    assert by_name["ben"].accuracy == 0.625 and by_name["cat"].accuracy == 0.375
    assert by_name["dan"].accuracy is None and by_name["dan"].state == "not_started"
    assert report.average_accuracy == pytest.approx(2 / 3)
    assert report.bands == {"under_40": 1, "40_70": 1, "70_90": 0, "90_up": 1}
    # Per question: each of the 8 questions reached by the 3 counted attempts.
    stats = class_reports.question_report(session, assignment, "en")
    assert len(stats) == 8 and all(item.answered == 3 for item in stats)
    assert sum(item.right for item in stats) == 8 + 5 + 3
    # Per student, across assignments.
    rows = class_reports.student_report(session, school_class, people["ben"])
    assert [(row.attempts_used, row.accuracy) for row in rows] == [(1, 0.625)]
    session.commit()
    # The exports read back.
    client = as_teacher
    body = client.get(f"/teach/assignments/{assignment.id}/report.csv").get_data()
    assert body.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [(r["Student"], r["Accuracy"], r["Band"], r["State"]) for r in table] == [
        ("ann", "1.0", "90% and over", "Done"), ("ben", "0.625", "40–70%", "Done"), ("cat", "0.375", "under 40%", "Done"),
        ("dan", "", "", "Not started")]
    xlsx = client.get(f"/teach/assignments/{assignment.id}/report.xlsx")
    book = load_workbook(io.BytesIO(xlsx.get_data()))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0][:5] == ("Student", "State", "Attempts", "Accuracy", "Band")
    assert [(r[0], r[2], r[3]) for r in values[1:]] == [("ann", 2, 1), ("ben", 1, 0.625), ("cat", 1, 0.375),
                                                        ("dan", 0, None)]
    # The finish is a date a spreadsheet sorts, in the viewer's zone, which the header names.
    ann_finished = by_name["ann"].counted.finished_dt
    assert values[0][8] == "Finished (Almaty, UTC+5)"
    assert values[1][8] == (ann_finished + timedelta(hours=5)).replace(tzinfo=None, microsecond=0)
    assert book.active["D2"].number_format == "0%"
    # In Russian: the headers and the words, not the codes.
    from flask_babel import force_locale
    from quizapp.teach.tables import localized
    with app.test_request_context(), force_locale("ru"):
        headers, rows = localized(*class_reports.report_table(report))
    assert headers[:2] == ["Ученик", "Состояние"] and rows[3][1] == "Не начато" and rows[0][4] == "90% и выше"
    page = client.get(f"/teach/assignments/{assignment.id}").get_data(as_text=True)
    assert re.search(r'id="class-average">67\s?%<', page)
    assert client.get(f"/teach/assignments/{assignment.id}/questions").status_code == 200


def test_a_too_fast_assignment_attempt_is_held_and_flagged_in_the_report(session, clock, pupil, assign):
    from quizapp.pace import DEFAULT_PACE
    rules = attempts.Rules(pace=DEFAULT_PACE)
    assignment = assign("quick")
    attempt = assignments.start(session, pupil, assignment, clock, rules=rules)
    while not attempt.is_finished:
        served = attempts.current_question(session, attempt, clock, rules)
        attempts.submit_answer(session, served, form_data(served), clock, rules=rules)
    assert attempt.review_status == "flagged"
    report = class_reports.assignment_report(session, assignment)
    assert report.rows[0].flags == ("held",)
    assert session.scalar(select(Assignment).where(Assignment.id == assignment.id)) is not None


def test_assignment_times_are_typed_and_shown_in_the_zone_of_every_page(database_url, tmp_path, bank):
    from helpers import make_app
    app = make_app(database_url, tmp_path / "almaty", BABEL_DEFAULT_TIMEZONE="Asia/Almaty")
    with app.app_context():
        teacher = create_user(db.session, "teacher", PASSWORD, app.extensions["quizapp.clock"].now())
        teacher.is_teacher = True
        school_class = classes.create_class(db.session, teacher, "9A", teacher.created_dt)
        db.session.commit()
        teacher_id, class_id = teacher.id, school_class.id
        quiz_id = quiz(db.session).id
    client = _client(app)
    sign_in(client, teacher_id)
    posted = client.post(f"/teach/classes/{class_id}/assignments", data={
        "quiz": quiz_id, "open_at": "2026-03-02T09:00", "close_at": "2026-03-09T18:30", "attempts_allowed": "1",
        "counting": "best", "feedback": "end", "answers_after": "attempt", "ranking": "none"})
    assert posted.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(Assignment))
        assert (made.open_dt.hour, made.close_dt.hour) == (4, 13)  # Almaty is UTC+5
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "9:00" in page and "6:30" in page
    # The close before the open, or feedback at once with answers kept until the close: refused.
    refused = client.post(f"/teach/classes/{class_id}/assignments", data={
        "quiz": quiz_id, "open_at": "2026-03-09T09:00", "close_at": "2026-03-02T09:00", "attempts_allowed": "1",
        "counting": "best", "feedback": "immediate", "answers_after": "close", "ranking": "none"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "The close must come after the opening." in html and "choose feedback at the end" in html


def test_the_assignments_feedback_setting_rules_its_attempts(session, clock, pupil, assign, as_pupil):
    """"all-types" keeps feedback for the end; an assignment of it with feedback at once tells
    right or wrong after each answer, on the page and in the API."""
    assert quiz(session).feedback == "end"
    assignment = assign(feedback="immediate")
    attempt = assignments.start(session, pupil, assignment, clock)
    session.commit()
    assert attempts.shows_feedback_now(attempt)
    client = as_pupil
    page = client.get(f"/attempt/{attempt.id}")
    assert page.status_code == 200
    posted = post_answer_for_page(client, attempt.id, page.get_data(as_text=True))
    assert "/feedback/0" in posted.headers.get("Location", ""), posted.status_code
    assert client.get(posted.headers["Location"]).status_code == 200


def test_an_attempt_running_outside_the_assignment_must_end_first(session, clock, pupil, assign):
    assignment = assign()
    public = attempts.start_attempt(session, pupil, quiz(session), clock)
    with pytest.raises(assignments.OtherAttemptRunning):
        assignments.start(session, pupil, assignment, clock)
    clock.advance(3600)  # the public attempt's deadline passed: it is closed, the assignment starts
    started = assignments.start(session, pupil, assignment, clock)
    assert public.is_finished and started.assignment_id == assignment.id


def test_the_class_page_report_and_student_page_agree_on_who_is_done_and_who_has_not_started(
        session, clock, teacher, school_class, enrol, assign, play, as_teacher):
    """What a teacher checks mid-week at a glance: the class page gives each assignment's
    window and progress, the report the settings, who has not started (named) and attempts
    out of those allowed (an override's extra one included), and each page leads back up."""
    people = enrol("ann", "ben", "cat")
    assignment = assign("quick", close_dt=clock.now() + timedelta(days=1))
    play(people["ann"], assignment)
    assignments.set_override(session, assignment, people["ben"], None, 1)
    session.commit()
    client = as_teacher
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    card = page[page.index(f'data-assignment="{assignment.id}"'):]
    assert "Open" in card[:400] and "Done: 1 of 3" in card and "Not started: 2" in card
    assert 'aria-label="Breadcrumb"' in page
    report = client.get(f"/teach/assignments/{assignment.id}").get_data(as_text=True)
    assert re.search(r'id="not-started">Not started yet: <a [^>]+>ben</a>, <a [^>]+>cat</a>', report)
    assert 'id="done-count">1 / 3<' in report and 'id="not-started-count">2<' in report
    assert re.search(r"2 attempts\s+· the best counts", report) and "no ranking" in report
    ben_row = report[report.index('data-user="ben"'):]
    assert "+1 attempt" in ben_row[:600] and "0 of 3" in ben_row[:1200]
    assert f'href="/teach/classes/{school_class.id}"' in report.split("<h1>")[0]  # the crumbs, above the title
    student = client.get(f"/teach/classes/{school_class.id}/students/{people['cat'].id}").get_data(as_text=True)
    assert '<td class="state">Not started</td>' in student
    # The close: the student who never started is not told of attempts left.
    clock.advance(days=2)
    sign_in(client, people["cat"].id)
    closed = client.get(f"/assignments/{assignment.id}").get_data(as_text=True)
    assert "0 used" in closed and "left" not in closed
    # Archived, the class's assignments are no longer shown as open.
    classes.archive(school_class, clock.now())
    session.commit()
    sign_in(client, teacher.id)
    assert 'id="window-state">Archived<' in client.get(f"/teach/assignments/{assignment.id}").get_data(as_text=True)


def test_the_home_page_sends_a_student_to_the_assignment_before_the_same_quiz_as_practice(session, pupil, assign,
                                                                                          play, as_pupil):
    assignment = assign("quick")
    session.commit()
    client = as_pupil
    page = client.get("/").get_data(as_text=True)
    next_step = page[page.index('id="next-title"'):]
    assert "Your assignment “Quick” comes first" in next_step
    assert f'href="/assignments/{assignment.id}"' in next_step[:800] and "Start “" not in next_step[:800]
    attempt = play(pupil, assignment)
    session.commit()
    assert "comes first" not in client.get("/").get_data(as_text=True)
    # Its result leads back to the assignment, not to a public leaderboard it is not on.
    result = client.get(f"/attempt/{attempt.id}/result").get_data(as_text=True)
    assert f'href="/assignments/{assignment.id}">Back to the assignment<' in result
    assert 'href="/leaderboard/' not in result.split('class="actions"')[1].split("</div>")[0]


def test_the_by_question_report_names_who_did_not_get_each_question_right(session, school_class, enrol, assign,
                                                                          play, as_teacher):
    """ann 8/8, ben 5/8, cat 3/8, dan nothing: 3 + 5 names in all, ann's never, dan's never;
    each question's names as many as its share says were not right."""
    people = enrol("ann", "ben", "cat", "dan")
    assignment = assign()
    play(people["ann"], assignment)
    play(people["ben"], assignment, wrong={0, 1, 2})
    play(people["cat"], assignment, wrong={0, 1, 2, 3, 4})
    stats = class_reports.question_report(session, assignment, "en")
    assert all(len(item.missed) == item.answered - item.right for item in stats)
    named = [who.username for item in stats for who in item.missed]
    assert sorted(named) == ["ben"] * 3 + ["cat"] * 5
    assert all(who.how in (class_reports.WRONG, class_reports.PARTLY) for item in stats for who in item.missed)
    both = next(item for item in stats if len(item.missed) == 2)
    assert [who.username for who in both.missed] == ["ben", "cat"]  # the class's name order
    session.commit()
    page = as_teacher.get(f"/teach/assignments/{assignment.id}/questions").get_data(as_text=True)
    assert page.count('<details class="missed">') == sum(1 for item in stats if item.missed)
    assert "2 students did not get it right" in page
    assert re.search(rf'href="/teach/classes/{school_class.id}/students/{people["cat"].id}">cat</a>: '
                     r"(wrong|partly right)<", page)
    assert f'/students/{people["ann"].id}"' not in page


def test_the_report_says_no_time_limit_plainly(app, session, assign, as_teacher):
    client = as_teacher
    free, timed = assign(), assign(time_limit_s=600)
    session.commit()
    page = client.get(f"/teach/assignments/{free.id}").get_data(as_text=True)
    assert "· No time limit" in page and "Time limit:" not in page
    assert "· Time limit: 10 min" in client.get(f"/teach/assignments/{timed.id}").get_data(as_text=True)
    from flask_babel import force_locale, gettext
    with app.test_request_context(), force_locale("ru"):
        assert gettext("No time limit") == "Без ограничения времени"


def test_archived_classes_are_listed_apart_and_not_offered_for_live_games(session, clock, teacher, as_teacher):
    client = as_teacher
    old = classes.create_class(session, teacher, "Last year", clock.now())
    current = classes.create_class(session, teacher, "This year", clock.now())
    classes.archive(old, clock.now())
    session.commit()
    index = client.get("/teach/").get_data(as_text=True)
    assert index.index("This year") < index.index('id="archived-title">Archived classes<') < index.index("Last year")
    archived = client.get(f"/teach/classes/{old.id}").get_data(as_text=True)
    assert "choose this class" not in archived and "No live games yet." in archived
    assert "choose this class" in client.get(f"/teach/classes/{current.id}").get_data(as_text=True)
    assert "No current classes" not in index
    classes.archive(current, clock.now())
    session.commit()
    only_archived = client.get("/teach/").get_data(as_text=True)  # a new school year: say so above the form
    assert only_archived.index("No current classes. Create one; the archived ones are below.") < \
        only_archived.index(">New class<") < only_archived.index("This year")


def test_the_join_box_folds_below_the_assignments_once_the_class_has_students(session, school_class, enrol,
                                                                             as_teacher):
    client = as_teacher
    url = f"/teach/classes/{school_class.id}"
    empty = client.get(url).get_data(as_text=True)
    assert empty.index('class="join-code"') < empty.index(">Assignments<") and "<details" not in empty
    enrol("pupil")
    session.commit()
    joined = client.get(url).get_data(as_text=True)
    fold = joined[joined.index('<details class="join-box" id="join">'):]
    assert joined.index(">Assignments<") < joined.index('<details class="join-box"')
    assert "<summary>Join code and link</summary>" in fold and fold.index(school_class.join_code) < fold.index(
        "</details>")
    assert joined.count(school_class.join_code) == fold[:fold.index("</details>")].count(school_class.join_code)


def _card_figures(page: str, assignment_id: int) -> tuple[str, str, str]:
    """An assignment's card on the class page: done (of how many), not started, class average."""
    card = page[page.index(f'data-assignment="{assignment_id}"'):]
    card = card[:card.index("</li>")]
    done = re.search(r"Done: (\d+) of (\d+)", card)
    not_started = re.search(r"Not started: (\d+)", card)
    average = re.search(r"Class average: ([\d.]+)\s?%", card)
    return (f"{done[1]} / {done[2]}", not_started[1] if not_started else "0", average[1] if average else "—")


def _report_figures(page: str) -> tuple[str, str, str]:
    average = re.search(r'id="class-average">(?:([\d.]+)\s?%|—)<', page)
    return (re.search(r'id="done-count">([^<]+)<', page)[1], re.search(r'id="not-started-count">(\d+)<', page)[1],
            average[1] or "—")


def test_the_class_page_gives_each_assignment_the_figures_of_its_report(session, clock, school_class, enrol, assign,
                                                                        play, as_teacher):
    """The class page reads every assignment's figures at once (``class_progress``); each card
    says what its report says.  On the 8-question quiz, two attempts allowed:
    "best": ann 8/8 then 6/8 -> 100 %; ben (an extra attempt) 7/8 three times -> 87.5 %; cat and
    dan not started: done 2 of 4, average 93.75 %.  "last": ann 75 %; dan mid-attempt (neither
    done nor not started); ben and cat not started: done 1 of 4, average 75 %.  eve played both
    with 8/8 and left the class: counted in neither."""
    people = enrol("ann", "ben", "cat", "dan", "eve")
    best, last = assign(ranking="class"), assign(counting="last")
    for assignment in (best, last):
        play(people["ann"], assignment)
        play(people["ann"], assignment, wrong={0, 1})
        play(people["eve"], assignment)
    assignments.set_override(session, best, people["ben"], None, 1)
    for _ in range(3):
        play(people["ben"], best, wrong={0})
    assignments.start(session, people["dan"], last, clock)
    classes.remove_member(session, school_class, people["eve"])
    session.commit()
    client = as_teacher
    page = client.get(f"/teach/classes/{school_class.id}").get_data(as_text=True)
    reports = {a.id: client.get(f"/teach/assignments/{a.id}") for a in (best, last)}
    assert all(report.status_code == 200 for report in reports.values())
    for assignment, expected in ((best, ("2 / 4", "2", "94")), (last, ("1 / 4", "2", "75"))):
        assert _card_figures(page, assignment.id) == expected
        assert _report_figures(reports[assignment.id].get_data(as_text=True)) == expected
    # The same rows as each report, whatever the page shows of them.
    progress = class_reports.class_progress(session, school_class, [best, last])
    for assignment in (best, last):
        assert progress[assignment.id].rows == class_reports.assignment_report(session, assignment).rows
    assert progress[best.id].average_accuracy == pytest.approx((1 + 0.875) / 2)
    # A statement count that does not grow with the assignments (the page had three each).
    statements = []

    def count(*args):
        statements.append(args[2])

    def read_class():
        session.expire_all()
        statements.clear()
        class_reports.class_progress(session, school_class, assignments.assignments_of_class(session, school_class))
        return len(statements)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        two = read_class()
        assign(), assign()
        session.commit()
        assert read_class() == two
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_by_question_report_names_who_was_partly_right_and_who_did_not_answer(session, clock, school_class, enrol,
                                                                                   assign, as_teacher):
    """ann picks two of the three right airlines (partial credit) and gets the rest right; ben
    is shown the first question and runs out of time without answering; cat gets all right.
    The multi-answer question names ann, partly right; the first question names ben, not
    answered; the questions ben never reached say nothing of him; cat is named nowhere."""
    people = enrol("ann", "ben", "cat")
    assignment = assign(time_limit_s=600)
    for name in ("ann", "cat"):
        attempt = assignments.start(session, people[name], assignment, clock)
        while (served := attempts.current_question(session, attempt, clock)) is not None:
            clock.advance(5)
            partly = name == "ann" and served.revision.type == "multiple"
            answer = [str(served.order.index(key)) for key in ("ca", "ce")] if partly else form_data(served)
            attempts.submit_answer(session, served, answer, clock)
    slow = assignments.start(session, people["ben"], assignment, clock)
    first = attempts.current_question(session, slow, clock)
    clock.advance(600 + 60)
    assert attempts.close_if_expired(session, slow, clock)
    stats = class_reports.question_report(session, assignment, "en")
    missed = {item.revision.id: [(who.username, who.how) for who in item.missed] for item in stats if item.missed}
    multiple = next(item for item in stats if item.revision.type == "multiple")
    assert missed == {multiple.revision.id: [("ann", class_reports.PARTLY)],
                      first.revision.id: [("ben", class_reports.NO_RESPONSE)]}
    assert multiple.answered == 2 and multiple.right == 1  # ben never reached it: not counted
    session.commit()
    page = as_teacher.get(f"/teach/assignments/{assignment.id}/questions").get_data(as_text=True)
    for who, how in (("ann", "partly right"), ("ben", "not answered")):
        assert re.search(rf'href="/teach/classes/{school_class.id}/students/{people[who].id}">{who}</a>: {how}<', page)
    assert page.count('<details class="missed">') == 2 and ">cat</a>" not in page
