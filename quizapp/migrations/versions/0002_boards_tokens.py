"""time accommodation, boards and periods, api tokens

Revision ID: 0002_boards_tokens
Revises: 0001_initial
Create Date: 2026-11-25 13:51:58.045035

"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa


EPOCH = datetime(1970, 1, 1)

# revision identifiers, used by Alembic.
revision = '0002_boards_tokens'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('last_used_dt', sa.DateTime(), nullable=True),
    sa.Column('revoked_dt', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_token_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('overall_entry',
    sa.Column('board', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('finished_dt', sa.DateTime(), nullable=False),
    sa.Column('quiz_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_overall_entry_user_id_user')),
    sa.PrimaryKeyConstraint('board', 'period', 'period_start', 'user_id', name=op.f('pk_overall_entry'))
    )
    with op.batch_alter_table('overall_entry', schema=None) as batch_op:
        batch_op.create_index('ix_overall_entry_rank', ['board', 'period', 'period_start', sa.literal_column('score DESC'), 'duration_ms', 'finished_dt', 'user_id'], unique=False)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=16), server_default='standard', nullable=False))
        batch_op.add_column(sa.Column('time_factor', sa.Double(), server_default='1.0', nullable=False))

    # The leaderboard gains boards and periods in its primary key.  Its rows are derived
    # data: keep them in memory, rebuild the table, and put them back as all-time standard rows.
    _replace_leaderboard_table(_new_leaderboard_table, lambda row: {
        **row, "board": "standard", "period": "all", "period_start": EPOCH})

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_accommodation', sa.String(length=16), server_default='standard', nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('time_accommodation')

    _replace_leaderboard_table(_old_leaderboard_table, lambda row: (
        {k: row[k] for k in ("quiz_id", "user_id", "attempt_id", "score", "duration_ms", "finished_dt")}
        if (row["board"], row["period"]) == ("standard", "all") else None))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('time_factor')
        batch_op.drop_column('mode')

    with op.batch_alter_table('overall_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_overall_entry_rank')

    op.drop_table('overall_entry')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')


def _old_leaderboard_table(metadata):
    table = sa.Table(
        'leaderboard_entry', metadata,
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('finished_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name='fk_leaderboard_entry_attempt_id_attempt'),
        sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name='fk_leaderboard_entry_quiz_id_quiz'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_leaderboard_entry_user_id_user'),
        sa.PrimaryKeyConstraint('quiz_id', 'user_id', name='pk_leaderboard_entry'),
        sa.UniqueConstraint('attempt_id', name='uq_leaderboard_entry_attempt_id'),
    )
    sa.Index('ix_leaderboard_entry_rank', table.c.quiz_id, table.c.score.desc(), table.c.duration_ms,
             table.c.finished_dt, table.c.attempt_id)
    return table


def _new_leaderboard_table(metadata):
    table = sa.Table(
        'leaderboard_entry', metadata,
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('board', sa.String(length=16), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('period_start', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('finished_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name='fk_leaderboard_entry_attempt_id_attempt'),
        sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name='fk_leaderboard_entry_quiz_id_quiz'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name='fk_leaderboard_entry_user_id_user'),
        sa.PrimaryKeyConstraint('quiz_id', 'board', 'period', 'period_start', 'user_id', name='pk_leaderboard_entry'),
    )
    sa.Index('ix_leaderboard_entry_rank', table.c.quiz_id, table.c.board, table.c.period, table.c.period_start,
             table.c.score.desc(), table.c.duration_ms, table.c.finished_dt, table.c.attempt_id)
    sa.Index('ix_leaderboard_entry_attempt', table.c.attempt_id)
    sa.Index('ix_leaderboard_entry_user', table.c.user_id, table.c.board, table.c.period, table.c.period_start)
    return table


def _replace_leaderboard_table(make_table, convert):
    connection = op.get_bind()
    current = sa.Table('leaderboard_entry', sa.MetaData(), autoload_with=connection)
    rows = [dict(row._mapping) for row in connection.execute(sa.select(current))]
    current.drop(connection)
    metadata = sa.MetaData()
    metadata.reflect(connection, only=['attempt', 'quiz', 'user'])  # the tables its foreign keys name
    table = make_table(metadata)
    table.create(connection)
    converted = [new for new in map(convert, rows) if new is not None]
    if converted:
        connection.execute(table.insert(), converted)
