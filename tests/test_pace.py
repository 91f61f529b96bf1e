"""The human floor (quizapp.pace): a bot that knows the answer key and answers at once is
held off every board until an admin clears it; people answering at a human pace are ranked
as before.  The bot of the security review (docs/security.md, "A bot tops every board")."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from quizapp import pace
from quizapp.extensions import db
from quizapp.ranking.rebuild import snapshot as board_snapshot
from quizapp.models import Attempt, LeaderboardCount, LeaderboardEntry, OverallEntry, User
from quizapp.ranking import OVERALL_QUIZ_ID
from quizapp.users import create_user

from helpers import make_app, snapshot
from api_helpers import ApiClient, make_user, right_answer

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}


# --- the floor, in plain Python ----------------------------------------------------------

SINGLE = {"text": {"ru": "Вопрос подлиннее?", "en": "Short?"},  # ru 17 characters, en 6
          "options": {"a": {"ru": "Да", "en": "Yes"}, "b": {"ru": "Нет", "en": "No"}}, "answer": "a"}


def test_the_floor_counts_the_shortest_language_and_the_controls_to_set():
    # en: 6 + 3 + 2 = 11 characters; ru: 17 + 2 + 3 = 22.  The shorter one counts.
    assert pace.shown_characters(SINGLE) == 11
    rules = pace.PaceRules(read_ms_per_char=10, answer_ms=500, choice_ms=300, typed_ms=900)
    assert pace.question_floor_ms("single", SINGLE, rules) == 500 + 110
    assert pace.question_floor_ms("year", {"text": {"en": "Year?"}}, rules) == 500 + 50 + 900
    ordering = {"text": {"en": "Order"}, "items": {k: {"en": k * 2} for k in "abcd"}}
    assert pace.question_floor_ms("ordering", ordering, rules) == 500 + 10 * (5 + 8) + 3 * 300
    matching = {"text": {"en": "Pair"}, "pairs": [{"left": {"en": "ab"}, "right": {"en": "c"}}] * 3}
    assert pace.question_floor_ms("matching", matching, rules) == 500 + 10 * (4 + 9) + 2 * 300
    multiple = {**SINGLE, "answers": ["a", "b"]}
    assert pace.question_floor_ms("multiple", multiple, rules) == 500 + 110 + 300


def test_a_chinese_character_counts_as_three_letters():
    # Otherwise the zh text, a third of the ru one's length, would set every floor a third as high.
    question = {"text": {"ru": "Где прошёл саммит?", "en": "Where was the summit?", "zh": "峰会在哪里举行？"},
                "options": {"a": {"ru": "Астана", "en": "Astana", "zh": "阿斯塔纳"}}}
    assert pace.shown_characters(question) == min(18 + 6, 21 + 6, 3 * 7 + 1 + 3 * 4)


def test_any_answer_under_its_floor_or_the_whole_attempt_under_the_sum_is_too_fast():
    start = datetime(2026, 1, 7, 9, tzinfo=timezone.utc)
    rules = pace.PaceRules(read_ms_per_char=10, answer_ms=500, choice_ms=300, typed_ms=900)  # floor 610 ms each

    def answers(*elapsed_ms):
        return [pace.TimedAnswer(i, "single", SINGLE, start, start + timedelta(milliseconds=ms))
                for i, ms in enumerate(elapsed_ms)]

    human = pace.pace_report(answers(3000, 2500), 6000, rules)
    assert not human["too_fast"] and human["floor_ms"] == 1220 and human["fast_answers"] == 0
    one_fast = pace.pace_report(answers(3000, 200), 6000, rules)
    assert one_fast["too_fast"] and one_fast["fast_answers"] == 1
    assert one_fast["answers"][1] == {"position": 1, "type": "single", "elapsed_ms": 200, "floor_ms": 610,
                                      "too_fast": True}
    whole = pace.pace_report(answers(700, 700), 1000, rules)
    assert whole["too_fast"] and whole["attempt_too_fast"] and whole["fast_answers"] == 0
    # A question never answered (timed out, never reached) took no effort and counts for nothing.
    unanswered = [pace.TimedAnswer(0, "single", SINGLE, start, None), pace.TimedAnswer(1, "single", SINGLE, None, None)]
    assert not pace.pace_report(unanswered, 0, rules)["too_fast"]


# --- the bot of the review, and people, through the API ----------------------------------

@pytest.fixture
def paced(database_url, tmp_path, bank):
    """The app with the pace check on (the default everywhere but the other tests)."""
    return make_app(database_url, tmp_path / "paced", PACE_CHECK=True)


def play(api: ApiClient, clock, key: str, seconds_per_question: float = 0.0) -> dict:
    """Answer every question of ``key`` rightly, ``seconds_per_question`` after it is shown."""
    _response, state = api.post(f"/quizzes/{key}/attempts")
    attempt_id = state["id"]
    while state["status"] == "active":
        clock.advance(seconds_per_question)
        response, outcome = api.answer(attempt_id, state["position"], right_answer(state["question"]))
        # A quiz with feedback at the end says nothing (None) until it is over; never False here.
        assert response.status_code == 200 and outcome["is_correct"] is not False, outcome
        _response, state = api.get(f"/attempts/{attempt_id}")
    _response, result = api.get(f"/attempts/{attempt_id}/result")
    return result


def board_rows(app, user_id: int) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)
                                                  .where(model.user_id == user_id))
                for model in (LeaderboardEntry, OverallEntry)}


def bucket_total(app, quiz_id: int, level: int = 1) -> int:
    """How many rows the all-time standard board's buckets count (its participants)."""
    with app.app_context():
        return int(db.session.scalar(
            select(func.coalesce(func.sum(LeaderboardCount.n), 0))
            .where(LeaderboardCount.quiz_id == quiz_id, LeaderboardCount.board == "standard",
                   LeaderboardCount.period == "all", LeaderboardCount.level == level)) or 0)


