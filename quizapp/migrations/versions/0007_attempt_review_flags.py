"""attempts answered faster than a person can: flagged, kept off the boards until reviewed

Revision ID: 0007_attempt_review_flags
Revises: 0006_user_session_version

Existing attempts keep ``review_status`` NULL: they were ranked under the rules of their
time and stay on the boards as they are (nothing to backfill but NULLs).  Only attempts
finished from now on are checked against the human floor (``quizapp.pace``).
"""
from alembic import op
import sqlalchemy as sa

revision = '0007_attempt_review_flags'
down_revision = '0006_user_session_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('pace_report', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_dt', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_attempt_reviewed_by_id_user'), 'user', ['reviewed_by_id'], ['id'])
    op.create_index('ix_attempt_flagged', 'attempt', ['id'], unique=False,
                    sqlite_where=sa.text("review_status = 'flagged'"),
                    postgresql_where=sa.text("review_status = 'flagged'"))


def downgrade():
    op.drop_index('ix_attempt_flagged', table_name='attempt')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_reviewed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('reviewed_by_id')
        batch_op.drop_column('reviewed_dt')
        batch_op.drop_column('pace_report')
        batch_op.drop_column('review_status')
