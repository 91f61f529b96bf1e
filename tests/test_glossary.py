"""Every question names things the way the glossary in docs/authoring.md does, in Kazakh and
in Chinese.

The glossary is the first table under "## Names: the glossary": one row per recurring name,
with its Russian, English, Kazakh and Chinese forms and where the Kazakh and Chinese forms come
from.  Whenever the Russian text of a field names a row (a question's text, an option, an item,
a pair, a typed answer, a unit, an explanation, an event title, a quiz's title or description),
the Kazakh and the Chinese text of the same field must contain that row's form.  A cell may
give several accepted forms separated by " / ".

How names are matched, allowing for case endings:

- Russian declines names by replacing their ending (Астана, в Астане; Сянь Синхай, Сянь
  Синхая; Пекинская опера, Пекинской оперы).  Each word of the form loses up to two final
  letters from а я ы и е о у ю й ь (keeping three), and then matches with at most three more
  letters and no more after: "Астана" finds "Астане" and "Астану"; "Пекин" finds "Пекине" but
  not "Пекинской" (the opera, its own row).
- Kazakh adds suffixes to an unchanged word (Астанаға, Қазақстанның), except that a final
  к, қ or п turns into г, ғ or б before a vowel (консулдық, консулдығы).  Each word of the form
  loses such a final consonant and then matches with any letters after it.
- Chinese is matched as written (there are no case endings), spaces in the text ignored.
- Words may be separated by spaces, quotes «» “” „ ‘ ’ and brackets; a dash is a word.
- A longer name is matched before a shorter one inside it, which then does not count:
  «Эйр Астана» asks for 阿斯塔纳航空, not for 阿斯塔纳 as well.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from quizapp.bank.loader import load_bank

ROOT = Path(__file__).resolve().parents[1]
AUTHORING = ROOT / "docs" / "authoring.md"
HEADING = "## Names: the glossary"

_SEPARATOR = r"[\s«»\"“”„‘’()]+"
_RUSSIAN_ENDINGS = set("аяыиеоуюйь")
_KAZAKH_MUTATING = set("кқп")


@dataclass(frozen=True)
class Name:
    ru: tuple[str, ...]
    en: str
    kk: tuple[str, ...]
    zh: tuple[str, ...]
    source: str

    @property
    def russian(self) -> list[re.Pattern[str]]:
        return [russian_pattern(form) for form in self.ru]


def _words(form: str) -> list[str]:
    return [word for word in re.split(_SEPARATOR, form) if word]


def russian_pattern(form: str) -> re.Pattern[str]:
    parts = []
    for word in _words(form):
        stem = word
        for _ in range(2):  # "15-й" keeps its й: only a letter after a letter is an ending
            if len(stem) > 3 and stem[-1].lower() in _RUSSIAN_ENDINGS and stem[-2].isalpha():
                stem = stem[:-1]
        parts.append(re.escape(stem) + (r"\w{0,3}(?!\w)" if stem[-1].isalpha() else ""))
    return re.compile(r"(?<!\w)" + _SEPARATOR.join(parts), re.IGNORECASE)


def kazakh_pattern(form: str) -> re.Pattern[str]:
    parts = []
    for word in _words(form):
        stem = word[:-1] if len(word) > 3 and word[-1].lower() in _KAZAKH_MUTATING else word
        parts.append(re.escape(stem) + (r"\w*" if stem[-1].isalpha() else ""))
    return re.compile(r"(?<!\w)" + _SEPARATOR.join(parts), re.IGNORECASE)


def chinese_has(text: str, form: str) -> bool:
    return form in re.sub(r"\s+", "", text)


def read_glossary(markdown: str) -> list[Name]:
    section = markdown.split(HEADING, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[:4] == ["ru", "en", "kk", "zh"], header
    names = []
    for row in rows[2:]:  # after the header and its |---| line
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        assert len(cells) == 5 and all(cells), row
        ru, en, kk, zh, source = cells

        def forms(cell: str) -> tuple[str, ...]:
            return tuple(form.strip() for form in cell.split(" / "))

        names.append(Name(forms(ru), en, forms(kk), forms(zh), source))
    return names


GLOSSARY = read_glossary(AUTHORING.read_text(encoding="utf-8"))
# Longest Russian form first: a name inside a longer one is the longer one's.
BY_LENGTH = sorted(GLOSSARY, key=lambda name: -max(len(form) for form in name.ru))


def localized_fields(data: Any, path: str = "") -> Iterator[tuple[str, dict[str, str]]]:
    """Every {ru, en, kk, zh} mapping in a question or quiz, with its field name."""
    if isinstance(data, dict):
        if isinstance(data.get("ru"), str):
            yield path, data
            return
        for key, value in data.items():
            yield from localized_fields(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from localized_fields(value, f"{path}[{index}]")


def glossary_problems(texts: dict[str, str], names: list[Name] = BY_LENGTH) -> list[str]:
    """What the kk and zh of one field lack, for every glossary name its ru text uses."""
    russian, problems = texts["ru"], []
    for name in names:
        found = None
        for pattern in name.russian:
            found = pattern.search(russian)
            if found:
                break
        if not found:
            continue
        russian = russian[:found.start()] + " " * len(found.group()) + russian[found.end():]
        if not any(kazakh_pattern(form).search(texts.get("kk", "")) for form in name.kk):
            problems.append(f"«{found.group()}» is {' / '.join(name.kk)} in Kazakh")
        if not any(chinese_has(texts.get("zh", ""), form) for form in name.zh):
            problems.append(f"«{found.group()}» is {' / '.join(name.zh)} in Chinese")
    return problems


SHIPPED = load_bank([ROOT / "questions"], root=ROOT)


def test_the_glossary_is_read_from_the_authoring_guide():
    assert len(GLOSSARY) >= 40
    assert {"冼星海", "西北工业大学", "中欧班列"} <= {form for name in GLOSSARY for form in name.zh}
    assert {"Достық — Мойынты", "Тынышпаев"} <= {form for name in GLOSSARY for form in name.kk}
    for name in GLOSSARY:  # each form finds itself
        assert all(pattern.search(form) for pattern, form in zip(name.russian, name.ru)), name.ru
        assert all(kazakh_pattern(form).search(form) for form in name.kk), name.kk


@pytest.mark.parametrize("pattern, text, matches", [
    (russian_pattern("Астана"), "Саммит прошёл в Астане.", True),
    (russian_pattern("Сянь Синхай"), "памятник Сянь Синхаю", True),
    (russian_pattern("Пекин"), "тур Пекинской оперы", False),
    (russian_pattern("Пекинская опера"), "тур Пекинской оперы", True),
    (russian_pattern("Шанхай"), "саммит Шанхайской организации", False),
    (russian_pattern("Китай (Сиань) — Казахстан"), "терминал «Китай (Сиань) — Казахстан»", True),
    (kazakh_pattern("Бас консулдық"), "Бас консулдығы хабарлады", True),
    (kazakh_pattern("Астана"), "Астанаға келді", True),
    (kazakh_pattern("Бейжің"), "Пекин операсы", False),
])
def test_names_are_matched_with_their_case_endings(pattern, text, matches):
    assert bool(pattern.search(text)) is matches


def test_a_field_that_names_a_glossary_name_in_another_form_is_caught():
    good = {"ru": "Где родился Сянь Синхай?", "en": "Where was Xian Xinghai born?",
            "kk": "Сянь Синхай қайда туды?", "zh": "冼星海出生在哪里？"}
    assert glossary_problems(good) == []
    assert glossary_problems({**good, "zh": "西安星海出生在哪里？"}) == ["«Сянь Синхай» is 冼星海 in Chinese"]
    beijing = {"ru": "Делегация приехала в Пекин.", "en": "", "kk": "Делегация Пекинге келді.", "zh": "代表团来到北京。"}
    assert glossary_problems(beijing) == ["«Пекин» is Бейжің in Kazakh"]
    # The longer name is the one asked for: Эйр Астана, not Астана as well.
    airline = {"ru": "рейсы «Эйр Астана»", "en": "", "kk": "«Эйр Астана» рейстері", "zh": "阿斯塔纳航空的航班"}
    assert glossary_problems(airline) == []


def _items() -> list[tuple[str, Any]]:
    return [*SHIPPED.questions.items(), *SHIPPED.quizzes.items()]


@pytest.mark.parametrize("key, item", _items(), ids=[key for key, _item in _items()])
def test_every_question_and_quiz_uses_the_glossary_forms(key, item):
    problems = [f"{item.file}:{item.line}: {key} {field}: {problem}"
                for field, texts in localized_fields(item.data) for problem in glossary_problems(texts)]
    assert problems == [], "\n".join(problems)


def test_every_glossary_name_is_used_by_the_bank():
    """A row no question uses is not a recurring name (or its Russian form is out of date)."""
    russian = [texts["ru"] for _key, item in _items() for _field, texts in localized_fields(item.data)]
    unused = [name.ru[0] for name in GLOSSARY
              if not any(pattern.search(text) for pattern in name.russian for text in russian)]
    assert unused == []
