"""JSON Schema fragments, shared by the OpenAPI document (api/openapi.py) and the question
types, which describe what they show (``QuestionType.public_schema``).  Plain data: no Flask."""
from __future__ import annotations

from typing import Any

from quizapp.bank.checks import LANGUAGES


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": False, **extra}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
LABELS = {"type": "array", "items": STRING}  # labels in display order
LOCALIZED = {"type": "object", "additionalProperties": STRING,
             "description": f"The text in every language, by language code ({', '.join(LANGUAGES)})."}
