"""The pages, through the Flask test client."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptAnswer, User
from quizapp.users import create_user

from helpers import answer_current, login, make_app, post_answer_for_page, register


def test_home_lists_quizzes_with_count_and_time_limit(client, bank):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Every type" in page and "8 questions" in page and "Time limit: 5 min" in page
    assert "Quick" in page and "2 questions" in page


def test_russian_is_the_default_and_english_follows_accept_language(client, bank):
    russian = client.get("/").get_data(as_text=True)
    assert '<html lang="ru">' in russian and "Викторины" in russian and "Все типы" in russian
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Quizzes" in english


def test_language_switcher_sticks_for_the_session(client, bank):
    response = client.post("/language", data={"lang": "en", "next": "/leaderboard/quick"})
    assert response.status_code == 302 and response.headers["Location"] == "/leaderboard/quick"
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.post("/language", data={"lang": "ru", "next": "https://evil.example/"})
    assert '<html lang="ru">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_does_not_follow_outside_redirects(client, bank):
    response = client.post("/language", data={"lang": "en", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_register_logs_in_and_refuses_a_taken_name(client, app):
    response = register(client)
    assert response.status_code == 302
    assert "aigerim" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    again = register(client, "AIGERIM")
    assert again.status_code == 400
    assert "This username is taken" in again.get_data(as_text=True) or "занято" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("data, message", [
    ({"username": "ab", "password": "long enough", "confirm": "long enough"}, "3 to 40 characters"),
    ({"username": "good_name", "password": "short", "confirm": "short"}, "at least 8 characters"),
    ({"username": "good_name", "password": "long enough", "confirm": "different!"}, "The two passwords differ"),
    ({"username": "<script>", "password": "long enough", "confirm": "long enough"}, "letters, digits"),
])
def test_register_form_errors_are_shown_and_tied_to_fields(client, app, data, message):
    response = client.post("/register", data=data, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'aria-invalid="true"' in page and "-error" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_login_does_not_tell_which_part_was_wrong(client, app):
    register(client)
    client.post("/logout")
    wrong_password = login(client, password="not it at all").get_data(as_text=True)
    unknown_user = login(client, username="nobody").get_data(as_text=True)
    for page in (wrong_password, unknown_user):
        assert "Неверное имя пользователя или пароль" in page or "Wrong username or password" in page
    assert login(client).status_code == 302


def test_logout(client, app):
    register(client)
    assert client.post("/logout").status_code == 302
    assert "Выйти" not in client.get("/").get_data(as_text=True)


def test_starting_a_quiz_needs_a_login(client, bank):
    response = client.post("/quiz/all-types/start")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_whole_quiz_in_the_browser_flow(client, bank, app):
    register(client)
    response = client.post("/quiz/all-types/start")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempt/(\d+)", response.headers["Location"]).group(1))
    for index in range(8):
        page = client.get(f"/attempt/{attempt_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert f"Question {index + 1} of 8" in page
        assert 'data-deadline="' in page and 'role="timer"' in page
        response = post_answer_for_page(client, attempt_id, page, right=index != 0)
        assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempt/{attempt_id}/result")
    result = client.get(f"/attempt/{attempt_id}/result", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "700 / 800" in result and "7 / 8" in result and "1 of 1" in result
    # Every question is reviewed with its right answer, explanation and paragraph.
    # (six as a pair of lines, the ordering and the matching as a table of their parts).
    assert result.count("<dt>Right answer</dt>") == 6 and result.count('<table class="answer-table">') == 2
    assert "Source: paragraph 13 of the article" in result
    assert "2026 − 34 = 1992." in result
    board = client.get("/leaderboard/all-types", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<tr class="mine" aria-current="true">\s*<td>1</td>\s*<td><a href="/users/aigerim">aigerim</a>', board)


def test_a_reload_shows_the_same_question(client, bank):
    register(client)
    location = client.post("/quiz/quick/start").headers["Location"]
    first = client.get(location).get_data(as_text=True)
    again = client.get(location).get_data(as_text=True)
    legend = lambda html: re.search(r"<legend><h1[^>]*>(.*?)</h1>", html).group(1)
    assert legend(first) == legend(again)


def test_an_invalid_answer_shows_a_form_error_and_records_nothing(client, bank, app):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.get(location)
    response = client.post(location, data={"position": "0"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Choose an answer." in response.get_data(as_text=True)
    response = client.post(location, data={"position": "0", "answer": "17"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                                 .where(AttemptAnswer.answered_dt.is_not(None))) == 0


def test_a_late_answer_is_refused_and_the_attempt_closed(client, bank, app, clock):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.get(location)
    clock.advance(303)
    # The right answer ("June" is option 1: this quiz keeps the YAML order), but too late.
    response = client.post(location, data={"position": "0", "answer": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    result = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    # The question shown timed out; the seven never shown are "not reached", with no answer.
    assert "0 / 800" in result and result.count("Timed out") == 1 and result.count("Not reached") == 7


def test_an_expired_attempt_does_not_reveal_the_questions_it_never_reached(client, bank, app, clock):
    """Issue 14, item 9: all-types always draws the same questions in the same order, so the
    results of an attempt left to expire were the answer key to the next one."""
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.get(location)
    client.post(location, data={"position": "0", "answer": "0"})  # May: wrong
    clock.advance(303)  # the other seven are never served
    result = client.get(f"{location}/result", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert result.count("Not reached") == 7 and "In June." in result  # the question met is reviewed
    review = result[result.index("<h2>Review</h2>"):]  # above it, "Almaty" names the time zone
    for hidden in ("1992", "Almaty", "Year relations were established?", "Shanghai's sister city?"):
        assert hidden not in review
    assert "Practise my 1 mistake" in result  # a question never met is no mistake to practise
    assert client.get(f"{location}/feedback/4").status_code == 404
    russian = client.get(f"{location}/result").get_data(as_text=True)
    assert russian.count("Не показан") == 7 and "1992" not in russian


def test_feedback_at_the_end_tells_nothing_while_the_attempt_runs(client, bank, app, clock):
    """Issue 14, item 8: all-types gives feedback at the end, yet its feedback page showed
    each answer's verdict and the right answer mid-attempt."""
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    response = post_answer_for_page(client, int(location.rsplit("/", 1)[1]), page)
    assert response.headers["Location"].endswith(location)  # straight on to the next question
    assert client.get(f"{location}/feedback/0").status_code == 404
    clock.advance(303)
    assert client.get(f"{location}/result").status_code == 200  # closes the attempt
    after = client.get(f"{location}/feedback/0", headers={"Accept-Language": "en"})
    assert after.status_code == 200 and "Right!" in after.get_data(as_text=True)


