"""Read and validate the YAML question banks: what a question and a quiz must be.

Plain Python (no Flask): ``load_bank(paths)`` returns a ``Bank`` with every problem found
in one pass, each pointing at ``file:line:col`` and the field, so an author fixes them all
at once.  Reading each file safely (positions, no aliases, no tags, no duplicate keys) is
``bank/yaml_reader.py``; this module holds the bank's own rules.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, Iterable

from quizapp.bank.checks import Checker, Path, field_name, describe
from quizapp.bank.yaml_reader import Converter, Problem, read_yaml_file
from quizapp.question_types import REGISTRY, get_type

PARAGRAPHS = range(1, 15)
TAGS = ("visits", "diplomacy", "trade", "infrastructure", "science", "education", "culture",
        "tourism", "anniversaries")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DATE_PATTERN = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
MAX_FILE_BYTES = 16 * 1024 * 1024  # a bank is split into files well before this
COMMON_REQUIRED = ("id", "type", "text", "explanation", "source", "tags", "difficulty")
COMMON_OPTIONAL = ("event", "fact")
# A fact states what is so: it never opens with a verdict, as explanations of true/false
# questions do ("Неверно: …", "False: …", "正确：…"), which on a study page reads as if the fact
# itself were false.
VERDICT_OPENING = re.compile(r"^\s*(верно|неверно|правильно|неправильно|да|нет|true|false|right|wrong|correct|"
                             r"incorrect|yes|no|дұрыс|бұрыс|қате|иә|жоқ|正确|错误|对|错|是|否)\s*[:：!！.—–]", re.IGNORECASE)
QUIZ_REQUIRED = ("id", "title")
QUIZ_OPTIONAL = ("description", "time_limit", "question_time_limit", "draw", "from", "shuffle",
                 "shuffle_options", "feedback", "scoring", "points")
FEEDBACK_MODES = ("immediate", "end")
SCORING_MODES = ("plain", "speed")



@dataclass
class Item:
    """A question or quiz as written, with where it was written."""

    key: str
    data: dict[str, Any]
    file: str
    line: int

    @property
    def content_hash(self) -> str:
        return content_hash(self.data)


@dataclass
class Bank:
    questions: dict[str, Item] = field(default_factory=dict)
    quizzes: dict[str, Item] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    file_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return f"OK: {len(self.questions)} questions, {len(self.quizzes)} quizzes, {self.file_count} files"

    def pool(self, quiz_key: str) -> list[str]:
        """Question keys a quiz draws from, in bank order."""
        return resolve_pool(self.quizzes[quiz_key].data, self.questions)


def content_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def resolve_pool(quiz: dict[str, Any], questions: dict[str, Item]) -> list[str]:
    source = quiz.get("from")
    if not source:
        return list(questions)
    tags = set(source.get("tags") or [])
    ids = set(source.get("ids") or [])
    return [key for key, item in questions.items() if key in ids or tags & set(item.data.get("tags", []))]


def display_path(file: str | os.PathLike[str], root: FsPath | None) -> str:
    path = FsPath(file)
    try:
        return str(path.resolve().relative_to((root or FsPath.cwd()).resolve()))
    except ValueError:
        return str(path)


def bank_files(paths: Iterable[str | os.PathLike[str]]) -> list[FsPath]:
    files: list[FsPath] = []
    for path in map(FsPath, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def load_bank(paths: Iterable[str | os.PathLike[str]], root: FsPath | None = None) -> Bank:
    # Reading a bank builds a few hundred thousand small objects and no cycles, so the
    # cycle collector would only walk them again and again (it tripled the time of a
    # 10,000-question bank).  It is switched back on, as it was, when the bank is read.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_bank(paths, root)
    finally:
        if gc_was_enabled:
            gc.enable()


def _load_bank(paths: Iterable[str | os.PathLike[str]], root: FsPath | None) -> Bank:
    bank = Bank()
    where: dict[tuple[str, str], tuple[str, int]] = {}
    files = bank_files(paths)
    bank.file_count = len(files)
    quiz_checks: list[tuple[Item, Checker, Any]] = []
    fact_checks: list[tuple[dict[str, Any], Checker]] = []  # questions sharing another's fact
    written: dict[str, Any] = {}  # every question with a usable id, valid or not
    for file in files:
        shown = display_path(file, root)
        parsed = _parse_file(file, shown, bank)
        if parsed is None:
            continue
        data, converter = parsed

        def reporter(prefix: Path, _conv=converter, _shown=shown):
            def report(path: Path, message: str) -> None:
                full = (*prefix, *path)
                # Point problems about a key at the key itself, not at its value.
                key_mark = _conv.key_mark(full) if message.startswith("unknown key") else None
                line, column = key_mark or _conv.mark(full)
                bank.problems.append(Problem(_shown, line, column, field_name(path), message))
            return report

        file_check = Checker(reporter(()))
        if data is None:
            continue
        if not file_check.mapping(data, ()) or not file_check.keys(data, (), (), ("questions", "quizzes")):
            continue
        for section, required, optional, store in (
            ("questions", COMMON_REQUIRED, COMMON_OPTIONAL, bank.questions),
            ("quizzes", QUIZ_REQUIRED, QUIZ_OPTIONAL, bank.quizzes),
        ):
            items = data.get(section)
            if items is None:
                continue
            if not isinstance(items, list):
                file_check.problem((section,), f"expected a list, got {describe(items)}")
                continue
            for index, raw in enumerate(items):
                check = Checker(reporter((section, index)))
                if not check.mapping(raw, ()):
                    continue
                key = raw.get("id")
                if not isinstance(key, str) or not ID_PATTERN.match(key):
                    check.problem(("id",), "missing or malformed id (lowercase letters, digits and dashes)"
                                  if key is None or isinstance(key, str) else f"expected an id, got {describe(key)}")
                    continue
                line = converter.mark((section, index))[0]
                if (section, key) in where:
                    first_file, first_line = where[(section, key)]
                    check.problem(("id",), f"duplicate id {key!r} (first defined at {first_file}:{first_line})")
                    continue
                where[(section, key)] = (shown, line)
                item = Item(key, raw, shown, line)
                if section == "questions":
                    written[key] = raw
                    _check_question(raw, check)
                    if isinstance(raw.get("fact"), str):
                        fact_checks.append((raw, check))
                    if not check.failed:
                        store[key] = item
                else:
                    _check_quiz_shape(raw, check)
                    quiz_checks.append((item, check, None))
    for raw, check in fact_checks:
        _check_shared_fact(raw, check, written)
    # Quizzes refer to questions anywhere in the bank, so they are checked once all are read.
    # Tags and pool sizes count every question written, so a problem in one question is
    # reported once, on that question, and not again on each quiz that would draw it.
    written_tags = {key: _tags_of(raw) for key, raw in written.items()}
    known_tags = set().union(*written_tags.values())
    for item, check, _ in quiz_checks:
        if check.failed:
            continue
        _check_quiz_refs(item.data, check, bank.questions, where, known_tags, written_tags)
        if not check.failed:
            bank.quizzes[item.key] = item
    bank.problems.sort()
    return bank


def _parse_file(file: FsPath, shown: str, bank: Bank) -> tuple[Any, Converter] | None:
    return read_yaml_file(file, shown, bank.problems, MAX_FILE_BYTES, _field_in_file)


def _field_in_file(path: Path) -> str:
    """A problem's field, named inside its question or quiz (``questions/3/text`` -> ``text``)."""
    return field_name(path[2:]) if len(path) > 2 else field_name(path)


