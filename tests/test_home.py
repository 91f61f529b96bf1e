"""Issue 16: a home page that says what to do next (quizapp.next_steps and main/home.html)."""
from __future__ import annotations

import re

from sqlalchemy import select

from quizapp import next_steps, practice
from quizapp.extensions import db
from quizapp.models import Quiz, User
from quizapp.users import create_user

from helpers import answer_current, finish, login, register

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}


def home(client, headers=EN) -> str:
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(page: str, key: str) -> str:
    start = page.index(f'id="quiz-{key}"')
    return page[start:page.index("</li>", start)]


def start_and_leave(client, clock, seconds: int) -> str:
    """A new player starts "Every type", sees its first question and goes away for ``seconds``;
    the attempt's address."""
    register(client)
    location = client.post("/quiz/all-types/start").headers["Location"]
    client.get(location)
    clock.advance(seconds)
    return location


def user(session, name="aigerim") -> User:
    return session.scalar(select(User).where(User.username == name))


def test_a_new_player_is_told_where_to_start_not_that_nothing_is_due(client, bank):
    register(client)
    page = home(client)
    assert "due for review" not in page and "0 questions" not in page
    assert "What to do next" in page and "Start with “Every type”: 8 questions, 5 min." in page
    assert re.search(r'<form method="post" action="/quiz/all-types/start" class="inline">', page)
    assert "Not taken yet" in card(page, "all-types") and "Not taken yet" in card(page, "quick")
    russian = home(client, RU)
    assert "Начните с викторины «Все типы»" in russian and "Ещё не пройдено" in russian


def test_a_running_attempt_shows_continue_with_its_time_left(client, app, bank, clock):
    location = start_and_leave(client, clock, seconds=70)
    page = home(client)
    assert "“Every type” is still running: 3:50 left." in page
    assert f'<a class="button primary" href="{location}">Continue</a>' in page
    mine = card(page, "all-types")
    assert "Started, not finished" in mine and "Continue" in mine and "3:50 left" in mine
    assert "/quiz/all-types/start" not in mine  # no "Start" that silently resumes
    # Past its deadline it is over, not running.
    clock.advance(300)
    page = home(client)
    assert "still running" not in page and "Continue" not in card(page, "all-types")


def test_each_card_shows_the_best_score_and_whether_the_quiz_is_done(client, app, bank, clock):
    register(client)
    with app.app_context():
        finish(db.session, clock, user(db.session), wrong={0, 1})
        finish(db.session, clock, user(db.session), wrong={0})
        db.session.commit()
    page = home(client)
    mine = card(page, "all-types")
    assert "Done. Your best: 700 of 800" in mine and "Take it again" in mine
    assert "Not taken yet" in card(page, "quick")
    assert "Пройдено. Ваш лучший результат: 700 из 800" in home(client, RU)


def test_the_suggestion_goes_from_due_reviews_to_an_untried_quiz(client, app, bank, clock):
    register(client)
    with app.app_context():
        finish(db.session, clock, user(db.session), wrong={0})
        db.session.commit()
    page = home(client)
    # A wrong answer is due again at once: reviewing comes first.
    assert "1 question you met before is due for review" in page
    assert '<a class="button primary" href="/review">Review now</a>' in page
    with app.app_context():
        run = practice.start_review(db.session, user(db.session), clock.now())
        while not run.is_finished:
            answer_current(db.session, run, clock)
        db.session.commit()
    page = home(client)
    assert "due for review" not in page and "You have not taken “Quick” yet." in page
    assert re.search(r'action="/quiz/quick/start".*Start “Quick”', page, re.S)


def test_suggest_orders_due_untried_and_weakest():
    quizzes = [Quiz(id=1, key="a"), Quiz(id=2, key="b")]
    best = {1: next_steps.QuizStanding(5, 10)}
    assert next_steps.suggest(3, quizzes, best, {}, lambda: 1 / 0).kind == "review"  # not even read
    untried = next_steps.suggest(0, quizzes, best, {}, lambda: [])
    assert untried.kind == "untried" and untried.quiz.key == "b"
    # A quiz still running is not "untried": the Continue above covers it.
    running = {2: next_steps.Running(9, 2, None)}
    assert next_steps.suggest(0, quizzes, best, running, lambda: []) is None
    both = {1: best[1], 2: next_steps.QuizStanding(9, 10)}
    weakest = next_steps.suggest(0, quizzes, both, {}, lambda: [("trade", 4, 0.25), ("visits", 9, 0.5)])
    assert weakest.kind == "weakest" and weakest.tag == "trade" and weakest.share == 0.25
    assert next_steps.suggest(0, quizzes, both, {}, lambda: [("trade", 4, 0.9)]) is None  # nothing weak
    assert next_steps.suggest(0, quizzes, both, {}, lambda: [("trade", 0, 0.0)]) is None  # nothing answered


