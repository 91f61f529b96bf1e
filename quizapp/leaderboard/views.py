"""Leaderboards: per quiz and overall; all time, this week, today; standard and extended time."""
from __future__ import annotations

from functools import partial
from typing import Any, Sequence

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select

from quizapp.caching import caches
from quizapp.extensions import db
from quizapp.models import Quiz
from quizapp.periods import PERIODS, period_start
from quizapp.context import current_clock, rules
from quizapp.i18n import current_locale, current_zone
from quizapp.layout import cached_page, render_fragment
from quizapp.modes import RANKED_MODES
from quizapp.question_types import localized
from quizapp.ranking import Board, Standing, board_page, version

bp = Blueprint("leaderboard", __name__, url_prefix="/leaderboard")


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name, allowed[0])
    return value if value in allowed else allowed[0]


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 and int(raw) > 0 else 1


def _table(quiz: Any, rows: Sequence[Standing], caption: str, *, linkable: frozenset[int]) -> Markup:
    # A rendered table is kept, keyed by exactly what it shows (the contract at the top of
    # leaderboard/_table.html).  A table of 50 rows is most of a leaderboard page's cost (each
    # date formatted for the reader's language), and everyone looking at a board sees the same
    # rows.  The key holds the rows themselves, fetched fresh for every request, so a cached
    # table can never be stale: when any row changes, the key changes.  Whose row is marked
    # "you", and which names link to a profile, are part of what is shown, so part of the key.
    viewer = current_user.id if current_user.is_authenticated else None
    own = viewer if viewer is not None and any(row.user_id == viewer for row in rows) else None
    linked = linkable & {row.user_id for row in rows}
    key = (current_locale(), str(current_zone()), quiz.id if quiz else None, caption, own, linked, tuple(rows))
    return caches(current_app).leaderboard_tables.get_or_make(key, lambda: render_fragment(
        "leaderboard/_table.html", quiz=quiz, table_rows=rows, caption=caption, current_user=current_user,
        linked=linked))


def _profiles_to_link(rows: Sequence[Standing]) -> frozenset[int]:
    """The players on these rows whose profile the viewer may see (users.may_see_profile):
    none for a visitor, one's own, and those who share theirs (every one, for an admin).
    Hidden players are on no board, so their case does not arise here."""
    if not current_user.is_authenticated or not rows:
        return frozenset()
    ids = {row.user_id for row in rows}
    if current_user.is_admin:
        return frozenset(ids)
    # Read with the rows themselves (Standing.shares_profile), not by a statement of its own;
    # together with the quiz read as a plain row (below), the signed-in leaderboard page went
    # from 0.27-0.29x to 0.32-0.35x of the signed-in floor (CPU per request 1.30-1.46 ms ->
    # 1.21-1.34 ms, -15% in the medians; in-process, the bench's data, 3 interleaved triples of
    # runs, 2026-12-05 18:05 UTC).  Each alone gained 5-8%: below what a trick needs, so they
    # are one change.  Earlier the profile links were a statement built once (+30%, 0.16x -> 0.21x).
    return frozenset({row.user_id for row in rows if row.shares_profile} | ({current_user.id} & ids))


# The quiz as a plain row of what the board shows of it (id, key, title), on the session's
# connection, not an ORM object: part of the -15% measured in _profiles_to_link.
_QUIZ_BY_KEY = select(Quiz.id, Quiz.key, Quiz.title).where(Quiz.key == bindparam("key"))


def _render(quiz: Any):
    period, board_name = _choice("period", PERIODS), _choice("board", RANKED_MODES)
    board = Board(quiz.id if quiz else None, board_name, period,
                  period_start(period, current_clock().now(), rules().zone))
    requested_page = _page_number()
    viewer_id = current_user.id if current_user.is_authenticated and not current_user.is_hidden else None

    def page_context() -> dict[str, Any]:
        shown = board_page(db.session, board, requested_page, current_app.config["LEADERBOARD_PAGE_SIZE"], viewer_id,
                           clamp_page=True, window=True)
        mine = shown.viewer
        linkable = _profiles_to_link([*shown.rows, *(mine.window if mine else [])])
        return dict(quiz=quiz, rows=shown.rows, page=shown.page, pages=shown.pages, total=shown.total, mine=mine,
                    period=period, board=board_name, periods=PERIODS, boards=RANKED_MODES,
                    table=partial(_table, linkable=linkable))

    # The whole page is kept (layout.cached_page) per version of the boards (ranking.version),
    # read before anything on the board: every committed change to what a board shows, on any
    # server, is a new version, so a kept page is never older than the last commit.  The page's
    # other inputs are in the key (the contract at the top of leaderboard/board.html); the
    # board itself is read only when the page is made.  The signed-in board page went from
    # 0.33-0.36x to 0.55-0.58x of the signed-in floor's CPU per request on SQLite (1.68-1.90 ms
    # -> 1.02-1.11 ms) and from 0.39-0.41x to 0.58-0.59x on PostgreSQL (1.93-2.21 -> 1.32-1.57
    # ms): in-process, the bench's 1,000,000 attempts, 3 interleaved pairs of runs of 3 x 300
    # requests, 2026-12-05 20:20 UTC (docs/performance.md).  Watching every statement costs the
    # other pages 1-2%.  Before it, the page was kept per everything read (+30%).
    stamp = version.stamp(db.session.connection())
    if stamp is None:  # this transaction has written to the boards: what it reads is not everyone's yet
        return render_template("leaderboard/board.html", **page_context())
    key = (stamp, str(current_zone()), quiz.id if quiz else None, quiz.key if quiz else None,
           localized(quiz.title, current_locale()) if quiz else None, board, requested_page, viewer_id)
    return cached_page("leaderboard/board.html", key, page_context)


@bp.get("/")
def overall():
    return _render(None)


@bp.get("/<key>")
def quiz_board(key: str):
    quiz = db.session.connection().execute(_QUIZ_BY_KEY, {"key": key}).one_or_none()
    if quiz is None:
        abort(404)
    return _render(quiz)