def _check_question(question: dict[str, Any], check: Checker) -> None:
    type_name = question.get("type")
    qtype = REGISTRY.get(type_name) if isinstance(type_name, str) else None
    specific: tuple[str, ...] = (*qtype.required_keys, *qtype.optional_keys) if qtype else ()
    if qtype is None:
        check.problem(("type",), f"unknown question type {type_name!r} (expected one of: {', '.join(sorted(REGISTRY))})")
        # Which keys belong depends on the type: say nothing about them until it is known.
        specific = tuple(key for known in REGISTRY.values() for key in (*known.required_keys, *known.optional_keys))
    check.keys(question, (), COMMON_REQUIRED + (qtype.required_keys if qtype else ()), COMMON_OPTIONAL + specific)
    if "text" in question:
        check.localized(question["text"], ("text",))
    if "explanation" in question:
        check.localized(question["explanation"], ("explanation",))
    source = question.get("source")
    if "source" in question and check.mapping(source, ("source",)) and check.keys(source, ("source",), ("paragraph",), ()):
        check.integer(source["paragraph"], ("source", "paragraph"), PARAGRAPHS.start, PARAGRAPHS.stop - 1)
    tags = question.get("tags")
    if "tags" in question and check.string_list(tags, ("tags",)):
        for index, tag in enumerate(tags):
            if tag not in TAGS:
                check.problem(("tags", index), f"unknown tag {tag!r} (expected one of: {', '.join(TAGS)})")
        if len(set(tags)) != len(tags):
            check.problem(("tags",), "lists the same tag twice")
    if "difficulty" in question:
        check.integer(question["difficulty"], ("difficulty",), 1, 3)
    if "event" in question:
        event = question["event"]
        if check.mapping(event, ("event",)) and check.keys(event, ("event",), ("date", "title"), ()):
            date = event["date"]
            if not isinstance(date, str) or not DATE_PATTERN.match(date):
                check.problem(("event", "date"), f"expected a quoted date \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\", got {describe(date)}")
            check.localized(event["title"], ("event", "title"))
    if "fact" in question:
        _check_fact(question["fact"], check)
    if qtype is not None:
        qtype.check(question, check)


