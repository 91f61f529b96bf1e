"""user.username_key and username_skeleton (one account per name, no look-alikes), and
user.shares_profile (profiles private unless the player shares them)

Revision ID: 0008_username_key_privacy
Revises: 0007_attempt_review_flags

The keys are computed by ``quizapp.names``, the code the app looks names up with: a key the
app would not compute is a user who cannot log in.  If those rules change, a later migration
recomputes the keys.

Existing names that now collide (``Пётр`` and ``пётр`` on SQLite, whose ``lower()`` folds
ASCII only; or ``carol`` and the look-alike ``саrol``): the first registered (lowest id) keeps
its name, and each later one is renamed ``player-<id>``, a plain name that can pass for no
one.  Nothing else of theirs changes (password, attempts, boards).  Each rename is written to
the migration's log, so an admin can tell those players their new login name.  Names that
break the new rules but collide with nothing (a mixed-script name alone, say) are kept.
"""
import logging

import sqlalchemy as sa
from alembic import op

from quizapp.names import name_key, name_skeleton

revision = '0008_username_key_privacy'
down_revision = '0007_attempt_review_flags'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

users = sa.table('user', sa.column('id', sa.Integer), sa.column('username', sa.String),
                 sa.column('username_key', sa.String), sa.column('username_skeleton', sa.String))


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('username_key', sa.String(length=120), nullable=True))
        batch.add_column(sa.Column('username_skeleton', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('shares_profile', sa.Boolean(), server_default=sa.false(), nullable=False))

    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id)).all()
    keys = {name_key(username) for _, username in rows}
    skeletons = {name_skeleton(username) for _, username in rows}
    taken_keys: set[str] = set()
    taken_skeletons: set[str] = set()
    values = []
    for user_id, username in rows:
        key, skeleton = name_key(username), name_skeleton(username)
        if key in taken_keys or skeleton in taken_skeletons:
            new_name = _free_name(user_id, keys | taken_keys, skeletons | taken_skeletons)
            log.warning("user %d %r collides with an earlier name once case and look-alikes are folded: "
                        "renamed %r", user_id, username, new_name)
            username, key, skeleton = new_name, name_key(new_name), name_skeleton(new_name)
        taken_keys.add(key)
        taken_skeletons.add(skeleton)
        values.append({"user_id": user_id, "new_username": username, "key": key, "skeleton": skeleton})
    if values:  # one executemany: a seeded database has 100,000 players
        connection.execute(sa.update(users).where(users.c.id == sa.bindparam("user_id"))
                           .values(username=sa.bindparam("new_username"), username_key=sa.bindparam("key"),
                                   username_skeleton=sa.bindparam("skeleton")), values)

    with op.batch_alter_table('user') as batch:
        batch.alter_column('username_key', existing_type=sa.String(length=120), nullable=False)
        batch.alter_column('username_skeleton', existing_type=sa.String(length=255), nullable=False)
        batch.create_unique_constraint(batch.f('uq_user_username_key'), ['username_key'])
        batch.create_unique_constraint(batch.f('uq_user_username_skeleton'), ['username_skeleton'])


def _free_name(user_id: int, keys: set[str], skeletons: set[str]) -> str:
    candidate, extra = f"player-{user_id}", 0
    while name_key(candidate) in keys or name_skeleton(candidate) in skeletons:
        extra += 1
        candidate = f"player-{user_id}-{extra}"
    return candidate


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_constraint(batch.f('uq_user_username_skeleton'), type_='unique')
        batch.drop_constraint(batch.f('uq_user_username_key'), type_='unique')
        batch.drop_column('shares_profile')
        batch.drop_column('username_skeleton')
        batch.drop_column('username_key')
