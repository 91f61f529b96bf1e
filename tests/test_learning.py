"""The review schedule, mastery, the timeline and study outlines (quizapp.learning), with a
frozen clock and a scheduler without fuzz, so every interval is exact."""
from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fsrs import Rating, State
from hypothesis import given, settings, strategies as st
from sqlalchemy import select

from quizapp import attempts, learning, modes, practice, study_material
from quizapp.bank.checks import LANGUAGES
from quizapp.bank.importer import import_bank
from quizapp.bank.loader import load_bank
from quizapp.models import Attempt, LeaderboardEntry, Question, ReviewCard
from quizapp.users import create_user

from helpers import TEST_BANK, form_data

QUESTIONS = Path(__file__).parent.parent / "questions"


@pytest.fixture(autouse=True)
def exact_scheduler(monkeypatch):
    """The app's scheduler, without the random fuzz on intervals."""
    scheduler = learning.make_scheduler(enable_fuzzing=False)
    monkeypatch.setattr(learning, "SCHEDULER", scheduler)
    return scheduler


@pytest.fixture
def user(session, clock):
    made = create_user(session, "aigerim", "correct horse", clock.now())
    session.commit()
    return made


def qid(session, key: str) -> int:
    return session.scalar(select(Question.id).where(Question.key == key))


def card_of(session, user, key: str) -> ReviewCard | None:
    return session.get(ReviewCard, (user.id, qid(session, key)))


def review(session, user, key, clock, *, right=True, elapsed=15.0, allowed=None) -> ReviewCard:
    return learning.record_review(session, user.id, qid(session, key), is_correct=right, elapsed_s=elapsed,
                                  allowed_s=allowed, at=clock.now())


# --- the rating ----------------------------------------------------------------------


@pytest.mark.parametrize("right, elapsed, allowed, rating", [
    (False, 1.0, 30.0, Rating.Again),
    (False, None, None, Rating.Again),
    (True, 9.9, 30.0, Rating.Easy),     # under a third of the time allowed
    (True, 10.0, 30.0, Rating.Good),
    (True, 20.0, 30.0, Rating.Good),
    (True, 20.1, 30.0, Rating.Hard),    # over two thirds
    (True, 7.9, None, Rating.Easy),     # untimed: under 8 s
    (True, 8.0, None, Rating.Good),
    (True, 30.0, None, Rating.Good),
    (True, 30.1, None, Rating.Hard),    # untimed: over 30 s
    (True, None, 30.0, Rating.Good),    # how long it took is unknown
])
def test_the_rating_of_an_answer(right, elapsed, allowed, rating):
    assert learning.rating_for(right, elapsed, allowed) == rating


def test_the_time_allowed_per_question(session, bank, user, clock):
    quiz = session.scalar(select(attempts.Quiz).where(attempts.Quiz.key == "all-types"))
    attempt = attempts.start_attempt(session, user, quiz, clock)
    assert modes.allowed_seconds(attempt) == 300 / 8  # the quiz's limit shared by its questions
    quick = session.scalar(select(attempts.Quiz).where(attempts.Quiz.key == "quick"))
    assert modes.allowed_seconds(attempts.start_attempt(session, user, quick, clock)) == 20
    slower = create_user(session, "slower", "correct horse", clock.now())
    slower.time_accommodation = "x2"
    session.flush()
    assert modes.allowed_seconds(attempts.start_attempt(session, slower, quick, clock)) == 40
    attempt.mode = "practice"
    assert modes.allowed_seconds(attempt) is None


# --- the schedule ------------------------------------------------------------------


@pytest.mark.parametrize("right, elapsed, state, due_after, lapses", [
    (False, 5.0, State.Learning, timedelta(0), 1),      # Again: due at once
    (True, 40.0, State.Learning, timedelta(0), 0),      # Hard: still learning, due at once
    (True, 15.0, State.Review, timedelta(days=2), 0),   # Good
    (True, 3.0, State.Review, timedelta(days=8), 0),    # Easy
])
def test_a_first_answer_schedules_the_question(session, bank, user, clock, right, elapsed, state, due_after, lapses):
    card = review(session, user, "t-single", clock, right=right, elapsed=elapsed)
    session.commit()
    session.expire_all()
    card = card_of(session, user, "t-single")
    assert State(card.state) == state
    assert card.due_dt == clock.now() + due_after
    assert card.last_review_dt == clock.now()
    assert (card.reps, card.lapses, card.is_leech) == (1, lapses, False)
    assert card.stability > 0 and 1 <= card.difficulty <= 10


