"""teachers' classes: the teacher role, classes and members, assignments and overrides

Revision ID: 0012_classes
Revises: 0011_live_games

Existing users are neither teachers nor bound to a one-time password; existing attempts
belong to no assignment (NULLs and server defaults: nothing to backfill).  On SQLite the two
new foreign keys need a batch copy of ``user`` and ``attempt``.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_classes'
down_revision = '0011_live_games'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'school_class',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('join_code', sa.String(length=16), nullable=False),
        sa.Column('code_expires_dt', sa.DateTime(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('archived_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['teacher_id'], ['user.id'], name=op.f('fk_school_class_teacher_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_school_class')),
        sa.UniqueConstraint('join_code', name=op.f('uq_school_class_join_code')),
    )
    op.create_index(op.f('ix_school_class_teacher_id'), 'school_class', ['teacher_id'], unique=False)
    op.create_table(
        'class_member',
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('joined_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_class_member_class_id_school_class'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_member_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_member')),
    )
    op.create_index(op.f('ix_class_member_user_id'), 'class_member', ['user_id'], unique=False)
    op.create_table(
        'assignment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('quiz_id', sa.Integer(), nullable=False),
        sa.Column('open_dt', sa.DateTime(), nullable=False),
        sa.Column('close_dt', sa.DateTime(), nullable=False),
        sa.Column('attempts_allowed', sa.Integer(), nullable=False),
        sa.Column('counting', sa.String(length=8), nullable=False),
        sa.Column('time_limit_s', sa.Integer(), nullable=True),
        sa.Column('feedback', sa.String(length=16), nullable=False),
        sa.Column('answers_after', sa.String(length=8), nullable=False),
        sa.Column('ranking', sa.String(length=8), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_assignment_class_id_school_class'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_assignment_quiz_id_quiz')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    )
    op.create_index(op.f('ix_assignment_class_id'), 'assignment', ['class_id'], unique=False)
    op.create_table(
        'assignment_override',
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('time_limit_s', sa.Integer(), nullable=True),
        sa.Column('extra_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'],
                                name=op.f('fk_assignment_override_assignment_id_assignment'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assignment_override_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('assignment_id', 'user_id', name=op.f('pk_assignment_override')),
    )
    op.add_column('user', sa.Column('is_teacher', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('user', sa.Column('must_set_password', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a constraint only by copying the table (the batch keeps its indexes,
        # partial ones included: tests/test_migrations.py compares them with the models).
        with op.batch_alter_table('user') as batch_op:
            batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f('fk_user_created_by_id_user'), 'user', ['created_by_id'], ['id'],
                                        ondelete='SET NULL')
        with op.batch_alter_table('attempt') as batch_op:
            batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f('fk_attempt_assignment_id_assignment'), 'assignment',
                                        ['assignment_id'], ['id'], ondelete='CASCADE')
    else:
        op.add_column('user', sa.Column('created_by_id', sa.Integer(), nullable=True))
        op.add_column('attempt', sa.Column('assignment_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_user_created_by_id_user'), 'user', 'user', ['created_by_id'], ['id'],
                              ondelete='SET NULL')
        op.create_foreign_key(op.f('fk_attempt_assignment_id_assignment'), 'attempt', 'assignment',
                              ['assignment_id'], ['id'], ondelete='CASCADE')
    op.create_index('ix_attempt_assignment_user', 'attempt', ['assignment_id', 'user_id'], unique=False)


def downgrade():
    op.drop_index('ix_attempt_assignment_user', table_name='attempt')
    if op.get_bind().dialect.name == 'sqlite':  # a column with a constraint goes by a copy of its table
        with op.batch_alter_table('attempt') as batch_op:
            batch_op.drop_column('assignment_id')
        with op.batch_alter_table('user') as batch_op:
            batch_op.drop_column('created_by_id')
    else:
        op.drop_constraint(op.f('fk_attempt_assignment_id_assignment'), 'attempt', type_='foreignkey')
        op.drop_constraint(op.f('fk_user_created_by_id_user'), 'user', type_='foreignkey')
        op.drop_column('attempt', 'assignment_id')
        op.drop_column('user', 'created_by_id')
    op.drop_column('user', 'must_set_password')
    op.drop_column('user', 'is_teacher')
    op.drop_table('assignment_override')
    op.drop_index(op.f('ix_assignment_class_id'), table_name='assignment')
    op.drop_table('assignment')
    op.drop_index(op.f('ix_class_member_user_id'), table_name='class_member')
    op.drop_table('class_member')
    op.drop_index(op.f('ix_school_class_teacher_id'), table_name='school_class')
    op.drop_table('school_class')
