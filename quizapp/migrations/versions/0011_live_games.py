"""live games: live_game, live_player, live_answer (issue 17, docs/live.md)

Revision ID: 0011_live_games
Revises: 0010_learn

New tables only; nothing to backfill.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011_live_games'
down_revision = '0010_learn'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'live_game',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=6), nullable=False),
        sa.Column('host_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('plan', sa.JSON(), nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Integer(), nullable=True),
        sa.Column('scoring', sa.String(length=16), nullable=False),
        sa.Column('streak_bonus', sa.Boolean(), nullable=False),
        sa.Column('multipliers', sa.JSON(), nullable=False),
        sa.Column('show_question', sa.Boolean(), nullable=False),
        sa.Column('auto_advance_s', sa.Integer(), nullable=True),
        sa.Column('max_players', sa.Integer(), nullable=False),
        sa.Column('locked', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('question_started_dt', sa.DateTime(), nullable=True),
        sa.Column('deadline_dt', sa.DateTime(), nullable=True),
        sa.Column('revealed_dt', sa.DateTime(), nullable=True),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('started_dt', sa.DateTime(), nullable=True),
        sa.Column('finished_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['host_id'], ['user.id'], name=op.f('fk_live_game_host_id_user')),
        sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_live_game_quiz_id_quiz')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_game')),
    )
    op.create_index('ix_live_game_host', 'live_game', ['host_id', 'created_dt'])
    op.create_index('uq_live_game_open_code', 'live_game', ['code'], unique=True,
                    sqlite_where=sa.text('finished_dt IS NULL'), postgresql_where=sa.text('finished_dt IS NULL'))
    op.create_table(
        'live_player',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('game_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('nickname', sa.String(length=40), nullable=False),
        sa.Column('nickname_key', sa.String(length=120), nullable=False),
        sa.Column('nickname_skeleton', sa.String(length=255), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('rejoin_code', sa.String(length=8), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('removed', sa.Boolean(), nullable=False),
        sa.Column('joined_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['game_id'], ['live_game.id'], name=op.f('fk_live_player_game_id_live_game'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_live_player_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_player')),
        sa.UniqueConstraint('game_id', 'nickname_key', name=op.f('uq_live_player_game_id')),
        sa.UniqueConstraint('game_id', 'nickname_skeleton', name=op.f('uq_live_player_skeleton')),
        sa.UniqueConstraint('rejoin_code', name=op.f('uq_live_player_rejoin_code')),
    )
    op.create_index('ix_live_player_user', 'live_player', ['user_id'])
    op.create_table(
        'live_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('game_id', sa.Integer(), nullable=False),
        sa.Column('player_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('response', sa.JSON(), nullable=True),
        sa.Column('choice', sa.JSON(), nullable=False),
        sa.Column('credit', sa.Double(), nullable=False),
        sa.Column('is_correct', sa.Boolean(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('served_dt', sa.DateTime(), nullable=False),
        sa.Column('answered_dt', sa.DateTime(), nullable=False),
        sa.Column('elapsed_ms', sa.Integer(), nullable=False),
        sa.Column('streak', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['game_id'], ['live_game.id'], name=op.f('fk_live_answer_game_id_live_game'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['player_id'], ['live_player.id'], name=op.f('fk_live_answer_player_id_live_player'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['revision_id'], ['question_revision.id'],
                                name=op.f('fk_live_answer_revision_id_question_revision')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answer')),
        sa.UniqueConstraint('player_id', 'position', name=op.f('uq_live_answer_player_id')),
    )
    op.create_index('ix_live_answer_game', 'live_answer', ['game_id', 'position'])


def downgrade():
    op.drop_table('live_answer')
    op.drop_table('live_player')
    op.drop_table('live_game')
