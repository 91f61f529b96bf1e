"""user.session_version: logging out or changing the password ends every session

Revision ID: 0006_user_session_version
Revises: 0005_leaderboard_count

Every existing user starts at version 0 (the server default fills the rows).  A session
cookie from before this revision holds a bare user id, which the loader reads as version 0:
it keeps working until that user next logs out or changes the password.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_user_session_version'
down_revision = '0005_leaderboard_count'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
