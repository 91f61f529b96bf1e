"""The migrations go all the way down and back up on the test database (SQLite or
PostgreSQL), and what they build is exactly what the models describe."""
from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from quizapp.extensions import db
from quizapp.models import Base


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_downgrade_to_nothing_and_upgrade_again(app):
    with app.app_context():
        expected = {table.name for table in Base.metadata.sorted_tables}
        assert tables(db.engine) == expected
        flask_migrate.downgrade(revision="base")
        assert tables(db.engine) == set()
        flask_migrate.upgrade(revision="0001_initial")
        flask_migrate.upgrade(revision="head")
        assert tables(db.engine) == expected
        db.engine.dispose()


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        differences = compare_metadata(context, Base.metadata)
        assert differences == []
