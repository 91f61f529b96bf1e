"""Configuration layers and the generated secret key."""
from __future__ import annotations

import stat

from quizapp import create_app


def test_a_secret_key_is_generated_into_the_instance_once(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZAPP_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app(instance_path=str(instance))
    key_file = instance / "secret_key"
    assert key_file.exists() and len(first.config["SECRET_KEY"]) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app(instance_path=str(instance))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    other = create_app(instance_path=str(tmp_path / "elsewhere"))
    assert other.config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_defaults_then_instance_config_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("ANSWER_GRACE_SECONDS = 5\nLEADERBOARD_PAGE_SIZE = 20\n")
    monkeypatch.setenv("QUIZAPP_LEADERBOARD_PAGE_SIZE", "30")
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", "postgresql://someone@db.internal/quiz")
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", "from-the-environment")
    app = create_app(instance_path=str(instance))
    assert app.config["ANSWER_GRACE_SECONDS"] == 5
    assert app.config["LEADERBOARD_PAGE_SIZE"] == 30
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.internal/quiz"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance / "secret_key").exists()


def test_the_default_database_is_sqlite_in_the_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZAPP_DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/quizapp.sqlite"


def test_sqlite_is_opened_in_wal_mode_with_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZAPP_DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    from quizapp.extensions import db
    with app.app_context():
        with db.engine.connect() as connection:
            pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                       for name in ("journal_mode", "foreign_keys", "busy_timeout")}
        db.engine.dispose()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