def test_intervals_grow_with_right_answers_and_shrink_after_a_wrong_one(session, bank, user, clock):
    card = review(session, user, "t-single", clock)                      # Good: 2 days
    assert card.due_dt - clock.now() == timedelta(days=2)
    clock.set(card.due_dt)
    card = review(session, user, "t-single", clock)                      # Good again: 11 days
    assert card.due_dt - clock.now() == timedelta(days=11)
    clock.set(card.due_dt)
    stability = card.stability
    card = review(session, user, "t-single", clock, right=False)         # a lapse: relearning, due at once
    assert State(card.state) == State.Relearning and card.due_dt == clock.now()
    assert card.stability < stability and (card.reps, card.lapses) == (3, 1)
    card = review(session, user, "t-single", clock)                      # back to review, a short interval
    assert State(card.state) == State.Review and timedelta(days=1) <= card.due_dt - clock.now() < timedelta(days=11)


def test_the_same_schedule_as_fsrs_gives_for_those_ratings(session, bank, user, clock, exact_scheduler):
    from fsrs import Card
    expected = Card(card_id=1, state=State.Learning, step=0, due=clock.now())
    for right, elapsed, rating in [(False, 5, Rating.Again), (True, 3, Rating.Easy), (True, 40, Rating.Hard),
                                   (True, 15, Rating.Good)]:
        card = review(session, user, "t-text", clock, right=right, elapsed=elapsed)
        expected, _ = exact_scheduler.review_card(expected, rating, review_datetime=clock.now())
        assert (card.state, card.step, card.due_dt, card.last_review_dt) == (
            expected.state.value, expected.step, expected.due, expected.last_review)
        assert card.stability == pytest.approx(expected.stability)
        assert card.difficulty == pytest.approx(expected.difficulty)
        clock.advance(days=3)


def test_a_question_failed_eight_times_becomes_a_leech(session, bank, user, clock):
    for _ in range(7):
        card = review(session, user, "t-year", clock, right=False)
        clock.advance(60)
    assert card.lapses == 7 and not card.is_leech
    card = review(session, user, "t-year", clock)  # right answers do not count as lapses
    assert card.lapses == 7 and not card.is_leech
    card = review(session, user, "t-year", clock, right=False)
    assert card.lapses == 8 and card.is_leech
    clock.advance(days=1)
    card = review(session, user, "t-year", clock, right=True, elapsed=3)
    assert card.is_leech, "a leech stays flagged"
    session.commit()
    assert card_of(session, user, "t-year").is_leech


def answer_current(session, attempt, clock, right=True):
    """Answer the question on screen, then serve the next one (as the next page load does)."""
    served = attempts.current_question(session, attempt, clock)
    outcome = attempts.submit_answer(session, served, form_data(served, right), clock)
    attempts.current_question(session, attempt, clock)
    return outcome


def test_every_answer_of_a_quiz_updates_the_schedule(session, bank, user, clock):
    quiz = session.scalar(select(attempts.Quiz).where(attempts.Quiz.key == "all-types"))
    attempt = attempts.start_attempt(session, user, quiz, clock)   # 37.5 s per question
    attempts.current_question(session, attempt, clock)             # t-single served
    clock.advance(5)
    answer_current(session, attempt, clock)                        # fast: Easy
    clock.advance(15)
    answer_current(session, attempt, clock)                        # t-multiple, Good
    clock.advance(30)
    answer_current(session, attempt, clock)                        # t-true-false, slow: Hard
    clock.advance(5)
    answer_current(session, attempt, clock, right=False)           # t-numeric, wrong
    # all-types gives feedback at the end: the schedule moves when the attempt is over, each
    # answer rated as of its own time.
    assert card_of(session, user, "t-single") is None
    attempts.finish_attempt(session, attempt, clock.now())
    session.commit()
    now = clock.now()
    assert card_of(session, user, "t-single").due_dt == now - timedelta(seconds=50) + timedelta(days=8)
    assert card_of(session, user, "t-multiple").due_dt == now - timedelta(seconds=35) + timedelta(days=2)
    hard = card_of(session, user, "t-true-false")
    assert State(hard.state) == State.Learning and hard.due_dt == now - timedelta(seconds=5)
    wrong = card_of(session, user, "t-numeric")
    assert (wrong.lapses, wrong.due_dt) == (1, now)
    assert card_of(session, user, "t-year") is None, "a question not answered yet has no card"
    assert [c.question.key for c in learning.due_cards(session, user.id, now)] == ["t-true-false", "t-numeric"]


