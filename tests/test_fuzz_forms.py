"""Every form and every page, fuzzed; CSRF and roles on every state-changing route.

The routes come from the app's URL map, so a route added later is fuzzed and checked
too (or fails here until its path arguments are known).  Register, login and answers
have their own fuzz tests in test_bad_input.py; the API is in test_fuzz_api.py.

Each request gets random text, bytes, lists, oversized values and file uploads in its
fields, or a raw body of any kind (bytes, JSON of any shape and depth, broken multipart)
under any content type.  It must never give a 5xx; when refused (4xx) the database is
unchanged; when it succeeds only the tables its route may touch change, and a redirect
stays on this site.
"""
from __future__ import annotations

import functools
import io
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from quizapp import assignments, classes, tokens, users
from quizapp.extensions import db
from quizapp.models import Question, User
from quizapp.users import create_user

from helpers import JSON_VALUE, assert_security_headers, changed_tables, finish, make_app, sign_in, snapshot, text_or_bytes

FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PAGES_FUZZ = settings(FUZZ, max_examples=8)  # each example visits every page
PASSWORD = "correct horse"


# --- the people and things the routes act on ------------------------------------------------

@dataclass
class World:
    player: int
    other: int
    admin: int
    own_token: int
    others_token: int
    finished_attempt: int
    others_attempt: int
    question: int
    teacher: int = 0
    ids: dict[str, list[Any]] = field(default_factory=dict)


@pytest.fixture
def world(app, bank, clock, monkeypatch) -> World:
    # One scrypt hash for the three users instead of three: this fixture runs for every test.
    monkeypatch.setattr(users, "generate_password_hash", functools.cache(users.generate_password_hash))
    with app.app_context():
        session = db.session
        player = create_user(session, "aigerim", PASSWORD, clock.now())
        other = create_user(session, "bolat", PASSWORD, clock.now())
        admin = create_user(session, "boss", PASSWORD, clock.now(), is_admin=True)
        own_token, _secret = tokens.create_token(session, player, "mine", clock.now())
        others_token, _secret = tokens.create_token(session, other, "theirs", clock.now())
        finished = finish(session, clock, player, wrong={0, 1})
        others = finish(session, clock, other, key="quick")
        question = session.scalar(select(Question.id).order_by(Question.id))
        # A teacher's class with the player in it, an account the teacher made, and an assignment.
        teacher = create_user(session, "ms-aliya", PASSWORD, clock.now())
        teacher.is_teacher = True
        school_class = classes.create_class(session, teacher, "7A", clock.now())
        classes.join(session, player, school_class.join_code, clock.now())
        kid = classes.make_accounts(session, teacher, school_class, "kid", 1, clock.now())[0]
        kid_id = session.scalar(select(User.id).where(User.username == kid.username))
        assignment = assignments.create_assignment(
            session, school_class, finished.quiz_id, clock.now(), open_dt=clock.now(),
            close_dt=clock.now() + timedelta(days=7), attempts_allowed=2, counting="best", time_limit_s=None,
            feedback="end", answers_after="attempt", ranking="class")
        session.commit()
        made = World(player.id, other.id, admin.id, own_token.id, others_token.id, finished.id, others.id, question,
                     teacher.id)
    # For each path argument: the values worth trying (real ones of the right and the wrong
    # owner) besides random ones.
    made.ids = {
        "token_id": [made.own_token, made.others_token],
        "user_id": [made.player, made.other, made.admin, kid_id],
        "class_id": [school_class.id],
        "assignment_id": [assignment.id],
        "kind": ["csv", "xlsx"],
        "code": [school_class.join_code, "WRONG99", "123456"],
        "game_id": [1, 2],  # live games (none exists here: every one of their pages must 404)
        "paragraph": [1, 7],
        "attempt_id": [made.finished_attempt, made.others_attempt],
        "question_id": [made.question],
        "position": [0, 1],
        "key": ["all-types", "quick"],
        "username": ["aigerim", "BOLAT"],
        "tag": ["visits", "trade"],
        "filename": ["app.css", "../../pyproject.toml"],
    }
    return made


