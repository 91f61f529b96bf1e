"""Small, shared checks for validating YAML data that remembers where it came from.

A path is a tuple of keys and list indexes from the root of one item (a question or a
quiz).  The loader turns it into ``file:line:col`` and the field name authors see.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

Path = tuple[Any, ...]
# Every language a bank text is written in, and those each text must have: all four, so a
# text missing one is refused with its file:line (the app offers all four; a missing one
# would show another language's text on a Kazakh or Chinese page).
LANGUAGES = ("ru", "en", "kk", "zh")
REQUIRED_LANGUAGES = LANGUAGES


def field_name(path: Path) -> str:
    name = ""
    for part in path:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or "(item)"


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Checker:
    """Collects problems for one item; every check returns whether it passed."""

    def __init__(self, report: Callable[[Path, str], None]) -> None:
        self._report = report
        self.failed = False

    def problem(self, path: Path, message: str) -> None:
        self.failed = True
        self._report(path, message)

    def keys(self, data: dict[str, Any], path: Path, required: Iterable[str], optional: Iterable[str]) -> bool:
        required = list(required)
        allowed = set(required) | set(optional)
        ok = True
        for key in data:
            if key not in allowed:
                self.problem((*path, key), f"unknown key (expected one of: {', '.join(sorted(allowed))})")
                ok = False
        for key in required:
            if key not in data:
                self.problem((*path, key), "missing")
                ok = False
        return ok

    def mapping(self, value: Any, path: Path) -> bool:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, got {describe(value)}")
            return False
        return True

    def text(self, value: Any, path: Path) -> bool:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"expected non-empty text, got {describe(value)}")
            return False
        return True

    def localized(self, value: Any, path: Path) -> bool:
        """A ``{ru: ..., en: ..., kk: ..., zh: ...}`` mapping with every required translation."""
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping of translations {{ru: ..., en: ..., kk: ..., zh: ...}}, got {describe(value)}")
            return False
        ok = True
        for key in value:
            if key not in LANGUAGES:
                self.problem((*path, key), f"unknown language (expected {', '.join(LANGUAGES)})")
                ok = False
        for lang in REQUIRED_LANGUAGES:
            if lang not in value:
                self.problem((*path, lang), "missing translation")
                ok = False
            elif not self.text(value[lang], (*path, lang)):
                ok = False
        for lang in set(LANGUAGES) - set(REQUIRED_LANGUAGES):
            if lang in value and not self.text(value[lang], (*path, lang)):
                ok = False
        return ok

    def integer(self, value: Any, path: Path, low: int | None = None, high: int | None = None) -> bool:
        if not is_int(value):
            self.problem(path, f"expected an integer, got {describe(value)}")
            return False
        if low is not None and high is not None and not low <= value <= high:
            self.problem(path, f"must be between {low} and {high}, got {value}")
            return False
        if low is not None and value < low:
            self.problem(path, f"must be at least {low}, got {value}")
            return False
        return True

    def number(self, value: Any, path: Path) -> bool:
        if not is_number(value):
            self.problem(path, f"expected a number, got {describe(value)}")
            return False
        if not math.isfinite(value):  # .nan and .inf: not a number anyone can type, nor valid JSON
            self.problem(path, f"expected a finite number, got {value}")
            return False
        return True

    def tolerance(self, value: Any, path: Path, integer: bool = False) -> bool:
        if not (self.integer(value, path) if integer else self.number(value, path)):
            return False
        if value < 0:
            self.problem(path, f"must not be negative, got {value}")
            return False
        return True

    def boolean(self, value: Any, path: Path) -> bool:
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, got {describe(value)}")
            return False
        return True

    def string_list(self, value: Any, path: Path, minimum: int = 1) -> bool:
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {describe(value)}")
            return False
        ok = True
        for index, item in enumerate(value):
            ok = self.text(item, (*path, index)) and ok
        if ok and len(value) < minimum:
            self.problem(path, f"needs at least {minimum} entries, got {len(value)}")
            ok = False
        return ok

    def option_mapping(self, value: Any, path: Path, minimum: int) -> bool:
        """Keys mapped to translations, with no two options reading the same."""
        if not self.mapping(value, path):
            return False
        ok = True
        seen: dict[tuple[str, str], str] = {}
        for key, label in value.items():
            if not isinstance(key, str) or not key:
                self.problem((*path, key), "option keys must be short texts")
                ok = False
                continue
            if not self.localized(label, (*path, key)):
                ok = False
                continue
            for lang in (lang for lang in LANGUAGES if lang in label):
                folded = (lang, " ".join(label[lang].casefold().split()))
                if folded in seen:
                    self.problem((*path, key), f"duplicate option: same {lang} text as '{seen[folded]}'")
                    ok = False
                else:
                    seen[folded] = key
        if ok and len(value) < minimum:
            self.problem(path, f"needs at least {minimum} entries, got {len(value)}")
            ok = False
        return ok
