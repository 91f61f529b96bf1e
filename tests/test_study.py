"""The study pages, the timeline and the review pages, through the Flask test client."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp import learning, practice, study_material
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Attempt, Question, User

from helpers import current_attempt, make_app, post_answer_for_page, register, snapshot

QUESTIONS = Path(__file__).parent.parent / "questions"
EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}


@pytest.fixture(autouse=True)
def exact_scheduler(monkeypatch):
    monkeypatch.setattr(learning, "SCHEDULER", learning.make_scheduler(enable_fuzzing=False))


@pytest.fixture
def real_bank(app, clock):
    loaded = load_bank([QUESTIONS])
    assert loaded.ok
    with app.app_context():
        import_bank(db.session, loaded, clock.now())
        db.session.commit()
    return loaded


def page(client, url, headers=EN, status=200) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def no_inline_code(html: str) -> None:
    # Scripts from files are allowed (the zone cookie's, every page's); no code in the page itself.
    assert not re.search(r"<script(?![^>]*\ssrc=)", html) and "style=" not in html and "<style" not in html


def question_id(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Question.id).where(Question.key == key))


def take_all_types(client, app, wrong_keys=()) -> int:
    """Take the "Every type" quiz, answering the questions in ``wrong_keys`` wrongly."""
    client.post("/quiz/all-types/start")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        attempt_id = attempt.id
    for _ in range(8):
        html = page(client, f"/attempt/{attempt_id}")
        with app.app_context():
            from quizapp import attempts
            attempt = db.session.get(Attempt, attempt_id)
            served = attempts.current_question(db.session, attempt, app.extensions["quizapp.clock"])
            key = db.session.get(Question, served.revision.question_id).key
            db.session.commit()
        post_answer_for_page(client, attempt_id, html, right=key not in wrong_keys)
    return attempt_id


# --- study ---------------------------------------------------------------------------


def test_the_study_page_lists_topics_before_any_quiz(client, bank):
    html = page(client, "/study")
    assert '<html lang="en">' in html and "<h1>Study</h1>" in html
    assert re.search(r'<a href="/study/diplomacy">Diplomacy</a>.*?2 facts', html, re.S)
    assert '<a href="/study/science">' not in html, "a topic with no question is left out"
    assert "<meter" not in html and "to see how much of each topic you know" in html
    no_inline_code(html)
    russian = page(client, "/study", RU)
    assert '<html lang="ru">' in russian and 'href="/study/diplomacy"' in russian


def test_a_topic_shows_its_facts_by_paragraph_with_their_questions(client, bank, app):
    html = page(client, "/study/diplomacy")
    assert "Study: Diplomacy" in html
    # The facts as written in the bank's fact:, never the explanations.
    assert html.index("Paragraph 5") < html.index("The leaders met twice in the year.") < html.index("Paragraph 7") \
        < html.index("Shanghai and Almaty became sister cities.")
    assert "Twice in the year." not in html and "Shanghai and Almaty." not in html
    assert 'href="/source/5">Every fact of paragraph 5</a>' in html
    # Signed out: the facts only, with neither the questions' wording nor a way to practise them.
    assert "Shanghai&#39;s sister city?" not in html and "Asked as" not in html
    assert "/practise/" not in html and "Practise this" not in html
    assert 'href="/login?next=/study/diplomacy"' in html
    no_inline_code(html)
    russian = page(client, "/study/diplomacy", RU)
    assert '<html lang="ru">' in russian and "Шанхай и Алматы стали городами-побратимами." in russian
    page(client, "/study/nonsense", status=404)
    page(client, "/study/science", status=404)


def test_a_signed_in_user_sees_mastery_and_can_practise_a_fact(client, bank, app, clock):
    register(client)
    html = page(client, "/study")
    assert re.search(r'<meter id="mastery-diplomacy" min="0" max="2" value="0"', html)
    assert "Known: 0 of 2 questions (0%)" in html
    assert "Освоено: 0 из 2 вопросов (0%)" in page(client, "/study", RU)
    text_id = question_id(app, "t-text")
    before = page(client, "/study/diplomacy")
    assert "/practise/" not in before and "Shanghai&#39;s sister city?" not in before, "not met yet"
    take_all_types(client, app)
    html = page(client, "/study")
    assert re.search(r'<meter id="mastery-diplomacy" min="0" max="2" value="0"', html), "one right answer is not known"
    # Two more right answers each, each when it falls due (days, then weeks later).
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
        for _ in range(2):
            clock.set(max(card.due_dt for card in db.session.scalars(select(learning.ReviewCard))))
            for key in ("t-true-false", "t-text"):
                learning.record_review(db.session, user_id, question_id(app, key), is_correct=True, elapsed_s=15,
                                       allowed_s=None, at=clock.now())
        db.session.commit()
    html = page(client, "/study")
    assert re.search(r'<meter id="mastery-diplomacy" min="0" max="2" value="2"', html)
    topic = page(client, "/study/diplomacy")
    assert "Known: 2 of 2 questions (100%)" in topic
    assert "Shanghai&#39;s sister city?" in topic
    assert f'action="/practise/{text_id}"' in topic
    response = client.post(f"/practise/{text_id}")
    assert response.status_code == 302
    attempt_id = int(re.search(r"/attempt/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        run = db.session.get(Attempt, attempt_id)
        assert run.mode == "practice" and len(run.plan) == 1 and run.deadline_dt is None
    assert "Shanghai&#39;s sister city?" in page(client, f"/attempt/{attempt_id}")
    assert client.post("/practise/999999").status_code == 404


# --- the timeline --------------------------------------------------------------------


def test_the_timeline_lists_the_banks_events_in_order(client, real_bank):
    html = page(client, "/timeline")
    dates = re.findall(r'<time datetime="([\d-]+)">', html)
    assert len(dates) == 13 and dates == sorted(dates, key=study_material.date_key)
    assert '<time datetime="2025-06">June 2025</time>' in html
    assert '<time datetime="2026-01-07">January 7, 2026</time>' in html
    assert html.index("Birth of Xian Xinghai") < html.index("China and Kazakhstan establish diplomatic relations")
    assert '<a href="/source/10">Source: paragraph 10 of the article</a>' in html and "/practise/" not in html
    no_inline_code(html)
    russian = page(client, "/timeline", RU)
    assert '<html lang="ru">' in russian and "Рождение Сянь Синхая" in russian
    assert re.search(r'<time datetime="2025-06">Июнь 2025\s?г\.</time>', russian)
    assert re.search(r"<time datetime=\"2026-01-07\">7 января 2026\s?г\.</time>", russian)
    # Each locale's own month-and-year and full-date forms (CLDR through Babel).
    chinese = page(client, "/timeline", {"Accept-Language": "zh"})
    assert '<time datetime="2025-06">2025年6月</time>' in chinese
    assert '<time datetime="2026-01-07">2026年1月7日</time>' in chinese
    kazakh = page(client, "/timeline", {"Accept-Language": "kk"})
    assert re.search(r'<time datetime="2025-06">2025\s?ж\. маусым</time>', kazakh)


def test_the_timeline_offers_practice_of_the_questions_a_user_has_met(client, real_bank, app, clock):
    register(client)
    birth = question_id(app, "xian-xinghai-birth-year")
    assert "/practise/" not in page(client, "/timeline")
    with app.app_context():  # the question is on the user's review schedule: met
        learning.record_review(db.session, db.session.scalar(select(User.id)), birth, is_correct=True, elapsed_s=None,
                               allowed_s=None, at=clock.now())
        db.session.commit()
    html = page(client, "/timeline")
    assert f'action="/practise/{birth}"' in html and html.count("Practise this") == 1
    response = client.post(f"/practise/{birth}")
    assert re.search(r"/attempt/\d+$", response.headers["Location"])


def test_a_timeline_with_no_dates_says_so(client, bank):
    assert "No question has a date yet." in page(client, "/timeline")


# --- review ---------------------------------------------------------------------------


def test_review_needs_a_login(client, bank):
    response = client.get("/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/review/start").status_code == 302
    home = page(client, "/")
    assert "due for review" not in home and 'href="/review"' not in home


def test_a_wrong_answer_is_due_on_the_home_page_and_in_review_until_reviewed(client, bank, app, clock):
    register(client)
    # A new player is not greeted with "0 questions due": the home page suggests a quiz instead.
    assert "due for review" not in page(client, "/") and "Start with “" in page(client, "/")
    assert "Nothing to review yet" in page(client, "/review")
    take_all_types(client, app, wrong_keys={"t-text", "t-year"})
    home = page(client, "/")
    assert "2 questions you met before are due for review" in home
    assert '<a class="button primary" href="/review">Review now</a>' in home
    assert 'href="/review">' in page(client, "/", RU)
    review = page(client, "/review")
    assert "2 questions due for review" in review and "Start a review session" in review
    assert review.count('class="review-item') == 8 and review.count(">Due</span>") == 2
    no_inline_code(review)
    russian = page(client, "/review", RU)
    assert '<html lang="ru">' in russian and "Город-побратим Шанхая?" in russian

    response = client.post("/review/start")
    attempt_id = int(re.search(r"/attempt/(\d+)$", response.headers["Location"]).group(1))
    for _ in range(2):
        html = page(client, f"/attempt/{attempt_id}")
        assert "Time left" not in html, "a review is untimed"
        clock.advance(10)
        post_answer_for_page(client, attempt_id, html, right=True)
    result = page(client, f"/attempt/{attempt_id}/result")
    assert "Practice: untimed and not ranked." in result and "2 / 2" in result
    assert "due for review" not in page(client, "/")
    assert "Nothing is due now" in page(client, "/review")
    response = client.post("/review/start", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/review"
    assert "Nothing is due for review right now." in page(client, "/review")
    # They come back when their time comes.
    clock.advance(days=30)
    assert "8 questions you met before are due for review" in page(client, "/")


def test_a_review_session_gives_feedback_card_by_card_and_is_called_review(client, bank, app, clock):
    register(client)
    quiz_attempt = take_all_types(client, app, wrong_keys={"t-text", "t-year"})   # "Every type": feedback at the end
    response = client.post("/review/start")
    attempt_id = int(re.search(r"/attempt/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).purpose == "review"
    seen = []
    for position in range(2):
        html = page(client, f"/attempt/{attempt_id}")
        assert '<p class="quiz-name">Review</p>' in html and "Every type" not in html
        with app.app_context():
            from quizapp import attempts
            served = attempts.current_question(db.session, db.session.get(Attempt, attempt_id),
                                               app.extensions["quizapp.clock"])
            seen.append(db.session.get(Question, served.revision.question_id).key)
            db.session.commit()
        right = position == 1
        answered = post_answer_for_page(client, attempt_id, html, right=right)
        # Straight to this card's feedback, not to the next question.
        assert answered.headers["Location"] == f"/attempt/{attempt_id}/feedback/{position}"
        feedback = page(client, answered.headers["Location"])
        assert "Review · Question %d of 2" % (position + 1) in feedback
        assert ("Right!" if right else "Not quite") in feedback
        assert "Right answer" in feedback and 'class="explanation"' in feedback
        assert re.search(r'<a href="/source/\d+">Source: paragraph \d+ of the article</a>', feedback)
        assert ("Next question" if position == 0 else "See the results") in feedback
    assert sorted(seen) == ["t-text", "t-year"]
    result = page(client, f"/attempt/{attempt_id}/result")
    assert "<h1>Results: Review</h1>" in result and "1 / 2" in result
    assert 'class="button" href="/leaderboard/' not in result
    assert 'href="/review">Back to the review schedule</a>' in result
    russian = page(client, f"/attempt/{attempt_id}/result", RU)
    assert "Результаты: Повторение" in russian
    # Its mistake, practised again, is still a review, not a run of the quiz it is filed under.
    again = client.post(f"/attempt/{attempt_id}/practice")
    again_id = int(re.search(r"/attempt/(\d+)$", again.headers["Location"]).group(1))
    assert '<p class="quiz-name">Review</p>' in page(client, f"/attempt/{again_id}")
    # While the mistakes of a quiz are practised under the quiz's name.
    mistakes = client.post(f"/attempt/{quiz_attempt}/practice")
    mistakes_id = int(re.search(r"/attempt/(\d+)$", mistakes.headers["Location"]).group(1))
    assert '<p class="quiz-name">Practice: Every type</p>' in page(client, f"/attempt/{mistakes_id}")


def test_practising_one_question_is_called_practice_and_answers_at_once(client, bank, app, clock):
    register(client)
    take_all_types(client, app)
    response = client.post(f"/practise/{question_id(app, 't-single')}")
    attempt_id = int(re.search(r"/attempt/(\d+)$", response.headers["Location"]).group(1))
    html = page(client, f"/attempt/{attempt_id}")
    assert '<p class="quiz-name">Practice</p>' in html
    answered = post_answer_for_page(client, attempt_id, html, right=False)
    assert answered.headers["Location"] == f"/attempt/{attempt_id}/feedback/0"
    assert "Not quite" in page(client, answered.headers["Location"])


def test_leeches_are_flagged_on_the_review_page(client, bank, app, clock):
    register(client)
    with app.app_context():
        user = db.session.scalar(select(User))
        for _ in range(8):
            learning.record_review(db.session, user.id, question_id(app, "t-year"), is_correct=False,
                                   elapsed_s=5, allowed_s=None, at=clock.now())
        learning.record_review(db.session, user.id, question_id(app, "t-text"), is_correct=False,
                               elapsed_s=5, allowed_s=None, at=clock.now())
        db.session.commit()
    html = page(client, "/review")
    assert html.count(">Leech</span>") == 1
    leech = re.search(r'<li class="review-item leech" id="card-t-year">.*?</li>', html, re.S).group(0)
    assert "Year relations were established?" in leech and "<dd>8</dd>" in leech
    assert 'href="/study/anniversaries#q-t-year"' in leech
    assert "answered wrong 8 times or more" in html


def test_the_nav_links_to_study_timeline_and_review(client, bank):
    html = page(client, "/")
    assert 'href="/study"' in html and 'href="/timeline"' in html and 'href="/review"' not in html
    register(client)
    assert 'href="/review"' in page(client, "/")
    assert '<a href="/study" aria-current="page">' in page(client, "/study/diplomacy")
    assert '<a href="/review" aria-current="page">' in page(client, "/review")


# --- practice by id: only what the player has met, and never a pile of runs -------------------


def attempt_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Attempt))


def test_practice_by_id_is_refused_for_a_question_never_served(client, bank, app, clock):
    register(client)
    ids = {key: question_id(app, key) for key in ("t-single", "t-multiple", "t-text")}
    before = snapshot(app)
    for qid in ids.values():  # the harvest of the review: every id in turn
        assert client.post(f"/practise/{qid}").status_code == 404
    assert snapshot(app) == before
    # The first question of a quiz is served, then time runs out: only that one is met.
    client.post("/quiz/all-types/start")
    attempt_id = current_attempt(app).id
    html = page(client, f"/attempt/{attempt_id}")
    assert "In which month did the leader visit Astana?" in html
    before = snapshot(app)
    assert client.post(f"/practise/{ids['t-single']}").status_code == 404, "not while its attempt runs"
    assert snapshot(app) == before
    post_answer_for_page(client, attempt_id, html, right=False)  # answered: now on the review schedule
    assert client.post(f"/practise/{ids['t-single']}").status_code == 404, "still not while its attempt runs"
    clock.advance(minutes=10)
    page(client, f"/attempt/{attempt_id}/result")
    assert client.post(f"/practise/{ids['t-single']}").status_code == 302
    before = snapshot(app)
    assert client.post(f"/practise/{ids['t-multiple']}").status_code == 404, "never reached: not met"
    assert snapshot(app) == before
    # What someone else has met does not count.
    client.post("/logout")
    register(client, "bolat")
    assert client.post(f"/practise/{ids['t-single']}").status_code == 404


def test_posting_practise_again_reuses_the_open_run_and_old_runs_are_closed(client, bank, app):
    register(client)
    take_all_types(client, app)  # every question met
    first = client.post(f"/practise/{question_id(app, 't-text')}").headers["Location"]
    count = attempt_count(app)
    for _ in range(60):  # the review's script: 60 POSTs in a row
        assert client.post(f"/practise/{question_id(app, 't-text')}").headers["Location"] == first
    assert attempt_count(app) == count, "no new row"
    keys = ["t-single", "t-multiple", "t-true-false", "t-numeric", "t-year", "t-ordering", "t-matching"]
    for key in keys:
        client.post(f"/practise/{question_id(app, key)}")
    with app.app_context():
        still_open = db.session.scalars(select(Attempt).where(Attempt.mode == "practice",
                                                              Attempt.finished_dt.is_(None))).all()
        assert len(still_open) == practice.MAX_OPEN_PRACTICE_RUNS
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1 + 1 + len(keys)


def test_practise_is_rate_limited_per_player(database_url, tmp_path, bank):
    limited = make_app(database_url, tmp_path / "limited", RATELIMIT_ENABLED=True)
    client = limited.test_client()
    register(client)
    qid = question_id(limited, "t-single")
    statuses = [client.post(f"/practise/{qid}").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    client.post("/logout")
    register(client, "bolat")  # from the same address
    assert client.post(f"/practise/{qid}").status_code == 404, "another player's allowance is their own"


def test_a_name_in_another_script_carries_its_own_lang(client, real_bank):
    """Facts quote 冼星海 in Russian, Kazakh and English, and the article's Russian slip
    «Си Синхаю» in English and Chinese: each run is marked, so a screen reader switches voice."""
    english = page(client, "/study/culture")
    assert "(<span lang=\"zh\">冼星海</span>)" in english
    assert "«<span lang=\"ru\">Си Синхаю</span>»" in english
    russian = page(client, "/study/culture", RU)
    assert "(<span lang=\"zh\">冼星海</span>)" in russian and "<span lang=\"ru\">" not in russian
    kazakh = page(client, "/study/culture", {"Accept-Language": "kk"})
    assert "(<span lang=\"zh\">冼星海</span>)" in kazakh and "<span lang=\"ru\">" not in kazakh
    chinese = page(client, "/study/culture", {"Accept-Language": "zh"})
    assert "<span lang=\"zh\">" not in chinese and "冼星海诞辰120周年" in chinese
    assert "«<span lang=\"ru\">Си Синхаю</span>»" in chinese


# --- the source paragraph ------------------------------------------------------------------


def test_each_topic_on_the_study_page_counts_the_facts_its_page_states(client, real_bank):
    html = page(client, "/study")
    for tag, count in study_material.fact_counts(real_bank).items():
        topic = page(client, f"/study/{tag}")
        assert topic.count('class="review-item"') == count
        assert re.search(rf'href="/study/{tag}">[^<]+</a></h2>\s*<p class="meta">{count} facts?</p>', html), tag
    assert study_material.fact_counts(real_bank)["trade"] < study_material.topic_sizes(real_bank)["trade"]


def test_source_paragraph_pages_state_its_facts_without_reprinting_the_article(client, real_bank):
    html = page(client, "/source/7")
    assert "<h1>Paragraph 7 of the article</h1>" in html
    assert "Writing a new page in the history of China–Kazakhstan relations together" in html
    assert "43.8 billion US dollars" in html and "Shanghai and Almaty" in html and "CITIC Construction" in html
    assert html.count('class="review-item"') == len(study_material.paragraph_facts(real_bank, 7))
    assert 'rel="prev" href' not in html and 'href="/source/6" rel="prev"' in html and 'href="/source/8" rel="next"' in html
    assert "Asked as" not in html and "/practise/" not in html, "signed out: the facts only"
    no_inline_code(html)
    article = (Path(__file__).resolve().parents[2] / "shared" / "source" / "article.ru.txt").read_text(encoding="utf-8")
    russian = page(client, "/source/7", RU)
    assert "Абзац 7 статьи" in russian and "«Совместными усилиями вписать новую страницу" in russian
    sentences = [s.strip() for line in article.split("\n") for s in line.split(". ") if len(s.split()) > 8]
    assert [s for s in sentences if s in russian] == [], "no sentence of the article is reprinted"
    assert 'rel="prev"' not in page(client, "/source/1") and 'rel="next"' not in page(client, "/source/14")
    for wrong in ("/source/0", "/source/15", "/source/x"):
        page(client, wrong, status=404)


def test_every_source_link_leads_to_a_page_with_facts(client, real_bank):
    html = page(client, "/timeline")
    for paragraph in sorted(set(re.findall(r'href="/source/(\d+)"', html))):
        assert 'class="review-item"' in page(client, f"/source/{paragraph}")
    for n in range(1, 15):
        assert study_material.paragraph_facts(real_bank, n), f"paragraph {n} has no fact"