def changed_user_rows(before, after) -> set[int]:
    old, new = ({row[0]: row for row in rows["user"]} for rows in (before, after))
    return {user_id for user_id in old.keys() | new.keys() if old.get(user_id) != new.get(user_id)}


def assert_stays_on_site(response) -> None:
    if 300 <= response.status_code < 400:
        target = urllib.parse.urlsplit(response.headers["Location"])
        assert target.scheme in ("", "http") and target.netloc in ("", "localhost"), response.headers["Location"]


# --- what a request may carry -------------------------------------------------------------------

def upload(content: bytes) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), "upload.txt"


VALUE = st.one_of(
    text_or_bytes,
    st.sampled_from([PASSWORD, "ru", "en", "kk", "standard", "x2", "untimed", "members", "private", "/", "//evil.example/",
                     "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "\t/x", "x" * 300]),
    st.lists(text_or_bytes, min_size=2, max_size=3),  # a field sent twice
    st.builds(upload, st.binary(max_size=200)),  # a file where text is expected
)
CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
                 "application/json", "text/plain", "application/xml", "application/x-www-form-urlencoded; charset=latin-1"]


def json_body(names: list[str]) -> st.SearchStrategy[bytes]:
    keyed = st.dictionaries(st.sampled_from(names or ["x"]), JSON_VALUE, max_size=4)
    return st.one_of(keyed, JSON_VALUE).map(lambda value: json.dumps(value).encode())


def raw_body(names: list[str]) -> st.SearchStrategy[tuple[str | None, bytes]]:
    bodies = st.one_of(
        st.binary(max_size=400),
        json_body(names),
        st.just(b"[" * 5000 + b"]" * 5000),  # deeply nested JSON
        st.just(b"%FF%FE=%C0%AF&%00=%00&a=%ZZ&" + b"b=1&" * 2000),  # broken escapes, 2000 parts
        st.just(b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + b"\xff" * 300),  # unterminated
        st.just(b"x" * (2 * 1024 * 1024)),  # over the 1 MiB limit
    )
    return st.tuples(st.sampled_from([*CONTENT_TYPES, None]), bodies)


def request_kwargs(draw, names: list[str]) -> dict[str, Any]:
    if draw(st.booleans()):
        fields = draw(st.dictionaries(st.sampled_from([*names, "csrf_token", "next", "answer"]), VALUE, max_size=5))
        return {"data": fields}
    content_type, body = draw(raw_body(names))
    return {"data": body, "content_type": content_type} if content_type else {"data": body}


# --- the state-changing forms ---------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    path: str  # with {arg} for the URL's variable parts
    actor: str  # player, admin or nobody
    fields: tuple[str, ...] = ()
    may_change: frozenset[str] = frozenset()  # tables a successful request may touch

    def __str__(self) -> str:
        return f"{self.actor} POST {self.path}"


NEW_ATTEMPT = frozenset({"attempt", "attempt_answer"})
ROUTES = [
    Route("/profile/password", "player", ("password-current", "password-password", "password-confirm"),
          frozenset({"user"})),
    Route("/profile/language", "player", ("language-locale",), frozenset({"user"})),
    Route("/profile/visibility", "player", ("visibility-visibility",), frozenset({"user"})),
    Route("/profile/visibility", "nobody", ("visibility-visibility",)),
    Route("/account/time", "player", ("time-time_accommodation",), frozenset({"user"})),
    Route("/account/tokens", "player", ("token-name",), frozenset({"api_token"})),
    Route("/account/tokens/{token_id}/revoke", "player", (), frozenset({"api_token"})),
    Route("/admin/users/{user_id}/hide", "admin", ("next",), frozenset({"user"})),
    Route("/admin/users/{user_id}/unhide", "admin", ("next",), frozenset({"user"})),
    Route("/admin/users/{user_id}/hide", "player", ("next",)),  # not an admin: always 404
    Route("/admin/attempts/{attempt_id}/clear", "admin", (),
          frozenset({"attempt", "leaderboard_entry", "overall_entry", "leaderboard_count"})),
    Route("/admin/attempts/{attempt_id}/void", "admin", (), frozenset({"attempt"})),
    Route("/admin/attempts/{attempt_id}/clear", "player", ()),  # not an admin: always 404
    Route("/review/start", "player", (), NEW_ATTEMPT),
    Route("/practise/{question_id}", "player", (), NEW_ATTEMPT),
    Route("/quiz/{key}/start", "player", (), NEW_ATTEMPT),
    Route("/attempt/{attempt_id}/practice", "player", (), NEW_ATTEMPT),
    Route("/language", "player", ("lang", "next"), frozenset({"user"})),
    Route("/language", "nobody", ("lang", "next")),
    Route("/logout", "player", (), frozenset({"user"})),  # ends every session: the version goes up
    Route("/profile/tokens/revoke-all", "player", (), frozenset({"api_token"})),
    Route("/profile/password", "nobody", ("password-current", "password-password", "password-confirm")),
    # Teachers' classes (issue 18).
    Route("/admin/users/{user_id}/teacher", "admin", ("next",), frozenset({"user"})),
    Route("/admin/users/{user_id}/not-teacher", "admin", ("next",), frozenset({"user"})),
    Route("/teach/classes", "teacher", ("name",), frozenset({"school_class"})),
    Route("/teach/classes/{class_id}/code", "teacher", (), frozenset({"school_class"})),
    Route("/teach/classes/{class_id}/archive", "teacher", (), frozenset({"school_class"})),
    Route("/teach/classes/{class_id}/archive", "player", ()),  # not a teacher: always 404
    Route("/teach/classes/{class_id}/accounts", "teacher", ("prefix", "count"), frozenset({"user", "class_member"})),
    Route("/teach/classes/{class_id}/students/{user_id}/reset", "teacher", (), frozenset({"user"})),
    Route("/teach/classes/{class_id}/students/{user_id}/remove", "teacher", (), frozenset({"class_member"})),
    Route("/teach/classes/{class_id}/assignments", "teacher",
          ("quiz", "open_at", "close_at", "attempts_allowed", "counting", "time_limit_min", "feedback",
           "answers_after", "ranking"), frozenset({"assignment"})),
    Route("/teach/assignments/{assignment_id}/overrides", "teacher", ("student", "time_limit_min", "extra_attempts"),
          frozenset({"assignment_override"})),
    Route("/teach/assignments/{assignment_id}/edit", "teacher",
          ("open_at", "close_at", "attempts_allowed", "counting", "time_limit_min", "feedback", "answers_after",
           "ranking"), frozenset({"assignment", "attempt"})),  # running attempts' deadlines follow the close
    Route("/teach/assignments/{assignment_id}/delete", "teacher", (), frozenset({"assignment", "assignment_override"})),
    Route("/class/join", "player", ("code",), frozenset({"class_member"})),
    Route("/first-password", "player", ("password", "confirm"), frozenset({"user"})),
    Route("/assignments/{assignment_id}/start", "player", (), NEW_ATTEMPT),
    # Live games (issue 17): a host's new game, joining with a nickname (no account needed), rejoining
    # with a code, practising a game's mistakes.
    Route("/live/new/{key}", "player", ("seconds", "scoring", "streak", "show_question", "auto_advance",
                                        "max_players", "school_class", "multipliers-0"), frozenset({"live_game"})),
    Route("/join", "nobody", ("code", "nickname"), frozenset({"live_player"})),
    Route("/join/rejoin", "nobody", ("rejoin_code",)),
    Route("/live/play/{game_id}/practise", "player", (), NEW_ATTEMPT),
]


def path_value(draw, name: str, world: World) -> str:
    if name in ("key", "username", "tag", "filename", "kind", "code"):
        value = draw(st.one_of(st.sampled_from(world.ids[name]), st.text(max_size=80)))
        return urllib.parse.quote(value, safe="")
    edges = [0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30]  # the ends of int4, int8 and beyond
    return str(draw(st.one_of(st.sampled_from(world.ids[name]), st.sampled_from(edges),
                              st.integers(min_value=0, max_value=2**70))))


def fill(draw, template: str, world: World) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: path_value(draw, match.group(1), world), template)


