"""initial schema

Revision ID: 0001_initial
Revises: 
Create Date: 2026-11-25 13:46:06.911954

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('is_retired', sa.Boolean(), nullable=False),
    sa.Column('current_revision_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('key', name=op.f('uq_question_key'))
    )
    op.create_table('quiz',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('time_limit_s', sa.Integer(), nullable=True),
    sa.Column('question_time_limit_s', sa.Integer(), nullable=True),
    sa.Column('draw_count', sa.Integer(), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_options', sa.Boolean(), nullable=False),
    sa.Column('feedback', sa.String(length=16), nullable=False),
    sa.Column('scoring', sa.String(length=16), nullable=False),
    sa.Column('points_per_question', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('is_retired', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz')),
    sa.UniqueConstraint('key', name=op.f('uq_quiz_key'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_hidden', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('started_dt', sa.DateTime(), nullable=False),
    sa.Column('deadline_dt', sa.DateTime(), nullable=True),
    sa.Column('finished_dt', sa.DateTime(), nullable=True),
    sa.Column('current_position', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_attempt_quiz_id_quiz')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_attempt_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt'))
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_user_quiz', ['user_id', 'quiz_id', 'finished_dt'], unique=False)

    op.create_table('question_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_revision_question_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_revision')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_revision_question_id'))
    )
    # question <-> question_revision refer to each other; the second link is added once both exist.
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_question_current_revision_id_question_revision'),
                                    'question_revision', ['current_revision_id'], ['id'])

    op.create_table('quiz_question',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_quiz_question_question_id_question')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_quiz_question_quiz_id_quiz'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_id', 'question_id', name=op.f('pk_quiz_question'))
    )
    op.create_table('attempt_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('served_dt', sa.DateTime(), nullable=True),
    sa.Column('answered_dt', sa.DateTime(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.Column('credit', sa.Double(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('timed_out', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_attempt_answer_attempt_id_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revision_id'], ['question_revision.id'], name=op.f('fk_attempt_answer_revision_id_question_revision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answer')),
    sa.UniqueConstraint('attempt_id', 'position', name=op.f('uq_attempt_answer_attempt_id'))
    )
    op.create_table('leaderboard_entry',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('finished_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], name=op.f('fk_leaderboard_entry_attempt_id_attempt')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_leaderboard_entry_quiz_id_quiz')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_leaderboard_entry_user_id_user')),
    sa.PrimaryKeyConstraint('quiz_id', 'user_id', name=op.f('pk_leaderboard_entry')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_leaderboard_entry_attempt_id'))
    )
    with op.batch_alter_table('leaderboard_entry', schema=None) as batch_op:
        batch_op.create_index('ix_leaderboard_entry_rank', ['quiz_id', sa.literal_column('score DESC'), 'duration_ms', 'finished_dt', 'attempt_id'], unique=False)



def downgrade():
    with op.batch_alter_table('leaderboard_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_leaderboard_entry_rank')

    op.drop_table('leaderboard_entry')
    op.drop_table('attempt_answer')
    op.drop_table('quiz_question')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_question_current_revision_id_question_revision'), type_='foreignkey')
    op.drop_table('question_revision')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_user_quiz')

    op.drop_table('attempt')
    op.drop_table('user')
    op.drop_table('quiz')
    op.drop_table('question')