def test_a_replayed_answer_is_reviewed_once(session, bank, user, clock):
    quiz = session.scalar(select(attempts.Quiz).where(attempts.Quiz.key == "all-types"))
    attempt = attempts.start_attempt(session, user, quiz, clock)
    served = attempts.current_question(session, attempt, clock)
    clock.advance(10)
    attempts.submit_answer(session, served, form_data(served, False), clock)
    attempts.submit_answer(session, served, form_data(served, False), clock)
    attempts.finish_attempt(session, attempt, clock.now())  # feedback at the end: scheduled now
    assert card_of(session, user, "t-single").reps == 1


def test_a_question_whose_time_ran_out_is_rated_again(session, bank, user, clock):
    quiz = session.scalar(select(attempts.Quiz).where(attempts.Quiz.key == "quick"))
    attempt = attempts.start_attempt(session, user, quiz, clock, seed=1)
    served = attempts.current_question(session, attempt, clock)
    clock.advance(25)  # past the 20 s limit and the grace
    attempts.current_question(session, attempt, clock)
    card = session.get(ReviewCard, (user.id, served.revision.question_id))
    assert (card.lapses, card.due_dt) == (1, served.row.served_dt + timedelta(seconds=20))


def test_a_practice_run_is_untimed_for_the_rating(session, bank, user, clock):
    review(session, user, "t-text", clock, right=False)
    attempt = practice.start_review(session, user, clock.now())
    assert attempt.mode == "practice" and attempt.deadline_dt is None
    attempts.current_question(session, attempt, clock)
    clock.advance(20)  # 20 s: Hard for a 30 s question, Good untimed
    answer_current(session, attempt, clock)
    card = card_of(session, user, "t-text")
    assert State(card.state) == State.Review and card.reps == 2


# --- due cards and sibling spacing ----------------------------------------------------


def make_due(session, user, clock, keys):
    """Fail each question in turn, a minute apart: they fall due in that order."""
    for key in keys:
        review(session, user, key, clock, right=False)
        clock.advance(60)


def test_due_cards_come_earliest_first_with_paragraph_siblings_spaced(session, bank, user, clock):
    # Paragraph 7: t-numeric, t-matching, t-text.  Paragraph 4: t-single.  Paragraph 13: t-year.
    make_due(session, user, clock, ["t-numeric", "t-matching", "t-text", "t-single", "t-year"])
    review(session, user, "t-true-false", clock)  # answered right: not due
    due = learning.due_cards(session, user.id, clock.now())
    assert [card.question.key for card in due] == ["t-numeric", "t-single", "t-matching", "t-year", "t-text"]
    paragraphs = [learning.paragraph_of(card) for card in due]
    assert all(a != b for a, b in zip(paragraphs, paragraphs[1:]))
    assert learning.due_count(session, user.id, clock.now()) == 5
    # With a limit, the earliest due are served, still spaced.
    assert [c.question.key for c in learning.due_cards(session, user.id, clock.now(), limit=3)] == [
        "t-numeric", "t-matching", "t-text"]  # all of paragraph 7: nothing to space them with
    assert [c.question.key for c in learning.due_cards(session, user.id, clock.now(), limit=4)] == [
        "t-numeric", "t-single", "t-matching", "t-text"]


def test_due_cards_leave_out_what_is_not_due_yet_retired_or_someone_elses(session, bank, user, clock):
    other = create_user(session, "other", "correct horse", clock.now())
    make_due(session, user, clock, ["t-single", "t-text"])
    learning.record_review(session, other.id, qid(session, "t-year"), is_correct=False, elapsed_s=5, allowed_s=None,
                           at=clock.now())
    session.get(Question, qid(session, "t-text")).is_retired = True
    session.flush()
    assert [c.question.key for c in learning.due_cards(session, user.id, clock.now())] == ["t-single"]
    assert learning.due_count(session, user.id, clock.now()) == 1
    assert learning.due_count(session, user.id, clock.now() - timedelta(minutes=5)) == 0