def test_feedback_at_the_end_keeps_the_review_schedule_still_until_the_attempt_is_over(client, bank, app, clock):
    """A wrong answer's card comes back at once and a right one's in days, so /review would
    tell right from wrong mid-attempt if answers moved the schedule before the end."""
    from quizapp.models import ReviewCard
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    post_answer_for_page(client, int(location.rsplit("/", 1)[1]), page, right=False)

    def cards() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(ReviewCard))

    assert cards() == 0
    clock.advance(303)
    assert client.get(f"{location}/result").status_code == 200  # closes the attempt
    assert cards() == 1


def test_the_countdown_reaching_zero_without_an_answer_moves_on(client, bank, app, clock):
    register(client)
    location = client.post("/quiz/quick/start").headers["Location"]
    client.get(location)
    clock.advance(20)
    response = client.post(location, data={"position": "0", "timeout": "1"})
    assert response.status_code == 302
    page = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Question 2 of 2" in page


def test_the_countdown_cannot_skip_a_question_early(client, bank, app, clock):
    register(client)
    location = client.post("/quiz/quick/start").headers["Location"]
    client.get(location)
    clock.advance(5)
    client.post(location, data={"position": "0", "timeout": "1"})
    assert "Question 1 of 2" in client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_immediate_feedback_shows_the_answer_and_explanation(client, bank, app):
    register(client)
    location = client.post("/quiz/quick/start").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    response = post_answer_for_page(client, int(location.rsplit("/", 1)[1]), page)
    assert "/feedback/0" in response.headers["Location"]
    feedback = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Right!" in feedback and "Source: paragraph" in feedback and "Next question" in feedback


