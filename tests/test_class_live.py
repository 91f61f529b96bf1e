"""Live games played by a class, in its teacher's reports (issue 18): the class chosen on the
live settings page (only the teacher's own; nobody else sees the field), the class's games,
the per-game report against figures worked out by hand, the student's report, the exports.
Isolation of the new routes is in test_classes.py's walk of every teacher route."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from quizapp import class_live, classes
from quizapp.live import games, rules
from quizapp.models import QuestionRevision, SchoolClass, User
from quizapp.models.live import LiveGame

from helpers import quiz
from test_classes import _client, _each_request_loads_its_user, _user, sign_in  # noqa: F401 (a fixture)


def _choice(session, game, right: bool):
    revision = session.get(QuestionRevision, game.plan[game.position])
    order = games.tile_order(game, game.position, revision)
    tiles = games.right_tiles(revision, order)
    return tiles if right else [next(i for i in range(len(order)) if i not in tiles)]


@pytest.fixture
def played(app, session, clock, bank):
    """Class 8A (alice, bolat, dana) plays all-types' 3 tile questions, accuracy only, untimed:
    1000 points a right answer.  alice: right, right, right; bolat: right, wrong, right; the
    guest "Sunflower": right, wrong, wrong; "outsider" (signed in, not in 8A): all wrong; dana
    does not play.  By hand: places 1 alice 3000, 2 bolat 2000, 3 Sunflower 1000, 4 outsider 0;
    accuracy alice 3/3, bolat 2/3; the class average (1 + 2/3) / 2 = 83 %."""
    teacher = _user(session, clock, "ms-aigul", True)
    school_class = classes.create_class(session, teacher, "8A", clock.now())
    names = {}
    for name in ("alice", "bolat", "dana"):
        names[name] = _user(session, clock, name)
        classes.join(session, names[name], school_class.join_code, clock.now())
    outsider = _user(session, clock, "outsider")
    game = games.create_game(session, teacher, quiz(session), rules.Settings(seconds=None, scoring="accuracy"),
                             clock, class_id=school_class.id)
    alone = games.create_game(session, teacher, quiz(session), rules.Settings(), clock)  # no class
    players = [games.join(session, game.code, "", names["alice"], clock)[0],
               games.join(session, game.code, "", names["bolat"], clock)[0],
               games.join(session, game.code, "Sunflower", None, clock)[0],
               games.join(session, game.code, "", outsider, clock)[0]]
    pattern = [(True, True, True), (True, False, True), (True, False, False), (False, False, False)]
    clock.advance(60)
    games.start(session, game, clock)
    for position in range(3):
        clock.advance(5)
        for player, answers in zip(players, pattern):
            games.answer(session, game, player, position, _choice(session, game, answers[position]), clock)
        games.advance(session, game, clock)  # close
        games.advance(session, game, clock)  # next, or the podium
    assert game.state == "podium"
    session.commit()
    return dict(teacher=teacher.id, school_class=school_class.id, game=game.id, alone=alone.id,
                alice=names["alice"].id, bolat=names["bolat"].id, dana=names["dana"].id)


def test_the_game_report_against_figures_worked_out_by_hand(app, session, played):
    school_class = session.get(SchoolClass, played["school_class"])
    listed = class_live.games_of_class(session, school_class)
    assert [(s.game.id, s.players) for s in listed] == [(played["game"], 4)]  # not the game without a class
    report = class_live.game_report(session, school_class, session.get(LiveGame, played["game"]))
    assert [(r.name, r.right, r.questions, r.points, r.place) for r in report.students] == [
        ("alice", 3, 3, 3000, 1), ("bolat", 2, 3, 2000, 2)]
    assert [(r.name, r.user_id is None, r.right, r.points, r.place) for r in report.others] == [
        ("Sunflower", True, 1, 1000, 3), ("outsider", False, 0, 0, 4)]
    assert report.students[1].accuracy == pytest.approx(2 / 3)
    assert report.average_accuracy == pytest.approx(5 / 6)
    dana = session.get(User, played["dana"])
    assert class_live.student_games(session, school_class, dana) == []
    bolat = session.get(User, played["bolat"])
    [row] = class_live.student_games(session, school_class, bolat)
    assert (row.game.id, row.row.right, row.row.points, row.row.place, row.players) == (played["game"], 2, 2000, 2, 4)


def test_the_pages_and_the_exports_show_the_same_figures(app, played):
    client = _client(app)
    sign_in(client, played["teacher"])
    c, g = played["school_class"], played["game"]
    page = client.get(f"/teach/classes/{c}").get_data(as_text=True)
    assert f'data-game="{g}"' in page and f'data-game="{played["alone"]}"' not in page
    assert f"/teach/classes/{c}/live/{g}" in page
    report = client.get(f"/teach/classes/{c}/live/{g}").get_data(as_text=True)
    assert 'id="class-average">83%' in report
    students, others = report.split("Guests and players outside the class", 1)
    assert 'data-player="alice"' in students and 'data-player="bolat"' in students
    assert 'data-player="Sunflower"' in others and 'data-player="outsider"' in others
    assert "Sunflower" not in students and 'data-player="dana"' not in report  # dana did not play
    assert "67%" in students and "2 / 3" in students and "2000" in students
    student = client.get(f"/teach/classes/{c}/students/{played['bolat']}").get_data(as_text=True)
    assert f'data-game="{g}"' in student and "67%" in student and "2 / 4" in student
    assert f'data-game="{g}"' not in client.get(f"/teach/classes/{c}/students/{played['dana']}").get_data(as_text=True)

    body = client.get(f"/teach/classes/{c}/live/{g}/report.csv")
    # An ASCII name for old browsers, the class and quiz for the rest.
    assert body.headers["Content-Disposition"] == (f'attachment; filename="live-game-{g}.csv"; '
                                                   "filename*=UTF-8''8A%20%E2%80%93%20Every%20type.csv")
    rows = list(csv.reader(io.StringIO(body.get_data().decode("utf-8-sig"))))
    assert rows == [["Player", "In the class", "Right answers", "Questions", "Accuracy", "Points", "Place"],
                    ["alice", "yes", "3", "3", "1.0", "3000", "1"], ["bolat", "yes", "2", "3", "0.6667", "2000", "2"],
                    ["Sunflower", "no", "1", "3", "0.3333", "1000", "3"], ["outsider", "no", "0", "3", "0.0", "0", "4"]]
    book = load_workbook(io.BytesIO(client.get(f"/teach/classes/{c}/live/{g}/report.xlsx").get_data()))
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[2] == ("bolat", "yes", 2, 3, 0.6667, 2000, 2) and len(sheet) == 5
    assert book.active["E3"].number_format == "0%"  # 0.6667 shows as 67 %, as on the page
    # A game the class did not play is not found through it.
    assert client.get(f"/teach/classes/{c}/live/{played['alone']}").status_code == 404
    assert client.get(f"/teach/classes/{c}/live/99999999999").status_code == 404


def test_a_teacher_chooses_only_their_own_open_class_and_a_player_sees_no_such_field(app, session, clock, bank):
    teacher, other = _user(session, clock, "ms-aigul", True), _user(session, clock, "mr-other", True)
    player = _user(session, clock, "player")
    mine = classes.create_class(session, teacher, "8A", clock.now())
    old = classes.create_class(session, teacher, "7Z", clock.now())
    classes.archive(old, clock.now())
    theirs = classes.create_class(session, other, "9B", clock.now())
    session.commit()
    ids = dict(mine=mine.id, old=old.id, theirs=theirs.id, teacher=teacher.id, player=player.id)
    client = _client(app)
    sign_in(client, ids["teacher"])
    page = client.get("/live/new/all-types").get_data(as_text=True)
    select_ = page.split('name="school_class"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'value="(\d*)"', select_) == ["", str(ids["mine"])]  # "No class", then 8A
    count = lambda: session.scalar(select(func.count()).select_from(LiveGame))  # noqa: E731
    for refused in (ids["theirs"], ids["old"], "x", "99999999999"):
        answer = client.post("/live/new/all-types", data={"school_class": refused, "max_players": "30"})
        assert answer.status_code == 400, refused
        session.rollback()
        assert count() == 0
    assert client.post("/live/new/all-types", data={"max_players": "30"}).status_code == 303
    assert client.post("/live/new/all-types", data={"school_class": ids["mine"], "max_players": "30"}).status_code == 303
    session.rollback()
    assert sorted(g.class_id or 0 for g in session.scalars(select(LiveGame))) == [0, ids["mine"]]
    # A player who is not a teacher: no field, and a class id sent anyway is ignored.
    sign_in(client, ids["player"])
    assert 'name="school_class"' not in client.get("/live/new/all-types").get_data(as_text=True)
    assert client.post("/live/new/all-types", data={"school_class": ids["mine"], "max_players": "30"}).status_code == 303
    session.rollback()
    assert session.scalars(select(LiveGame).where(LiveGame.host_id == ids["player"])).one().class_id is None
