"""The ceiling every figure is compared with: a bare Flask "hello" under the same gunicorn."""
from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "hello"

    return app
