"""The authors' item analysis page, /admin/items: admins only, the figures and flags shown."""
from __future__ import annotations

import re

from quizapp.extensions import db
from quizapp.users import create_user

from helpers import login
from item_helpers import seed_worked_example

EN = {"Accept-Language": "en"}


def test_only_admins_see_it(app, client, bank, clock):
    assert client.get("/admin/items").status_code == 404
    with app.app_context():
        create_user(db.session, "player", "correct horse", clock.now())
        db.session.commit()
    login(client, "player")
    assert client.get("/admin/items").status_code == 404


def test_figures_and_flags(app, client, bank, clock):
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        seed_worked_example(db.session, clock.now())
        db.session.commit()
    login(client, "boss")
    html = client.get("/admin/items", headers=EN).get_data(as_text=True)
    assert "5 question revisions have answers; 2 are flagged." in html
    year = re.search(r"<code>t-year</code>.*?</tr>", html, re.S).group(0)
    assert "0.10" in year and "-0.33" in year and "too hard" in year and "negative discrimination" in year
    assert re.search(r"<code>t-single</code>.*?0\.60.*?0\.67.*?—</td>", html, re.S)
    flagged = client.get("/admin/items?flagged=1", headers=EN).get_data(as_text=True)
    assert "t-year" in flagged and "t-text" in flagged and "t-single" not in flagged
    russian = client.get("/admin/items", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Анализ вопросов" in russian and "0,45" in russian and "слишком лёгкий" in russian


def test_empty_bank_says_so(app, client, bank, clock):
    with app.app_context():
        create_user(db.session, "boss", "correct horse", clock.now(), is_admin=True)
        db.session.commit()
    login(client, "boss")
    html = client.get("/admin/items", headers=EN).get_data(as_text=True)
    assert "0 question revisions have answers" in html and "<table" not in html
