"""The bank in Moodle's own import formats: GIFT and Moodle XML (``bank export``).

Plain Python (no Flask).  ``export(bank, selector, fmt, lang)`` returns the file's text and the
questions Moodle has no type for (``ordering``: core Moodle has none), which the command names
on standard error.  The mapping, type by type (docs/authoring.md, "Moodle in and out"):

    single      multichoice, one answer (GIFT ``{=right ~wrong}``)
    multiple    multichoice, several answers: each right option 100/r %, each wrong one
                −100/r % (r right options), which is this app's own partial credit
    true_false  truefalse (GIFT ``{T}`` / ``{F}``)
    numeric     numerical, answer ± tolerance (the unit is added to the question text)
    year        numerical, answer ± tolerance
    matching    matching (GIFT ``{=left -> right}``)
    text        shortanswer, case-insensitive: every language's answer and every accepted
                spelling is a 100 % answer (Moodle compares the typed text literally)
    ordering    skipped

Languages: with ``lang=None`` every text carries all four languages as Moodle's
multi-language spans (``<span lang="ru" class="multilang">…</span>``), shown by the
Multi-Language Content filter; with ``lang="ru"`` (or en, kk, zh) plain text in that language.
The explanation becomes the question's general feedback.  GIFT has no place for the source
paragraph, tags and difficulty, so each question is preceded by a comment Moodle ignores,
``// quizapp: {...}``, which ``bank import-gift`` reads back; Moodle XML carries the tags in
``<tags>`` and the same JSON in a comment.
"""
from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from typing import Any

from quizapp.bank.checks import LANGUAGES
from quizapp.bank.loader import TAGS, Bank, Item, resolve_pool

FORMATS = ("gift", "moodle-xml")
UNSUPPORTED = {"ordering": "Moodle has no core ordering question type"}
GIFT_SPECIAL = "\\~=#{}:"
META_PREFIX = "quizapp:"


class SelectorError(ValueError):
    """The quiz id or tag names nothing in the bank."""


def select_questions(bank: Bank, selector: str) -> list[Item]:
    """The questions of quiz ``selector`` (its pool, in bank order), or those with tag ``selector``."""
    if selector in bank.quizzes:
        return [bank.questions[key] for key in resolve_pool(bank.quizzes[selector].data, bank.questions)]
    if selector in TAGS:
        return [item for item in bank.questions.values() if selector in item.data.get("tags", [])]
    raise SelectorError(f"{selector!r} is neither a quiz id nor a tag (quizzes: {', '.join(bank.quizzes) or 'none'};"
                        f" tags: {', '.join(TAGS)})")


def export(bank: Bank, selector: str, fmt: str, lang: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The file's text, and (question id, reason) for each question left out."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    items = select_questions(bank, selector)
    skipped = [(item.key, UNSUPPORTED[item.data["type"]]) for item in items if item.data["type"] in UNSUPPORTED]
    kept = [item for item in items if item.data["type"] not in UNSUPPORTED]
    writer = _gift if fmt == "gift" else _moodle_xml
    return writer(kept, f"quizapp/{selector}", lang), skipped


# --- texts ---------------------------------------------------------------------------------

def multilang_html(value: dict[str, str], lang: str | None) -> str:
    """HTML: one language's text, or every language's in a multi-language span."""
    if lang is not None:
        return html.escape(_pick(value, lang), quote=False)
    return "".join(f'<span lang="{code}" class="multilang">{html.escape(value[code], quote=False)}</span>'
                   for code in LANGUAGES if code in value)


def _pick(value: dict[str, str], lang: str) -> str:
    return value.get(lang) or value.get("ru") or next(iter(value.values()))


def _question_html(data: dict[str, Any], lang: str | None) -> str:
    text = dict(data["text"])
    unit = data.get("unit")
    if data["type"] == "numeric" and unit:
        text = {code: f"{words} ({unit.get(code) or _pick(unit, code)})" for code, words in text.items()}
    return multilang_html(text, lang)


def _number(value: float) -> str:
    return f"{value:.10g}"


def _share(count: int) -> str:
    # Moodle's grade list writes 1/3 as 33.33333 (five decimals); imports must match it.
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def text_answers(data: dict[str, Any]) -> list[str]:
    """Every spelling a ``text`` question accepts, each once: its languages' answers, then ``accept``."""
    seen: list[str] = []
    for spelling in [*(data["answer"][code] for code in LANGUAGES if code in data["answer"]), *data["accept"]]:
        if spelling not in seen:
            seen.append(spelling)
    return seen


def metadata(data: dict[str, Any]) -> dict[str, Any]:
    """What Moodle has no field for, kept so ``import-gift`` can restore the question."""
    meta = {"type": data["type"], "source": data["source"], "tags": data["tags"], "difficulty": data["difficulty"]}
    for key in ("fact", "order_by"):  # the study pages' fact, and what an ordering's order is about
        if key in data:
            meta[key] = data[key]
    if "event" in data:
        meta["event"] = data["event"]
    if data["type"] == "text":
        meta["answer"] = data["answer"]
        meta["accept"] = data["accept"]
    if data["type"] == "numeric" and "unit" in data:
        meta["unit"] = data["unit"]
    if data["type"] == "matching":  # the drop-down's plain text joins the languages
        meta["right"] = [pair["right"] for pair in data["pairs"]]
    return meta


# --- GIFT ------------------------------------------------------------------------------------

def gift_escape(text: str) -> str:
    escaped = "".join("\\" + char if char in GIFT_SPECIAL else char for char in text)
    return escaped.replace("\r\n", "\n").replace("\n", "\\n")


def _g(value: dict[str, str], lang: str | None) -> str:
    return gift_escape(multilang_html(value, lang))


def _gift_answers(data: dict[str, Any], lang: str | None) -> str:
    kind = data["type"]
    if kind == "single":
        return " ".join(("=" if key == data["answer"] else "~") + _g(label, lang)
                        for key, label in data["options"].items())
    if kind == "multiple":
        right = set(data["answers"])
        share = _share(len(right))
        return " ".join(f"~%{share if key in right else '-' + share}%{_g(label, lang)}"
                        for key, label in data["options"].items())
    if kind == "true_false":
        return "TRUE" if data["answer"] else "FALSE"
    if kind in ("numeric", "year"):
        return f"#{_number(data['answer'])}:{_number(data.get('tolerance', 0))}"
    if kind == "matching":
        return " ".join(f"={_g(pair['left'], lang)} -> {gift_escape(_plain(pair['right'], lang))}"
                        for pair in data["pairs"])
    if kind == "text":
        return " ".join("=" + gift_escape(spelling) for spelling in text_answers(data))
    raise ValueError(f"no Moodle type for {kind!r}")


def _plain(value: dict[str, str], lang: str | None) -> str:
    # Matching answers are shown in a drop-down, where Moodle prints plain text: with every
    # language they are joined with " / " (spans would show as tags in the list).
    if lang is not None:
        return _pick(value, lang)
    return " / ".join(dict.fromkeys(value[code] for code in LANGUAGES if code in value))


def _gift(items: list[Item], category: str, lang: str | None) -> str:
    out = ["// Exported by quizapp (flask --app quizapp bank export --format gift).",
           "// Import in Moodle: Question bank > Import > GIFT format.", "",
           f"$CATEGORY: $course$/{category}", ""]
    for item in items:
        data = item.data
        out.append(f"// {META_PREFIX} {json.dumps(metadata(data), ensure_ascii=False, sort_keys=True)}")
        feedback = "####" + _g(data["explanation"], lang)
        out.append(f"::{gift_escape(item.key)}::[html]{gift_escape(_question_html(data, lang))} "
                   f"{{{_gift_answers(data, lang)} {feedback}}}")
        out.append("")
    return "\n".join(out) + "\n"


# --- Moodle XML --------------------------------------------------------------------------------

def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt, **attributes} if fmt else attributes)
    ET.SubElement(element, "text").text = value
    return element


