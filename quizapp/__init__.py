"""quizapp: quizzes and spaced repetition about China–Kazakhstan relations.

Start reading here: ``create_app`` wires configuration, extensions, what every request
shares (``security``, ``context``, ``caching``, ``i18n``, ``auth/login``, ``layout``,
``errors``: one module each, each with its ``init_app``), the blueprints (one per
user-facing area) and the CLI.  Domain logic lives in plain modules that do not
import Flask: ``bank/`` (YAML -> revisions), ``question_types`` (the registry),
``attempts`` (timing and grading), ``practice`` (untimed runs), ``learning`` (the review
schedule), ``ranking/`` (the leaderboard rule, reads and writes), ``modes``, ``clock``.
"""
from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                instance_path=instance_path or os.environ.get("QUIZAPP_INSTANCE_PATH") or None)
    os.makedirs(app.instance_path, exist_ok=True)

    from quizapp.config import load_config
    load_config(app, test_config)

    from quizapp.extensions import csrf, db, limiter, migrate
    from quizapp.ranking import version
    db.init_app(app)
    with app.app_context():
        version.watch(db.engine)  # every commit that changes a board raises the boards' version
    migrate.init_app(app, db, render_as_batch=True, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    # What every request shares, one module each (each says what it does in its docstring).
    from quizapp import caching, context, errors, i18n, layout, security
    from quizapp.auth import login
    security.init_app(app)  # proxies, security headers, HTML-safe JSON
    context.init_app(app)   # the clock; read-only requests end with COMMIT
    caching.init_app(app)   # the rendered header, leaderboard tables, answer forms
    i18n.init_app(app)      # the language of a request and its translations
    login.init_app(app)     # whose session a cookie is
    layout.init_app(app)    # the header, globals and filters of every template
    errors.init_app(app)    # every error, as a page or as JSON under /api/
    from quizapp import live_socket
    live_socket.init_app(app)  # live games over Socket.IO (docs/live.md)

    from quizapp.account.views import bp as account_bp
    from quizapp.admin.views import bp as admin_bp
    from quizapp.api.views import bp as api_bp
    from quizapp.auth.views import bp as auth_bp
    from quizapp.leaderboard.views import bp as leaderboard_bp
    from quizapp.live_pages.views import bp as live_bp
    from quizapp.main.views import bp as main_bp
    from quizapp.play.views import bp as play_bp
    from quizapp.profiles.views import bp as profiles_bp
    from quizapp.study.views import bp as study_bp
    from quizapp.teach.views import bp as teach_bp
    from quizapp.classroom.views import bp as classroom_bp
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(play_bp)
    app.register_blueprint(leaderboard_bp)
    app.register_blueprint(profiles_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(teach_bp)
    app.register_blueprint(classroom_bp)  # also: a one-time password is changed before anything else
    app.register_blueprint(live_bp)
    app.register_blueprint(api_bp)  # exempts itself from the global CSRF check; see api/auth.py
    _refuse_incomplete_question_types(app)

    from quizapp.bank.cli import bank_cli
    from quizapp.cli import attempts_cli, users_cli
    app.cli.add_command(bank_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(attempts_cli)
    from quizapp.admin.cli import bench_cli
    from quizapp.ranking.cli import leaderboard_cli
    app.cli.add_command(leaderboard_cli)
    app.cli.add_command(bench_cli)
    return app


def _refuse_incomplete_question_types(app: Flask) -> None:
    """Fail at start-up, not in the middle of a quiz, when a question type lacks a part
    (its template, its schema, one of its methods): see question_types/base.py."""
    from jinja2 import TemplateNotFound

    from quizapp.question_types import incomplete_types

    def template_exists(name: str) -> bool:
        try:
            app.jinja_env.loader.get_source(app.jinja_env, name)  # type: ignore[union-attr]
        except TemplateNotFound:
            return False
        return True

    gaps = incomplete_types(template_exists)
    if gaps:
        raise RuntimeError("incomplete question types:\n" + "\n".join(gaps))
