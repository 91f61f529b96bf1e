"""Live games under load: simulated players over real WebSockets against the served app.

    .venv/bin/python bench/live_bench.py [--scenarios 1x2000,10x200] [--servers 1,2] [--ladder 200,500,1000]
                                         [--players 500 [--games 1]] [--questions 10] [--seconds 10]
                                         [--database-url URL]
                                         [--redis-url redis://127.0.0.1:6379/9] [--port 5900]

Each scenario (G games of P players on S servers): a throwaway database (SQLite in a temporary
folder, or with --database-url a PostgreSQL database whose public schema is dropped and made
again) with the schema from the migrations and the bank imported; G games made with a host and
P players each (``games.join``, as ``POST /join`` does; the players' signed cookies made the way
the app makes them); S gunicorn servers as ``make serve`` runs them (one process, a thread per
WebSocket; with S = 2, the Redis message queue joins them and the players are split between
them, alternately).  The load generator is this one process: python-socketio's AsyncClient, one
per player and one per host, all on one asyncio loop.

- **join**: every player opens its socket (at most 100 handshakes in flight) and waits for the
  lobby ``state``; the time from the first connect to the last lobby state, and each player's own.
- **play**: the host's socket sends ``start``; each player, on each question's ``state``, answers
  at a random moment of the first 80 % of the window (a random tile) with ``answer`` and waits for
  the acknowledgement.  The last answer closes the question (the server's rule) and the reveal
  goes out; the host waits 1 s and sends ``next`` (``end`` after the last played question).
- **ack**: from sending ``answer`` to its acknowledgement (``ok: true`` is sent after the row's
  commit).
- **reveal fan-out**: from the server's reveal (``live_game.revealed_dt``, stamped by the server
  when it closes the question, before its commit and the per-player messages; read from the
  database after each reveal) to each player's receipt of the reveal ``state`` (same machine,
  same clock).  "to last" is, per question, the time until the last player had it.
- **errors**: refused connections, acknowledgements that are not ``ok`` or do not come within
  10 s, reveals or questions a player never got, disconnections.
- **CPU and memory**: each server's processes (psutil: CPU seconds over the play phase as % of
  one core, the peak of 1 s samples, peak RSS) and the load generator's own, and its event
  loop's lag (a 50 ms sleep's overshoot): a generator at ~100 % of a core, or with a lag near
  the latencies, is the limit, not the server.
- **rows vs acks**: ``live_answer`` rows of the scenario's games against the ``ok`` acks, and
  "lost": acknowledged (player, question) pairs with no row (must be 0).  More rows than acks
  means answers the server committed whose ack came too late for the client (an ``ack_timeout``).

Targets: 0 lost answers (rows = acks), 0 errors, ack p99 <= 250 ms, reveal to the last player
<= 1 s (p99 over the questions).  The --scenarios run on each --servers count; then --ladder
tries one game of each size upward on --ladder-servers and stops at the first size that misses
a target (the largest game this machine carries lies between the last pass and that miss).  Prints a table and
writes it as the section "## Live games" of bench/results.md (other sections are kept).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil  # noqa: E402
import requests  # noqa: E402
import socketio  # noqa: E402

from http_bench import ensure_database, flask  # noqa: E402

logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
logging.getLogger("socketio.client").setLevel(logging.CRITICAL)
NAMESPACE = "/live"
SECTION = "## Live games"
ACK_TARGET_MS = 250.0
REVEAL_TARGET_MS = 1000.0
SECRET = "live-bench-secret"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


# --- the database and the games ----------------------------------------------------------------

def prepare_database(url: str | None, folder: Path) -> dict[str, str]:
    if url:
        from sqlalchemy import create_engine, text
        ensure_database(url)
        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        url = f"sqlite:///{folder / 'live.sqlite'}"
    env = {**os.environ, "QUIZAPP_DATABASE_URL": url, "QUIZAPP_SECRET_KEY": SECRET,
           "QUIZAPP_INSTANCE_PATH": str(folder / "instance"), "QUIZAPP_RATELIMIT_ENABLED": "false"}
    flask(env, "db", "upgrade")
    flask(env, "bank", "import")
    return env


_app = None


def app_for(env: dict[str, str]):
    global _app
    if _app is None:
        os.environ.update({k: v for k, v in env.items() if k.startswith("QUIZAPP_")})
        from quizapp import create_app
        _app = create_app()
    return _app


@dataclass
class GameSetup:
    game_id: int
    host_cookie: str
    player_cookies: list[str]
    player_ids: list[int]
    questions: int


def make_games(env: dict[str, str], count: int, players: int, questions: int, seconds: int) -> list[GameSetup]:
    from sqlalchemy import func, select

    from quizapp.clock import SystemClock
    from quizapp.extensions import db
    from quizapp.live import games, rules
    from quizapp.live_socket import sign_player
    from quizapp.models import Quiz, QuizQuestion
    from quizapp.users import create_user

    app = app_for(env)
    clock = SystemClock()
    made = []
    with app.app_context():
        # The quiz with the most questions (a live game plays them all; the bench ends after --questions).
        quiz_id = db.session.scalar(select(QuizQuestion.quiz_id).group_by(QuizQuestion.quiz_id)
                                    .order_by(func.count().desc()).limit(1))
        quiz = db.session.get(Quiz, quiz_id)
        stamp = f"{time.time_ns() % 10 ** 9:09d}"
        for g in range(count):
            host = create_user(db.session, f"host{stamp[-6:]}g{g}", "correct horse battery staple", clock.now())
            settings = rules.Settings(seconds=seconds, max_players=max(2, players))
            game = games.create_game(db.session, host, quiz, settings, clock)
            joined = [games.join(db.session, game.code, f"P{g}x{n}", None, clock) for n in range(players)]
            db.session.commit()
            with app.test_request_context():
                cookies = [sign_player(player.id, token) for player, token in joined]
                session = app.session_interface.get_signing_serializer(app).dumps(
                    {"_user_id": host.get_id(), "_fresh": True})
            made.append(GameSetup(game.id, session, cookies, [player.id for player, _ in joined],
                                   min(questions, len(game.plan))))
        db.session.remove()
    return made


def revealed_at(env: dict[str, str], game_id: int) -> tuple[str, int, float | None]:
    from quizapp.extensions import db
    from quizapp.models.live import LiveGame
    app = app_for(env)
    with app.app_context():
        game = db.session.get(LiveGame, game_id)
        result = (game.state, game.position, game.revealed_dt.timestamp() if game.revealed_dt else None)
        db.session.remove()
    return result


def answer_rows(env: dict[str, str], game_ids: list[int]) -> set[tuple[int, int]]:
    """(player id, position) of every answer row of these games."""
    from sqlalchemy import select

    from quizapp.extensions import db
    from quizapp.models.live import LiveAnswer
    app = app_for(env)
    with app.app_context():
        rows = {(player_id, position) for player_id, position in db.session.execute(
            select(LiveAnswer.player_id, LiveAnswer.position).where(LiveAnswer.game_id.in_(game_ids)))}
        db.session.remove()
    return rows


# --- the servers ---------------------------------------------------------------------------------

class Server:
    def __init__(self, env: dict[str, str], port: int, threads: int, log: Path) -> None:
        self.port = port
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-w", "1", "--threads", str(threads), "--worker-connections", str(threads),
                 "-b", f"127.0.0.1:{port}", "--no-control-socket", "--graceful-timeout", "2",
                 "--timeout", "120", "quizapp:create_app()"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out, start_new_session=True)
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/join", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"the server on {port} exited at start; see {log}")
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the server on {port} did not start; see {log}")

    def processes(self) -> list[psutil.Process]:
        try:
            master = psutil.Process(self.process.pid)
            return [master, *master.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)


class Sampler(threading.Thread):
    """Each server's and the generator's CPU seconds and RSS, every second."""

    def __init__(self, servers: list[Server]) -> None:
        super().__init__(daemon=True)
        self.servers = servers
        self.me = psutil.Process()
        self.stopped = threading.Event()
        self.samples: list[tuple[float, list[tuple[float, int]], tuple[float, int], float]] = []
        psutil.cpu_percent(None)

    def read(self) -> tuple[float, list[tuple[float, int]], tuple[float, int], float]:
        per_server = []
        for server in self.servers:
            cpu, rss = 0.0, 0
            for process in server.processes():
                try:
                    times = process.cpu_times()
                    cpu += times.user + times.system
                    rss += process.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            per_server.append((cpu, rss))
        times = self.me.cpu_times()
        return (time.monotonic(), per_server, (times.user + times.system, self.me.memory_info().rss),
                psutil.cpu_percent(None))

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append(self.read())
            self.stopped.wait(1.0)
        self.samples.append(self.read())

    def summary(self) -> dict:
        first, last = self.samples[0], self.samples[-1]
        wall = max(1e-9, last[0] - first[0])
        out: dict = {"servers": [], "wall": wall}
        for i in range(len(self.servers)):
            steps = [(b[1][i][0] - a[1][i][0]) / max(1e-9, b[0] - a[0]) for a, b in zip(self.samples, self.samples[1:])]
            out["servers"].append({"cpu": (last[1][i][0] - first[1][i][0]) / wall * 100,
                                   "cpu_peak": max(steps, default=0) * 100,
                                   "rss": max(s[1][i][1] for s in self.samples)})
        steps = [(b[2][0] - a[2][0]) / max(1e-9, b[0] - a[0]) for a, b in zip(self.samples, self.samples[1:])]
        out["generator"] = {"cpu": (last[2][0] - first[2][0]) / wall * 100, "cpu_peak": max(steps, default=0) * 100,
                            "rss": max(s[2][1] for s in self.samples)}
        out["machine"] = statistics.mean(s[3] for s in self.samples[1:]) if len(self.samples) > 1 else float("nan")
        return out


# --- the load generator --------------------------------------------------------------------------

@dataclass
class Stats:
    join_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    reveal_ms: list[float] = field(default_factory=list)      # each player's delay
    reveal_last_ms: list[float] = field(default_factory=list)  # per (game, question): to the last player
    acks: int = 0
    acked: set[tuple[int, int]] = field(default_factory=set)  # (player id, position) acknowledged ok
    errors: dict[str, int] = field(default_factory=dict)
    lag_ms: list[float] = field(default_factory=list)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class SimPlayer:
    def __init__(self, url: str, game_id: int, player_id: int, cookie: str, stats: Stats, seconds: float) -> None:
        self.player_id = player_id
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        self.url = f"{url}?game={game_id}&role=player"
        self.headers = {"Cookie": f"live_player_{game_id}={cookie}"}
        self.stats = stats
        self.window = seconds * 0.8
        self.lobby = asyncio.Event()
        self.asked: set[int] = set()
        self.reveals: dict[int, float] = {}
        self.tasks: set[asyncio.Task] = set()
        self.client.on("state", self.on_state, namespace=NAMESPACE)
        self.client.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        self.closing = False

    async def on_disconnect(self, *args) -> None:
        if not self.closing:
            self.stats.error("disconnected")

    async def on_state(self, message: dict) -> None:
        received = time.time()
        state, position = message.get("state"), message.get("position")
        if state == "lobby":
            self.lobby.set()
        elif state == "question" and position not in self.asked and not message.get("answered"):
            self.asked.add(position)
            task = asyncio.create_task(self.answer(position, len(message["question"]["tiles"])))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif state == "reveal" and position not in self.reveals:
            self.reveals[position] = received

    async def answer(self, position: int, tiles: int) -> None:
        await asyncio.sleep(random.uniform(0, self.window))
        sent = time.perf_counter()
        try:
            ack = await self.client.call("answer", {"position": position, "choice": [random.randrange(max(1, tiles))]},
                                         namespace=NAMESPACE, timeout=10)
        except socketio.exceptions.TimeoutError:
            self.stats.error("ack_timeout")
            return
        except socketio.exceptions.SocketIOError:
            self.stats.error("answer_not_sent")
            return
        if isinstance(ack, dict) and ack.get("ok"):
            self.stats.ack_ms.append((time.perf_counter() - sent) * 1000)
            self.stats.acks += 1
            self.stats.acked.add((self.player_id, position))
        else:
            self.stats.error(f"ack_{(ack or {}).get('error', 'bad')}")

    async def join(self, gate: asyncio.Semaphore) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                await self.client.connect(self.url, headers=self.headers, namespaces=[NAMESPACE],
                                          transports=["websocket"], wait_timeout=30)
                await asyncio.wait_for(self.lobby.wait(), 30)
            except (socketio.exceptions.ConnectionError, asyncio.TimeoutError):
                self.stats.error("join_failed")
                return
            self.stats.join_ms.append((time.perf_counter() - started) * 1000)

    async def close(self) -> None:
        self.closing = True
        for task in list(self.tasks):
            task.cancel()
        try:
            await self.client.disconnect()
        except Exception:  # noqa: BLE001 - tearing down a bench client
            pass


class Host:
    def __init__(self, url: str, setup: GameSetup) -> None:
        self.client = socketio.AsyncClient(reconnection=True)
        self.setup = setup
        self.url = f"{url}?game={setup.game_id}&role=host"
        self.headers = {"Cookie": f"session={setup.host_cookie}"}
        self.reveal = asyncio.Event()
        self.client.on("changed", self.on_changed, namespace=NAMESPACE)
        self.client.on("state", self.on_changed, namespace=NAMESPACE)

    async def on_changed(self, message: dict) -> None:
        if message.get("state") == "reveal":
            self.reveal.set()

    async def connect(self) -> None:
        await self.client.connect(self.url, headers=self.headers, namespaces=[NAMESPACE], transports=["websocket"],
                                  wait_timeout=30)

    async def command(self, name: str, stats: Stats) -> None:
        try:
            ack = await self.client.call(name, {}, namespace=NAMESPACE, timeout=30)
        except socketio.exceptions.SocketIOError as failed:  # a timeout: the server may still do it late
            stats.error(f"host_{name}_{type(failed).__name__}")
            return
        if not (isinstance(ack, dict) and ack.get("ok")):
            stats.error(f"host_{name}_{(ack or {}).get('error', 'bad')}")

    async def play(self, players: list[SimPlayer], env: dict[str, str], stats: Stats, seconds: float) -> None:
        self.reveal.clear()
        await self.command("start", stats)
        for position in range(self.setup.questions):
            try:
                await asyncio.wait_for(self.reveal.wait(), seconds + 15)
            except asyncio.TimeoutError:
                stats.error("no_reveal")
            # Wait until every player has it (or 10 s), then read the server's reveal stamp.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(position not in p.reveals for p in players):
                await asyncio.sleep(0.05)
            state, at, stamp = await asyncio.to_thread(revealed_at, env, self.setup.game_id)
            got = [p.reveals[position] for p in players if position in p.reveals]
            missing = len(players) - len(got)
            if missing:
                stats.errors["reveal_missing"] = stats.errors.get("reveal_missing", 0) + missing
            if state == "reveal" and at == position and stamp is not None and got:
                stats.reveal_ms.extend((t - stamp) * 1000 for t in got)
                stats.reveal_last_ms.append((max(got) - stamp) * 1000)
            else:
                stats.error("reveal_stamp_unread")
            await asyncio.sleep(1.0)
            self.reveal.clear()
            last = position + 1 == self.setup.questions
            await self.command("end" if last else "next", stats)
        missed = sum(1 for p in players for q in range(self.setup.questions) if q not in p.asked)
        if missed:
            stats.errors["question_missing"] = stats.errors.get("question_missing", 0) + missed


async def loop_lag(stats: Stats, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.05)
        stats.lag_ms.append((time.perf_counter() - started) * 1000 - 50)


async def run_load(setups: list[GameSetup], ports: list[int], env: dict[str, str], seconds: float,
                   sampler: Sampler) -> tuple[Stats, float, float]:
    stats = Stats()
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    everyone: list[tuple[GameSetup, list[SimPlayer]]] = []
    n = 0
    for setup in setups:
        group = []
        for player_id, cookie in zip(setup.player_ids, setup.player_cookies):
            group.append(SimPlayer(urls[n % len(urls)], setup.game_id, player_id, cookie, stats, seconds))
            n += 1
        everyone.append((setup, group))
    hosts = [Host(urls[0], setup) for setup in setups]
    stop = asyncio.Event()
    lag = asyncio.create_task(loop_lag(stats, stop))
    for host in hosts:
        await host.connect()
    gate = asyncio.Semaphore(100)
    started = time.perf_counter()
    await asyncio.gather(*(p.join(gate) for _, group in everyone for p in group))
    join_wall = time.perf_counter() - started
    print(f"  joined {len(stats.join_ms)} of {n} in {join_wall:.1f} s", flush=True)
    sampler.start()
    started = time.perf_counter()
    await asyncio.gather(*(host.play(group, env, stats, seconds) for host, (_, group) in zip(hosts, everyone)))
    play_wall = time.perf_counter() - started
    sampler.stopped.set()
    await asyncio.sleep(0.5)  # late acknowledgements, if any
    stop.set()
    await lag
    for _, group in everyone:
        await asyncio.gather(*(p.close() for p in group))
    for host in hosts:
        await host.client.disconnect()
    return stats, join_wall, play_wall


# --- a scenario ----------------------------------------------------------------------------------

@dataclass
class Result:
    games: int
    players: int
    servers: int
    database: str
    join_s: float
    join_p99_ms: float
    ack_p50: float
    ack_p99: float
    reveal_p50: float
    reveal_p99: float
    reveal_last_p99: float
    errors: dict[str, int]
    acks: int
    rows: int
    lost: int  # acknowledged, and no row
    usage: dict
    lag_p99: float
    play_s: float

    @property
    def met(self) -> bool:
        return (not self.errors and self.lost == 0 and self.rows == self.acks and self.ack_p99 <= ACK_TARGET_MS
                and self.reveal_last_p99 <= REVEAL_TARGET_MS)


def scenario(env: dict[str, str], games: int, players: int, servers: int, args, folder: Path, database: str) -> Result:
    print(f"{games} game(s) x {players} players on {servers} server(s), {database}", flush=True)
    setups = make_games(env, games, players, args.questions, args.seconds)
    per_server = games * players // servers + games + 64
    threads = max(args.threads, per_server)
    server_env = {**env, "QUIZAPP_LIVE_JOIN_LIMIT": "100000 per minute"}
    if servers > 1:
        server_env.update(QUIZAPP_SOCKETIO_MESSAGE_QUEUE=args.redis_url,
                          QUIZAPP_SOCKETIO_CHANNEL=f"quizapp-live-bench-{os.getpid()}-{time.time_ns()}")
    ports = [args.port + i for i in range(servers)]
    running: list[Server] = []
    try:
        for port in ports:
            running.append(Server(server_env, port, threads, folder / f"server-{port}.log"))
        sampler = Sampler(running)
        stats, join_wall, play_wall = asyncio.run(run_load(setups, ports, env, args.seconds, sampler))
    finally:
        for server in running:
            server.stop()
    rows = answer_rows(env, [s.game_id for s in setups])
    lost = len(stats.acked - rows)
    usage = sampler.summary()
    result = Result(games, players, servers, database, join_wall, pct(stats.join_ms, 99),
                    pct(stats.ack_ms, 50), pct(stats.ack_ms, 99), pct(stats.reveal_ms, 50), pct(stats.reveal_ms, 99),
                    pct(stats.reveal_last_ms, 99), stats.errors, stats.acks, len(rows), lost, usage,
                    pct(stats.lag_ms, 99), play_wall)
    print("  " + row(result), flush=True)
    return result


HEADER = ("| games × players | servers | db | join s (p99 ms) | ack p50 / p99 ms | reveal p50 / p99 ms | "
          "reveal to last p99 ms | errors | acks / rows / lost | server CPU avg / peak %, RSS MB | "
          "generator CPU avg / peak %, loop lag p99 ms | machine CPU % | targets |")


def row(r: Result) -> str:
    servers = "; ".join(f"{s['cpu']:.0f} / {s['cpu_peak']:.0f}, {s['rss'] / 2 ** 20:.0f}" for s in r.usage["servers"])
    g = r.usage["generator"]
    errors = ", ".join(f"{k} {v}" for k, v in sorted(r.errors.items())) or "0"
    return (f"| {r.games} × {r.players:,} | {r.servers}{' + Redis' if r.servers > 1 else ''} | {r.database} | "
            f"{r.join_s:.1f} ({r.join_p99_ms:,.0f}) | {r.ack_p50:,.0f} / {r.ack_p99:,.0f} | "
            f"{r.reveal_p50:,.0f} / {r.reveal_p99:,.0f} | {r.reveal_last_p99:,.0f} | {errors} | "
            f"{r.acks:,} / {r.rows:,} / {r.lost} | "
            f"{servers} | {g['cpu']:.0f} / {g['cpu_peak']:.0f}, {r.lag_p99:,.0f} | "
            f"{r.usage['machine']:.0f} | {'✔' if r.met else '✘'} |")


def write_results(results: list[Result], args, started: datetime) -> None:
    lines = [SECTION, "",
             f"{started:%Y-%m-%d %H:%M} UTC, `make bench-live` ({args.questions} questions of {args.seconds} s, each "
             "player answering at a random moment of the first 80 % of the window; one gunicorn process per server "
             "as `make serve`, a thread per WebSocket; the load generator is one asyncio process on the same "
             "2-core machine, shared with other work: \"machine CPU\" is the whole machine's busy share, "
             "100 % = both cores, other people's work included). "
             f"Targets: 0 lost (every ack has its row), 0 errors, ack p99 ≤ {ACK_TARGET_MS:.0f} ms, "
             f"reveal to the last player ≤ {REVEAL_TARGET_MS:.0f} ms (p99 over the questions). "
             "CPU is % of one core over the play phase "
             "(peak: the busiest second).", "", HEADER,
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [row(r) for r in results]
    if args.notes and Path(args.notes).exists():
        lines += ["", Path(args.notes).read_text().strip()]
    section = "\n".join(lines) + "\n"
    path = ROOT / "bench" / "results.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        tail = rest.split("\n## ", 1)
        text = head + section + ("\n## " + tail[1] if len(tail) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
    print(f"written to {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default="1x2000,10x200",
                        help="GAMESxPLAYERS, a comma list: each runs on every --servers count")
    parser.add_argument("--players", help="shorthand: one game of each of these sizes (replaces --scenarios)")
    parser.add_argument("--games", type=int, default=1, help="with --players: games at once")
    parser.add_argument("--servers", default="1,2", help="1 and/or 2 (2: with the Redis message queue)")
    parser.add_argument("--ladder", default="500,1000",
                        help="one game of each size, upward, on --ladder-servers, until the first miss ('' for none)")
    parser.add_argument("--ladder-servers", default="1")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10, help="time per question (the window)")
    parser.add_argument("--database-url", default=os.environ.get("QUIZAPP_BENCH_LIVE_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("QUIZAPP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("QUIZAPP_BENCH_LIVE_PORT", "5900")))
    parser.add_argument("--threads", type=int, default=500, help="at least this many threads per server")
    parser.add_argument("--notes", help="a file whose text is put under the table")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of sockets, here and in the servers
    started = datetime.now(timezone.utc)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        folder = Path(tmp)
        env = prepare_database(args.database_url, folder)
        database = "PostgreSQL" if args.database_url else "SQLite"
        plan = ([(args.games, int(p)) for p in args.players.split(",")] if args.players else
                [(int(g), int(p)) for g, p in (item.split("x") for item in args.scenarios.split(",") if item)])
        for servers in [int(s) for s in args.servers.split(",")]:
            for games, players in plan:
                results.append(scenario(env, games, players, servers, args, folder, database))
                if not args.no_write:  # after each scenario: a crash later keeps what was measured
                    write_results(results, args, started)
        for servers in [int(s) for s in args.ladder_servers.split(",") if s]:
            for players in [int(p) for p in args.ladder.split(",") if p]:
                result = scenario(env, 1, players, servers, args, folder, database)
                results.append(result)
                if not args.no_write:
                    write_results(results, args, started)
                if not result.met:
                    break
    print("\n" + HEADER + "\n" + "\n".join(row(r) for r in results))
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
