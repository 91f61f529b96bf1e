"""The live game's state machine over the database (docs/live.md).

Every function takes a session and flushes; the caller commits (the transport commits before
it acknowledges or broadcasts).  Each transition is a compare-and-set ``UPDATE … WHERE state =
:expected AND position = :expected``: whoever loses a race (a second server, a second host
tab, the timer against the host) changes nothing and is told so.  Scores and streaks are read
from the answer rows, never kept apart, so there is nothing to get out of step."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizapp.clock import Clock
from quizapp.live import rules
from quizapp.models import Question, QuestionRevision, Quiz, QuizQuestion, User
from quizapp.models.live import LOBBY, OPEN_STATES, PODIUM, QUESTION, REVEAL, LiveAnswer, LiveGame, LivePlayer
from quizapp.modes import DEFAULT_RULES, Rules
from quizapp.names import CheckedName, NameProblem, check_name, name_key, name_skeleton
from quizapp.question_types.base import InvalidResponse, display_order, get_type
from quizapp.questions import RevisionValues, revision_values

REJOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a phone


class Refused(Exception):
    """What a join, an answer or a host command was refused for: ``code`` is one of the
    error codes of docs/live.md (``wrong_state``, ``not_current``, ``full`` …)."""

    def __init__(self, code: str, detail: Any = None) -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- creating and joining --------------------------------------------------------------

def tile_plan(session: Session, quiz: Quiz, seed: int) -> list[int]:
    """The revisions a live game of ``quiz`` plays: its offered questions that phones can show
    as tiles, in the quiz's order (shuffled by the seed when the quiz shuffles), at most its draw."""
    ids = list(session.scalars(
        select(QuestionRevision.id)
        .join(Question, Question.current_revision_id == QuestionRevision.id)
        .join(QuizQuestion, QuizQuestion.question_id == Question.id)
        .where(QuizQuestion.quiz_id == quiz.id, Question.is_retired.is_(False),
               QuestionRevision.type.in_(rules.TILE_TYPES))
        .order_by(QuizQuestion.position)))
    if quiz.shuffle_questions:
        ids = display_order(seed, -1, [str(i) for i in ids], True)
        ids = [int(i) for i in ids]
    return ids[:quiz.draw_count or len(ids)]


def create_game(session: Session, host: User, quiz: Quiz, settings: rules.Settings, clock: Clock,
                class_id: int | None = None) -> LiveGame:
    """``class_id``: the host's own class that plays it (the caller checks it is theirs)."""
    settings = settings.checked()
    seed = secrets.randbits(31)
    plan = tile_plan(session, quiz, seed)
    if not plan:
        raise Refused("no_questions")
    for _ in range(20):
        game = LiveGame(code=f"{secrets.randbelow(10 ** 6):06d}", host_id=host.id, quiz_id=quiz.id, plan=plan,
                        class_id=class_id,
                        seed=seed, seconds=settings.seconds, scoring=settings.scoring,
                        streak_bonus=settings.streak_bonus, multipliers=settings.multipliers_for(len(plan)),
                        show_question=settings.show_question, auto_advance_s=settings.auto_advance_s,
                        max_players=settings.max_players, locked=False, state=LOBBY, position=0,
                        created_dt=clock.now())
        try:
            with session.begin_nested():  # the code must be unique among open games
                session.add(game)
                session.flush()
            return game
        except IntegrityError:
            continue
    raise Refused("no_code")  # pragma: no cover - a million codes, a few open games


def open_game_by_code(session: Session, code: str) -> LiveGame | None:
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    return session.scalar(select(LiveGame).where(LiveGame.code == code, LiveGame.finished_dt.is_(None)))


def active_players(session: Session, game_id: int) -> list[LivePlayer]:
    return list(session.scalars(select(LivePlayer).where(LivePlayer.game_id == game_id,
                                                         LivePlayer.removed.is_(False)).order_by(LivePlayer.id)))


def player_count(session: Session, game_id: int) -> int:
    return session.scalar(select(func.count()).select_from(LivePlayer)
                          .where(LivePlayer.game_id == game_id, LivePlayer.removed.is_(False))) or 0


def _new_token(player: LivePlayer) -> str:
    token = secrets.token_urlsafe(24)
    player.token_hash = _hash(token)
    return token


def join(session: Session, code: str, nickname: str, user: User | None, clock: Clock,
         locale: str = "ru") -> tuple[LivePlayer, str]:
    """A new player (or a signed-in user's own player again) and the token their cookie holds.

    Refused: ``no_game`` (wrong or expired code), ``locked``, ``full``, ``over`` (the game ended),
    ``taken`` (a nickname that is or looks like another's in this game), or the name's problem
    (``names.NameProblem``'s value) for markup, look-alike scripts, length."""
    game = open_game_by_code(session, code)
    if game is None:
        raise Refused("no_game")
    if user is not None:
        mine = session.scalar(select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.user_id == user.id))
        if mine is not None:
            if mine.removed:
                raise Refused("removed")
            return mine, _new_token(mine)
        nickname = user.username
    if game.locked:
        raise Refused("locked")
    checked = check_name(nickname or "")
    if isinstance(checked, NameProblem):
        raise Refused("nickname", checked)
    assert isinstance(checked, CheckedName)
    # The room cap and a taken name are checked again by the database (the unique key) for two
    # joins at once; the cap may be passed by as many joins as arrive in the same instant.
    if player_count(session, game.id) >= game.max_players:
        raise Refused("full")
    player = LivePlayer(game_id=game.id, user_id=user.id if user else None, nickname=checked.name,
                        nickname_key=checked.key, nickname_skeleton=checked.skeleton, token_hash="", locale=locale, removed=False,
                        rejoin_code="".join(secrets.choice(REJOIN_ALPHABET) for _ in range(8)),
                        joined_dt=clock.now())
    token = _new_token(player)
    try:
        with session.begin_nested():
            session.add(player)
            session.flush()
    except IntegrityError:
        raise Refused("taken") from None
    return player, token


