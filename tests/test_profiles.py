"""Profile pages and the statistics behind them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from quizapp import attempts
from quizapp.extensions import db
from quizapp.models import User
from quizapp.profiles import stats
from quizapp.profiles.chart import LEFT_PCT, RIGHT_PCT, progress_chart
from quizapp.users import create_user

from helpers import finish, form_data, login, make_app, quiz, register

EN = {"Accept-Language": "en"}


# --- stats, without a request --------------------------------------------------------------------

def test_accuracy_by_tag_counts_answered_questions_per_tag(session, bank, clock):
    user = create_user(session, "aigerim", "password1", clock.now())
    # all-types in bank order: single(visits) multiple(tourism) true_false(diplomacy) numeric(trade)
    # year(anniversaries) ordering(anniversaries) matching(infrastructure) text(diplomacy)
    finish(session, clock, user, wrong={2, 4})
    partial = attempts.start_attempt(session, user, quiz(session), clock)
    served = attempts.current_question(session, partial, clock)
    attempts.submit_answer(session, served, form_data(served, False), clock)  # visits, wrong
    clock.advance(hours=1)  # the rest time out: not answers
    attempts.close_overdue_attempts(session, clock)
    by_tag = {item.tag: (item.answered, item.right) for item in stats.accuracy_by_tag(session, user.id)}
    assert by_tag == {"visits": (2, 1), "tourism": (1, 1), "diplomacy": (2, 1), "trade": (1, 1),
                      "anniversaries": (2, 1), "infrastructure": (1, 1)}
    ordered = stats.accuracy_by_tag(session, user.id)
    assert [item.share for item in ordered] == sorted(item.share for item in ordered)
    other = create_user(session, "nobody", "password1", clock.now())
    assert stats.accuracy_by_tag(session, other.id) == []


def test_history_best_and_progress(session, bank, clock):
    user = create_user(session, "aigerim", "password1", clock.now())
    rival = create_user(session, "rival", "password1", clock.now())
    first = finish(session, clock, user, wrong={0, 1, 2, 3})
    finish(session, clock, rival, wrong={0})
    second = finish(session, clock, user, wrong=set())
    user.time_accommodation = "untimed"
    practice = finish(session, clock, user, key="quick", seconds=1)
    assert practice.mode == "practice"

    rows = stats.history(session, user.id)
    assert [row.attempt_id for row in rows] == [practice.id, second.id, first.id]
    assert (rows[1].score, rows[1].max_score, rows[1].rank_at_finish, rows[1].mode) == (800, 800, 1, "standard")
    assert rows[2].rank_at_finish == 1 and rows[0].rank_at_finish is None
    assert stats.finished_count(session, user.id) == 3
    assert [row.attempt_id for row in stats.history(session, user.id, limit=1, offset=1)] == [second.id]

    bests = stats.best_per_quiz(session, user.id)
    assert [(b.quiz_key, b.board, b.score, b.rank) for b in bests] == [("all-types", "standard", 800, 1)]
    assert [(b.score, b.rank) for b in stats.best_per_quiz(session, rival.id)] == [(700, 2)]

    points = stats.progress(session, user.id)
    assert [(p.attempt_id, p.percent) for p in points] == [(first.id, 50.0), (second.id, 100.0)]
    chart = progress_chart(points)
    [series] = chart.series
    (first_dot, second_dot) = series.dots
    assert (first_dot.x, second_dot.x) == (LEFT_PCT, RIGHT_PCT) and second_dot.y < first_dot.y
    assert dict((p, y) for y, p in chart.grid)[100] == second_dot.y


def _point(attempt_id, quiz_key, finished, score, max_score=100):
    return stats.ProgressPoint(attempt_id, quiz_key, {"en": quiz_key.title()}, finished, score, max_score)


def test_the_chart_has_one_line_per_quiz_placed_by_date():
    """Review newcomer #25: the chart joined every quiz into one line and had no dates."""
    from datetime import datetime, timedelta, timezone
    day = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    points = [_point(1, "history", day, 50), _point(2, "marathon", day + timedelta(days=1), 1000, 2500),
              _point(3, "history", day + timedelta(days=2), 70), _point(4, "marathon", day + timedelta(days=4),
                                                                      2500, 2500)]
    chart = progress_chart(points)
    assert [(s.quiz_key, [d.point.attempt_id for d in s.dots]) for s in chart.series] == [
        ("history", [1, 3]), ("marathon", [2, 4])]
    history, marathon = chart.series
    # x by time: day 0, 1, 2 and 4 of a four-day span, inside 3 %..97 % of the width.
    assert [d.x for d in history.dots] + [d.x for d in marathon.dots] == [3.0, 50.0, 26.5, 97.0]
    assert (history.colour, history.shape) != (marathon.colour, marathon.shape)
    assert history.shape != marathon.shape  # told apart without colour too
    assert len(history.segments) == 1 and history.segments[0] == tuple(history.dots)
    # The axis: the first, middle and last moments, dates only over a span of days.
    assert [(t.x, t.at, t.anchor) for t in chart.ticks] == [
        (3.0, day, "start"), (50.0, day + timedelta(days=2), "middle"), (97.0, day + timedelta(days=4), "end")]
    assert not chart.with_time
    # Within a day or two the ticks are the two ends, with their times.
    close = progress_chart([_point(1, "history", day, 10), _point(2, "history", day + timedelta(hours=3), 90)])
    assert close.with_time and [t.anchor for t in close.ticks] == ["start", "end"]


