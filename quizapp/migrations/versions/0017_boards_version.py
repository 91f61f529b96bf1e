"""boards_version: the number every server keys its rendered leaderboard pages by

Revision ID: 0017_boards_version
Revises: 0016_item_totals

One row, raised just before the commit of any write to what a board shows
(quizapp/ranking/version.py).  Its generation is drawn here, at random: a database made again
starts a series no running server has seen.
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0017_boards_version'
down_revision = '0016_item_totals'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'boards_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.String(length=32), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_boards_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'generation': secrets.token_hex(16), 'version': 0}])


def downgrade():
    op.drop_table('boards_version')
