"""The leaderboards: one ranking rule, the boards' reads, and their only writer.

    rule.py      the rule (score, then time, then finish, then id) for Python and SQL, and
                 what the overall board sums (each quiz's share of its maximum)
    buckets.py   the bucket counts ranks are summed from, for Python and SQL
    reads.py     Board, Standing, standings, entry_of, rank_of, participant_count, window_around
    pages.py     board_page (HTML and JSON boards), attempt_standing (results page and API)
    version.py   the boards' version: raised before the commit of any write to a board, read by
                 the board page, which is kept per version
    maintain.py  record_finish / keep_best: the only writer of the three board tables
    rebuild.py   the same tables recomputed from the attempts (``leaderboard rebuild``)
    cli.py       that command (Flask; imported only by ``create_app``)

What may import what: rule and buckets import only ``models``/``modes``; reads imports them;
pages imports reads; maintain imports pages (the rank at finish); rebuild imports rule and
buckets.  Nothing here imports ``attempts``, ``practice`` or ``learning`` (they import this).
This package's namespace offers the reads; import the writers from their modules.
"""
from __future__ import annotations

from quizapp.ranking.buckets import OVERALL_QUIZ_ID, SCORE_BAND, TIME_BAND_MS, count_bucket_columns, count_buckets
from quizapp.ranking.pages import (AttemptStanding, BoardPage, ViewerRow, attempt_rank, attempt_standing, board_page,
                                   page_count)
from quizapp.ranking.reads import (Board, BoardKind, Standing, board_where, entry_of, keys_of, participant_count,
                                   rank_of, standings, window_around)
from quizapp.ranking.rule import SHARE_SCALE, Keys, assign_ranks, quiz_share, rank_key, ranking_order

__all__ = ["AttemptStanding", "Board", "BoardKind", "BoardPage", "Keys", "OVERALL_QUIZ_ID", "SCORE_BAND",
           "SHARE_SCALE", "Standing", "TIME_BAND_MS", "ViewerRow", "assign_ranks", "attempt_rank", "attempt_standing", "board_page",
           "board_where", "count_bucket_columns", "count_buckets", "entry_of", "keys_of", "page_count",
           "participant_count", "quiz_share", "rank_key", "rank_of", "ranking_order", "standings", "window_around"]
