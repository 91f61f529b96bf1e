"""a covering index of attempt_answer for item analysis (attempt, revision, credit)

Revision ID: 0013_item_stats
Revises: 0012_classes
"""
from alembic import op

revision = '0013_item_stats'
down_revision = '0012_classes'
branch_labels = None
depends_on = None


def upgrade():
    # item_analysis sums every counted answer twice (per attempt, then per revision and group):
    # with this index both passes read the index alone, never the rows (issue 18's benchmark).
    op.create_index('ix_attempt_answer_item_stats', 'attempt_answer', ['attempt_id', 'revision_id', 'credit'],
                    unique=False)


def downgrade():
    op.drop_index('ix_attempt_answer_item_stats', table_name='attempt_answer')
