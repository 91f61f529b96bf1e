"""Read one YAML file into plain data, safely, keeping where each value was written.

Plain Python (no Flask), and nothing about what a bank must contain (that is
``bank/loader.py``).  The YAML is composed with libyaml's C parser where present and turned
into plain data by hand, which is how we keep positions (``file:line:col``), refuse
duplicate keys, refuse aliases (no "billion laughs") and refuse any tag beyond the plain
JSON-like ones.  Two walkers do that: a fast one for the usual file and a careful one that
reports each problem where it is written; both are kept for the 5 s / 10,000-question
target (bench/bank_bench.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, Callable

import yaml

from quizapp.bank.checks import Path

try:  # libyaml's parser is several times faster; fall back quietly where it is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing to fix, where it is written; sorts by file, line and column."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.field}: {self.message}"


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
    that must be reported, and the careful Converter then does the work instead."""
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


class Converter:
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
            # The node tree no longer says where the alias was; read_yaml_file finds that out.
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


def read_yaml_file(file: FsPath, shown: str, problems: list[Problem], max_bytes: int,
                   field_of: Callable[[Path], str]) -> tuple[Any, Converter] | None:
    """The file's plain data and its Converter (which gives positions back), or None when
    the file is refused: unreadable, over ``max_bytes``, not UTF-8, not YAML, or using an
    alias, a tag or an impossible value.  Every problem is appended to ``problems`` as
    ``shown:line:col``; ``field_of`` names the field a path inside the document stands for."""
    try:
        size = file.stat().st_size
    except OSError as error:
        problems.append(Problem(shown, 1, 1, "file", f"cannot read: {error.strerror}"))
        return None
    if size > max_bytes:
        problems.append(Problem(shown, 1, 1, "file", f"too large: {size:,} bytes, over the limit of "
                                                     f"{max_bytes:,} bytes; split it into smaller files"))
        return None
    try:
        raw = file.read_bytes()
    except OSError as error:
        problems.append(Problem(shown, 1, 1, "file", f"cannot read: {error.strerror}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[:error.start]
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        problems.append(Problem(shown, before.count(b"\n") + 1, column, "file",
                                f"not UTF-8 text (byte 0x{raw[error.start]:02x}: {error.reason}); save the file as UTF-8"))
        return None
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        problems.append(_syntax_problem(shown, text, error))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(shown, 1, 1, "yaml", str(error)))
        return None
    found: list[tuple[Path, tuple[int, int], str]] = []
    converter = Converter(shown, lambda path, message, position=None:
                          found.append((path, position or converter.mark(path), message)))
    data = converter.load(node) if node is not None else None
    if converter.aliases:
        found.extend((path, mark, "YAML aliases (*name) are not allowed in a bank")
                     for path, mark in _alias_positions(text))
    for path, (line, column), message in found:
        problems.append(Problem(shown, line, column, field_of(path), message))
    if converter.aliases or converter.fatal:
        return None
    # Duplicate keys and odd keys are reported, and the rest of the file can still be checked.
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
