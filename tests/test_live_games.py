"""Live games, the domain (quizapp/live): the state machine, scoring, the server's timing
with an injected clock, nicknames and the room's rules.  No sockets here (test_live_socket.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.live import games, rules
from quizapp.live.after import feed_reviews, mistakes, results, results_csv
from quizapp.live.messages import Snapshot
from quizapp.live.standings import standings, streaks
from quizapp.models import Quiz, ReviewCard
from quizapp.models.live import LiveAnswer, LivePlayer
from quizapp.modes import Rules
from quizapp.names import NameProblem
from quizapp.users import create_user

GRACE = Rules(grace=timedelta(seconds=2))


@pytest.fixture
def host(session, bank, clock):
    user = create_user(session, "teacher", "correct horse battery", clock.now())
    session.commit()
    return user


def new_game(session, host, clock, **settings):
    quiz = session.scalar(select(Quiz).where(Quiz.key == "all-types"))
    game = games.create_game(session, host, quiz, rules.Settings(**settings), clock)
    session.commit()
    return game


def right_choice(session, game, position=None):
    from quizapp.models import QuestionRevision
    position = game.position if position is None else position
    revision = session.get(QuestionRevision, game.plan[position])
    order = games.tile_order(game, position, revision)
    return games.right_tiles(revision, order), len(order)


def wrong_choice(session, game):
    right, count = right_choice(session, game)
    return [next(i for i in range(count) if i not in right)]


def test_a_game_plays_the_tile_questions_of_its_quiz_with_a_six_digit_code(session, host, clock):
    game = new_game(session, host, clock)
    assert len(game.code) == 6 and game.code.isdigit()
    assert game.state == "lobby" and game.question_count == 3  # single, multiple, true/false of all-types
    assert game.multipliers == [1, 1, 1]
    with pytest.raises(rules.BadSettings):
        rules.Settings(seconds=3).checked()
    with pytest.raises(rules.BadSettings):
        rules.Settings(multipliers=(3,)).checked()
    with pytest.raises(rules.BadSettings):
        rules.Settings(max_players=1).checked()


def test_nicknames_follow_the_username_rules_and_are_unique_in_the_game(session, host, clock):
    game = new_game(session, host, clock)
    games.join(session, game.code, "Aigerim", None, clock)
    for taken in ("aigerim", "AIGERIM", "Aіgerim"):  # the last with a Cyrillic і: a look-alike
        with pytest.raises(games.Refused) as refused:
            games.join(session, game.code, taken, None, clock)
        assert refused.value.code in ("taken", "nickname")
    with pytest.raises(games.Refused) as refused:
        games.join(session, game.code, "<b>bold</b>", None, clock)
    assert refused.value.code == "nickname" and refused.value.detail == NameProblem.CHARACTERS
    with pytest.raises(games.Refused) as refused:
        games.join(session, game.code, "Aлия", None, clock)  # Latin A, Cyrillic лия
    assert refused.value.code == "nickname"
    session.commit()
    assert session.scalar(select(func.count()).select_from(LivePlayer)) == 1


def test_a_wrong_locked_full_or_expired_code_is_refused_and_changes_nothing(session, host, clock):
    game = new_game(session, host, clock, max_players=2)
    for code in ("", "12345", "abcdef", f"{(int(game.code) + 1) % 10 ** 6:06d}"):
        with pytest.raises(games.Refused) as refused:
            games.join(session, code, "Dana", None, clock)
        assert refused.value.code == "no_game"
    games.join(session, game.code, "Dana", None, clock)
    games.join(session, game.code, "Erlan", None, clock)
    with pytest.raises(games.Refused) as refused:
        games.join(session, game.code, "Farida", None, clock)
    assert refused.value.code == "full"
    games.set_locked(session, game, True)
    with pytest.raises(games.Refused) as refused:
        games.join(session, game.code, "Gulnar", None, clock)
    assert refused.value.code == "locked"
    games.end(session, game, clock)
    session.commit()
    with pytest.raises(games.Refused) as refused:
        games.join(session, game.code, "Gulnar", None, clock)
    assert refused.value.code == "no_game"  # expired: the game is over
    assert session.scalar(select(func.count()).select_from(LivePlayer)) == 2


def test_a_signed_in_user_joins_as_themselves_and_gets_the_same_player_again(session, host, clock):
    game = new_game(session, host, clock)
    user = create_user(session, "Madina", "correct horse battery", clock.now())
    first, token = games.join(session, game.code, "ignored", user, clock)
    again, token2 = games.join(session, game.code, "anything", user, clock)
    assert first.id == again.id and first.nickname == "Madina" and token != token2
    assert games.player_by_token(session, game.id, first.id, token) is None  # the old device's token is gone
    assert games.player_by_token(session, game.id, first.id, token2) is not None


def test_rejoin_code_takes_the_player_to_another_device_with_their_points(session, host, clock):
    game = new_game(session, host, clock)
    player, token = games.join(session, game.code, "Nurlan", None, clock)
    games.start(session, game, clock)
    games.answer(session, game, player, 0, right_choice(session, game)[0][:1], clock, GRACE)
    games.close(session, game, clock)
    session.commit()
    moved, new_token = games.rejoin(session, game.code, player.rejoin_code.lower())
    assert moved.id == player.id and new_token != token
    assert standings(session, game)[0].score > 0
    with pytest.raises(games.Refused):
        games.rejoin(session, game.code, "ZZZZZZZZ")
    with pytest.raises(games.Refused):
        games.rejoin(session, "000000" if game.code != "000000" else "111111", player.rejoin_code)


def test_speed_points_run_from_when_the_server_sent_the_question_and_the_grace_rule_holds(session, host, clock):
    game = new_game(session, host, clock, seconds=20)
    fast, _ = games.join(session, game.code, "Fast", None, clock)
    slow, _ = games.join(session, game.code, "Slow", None, clock)
    late, _ = games.join(session, game.code, "Late", None, clock)
    games.start(session, game, clock)
    right = right_choice(session, game)[0][:1]
    games.answer(session, game, fast, 0, right, clock, GRACE)          # at once: all 1000
    clock.advance(seconds=21)                                          # after the deadline, inside the grace
    games.answer(session, game, slow, 0, right, clock, GRACE)          # counts, with the least speed points: 500
    clock.advance(seconds=1.5)                                         # 22.5 s: past deadline + grace
    with pytest.raises(games.Refused) as refused:
        games.answer(session, game, late, 0, right, clock, GRACE)
    assert refused.value.code == "too_late"
    points = dict(session.execute(select(LiveAnswer.player_id, LiveAnswer.points)).all())
    assert points == {fast.id: 1000, slow.id: 500}
    # The timer closes the question only after the grace: not at 22 s, yes past it.
    clock.advance(seconds=-0.5)
    assert games.tick(session, clock, GRACE) == []
    clock.advance(seconds=0.6)
    assert [g.id for g in games.tick(session, clock, GRACE)] == [game.id]
    assert game.state == "reveal"
    assert [s.nickname for s in standings(session, game)] == ["Fast", "Slow", "Late"]


def test_accuracy_only_streak_bonus_and_multipliers(session, host, clock):
    game = new_game(session, host, clock, seconds=None, scoring="accuracy", streak_bonus=True, multipliers=(1, 0, 2))
    player, _ = games.join(session, game.code, "Streaky", None, clock)
    wrong, _ = games.join(session, game.code, "Wrong", None, clock)
    games.start(session, game, clock)
    earned = []
    for position in range(3):
        right = right_choice(session, game)[0]
        clock.advance(seconds=30)  # untimed: no deadline, no speed
        games.answer(session, game, player, position, right, clock, GRACE)
        games.answer(session, game, wrong, position, wrong_choice(session, game), clock, GRACE)
        games.advance(session, game, clock)  # close
        earned.append(session.scalar(select(LiveAnswer.points).where(LiveAnswer.player_id == player.id,
                                                                     LiveAnswer.position == position)))
        assert streaks(session, game)[player.id] == position + 1
        assert streaks(session, game)[wrong.id] == 0
        games.advance(session, game, clock)  # next, or the podium after the last
    # 1000 × 1; (1000 + 100) × 0; (1000 + 200) × 2
    assert earned == [1000, 0, 2400]
    assert game.state == "podium" and game.finished_dt is not None
    assert [(s.nickname, s.score) for s in standings(session, game)] == [("Streaky", 3400), ("Wrong", 0)]
    assert rules.points(credit=1, is_correct=True, elapsed_s=0, seconds=None, scoring="accuracy", multiplier=1,
                        streak_before=9, streak_bonus=True) == 1500  # the bonus stops at +500


def test_an_answer_counts_once_and_only_for_the_current_question_in_turn(session, host, clock):
    game = new_game(session, host, clock)
    player, _ = games.join(session, game.code, "Once", None, clock)
    with pytest.raises(games.Refused) as refused:
        games.answer(session, game, player, 0, [0], clock, GRACE)
    assert refused.value.code == "wrong_state"  # the lobby
    games.start(session, game, clock)
    for position, choice, code in ((1, [0], "not_current"), (True, [0], "not_current"), ("0", [0], "not_current"),
                                   (0, [99], "invalid"), (0, "0", "invalid"), (0, [], "invalid"),
                                   (0, [0, 1], "invalid"), (0, [True], "invalid")):
        with pytest.raises(games.Refused) as refused:
            games.answer(session, game, player, position, choice, clock, GRACE)
        assert refused.value.code == code, (position, choice)
    games.answer(session, game, player, 0, [0], clock, GRACE)
    with pytest.raises(games.Refused) as refused:
        games.answer(session, game, player, 0, [1], clock, GRACE)
    assert refused.value.code == "already_answered"
    session.commit()
    assert session.scalar(select(func.count()).select_from(LiveAnswer)) == 1
    with pytest.raises(games.Refused):
        games.start(session, game, clock)  # out of turn: already started


def test_a_removed_player_cannot_answer_and_leaves_the_standings(session, host, clock):
    game = new_game(session, host, clock)
    player, _ = games.join(session, game.code, "Gone", None, clock)
    games.join(session, game.code, "Stays", None, clock)
    games.remove(session, game, player.id)
    with pytest.raises(games.Refused):
        games.remove(session, game, 10 ** 9)
    games.start(session, game, clock)
    with pytest.raises(games.Refused) as refused:
        games.answer(session, game, player, 0, [0], clock, GRACE)
    assert refused.value.code == "not_player"
    assert [s.nickname for s in standings(session, game)] == ["Stays"]


def test_auto_advance_moves_on_by_itself_after_the_reveal(session, host, clock):
    game = new_game(session, host, clock, seconds=10, auto_advance_s=5)
    games.join(session, game.code, "Solo", None, clock)
    games.start(session, game, clock)
    clock.advance(seconds=12.5)
    games.tick(session, clock, GRACE)
    assert game.state == "reveal"
    clock.advance(seconds=4)
    assert games.tick(session, clock, GRACE) == []
    clock.advance(seconds=1)
    games.tick(session, clock, GRACE)
    assert (game.state, game.position) == ("question", 1)


def test_two_movers_at_once_move_the_game_once(session, host, clock, app):
    game = new_game(session, host, clock, seconds=10)
    games.join(session, game.code, "Solo", None, clock)
    games.start(session, game, clock)
    session.commit()
    stale = session.get(type(game), game.id)
    clock.advance(seconds=13)
    assert games.close(session, game, clock)
    # A second server (or the host's second tab) still holding the old state loses the race.
    stale_state = {"state": "question", "position": 0}
    session.expire(stale)
    stale.__dict__.update(stale_state)
    assert not games.close(session, stale, clock)


def test_nothing_before_the_reveal_names_the_right_tile(session, host, clock):
    game = new_game(session, host, clock)
    player, _ = games.join(session, game.code, "Curious", None, clock)
    games.start(session, game, clock)
    message = Snapshot(session, game, clock.now()).for_player(player)
    assert message["reveal"] is None and "right" not in str(message["question"])
    games.close(session, game, clock)
    revealed = Snapshot(session, game, clock.now()).for_player(player)
    assert revealed["reveal"]["right"] == right_choice(session, game)[0]


def test_signed_in_players_answers_feed_their_review_schedule_at_the_reveal(session, host, clock):
    game = new_game(session, host, clock)
    user = create_user(session, "Learner", "correct horse battery", clock.now())
    player, _ = games.join(session, game.code, "x", user, clock)
    guest, _ = games.join(session, game.code, "Guest", None, clock)
    games.start(session, game, clock)
    games.answer(session, game, player, 0, wrong_choice(session, game), clock, GRACE)
    games.answer(session, game, guest, 0, wrong_choice(session, game), clock, GRACE)
    assert session.scalar(select(func.count()).select_from(ReviewCard)) == 0  # nothing before the reveal
    games.close(session, game, clock, feed_reviews)
    cards = list(session.scalars(select(ReviewCard)))
    assert [(c.user_id, c.lapses) for c in cards] == [(user.id, 1)]
    assert len(mistakes(session, game, player)) == 1


def test_the_results_table_and_its_csv_have_every_players_answers(session, host, clock):
    game = new_game(session, host, clock)
    player, _ = games.join(session, game.code, "=cmd", None, clock) if False else games.join(
        session, game.code, "Bolat", None, clock)
    games.start(session, game, clock)
    games.answer(session, game, player, 0, right_choice(session, game)[0][:1], clock, GRACE)
    games.end(session, game, clock)
    table = results(session, game, "en")
    assert table["rows"][0]["nickname"] == "Bolat" and table["rows"][0]["cells"][0]["text"] == "June"
    assert table["rows"][0]["cells"][1] is None
    csv_text = "".join(results_csv(table))
    assert csv_text.splitlines()[1].startswith("1,Bolat,1000,June,1,1000,")