def test_a_single_point_is_drawn_in_the_middle():
    from datetime import datetime, timezone
    point = stats.ProgressPoint(1, "q", {}, datetime(2026, 1, 1, tzinfo=timezone.utc), 0, 0)
    chart = progress_chart([point])
    assert point.percent == 0.0 and chart.series[0].dots[0].x == 50.0
    assert [(t.x, t.anchor) for t in chart.ticks] == [(50.0, "middle")]


def test_stats_do_not_import_flask():
    import subprocess
    import sys

    import quizapp
    code = ("import sys, importlib\n"
            "sys.modules['quizapp'] = type(sys)('quizapp'); sys.modules['quizapp'].__path__ = [%r]\n"
            "importlib.import_module('quizapp.profiles.stats'); importlib.import_module('quizapp.profiles.chart')\n"
            "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'flask_'))))"
            ) % (quizapp.__path__[0],)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


# --- the pages -----------------------------------------------------------------------------------

@pytest.fixture
def played(app, bank, clock):
    with app.app_context():
        user = create_user(db.session, "aigerim", "correct horse", clock.now())
        create_user(db.session, "visitor", "correct horse", clock.now())
        finish(db.session, clock, user, wrong={0, 1})
        finish(db.session, clock, user, wrong=set())
        db.session.commit()


def share(app, name="aigerim", shared=True):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == name)).shares_profile = shared
        db.session.commit()


