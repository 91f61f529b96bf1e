"""study runs say what they are for (attempt.purpose)

Revision ID: 0010_learn
Revises: 0009_one_running_attempt

A review session, "practise my mistakes" and "practise this" are practice attempts filed
under a quiz; ``purpose`` ("review", "mistakes", "single") lets them be titled for what they
are and tell right or wrong after every answer.  Quiz attempts keep NULL.  Study runs made
before this column are left NULL: which of them was a review cannot be told afterwards, and
they are unranked practice either way.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_learn'
down_revision = '0009_one_running_attempt'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt') as batch:
        batch.add_column(sa.Column('purpose', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('attempt') as batch:
        batch.drop_column('purpose')