def test_an_open_assignment_not_done_comes_before_anything_else():
    from types import SimpleNamespace as Item
    quizzes = [Quiz(id=1, key="a")]
    todo = Item(state="open", counted=None, running=None, attempts_left=1)
    done, running = Item(state="open", counted=object(), running=None, attempts_left=1), Item(
        state="open", counted=None, running=object(), attempts_left=1)
    later, over = Item(state="upcoming", counted=None, running=None, attempts_left=1), Item(
        state="closed", counted=None, running=None, attempts_left=1)
    assert next_steps.suggest(3, quizzes, {}, {}, lambda: [], [done, todo]).homework is todo  # before the review
    for nothing_to_start in ([done], [running], [later], [over]):
        assert next_steps.suggest(3, quizzes, {}, {}, lambda: [], nothing_to_start).kind == "review"


def test_the_weakest_topic_is_suggested_when_every_quiz_is_taken_and_nothing_is_due(client, app, bank, clock):
    register(client)
    with app.app_context():
        player = user(db.session)
        finish(db.session, clock, player, key="quick")
        finish(db.session, clock, player, wrong={0, 1, 2, 3, 4})
        run = practice.start_review(db.session, player, clock.now())  # the mistakes, reviewed at once
        while not run.is_finished:
            answer_current(db.session, run, clock)
        db.session.commit()
    page = home(client)
    assert "due for review" not in page and "not taken" not in page
    found = re.search(r"Your weakest topic is (\w+): (\d+)% of your answers on it were right\.", page)
    assert found and int(found.group(2)) < 80
    assert f'href="/study/' in page and f"Study {found.group(1)}" in page


def test_practising_mistakes_is_not_a_whole_run(app, bank, clock):
    with app.app_context():
        player = create_user(db.session, "bolat", "correct horse", clock.now())
        source = finish(db.session, clock, player, wrong={0, 1, 2})
        run = practice.start_practice(db.session, player, source, clock)
        while not run.is_finished:
            answer_current(db.session, run, clock)  # all right: 3 of 3
        standings = next_steps.quiz_standings(db.session, player.id)
        assert standings[source.quiz_id].best_score == source.score  # the practice run is not a "best"


def test_log_in_to_start_comes_back_to_the_quiz_picked(client, app, bank, clock):
    page = home(client)
    link = re.search(r'<a class="button primary" href="([^"]+)" aria-describedby="quiz-quick">', page).group(1)
    assert link == "/login?next=/%23quiz-quick"
    register(client)
    client.post("/logout")
    response = client.post(link, data={"username": "aigerim", "password": "correct horse", "next": "/#quiz-quick"})
    assert response.status_code == 302 and response.headers["Location"] == "/#quiz-quick"
    assert login(client).status_code == 302


def test_an_untimed_quiz_says_no_time_limit_not_time_limit_no_time_limit(client, app, bank):
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        quiz.time_limit_s = None
        db.session.commit()
    untimed, timed = card(home(client), "all-types"), card(home(client), "quick")
    assert "No time limit" in untimed and "Time limit:" not in untimed
    assert "Time limit: 1 min" in timed
    assert "Без ограничения времени" in card(home(client, RU), "all-types")


def test_an_unfinished_untimed_quiz_offers_continue_without_a_clock(client, app, bank, clock):
    # An untimed quiz (or a student a teacher gave no time limit) runs with no deadline: the
    # home page once failed on it, multiplying a missing time left.
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        quiz.time_limit_s = None
        quiz.question_time_limit_s = None
        db.session.commit()
    location = start_and_leave(client, clock, seconds=3600)
    page = home(client)
    assert "“Every type” is not finished yet; it has no time limit." in page
    assert f'<a class="button primary" href="{location}">Continue</a>' in page
    mine = card(page, "all-types")
    assert "Continue" in mine and " left" not in mine
    assert "«Все типы» ещё не завершена; у неё нет ограничения времени." in home(client, RU)