def test_a_shared_profile_shows_history_bests_accuracy_and_chart(client, app, played):
    share(app)
    login(client, "visitor")
    page = client.get("/users/aigerim", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Profile of aigerim</h1>" in html
    for heading in ("Best per quiz", "Progress", "Accuracy by topic", "Attempts"):
        assert f">{heading}</h2>" in html
    assert "800 of 800" in html and "600 of 800" in html
    # The chart: inline SVG with a title and a description, and its data as a table.
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="progress-title progress-desc"' in svg
    assert "<title id=\"progress-title\">" in svg and "the first scored 75 %, the last 100 %, the best 100 %" in svg
    # One line per quiz (one quiz here: one line joining its two attempts), a marker per
    # attempt, dates on the axis, and a legend naming the quiz.
    assert svg.count('<use href="#mark-circle"') == 2 and svg.count("stroke-width=\"2\"/>") == 1
    labels = re.findall(r'<text class="chart-label"[^>]*>([^<]+)</text>', svg)
    assert labels[:3] == ["0%", "50%", "100%"]
    # Two attempts a minute apart: the two ends of the axis, each with its date and time
    # (in the viewer's zone, which names the same day for this clock's 9:00 UTC).
    assert len(labels) == 5 and all(re.fullmatch(r"Jan 7, \d+:\d\d\W*[AP]M", label) for label in labels[3:])
    legend = re.search(r'<ul class="chart-legend"[^>]*>.*?</ul>', html, re.S).group(0)
    assert legend.count("<li>") == 1 and "Every type</li>" in legend
    assert "<summary>The chart&#39;s data as a table</summary>" in html or "The chart's data as a table" in html
    assert "<script" not in html.split("<main", 1)[1] and "style=" not in html
    # Accuracy by topic, with a header per row and per column.
    assert re.search(r'<th scope="row">Visits</th><td>2</td><td>1</td><td>50%</td>', html)
    # Percentages and dates in each language's own form, as Babel's locale data writes them.
    for lang, percent in (("ru", "50\xa0%"), ("kk", "50%"), ("zh", "50%")):
        localized = client.get("/users/aigerim", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert f"<td>{percent}</td>" in localized, lang
    chinese = client.get("/users/aigerim", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert re.search(r"<td>\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}</td>", chinese)  # CLDR's short zh date and time
    # Another player sees no settings.
    assert "Change password" not in html and "Who may see your profile" not in html


def test_unknown_users_are_404(client, played):
    login(client, "visitor")
    assert client.get("/users/nobody").status_code == 404
    assert client.get("/users/" + "x" * 200).status_code == 404


def test_usernames_are_found_whatever_the_case(client, played):
    login(client)
    response = client.get("/users/AIGERIM")
    assert response.status_code == 301 and response.headers["Location"].endswith("/users/aigerim")


def test_a_hidden_players_page_is_only_for_them_and_admins(client, app, played):
    share(app)  # even one shared with every signed-in player
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "aigerim")).is_hidden = True
        db.session.commit()
    assert client.get("/users/aigerim").status_code == 404
    login(client, "visitor")
    assert client.get("/users/aigerim").status_code == 404
    client.post("/logout")
    login(client)
    page = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    assert "Hidden from the leaderboards" in page
    # Hidden: no current rank is shown, the rank at the time stays.
    assert re.search(r"<td>0:40</td>\s*<td>—</td>", page)


def test_profile_needs_login_and_goes_to_the_own_page(client, played):
    assert client.get("/profile").status_code == 302
    assert "/login" in client.get("/profile").headers["Location"]
    login(client)
    response = client.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].endswith("/users/aigerim")
    page = client.get("/users/aigerim", headers=EN)
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert '<label for="password-current">Current password</label>' in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert "<legend>Show the site in</legend>" in html
    # The header's link to one's own profile is one's name, marked as the current page.
    assert re.search(r'<a href="/profile" aria-current="page"><span class="visually-hidden">Profile: </span>'
                     r'<span class="who">aigerim</span></a>', html)


def test_changing_the_password(client, app, played):
    login(client)
    wrong = client.post("/profile/password", data={"password-current": "not it", "password-password": "new secret 1",
                                                   "password-confirm": "new secret 1"}, headers=EN)
    # Post/redirect/get: back to the form, so a refresh never sends the passwords again.
    assert wrong.status_code == 302 and wrong.headers["Location"] == "/users/aigerim#password-title"
    html = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    assert "not it" not in html and "new secret 1" not in html
    assert re.search(r'id="password-current"[^>]*aria-invalid="true"'
                     r'|aria-invalid="true"[^>]*id="password-current"', html)
    assert 'aria-describedby="password-current-error"' in html
    assert '<ul class="errors" id="password-current-error">' in html and "This is not your current password." in html

    mismatch = client.post("/profile/password", data={"password-current": "correct horse",
                                                      "password-password": "new secret 1",
                                                      "password-confirm": "new secret 2"}, headers=EN)
    assert mismatch.status_code == 302
    assert re.search(r'id="password-confirm-error">\s*<li>The two passwords differ.',
                     client.get("/users/aigerim", headers=EN).get_data(as_text=True))
    client.post("/profile/password", data={"password-current": "correct horse", "password-password": "short",
                                           "password-confirm": "short"}, headers=EN)
    assert "A password has at least 8 characters." in client.get("/users/aigerim", headers=EN).get_data(as_text=True)

    done = client.post("/profile/password", data={"password-current": "correct horse",
                                                  "password-password": "new secret 1",
                                                  "password-confirm": "new secret 1"})
    assert done.status_code == 302 and done.headers["Location"] == "/profile/tokens"  # see test_sessions
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "aigerim"))
        assert check_password_hash(user.password_hash, "new secret 1")
    client.post("/logout")
    assert login(client, password="correct horse").status_code == 400
    assert login(client, password="new secret 1").status_code == 302


