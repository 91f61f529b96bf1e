"""Fill a database with many players and finished attempts, for benchmarks.

``flask --app quizapp bench seed --users 10000 --attempts 1000000 --quizzes 20`` (or
``seed()`` from Python).  Quizzes reuse the imported bank's questions (a few placeholder
questions are added when the bank is empty).  Players get a skill, an activity level
(a few play a lot, most a little) and a time accommodation; their attempts get scores,
times and finishing moments spread over the last weeks, busier in the evening (local
time).  Rows go in with bulk INSERTs, no answer rows are written, and the leaderboard
tables are filled at the end by ``rebuild_leaderboards``.  ``rank_at_finish`` stays empty
(it is history, not derivable afterwards).  Plain Python, no Flask.
"""
from __future__ import annotations

import math
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from quizapp.finish import fill_credit_means
from quizapp.models import Attempt, AttemptAnswer, Question, QuestionRevision, Quiz, QuizQuestion, User
from quizapp.modes import Mode
from quizapp.names import name_key, name_skeleton
from quizapp.ranking.rebuild import RebuildReport, rebuild_leaderboards

# Share of local activity per hour of the day (0-23): quiet at night, busy in the evening.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 6, 6, 6, 7, 8, 10, 12, 12, 10, 6, 3]
ACCOMMODATIONS = [("standard", 1.0, 95.5), ("x1.5", 1.5, 2.5), ("x2", 2.0, 1.0), ("untimed", None, 1.0)]


class SeedError(ValueError):
    pass


@dataclass
class SeedReport:
    users: int = 0
    quizzes: int = 0
    attempts: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    rebuild: RebuildReport | None = None

    def lines(self) -> list[str]:
        lines = [f"users: {self.users}", f"quizzes: {self.quizzes}", f"attempts: {self.attempts}"]
        if self.rebuild is not None:
            lines += self.rebuild.lines()
        lines.append("seconds: " + ", ".join(f"{step} {value:.1f}" for step, value in self.seconds.items()))
        return lines


def seed(session: Session, *, users: int, attempts: int, quizzes: int, now: datetime, zone: ZoneInfo,
         weeks: int = 8, prefix: str = "bench", rng_seed: int = 1, chunk: int = 20_000,
         progress: Callable[[str], None] | None = None,
         locales: Sequence[str] = ("ru", "en", "kk", "zh")) -> SeedReport:
    """Add ``users`` players, ``quizzes`` quizzes and ``attempts`` finished attempts, then
    rebuild the leaderboards.  Flushes, never commits (the caller owns the transaction).
    Each player's display language is one of ``locales`` (the app passes its ``LANGUAGES``)."""
    if users < 1 or quizzes < 1 or attempts < 0:
        raise SeedError("need at least one user and one quiz")
    if session.scalar(select(func.count()).select_from(User).where(User.username.like(f"{prefix}-%"))):
        raise SeedError(f"players named {prefix}-... exist already: seed an empty database or pick another prefix")
    say = progress or (lambda message: None)
    rng = random.Random(rng_seed)
    report = SeedReport()
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        report.seconds[step] = time.perf_counter() - clock
        clock = time.perf_counter()

    revisions = _question_pool(session, now)
    quiz_rows = _make_quizzes(session, rng, revisions, quizzes, prefix, now)
    report.quizzes = len(quiz_rows)
    lap("quizzes")

    players = _make_users(session, rng, users, prefix, now - timedelta(weeks=weeks), locales)
    report.users = len(players)
    lap("users")
    say(f"{report.users} users and {report.quizzes} quizzes")

    connection = session.connection()
    user_weights = _cumulative([rng.paretovariate(1.3) for _ in players])
    quiz_weights = _cumulative([1.0 / (index + 1) ** 0.7 for index in range(len(quiz_rows))])
    span = timedelta(weeks=weeks).total_seconds()
    hour_weights = _cumulative(HOUR_WEIGHTS)
    written = 0
    while written < attempts:
        size = min(chunk, attempts - written)
        chosen_players = rng.choices(players, cum_weights=user_weights, k=size)
        chosen_quizzes = rng.choices(quiz_rows, cum_weights=quiz_weights, k=size)
        rows = [_attempt_row(rng, player, quiz, now, span, zone, hour_weights)
                for player, quiz in zip(chosen_players, chosen_quizzes)]
        connection.execute(insert(Attempt.__table__), rows)
        written += size
        if written % 100_000 < chunk or written == attempts:
            say(f"{written} attempts")
    report.attempts = written
    lap("attempts")

    report.rebuild = rebuild_leaderboards(session, zone)
    lap("rebuild")
    return report


@dataclass(frozen=True)
class _Player:
    id: int
    skill: float
    speed: float
    mode: str
    factor: float


