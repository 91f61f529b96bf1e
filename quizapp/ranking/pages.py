"""The two page-level reads: a board's page (the HTML board and the JSON one) and where
a finished attempt stands (the results page and the API's result).  Views parse their
arguments, make one of these calls and render or jsonify it, so the two front ends cannot
drift apart.  No Flask; nothing here writes."""
from __future__ import annotations

from dataclasses import dataclass
from sqlalchemy.orm import Session

from quizapp.models import Attempt
from quizapp.modes import is_on_boards
from quizapp.ranking.reads import Board, Standing, entry_of, participant_count, rank_of, standings, window_around
from quizapp.ranking.rule import Keys


@dataclass(frozen=True)
class ViewerRow:
    """The signed-in viewer's own row on the board."""

    standing: Standing  # with its rank
    page: int  # the page it is on
    on_page: bool  # whether it is on the page shown
    window: list[Standing]  # the rows around it, when it is not on the page shown (and asked for)

    @property
    def rank(self) -> int:
        return self.standing.rank


@dataclass(frozen=True)
class BoardPage:
    rows: list[Standing]
    total: int  # visible players on the board
    pages: int
    page: int
    viewer: ViewerRow | None


def page_count(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


def board_page(session: Session, board: Board, page: int, page_size: int, viewer_id: int | None, *,
               clamp_page: bool = False, window: bool = False) -> BoardPage:
    """A page of ``board``, with the viewer's row (None for a visitor or a hidden player,
    whom the caller passes as ``viewer_id=None``).

    ``clamp_page`` shows the last page for a number beyond it (the HTML board); otherwise a
    page beyond the last is empty (the API says so).  ``window`` adds the rows around the
    viewer when their row is not on the page."""
    total = participant_count(session, board)
    pages = page_count(total, page_size)
    if clamp_page:
        page = min(page, pages)
    rows = standings(session, board, limit=page_size, offset=(page - 1) * page_size)
    viewer = None
    if viewer_id is not None:
        entry = entry_of(session, board, viewer_id)
        if entry is not None:
            on_page = any(row.user_id == viewer_id for row in rows)
            around = window_around(session, board, entry.rank, entry=entry) if window and not on_page else []
            viewer = ViewerRow(entry, (entry.rank - 1) // page_size + 1, on_page, around)
    return BoardPage(rows, total, pages, page, viewer)


def attempt_rank(session: Session, attempt: Attempt) -> int:
    """Where one finished attempt stands against everyone else's best attempt on its board
    (all time), its player's own row left out."""
    board = Board(attempt.quiz_id, attempt.mode)
    keys = Keys(attempt.score, attempt.duration_ms or 0, attempt.finished_dt, attempt.id)
    return rank_of(session, board, keys, exclude_user=attempt.user_id)


@dataclass(frozen=True)
class AttemptStanding:
    rank: int
    participants: int
    is_best: bool  # this attempt is the player's row on the board


def attempt_standing(session: Session, attempt: Attempt) -> AttemptStanding | None:
    """Rank, participants and whether it is the player's best, for a finished attempt on
    the boards; None for one that is not (practice, held or voided by the pace check)."""
    if not is_on_boards(attempt):
        return None
    board = Board(attempt.quiz_id, attempt.mode)
    rank = attempt_rank(session, attempt)
    best = entry_of(session, board, attempt.user_id)
    return AttemptStanding(rank, max(participant_count(session, board), rank),
                           best is not None and best.attempt_id == attempt.id)


__all__ = ["AttemptStanding", "BoardPage", "ViewerRow", "attempt_rank", "attempt_standing", "board_page",
           "page_count"]