@pytest.mark.parametrize("route", ROUTES, ids=str)
@FUZZ
@given(data=st.data())
def test_every_form_survives_anything_and_a_refusal_changes_nothing(client, app, world, route, data):
    actor = {"player": world.player, "admin": world.admin, "teacher": world.teacher, "nobody": None}[route.actor]
    sign_in(client, actor)
    path = fill(data.draw, route.path, world)
    before = snapshot(app)
    response = client.post(path, **request_kwargs(data.draw, list(route.fields)))
    after = snapshot(app)
    assert response.status_code < 500, (path, response.status_code)
    assert_stays_on_site(response)
    assert_security_headers(response)
    if response.status_code >= 400:
        assert after == before, (path, response.status_code)
        return
    assert changed_tables(before, after) <= route.may_change, (path, changed_tables(before, after))
    if "user" in route.may_change:
        # Only the caller's own row, or for an admin the player named in the URL.
        allowed = {actor} | ({int(path.split("/")[3])} if route.actor == "admin" else set())
        if route.actor == "teacher":  # the student named in the URL, and the accounts just made
            named = re.search(r"/students/(\d+)/", path)
            allowed |= ({int(named.group(1))} if named else set()) | (
                {row[0] for row in after["user"]} - {row[0] for row in before["user"]})
        assert changed_user_rows(before, after) <= allowed
    if route.actor == "nobody" and route.path != "/language":
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_form_is_fuzzed(app):
    """A new form fails this until it is in ROUTES (or fuzzed elsewhere)."""
    fuzzed_in_test_bad_input = {"/register", "/login", "/attempt/{attempt_id}"}
    forms = {path for path in post_routes(app) if not path.startswith("/api/")}
    assert forms == {route.path for route in ROUTES} | fuzzed_in_test_bad_input


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, app, world):
    sign_in(client, world.player)
    before = snapshot(app)
    response = client.post("/account/tokens", data={"token-name": "x" * (2 * 1024 * 1024)},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413 and "What was sent is too large." in response.get_data(as_text=True)
    assert_security_headers(response)
    assert snapshot(app) == before


@pytest.mark.parametrize("path, fields", [
    ("/login", {"username": "aigerim", "password": PASSWORD}),
    ("/register", {"username": "zhanna", "password": "long enough", "confirm": "long enough"}),
    ("/account/tokens", {"token-name": "phone"}),
    ("/profile/password", {"password-current": PASSWORD, "password-password": "long enough",
                           "password-confirm": "long enough"}),
    ("/profile/language", {"language-locale": "en"}),
    ("/profile/visibility", {"visibility-visibility": "members"}),
])
@pytest.mark.parametrize("how", ["files", "json"])
def test_files_and_json_are_not_form_fields(client, app, world, path, fields, how):
    """Flask-WTF would fill a field from an upload or a JSON body (a file, a number, a list),
    and the validators then failed with a 500.  Only form fields count now: whatever else is
    sent, the form finds its fields missing and refuses."""
    sign_in(client, None if path in ("/login", "/register") else world.player)
    before = snapshot(app)
    if how == "files":
        response = client.post(path, data={name: upload(value.encode()) for name, value in fields.items()})
    else:
        response = client.post(path, json={name: [value] for name, value in fields.items()})
    # The settings forms answer a refusal with a redirect back to the form (post/redirect/get).
    assert response.status_code == (400 if path in ("/login", "/register") else 302)
    assert snapshot(app) == before


# --- every page, with random parameters ------------------------------------------------------------

def get_rules(app) -> list[str]:
    """Every GET route outside the API, as a path template with {arg} for its variables."""
    templates = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith("/api/"):
            templates.append(re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule))
    return sorted(set(templates))


