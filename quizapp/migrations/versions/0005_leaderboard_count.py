"""leaderboard_count: rows per bucket of the ranking order, so a rank is a sum over buckets

Revision ID: 0005_leaderboard_count
Revises: 0004_user_hidden_index

The table is derived data: filled here from the two leaderboard tables, as
``quizapp.leaderboard_rebuild`` fills it.  The bucket sizes are written out (not imported
from ``quizapp.ranking``) so this migration builds the same thing whatever the code says
later; if they ever change, a new migration (or ``leaderboard rebuild``) refills the table.
"""
from alembic import op
import sqlalchemy as sa

revision = '0005_leaderboard_count'
down_revision = '0004_user_hidden_index'
branch_labels = None
depends_on = None



def upgrade():
    op.create_table(
        'leaderboard_count',
        sa.Column('quiz_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('board', sa.String(length=16), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('period_start', sa.DateTime(), nullable=False),
        sa.Column('level', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('score_from', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('duration_from_ms', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('quiz_id', 'board', 'period', 'period_start', 'level', 'score_from',
                                'duration_from_ms', name=op.f('pk_leaderboard_count'), postgresql_include=['n']),
        sqlite_with_rowid=False,
    )
    # Backfill: every board's rows counted per bucket, the per-quiz boards and the overall one
    # (quiz 0).  Written out in full, the band sizes as literals (64 = ranking.SCORE_BAND and
    # 4096 = ranking.TIME_BAND_MS when this was written): a migration is a fixed text.
    for statement in _BACKFILL:
        op.execute(statement)


_BACKFILL = (
    "INSERT INTO leaderboard_count (quiz_id, board, period, period_start, level, score_from, duration_from_ms, n) "
    "SELECT quiz_id, board, period, period_start, 0, score / 64 * 64, 0, COUNT(*) FROM "
    "(SELECT quiz_id, board, period, period_start, score, duration_ms FROM leaderboard_entry "
    "UNION ALL SELECT 0, board, period, period_start, score, duration_ms FROM overall_entry) AS entries "
    "GROUP BY quiz_id, board, period, period_start, score / 64 * 64",
    "INSERT INTO leaderboard_count (quiz_id, board, period, period_start, level, score_from, duration_from_ms, n) "
    "SELECT quiz_id, board, period, period_start, 1, score, 0, COUNT(*) FROM "
    "(SELECT quiz_id, board, period, period_start, score, duration_ms FROM leaderboard_entry "
    "UNION ALL SELECT 0, board, period, period_start, score, duration_ms FROM overall_entry) AS entries "
    "GROUP BY quiz_id, board, period, period_start, score",
    "INSERT INTO leaderboard_count (quiz_id, board, period, period_start, level, score_from, duration_from_ms, n) "
    "SELECT quiz_id, board, period, period_start, 2, score, duration_ms / 4096 * 4096, COUNT(*) FROM "
    "(SELECT quiz_id, board, period, period_start, score, duration_ms FROM leaderboard_entry "
    "UNION ALL SELECT 0, board, period, period_start, score, duration_ms FROM overall_entry) AS entries "
    "GROUP BY quiz_id, board, period, period_start, score, duration_ms / 4096 * 4096",
)


def downgrade():
    op.drop_table('leaderboard_count')
