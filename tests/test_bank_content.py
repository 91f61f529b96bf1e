"""Every right answer is backed by the paragraph its question cites.

For each shipped question we take the key tokens of its right answer (numbers, and the
capitalised words of the Russian answer text: names, titles, the key term a label starts
with) and look for them in the cited line of ``../shared/source/article.ru.txt``
(paragraph N is line N).  How tokens match:

- numbers: as numbers, so 43.8 matches "43,8" and 20 matches "20-го".  A number the
  article only implies (a year from an anniversary) counts when the explanation shows the
  subtraction, e.g. "2026 − 34", and both operands are in the paragraph;
- Cyrillic words: by stem, case-insensitive and with ё = е: the first 5 letters, or for a
  word of 4–5 letters all but its last (Китае ~ Китай, Июнь ~ июне); words of 2–3
  letters whole (Си).  A short capitalised word opening a label is a preposition (За, В),
  not a name, and is skipped;
- abbreviations (КНР, ЦК КПК, ШОС, КазНУ): literally, or as the initials of consecutive
  words of the paragraph (ШОС ~ Шанхайской организации сотрудничества);
- Latin names ("CITIC Construction", "Air China"): literally, the whole run of
  capitalised words.

An answer with none of these ("единой судьбы", a true statement in lowercase) is checked
by its longer words instead (5 letters or more, by stem): at least half of them must be in
the paragraph, since the bank words things in its own way.

A ``true_false`` question whose answer is false states something the article does not
say, so for those only the cited paragraph must exist.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from quizapp.bank.loader import load_bank

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "source" / "article.ru.txt"

WORD = re.compile(r"[A-Za-zА-Яа-яЁё]+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z]*(?:\s+[A-Z][A-Za-z]*)*\b")
SUBTRACTION = re.compile(r"(\d+)\s*[−–-]\s*(\d+)")
QUESTION_PREFIX = re.compile(r"^\s*Верно ли,? что,?\s*", re.IGNORECASE)
SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)[«\"(]*$")


def normal(word: str) -> str:
    return word.casefold().replace("ё", "е")


def number(text: str) -> float:
    return float(text.replace(",", "."))


class Paragraph:
    """One line of the article, indexed for the token rules."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = [normal(w) for w in WORD.findall(text)]
        self.raw_words = set(WORD.findall(text))
        self.numbers = {number(n) for n in NUMBER.findall(text)}

    def has_stem(self, word: str) -> bool:
        word = normal(word)
        if len(word) <= 3:
            return word in self.words
        stem = word[:5] if len(word) > 5 else word[:-1]
        return any(candidate.startswith(stem) for candidate in self.words)

    def has_abbreviation(self, word: str) -> bool:
        if word in self.raw_words:
            return True
        initials = [normal(part) for part in re.findall(r"[A-ZА-ЯЁ][a-zа-яё]*", word)]
        return any(all(self.words[start + i].startswith(part) for i, part in enumerate(initials))
                   for start in range(len(self.words) - len(initials) + 1))

    def has_number(self, value: float, explanation: str) -> bool:
        if value in self.numbers:
            return True
        return any(number(a) - number(b) == value and number(a) in self.numbers and number(b) in self.numbers
                   for a, b in SUBTRACTION.findall(explanation))


def answer_texts(question: dict[str, Any]) -> list[str]:
    """The Russian text of the right answer (the right options, items, pairs...)."""
    kind = question["type"]
    if kind == "single":
        return [question["options"][question["answer"]]["ru"]]
    if kind == "multiple":
        return [question["options"][key]["ru"] for key in question["answers"]]
    if kind == "true_false":  # a true statement is its own right answer
        return [QUESTION_PREFIX.sub("", question["text"]["ru"])] if question["answer"] else []
    if kind in ("numeric", "year"):
        return []
    if kind == "ordering":
        return [label["ru"] for label in question["items"].values()]
    if kind == "matching":
        return [pair[side]["ru"] for pair in question["pairs"] for side in ("left", "right")]
    if kind == "text":
        return [question["answer"]["ru"]]
    raise AssertionError(f"no token rule for question type {kind!r}")


def key_tokens(question: dict[str, Any]) -> tuple[set[float], set[str], set[str], set[str]]:
    """(numbers, capitalised Cyrillic words, Latin names, other long words) of the right
    answer; the last only when there is none of the others."""
    numbers: set[float] = set()
    words: set[str] = set()
    latin: set[str] = set()
    plain: set[str] = set()
    if question["type"] in ("numeric", "year"):
        numbers.add(float(question["answer"]))
    for text in answer_texts(question):
        numbers.update(number(n) for n in NUMBER.findall(text))
        latin.update(LATIN_NAME.findall(text))
        for match in WORD.finditer(text):
            word = match.group()
            if not re.match(r"[А-ЯЁ]", word):
                continue
            if len(word) <= 3 and not word.isupper() and SENTENCE_START.search(text[:match.start()]):
                continue  # "За 80 лет...": a capitalised preposition, not a name
            words.add(word)
    if not (numbers or words or latin):
        plain = {normal(word) for text in answer_texts(question) for word in WORD.findall(text) if len(word) >= 5}
    return numbers, words, latin, plain


