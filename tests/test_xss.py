"""Markup in anything a person or the bank supplies is shown as text, on every page that
shows it and in the API.

Every human-readable text of the test bank (question texts, options, items, pairs, units,
explanations, right answers, event titles, quiz titles and descriptions, in all four
languages), two usernames, a token name, a typed answer, a search and a ``next`` parameter
carry a numbered payload that breaks out of attributes and opens a script.  Every page is
fetched in every language the app offers; none may hold a payload's markup unescaped, and every
payload must appear (escaped) on some page, so no displayed field goes unchecked.
"""
from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from quizapp import attempts, tokens
from quizapp.bank.checks import LANGUAGES as BANK_LANGUAGES
from quizapp.bank.importer import import_bank
from quizapp.config import DEFAULTS
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Attempt, User

from helpers import TEST_BANK, form_data

# Every language the app offers (its default config), each page fetched in each.
LANGS = {lang: {"Accept-Language": lang} for lang in DEFAULTS["LANGUAGES"]}
PLAYER = "\"'><img src=x onerror=alert(901)>"
ADMIN = "\"'><svg onload=alert(902)>"
TOKEN_NAME = "<script>alert(903)</script>"
TYPED_ANSWER = "<script>alert(904)</script>"
SEARCH = "<script>alert(905)</script>"
NEXT = "\"><script>alert(906)</script>"
# What only unescaped payload markup looks like (the escaped forms are &lt;script&gt;, &#34;&#39;&gt;...).
UNESCAPED = re.compile(r"<script>alert\(|<img src=x|<svg onload|\"'><")


def payload(n: int) -> str:
    return f"\"'><script>alert({n})</script><img src=x onerror=alert({n})>"


def shown(n: int) -> str:
    """How payload ``n`` (or a username's, token's... payload) reads once escaped for HTML."""
    return {901: "&lt;img src=x onerror=alert(901)&gt;", 902: "&lt;svg onload=alert(902)&gt;"}.get(
        n, f"&lt;script&gt;alert({n})&lt;/script&gt;")


