"""docs/bank.schema.json: the JSON Schema authors' editors check the bank with.

It must accept what the loader accepts and refuse what it refuses, so these tests
check it three ways: the shipped bank validates, its lists of types, keys and enums are
the loader's own, and a set of small documents gets the same verdict from both.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from quizapp.bank import checks, loader
from quizapp.question_types import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "docs" / "bank.schema.json"
QUESTIONS = ROOT / "questions"
SHIPPED = sorted(QUESTIONS.glob("*.yaml"))
SCHEMA_LINE = "# yaml-language-server: $schema=../docs/bank.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def read_as_loader(path: Path) -> Any:
    """The file's data exactly as the loader sees it (dates stay text, "yes" stays a word)."""
    bank = loader.Bank()
    parsed = loader._parse_file(path, path.name, bank)
    assert parsed is not None and bank.ok, [str(p) for p in bank.problems]
    return parsed[0]


def errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    assert ref.startswith("#/$defs/"), ref
    return resolve(schema, schema["$defs"][ref.removeprefix("#/$defs/")])


# --- (a) the shipped bank -------------------------------------------------------------

def test_the_bank_has_files():
    assert len(SHIPPED) >= 6


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_validates_against_the_schema(validator, path):
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    assert errors(validator, read_as_loader(path)) == []


# --- (b) the schema is the code's -------------------------------------------------------

def type_branches(schema) -> dict[str, dict[str, Any]]:
    """type name -> the closed schema its `if type == name then ...` branch applies."""
    question = schema["$defs"]["question"]
    branches = {}
    for rule in question["allOf"]:
        name = rule["if"]["properties"]["type"]["const"]
        assert rule["if"]["required"] == ["type"]
        assert name not in branches, f"two branches for {name}"
        branches[name] = resolve(schema, rule["then"])
    return branches


def test_question_types_are_the_registry(schema):
    question = schema["$defs"]["question"]
    assert set(question["properties"]["type"]["enum"]) == set(REGISTRY)
    assert set(type_branches(schema)) == set(REGISTRY)
    assert {name.removeprefix("question-") for name in schema["$defs"] if name.startswith("question-")} == set(REGISTRY)


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_each_type_has_exactly_its_keys(schema, type_name):
    qtype = REGISTRY[type_name]
    branch = type_branches(schema)[type_name]
    assert branch["type"] == "object" and branch["additionalProperties"] is False
    assert branch["properties"]["type"] == {"const": type_name}
    assert set(branch["properties"]) == {*loader.COMMON_REQUIRED, *loader.COMMON_OPTIONAL,
                                         *qtype.required_keys, *qtype.optional_keys}
    assert set(branch["required"]) == {*loader.COMMON_REQUIRED, *qtype.required_keys}
    assert len(branch["required"]) == len(set(branch["required"]))


def test_common_question_keys(schema):
    question = schema["$defs"]["question"]
    assert set(question["properties"]) == {*loader.COMMON_REQUIRED, *loader.COMMON_OPTIONAL}
    assert set(question["required"]) == set(loader.COMMON_REQUIRED)


def test_enums_and_patterns_are_the_loaders(schema):
    defs = schema["$defs"]
    assert defs["tag"]["enum"] == list(loader.TAGS)
    assert defs["id"]["pattern"] == loader.ID_PATTERN.pattern
    assert defs["event"]["properties"]["date"]["pattern"] == loader.DATE_PATTERN.pattern
    paragraph = defs["source"]["properties"]["paragraph"]
    assert (paragraph["minimum"], paragraph["maximum"]) == (loader.PARAGRAPHS.start, loader.PARAGRAPHS.stop - 1)
    assert (defs["difficulty"]["minimum"], defs["difficulty"]["maximum"]) == (1, 3)
    assert set(defs["localized"]["properties"]) == set(checks.LANGUAGES)
    assert set(defs["localized"]["required"]) == set(checks.REQUIRED_LANGUAGES)
    assert set(schema["properties"]) == {"questions", "quizzes"}


