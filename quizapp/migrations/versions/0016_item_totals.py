"""attempt.credit_mean: each finished attempt's total score for item analysis, kept as it finishes

Revision ID: 0016_item_totals
Revises: 0015_class_live_games

Item analysis ranked the attempts by the mean credit of their answers, computed by a grouped
pass over every answer on each run; finish_attempt now keeps it with the score (issue 18).  The
upgrade fills it for every finished attempt that has answer rows, with the same avg() the
query took, so the figures do not move.  Nullable: a running attempt has none yet.  A plain
ADD/DROP COLUMN (no constraint, no index), which SQLite (3.35+) does in place.
"""
from alembic import op
import sqlalchemy as sa

revision = '0016_item_totals'
down_revision = '0015_class_live_games'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('attempt', sa.Column('credit_mean', sa.Double(), nullable=True))
    op.execute("""
        UPDATE attempt SET credit_mean = (
            SELECT avg(attempt_answer.credit) FROM attempt_answer WHERE attempt_answer.attempt_id = attempt.id)
        WHERE attempt.finished_dt IS NOT NULL
          AND EXISTS (SELECT 1 FROM attempt_answer WHERE attempt_answer.attempt_id = attempt.id)
    """)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.dialect.dbapi.sqlite_version_info < (3, 35):
        # No ALTER TABLE ... DROP COLUMN before SQLite 3.35: copy the table instead.
        with op.batch_alter_table('attempt') as batch_op:
            batch_op.drop_column('credit_mean')
    else:
        op.drop_column('attempt', 'credit_mean')
