"""review cards, rank at finish

Revision ID: 0003_review_cards
Revises: 0002_boards_tokens
Create Date: 2026-11-25 13:58:02.673429

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_review_cards'
down_revision = '0002_boards_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_card',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Double(), nullable=True),
    sa.Column('difficulty', sa.Double(), nullable=True),
    sa.Column('due_dt', sa.DateTime(), nullable=False),
    sa.Column('last_review_dt', sa.DateTime(), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('is_leech', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_review_card_question_id_question')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_review_card_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'question_id', name=op.f('pk_review_card'))
    )
    with op.batch_alter_table('review_card', schema=None) as batch_op:
        batch_op.create_index('ix_review_card_due', ['user_id', 'due_dt'], unique=False)

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank_at_finish', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('rank_at_finish')

    with op.batch_alter_table('review_card', schema=None) as batch_op:
        batch_op.drop_index('ix_review_card_due')

    op.drop_table('review_card')
