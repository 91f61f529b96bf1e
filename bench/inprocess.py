"""CPU per request, in one process, of the signed-in floor (bench/floor.py) and the app's pages,
alternating: how the levers of docs/performance.md were chosen.  On a shared, noisy machine
the ratio of two figures taken in the same process moments apart holds far better than wrk's
requests per second, and process CPU time leaves out what other work takes.

    .venv/bin/python bench/inprocess.py --prepare                 # seed once (SQLite, ~2 min)
    .venv/bin/python bench/inprocess.py leaderboard question home # then measure, as often as needed
    .venv/bin/python bench/inprocess.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/quizapp_bench --prepare
    .venv/bin/python bench/inprocess.py --tree /path/to/other/checkout leaderboard   # the code before a change
    .venv/bin/python bench/inprocess.py --profile leaderboard     # cProfile of 300 requests instead

The data are http_bench's (10,000 players, 1,000,000 finished attempts, the "bench" player and
its untimed attempt); what --prepare made is remembered in bench/out/.  Only ever opens the
database it is given.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _info_path(url: str) -> Path:
    return OUT / f"inprocess-{re.sub(r'[^A-Za-z0-9]+', '-', url).strip('-')[-80:]}.json"


def _environment(url: str) -> dict[str, str]:
    return {"QUIZAPP_DATABASE_URL": url, "QUIZAPP_SECRET_KEY": "bench",
            "QUIZAPP_INSTANCE_PATH": str(OUT / "instance"), "QUIZAPP_LIMIT_ANSWERS_PER_USER": "1000000 per minute",
            "QUIZAPP_PACE_CHECK": "false"}


def prepare(url: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import http_bench
    OUT.mkdir(exist_ok=True)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    info = http_bench.prepare(url, {**os.environ, **_environment(url)}, 10_000, 1_000_000)
    _info_path(url).write_text(json.dumps(info))
    print(f"prepared: {info}")


def measure(url: str, tree: Path, pages: list[str], rounds: int, profile: bool) -> None:
    info = json.loads(_info_path(url).read_text())
    os.environ.update(_environment(url))
    sys.path[:0] = [str(tree), str(tree / "bench")]  # the app and the floor of the tree measured
    from quizapp import create_app
    import floor

    app, floor_app = create_app(), floor.create_app()
    player, visitor = app.test_client(), app.test_client()
    login_page = player.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    signed_in = player.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": token})
    assert signed_in.status_code in (302, 303), signed_in.status_code
    player.get("/")  # the welcome message: a page showing one is never kept
    floor_client = floor_app.test_client()
    floor_client.set_cookie("session", player.get_cookie("session").value)
    paths = {"leaderboard": f"/leaderboard/{info['board_key']}", "question": f"/attempt/{info['question_attempt']}",
             "home": "/", "overall": "/leaderboard/", "leaderboard-page-3": f"/leaderboard/{info['board_key']}?page=3"}
    clients = {page: visitor if page == "home" else player for page in pages}  # the home page signed out

    def run(client, path: str, count: int) -> float:
        started = time.process_time()
        for _ in range(count):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            response.close()
        return (time.process_time() - started) / count * 1000

    for page in pages:
        run(clients[page], paths[page], 50)
    run(floor_client, "/", 50)
    if profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        profiler.enable()
        run(clients[pages[0]], paths[pages[0]], 300)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        return
    figures: dict[str, list[float]] = {"floor": [], **{page: [] for page in pages}}
    for _ in range(rounds):
        figures["floor"].append(run(floor_client, "/", 300))
        for page in pages:
            figures[page].append(run(clients[page], paths[page], 300))
    floor_ms = statistics.median(figures["floor"])
    print(f"{tree}: floor {floor_ms:.3f} ms" + "".join(
        f" | {page} {statistics.median(figures[page]):.3f} ms, {floor_ms / statistics.median(figures[page]):.2f}x"
        for page in pages))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", default=["leaderboard", "question", "home"],
                        choices=["leaderboard", "question", "home", "overall", "leaderboard-page-3"])
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'inprocess.sqlite'}")
    parser.add_argument("--prepare", action="store_true", help="seed the database (wipes it)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose app is measured")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the first page instead")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.database_url)
        return 0
    measure(args.database_url, args.tree.resolve(), args.pages, args.rounds, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
