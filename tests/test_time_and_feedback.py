"""Issue 16: time said as a person would, and feedback that reads well, through the test client.

The injected clock starts at 2026-01-07 09:00 UTC: 14:00 in Almaty (UTC+5), 10:00 in Berlin.
"""
from __future__ import annotations

import re
from pathlib import Path
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Quiz, QuestionRevision
from quizapp.question_types import get_type
from quizapp.question_types.choice import TRUE_FALSE_LABELS
from quizapp.zones import utc_offset, zone_label, zone_named

from helpers import post_answer_for_page, register

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}


def start(client, key="all-types") -> str:
    location = client.post(f"/quiz/{key}/start").headers["Location"]
    assert re.fullmatch(r"/attempt/\d+", location)
    return location


def play_through(client, app, location, wrong=()) -> None:
    attempt_id = int(location.rsplit("/", 1)[1])
    for index in range(8):
        page = client.get(location, headers=EN).get_data(as_text=True)
        post_answer_for_page(client, attempt_id, page, right=index not in wrong)


# --- zones --------------------------------------------------------------------------------

def test_zone_names_and_offsets():
    moment = datetime(2026, 1, 7, 9, tzinfo=timezone.utc)
    assert zone_label(zone_named("Asia/Almaty"), moment, "ru") == "Алматы, UTC+5"
    assert zone_label(zone_named("Asia/Almaty"), moment, "en") == "Almaty, UTC+5"
    assert zone_label(zone_named("Asia/Kolkata"), moment, "en") == "Kolkata, UTC+5:30"
    assert zone_label(zone_named("UTC"), moment, "zh") == "UTC"
    assert utc_offset(zone_named("America/St_Johns"), moment) == "UTC\u22123:30"
    # Summer time counts: Berlin is UTC+2 in July.
    assert utc_offset(zone_named("Europe/Berlin"), moment.replace(month=7)) == "UTC+2"
    for junk in ("", "../etc/passwd", "Asia/Nowhere", "x" * 500, None, "asia/almaty"):
        assert zone_named(junk) is None


def test_times_are_in_the_viewers_zone_and_name_it(client, app, bank, clock):
    register(client)
    play_through(client, app, start(client))
    profile = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    # The configured zone (Asia/Almaty) when the browser has not said its own; named once, in the header.
    assert "Finished (Almaty, UTC+5)" in profile and re.search(r"1/7/26, 2:0\d\s?PM", profile)
    assert not re.search(r"1/7/26, 9:0\d", profile)
    # "Playing since" is a date: a time to the second there was noise.
    assert re.search(r"Playing since Jan 7, 2026</span>", profile)
    # The browser's zone (the cookie zone.js sets) wins; a name that is not a zone is ignored.
    client.set_cookie("tz", "Europe/Berlin")
    berlin = client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    assert "Finished (Berlin, UTC+1)" in berlin and re.search(r"1/7/26, 10:0\d\s?AM", berlin)
    client.set_cookie("tz", "Mars/Olympus")
    assert "Finished (Almaty, UTC+5)" in client.get("/users/aigerim", headers=EN).get_data(as_text=True)
    russian = client.get("/users/aigerim", headers=RU).get_data(as_text=True)
    assert "Завершено (Алматы, UTC+5)" in russian and re.search(r"07\.01\.2026, 14:0\d", russian)
    board = client.get("/leaderboard/all-types", headers=EN).get_data(as_text=True)
    assert "Finished (Almaty, UTC+5)" in board
    client.set_cookie("tz", "Europe/Berlin")  # the cached table is kept per zone
    assert "Finished (Berlin, UTC+1)" in client.get("/leaderboard/all-types", headers=EN).get_data(as_text=True)


def test_the_browser_script_sets_the_zone_cookie_on_every_page(client, bank):
    assert '<script src="/static/zone.js" defer></script>' in client.get("/").get_data(as_text=True)
    script = (Path(__file__).resolve().parents[1] / "quizapp" / "static" / "zone.js").read_text(encoding="utf-8")
    assert "resolvedOptions().timeZone" in script and '"tz="' in script


# --- the question page's clock ---------------------------------------------------------------

def test_the_deadline_note_is_a_plain_sentence_in_local_time(client, bank):
    register(client)
    location = start(client)
    page = client.get(location, headers=EN).get_data(as_text=True)
    assert "The quiz ends at 2:05\u202fPM (Almaty, UTC+5)." in page or "The quiz ends at 2:05 PM (Almaty, UTC+5)." in page
    note = re.search(r'<p class="deadline-note">(.*?)</p>', page).group(1)
    assert "server" not in note and "UTC;" not in note
    russian = client.get(location, headers=RU).get_data(as_text=True)
    assert "Викторина закончится в 14:05 (Алматы, UTC+5)." in russian and "сервер" not in russian.split("<main", 1)[1]