def test_quiz_keys_and_enums_are_the_loaders(schema):
    quiz = schema["$defs"]["quiz"]
    assert set(quiz["properties"]) == {*loader.QUIZ_REQUIRED, *loader.QUIZ_OPTIONAL}
    assert set(quiz["required"]) == set(loader.QUIZ_REQUIRED)
    assert quiz["properties"]["feedback"]["enum"] == list(loader.FEEDBACK_MODES)
    assert quiz["properties"]["scoring"]["enum"] == list(loader.SCORING_MODES)
    assert set(quiz["properties"]["from"]["properties"]) == {"tags", "ids"}
    assert resolve(schema, quiz["properties"]["from"]["properties"]["tags"]["items"])["enum"] == list(loader.TAGS)


def test_every_object_is_closed(schema):
    """additionalProperties: false everywhere, except the open part of a question that
    its type's branch closes."""
    open_objects = []

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False and where != "$defs/question":
                open_objects.append(where)
            for key, value in node.items():
                if key != "if":  # a condition, not a shape
                    walk(value, f"{where}/{key}" if where else key)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema, "")
    assert open_objects == []


# --- (c) the same verdict as the loader -------------------------------------------------

QUESTION = {
    "id": "sample-question",
    "type": "single",
    "text": {"ru": "Вопрос?", "en": "Question?", "kk": "Сұрақ?", "zh": "问题？"},
    "options": {"a": {"ru": "Один", "en": "One", "kk": "Бір", "zh": "一"}, "b": {"ru": "Два", "en": "Two", "kk": "Екі", "zh": "二"}},
    "answer": "a",
    "explanation": {"ru": "Так.", "en": "So.", "kk": "Солай.", "zh": "如此。"},
    "source": {"paragraph": 4},
    "tags": ["visits"],
    "difficulty": 1,
}
QUIZ = {"id": "sample-quiz", "title": {"ru": "Викторина", "en": "Quiz", "kk": "Викторина", "zh": "测验"}}

TYPED = {
    "multiple": {"options": {"a": {"ru": "А", "en": "A", "kk": "А", "zh": "甲"}, "b": {"ru": "Б", "en": "B", "kk": "Б", "zh": "乙"}, "c": {"ru": "В", "en": "C", "kk": "В", "zh": "丙"}},
                 "answers": ["a", "b"]},
    "true_false": {"answer": False},
    "numeric": {"answer": 43.8, "tolerance": 0.1, "unit": {"ru": "%", "en": "%", "kk": "%", "zh": "%"}},
    "year": {"answer": 1992, "tolerance": 1},
    "ordering": {"items": {"a": {"ru": "А", "en": "A", "kk": "А", "zh": "甲"}, "b": {"ru": "Б", "en": "B", "kk": "Б", "zh": "乙"}, "c": {"ru": "В", "en": "C", "kk": "В", "zh": "丙"}}},
    "matching": {"pairs": [{"left": {"ru": f"Л{i}", "en": f"L{i}", "kk": f"С{i}", "zh": f"左{i}"}, "right": {"ru": f"П{i}", "en": f"R{i}", "kk": f"О{i}", "zh": f"右{i}"}}
                           for i in range(3)]},
    "text": {"answer": {"ru": "Алматы", "en": "Almaty", "kk": "Алматы", "zh": "阿拉木图"}, "accept": ["Алма-Ата"]},
}


def question(**changes) -> dict[str, Any]:
    data = copy.deepcopy(QUESTION)
    if "type" in changes and changes["type"] in TYPED:
        del data["options"], data["answer"]
        data.update(copy.deepcopy(TYPED[changes["type"]]))
    for key, value in changes.items():
        if value is DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def quiz(**changes) -> dict[str, Any]:
    data = {**copy.deepcopy(QUIZ), **changes}
    return {key: value for key, value in data.items() if value is not DROP}


DROP = object()