def test_a_double_submit_is_recorded_once(client, bank, app):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    attempt_id = int(location.rsplit("/", 1)[1])
    first = post_answer_for_page(client, attempt_id, page)
    with app.app_context():
        answered = db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                                     .where(AttemptAnswer.answered_dt.is_not(None)))
    second = client.post(location, data={"position": "0", "answer": "1"})
    assert first.status_code == second.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                                 .where(AttemptAnswer.answered_dt.is_not(None))) == answered == 1


def test_an_answer_for_another_question_is_refused_with_a_message(client, bank):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.get(location)
    response = client.post(location, data={"position": "4", "answer": "0"}, follow_redirects=True,
                           headers={"Accept-Language": "en"})
    assert "That answer was for another question" in response.get_data(as_text=True)


def test_another_users_attempt_is_not_found(client, bank):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.post("/logout")
    register(client, "bolat")
    assert client.get(location).status_code == 404
    assert client.get(location + "/result").status_code == 404


def test_the_leaderboard_ranks_best_attempts_and_marks_my_row(client, bank, app, clock):
    from quizapp import attempts
    with app.app_context():
        from quizapp.models import Quiz
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        for name, wrong in (("dana", 0), ("erlan", 3), ("farida", 1)):
            user = create_user(db.session, name, "password1", clock.now())
            attempt = attempts.start_attempt(db.session, user, quiz, clock)
            for index in range(8):
                clock.advance(3)
                answer_current(db.session, attempt, clock, right=index >= wrong)
        db.session.commit()
    login_page = client.post("/login", data={"username": "erlan", "password": "password1"})
    assert login_page.status_code == 302
    board = client.get("/leaderboard/all-types", headers={"Accept-Language": "en"}).get_data(as_text=True)
    names = re.findall(r"<td>(?:<a [^>]*>)?(\w+)(?:</a>)?(?: <span class=\"you\">)?", board)
    assert [n for n in names if n in ("dana", "erlan", "farida")] == ["dana", "farida", "erlan"]
    assert re.search(r'<tr class="mine" aria-current="true">\s*<td>3</td>\s*<td><a href="/users/erlan">erlan</a>', board)


def test_unknown_pages_are_404_not_500(client, bank):
    assert client.get("/leaderboard/nope").status_code == 404
    assert client.get("/attempt/999999").status_code == 302  # login first
    register(client)
    assert client.get("/attempt/999999").status_code == 404
    assert client.get("/leaderboard/all-types?page=abc").status_code == 200
    assert client.post("/attempt/999999", data={"position": "x"}).status_code == 404


