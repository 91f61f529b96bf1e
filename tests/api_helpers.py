"""The JSON API's test client, which checks every answer against the OpenAPI document, and
what the API tests share (test_api, test_fuzz_api, test_pace)."""
from __future__ import annotations

import re
import urllib.parse
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from quizapp import tokens
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.users import create_user

from helpers import TEST_BANK


PREFIX = "/api/v1"

DOC_URI = "urn:quizapp:openapi"

QUESTIONS = {key: {"id": key, **item.data} for key, item in load_bank([TEST_BANK]).questions.items()}

BANK = {"questions": list(QUESTIONS.values())}


class OpenApi:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(DOC_URI, resource)
        self.templates = [(template, re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"))
                          for template in document["paths"]]
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            ref = DOC_URI + "#" + urllib.parse.quote(pointer, safe="/~")
            self._validators[pointer] = Draft202012Validator(
                {"$ref": ref}, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[pointer]

    @staticmethod
    def escape(part: str) -> str:
        return part.replace("~", "~0").replace("/", "~1")

    def schema_pointer(self, method: str, path: str, status: int) -> str:
        """Where the document says a response to this request has its schema."""
        relative = path[len(PREFIX):] if path.startswith(PREFIX) else path
        template = next((t for t, pattern in self.templates if pattern.match(relative)), None)
        operation = self.document["paths"][template].get(method.lower()) if template else None
        if operation is None:  # no such path or method: the error shape
            assert status in (404, 405), f"{method} {path} is not documented but answered {status}"
            return "/components/schemas/Error"
        responses = operation["responses"]
        key = str(status) if str(status) in responses else "default"
        assert key != "default" or status >= 500, f"{method} {template}: status {status} is not documented"
        pointer = f"/paths/{self.escape(template)}/{method.lower()}/responses/{key}"
        response = responses[key]
        if "$ref" in response:
            pointer = response["$ref"][1:]
        return pointer + "/content/application~1json/schema"

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        errors = sorted(self.validator(self.schema_pointer(method, path, status)).iter_errors(body), key=str)
        assert not errors, f"{method} {path} -> {status} does not match its schema: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


class ApiClient:
    """The test client, speaking JSON, checking every answer against the document."""

    def __init__(self, client, token: str | None = None, openapi: OpenApi | None = None, lang: str = "en") -> None:
        self.client = client
        self.token = token
        self.lang = lang
        self.openapi = openapi or OpenApi(client.get(PREFIX + "/openapi.json").get_json())

    def call(self, method: str, path: str, *, json_body: Any = None, data: Any = None,
             headers: dict[str, str] | None = None, lang: str | None = None, **kwargs):
        all_headers = {"Accept-Language": lang or self.lang}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        if json_body is not None:
            kwargs["json"] = json_body
        if data is not None:
            kwargs["data"] = data
        response = self.client.open(PREFIX + path, method=method, headers=all_headers, **kwargs)
        assert response.status_code != 500, response.get_data(as_text=True)
        assert response.mimetype == "application/json", (response.status_code, response.get_data(as_text=True)[:300])
        body = response.get_json()
        self.openapi.check(method, PREFIX + path, response.status_code, body)
        if response.status_code >= 400:
            assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
        return response, body

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs):
        return self.call("POST", path, json_body=json_body, **kwargs)

    def answer(self, attempt_id: int, position: int, answer: Any, **kwargs):
        return self.post(f"/attempts/{attempt_id}/answers", {"position": position, "answer": answer}, **kwargs)


def make_user(app, name: str, accommodation: str = "standard") -> tuple[int, str]:
    with app.app_context():
        clock = app.extensions["quizapp.clock"]
        user = create_user(db.session, name, "correct horse", clock.now())
        user.time_accommodation = accommodation
        _record, token = tokens.create_token(db.session, user, "tests", clock.now())
        db.session.commit()
        return user.id, token


def right_answer(shown: dict[str, Any]) -> Any:
    """What a client that knows the answer sends, worked out from what the API showed (English)."""
    source = QUESTIONS[{q["text"]["en"]: q["id"] for q in BANK["questions"]}[shown["text"]]]
    kind = source["type"]
    if kind == "single":
        return shown["options"].index(source["options"][source["answer"]]["en"])
    if kind == "multiple":
        return [shown["options"].index(source["options"][key]["en"]) for key in source["answers"]]
    if kind == "true_false":
        return source["answer"]
    if kind == "numeric":
        return source["answer"]
    if kind == "year":
        return source["answer"]
    if kind == "text":
        return source["answer"]["en"]
    if kind == "ordering":
        right = [label["en"] for label in source["items"].values()]
        return [right.index(label) + 1 for label in shown["items"]]
    if kind == "matching":
        return [shown["right"].index(pair["right"]["en"]) for pair in source["pairs"]]
    raise AssertionError(kind)