def nickname_taken(session: Session, game_id: int, nickname: str) -> bool:
    return session.scalar(select(LivePlayer.id).where(
        LivePlayer.game_id == game_id, or_(LivePlayer.nickname_key == name_key(nickname),
                                           LivePlayer.nickname_skeleton == name_skeleton(nickname)))) is not None


def rejoin(session: Session, code: str, rejoin_code: str) -> tuple[LivePlayer, str]:
    """Another device takes over a player: the room code and the player's rejoin code."""
    game = open_game_by_code(session, code)
    wanted = (rejoin_code or "").strip().upper()
    player = None if game is None else session.scalar(
        select(LivePlayer).where(LivePlayer.game_id == game.id, LivePlayer.rejoin_code == wanted))
    if player is None:
        raise Refused("no_player")
    if player.removed:
        raise Refused("removed")
    return player, _new_token(player)


def player_by_token(session: Session, game_id: int, player_id: int, token: str) -> LivePlayer | None:
    player = session.get(LivePlayer, player_id)
    if player is None or player.game_id != game_id or not secrets.compare_digest(player.token_hash, _hash(token)):
        return None
    return player


# --- transitions -------------------------------------------------------------------------

def _move(session: Session, game: LiveGame, expected_state: str, expected_position: int, **values: Any) -> bool:
    table = LiveGame.__table__
    moved = session.execute(update(table).where(table.c.id == game.id, table.c.state == expected_state,
                                                table.c.position == expected_position).values(**values)).rowcount == 1
    session.expire(game)
    return moved


def _ask(session: Session, game: LiveGame, position: int, from_state: str, from_position: int, now: datetime) -> bool:
    return _move(session, game, from_state, from_position, state=QUESTION, position=position,
                 question_started_dt=now, deadline_dt=rules.deadline(now, game.seconds), revealed_dt=None)


def start(session: Session, game: LiveGame, clock: Clock) -> None:
    if game.state != LOBBY:
        raise Refused("wrong_state")
    if player_count(session, game.id) == 0:
        raise Refused("no_players")
    now = clock.now()
    if not _ask(session, game, 0, LOBBY, 0, now):
        raise Refused("wrong_state")
    session.execute(update(LiveGame.__table__).where(LiveGame.__table__.c.id == game.id).values(started_dt=now))
    session.expire(game)


def close(session: Session, game: LiveGame, clock: Clock, on_close: Any = None) -> bool:
    """The current question ends: to its reveal.  False when it was not running (someone else
    closed it).  ``on_close(session, game, position)`` runs for the winner only (the FSRS hook)."""
    if game.state != QUESTION:
        return False
    position = game.position
    if not _move(session, game, QUESTION, position, state=REVEAL, revealed_dt=clock.now()):
        return False
    if on_close is not None:
        on_close(session, game, position)
    return True


def advance(session: Session, game: LiveGame, clock: Clock, on_close: Any = None) -> str:
    """The host's *Next*: closes a running question, or moves on from a reveal to the next
    question or, after the last, to the podium.  Returns the new state."""
    if game.state == QUESTION:
        if not close(session, game, clock, on_close):
            raise Refused("wrong_state")
    elif game.state == REVEAL:
        position = game.position
        if position + 1 < game.question_count:
            if not _ask(session, game, position + 1, REVEAL, position, clock.now()):
                raise Refused("wrong_state")
        elif not _move(session, game, REVEAL, position, state=PODIUM, finished_dt=clock.now()):
            raise Refused("wrong_state")
    else:
        raise Refused("wrong_state")
    return game.state


def end(session: Session, game: LiveGame, clock: Clock, on_close: Any = None) -> None:
    """The host ends the game from any open state: the running question's answers still count."""
    if game.state not in OPEN_STATES:
        raise Refused("wrong_state")
    if game.state == QUESTION:
        close(session, game, clock, on_close)
    if not _move(session, game, game.state, game.position, state=PODIUM, finished_dt=clock.now()):
        raise Refused("wrong_state")


def set_locked(session: Session, game: LiveGame, locked: bool) -> None:
    if game.state == PODIUM:
        raise Refused("wrong_state")
    game.locked = bool(locked)
    session.flush()