def test_a_question_limit_and_a_quiz_limit_are_both_shown(client, bank):
    register(client)
    location = start(client, "quick")  # 20 s a question, 60 s in all
    page = client.get(location, headers=EN).get_data(as_text=True)
    timer = page[page.index('id="timer"'):page.index('id="timer-announce"')]
    assert "This question: " in timer and "Whole quiz: " in timer
    assert re.search(r'role="timer">0:20</span>', timer) and re.search(r'data-until="[^"]+">1:00</span>', timer)
    assert "The quiz ends at" in timer


def test_only_a_question_limit_says_which(client, app, bank):
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.key == "all-types"))
        quiz.question_time_limit_s, quiz.time_limit_s = 30, None
        db.session.commit()
    register(client)
    page = client.get(start(client), headers=EN).get_data(as_text=True)
    assert "Time left for this question: " in page and "Whole quiz" not in page
    assert re.search(r"Answer by 2:00:30\s?PM \(Almaty, UTC\+5\)\.", page)


# --- timeouts ---------------------------------------------------------------------------

def test_a_timed_out_question_in_an_immediate_feedback_quiz_gets_its_feedback_page(client, app, bank, clock):
    register(client)
    location = start(client, "quick")
    client.get(location)
    clock.advance(20)
    response = client.post(location, data={"position": "0", "timeout": "1"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == f"{location}/feedback/0"
    feedback = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "<h1 id=\"feedback-title\">Time was up</h1>" in feedback
    assert "Time ran out for this question before an answer was sent" in feedback
    assert "<dt>Right answer</dt>" in feedback and "Next question" in feedback


def test_coming_back_after_a_questions_time_ran_out_says_so(client, app, bank, clock):
    register(client)
    location = start(client, "quick")
    client.get(location)
    clock.advance(30)  # away: the question's 20 s (and its grace) are over, the quiz's 60 s are not
    response = client.get(location, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == f"{location}/feedback/0"
    assert "Time was up" in client.get(f"{location}/feedback/0", headers=EN).get_data(as_text=True)


def test_without_immediate_feedback_a_timed_out_question_is_announced_on_the_next(client, app, bank, clock):
    with app.app_context():
        db.session.scalar(select(Quiz).where(Quiz.key == "all-types")).question_time_limit_s = 20
        db.session.commit()
    register(client)
    location = start(client)
    client.get(location)
    clock.advance(20)
    response = client.post(location, data={"position": "0", "timeout": "1"}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == location
    page = client.get(location, headers=EN).get_data(as_text=True)
    assert "Time ran out for question 1: it counts as unanswered." in page and "Question 2 of 8" in page
    # Said once: the next visit has no message.
    assert "Time ran out" not in client.get(location, headers=EN).get_data(as_text=True)


def test_a_quiz_that_ran_out_of_time_says_so_on_its_results(client, app, bank, clock):
    register(client)
    location = start(client)
    client.get(location)
    clock.advance(303)
    result = client.get(f"{location}/result", headers=EN).get_data(as_text=True)
    assert re.search(r"The time for this quiz ran out at 2:05\s?PM \(Almaty, UTC\+5\)\.", result)
    # One finished in time says nothing of the kind.
    second = start(client)
    assert second != location
    play_through(client, app, second)
    assert "ran out" not in client.get(f"{second}/result", headers=EN).get_data(as_text=True)


def test_the_feedback_page_shows_the_time_left_for_the_quiz(client, app, bank, clock):
    register(client)
    location = start(client, "quick")
    attempt_id = int(location.rsplit("/", 1)[1])
    page = client.get(location).get_data(as_text=True)
    clock.advance(5)
    response = post_answer_for_page(client, attempt_id, page)
    clock.advance(10)  # reading the feedback
    feedback = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert re.search(r'Time left for the quiz: <span class="timer-value" role="timer">0:45</span>', feedback)
    assert "clock keeps running while you read." in feedback
    assert '<script src="/static/countdown.js" defer></script>' in feedback
    # The last answer ends the quiz: nothing is counting any more.
    page = client.get(location).get_data(as_text=True)
    last = post_answer_for_page(client, attempt_id, page)
    final = client.get(last.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Time left for the quiz" not in final and "See the results" in final


# --- verdicts and answers of several parts -------------------------------------------------

@pytest.mark.parametrize("lang", ["ru", "kk", "zh", "en"])
def test_the_verdict_is_never_a_true_false_option_word(client, app, bank, lang):
    register(client)
    location = start(client)
    play_through(client, app, location, wrong={2})  # position 2 is the true/false question
    result = client.get(f"{location}/result", headers={"Accept-Language": lang}).get_data(as_text=True)
    verdicts = re.findall(r'<span class="verdict verdict-(?:right|wrong|partial)">([^<]+)</span>', result)
    assert len(verdicts) == 8
    if lang != "en":
        assert not set(verdicts) & set(TRUE_FALSE_LABELS[lang])
    if lang == "ru":
        assert verdicts.count("Правильно") == 7 and verdicts.count("Неправильно") == 1


def test_matching_and_ordering_answers_are_tables_of_yours_beside_the_right_one(client, app, bank):
    register(client)
    location = start(client)
    play_through(client, app, location, wrong={5, 6})  # the ordering and the matching question
    result = client.get(f"{location}/result", headers=EN).get_data(as_text=True)
    tables = re.findall(r'<table class="answer-table">.*?</table>', result, re.S)
    assert len(tables) == 2
    ordering, matching = tables
    assert "<th scope=\"col\">Place</th><th scope=\"col\">Your answer</th><th scope=\"col\">Right answer</th>" in ordering
    assert ordering.count("<tr class=\"part-") == 3 and "<th scope=\"row\">1</th>" in ordering
    assert "Xian Xinghai is born" in ordering and "part-wrong" in ordering
    assert "<th scope=\"col\">Item</th>" in matching and matching.count("<tr class=\"part-") == 3
    assert "<th scope=\"row\">The reconstruction of a road in Kazakhstan</th>" in matching and "CITIC Construction" in matching
    assert "(Wrong)" in matching  # said in words, not by colour or a mark alone


def test_answer_rows_pair_each_part(bank):
    ordering = next(item.data for item in bank.questions.values() if item.data["type"] == "ordering")
    rows = get_type("ordering").answer_rows(ordering, ["victory", "birth", "relations"], "en")
    assert [(r.label, r.given, r.right, r.is_right) for r in rows] == [
        ("1", "Victory", "Xian Xinghai is born", False), ("2", "Xian Xinghai is born", "Victory", False),
        ("3", "Relations", "Relations", True)]
    assert [r.given for r in get_type("ordering").answer_rows(ordering, None, "en")] == ["—"] * 3
    matching = next(item.data for item in bank.questions.values() if item.data["type"] == "matching")
    rows = get_type("matching").answer_rows(matching, ["0", "2", "x"], "en")
    assert [(r.given, r.is_right) for r in rows] == [("CITIC Construction (a building company)", True),
                                                      ("Al-Farabi Kazakh National University", False), ("—", False)]
    assert get_type("single").answer_rows({}, None, "en") is None


# --- instructions said once -----------------------------------------------------------------

def ordering_page(client) -> str:
    register(client)
    location = start(client)
    attempt_id = int(location.rsplit("/", 1)[1])
    for _ in range(5):  # the ordering question is the sixth
        post_answer_for_page(client, attempt_id, client.get(location).get_data(as_text=True))
    return client.get(location, headers=EN).get_data(as_text=True)


def test_the_ordering_hint_says_only_that_1_comes_first_by_default(client, bank):
    page = ordering_page(client)
    assert "Put in order." in page and "in the order the question asks for" in page and "earliest" not in page


def test_the_ordering_hint_says_earliest_when_the_order_is_time(client, app, bank):
    with app.app_context():
        revision = db.session.scalar(select(QuestionRevision).where(QuestionRevision.type == "ordering"))
        revision.content = {**revision.content, "order_by": "time"}
        db.session.commit()
    page = ordering_page(client)
    assert "Give each item its place: 1 is the earliest." in page and "asks for" not in page


def test_order_by_is_checked_by_the_loader(tmp_path):
    def load(value: str):
        (tmp_path / "q.yaml").write_text(
            "questions:\n  - id: o-one\n    type: ordering\n" + value +
            "    text: {ru: Порядок., en: Order., kk: Рет., zh: 顺序。}\n"
            "    items:\n      a: {ru: А, en: A, kk: А, zh: 甲}\n      b: {ru: Б, en: B, kk: Б, zh: 乙}\n"
            "      c: {ru: В, en: C, kk: В, zh: 丙}\n"
            "    explanation: {ru: Так., en: So., kk: Солай., zh: 如此。}\n    source: {paragraph: 1}\n    tags: [visits]\n"
            "    difficulty: 1\n", encoding="utf-8")
        return [str(problem) for problem in load_bank([tmp_path], root=tmp_path).problems]
    assert load("") == [] and load("    order_by: time\n") == [] and load("    order_by: other\n") == []
    problems = load("    order_by: size\n")
    assert len(problems) == 1 and "order_by" in problems[0] and "time, other" in problems[0]


def test_the_shipped_bank_says_each_instruction_once():
    shipped = load_bank([Path(__file__).resolve().parents[1] / "questions"])
    for item in shipped.questions.values():
        data = item.data
        if data["type"] == "multiple":
            # The page's hint says "Choose every right answer."; the question does not repeat it.
            assert not re.search(r"Выберите все|Choose all|Барлық дұрыс жауапты таңдаңыз|请选出所有", str(data["text"]))
        if data["type"] == "ordering":
            assert data.get("order_by") in ("time", "other"), data["id"]