def hostile_bank(folder) -> dict[int, str]:
    """The test bank with a payload appended to every text in every language; returns which
    payload number went where."""
    data = yaml.load((TEST_BANK / "mini.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # as the loader reads it
    data["questions"][0]["event"] = {"date": "2025-06", "title": {"ru": "Визит", "en": "The visit",
                                                                 "kk": "Сапар", "zh": "访问"}}
    placed: dict[int, str] = {}

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict) and set(value) == set(BANK_LANGUAGES):
            result = {}
            for lang in BANK_LANGUAGES:
                number = len(placed) + 1
                placed[number] = f"{path}.{lang}"
                result[lang] = f"{value[lang]} {payload(number)}"
            return result
        if isinstance(value, dict):
            return {key: walk(item, f"{path}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, f"{path}[{index}]") for index, item in enumerate(value)]
        return value

    folder.mkdir()
    (folder / "mini.yaml").write_text(yaml.safe_dump(walk(data, ""), allow_unicode=True), encoding="utf-8")
    return placed


def answer_every_question(client, app, attempt_id: int, pages: dict[str, str]) -> None:
    """Answer the attempt to the end, keeping each question page (every language); the text
    question gets the typed payload, every other question its right answer."""
    while True:
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            served = attempts.current_question(db.session, attempt, app.extensions["quizapp.clock"])
            db.session.commit()
            if served is None:
                return
            kind, position, data = served.revision.type, served.position, form_data(served)
        for lang, headers in LANGS.items():
            pages[f"question {position} ({kind}) {lang}"] = client.get(f"/attempt/{attempt_id}", headers=headers) \
                .get_data(as_text=True)
        payload_data: dict[str, Any] = {"position": str(position)}
        if kind in ("ordering", "matching"):
            payload_data.update({f"answer-{i}": value for i, value in enumerate(data)})
        else:
            payload_data["answer"] = TYPED_ANSWER if kind == "text" else data
        assert client.post(f"/attempt/{attempt_id}", data=payload_data).status_code == 302


def latest_attempt(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Attempt.id).order_by(Attempt.id.desc()))


def get_both(client, pages: dict[str, str], name: str, url: str, status: int = 200) -> None:
    for lang, headers in LANGS.items():
        response = client.get(url, headers=headers)
        assert response.status_code == status, (url, response.status_code)
        pages[f"{name} {lang}"] = response.get_data(as_text=True)


@pytest.fixture
def hostile(app, clock, tmp_path):
    placed = hostile_bank(tmp_path / "hostile-bank")
    loaded = load_bank([tmp_path / "hostile-bank"])
    assert loaded.ok, loaded.problems
    with app.app_context():
        import_bank(db.session, loaded, clock.now())
        # The name rules (quizapp.names) refuse these names now; accounts made before them, or
        # straight in the database, can still have such names, and must still be shown as text.
        for name, is_admin in ((PLAYER, False), (ADMIN, True)):
            db.session.add(User(username=name, password_hash=generate_password_hash("correct horse", method="scrypt"),
                                created_dt=clock.now(), is_admin=is_admin, is_hidden=False))
        db.session.commit()
    return placed


def test_markup_from_people_and_the_bank_is_text_on_every_page(app, hostile):
    pages: dict[str, str] = {}
    player = app.test_client()
    assert player.post("/login", data={"username": PLAYER, "password": "correct horse"}).status_code == 302
    player.post("/quiz/all-types/start")
    all_types = latest_attempt(app)
    answer_every_question(player, app, all_types, pages)
    get_both(player, pages, "result", f"/attempt/{all_types}/result")
    player.post("/quiz/quick/start")
    quick = latest_attempt(app)
    with app.app_context():
        served = attempts.current_question(db.session, db.session.get(Attempt, quick), app.extensions["quizapp.clock"])
        db.session.commit()
        data = TYPED_ANSWER if served.revision.type == "text" else form_data(served)
    assert player.post(f"/attempt/{quick}", data={"position": "0", "answer": data}).status_code == 302
    get_both(player, pages, "feedback", f"/attempt/{quick}/feedback/0")
    profile = "/users/" + urllib.parse.quote(PLAYER, safe="")
    for name, url in [("home", "/"), ("overall board", "/leaderboard/"), ("quiz board", "/leaderboard/all-types"),
                      ("profile", profile), ("study", "/study"), ("timeline", "/timeline"), ("review", "/review")]:
        get_both(player, pages, name, url)
    for tag in ("visits", "tourism", "diplomacy", "trade", "anniversaries", "infrastructure"):
        get_both(player, pages, f"study/{tag}", f"/study/{tag}")
    created = player.post("/account/tokens", data={"token-name": TOKEN_NAME}, headers=LANGS["en"])
    assert created.status_code == 302  # post/redirect/get: the next page shows the token once
    pages["account, new token en"] = player.get("/account/", headers=LANGS["en"]).get_data(as_text=True)
    get_both(player, pages, "account", "/account/")

    admin = app.test_client()
    assert admin.post("/login", data={"username": ADMIN, "password": "correct horse"}).status_code == 302
    get_both(admin, pages, "admin users", "/admin/users")
    get_both(admin, pages, "admin search", "/admin/users?" + urllib.parse.urlencode({"q": SEARCH}))
    with app.app_context():
        player_id = db.session.scalar(select(User.id).where(User.username == PLAYER))
    for action in ("hide", "unhide"):  # the flash message names the player
        response = admin.post(f"/admin/users/{player_id}/{action}", headers=LANGS["en"], follow_redirects=True)
        pages[f"admin {action} en"] = response.get_data(as_text=True)
    get_both(admin, pages, "profile seen by the admin", profile)

    visitor = app.test_client()
    get_both(visitor, pages, "login", "/login?" + urllib.parse.urlencode({"next": NEXT}))
    get_both(visitor, pages, "register", "/register?" + urllib.parse.urlencode({"next": NEXT}))

    for name, html in pages.items():
        found = UNESCAPED.search(html)
        assert found is None, f"{name}: unescaped markup {html[max(0, found.start() - 80):found.end() + 40]!r}"
        assert "&lt;" in html, f"{name} shows no hostile text at all: the check above proves nothing there"
    everything = "\n".join(pages.values())
    expected = {**hostile, 901: "a username", 902: "an admin's username", 903: "a token name",
                904: "a typed answer", 905: "an admin search", 906: "a next parameter"}
    missing = {where for n, where in expected.items() if shown(n) not in everything}
    assert missing == set(), f"never shown, so never checked: {sorted(missing)}"


def test_markup_in_api_responses_is_json_text_and_no_markup_in_the_bytes(app, hostile, clock):
    with app.app_context():
        player = db.session.scalar(select(User).where(User.username == PLAYER))
        _record, token = tokens.create_token(db.session, player, TOKEN_NAME, clock.now())
        db.session.commit()
    client = app.test_client()
    texts: list[str] = []

    def call(method: str, path: str, body: Any = None, lang: str = "en") -> Any:
        response = client.open("/api/v1" + path, method=method, json=body,
                               headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})
        assert response.status_code < 400, (path, response.get_data(as_text=True)[:300])
        raw = response.get_data()
        assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<" not in raw and b">" not in raw, (path, raw[:300])  # markup is \u003c...\u003e in the bytes
        parsed = response.get_json()
        texts.append(json.dumps(parsed, ensure_ascii=False))
        return parsed

    assert call("GET", "/me")["username"] == PLAYER  # exactly the name, neither escaped twice nor stripped
    for lang in LANGS:
        call("GET", "/quizzes", lang=lang)
    state = call("POST", "/quizzes/all-types/attempts")
    while state["question"] is not None:
        question = state["question"]
        answer = TYPED_ANSWER if question["type"] == "text" else right_answer(app, state["id"])
        call("POST", f"/attempts/{state['id']}/answers", {"position": question["position"], "answer": answer})
        state = call("GET", f"/attempts/{state['id']}")
    for lang in LANGS:
        result = call("GET", f"/attempts/{state['id']}/result", lang=lang)
    assert TYPED_ANSWER in [item["your_answer"] for item in result["questions"]]
    quick = call("POST", "/quizzes/quick/attempts")
    call("POST", f"/attempts/{quick['id']}/answers", {"position": 0, "answer": right_answer(app, quick["id"])})
    for path in ("/leaderboards/all-types", "/leaderboards/overall"):
        board = call("GET", path)
        assert [row["username"] for row in board["rows"]] == [PLAYER]
    everything = "\n".join(texts)
    # Everything the API shows of the bank in English (all but the timeline's event titles and the
    # study pages' facts, which only the pages show) is exactly the bank's text, markup and all, as data.
    expected = {where for n, where in hostile.items()
                if where.endswith(".en") and ".event." not in where and ".fact." not in where}
    missing = {where for n, where in hostile.items() if where in expected and payload(n) not in everything}
    assert missing == set(), sorted(missing)


def right_answer(app, attempt_id: int) -> Any:
    """The right answer to the attempt's current question, in the API's terms."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        served = attempts.current_question(db.session, attempt, app.extensions["quizapp.clock"])
        db.session.commit()
        data = form_data(served)
        kind = served.revision.type
    if kind in ("single", "year"):
        return int(data)
    if kind == "numeric":
        return float(data)
    if kind in ("multiple", "ordering", "matching"):
        return [int(value) for value in data]
    return data