def can_space(keys: list[int]) -> bool:
    return any(all(a != b for a, b in zip(p, p[1:])) for p in itertools.permutations(keys))


def can_space_from(first: int, rest: list[int]) -> bool:
    return any(all(a != b for a, b in zip((first, *p), p)) for p in itertools.permutations(rest))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=7))
def test_siblings_are_spaced_whenever_some_order_allows(groups):
    items = list(enumerate(groups))  # (due rank, paragraph)
    spaced = learning.space_siblings(items, key=lambda item: item[1])
    assert sorted(spaced) == items
    adjacent = [a[1] == b[1] for a, b in zip(spaced, spaced[1:])]
    if can_space(groups):
        assert not any(adjacent)
    # The first is the earliest item that can start an order with no neighbours alike.
    if items and can_space(groups):
        earliest = next(item for item in items
                        if can_space_from(item[1], [g for i, g in items if i != item[0]]))
        assert spaced[0] == earliest


def test_spacing_keeps_due_order_where_it_costs_nothing():
    items = [(0, "a"), (1, "a"), (2, "b"), (3, "c"), (4, "b")]
    assert learning.space_siblings(items, key=lambda x: x[1]) == [(0, "a"), (2, "b"), (1, "a"), (3, "c"), (4, "b")]
    # Putting "b" first is the only order with no neighbours alike.
    items = [(0, "a"), (1, "b"), (2, "b")]
    assert learning.space_siblings(items, key=lambda x: x[1]) == [(1, "b"), (0, "a"), (2, "b")]


# --- mastery ----------------------------------------------------------------------------


def answer_when_due(session, user, key, clock, times: int, elapsed: float = 15.0) -> ReviewCard:
    """``times`` right answers, each given the moment the card falls due (Good at 15 s)."""
    card = None
    for _ in range(times):
        card = review(session, user, key, clock, elapsed=elapsed)
        clock.set(card.due_dt)
    return card


def test_one_right_answer_is_not_known(session, bank, user, clock):
    for key, elapsed in (("t-true-false", 15.0), ("t-text", 3.0)):   # Good, and Easy
        card = review(session, user, key, clock, elapsed=elapsed)
        assert State(card.state) == State.Review and card.stability < learning.MASTERY_STABILITY_DAYS
        assert not learning.is_known(card, clock.now())
    assert learning.mastery(session, user.id, clock.now())["diplomacy"].known == 0


def test_wrong_then_right_is_not_known(session, bank, user, clock):
    review(session, user, "t-text", clock, right=False)
    clock.advance(minutes=1)
    card = review(session, user, "t-text", clock, elapsed=3.0)            # Easy, straight after
    assert State(card.state) == State.Review
    assert not learning.is_known(card, clock.now())
    clock.advance(days=1)
    assert not learning.is_known(card, clock.now())


def test_right_answers_in_a_row_on_one_day_do_not_make_it_known(session, bank, user, clock):
    first = review(session, user, "t-text", clock, elapsed=3.0)           # Easy: 8.3 days
    stability, due = first.stability, first.due_dt
    for _ in range(8):                                                   # "practise this", again and again
        clock.advance(minutes=2)
        card = review(session, user, "t-text", clock, elapsed=3.0)
    assert (card.stability, card.due_dt, card.reps) == (stability, due, 9)
    assert not learning.is_known(card, clock.now())
    card = review(session, user, "t-text", clock, right=False)            # a wrong answer still counts
    assert State(card.state) == State.Relearning and card.lapses == 1


def test_spaced_successes_over_weeks_make_a_question_known(session, bank, user, clock):
    start = clock.now()
    card = answer_when_due(session, user, "t-true-false", clock, 2)      # day 0, then day 2
    assert not learning.is_known(card, clock.now())
    card = review(session, user, "t-true-false", clock)                  # the third, when due (day 13)
    assert clock.now() - start == timedelta(days=13)
    assert card.stability >= learning.MASTERY_STABILITY_DAYS and learning.is_known(card, clock.now())
    assert learning.mastery(session, user.id, clock.now())["diplomacy"].known == 1
    # Left unreviewed past its due date, its retrievability falls under 0.9: no longer known.
    assert learning.is_known(card, card.due_dt - timedelta(days=1))
    assert not learning.is_known(card, card.due_dt + timedelta(days=7))