def test_changing_the_display_language(client, app, played):
    login(client)
    response = client.post("/profile/language", data={"language-locale": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/users/aigerim#language-title"
    page = client.get("/users/aigerim").get_data(as_text=True)  # no Accept-Language: the choice decides
    assert '<html lang="en">' in page and "Display language saved." in page
    # The message stands beside the form it is about.
    assert "Display language saved." in page[page.index('id="language-title"'):]
    assert 'id="language-locale-1" name="language-locale" type="radio" value="en" checked' in page \
        or re.search(r'<input checked[^>]*value="en"', page)
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.username == "aigerim")) == "en"
    # The four configured languages are offered, each named in itself with its own lang.
    for code, name in (("ru", "Русский"), ("en", "English"), ("kk", "Қазақша"), ("zh", "中文")):
        assert f'<label for="language-locale-' in page and f'lang="{code}">{name}</label>' in page
    client.post("/profile/language", data={"language-locale": "zh"})
    assert '<html lang="zh">' in client.get("/users/aigerim").get_data(as_text=True)
    client.post("/profile/language", data={"language-locale": "ru"})
    assert '<html lang="ru">' in client.get("/users/aigerim").get_data(as_text=True)
    bad = client.post("/profile/language", data={"language-locale": "de"}, headers=EN)
    assert bad.status_code == 302 and 'id="language-locale-error"' in client.get("/users/aigerim").get_data(as_text=True)
    # A fresh login brings the saved language back.
    client.post("/logout")
    other = app.test_client()
    login(other)
    assert '<html lang="ru">' in other.get("/", headers=EN).get_data(as_text=True)


def test_the_settings_forms_need_a_csrf_token(database_url, tmp_path, bank, app):
    strict = make_app(database_url, tmp_path / "csrf-instance", WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    with strict.app_context():
        create_user(db.session, "aigerim", "correct horse", strict.extensions["quizapp.clock"].now())
        db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "aigerim", "password": "correct horse", "csrf_token": token})
    refused = client.post("/profile/password", data={"password-current": "correct horse",
                                                     "password-password": "new secret 1",
                                                     "password-confirm": "new secret 1"})
    assert refused.status_code == 400
    assert client.post("/profile/language", data={"language-locale": "en"}).status_code == 400
    assert client.post("/profile/visibility", data={"visibility-visibility": "members"}).status_code == 400
    profile = client.get("/users/aigerim").get_data(as_text=True)
    assert profile.count('name="password-csrf_token"') == 1 and profile.count('name="language-csrf_token"') == 1
    assert profile.count('name="visibility-csrf_token"') == 1
    with strict.app_context():
        db.engine.dispose()


def test_the_history_is_paged(client, app, bank, clock):
    with app.app_context():
        user = create_user(db.session, "busy", "correct horse", clock.now())
        for _ in range(21):
            finish(db.session, clock, user, key="quick", seconds=1)
        db.session.commit()
    login(client, "busy")
    first = client.get("/users/busy", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/users/busy?page=2", headers=EN).get_data(as_text=True)
    history = second.split('id="history-title"', 1)[1]
    assert history.count('<th scope="row">') == 1 and 'rel="prev"' in history
    assert client.get("/users/busy?page=zz").status_code == 200


def test_register_then_own_profile_is_empty_but_fine(client, bank):
    register(client, "newbie")
    html = client.get("/users/newbie", headers=EN).get_data(as_text=True)
    assert "No ranked attempts yet." in html and "No finished attempts yet." in html and "<svg" not in html