def missing_tokens(question: dict[str, Any], paragraph: Paragraph) -> list[str]:
    """The key tokens of the right answer that the paragraph does not back."""
    numbers, words, latin, plain = key_tokens(question)
    explanation = question["explanation"]["ru"]
    missing = [f"{value:g}" for value in sorted(numbers) if not paragraph.has_number(value, explanation)]
    for word in sorted(words):
        is_abbreviation = sum(1 for letter in word if letter.isupper()) >= 2
        if not (paragraph.has_stem(word) or (is_abbreviation and paragraph.has_abbreviation(word))):
            missing.append(word)
    missing.extend(name for name in sorted(latin) if name not in paragraph.text)
    absent = sorted(word for word in plain if not paragraph.has_stem(word))
    if len(absent) * 2 > len(plain):
        missing.append(f"most of the words ({', '.join(absent)})")
    return missing


def check(question: dict[str, Any], paragraphs: dict[int, Paragraph]) -> list[str]:
    cited = question["source"]["paragraph"]
    paragraph = paragraphs.get(cited)
    if paragraph is None or not paragraph.text.strip():
        return [f"paragraph {cited} is not in the article"]
    return missing_tokens(question, paragraph)


# --- the shipped bank -----------------------------------------------------------------------

SHIPPED = load_bank([ROOT / "questions"], root=ROOT)


@pytest.fixture(scope="module")
def article() -> dict[int, Paragraph]:
    if not ARTICLE.is_file():
        pytest.skip(f"the source article is absent ({ARTICLE}); cannot check the answers against it")
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return {number: Paragraph(text) for number, text in enumerate(lines, 1)}


def test_the_article_has_14_paragraphs(article):
    assert sorted(article) == list(range(1, 15))


def test_the_shipped_bank_loads():
    assert SHIPPED.ok, [str(p) for p in SHIPPED.problems]


@pytest.mark.parametrize("key", sorted(SHIPPED.questions))
def test_right_answer_is_in_the_cited_paragraph(article, key):
    item = SHIPPED.questions[key]
    missing = check(item.data, article)
    assert missing == [], (f"{item.file}:{item.line}: {key} cites paragraph {item.data['source']['paragraph']}, "
                           f"which does not have: {', '.join(missing)}")


def test_every_question_has_something_to_check():
    """The check means something only if there is something to check."""
    checked = [key for key, item in SHIPPED.questions.items() if any(key_tokens(item.data))]
    false_statements = [key for key, item in SHIPPED.questions.items()
                        if item.data["type"] == "true_false" and not item.data["answer"]]
    assert len(checked) + len(false_statements) == len(SHIPPED.questions)


def test_a_wrong_citation_is_caught_for_almost_every_question(article):
    """Cite any other paragraph and the check fails, for nearly every question."""
    caught = total = 0
    for item in SHIPPED.questions.values():
        if not any(key_tokens(item.data)):
            continue
        for other in article:
            if other == item.data["source"]["paragraph"]:
                continue
            total += 1
            caught += bool(check({**item.data, "source": {"paragraph": other}}, article))
    assert total > 1000
    assert caught / total > 0.9, f"only {caught} of {total} wrong citations caught"  # 94% when written


@pytest.mark.parametrize("key, wrong, missing", [
    ("trade-volume-2025", 8, ["43.8"]),
    ("sister-city-text", 4, ["Алматы"]),
    ("citic-construction", 8, ["CITIC Construction"]),
    ("diplomatic-relations-year", 4, ["1992"]),
    ("xian-xinghai-birth-year", 13, ["1905"]),
    ("xi-visit-month", 5, ["Июнь"]),
])
def test_the_checker_catches_a_shipped_question_cited_wrong(article, key, wrong, missing):
    question = SHIPPED.questions[key].data
    assert check(question, article) == []
    assert check({**question, "source": {"paragraph": wrong}}, article) == missing


# --- the checker on its own, without the article ----------------------------------------------

TOY = {
    1: Paragraph("Заголовок."),
    2: Paragraph("В 2025 году товарооборот достиг 43,8 млрд долларов, а Шанхай и Алматы стали побратимами."),
    3: Paragraph("Компания CITIC Construction завершила работу; саммит Шанхайской организации сотрудничества прошёл в Китае."),
    4: Paragraph("2026 год ознаменует 34-ю годовщину отношений; Председатель КНР Си Цзиньпин выступил."),
}