def test_mastery_is_the_share_of_a_topics_questions_known(session, bank, user, clock):
    assert learning.mastery(session, user.id, clock.now())["diplomacy"] == learning.TopicMastery("diplomacy", 0, 2)
    for key in ("t-true-false", "t-text"):                                # diplomacy
        review(session, user, key, clock)
    review(session, user, "t-single", clock, right=False)                # visits
    review(session, user, "t-year", clock, elapsed=40)                   # anniversaries, Hard
    for _ in range(2):                                                   # t-text twice more, when due
        clock.set(card_of(session, user, "t-text").due_dt)
        review(session, user, "t-text", clock)
    now = clock.now()
    topics = learning.mastery(session, user.id, now)
    assert list(topics) == ["visits", "diplomacy", "trade", "infrastructure", "tourism", "anniversaries"]
    assert (topics["diplomacy"].known, topics["diplomacy"].total, topics["diplomacy"].percent) == (1, 2, 50)
    assert (topics["visits"].known, topics["anniversaries"].known, topics["anniversaries"].total) == (0, 0, 2)
    # Only current questions count.
    session.get(Question, qid(session, "t-true-false")).is_retired = True
    session.flush()
    assert learning.mastery(session, user.id, now)["diplomacy"] == learning.TopicMastery("diplomacy", 1, 1)


def test_mastery_of_someone_else_is_not_mine(session, bank, user, clock):
    other = create_user(session, "other", "correct horse", clock.now())
    for _ in range(3):
        card = learning.record_review(session, other.id, qid(session, "t-text"), is_correct=True, elapsed_s=15,
                                      allowed_s=None, at=clock.now())
        clock.set(card.due_dt)
    clock.set(card.last_review_dt)
    assert learning.mastery(session, user.id, clock.now())["diplomacy"].known == 0
    assert learning.mastery(session, other.id, clock.now())["diplomacy"].known == 1


# --- the timeline and outlines -----------------------------------------------------------


def test_the_timeline_of_the_bank_is_chronological(tmp_path):
    loaded = load_bank([QUESTIONS])
    assert loaded.ok, loaded.problems[:3]
    dates = [event.date for event in study_material.timeline(loaded)]
    assert len(dates) == 13
    assert dates == sorted(dates, key=study_material.date_key)
    ordered = ["1905", "1945", "1992", "2025-06", "2025-08", "2025-11", "2026", "2026-01-07"]
    positions = [dates.index(date) for date in ordered]
    assert positions == sorted(positions)
    assert dates.index("2025") < dates.index("2025-06"), "a whole year comes before its months"
    first = study_material.timeline(loaded)[0]
    assert first.question_key == "xian-xinghai-birth-year" and first.paragraph == 10
    assert first.title["en"] == "Birth of Xian Xinghai" and first.fact["en"].startswith("Xian Xinghai was born in 1905")


