"""A GIFT file (Moodle's text format) read into questions of this bank (``bank import-gift``).

Plain Python (no Flask).  ``read_gift(text, file, lang)`` returns a ``GiftResult``: the
questions as the bank's YAML mappings, and ``FILE:LINE: problem`` lines for what could not be
converted (``problems``: the question is left out) or is converted with something missing
(``warnings``: the YAML is written, and ``bank validate`` says what to fill in).

The grammar followed is that of Moodle's GIFT documentation: questions separated by blank
lines; ``//`` comment lines; ``$CATEGORY:`` lines; an optional ``::title::``; an optional
``[html]``, ``[moodle]``, ``[plain]`` or ``[markdown]`` format; the answers in ``{…}`` (text may
follow them: a "missing word" question, whose gap becomes "_____"); ``\\`` escapes
``~ = # { } :`` and ``\\n``; answers ``=right``, ``~wrong``, ``~%50%partly right``, ``#feedback``
after an answer and ``####general feedback`` last.

    {T} {F} {TRUE} {FALSE}          true_false
    {=a ~b ~c}                      single
    {~%50%a ~%50%b ~%-100%c}        multiple (the options with a positive weight are right)
    {=a =b}                         text (the first is the answer, the others are accepted)
    {#43.8:0.1} {#1..5} {#=1822:0}  numeric (a range becomes its middle ± half its width)
    {=left -> right …}              matching
    {} (essay), no braces (description): not converted

Texts: multi-language spans (``<span lang="kk" class="multilang">…</span>``, or filter_multilang2's
``{mlang kk}…{mlang}``) give one text per language; other text is in ``lang``.  HTML tags are
removed and entities decoded.  A ``// quizapp: {json}`` comment (what ``bank export`` writes)
restores the type, source, tags, difficulty, event and typed answers; without it the question
lacks a source, tags and difficulty, which the warnings name.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

from quizapp.bank.checks import LANGUAGES
from quizapp.question_types.text import normalise_text

ESCAPABLE = "~=#{}:\\"
_SPAN = re.compile(r'<span\s+(?:lang="(?P<a>[a-z]{2})"\s+class="multilang"|class="multilang"\s+lang="(?P<b>[a-z]{2})")\s*>'
                   r"(?P<text>.*?)</span>", re.S | re.I)
_MLANG = re.compile(r"\{mlang\s+(?P<a>[a-z]{2})\}(?P<text>.*?)\{mlang\}", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_ID_SAFE = re.compile(r"[^a-z0-9]+")
META = "quizapp:"


class GiftError(ValueError):
    """One question that cannot be converted; ``line`` is its first line in the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class GiftResult:
    questions: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- escapes ----------------------------------------------------------------------------------