def rebuild_agrees(app) -> None:
    result = app.test_cli_runner().invoke(args=["leaderboard", "rebuild", "--check"])
    assert result.exit_code == 0, result.output
    assert "differing rows: leaderboard entries 0, overall entries 0, bucket counts 0" in result.output


def quiz_id(app, key: str) -> int:
    from quizapp.models import Quiz
    with app.app_context():
        return db.session.scalar(select(Quiz.id).where(Quiz.key == key))


def test_a_bot_answering_at_once_is_held_off_every_board_and_a_person_is_ranked(paced):
    clock = paced.extensions["quizapp.clock"]
    bot_id, bot_token = make_user(paced, "carol")
    bot = ApiClient(paced.test_client(), bot_token)
    # The bot of the review: the answer key, every question answered the instant it is shown.
    results = [play(bot, clock, key) for key in ("all-types", "quick")]
    for result in results:
        assert result["score"] == result["max_score"] and result["ranked"] is True
        assert result["review_status"] == "flagged"
        assert (result["rank"], result["participants"], result["is_best"]) == (None, None, None)
    assert board_rows(paced, bot_id) == {"LeaderboardEntry": 0, "OverallEntry": 0}
    assert bucket_total(paced, quiz_id(paced, "all-types")) == bucket_total(paced, OVERALL_QUIZ_ID) == 0
    with paced.app_context():
        held = db.session.scalars(select(Attempt).where(Attempt.user_id == bot_id).order_by(Attempt.id)).all()
        assert {a.review_status for a in held} == {"flagged"} and {a.rank_at_finish for a in held} == {None}
        report = held[0].pace_report
        assert report["fast_answers"] == 8 and all(row["elapsed_ms"] == 0 for row in report["answers"])

    # A person who knows it all as well, at a human pace: ranked as before, alone on the boards.
    person_id, person_token = make_user(paced, "dana")
    person = ApiClient(paced.test_client(), person_token)
    result = play(person, clock, "all-types", seconds_per_question=12)
    assert result["review_status"] is None and (result["rank"], result["participants"]) == (1, 1)
    assert board_rows(paced, person_id) == {"LeaderboardEntry": 3, "OverallEntry": 3}
    _response, board = bot.get("/leaderboards/all-types")
    assert [row["username"] for row in board["rows"]] == ["dana"]
    _response, overall = bot.get("/leaderboards/overall")
    assert [row["username"] for row in overall["rows"]] == ["dana"] and overall["total"] == 1
    assert bucket_total(paced, quiz_id(paced, "all-types")) == bucket_total(paced, OVERALL_QUIZ_ID) == 1
    rebuild_agrees(paced)

    # The bot's own results page says plainly why it has no rank.
    client = paced.test_client()
    client.post("/login", data={"username": "carol", "password": "correct horse"})
    page = client.get(f"/attempt/{results[0]['id']}/result", headers=EN).get_data(as_text=True)
    assert "This attempt awaits review" in page and "It is not on any leaderboard" in page
    assert "<dt>Rank</dt>" not in page
    assert "ожидает проверки" in client.get(f"/attempt/{results[0]['id']}/result", headers=RU).get_data(as_text=True)