def test_an_event_added_to_the_bank_appears_in_its_place(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("""\
questions:
  - id: september-forum
    type: true_false
    text: {ru: "Форум прошёл в сентябре?", en: "Was the forum held in September?", kk: "Форум қыркүйекте өтті ме?", zh: "论坛是在九月举行的吗？"}
    answer: true
    explanation: {ru: "Да, в сентябре 2025 года.", en: "Yes, in September 2025.", kk: "Иә, 2025 жылғы қыркүйекте.", zh: "是的，在2025年9月。"}
    source: {paragraph: 6}
    tags: [trade]
    difficulty: 1
    event:
      date: "2025-09"
      title: {ru: "Торговый форум", en: "A trade forum", kk: "Сауда форумы", zh: "贸易论坛"}
""", encoding="utf-8")
    loaded = load_bank([QUESTIONS, extra])
    assert loaded.ok, loaded.problems[:3]
    events = study_material.timeline(loaded)
    keys = [event.question_key for event in events]
    dates = [event.date for event in events]
    at = keys.index("september-forum")
    assert dates[at - 1] == "2025-08" and dates[at + 1] == "2025-11"
    assert events[at].title["en"] == "A trade forum" and events[at].paragraph == 6


def test_the_timeline_from_the_database_matches_the_bank_and_knows_the_questions(session, clock):
    loaded = load_bank([QUESTIONS])
    import_bank(session, loaded, clock.now())
    session.flush()
    from_db = study_material.timeline(session)
    assert [e.question_key for e in from_db] == [e.question_key for e in study_material.timeline(loaded)]
    assert all(e.question_id == qid(session, e.question_key) for e in from_db)
    # A retired question leaves the timeline.
    session.get(Question, from_db[0].question_id).is_retired = True
    session.flush()
    assert study_material.timeline(session)[0].question_key == from_db[1].question_key


def test_the_outline_of_a_topic_gives_its_facts_by_paragraph(session, bank):
    sections = study_material.outline(session, "diplomacy")
    assert [section.paragraph for section in sections] == [5, 7]
    fact = sections[1].facts[0]
    assert (fact.key, fact.text["en"], fact.paragraph) == ("t-text", "Shanghai and Almaty became sister cities.", 7)
    [asked] = fact.questions
    assert asked.id == qid(session, "t-text") and asked.text["en"] == "Shanghai's sister city?"
    assert study_material.outline(session, "science") == []
    assert [s.paragraph for s in study_material.outline(bank, "anniversaries")] == [10, 13]
    assert study_material.topic_sizes(bank) == {"visits": 1, "diplomacy": 2, "trade": 1, "infrastructure": 1,
                                          "tourism": 1, "anniversaries": 2}


def test_questions_sharing_a_fact_show_it_once_with_each_of_them():
    loaded = load_bank([QUESTIONS])
    [trade] = [fact for section in study_material.outline(loaded, "trade") for fact in section.facts
               if fact.key == "trade-volume-2025"]
    assert trade.paragraph == 7 and "43.8 billion" in trade.text["en"]
    assert [asked.key for asked in trade.questions] == [
        "trade-volume-2025", "trade-growth-2025", "trade-record-tf", "trade-decline-tf", "trade-period",
        "trade-data-source", "trade-facts"]
    texts = [fact.text["ru"] for tag in study_material.TAGS for section in study_material.outline(loaded, tag)
             for fact in section.facts]
    assert len(set(texts)) == len(study_material.facts(loaded)), "each fact under one key"
    # Paragraph 10's page gathers its facts from every topic, each once.
    paragraph = study_material.paragraph_facts(loaded, 10)
    assert len({fact.key for fact in paragraph}) == len(paragraph) and all(f.paragraph == 10 for f in paragraph)
    assert {"culture", "education", "anniversaries"} <= {tag for fact in paragraph for tag in fact.tags}


def test_no_study_text_opens_with_a_verdict():
    """The study pages and the timeline show facts: none reads «Неверно: …», "False: …" or "正确：…"."""
    from quizapp.bank.loader import VERDICT_OPENING
    loaded = load_bank([QUESTIONS])
    shown = [fact.text for fact in study_material.facts(loaded)] + [e.fact for e in study_material.timeline(loaded)]
    assert all(text for text in shown)
    assert [t for text in shown for t in text.values() if VERDICT_OPENING.match(t)] == []
    # ...while explanations do (so the check above is not idle).
    assert any(VERDICT_OPENING.match(item.data["explanation"]["ru"]) for item in loaded.questions.values())


def test_the_real_bank_has_an_outline_for_every_tag():
    loaded = load_bank([QUESTIONS])
    for tag in study_material.TAGS:
        sections = study_material.outline(loaded, tag)
        assert sections, tag
        assert all(fact.text[lang] for section in sections for fact in section.facts for lang in LANGUAGES)


# --- review runs -------------------------------------------------------------------------


def test_a_review_run_serves_the_due_questions_in_order(session, bank, user, clock):
    make_due(session, user, clock, ["t-numeric", "t-text", "t-single"])
    run = practice.start_review(session, user, clock.now())
    due = learning.due_cards(session, user.id, clock.now())
    assert run.plan == [card.question.current_revision_id for card in due]
    assert [c.question.key for c in due] == ["t-numeric", "t-single", "t-text"]
    assert run.mode == "practice" and run.deadline_dt is None and run.quiz.key == "all-types"
    assert practice.start_review(session, user, clock.now()).id == run.id, "a double click starts one run"
    for _ in range(3):
        attempts.current_question(session, run, clock)
        clock.advance(12)
        answer_current(session, run, clock)
    assert run.is_finished and run.correct_count == 3
    assert learning.due_count(session, user.id, clock.now()) == 0
    with pytest.raises(practice.NothingToReview):
        practice.start_review(session, user, clock.now())


def test_practising_one_question_files_it_under_a_quiz_that_has_it(session, bank, user, clock):
    for key in ("t-single", "t-text", "t-year"):  # met: on the review schedule
        review(session, user, key, clock, right=True)
    run = practice.start_single(session, user, qid(session, "t-single"), clock.now())
    assert run.quiz.key == "all-types" and len(run.plan) == 1 and run.mode == "practice"
    session.get(attempts.Quiz, run.quiz_id).is_retired = True
    session.flush()
    other = practice.start_single(session, user, qid(session, "t-text"), clock.now())
    assert other.quiz.key == "quick"
    session.get(Question, qid(session, "t-year")).is_retired = True
    with pytest.raises(practice.NothingToReview):
        practice.start_single(session, user, qid(session, "t-year"), clock.now())


def test_a_card_survives_a_new_revision_of_its_question(session, bank, user, clock, tmp_path):
    review(session, user, "t-single", clock, right=False)
    changed = (TEST_BANK / "mini.yaml").read_text(encoding="utf-8").replace("В июне.", "В июне 2025 года.")
    (tmp_path / "mini.yaml").write_text(changed, encoding="utf-8")
    import_bank(session, load_bank([tmp_path / "mini.yaml"]), clock.now())
    session.flush()
    run = practice.start_review(session, user, clock.now())
    question = session.get(Question, qid(session, "t-single"))
    assert run.plan == [question.current_revision_id] and question.current_revision.number == 2


def test_learning_does_not_import_flask():
    code = ("import sys, importlib\n"
            "sys.modules['quizapp'] = type(sys)('quizapp'); sys.modules['quizapp'].__path__ = [%r]\n"
            "importlib.import_module('quizapp.learning')\n"
            "print(sorted(m for m in sys.modules if m == 'flask' or m.startswith(('flask.', 'flask_'))))"
            ) % (__import__("quizapp").__path__[0],)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_attempt_models_are_untouched_by_reviews(session, bank, user, clock):
    """A review run is an ordinary practice attempt: no leaderboard entry, no rank."""
    make_due(session, user, clock, ["t-single"])
    run = practice.start_review(session, user, clock.now())
    attempts.current_question(session, run, clock)
    answer_current(session, run, clock)
    assert session.get(Attempt, run.id).rank_at_finish is None
    assert session.scalar(select(LeaderboardEntry)) is None


def test_two_first_answers_at_once_make_one_card(app, bank, clock, monkeypatch):
    """Two answers to a new question at the same moment (two tabs): the second waits for
    the first, finds its card and moves it on, rather than failing or making a second."""
    import threading
    import time

    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from quizapp.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has a single writer: the second answer cannot start before the first commits")
        user = create_user(db.session, "twotabs", "correct horse", clock.now())
        db.session.commit()
        question = qid(db.session, "t-single")
        first, second = Session(db.engine), Session(db.engine)
        errors: list[BaseException] = []
        lookups: list[Session] = []
        locked_card = learning._locked_card

        def counted(session, *args):
            lookups.append(session)
            return locked_card(session, *args)

        monkeypatch.setattr(learning, "_locked_card", counted)

        def answer_in_the_other_tab() -> None:
            try:
                learning.record_review(second, user.id, question, is_correct=True, elapsed_s=15, allowed_s=None,
                                       at=clock.now())
                second.commit()
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        try:
            learning.record_review(first, user.id, question, is_correct=False, elapsed_s=5, allowed_s=None,
                                   at=clock.now())
            other = threading.Thread(target=answer_in_the_other_tab)
            other.start()
            # Poll (no sleeping) until the other tab is blocked on the card the first one is inserting.
            deadline = time.monotonic() + 20
            with db.engine.connect() as watcher:
                while not watcher.execute(text(
                        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                        "and datname = current_database()")).scalar():
                    assert time.monotonic() < deadline, "the second answer never waited for the first"
                    watcher.rollback()
            first.commit()
            other.join(timeout=20)
            assert not other.is_alive() and errors == []
            assert lookups.count(second) == 2, "the other tab's insert failed and it found the card"
        finally:
            first.close()
            second.close()
        card = db.session.get(ReviewCard, (user.id, question))
        db.session.refresh(card)
        assert (card.reps, card.lapses) == (2, 1)