def _answer(parent: ET.Element, fraction: str, text: str, fmt: str | None = "html") -> ET.Element:
    answer = _text(parent, "answer", text, fmt, fraction=fraction)
    _text(answer, "feedback", "")
    return answer


MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse",
                "numeric": "numerical", "year": "numerical", "matching": "matching", "text": "shortanswer"}


def _xml_question(quiz: ET.Element, item: Item, lang: str | None) -> None:
    data, kind = item.data, item.data["type"]
    # "--" may not appear in an XML comment; "\u002d" is the same JSON.
    meta = json.dumps(metadata(data), ensure_ascii=False, sort_keys=True).replace("--", "-\\u002d")
    quiz.append(ET.Comment(f" {META_PREFIX} {meta} "))
    question = ET.SubElement(quiz, "question", {"type": MOODLE_TYPES[kind]})
    _text(question, "name", item.key, fmt=None)
    _text(question, "questiontext", _question_html(data, lang))
    _text(question, "generalfeedback", multilang_html(data["explanation"], lang))
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "0"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = item.key
    if kind in ("single", "multiple"):
        ET.SubElement(question, "single").text = "true" if kind == "single" else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "abc"
        for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(question, name, "")
        right = {data["answer"]} if kind == "single" else set(data["answers"])
        share = "100" if kind == "single" else _share(len(right))
        wrong = "0" if kind == "single" else "-" + share
        for key, label in data["options"].items():
            _answer(question, share if key in right else wrong, multilang_html(label, lang))
    elif kind == "true_false":
        _answer(question, "100" if data["answer"] else "0", "true", fmt="moodle_auto_format")
        _answer(question, "0" if data["answer"] else "100", "false", fmt="moodle_auto_format")
    elif kind in ("numeric", "year"):
        answer = _answer(question, "100", _number(data["answer"]), fmt="moodle_auto_format")
        ET.SubElement(answer, "tolerance").text = _number(data.get("tolerance", 0))
    elif kind == "matching":
        ET.SubElement(question, "shuffleanswers").text = "true"
        for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(question, name, "")
        for pair in data["pairs"]:
            sub = _text(question, "subquestion", multilang_html(pair["left"], lang))
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = _plain(pair["right"], lang)
    elif kind == "text":
        ET.SubElement(question, "usecase").text = "0"
        for spelling in text_answers(data):
            _answer(question, "100", spelling, fmt="moodle_auto_format")
    tags = ET.SubElement(question, "tags")
    for tag in data["tags"]:
        ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag


def _moodle_xml(items: list[Item], category: str, lang: str | None) -> str:
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(" Exported by quizapp: bank export, format moodle-xml "))
    category_question = ET.SubElement(quiz, "question", {"type": "category"})
    _text(category_question, "category", f"$course$/{category}", fmt=None)
    for item in items:
        _xml_question(quiz, item, lang)
    ET.indent(quiz)
    body = ET.tostring(quiz, encoding="unicode", short_empty_elements=False)  # <text></text>, as Moodle writes
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


__all__ = ["FORMATS", "SelectorError", "UNSUPPORTED", "export", "gift_escape", "metadata", "multilang_html",
           "select_questions", "text_answers"]