@dataclass(frozen=True)
class _QuizShape:
    id: int
    plan: list[int]
    points: int
    limit_s: int
    difficulty: float
    speed_scoring: bool


def _cumulative(weights: list[float]) -> list[float]:
    total, running = 0.0, []
    for weight in weights:
        total += weight
        running.append(total)
    return running


def _question_pool(session: Session, now: datetime) -> list[int]:
    """Current revision ids of the bank's questions; placeholders when there are few."""
    revisions = list(session.scalars(
        select(Question.current_revision_id)
        .where(Question.is_retired.is_(False), Question.current_revision_id.is_not(None))
        .order_by(Question.id)))
    for number in range(len(revisions), 10):
        question = Question(key=f"bench-q-{number:03d}", is_retired=False)
        session.add(question)
        session.flush()
        revision = QuestionRevision(
            question_id=question.id, number=1, type="true_false", created_dt=now, content_hash="bench",
            content={"type": "true_false", "text": {"ru": f"Утверждение {number}.", "en": f"Statement {number}."},
                     "answer": number % 2 == 0, "explanation": {"ru": "Для замеров.", "en": "For benchmarks."},
                     "source": {"paragraph": 1}, "tags": ["trade"], "difficulty": 1})
        session.add(revision)
        session.flush()
        question.current_revision_id = revision.id
        revisions.append(revision.id)
    session.flush()
    return revisions


def _make_quizzes(session: Session, rng: random.Random, revisions: list[int], count: int, prefix: str,
                  now: datetime) -> list[_QuizShape]:
    question_of = dict(session.execute(select(QuestionRevision.id, QuestionRevision.question_id)
                                       .where(QuestionRevision.id.in_(revisions))).all())
    shapes = []
    for index in range(count):
        pool = rng.sample(revisions, min(len(revisions), 15))
        draw = min(10, len(pool))
        limit = rng.choice([120, 180, 300, 600])
        speed = index % 4 == 3
        quiz = Quiz(key=f"{prefix}-{index + 1:02d}", title={"ru": f"Замер {index + 1}", "en": f"Bench {index + 1}"},
                    description={}, time_limit_s=limit, question_time_limit_s=None, draw_count=draw,
                    shuffle_questions=True, shuffle_options=True, feedback="end",
                    scoring="speed" if speed else "plain", points_per_question=100, position=1000 + index,
                    content_hash="bench", is_retired=False)
        session.add(quiz)
        session.flush()
        session.add_all(QuizQuestion(quiz_id=quiz.id, question_id=question_of[revision], position=position)
                        for position, revision in enumerate(pool))
        shapes.append(_QuizShape(quiz.id, pool[:draw], 100, limit, rng.uniform(-0.15, 0.2), speed))
    session.flush()
    return shapes


def _make_users(session: Session, rng: random.Random, count: int, prefix: str, since: datetime,
                locales: Sequence[str]) -> list[_Player]:
    # One hash for all (scrypt is slow on purpose); its password is thrown away.
    password_hash = generate_password_hash(secrets.token_urlsafe(16), method="scrypt")
    kinds = [kind for kind in ACCOMMODATIONS]
    kind_weights = _cumulative([weight for *_, weight in kinds])
    rows, shapes = [], []
    for index in range(count):
        accommodation, factor, _weight = rng.choices(kinds, cum_weights=kind_weights)[0]
        name = f"{prefix}-{index + 1:06d}"
        # A bulk insert skips the model's hook that sets the name's keys.
        rows.append({"username": name, "username_key": name_key(name), "username_skeleton": name_skeleton(name),
                     "password_hash": password_hash,
                     "created_dt": since - timedelta(seconds=rng.randrange(86_400 * 30)),
                     "locale": rng.choice(list(locales)), "is_admin": False, "is_hidden": rng.random() < 0.002,
                     "time_accommodation": accommodation})
        mode = Mode.PRACTICE if factor is None else (Mode.STANDARD if factor == 1.0 else Mode.EXTENDED)
        shapes.append((rng.betavariate(5, 3), rng.uniform(0.6, 1.4), mode, factor or 1.0))
    connection = session.connection()
    for start in range(0, count, 5_000):
        connection.execute(insert(User.__table__), rows[start:start + 5_000])
    ids = dict(connection.execute(select(User.username, User.id).where(User.username.like(f"{prefix}-%"))).all())
    return [_Player(ids[row["username"]], *shape) for row, shape in zip(rows, shapes)]