# (name, document, loader and schema should accept it)
CASES = [
    ("minimal single", {"questions": [question()]}, True),
    *((f"every type: {name}", {"questions": [question(type=name)]}, True) for name in TYPED),
    ("event with a full date", {"questions": [question(event={"date": "2025-06-15", "title": {"ru": "С", "en": "E", "kk": "О", "zh": "事"}})]}, True),
    ("event with a year", {"questions": [question(event={"date": "2025", "title": {"ru": "С", "en": "E", "kk": "О", "zh": "事"}})]}, True),
    ("quiz with every option", {"questions": [question()], "quizzes": [quiz(
        description={"ru": "О", "en": "A", "kk": "С", "zh": "述"}, time_limit=300, question_time_limit=30, draw=1, shuffle=False,
        shuffle_options=True, feedback="immediate", scoring="speed", points=50,
        **{"from": {"tags": ["visits"], "ids": ["sample-question"]}})]}, True),
    ("quiz with null limits", {"questions": [question()], "quizzes": [quiz(time_limit=None, draw=None)]}, True),
    ("empty sections", {"questions": None, "quizzes": None}, True),
    ("unknown top-level key", {"questions": [question()], "quizes": []}, False),
    ("questions not a list", {"questions": {"a": 1}}, False),
    ("unknown key", {"questions": [question(colour="red")]}, False),
    ("key of another type", {"questions": [question(tolerance=1)]}, False),
    ("unknown type", {"questions": [question(type="essay")]}, False),
    ("missing difficulty", {"questions": [question(difficulty=DROP)]}, False),
    ("missing options", {"questions": [question(options=DROP)]}, False),
    ("missing translation", {"questions": [question(text={"ru": "Вопрос?"})]}, False),
    ("missing kazakh", {"questions": [question(text={"ru": "Вопрос?", "en": "Q?", "zh": "问题？"})]}, False),
    ("missing chinese", {"questions": [question(text={"ru": "Вопрос?", "en": "Q?", "kk": "Сұрақ?"})]}, False),
    ("quiz title missing chinese", {"questions": [question()], "quizzes": [quiz(
        title={"ru": "Викторина", "en": "Quiz", "kk": "Викторина"})]}, False),
    ("kazakh and chinese", {"questions": [question(text={"ru": "Вопрос?", "en": "Q?", "kk": "Сұрақ?", "zh": "问题？"})]}, True),
    ("unknown language", {"questions": [question(text={"ru": "Вопрос?", "en": "Q?", "kk": "Сұрақ?", "zh": "问题？", "de": "Frage?"})]}, False),
    ("blank kazakh", {"questions": [question(text={"ru": "Вопрос?", "en": "Q?", "kk": " ", "zh": "问题？"})]}, False),
    ("blank translation", {"questions": [question(text={"ru": "  ", "en": "Q?", "kk": "Сұрақ?", "zh": "问题？"})]}, False),
    ("translation not text", {"questions": [question(explanation={"ru": 5, "en": "So.", "kk": "Солай.", "zh": "如此。"})]}, False),
    ("text not localized", {"questions": [question(text="Вопрос?")]}, False),
    ("bad id", {"questions": [question(id="Bad_Id")]}, False),
    ("id too long", {"questions": [question(id="a" * 65)]}, False),
    ("unknown tag", {"questions": [question(tags=["sport"])]}, False),
    ("no tags", {"questions": [question(tags=[])]}, False),
    ("repeated tag", {"questions": [question(tags=["visits", "visits"])]}, False),
    ("paragraph 0", {"questions": [question(source={"paragraph": 0})]}, False),
    ("paragraph 15", {"questions": [question(source={"paragraph": 15})]}, False),
    ("paragraph as text", {"questions": [question(source={"paragraph": "4"})]}, False),
    ("source with a page", {"questions": [question(source={"paragraph": 4, "page": 1})]}, False),
    ("difficulty 4", {"questions": [question(difficulty=4)]}, False),
    ("difficulty as text", {"questions": [question(difficulty="easy")]}, False),
    ("difficulty as boolean", {"questions": [question(difficulty=True)]}, False),
    ("bad month", {"questions": [question(event={"date": "2025-13", "title": {"ru": "С", "en": "E", "kk": "О", "zh": "事"}})]}, False),
    ("date as number", {"questions": [question(event={"date": 2025, "title": {"ru": "С", "en": "E", "kk": "О", "zh": "事"}})]}, False),
    ("event without title", {"questions": [question(event={"date": "2025"})]}, False),
    ("one option", {"questions": [question(options={"a": {"ru": "Один", "en": "One", "kk": "Бір", "zh": "一"}})]}, False),
    ("multiple with two options", {"questions": [question(type="multiple", options={
        "a": {"ru": "А", "en": "A", "kk": "А", "zh": "甲"}, "b": {"ru": "Б", "en": "B", "kk": "Б", "zh": "乙"}}, answers=["a"])]}, False),
    ("multiple with no answers", {"questions": [question(type="multiple", answers=[])]}, False),
    ("true_false as a word", {"questions": [question(type="true_false", answer="yes")]}, False),
    ("numeric as text", {"questions": [question(type="numeric", answer="43,8")]}, False),
    ("negative tolerance", {"questions": [question(type="numeric", tolerance=-0.1)]}, False),
    ("year as a float", {"questions": [question(type="year", answer=1992.5)]}, False),
    ("year 0", {"questions": [question(type="year", answer=0)]}, False),
    ("year with a fractional tolerance", {"questions": [question(type="year", tolerance=0.5)]}, False),
    ("two items", {"questions": [question(type="ordering", items={
        "a": {"ru": "А", "en": "A", "kk": "А", "zh": "甲"}, "b": {"ru": "Б", "en": "B", "kk": "Б", "zh": "乙"}})]}, False),
    ("two pairs", {"questions": [question(type="matching", pairs=TYPED["matching"]["pairs"][:2])]}, False),
    ("pair without right", {"questions": [question(type="matching", pairs=[
        *TYPED["matching"]["pairs"][:2], {"left": {"ru": "Л", "en": "L", "kk": "С", "zh": "左"}}])]}, False),
    ("text answer not localized", {"questions": [question(type="text", answer="Алматы")]}, False),
    ("empty accept", {"questions": [question(type="text", accept=[])]}, False),
    ("quiz without title", {"questions": [question()], "quizzes": [quiz(title=DROP)]}, False),
    ("quiz unknown key", {"questions": [question()], "quizzes": [quiz(timer=30)]}, False),
    ("quiz feedback", {"questions": [question()], "quizzes": [quiz(feedback="later")]}, False),
    ("quiz scoring", {"questions": [question()], "quizzes": [quiz(scoring="fast")]}, False),
    ("quiz time limit 0", {"questions": [question()], "quizzes": [quiz(time_limit=0)]}, False),
    ("quiz shuffle as a word", {"questions": [question()], "quizzes": [quiz(shuffle="no")]}, False),
    ("quiz from an unknown key", {"questions": [question()], "quizzes": [quiz(**{"from": {"topics": ["visits"]}})]}, False),
    ("quiz from no tags", {"questions": [question()], "quizzes": [quiz(**{"from": {"tags": []}})]}, False),
    ("quiz from a tag that is not one", {"questions": [question()], "quizzes": [quiz(**{"from": {"tags": ["sport"]}})]}, False),
]


