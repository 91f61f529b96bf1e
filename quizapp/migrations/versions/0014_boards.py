"""the overall board sums each quiz's share of its maximum (thousandths), not raw points

Revision ID: 0014_boards
Revises: 0013_item_stats

No schema change: ``overall_entry.score`` keeps its type and meaning "the total the overall
board ranks by", but that total is now the sum over the player's quizzes of
``best score × 1000 ÷ the attempt's max_score`` (rounded down; 0 for a quiz without points),
so a speed-scored quiz of 2500 points no longer outweighs one of 1000 (``ranking.rule``,
docs/scoring.md).  The upgrade recomputes every overall row from the per-quiz rows, and the
overall board's bucket counts (``leaderboard_count`` quiz 0) from those; the downgrade puts the
raw sums back.  Written out in SQL, the band sizes as literals (64 = ranking.SCORE_BAND and
4096 = ranking.TIME_BAND_MS when this was written): a migration is a fixed text, whatever the
code says later.  ``flask leaderboard rebuild --check`` agrees with the result.
"""
from alembic import op

revision = '0014_boards'
down_revision = '0013_item_stats'
branch_labels = None
depends_on = None

_SHARE = "CASE WHEN a.max_score > 0 THEN e.score * 1000 / a.max_score ELSE 0 END"
_RAW = "e.score"


def _overall_scores(per_quiz: str) -> str:
    # ``per_quiz`` is one of the two constant expressions above, never input.
    return (
        "UPDATE overall_entry SET score = COALESCE(("  # nosec B608
        f"SELECT SUM({per_quiz}) FROM leaderboard_entry e JOIN attempt a ON a.id = e.attempt_id "
        "WHERE e.user_id = overall_entry.user_id AND e.board = overall_entry.board "
        "AND e.period = overall_entry.period AND e.period_start = overall_entry.period_start), 0)"
    )


_OVERALL_COUNTS = (
    "DELETE FROM leaderboard_count WHERE quiz_id = 0",
    "INSERT INTO leaderboard_count (quiz_id, board, period, period_start, level, score_from, duration_from_ms, n) "
    "SELECT 0, board, period, period_start, 0, band, 0, COUNT(*) FROM "
    "(SELECT board, period, period_start, score / 64 * 64 AS band FROM overall_entry) AS rows "
    "GROUP BY board, period, period_start, band",
    "INSERT INTO leaderboard_count (quiz_id, board, period, period_start, level, score_from, duration_from_ms, n) "
    "SELECT 0, board, period, period_start, 1, score, 0, COUNT(*) FROM overall_entry "
    "GROUP BY board, period, period_start, score",
    "INSERT INTO leaderboard_count (quiz_id, board, period, period_start, level, score_from, duration_from_ms, n) "
    "SELECT 0, board, period, period_start, 2, score, time_band, COUNT(*) FROM "
    "(SELECT board, period, period_start, score, duration_ms / 4096 * 4096 AS time_band FROM overall_entry) AS rows "
    "GROUP BY board, period, period_start, score, time_band",
)


def upgrade():
    op.execute(_overall_scores(_SHARE))
    for statement in _OVERALL_COUNTS:
        op.execute(statement)


def downgrade():
    op.execute(_overall_scores(_RAW))
    for statement in _OVERALL_COUNTS:
        op.execute(statement)