def question(kind: str, paragraph: int, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "source": {"paragraph": paragraph},
            "text": {"ru": "Вопрос?", "en": "Question?"},
            "explanation": {"ru": "Так.", "en": "So."}, **fields}


def options(right: str) -> dict[str, Any]:
    return {"options": {"r": {"ru": right, "en": "x"}, "w": {"ru": "Неверно", "en": "y"}}, "answer": "r"}


def test_a_decimal_number_matches_its_comma_form():
    assert check(question("numeric", 2, answer=43.8), TOY) == []
    assert check(question("numeric", 3, answer=43.8), TOY) == ["43.8"]
    assert check(question("numeric", 2, answer=43.9), TOY) == ["43.9"]


def test_an_implied_year_needs_the_arithmetic_from_the_paragraph():
    shown = {"ru": "Отношения установлены в 2026 − 34 = 1992 году.", "en": "2026 − 34 = 1992."}
    assert check(question("year", 4, answer=1992, explanation=shown), TOY) == []
    assert check(question("year", 4, answer=1992), TOY) == ["1992"]  # no arithmetic shown
    assert check(question("year", 2, answer=1992, explanation=shown), TOY) == ["1992"]  # operands elsewhere
    wrong_sum = {"ru": "2026 − 34 = 1993.", "en": "2026 − 34 = 1993."}
    assert check(question("year", 4, answer=1993, explanation=wrong_sum), TOY) == ["1993"]


def test_names_match_by_stem_case_and_yo():
    assert check(question("single", 2, **options("Шанхай и Алматы")), TOY) == []
    assert check(question("single", 3, **options("Саммит в Китае")), TOY) == []  # Китае ~ Китай... ~ Китае
    assert check(question("text", 2, answer={"ru": "АЛМАТЫ", "en": "Almaty"}), TOY) == []
    assert check(question("text", 3, answer={"ru": "Алматы", "en": "Almaty"}), TOY) == ["Алматы"]
    assert check(question("text", 2, answer={"ru": "Астана", "en": "Astana"}), TOY) == ["Астана"]


def test_abbreviations_match_literally_or_by_initials():
    assert check(question("single", 4, **options("Председатель КНР")), TOY) == []
    assert check(question("single", 3, **options("Саммит ШОС")), TOY) == []  # Шанхайской организации сотрудничества
    assert check(question("single", 2, **options("Саммит ШОС")), TOY) == ["Саммит", "ШОС"]


def test_latin_names_match_literally():
    assert check(question("text", 3, answer={"ru": "CITIC Construction", "en": "CITIC Construction"}), TOY) == []
    assert check(question("text", 3, answer={"ru": "CITIC Group", "en": "CITIC Group"}), TOY) == ["CITIC Group"]


def test_a_short_capitalised_word_opening_a_label_is_skipped_but_a_short_name_is_not():
    assert check(question("single", 2, **options("В 2025 году")), TOY) == []
    assert check(question("single", 4, **options("Си Цзиньпин")), TOY) == []
    assert check(question("single", 2, **options("Председатель Си")), TOY) == ["Председатель", "Си"]


def test_an_answer_without_names_is_checked_by_its_words():
    assert check(question("text", 2, answer={"ru": "товарооборот долларов", "en": "x"}), TOY) == []
    assert check(question("text", 2, answer={"ru": "товарооборот рублей", "en": "x"}), TOY) == []  # half is enough
    assert check(question("text", 3, answer={"ru": "товарооборот долларов", "en": "x"}), TOY) == [
        "most of the words (долларов, товарооборот)"]


def test_every_part_of_a_compound_answer_is_checked():
    pairs = [{"left": {"ru": "Шанхай", "en": "a"}, "right": {"ru": "Алматы", "en": "b"}},
             {"left": {"ru": "CITIC Construction", "en": "c"}, "right": {"ru": "2025", "en": "d"}}]
    assert check(question("matching", 2, pairs=pairs), TOY) == ["CITIC Construction"]
    items = {"a": {"ru": "Шанхай", "en": "a"}, "b": {"ru": "Китай", "en": "b"}}
    assert check(question("ordering", 2, items=items), TOY) == ["Китай"]
    many = {"options": {"a": {"ru": "Шанхай", "en": "a"}, "b": {"ru": "Астана", "en": "b"},
                        "c": {"ru": "Киев", "en": "c"}}, "answers": ["a", "b"]}
    assert check(question("multiple", 2, **many), TOY) == ["Астана"]


def test_true_statements_are_checked_false_ones_only_need_their_paragraph():
    true = question("true_false", 2, answer=True, text={"ru": "Верно ли, что Шанхай побратался с Астаной?", "en": "?"})
    assert check(true, TOY) == ["Астаной"]
    assert check({**true, "answer": False}, TOY) == []
    assert check({**true, "answer": False, "source": {"paragraph": 14}}, TOY) == ["paragraph 14 is not in the article"]