def test_a_post_without_csrf_token_is_refused(database_url, tmp_path, bank):
    app = make_app(database_url, tmp_path / "csrf-instance", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/register", data={"username": "zhanna", "password": "long enough",
                                               "confirm": "long enough"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert client.post("/language", data={"lang": "en"}).status_code == 400
    # With the token from the page, the same form goes through.
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/register", data={"username": "zhanna", "password": "long enough",
                                              "confirm": "long enough", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_an_attempt_survives_a_server_restart(client, bank, app, database_url, tmp_path, clock):
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    post_answer_for_page(client, int(location.rsplit("/", 1)[1]), page)
    before = client.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    deadline = re.search(r'data-deadline="([^"]+)"', before).group(1)
    # A new app instance on the same database, with the same secret (the session cookie stays valid).
    restarted = make_app(database_url, tmp_path / "instance")
    restarted.extensions["quizapp.clock"] = clock
    second = restarted.test_client()
    second.set_cookie(**{k: v for k, v in _session_cookie(client).items()})
    clock.advance(30)
    after = second.get(location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Question 2 of 8" in after
    assert re.search(r'data-deadline="([^"]+)"', after).group(1) == deadline
    assert re.search(r'role="timer">([^<]+)<', after).group(1) == "4:30"
    with restarted.app_context():
        db.engine.dispose()


def _session_cookie(client) -> dict:
    cookie = client.get_cookie("session")
    return {"key": "session", "value": cookie.value, "domain": cookie.domain or "localhost", "path": "/"}


def test_no_question_page_gives_the_answer_away(client, bank, app):
    """Scan every question page, as sent before answering, for anything that reveals the answer."""
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    attempt_id = int(location.rsplit("/", 1)[1])
    from quizapp import attempts
    for _ in range(8):
        page = client.get(location).get_data(as_text=True)
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            served = attempts.current_question(db.session, attempt, app.extensions["quizapp.clock"])
            content, order, kind = served.revision.content, served.order, served.revision.type
        form = page[page.index('<form method="post" id="answer-form"'):page.index("</form>", page.index('id="answer-form"'))]
        values = re.findall(r'value="([^"]*)"', form)
        # No YAML keys, no "correct"/"answer" markers, only display positions as values.
        for key in list(content.get("options", {})) + list(content.get("items", {})):
            assert f'value="{key}"' not in form
        assert not re.search(r"correct|is-right|data-answer", form, re.I)
        if kind in ("numeric", "year"):
            assert str(content["answer"]) not in values
        if kind == "text":
            assert not any(v.strip() and v.lower() in {a.lower() for a in content["accept"]} for v in values)
            assert content["answer"]["en"] not in form and content["answer"]["ru"] not in form
        if kind == "ordering":
            shown = re.findall(r'<label for="answer-\d+">([^<]+)</label>', form)
            right = [item["ru"] for item in content["items"].values()]
            assert shown != right  # items are never shown already in their right order
        if kind == "matching":
            options = re.findall(r'<option value="\d+">([^<]+)</option>', form)
            shown_rights = options[: len(content["pairs"])]
            assert shown_rights != [pair["right"]["ru"] for pair in content["pairs"]]
        post_answer_for_page(client, attempt_id, page)


def test_the_leaderboard_pages_link_to_each_other(database_url, tmp_path, bank, clock):
    from quizapp import attempts
    from quizapp.models import Quiz
    app = make_app(database_url, tmp_path / "paged", LEADERBOARD_PAGE_SIZE=1)
    app.extensions["quizapp.clock"] = clock
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "quick"))
        for name in ("first", "second"):
            attempt = attempts.start_attempt(db.session, create_user(db.session, name, "password1", clock.now()),
                                             quiz, clock)
            for _ in range(2):
                answer_current(db.session, attempt, clock, right=name == "first")
        db.session.commit()
    client = app.test_client()
    page = client.get("/leaderboard/quick?period=week", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page 1 of 2" in page and 'href="/leaderboard/quick?period=week&amp;board=standard&amp;page=2" rel="next"' in page
    second = client.get("/leaderboard/quick?period=week&board=standard&page=2").get_data(as_text=True)
    assert "second" in second and 'rel="prev"' in second


def test_the_header_is_each_visitors_own(app):
    """The header is reused between requests: it must still show each person their own name,
    their own form token, the page they are on and the language they chose."""
    first, second, visitor = app.test_client(), app.test_client(), app.test_client()
    register(first, "aigerim")
    register(second, "erlan")
    pages = {name: client.get("/study", headers={"Accept-Language": "en"}).get_data(as_text=True)
             for name, client in (("first", first), ("second", second), ("visitor", visitor))}
    assert '<span class="who">aigerim</span>' in pages["first"] and "erlan" not in pages["first"]
    assert '<span class="who">erlan</span>' in pages["second"] and "aigerim" not in pages["second"]
    assert "Log in" in pages["visitor"] and 'class="who"' not in pages["visitor"]
    tokens = {name: set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) for name, html in pages.items()}
    assert all(len(found) == 1 for found in tokens.values())  # both header forms carry the page's token
    assert len(set.union(*tokens.values())) == 3  # and no one gets another's
    assert '<a href="/study" aria-current="page">Study</a>' in pages["first"]
    timeline = first.get("/timeline?from=%3Cscript%3E", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<a href="/timeline" aria-current="page">Timeline</a>' in timeline
    assert '<a href="/study" aria-current="page">' not in timeline
    # The "back to this page" address of the language switch is this request's, escaped.
    assert 'name="next" value="/timeline?from=%3Cscript%3E"' in timeline
    first.post("/language", data={"lang": "ru", "next": "/study"})
    russian = first.get("/study").get_data(as_text=True)
    assert "Выйти" in russian and '<span class="who">aigerim</span>' in russian