def _check_fact(fact: Any, check: Checker) -> None:
    """``fact:`` is the fact a question asks about, as the study pages state it: four
    languages, or the id of a question (citing the same paragraph) whose fact it shares."""
    if isinstance(fact, str):
        if not ID_PATTERN.match(fact):
            check.problem(("fact",), f"expected the four languages or a question id, got {describe(fact)}")
        return
    if not check.localized(fact, ("fact",)):
        return
    for language, text in fact.items():
        if isinstance(text, str) and VERDICT_OPENING.match(text):
            check.problem(("fact", language), f"a fact states what is so; it does not open with a verdict "
                                              f"({text.split()[0]!r})")


def _check_shared_fact(question: dict[str, Any], check: Checker, written: dict[str, Any]) -> None:
    """A question sharing another's fact: that question exists, states the fact itself, and
    cites the same paragraph (the fact is shown under its paragraph)."""
    key, owner = question["fact"], written.get(question["fact"])
    if owner is None or not isinstance(owner, dict):
        check.problem(("fact",), f"unknown question id {key!r}")
    elif key == question.get("id"):
        check.problem(("fact",), "names its own question: write the fact in the four languages instead")
    elif not isinstance(owner.get("fact"), dict):
        check.problem(("fact",), f"question {key!r} does not state a fact of its own to share")
    elif _paragraph_of(owner) != _paragraph_of(question):
        check.problem(("fact",), f"question {key!r} cites paragraph {_paragraph_of(owner)}, "
                                 f"this one {_paragraph_of(question)}: a shared fact cites one paragraph")


def _paragraph_of(question: dict[str, Any]) -> Any:
    source = question.get("source")
    return source.get("paragraph") if isinstance(source, dict) else None


def _check_quiz_shape(quiz: dict[str, Any], check: Checker) -> None:
    check.keys(quiz, (), QUIZ_REQUIRED, QUIZ_OPTIONAL)
    if "title" in quiz:
        check.localized(quiz["title"], ("title",))
    if "description" in quiz:
        check.localized(quiz["description"], ("description",))
    for key in ("time_limit", "question_time_limit", "draw", "points"):
        if quiz.get(key) is not None:
            check.integer(quiz[key], (key,), low=1)
    for key in ("shuffle", "shuffle_options"):
        if key in quiz:
            check.boolean(quiz[key], (key,))
    if "feedback" in quiz and quiz["feedback"] not in FEEDBACK_MODES:
        check.problem(("feedback",), f"expected one of {', '.join(FEEDBACK_MODES)}, got {describe(quiz['feedback'])}")
    if "scoring" in quiz and quiz["scoring"] not in SCORING_MODES:
        check.problem(("scoring",), f"expected one of {', '.join(SCORING_MODES)}, got {describe(quiz['scoring'])}")
    source = quiz.get("from")
    if "from" in quiz and check.mapping(source, ("from",)):
        if check.keys(source, ("from",), (), ("tags", "ids")):
            for key in ("tags", "ids"):
                if key in source:
                    check.string_list(source[key], ("from", key))


def _tags_of(question: Any) -> set[str]:
    tags = question.get("tags") if isinstance(question, dict) else None
    return {tag for tag in tags if isinstance(tag, str)} if isinstance(tags, list) else set()


def _check_quiz_refs(quiz: dict[str, Any], check: Checker, questions: dict[str, Item],
                     where: dict[tuple[str, str], tuple[str, int]], known_tags: set[str],
                     written_tags: dict[str, set[str]]) -> None:
    source = quiz.get("from") or {}
    for index, tag in enumerate(source.get("tags") or []):
        if tag not in TAGS:
            check.problem(("from", "tags", index), f"unknown tag {tag!r} (expected one of: {', '.join(TAGS)})")
        elif tag not in known_tags:
            check.problem(("from", "tags", index), f"no question has the tag {tag!r}")
    for index, key in enumerate(source.get("ids") or []):
        if key not in questions:
            reason = "is not valid" if ("questions", key) in where else "does not exist"
            check.problem(("from", "ids", index), f"unknown question id {key!r}: it {reason}")
    if check.failed:
        return
    if not source:
        available = len(written_tags)
    else:
        tags, ids = set(source.get("tags") or []), set(source.get("ids") or [])
        available = sum(1 for key, have in written_tags.items() if key in ids or tags & have)
    if available == 0:
        check.problem(("from",), "selects no questions")
    draw = quiz.get("draw")
    if draw is not None and draw > available:
        check.problem(("draw",), f"draws {draw} questions but only {available} match")


def type_of(item: Item):
    return get_type(item.data["type"])