QUERY = st.dictionaries(st.sampled_from(["page", "period", "board", "q", "next", "lang", "tag", "x"]),
                        st.one_of(st.text(max_size=40), st.sampled_from(["1", "0", "-1", "99999999999999999999",
                                                                         "all", "week", "day", "extended", "\x00"])),
                        max_size=4)


@pytest.mark.parametrize("actor", ["admin", "player", "nobody"])
@PAGES_FUZZ
@given(data=st.data())
def test_every_page_survives_any_parameters(client, app, world, actor, data):
    sign_in(client, {"player": world.player, "admin": world.admin, "nobody": None}[actor])
    for template in get_rules(app):
        path = fill(data.draw, template, world)
        query = data.draw(QUERY)
        response = client.get(path, query_string=query)
        response.close()
        assert response.status_code < 500, (path, query, response.status_code)
        assert_stays_on_site(response)
        assert_security_headers(response)


# --- CSRF and roles on every state-changing route ---------------------------------------------------

def post_routes(app) -> list[str]:
    return sorted({re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
                   for rule in app.url_map.iter_rules() if "POST" in rule.methods})


def real_path(template: str, world: World) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: urllib.parse.quote(str(world.ids[match.group(1)][0]), safe=""), template)


def test_every_state_changing_route_needs_the_csrf_token(database_url, tmp_path, app, world):
    protected = make_app(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    routes = post_routes(protected)
    stranger = protected.test_client()  # a session of its own, and so a CSRF token of its own
    page = stranger.get("/login").get_data(as_text=True)
    foreign_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    for template in routes:
        path = real_path(template, world)
        actor = world.admin if template.startswith("/admin/") else world.teacher if template.startswith(
            "/teach/") else world.player
        for token in (None, "forged", foreign_token):
            client = protected.test_client()
            sign_in(client, None if template in ("/login", "/register") else actor)
            before = snapshot(app)
            headers = {"X-CSRFToken": token} if token and template.startswith("/api/") else {}
            fields = {"csrf_token": token} if token and not template.startswith("/api/") else {}
            response = client.post(path, data=fields, headers=headers)
            assert response.status_code == 400, (template, token, response.status_code)
            assert snapshot(app) == before, (template, token)


PUBLIC_POSTS = {"/login", "/register", "/language", "/join", "/join/rejoin"}  # a live game needs no account


def test_every_state_changing_route_needs_a_login_and_admin_routes_an_admin(client, app, world):
    for template in post_routes(app):
        if template in PUBLIC_POSTS:
            continue
        path = real_path(template, world)
        before = snapshot(app)
        sign_in(client, None)
        response = client.post(path)
        if template.startswith(("/admin/", "/teach/")):
            assert response.status_code == 404, template  # as if there were no such page
        elif template.startswith("/api/"):
            assert response.status_code == 401, template
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], template
        if template.startswith(("/admin/", "/teach/")):
            sign_in(client, world.player)
            assert client.post(path).status_code == 404, template
        assert snapshot(app) == before, template
    for template in get_rules(app):
        if template.startswith(("/admin/", "/teach/")):
            sign_in(client, world.player)
            assert client.get(real_path(template, world)).status_code == 404, template