def remove(session: Session, game: LiveGame, player_id: Any) -> LivePlayer:
    player = session.get(LivePlayer, player_id) if isinstance(player_id, int) and not isinstance(player_id, bool) else None
    if player is None or player.game_id != game.id:
        raise Refused("no_such_player")
    player.removed = True
    session.flush()
    return player


def due(session: Session, clock: Clock, rules_: Rules = DEFAULT_RULES) -> list[LiveGame]:
    """The open games the timer must move now: a question past its deadline and grace, or a
    reveal whose auto-advance moment has come."""
    now = clock.now()
    running = session.scalars(select(LiveGame).where(
        LiveGame.finished_dt.is_(None),
        or_(and_(LiveGame.state == QUESTION, LiveGame.deadline_dt.is_not(None),
                 LiveGame.deadline_dt < now - rules_.grace),
            and_(LiveGame.state == REVEAL, LiveGame.auto_advance_s.is_not(None)))))
    return [game for game in running if game.state == QUESTION
            or now >= game.revealed_dt + timedelta(seconds=game.auto_advance_s)]


def tick(session: Session, clock: Clock, rules_: Rules = DEFAULT_RULES, on_close: Any = None) -> list[LiveGame]:
    """What the server's timer does every beat: move every due game; returns the ones it moved."""
    moved = []
    for game in due(session, clock, rules_):
        try:
            if game.state == QUESTION:
                if close(session, game, clock, on_close):
                    moved.append(game)
            else:
                advance(session, game, clock, on_close)
                moved.append(game)
        except Refused:
            continue  # another server or the host moved it first
    return moved


# --- answering ---------------------------------------------------------------------------

def tile_order(game: LiveGame, position: int, revision: RevisionValues) -> list[str]:
    qtype = get_type(revision.type)
    if revision.type == "true_false":
        return ["true", "false"]
    return display_order(game.seed, position, qtype.shuffled_keys(revision.content), True, avoid_identity=False)


def read_choice(revision: RevisionValues, order: list[str], choice: Any) -> Any:
    """The tiles a player chose -> the type's response (``read_json``); ``Refused('invalid')``."""
    if not isinstance(choice, list) or not choice or len(choice) > len(order) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(order) for i in choice):
        raise Refused("invalid")
    multiple = revision.type == "multiple"
    if not multiple and len(choice) != 1:
        raise Refused("invalid")
    try:
        return get_type(revision.type).read_json(revision.content, order, choice if multiple else choice[0])
    except InvalidResponse:
        raise Refused("invalid") from None


def right_tiles(revision: RevisionValues, order: list[str]) -> list[int]:
    """The tiles the type grades right when chosen alone (for the reveal only)."""
    qtype = get_type(revision.type)
    return [i for i in range(len(order)) if qtype.grade(revision.content, read_choice(revision, order, [i])).credit > 0]


def _insert_answer(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(LiveAnswer.__table__).on_conflict_do_nothing(
        index_elements=["player_id", "position"]).returning(LiveAnswer.__table__.c.id)


@dataclass(frozen=True)
class Accepted:
    answer_id: int
    position: int


def answer(session: Session, game: LiveGame, player: LivePlayer, position: Any, choice: Any, clock: Clock,
           rules_: Rules = DEFAULT_RULES) -> Accepted:
    """Record one answer: a row, or ``Refused`` with why.  The first answer stands."""
    now = clock.now()
    if player.removed or player.game_id != game.id:
        raise Refused("not_player")
    if game.state != QUESTION:
        raise Refused("wrong_state")
    if position != game.position or isinstance(position, bool):
        raise Refused("not_current")
    if rules.is_late(now, game.deadline_dt, rules_.grace):
        raise Refused("too_late")
    revision = revision_values(session, game.plan[position])
    assert revision is not None
    response = read_choice(revision, tile_order(game, position, revision), choice)
    grade = get_type(revision.type).grade(revision.content, response)
    served = max(game.question_started_dt, player.joined_dt)
    elapsed = max(0.0, (now - served).total_seconds())
    previous = session.scalar(select(LiveAnswer.streak).where(LiveAnswer.player_id == player.id,
                                                              LiveAnswer.position == position - 1)) or 0
    earned = rules.points(credit=grade.credit, is_correct=grade.is_correct, elapsed_s=elapsed, seconds=game.seconds,
                          scoring=game.scoring, multiplier=game.multipliers[position], streak_before=previous,
                          streak_bonus=game.streak_bonus)
    inserted = session.execute(_insert_answer(session.get_bind().dialect.name), {
        "game_id": game.id, "player_id": player.id, "position": position, "revision_id": revision.id,
        "response": response, "choice": sorted(set(choice)), "credit": grade.credit, "is_correct": grade.is_correct,
        "points": earned, "served_dt": served, "answered_dt": now,
        "elapsed_ms": int(elapsed * 1000), "streak": previous + 1 if grade.is_correct else 0}).first()
    if inserted is None:
        raise Refused("already_answered")
    return Accepted(inserted[0], position)


def answer_count(session: Session, game_id: int, position: int) -> int:
    return session.scalar(select(func.count()).select_from(LiveAnswer)
                          .where(LiveAnswer.game_id == game_id, LiveAnswer.position == position)) or 0