def _find(text: str, token: str, start: int = 0) -> int:
    """The index of the first ``token`` at or after ``start`` not escaped by a backslash; -1 if none."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(token, index):
            return index
        index += 1
    return -1


def _split(text: str, marks: str) -> list[str]:
    """Split before each unescaped character of ``marks``, keeping it at the start of its piece."""
    pieces, current, index = [], "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current += text[index:index + 2]
            index += 2
            continue
        if char in marks:
            pieces.append(current)
            current = ""
        current += char
        index += 1
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append("\n" if following == "n" else following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


# --- texts --------------------------------------------------------------------------------------

def _clean(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def languages(raw: str, lang: str) -> dict[str, str]:
    """A GIFT text (unescaped) as ``{language: text}``."""
    text = _FORMAT.sub("", raw, count=1)
    found: dict[str, str] = {}
    for match in [*_SPAN.finditer(text), *_MLANG.finditer(text)]:
        code = (match.group("a") or match.groupdict().get("b") or "").lower()
        if code in LANGUAGES and code not in found:
            found[code] = _clean(match.group("text"))
    if found:
        return {code: found[code] for code in LANGUAGES if code in found}
    return {lang: _clean(text)}


def _make_id(title: str | None, line: int, taken: set[str]) -> str:
    base = _ID_SAFE.sub("-", (title or "").lower()).strip("-")[:56] or f"gift-{line}"
    if not base[0].isalnum():
        base = f"gift-{base}"
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    taken.add(key)
    return key


# --- one question ---------------------------------------------------------------------------------

@dataclass
class _Answer:
    mark: str  # "=" or "~"
    weight: float | None
    text: str  # still escaped


def _answers(body: str, line: int) -> list[_Answer]:
    answers = []
    for piece in _split(body, "=~"):
        mark, rest = piece[0], piece[1:]
        if mark not in "=~":
            raise GiftError(line, f"answer text before the first = or ~: {unescape(piece).strip()!r}")
        weight = None
        if rest.startswith("%"):
            end = rest.find("%", 1)
            try:
                weight = float(rest[1:end]) if end > 0 else None
            except ValueError:
                weight = None
            if weight is None:
                raise GiftError(line, f"malformed weight in {unescape(piece).strip()!r} (expected ~%50%answer)")
            rest = rest[end + 1:]
        feedback = _find(rest, "#")
        if feedback >= 0:
            rest = rest[:feedback]
        answers.append(_Answer(mark, weight, rest.strip()))
    return answers


def _numeric(body: str, line: int) -> dict[str, Any]:
    choices = _split(body[1:], "=") if body[1:].lstrip().startswith("=") else [body[1:]]
    best = None
    for choice in choices:
        choice = choice.lstrip("=").strip()
        weight = 100.0
        if choice.startswith("%"):
            end = choice.find("%", 1)
            weight = float(choice[1:end]) if end > 0 and _is_number(choice[1:end]) else -1
            choice = choice[end + 1:]
        feedback = _find(choice, "#")
        choice = unescape(choice[:feedback] if feedback >= 0 else choice).strip()
        if ".." in choice:
            low, _, high = choice.partition("..")
            if not (_is_number(low) and _is_number(high)):
                raise GiftError(line, f"malformed numeric range {choice!r} (expected {{#min..max}})")
            value, tolerance = (float(low) + float(high)) / 2, abs(float(high) - float(low)) / 2
        else:
            number, _, margin = choice.partition(":")
            if not _is_number(number) or (margin and not _is_number(margin)):
                raise GiftError(line, f"malformed number {choice!r} (expected {{#answer:tolerance}})")
            value, tolerance = float(number), float(margin or 0)
        if weight == 100 and best is None:
            best = (value, tolerance)
    if best is None:
        raise GiftError(line, "no numeric answer is worth 100%")
    value, tolerance = best
    question: dict[str, Any] = {"type": "numeric", "answer": int(value) if value.is_integer() else value}
    if tolerance:  # 0 is the bank's default
        question["tolerance"] = int(tolerance) if tolerance.is_integer() else tolerance
    return question


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _choices(answers: list[_Answer], lang: str, line: int) -> dict[str, Any]:
    keys = [chr(ord("a") + index) if index < 26 else f"o{index}" for index in range(len(answers))]
    options = {key: languages(unescape(answer.text), lang) for key, answer in zip(keys, answers)}
    weighted = any(answer.weight is not None for answer in answers)
    if not weighted:
        right = [key for key, answer in zip(keys, answers) if answer.mark == "="]
        if len(right) != 1:
            raise GiftError(line, f"a choice question needs exactly one =right answer, got {len(right)}")
        return {"type": "single", "options": options, "answer": right[0]}
    right = [key for key, answer in zip(keys, answers)
             if (answer.weight or 0) > 0 or (answer.mark == "=" and answer.weight is None)]
    if not right:
        raise GiftError(line, "no answer has a positive weight")
    if len(right) == 1:
        return {"type": "single", "options": options, "answer": right[0]}
    return {"type": "multiple", "options": options, "answers": right}


def _matching(answers: list[_Answer], lang: str, line: int) -> dict[str, Any]:
    pairs = []
    for answer in answers:
        arrow = answer.text.find("->")
        if answer.mark != "=" or arrow < 0:
            raise GiftError(line, "every answer of a matching question must be =left -> right")
        pairs.append({"left": languages(unescape(answer.text[:arrow]), lang),
                      "right": languages(unescape(answer.text[arrow + 2:]), lang)})
    return {"type": "matching", "pairs": pairs}


def _convert(block: str, line: int, lang: str, meta: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    text = block.strip()
    title = None
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end < 0:
            raise GiftError(line, "the title has no closing ::")
        title, text = unescape(text[2:end]).strip(), text[end + 2:]
    opening = _find(text, "{")
    if opening < 0:
        raise GiftError(line, "no {answers}: a description, which this bank has no type for")
    closing = _find(text, "}", opening)
    if closing < 0:
        raise GiftError(line, "the { of the answers is never closed")
    stem, body, tail = text[:opening], text[opening + 1:closing].strip(), text[closing + 1:]
    if _find(tail, "{") >= 0:
        raise GiftError(line, "more than one {answers} (embedded answers, Cloze) cannot be converted")
    general = _find(body, "####")
    explanation = None
    if general >= 0:
        explanation, body = unescape(body[general + 4:]).strip(), body[:general].strip()
    stem_text = unescape(stem).strip() + (" _____ " + unescape(tail).strip() if tail.strip() else "")
    if not body:
        raise GiftError(line, "an essay question ({}), which this bank has no type for")
    upper = body.split("#", 1)[0].strip().upper()
    if upper in ("T", "F", "TRUE", "FALSE"):
        question: dict[str, Any] = {"type": "true_false", "answer": upper.startswith("T")}
    elif body.startswith("#"):
        question = _numeric(body, line)
    else:
        answers = _answers(body, line)
        if not answers:
            raise GiftError(line, "no answers inside { }")
        if any(_find(answer.text, "->") >= 0 for answer in answers):
            question = _matching(answers, lang, line)
        elif all(answer.mark == "=" and answer.weight is None for answer in answers):
            spellings = list({normalise_text(spelling): spelling for spelling in
                              reversed([_clean(unescape(answer.text)) for answer in answers])}.values())[::-1]
            question = {"type": "text", "answer": {lang: spellings[0]}, "accept": spellings}
        else:
            question = _choices(answers, lang, line)
    question["text"] = languages(stem_text, lang)
    if explanation:
        question["explanation"] = languages(explanation, lang)
    if meta:
        if meta.get("type") == "year" and question["type"] == "numeric":
            question["type"] = "year"
        for key in ("source", "tags", "difficulty", "event", "unit", "fact", "order_by"):
            if key in meta:
                question[key] = meta[key]
        if question["type"] == "numeric" and "unit" in meta:
            question["text"] = {code: _drop_unit(words, meta["unit"].get(code)) for code, words in question["text"].items()}
        right = meta.get("right")
        if question["type"] == "matching" and isinstance(right, list) and len(right) == len(question["pairs"]):
            for pair, labels in zip(question["pairs"], right):
                pair["right"] = labels
        if question["type"] == "text" and "answer" in meta:
            question["answer"], question["accept"] = meta["answer"], meta.get("accept", question["accept"])
    return title, question


def _drop_unit(text: str, unit: str | None) -> str:
    suffix = f" ({unit})"
    return text[:-len(suffix)] if unit and text.endswith(suffix) else text


ORDER = ("id", "type", "text", "options", "answer", "answers", "tolerance", "unit", "items", "pairs", "accept",
         "order_by", "explanation", "fact", "source", "tags", "difficulty", "event")


def _missing(question: dict[str, Any]) -> list[str]:
    notes = []
    for key in ("source", "tags", "difficulty", "explanation"):
        if key not in question:
            notes.append(f"no {key}")
    texts = [question["text"], *([question["explanation"]] if "explanation" in question else []),
             *(question.get("options") or {}).values(),
             *(side for pair in question.get("pairs") or [] for side in (pair["left"], pair["right"]))]
    if question["type"] == "text":
        texts.append(question["answer"])
    absent = [code for code in LANGUAGES if any(isinstance(value, dict) and code not in value for value in texts)]
    if absent:
        notes.append(f"no {', '.join(absent)} translation")
    return notes


def read_gift(text: str, file: str, lang: str = "ru") -> GiftResult:
    result = GiftResult()
    taken: set[str] = set()
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if raw.strip():
            if not current:
                start = number
            current.append(raw)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    for line, lines in blocks:
        meta: dict[str, Any] = {}
        body: list[str] = []
        for offset, raw in enumerate(lines):
            stripped = raw.strip()
            if stripped.startswith("//"):
                comment = stripped[2:].strip()
                if comment.startswith(META):
                    try:
                        meta = json.loads(comment[len(META):])
                    except ValueError:
                        result.warnings.append(f"{file}:{line + offset}: unreadable quizapp comment, ignored")
                    meta = meta if isinstance(meta, dict) else {}
                continue
            if stripped.startswith("$CATEGORY:"):
                continue
            body.append(raw)
        if not body:
            continue
        first = line + next(index for index, raw in enumerate(lines) if raw in body)
        try:
            title, question = _convert("\n".join(body), first, lang, meta)
        except GiftError as error:
            result.problems.append(f"{file}:{error.line}: {error}")
            continue
        question["id"] = _make_id(title, first, taken)
        notes = _missing(question)
        if notes:
            result.warnings.append(f"{file}:{first}: {question['id']}: {'; '.join(notes)} (fill in before bank validate)")
        result.questions.append({key: question[key] for key in ORDER if key in question})
    return result


__all__ = ["GiftResult", "languages", "read_gift", "unescape"]