def test_the_floor_comes_from_the_configuration(database_url, tmp_path, bank):
    # With a floor of zero nothing is ever too fast: the operator decides.
    relaxed = make_app(database_url, tmp_path / "relaxed", PACE_CHECK=True, MIN_ANSWER_MS=0, MIN_READ_MS_PER_CHAR=0,
                       MIN_CHOICE_MS=0, MIN_TYPED_MS=0)
    _user_id, token = make_user(relaxed, "carol")
    result = play(ApiClient(relaxed.test_client(), token), relaxed.extensions["quizapp.clock"], "quick")
    assert result["review_status"] is None and result["rank"] == 1


# --- the admin's review --------------------------------------------------------------------

@pytest.fixture
def held(paced):
    """carol's bot run of all-types and of quick (both held), dana's honest all-types, and an admin."""
    clock = paced.extensions["quizapp.clock"]
    _bot_id, bot_token = make_user(paced, "carol")
    bot = ApiClient(paced.test_client(), bot_token)
    ids = [play(bot, clock, key)["id"] for key in ("all-types", "quick")]
    _person_id, person_token = make_user(paced, "dana")
    play(ApiClient(paced.test_client(), person_token), clock, "all-types", seconds_per_question=12)
    with paced.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        db.session.commit()
    return ids


def login(client, name):
    client.post("/login", data={"username": name, "password": "correct horse"})
    return client


def status_of(app, attempt_id):
    with app.app_context():
        return db.session.get(Attempt, attempt_id).review_status


def test_only_admins_see_and_decide_held_attempts(paced, held):
    everyone = [paced.test_client(), login(paced.test_client(), "dana"), login(paced.test_client(), "carol")]
    before = snapshot(paced)
    for client in everyone:
        assert client.get("/admin/attempts").status_code == 404
        for action in ("clear", "void"):
            assert client.post(f"/admin/attempts/{held[0]}/{action}").status_code == 404
    assert snapshot(paced) == before


