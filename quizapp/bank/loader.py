"""Read and validate the YAML question banks.

Plain Python (no Flask): ``load_bank(paths)`` returns a ``Bank`` with every problem found
in one pass, each pointing at ``file:line:col`` and the field, so an author fixes them all
at once.  The YAML is composed with libyaml's C parser where present and turned into
plain data by hand, which is how we keep positions, refuse duplicate keys, refuse
aliases (no "billion laughs") and refuse any tag beyond the plain JSON-like ones.
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

import yaml

from quizapp.bank.checks import Checker, Path, field_name, describe
from quizapp.question_types import REGISTRY, get_type

try:  # libyaml's parser is several times faster; fall back quietly where it is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

PARAGRAPHS = range(1, 15)
TAGS = ("visits", "diplomacy", "trade", "infrastructure", "science", "education", "culture",
        "tourism", "anniversaries")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DATE_PATTERN = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
MAX_FILE_BYTES = 16 * 1024 * 1024
COMMON_REQUIRED = ("id", "type", "text", "explanation", "source", "tags", "difficulty")
COMMON_OPTIONAL = ("event",)
QUIZ_REQUIRED = ("id", "title")
QUIZ_OPTIONAL = ("description", "time_limit", "question_time_limit", "draw", "from", "shuffle",
                 "shuffle_options", "feedback", "scoring", "points")
FEEDBACK_MODES = ("immediate", "end")
SCORING_MODES = ("plain", "speed")
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


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


class _Converter:
    """libyaml node tree -> plain data, recording the position of every path."""

    def __init__(self, file: str, report) -> None:
        self.file = file
        self.report = report
        self.marks: dict[Path, tuple[int, int]] = {}
        self.seen: set[int] = set()
        self.aliases = 0
        self.fatal = False  # aliases and tags: the file is refused, not checked further
        self.scalars = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in self.seen:
            # The node tree no longer says where the alias was; _parse_file finds that out.
            self.aliases += 1
            return None
        self.seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            self.fatal = True
            self.report(path, f"YAML tag {_short_tag(node.tag)} is not allowed; use plain values")
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.marks[(*path, "?")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    self.report((*path, "?"), "mapping keys must be plain text")
                    continue
                key = key_node.value if key_node.tag == "tag:yaml.org,2002:str" else self.scalar(key_node)
                key_path = (*path, key)
                if key in result:
                    self.marks[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    self.report(key_path, "duplicate key")
                    continue
                result[key] = self.convert(value_node, key_path)
                # Point problems about a key at the key itself, not at its value.
                self.marks[("key", *key_path)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(child, (*path, index)) for index, child in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay text: "2025-06-15"
        if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
            return node.value  # YAML 1.1 reads "Yes", "No", "On" as booleans; here they stay words
        return self.scalars.construct_object(node)

    def mark(self, path: Path) -> tuple[int, int]:
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                return self.marks[path[:end]]
        return (1, 1)


def _short_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` -> ``!!python/object``, as it was written."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _alias_positions(text: str) -> list[tuple[Path, tuple[int, int]]]:
    """Where each alias (``*name``) is used, with the path it stands at.

    Only run once the composed tree has shown there are aliases: the node tree shares the
    anchored node, so it cannot say where the alias itself was written.
    """
    found: list[tuple[Path, tuple[int, int]]] = []
    # Each open collection: [path, is_mapping, next index or awaiting-key flag, current key].
    stack: list[list[Any]] = []
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        path: Path = ()
        if stack:
            top = stack[-1]
            if not top[1]:
                path = (*top[0], top[2])
                top[2] += 1
            elif top[2]:  # a key
                top[2] = False
                top[3] = event.value if isinstance(event, yaml.ScalarEvent) else "?"
                path = (*top[0], "?")
            else:
                top[2] = True
                path = (*top[0], top[3])
        if isinstance(event, yaml.AliasEvent):
            found.append((path, (event.start_mark.line + 1, event.start_mark.column + 1)))
        elif isinstance(event, yaml.MappingStartEvent):
            stack.append([path, True, True, None])
        elif isinstance(event, yaml.SequenceStartEvent):
            stack.append([path, False, 0, None])
    return found


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
    bank = Bank()
    where: dict[tuple[str, str], tuple[str, int]] = {}
    files = bank_files(paths)
    bank.file_count = len(files)
    quiz_checks: list[tuple[Item, Checker, Any]] = []
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
                key_mark = _conv.marks.get(("key", *full))
                line, column = key_mark if message.startswith(("unknown key", "duplicate key")) and key_mark else _conv.mark(full)
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
                    if not check.failed:
                        store[key] = item
                else:
                    _check_quiz_shape(raw, check)
                    quiz_checks.append((item, check, None))
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


def _parse_file(file: FsPath, shown: str, bank: Bank) -> tuple[Any, _Converter] | None:
    try:
        size = file.stat().st_size
    except OSError as error:
        bank.problems.append(Problem(shown, 1, 1, "file", f"cannot read: {error.strerror}"))
        return None
    if size > MAX_FILE_BYTES:
        bank.problems.append(Problem(shown, 1, 1, "file", f"too large ({size // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB)"))
        return None
    try:
        raw = file.read_bytes()
    except OSError as error:
        bank.problems.append(Problem(shown, 1, 1, "file", f"cannot read: {error.strerror}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[:error.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        bank.problems.append(Problem(shown, before.count(b"\n") + 1, column, "file",
                                     f"not UTF-8 text (byte 0x{raw[error.start]:02x}: {error.reason}); save the file as UTF-8"))
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the node tree is acyclic; collecting during the parse only costs time
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        bank.problems.append(_syntax_problem(shown, text, error))
        return None
    except yaml.YAMLError as error:
        bank.problems.append(Problem(shown, 1, 1, "yaml", str(error)))
        return None
    finally:
        if gc_was_enabled:
            gc.enable()
    problems: list[tuple[Path, tuple[int, int], str]] = []
    converter = _Converter(shown, lambda path, message: problems.append((path, converter.mark(path), message)))
    data = converter.convert(node, ()) if node is not None else None
    if converter.aliases:
        problems.extend((path, mark, "YAML aliases (*name) are not allowed in a bank")
                        for path, mark in _alias_positions(text))
    for path, (line, column), message in problems:
        bank.problems.append(Problem(shown, line, column, field_name(path[2:]) if len(path) > 2 else field_name(path), message))
    if converter.aliases or converter.fatal:
        return None
    # Duplicate keys and odd keys are reported, and the rest of the file is still checked.
    return data, converter


def _syntax_problem(shown: str, text: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = error.problem or error.context or "invalid YAML"
    if mark is not None and text[mark.index:mark.index + 1] == "\t":
        message = "a tab character; YAML indents with spaces only"
    elif message.startswith("mapping values are not allowed"):
        message += "; put text that contains ': ' in double quotes"
    context_mark = error.context_mark
    if error.problem and error.context and context_mark is not None and (
            context_mark.line, context_mark.column) != (mark.line, mark.column):
        message += f" ({error.context} at line {context_mark.line + 1}, column {context_mark.column + 1})"
    return Problem(shown, line, column, "yaml", message)


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
    if qtype is not None:
        qtype.check(question, check)


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