def test_another_users_attempts_and_tokens_are_not_found_on_any_route(client, app, world, clock):
    """Every route that names an attempt or a token, HTML and API, GET and POST: for someone
    else's, 404 (as for one that does not exist), and nothing changes."""
    with app.app_context():
        intruder = create_user(db.session, "intruder", PASSWORD, clock.now())
        _record, secret = tokens.create_token(db.session, intruder, "intruder's", clock.now())
        db.session.commit()
        intruder_id = intruder.id
    owned = {"attempt_id": world.finished_attempt, "token_id": world.own_token, "position": 0}
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})  # the token's first use is recorded
    checked = 0
    for rule in app.url_map.iter_rules():
        if not {"attempt_id", "token_id"} & set(rule.arguments):
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda match: str(owned[match.group(1)]), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            sign_in(client, intruder_id)
            before = snapshot(app)
            headers = {"Authorization": f"Bearer {secret}"} if path.startswith("/api/") else {}
            response = client.open(path, method=method, headers=headers, json={"position": 0, "answer": 0}
                                   if path.startswith("/api/") else None)
            assert response.status_code == 404, (method, path, response.status_code)
            assert snapshot(app) == before, (method, path)
            checked += 1
    assert checked >= 9  # attempt page, answer, feedback, result, practice, revoke; API state, answer, result
