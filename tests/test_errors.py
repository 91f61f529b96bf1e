"""One error path (quizapp/errors.py): under /api/ every error is JSON, elsewhere a page."""
from __future__ import annotations

from helpers import make_app


def test_a_failure_inside_a_view_is_json_in_the_api_and_a_page_elsewhere(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance", PROPAGATE_EXCEPTIONS=False)

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/api/v1/test-only/broken", "api_broken", broken)
    app.add_url_rule("/test-only/broken", "page_broken", broken)
    client = app.test_client()

    api = client.get("/api/v1/test-only/broken")
    assert api.status_code == 500 and api.is_json
    assert api.get_json()["error"]["code"] == "server_error"
    assert api.headers["Cache-Control"] == "no-store"

    page = client.get("/test-only/broken", headers={"Accept-Language": "en"})
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "Something went wrong on the site." in page.get_data(as_text=True)


def test_an_unknown_api_address_is_json_and_an_unknown_page_is_a_page(app, client):
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
    page = client.get("/no-such-thing", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "There is nothing here." in page.get_data(as_text=True)
