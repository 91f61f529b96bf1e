"""Changing an assignment after it is set, and deleting one nobody started (issue 18): what
each change does to the students already in it, as in Moodle (assignment_settings.py), and
the edit page: the teacher's zone, refused input kept with its errors, another teacher's 404."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp import assignment_settings, assignments, class_reports, classes
from quizapp.assignment_settings import AssignmentStarted, change_settings, delete_assignment, settings_of
from quizapp.attempts import close_if_expired
from quizapp.extensions import db
from quizapp.models import Assignment, AssignmentOverride, Attempt
from quizapp.users import create_user

from helpers import make_app, quiz, sign_in
from test_classes import _assignment, _client, _play, _user

HOUR = timedelta(hours=1)


@pytest.fixture(autouse=True)
def _each_request_loads_its_user(app):
    from flask import g

    @app.before_request
    def forget_the_user():
        g.pop("_login_user", None)


@pytest.fixture
def klass(session, clock, bank):
    teacher = _user(session, clock, "teacher", True)
    school_class = classes.create_class(session, teacher, "8B", clock.now())
    pupils = [_user(session, clock, f"pupil{n}") for n in range(3)]
    for pupil in pupils:
        classes.join(session, pupil, school_class.join_code, clock.now())
    return teacher, school_class, pupils


def _changed(assignment, **new):
    return assignment_settings.Settings(**{**vars(settings_of(assignment)), **new})


def test_a_later_close_lets_running_attempts_use_it_within_their_time_limit(session, clock, klass):
    _, school_class, (timed, untimed, short) = klass
    close = clock.now() + 2 * HOUR
    assignment = _assignment(session, clock, school_class, close_dt=close, time_limit_s=3600)
    untimed.time_accommodation = "untimed"
    assignments.set_override(session, assignment, short, 600, 0)  # their own 10 minutes
    clock.advance(90 * 60)  # half an hour before the close
    cut_short = assignments.start(session, timed, assignment, clock)
    no_limit = assignments.start(session, untimed, assignment, clock)
    own_limit = assignments.start(session, short, assignment, clock)
    assert cut_short.deadline_dt == no_limit.deadline_dt == close
    started = clock.now()

    moved = change_settings(session, assignment, _changed(assignment, close_dt=close + 24 * HOUR))
    assert moved == 2
    assert cut_short.deadline_dt == started + HOUR  # its hour, no longer cut by the close
    assert no_limit.deadline_dt == close + 24 * HOUR
    assert own_limit.deadline_dt == started + timedelta(minutes=10)  # its limit ended it before: it stays
    assert assignment.close_dt == close + 24 * HOUR


def test_an_earlier_close_ends_running_attempts_there_and_leaves_finished_ones(session, clock, klass):
    _, school_class, (done, running, _) = klass
    assignment = _assignment(session, clock, school_class, close_dt=clock.now() + 48 * HOUR)
    finished = _play(session, clock, done, assignment)
    finished_before = (finished.finished_dt, finished.score, finished.deadline_dt)
    attempt = assignments.start(session, running, assignment, clock)
    new_close = clock.now() + HOUR

    assert change_settings(session, assignment, _changed(assignment, close_dt=new_close)) == 1
    assert attempt.deadline_dt == new_close
    assert (finished.finished_dt, finished.score, finished.deadline_dt) == finished_before
    clock.advance(3603)  # past the new close and its grace
    assert close_if_expired(session, attempt, clock) and attempt.finished_dt == new_close
    # A close moved before an attempt began ends it at once, never before its start.
    change_settings(session, assignment, _changed(assignment, close_dt=clock.now() + HOUR))
    late = assignments.start(session, running, assignment, clock)
    change_settings(session, assignment, _changed(assignment, close_dt=late.started_dt - HOUR))
    assert late.deadline_dt == late.started_dt


def test_fewer_attempts_allowed_never_voids_one_and_best_or_last_is_counted_at_once(session, clock, klass):
    _, school_class, (pupil, _, _) = klass
    assignment = _assignment(session, clock, school_class, attempts_allowed=3)
    good = _play(session, clock, pupil, assignment)
    worse = _play(session, clock, pupil, assignment, wrong=(0, 1))
    assert good.score > worse.score

    change_settings(session, assignment, _changed(assignment, attempts_allowed=1))
    assert [a.review_status for a in assignments.attempts_of(session, assignment, pupil.id)] == [None, None]
    assert class_reports.assignment_report(session, assignment).rows[0].counted.id == good.id
    with pytest.raises(assignments.NoAttemptsLeft):
        assignments.start(session, pupil, assignment, clock)

    change_settings(session, assignment, _changed(assignment, counting="last"))
    row = next(r for r in class_reports.assignment_report(session, assignment).rows if r.user_id == pupil.id)
    assert row.counted.id == worse.id and row.attempts_used == 2


def test_a_new_time_limit_applies_to_attempts_started_afterwards_only(session, clock, klass):
    _, school_class, (first, second, _) = klass
    assignment = _assignment(session, clock, school_class, time_limit_s=1800)
    running = assignments.start(session, first, assignment, clock)
    before = running.deadline_dt
    assert change_settings(session, assignment, _changed(assignment, time_limit_s=300)) == 0
    assert running.deadline_dt == before
    assert assignments.start(session, second, assignment, clock).deadline_dt == clock.now() + timedelta(minutes=5)


def test_the_close_must_come_after_the_open(session, clock, klass):
    _, school_class, _ = klass
    assignment = _assignment(session, clock, school_class)
    before = settings_of(assignment)
    with pytest.raises(ValueError):
        change_settings(session, assignment, _changed(assignment, close_dt=assignment.open_dt))
    assert settings_of(assignment) == before


def test_only_an_assignment_nobody_started_is_deleted(session, clock, klass):
    _, school_class, (pupil, other, _) = klass
    untouched = _assignment(session, clock, school_class)
    assignments.set_override(session, untouched, other, 900, 1)
    started = _assignment(session, clock, school_class)
    assignments.start(session, pupil, started, clock)
    with pytest.raises(AssignmentStarted):
        delete_assignment(session, started)
    delete_assignment(session, untouched)
    assert [a.id for a in session.scalars(select(Assignment))] == [started.id]
    assert session.scalar(select(AssignmentOverride)) is None


# --- the edit page ---------------------------------------------------------------------------

@pytest.fixture
def almaty(database_url, tmp_path, bank):
    """An app whose pages show times in Asia/Almaty (UTC+5), a teacher, a class, an assignment."""
    app = make_app(database_url, tmp_path / "almaty", BABEL_DEFAULT_TIMEZONE="Asia/Almaty")

    @app.before_request
    def forget_the_user():
        from flask import g
        g.pop("_login_user", None)
    with app.app_context():
        clock = app.extensions["quizapp.clock"]
        teacher = create_user(db.session, "teacher", "correct horse", clock.now())
        teacher.is_teacher = True
        pupil = create_user(db.session, "pupil", "correct horse", clock.now())
        school_class = classes.create_class(db.session, teacher, "9A", clock.now())
        classes.join(db.session, pupil, school_class.join_code, clock.now())
        made = _assignment(db.session, clock, school_class)
        db.session.commit()
        ids = dict(teacher=teacher.id, pupil=pupil.id, assignment=made.id, class_id=school_class.id)
    client = _client(app)
    sign_in(client, ids["teacher"])
    return app, client, ids


FORM = {"open_at": "2026-03-02T09:00", "close_at": "2026-03-09T18:30", "attempts_allowed": "3",
        "counting": "last", "time_limit_min": "20", "feedback": "end", "answers_after": "close", "ranking": "class"}


def test_the_edit_page_shows_and_reads_times_in_the_viewers_zone(almaty):
    app, client, ids = almaty
    edit = f"/teach/assignments/{ids['assignment']}/edit"
    report = client.get(f"/teach/assignments/{ids['assignment']}").get_data(as_text=True)
    assert f'href="{edit}"' in report
    posted = client.post(edit, data=FORM)
    assert posted.status_code == 302 and posted.headers["Location"].endswith(f"/teach/assignments/{ids['assignment']}")
    assert "The assignment&#39;s settings are saved." in client.get(posted.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        saved = db.session.get(Assignment, ids["assignment"])
        assert (saved.open_dt.hour, saved.close_dt.hour, saved.close_dt.minute) == (4, 13, 30)  # UTC+5
        assert (saved.attempts_allowed, saved.counting, saved.time_limit_s, saved.answers_after, saved.ranking) == \
            (3, "last", 1200, "close", "class")
    page = client.get(edit).get_data(as_text=True)
    assert 'value="2026-03-02T09:00"' in page and 'value="2026-03-09T18:30"' in page
    assert 'value="20"' in page and "running attempts keep theirs" in page
    trail = page.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]  # the way back, as on every teacher page
    assert 'href="/teach/"' in trail and f'href="/teach/assignments/{ids["assignment"]}"' in trail
    assert 'aria-current="page">Change the settings' in trail


@pytest.mark.parametrize("bad, message", [
    ({"close_at": "2026-03-01T09:00"}, "The close must come after the opening."),
    ({"attempts_allowed": "lots"}, "Not a valid integer value."),
    ({"attempts_allowed": "-1"}, "From 0 to 50."),
    ({"open_at": "0001-01-01T00:00"}, "Choose a date between the years 2000 and 2999."),
    ({"close_at": "not a date"}, "Not a valid datetime value."),
    ({"counting": "worst"}, "Not a valid choice."),
    ({"feedback": "immediate"}, "choose feedback at the end"),
])
def test_refused_settings_come_back_with_their_errors_and_change_nothing(almaty, bad, message):
    app, client, ids = almaty
    edit = f"/teach/assignments/{ids['assignment']}/edit"
    with app.app_context():
        before = settings_of(db.session.get(Assignment, ids["assignment"]))
    posted = client.post(edit, data={**FORM, **bad})
    assert posted.status_code == 302 and posted.headers["Location"].endswith(edit)
    page = client.get(edit).get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    (name, typed), = bad.items()
    if name not in ("counting", "feedback"):  # a typed field comes back as typed, marked invalid
        assert f'value="{typed}"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert settings_of(db.session.get(Assignment, ids["assignment"])) == before
    assert message not in client.get(edit).get_data(as_text=True).replace("&#39;", "'")  # shown once


def test_deleting_says_why_a_started_assignment_is_kept(almaty):
    app, client, ids = almaty
    edit = f"/teach/assignments/{ids['assignment']}/edit"
    assert 'id="delete-assignment"' in client.get(edit).get_data(as_text=True)
    pupil = _client(app)
    sign_in(pupil, ids["pupil"])
    assert "/attempt/" in pupil.post(f"/assignments/{ids['assignment']}/start").headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    assert 'id="delete-assignment"' not in page and "so it cannot be deleted" in page
    refused = client.post(f"/teach/assignments/{ids['assignment']}/delete")
    assert refused.headers["Location"].endswith(edit)
    assert "so it cannot be deleted" in client.get(edit).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, ids["assignment"]) is not None
        fresh = _assignment(db.session, app.extensions["quizapp.clock"],
                            db.session.get(classes.SchoolClass, ids["class_id"]))
        db.session.commit()
        fresh_id = fresh.id
    deleted = client.post(f"/teach/assignments/{fresh_id}/delete")
    assert deleted.headers["Location"].endswith(f"/teach/classes/{ids['class_id']}")
    assert "The assignment is deleted." in client.get(deleted.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assignment, fresh_id) is None
        assert db.session.scalar(select(Attempt.assignment_id)) == ids["assignment"]


def test_an_archived_class_assignment_is_not_edited(almaty):
    app, client, ids = almaty
    with app.app_context():
        classes.archive(db.session.get(classes.SchoolClass, ids["class_id"]), app.extensions["quizapp.clock"].now())
        db.session.commit()
    edit = f"/teach/assignments/{ids['assignment']}/edit"
    assert client.get(edit).status_code == 404
    assert client.post(edit, data=FORM).status_code == 404
    assert 'id="edit-assignment"' not in client.get(f"/teach/assignments/{ids['assignment']}").get_data(as_text=True)
    assert re.search(r"<h1>", client.get(f"/teach/assignments/{ids['assignment']}").get_data(as_text=True))


def test_an_untimed_student_has_only_the_close_and_extended_time_multiplies_the_limit(session, clock, klass):
    _, school_class, (untimed, extended, _) = klass
    untimed.time_accommodation, extended.time_accommodation = "untimed", "x2"
    assignment = _assignment(session, clock, school_class, time_limit_s=600)
    assert assignments.start(session, untimed, assignment, clock).deadline_dt == assignment.close_dt
    assert assignments.start(session, extended, assignment, clock).deadline_dt == clock.now() + timedelta(minutes=20)


def test_a_start_that_loses_the_race_resumes_the_winner_only_if_it_is_the_assignments(session, clock, klass,
                                                                                       monkeypatch):
    """Both starts share attempts.insert_or_find_running: the unique index refuses the second
    insert, which then reads the winner.  The race is staged by hiding the winner from the
    first look (as a start that read before the other committed)."""
    from quizapp import attempts
    _, school_class, (pupil, other, _) = klass
    assignment = _assignment(session, clock, school_class)
    winner = assignments.start(session, pupil, assignment, clock)
    outside = attempts.start_attempt(session, other, assignment.quiz, clock)  # an ordinary run of the quiz
    monkeypatch.setattr(assignments, "find_active_attempt", lambda *args: None)
    assert assignments.start(session, pupil, assignment, clock).id == winner.id
    with pytest.raises(assignments.OtherAttemptRunning):
        assignments.start(session, other, assignment, clock)
    assert session.scalar(select(Attempt).where(Attempt.user_id == other.id, Attempt.assignment_id.is_not(None))) \
        is None and outside.finished_dt is None