def test_the_admin_sees_the_timings_and_clearing_ranks_the_attempt_as_keep_best_would(paced, held):
    admin = login(paced.test_client(), "boss")
    page = admin.get("/admin/attempts", headers=EN).get_data(as_text=True)
    assert "2 attempts await review." in page
    assert f"Attempt {held[0]}: carol, Every type" in page and f"Attempt {held[1]}: carol, Quick" in page
    assert "800 / 800" in page and "8 of 8" in page
    assert page.count(">too fast</span>") == 10  # every answer of both runs, each with its time and floor
    assert re.search(r'<td class="number">0\.0 s</td>\s*<td class="number">\d+\.\d s</td>', page)
    assert "dana" not in page.split("<main", 1)[1]
    russian = admin.get("/admin/attempts", headers=RU).get_data(as_text=True)
    assert "Попытки на проверке" in russian and "слишком быстро" in russian

    response = admin.post(f"/admin/attempts/{held[0]}/clear", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/attempts"
    page = admin.get("/admin/attempts", headers=EN).get_data(as_text=True)
    assert f"Attempt {held[0]} by carol is cleared and now on the leaderboards." in page
    assert "1 attempt awaits review." in page and f"Attempt {held[0]}:" not in page
    assert status_of(paced, held[0]) == "cleared"
    # On the boards with its perfect score and 0 s: first, above dana, on the quiz's board and overall.
    viewer = ApiClient(paced.test_client())
    _response, board = viewer.get("/leaderboards/all-types")
    assert [row["username"] for row in board["rows"]] == ["carol", "dana"]
    _response, overall = viewer.get("/leaderboards/overall")
    assert [row["username"] for row in overall["rows"]] == ["carol", "dana"]
    assert bucket_total(paced, quiz_id(paced, "all-types")) == bucket_total(paced, OVERALL_QUIZ_ID) == 2
    rebuild_agrees(paced)  # exactly what a rebuild from the attempts gives, counts included
    with paced.app_context():
        assert db.session.get(Attempt, held[0]).rank_at_finish == 1

    # A second decision on the same attempt changes nothing.
    before = board_snapshot_of(paced)
    admin.post(f"/admin/attempts/{held[0]}/void", headers=EN)
    assert "is not awaiting review" in admin.get("/admin/attempts", headers=EN).get_data(as_text=True)
    assert status_of(paced, held[0]) == "cleared" and board_snapshot_of(paced) == before


def board_snapshot_of(app):
    with app.app_context():
        return board_snapshot(db.session)


def test_voiding_keeps_the_attempt_as_a_record_and_off_the_boards(paced, held):
    admin = login(paced.test_client(), "boss")
    before = board_snapshot_of(paced)
    response = admin.post(f"/admin/attempts/{held[1]}/void", headers=EN)
    assert response.status_code == 302
    assert (f"Attempt {held[1]} by carol is voided: kept as a record, never ranked."
            in admin.get("/admin/attempts", headers=EN).get_data(as_text=True))
    assert status_of(paced, held[1]) == "voided" and board_snapshot_of(paced) == before
    rebuild_agrees(paced)
    admin.post(f"/admin/attempts/{held[1]}/clear")
    assert status_of(paced, held[1]) == "voided" and board_snapshot_of(paced) == before
    carol = login(paced.test_client(), "carol")
    page = carol.get(f"/attempt/{held[1]}/result", headers=EN).get_data(as_text=True)
    assert "An admin reviewed this attempt and did not rank it" in page and "<dt>Rank</dt>" not in page
    assert admin.post("/admin/attempts/999999/clear").status_code == 404
    assert admin.post(f"/admin/attempts/{2**40}/void").status_code == 404


def test_deciding_needs_a_csrf_token(database_url, tmp_path, bank):
    strict = make_app(database_url, tmp_path / "strict", PACE_CHECK=True, WTF_CSRF_ENABLED=True)
    clock = strict.extensions["quizapp.clock"]
    _bot_id, token = make_user(strict, "carol")
    attempt_id = play(ApiClient(strict.test_client(), token), clock, "quick")["id"]
    with strict.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        db.session.commit()
    client = strict.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "boss", "password": "correct horse", "csrf_token": token})
    assert client.post(f"/admin/attempts/{attempt_id}/clear").status_code == 400
    assert status_of(strict, attempt_id) == "flagged"
    listing = client.get("/admin/attempts").get_data(as_text=True)
    form_token = re.search(rf'action="/admin/attempts/{attempt_id}/clear"[^>]*>\s*<input type="hidden" '
                           r'name="csrf_token" value="([^"]+)"', listing).group(1)
    assert client.post(f"/admin/attempts/{attempt_id}/clear", data={"csrf_token": form_token}).status_code == 302
    assert status_of(strict, attempt_id) == "cleared"
    with strict.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_the_same_review_from_the_command_line(paced, held):
    runner = paced.test_cli_runner()
    listed = runner.invoke(args=["attempts", "held"])
    assert listed.exit_code == 0 and "2 attempts await review" in listed.output
    assert re.search(rf"^{held[0]}\tcarol\tall-types\t800/800\t8 of 8 answers under the floor", listed.output, re.M)
    assert runner.invoke(args=["attempts", "clear", str(held[0])]).exit_code == 0
    assert runner.invoke(args=["attempts", "void", str(held[1])]).exit_code == 0
    assert (status_of(paced, held[0]), status_of(paced, held[1])) == ("cleared", "voided")
    again = runner.invoke(args=["attempts", "clear", str(held[1])])
    assert again.exit_code == 1 and "is not awaiting review" in again.output
    assert [row["username"] for row in ApiClient(paced.test_client()).get("/leaderboards/all-types")[1]["rows"]] \
        == ["carol", "dana"]
    rebuild_agrees(paced)
