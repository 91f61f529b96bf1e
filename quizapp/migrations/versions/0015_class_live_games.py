"""a live game may be played by one of its host's classes: live_game.class_id

Revision ID: 0015_class_live_games
Revises: 0014_boards

Nullable: every existing game, and every game hosted without choosing a class, belongs to
none (nothing to backfill).  A deleted class leaves its games, unbound (SET NULL).  On SQLite
the foreign key needs a batch copy of ``live_game`` (which keeps its indexes).
"""
from alembic import op
import sqlalchemy as sa

revision = '0015_class_live_games'
down_revision = '0014_boards'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('live_game') as batch_op:
            batch_op.add_column(sa.Column('class_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f('fk_live_game_class_id_school_class'), 'school_class',
                                        ['class_id'], ['id'], ondelete='SET NULL')
    else:
        op.add_column('live_game', sa.Column('class_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_live_game_class_id_school_class'), 'live_game', 'school_class',
                              ['class_id'], ['id'], ondelete='SET NULL')
    op.create_index(op.f('ix_live_game_class_id'), 'live_game', ['class_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_live_game_class_id'), table_name='live_game')
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('live_game') as batch_op:
            batch_op.drop_column('class_id')
    else:
        op.drop_constraint(op.f('fk_live_game_class_id_school_class'), 'live_game', type_='foreignkey')
        op.drop_column('live_game', 'class_id')