def _finish_moment(rng: random.Random, now: datetime, span: float, zone: ZoneInfo,
                   hour_weights: list[float]) -> datetime:
    moment = now - timedelta(seconds=rng.uniform(0, span))
    local = moment.astimezone(zone)
    hour = rng.choices(range(24), cum_weights=hour_weights)[0]
    moved = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60),
                          microsecond=rng.randrange(1_000_000)).astimezone(moment.tzinfo)
    return moved if moved <= now else moved - timedelta(days=1)


def _attempt_row(rng: random.Random, player: _Player, quiz: _QuizShape, now: datetime, span: float, zone: ZoneInfo,
                 hour_weights: list[float]) -> dict:
    questions = len(quiz.plan)
    chance = min(0.98, max(0.05, player.skill - quiz.difficulty + rng.gauss(0, 0.08)))
    right = sum(1 for _ in range(questions) if rng.random() < chance)
    if quiz.speed_scoring and player.mode != Mode.PRACTICE:
        score = sum(100 - rng.randrange(51) for _ in range(right))
    else:
        score = right * quiz.points
    limit_ms = int(quiz.limit_s * player.factor * 1000)
    typical = limit_ms * 0.35 * player.speed * (1.2 - 0.4 * player.skill)
    duration = int(min(limit_ms, max(3_000 * questions, rng.lognormvariate(math.log(typical), 0.35))))
    finished = _finish_moment(rng, now, span, zone, hour_weights)
    started = finished - timedelta(milliseconds=duration)
    timed = player.mode != Mode.PRACTICE
    return {"user_id": player.id, "quiz_id": quiz.id, "seed": rng.getrandbits(31), "plan": quiz.plan,
            "started_dt": started, "deadline_dt": started + timedelta(milliseconds=limit_ms) if timed else None,
            "finished_dt": finished, "current_position": questions, "mode": player.mode,
            "time_factor": player.factor, "score": score, "max_score": questions * quiz.points,
            "correct_count": right, "duration_ms": duration, "rank_at_finish": None}


def seed_answers(session: Session, *, prefix: str = "bench", rng_seed: int = 1, chunk: int = 50_000,
                 progress: Callable[[str], None] | None = None) -> int:
    """Write the answer rows of the seeded players' attempts that have none (``seed`` writes
    none), for item analysis: each attempt's ``correct_count`` right answers go to the
    questions of its plan drawn by their easiness, so stronger players get the hard ones right
    more often.  One question in ten is a trap that the stronger players get wrong more often
    (a negative discrimination), and the easiest and hardest are flagged as such.  Flushes,
    never commits.  Returns the number of rows written."""
    say = progress or (lambda message: None)
    rng = random.Random(rng_seed)
    answered = select(AttemptAnswer.attempt_id).where(AttemptAnswer.attempt_id == Attempt.id).exists()
    attempts = session.execute(
        select(Attempt.id, Attempt.plan, Attempt.correct_count, Attempt.finished_dt)
        .join(User, User.id == Attempt.user_id)
        .where(User.username.like(f"{prefix}-%"), ~answered).order_by(Attempt.id)).all()
    revisions = sorted({revision for row in attempts for revision in row.plan})
    easiness = {revision: rng.choice([0.05, 0.3, 1.0, 1.0, 2.0, 4.0, 30.0]) for revision in revisions}
    traps = {revision for revision in revisions if rng.random() < 0.1}
    connection = session.connection()
    rows: list[dict] = []
    written = 0
    for attempt in attempts:
        plan = list(attempt.plan)
        share = attempt.correct_count / len(plan) if plan else 0.0

        def weight(revision: int) -> float:
            if revision in traps:  # the stronger the player, the likelier this one goes wrong
                return 0.01 if share > 0.6 else 50.0
            return easiness[revision]

        # Weighted sampling without replacement (Efraimidis and Spirakis): the largest keys win.
        keys = sorted(range(len(plan)), key=lambda i: rng.random() ** (1.0 / weight(plan[i])), reverse=True)
        right = set(keys[:attempt.correct_count])
        for position, revision in enumerate(plan):
            rows.append({"attempt_id": attempt.id, "position": position, "revision_id": revision,
                         "served_dt": attempt.finished_dt, "answered_dt": attempt.finished_dt, "response": None,
                         "is_correct": position in right, "credit": 1.0 if position in right else 0.0,
                         "points": 100 if position in right else 0, "timed_out": False})
        if len(rows) >= chunk:
            connection.execute(insert(AttemptAnswer.__table__), rows)
            written += len(rows)
            rows = []
            if written % 200_000 < chunk:
                say(f"{written} answers")
    if rows:
        connection.execute(insert(AttemptAnswer.__table__), rows)
        written += len(rows)
    fill_credit_means(session)  # what finish_attempt sets on a played attempt: item analysis ranks by it
    return written


__all__ = ["SeedError", "SeedReport", "seed", "seed_answers"]
