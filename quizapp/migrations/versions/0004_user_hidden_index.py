"""a partial index of the hidden players, for leaderboard counts

Revision ID: 0004_user_hidden_index
Revises: 0003_review_cards
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_user_hidden_index'
down_revision = '0003_review_cards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_user_hidden', 'user', ['id'], unique=False,
                    sqlite_where=sa.text('is_hidden IS 1'), postgresql_where=sa.text('is_hidden IS true'))


def downgrade():
    op.drop_index('ix_user_hidden', table_name='user')
