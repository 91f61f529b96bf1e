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


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_TIMESTAMP, _BOOL = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"
_SCALAR_TAGS = _PLAIN_TAGS - {_MAP, _SEQ}
_SCALARS = yaml.constructor.SafeConstructor()


class _Unusual(Exception):
    """Something the fast conversion leaves to the careful one: an alias, a tag, a repeated key."""


def _scalar_value(node: yaml.ScalarNode) -> Any:
    if node.tag == _STR:
        return node.value
    if node.tag == _TIMESTAMP:
        return node.value  # dates stay text: "2025-06-15"
    if node.tag == _BOOL and node.value.lower() not in ("true", "false"):
        return node.value  # YAML 1.1 reads "Yes", "No", "On" as booleans; here they stay words
    # The tag's constructor itself: construct_object would also keep every node it saw.
    return _SCALARS.yaml_constructors[node.tag](_SCALARS, node)


def _plain(node: yaml.Node, seen: set[int]) -> Any:
    """libyaml node tree -> plain data, for the usual bank: no positions are kept (they
    are found again from the tree when a problem needs one).  Raises _Unusual for anything
    that must be reported, and the careful _Converter then does the work instead."""
    if id(node) in seen:
        raise _Unusual
    seen.add(id(node))
    tag = node.tag
    kind = node.__class__
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _Unusual
        try:
            return _scalar_value(node)
        except Exception:  # an explicit tag on a value that is not one: !!int abc
            raise _Unusual from None
    if kind is yaml.MappingNode and tag == _MAP:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag != _STR or id(key_node) in seen:
                raise _Unusual
            seen.add(id(key_node))
            key = key_node.value
            if key in result:
                raise _Unusual
            result[key] = _plain(value_node, seen)
        return result
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_plain(child, seen) for child in node.value]
    raise _Unusual


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    """libyaml node tree -> plain data, and the way back from a path to a position.

    The usual file takes the fast way (_plain).  A file with anything to report is walked
    again carefully, reporting each alias, tag, odd or repeated key where it is written.
    """

    def __init__(self, file: str, report) -> None:
        self.file = file
        self.report = report  # report(path, message, position=None)
        self.root: yaml.Node | None = None
        self.seen: set[int] = set()
        self.aliases = 0
        self.fatal = False  # aliases, tags and impossible values: the file is refused, not checked further

    def load(self, node: yaml.Node) -> Any:
        self.root = node
        try:
            return _plain(node, set())
        except _Unusual:
            self.seen = set()
            return self.convert(node, ())

    def convert(self, node: yaml.Node, path: Path) -> Any:
        if id(node) in self.seen:
            # The node tree no longer says where the alias was; _parse_file finds that out.
            self.aliases += 1
            return None
        self.seen.add(id(node))
        if not self._tag_fits(node, path):
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.report((*path, "(key)"), "mapping keys must be plain text", _position(key_node))
                    continue
                if id(key_node) in self.seen:
                    self.aliases += 1
                    continue
                self.seen.add(id(key_node))
                if not self._tag_fits(key_node, (*path, "(key)")):
                    continue
                key = self._scalar(key_node, (*path, "(key)"))
                key_path = (*path, key)
                if key in result:
                    self.report(key_path, "duplicate key", _position(key_node))
                    continue
                result[key] = self.convert(value_node, key_path)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(child, (*path, index)) for index, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _tag_fits(self, node: yaml.Node, path: Path) -> bool:
        expected = {yaml.MappingNode: _MAP, yaml.SequenceNode: _SEQ}.get(type(node))
        if (node.tag == expected) if expected else node.tag in _SCALAR_TAGS:
            return True
        self.fatal = True
        if node.tag in _PLAIN_TAGS:
            self.report(path, f"YAML tag {_short_tag(node.tag)} does not fit this value", _position(node))
        else:
            self.report(path, f"YAML tag {_short_tag(node.tag)} is not allowed; use plain values", _position(node))
        return False

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        try:
            return _scalar_value(node)
        except Exception:
            self.fatal = True
            self.report(path, f"{node.value!r} is not a valid {_short_tag(node.tag)} value", _position(node))
            return None

    # --- positions, found from the tree when a problem needs one --------------------------
    def _walk(self, path: Path) -> tuple[yaml.Node | None, yaml.Node | None, int]:
        """(deepest node on the path, the key node naming it, how many parts were followed)."""
        node, key_node, depth = self.root, None, 0
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for candidate, value in node.value:
                    if isinstance(candidate, yaml.ScalarNode) and self._key_of(candidate) == part:
                        key_node, node = candidate, value
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                break
            depth += 1
        return node, key_node, depth

    @staticmethod
    def _key_of(node: yaml.ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        try:
            return _scalar_value(node)
        except Exception:
            return None

    def mark(self, path: Path) -> tuple[int, int]:
        node, _, _ = self._walk(path)
        return _position(node) if node is not None else (1, 1)

    def key_mark(self, path: Path) -> tuple[int, int] | None:
        """Where the key of a mapping entry is written (the entry itself must exist)."""
        _, key_node, depth = self._walk(path)
        return _position(key_node) if key_node is not None and depth == len(path) else None


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
                top[3] = event.value if isinstance(event, yaml.ScalarEvent) else "(key)"
                path = (*top[0], "(key)")
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
        bank.problems.append(Problem(shown, 1, 1, "file", f"too large: {size:,} bytes, over the limit of "
                                                          f"{MAX_FILE_BYTES:,} bytes; split it into smaller files"))
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
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        bank.problems.append(_syntax_problem(shown, text, error))
        return None
    except yaml.YAMLError as error:
        bank.problems.append(Problem(shown, 1, 1, "yaml", str(error)))
        return None
    problems: list[tuple[Path, tuple[int, int], str]] = []
    converter = _Converter(shown, lambda path, message, position=None:
                           problems.append((path, position or converter.mark(path), message)))
    data = converter.load(node) if node is not None else None
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
