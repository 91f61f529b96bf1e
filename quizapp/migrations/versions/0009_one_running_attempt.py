"""at most one running ranked attempt per player and quiz (a partial unique index)

Revision ID: 0009_one_running_attempt
Revises: 0008_username_key_privacy

Before this index, two starts at the same instant could each insert an attempt, so a live
database may already hold several running ranked attempts of one quiz for one player.  The
index cannot be built over them, so the upgrade first keeps the newest of each group (the
one the app resumes: ``attempts.find_active_attempt`` takes the highest id) and closes the
others as unranked: finished at their last answer, scored from their recorded answers, and
turned into practice.  Ranking them instead would put the extra draws, the very thing the
race gave, on the boards; deleting them would lose answers the review schedule has already
counted.  The tables are written out here rather than imported from the models, so this
migration does the same thing whatever the code says later.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_one_running_attempt'
down_revision = '0008_username_key_privacy'
branch_labels = None
depends_on = None

_attempt = sa.table(
    'attempt', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer), sa.column('quiz_id', sa.Integer),
    sa.column('mode', sa.String), sa.column('started_dt', sa.DateTime), sa.column('finished_dt', sa.DateTime),
    sa.column('duration_ms', sa.Integer), sa.column('score', sa.Integer), sa.column('correct_count', sa.Integer),
)
_answer = sa.table(
    'attempt_answer', sa.column('attempt_id', sa.Integer), sa.column('answered_dt', sa.DateTime),
    sa.column('points', sa.Integer), sa.column('is_correct', sa.Boolean), sa.column('timed_out', sa.Boolean),
)


def upgrade():
    bind = op.get_bind()
    a = _attempt.c
    running = bind.execute(
        sa.select(a.id, a.user_id, a.quiz_id, a.started_dt)
        .where(a.finished_dt.is_(None), a.mode != 'practice')
        .order_by(a.user_id, a.quiz_id, a.id.desc())
    ).all()
    kept = set()
    for attempt_id, user_id, quiz_id, started_dt in running:
        if (user_id, quiz_id) not in kept:
            kept.add((user_id, quiz_id))
            continue
        _close_unranked(bind, attempt_id, started_dt)
    op.create_index('uq_attempt_running_ranked', 'attempt', ['user_id', 'quiz_id'], unique=True,
                    sqlite_where=sa.text("finished_dt IS NULL AND mode != 'practice'"),
                    postgresql_where=sa.text("finished_dt IS NULL AND mode != 'practice'"))


def _close_unranked(bind, attempt_id, started_dt):
    r = _answer.c
    score, correct, last = bind.execute(
        sa.select(sa.func.coalesce(sa.func.sum(r.points), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((r.is_correct.is_(True), 1), else_=0)), 0),
                  sa.func.max(r.answered_dt))
        .where(r.attempt_id == attempt_id, r.answered_dt.is_not(None), r.timed_out.is_(False))
    ).one()
    finished = last or started_dt
    bind.execute(sa.update(_answer).where(r.attempt_id == attempt_id, r.answered_dt.is_(None))
                 .values(timed_out=True))
    bind.execute(sa.update(_attempt).where(_attempt.c.id == attempt_id).values(
        mode='practice', finished_dt=finished, score=int(score), correct_count=int(correct),
        duration_ms=max(0, int((finished - started_dt).total_seconds() * 1000))))


def downgrade():
    # The attempts closed on the way up stay closed: they were never on a board.
    op.drop_index('uq_attempt_running_ranked', table_name='attempt')