@pytest.mark.parametrize("document, accepted", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_schema_and_loader_agree(validator, tmp_path, document, accepted):
    path = tmp_path / "bank.yaml"
    path.write_text(SCHEMA_LINE + "\n" + yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    bank = loader.load_bank([path], root=tmp_path)
    assert bank.ok is accepted, [str(p) for p in bank.problems]
    found = errors(validator, read_as_loader(path))
    assert (found == []) is accepted, found


def test_an_empty_file_is_accepted_by_both(validator, tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text(SCHEMA_LINE + "\n", encoding="utf-8")
    assert loader.load_bank([path]).ok
    assert errors(validator, None) == []


def test_schema_rejections_name_the_place(validator):
    """A few invalid documents, and where the schema says the problem is."""
    bad = {"questions": [question(colour="red"), question(id="second", source={"paragraph": 15}),
                         question(id="third", type="numeric", tolerance=-1)],
           "quizzes": [quiz(feedback="later")]}
    found = errors(validator, bad)
    assert any(e.startswith("questions/0:") and "'colour'" in e for e in found), found
    assert any(e.startswith("questions/1/source/paragraph:") for e in found), found
    assert any(e.startswith("questions/2/tolerance:") for e in found), found
    assert any(e.startswith("quizzes/0/feedback:") for e in found), found
