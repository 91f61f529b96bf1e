"""The bank's facts (``fact:``): what the study pages, the paragraph pages and the timeline show.

Every shipped question has one (its own or one it shares); each is in the team's own words,
not the article's: no run of eight words of an article sentence, names and titles aside; and
every number in a fact is in its paragraph, or follows from the paragraph by a subtraction the
fact shows ("2026 − 34"), or names a paragraph ("абзац 8").  The fact is the only text of a
study page, so a slip here is what a student learns.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp.bank.loader import VERDICT_OPENING, load_bank

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "source" / "article.ru.txt"
RUN = 8
# Official names and titles, which a fact may give whole (authoring rule 2).
NAMES = (
    "80-летию Победы в Войне сопротивления китайского народа японским захватчикам и в Мировой антифашистской войне",
    "первый международный туристический поезд Китай — Центральная Азия",
    "Связующая нить Шёлкового пути — совместное сияние Пекина и Алматы",
    "Неделя гуманитарных и туристических обменов Сиань — Алматы",
    "Родина Конфуция — гостеприимный Шаньдун", "Культурный тур Пекинской оперы в Алматы",
    "Китайское искусство идей: шедевры из Национального художественного музея Китая",
    "Великолепный Китай: искусство и красота Синьцзяна",
    "Air China, China Eastern и China Southern",
    "международный институт «Цифровых технологий и робототехники» и Центр робототехники",
    "институт цифровых технологий и робототехники и Центр робототехники",
    "четвёртый пленум ЦК КПК 20-го созыва",
)
# Ordinals the article writes in words.
ORDINAL_WORDS = {4: "четв", 15: "пятнадцат"}
SUBTRACTION = re.compile(r"(\d+)\s*−\s*(\d+)")


def words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text.casefold().replace("ё", "е"))


@pytest.fixture(scope="module")
def article() -> list[str]:
    return ARTICLE.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def facts():
    bank = load_bank([ROOT / "questions"])
    assert bank.ok
    return {key: item.data for key, item in bank.questions.items() if isinstance(item.data.get("fact"), dict)}


def copied_runs(text: str, article: list[str]) -> list[str]:
    for name in NAMES:
        text = re.sub(re.escape(name).replace("ё", "[её]"), " | ", text, flags=re.IGNORECASE)
    runs = {tuple(line[i:i + RUN]) for line in map(words, article) for i in range(len(line) - RUN + 1)}
    found = []
    for part in text.split("|"):
        w = words(part)
        found += [" ".join(w[i:i + RUN]) for i in range(len(w) - RUN + 1) if tuple(w[i:i + RUN]) in runs]
    return found


def unbacked_numbers(text: str, paragraph: str) -> list[str]:
    in_paragraph = {float(n.replace(",", ".")) for n in re.findall(r"\d+(?:,\d+)?", paragraph)}
    derived = set()
    for a, b in SUBTRACTION.findall(text):
        if float(a) in in_paragraph and float(b) in in_paragraph:
            derived |= {float(a), float(b), float(a) - float(b)}
    text = re.sub(r"абзаца? \d+|\d+-абзац", "", text, flags=re.IGNORECASE)
    missing = []
    for raw in re.findall(r"\d+(?:,\d+)?", text):
        value = float(raw.replace(",", "."))
        ordinal = ORDINAL_WORDS.get(int(value)) if value.is_integer() else None
        if value not in in_paragraph | derived and not (ordinal and ordinal in paragraph.casefold()):
            missing.append(raw)
    return missing


def test_every_shipped_question_has_a_fact_and_none_opens_with_a_verdict(facts):
    bank = load_bank([ROOT / "questions"])
    assert [key for key, item in bank.questions.items() if "fact" not in item.data] == []
    assert [key for key, data in facts.items() for text in data["fact"].values() if VERDICT_OPENING.match(text)] == []


def test_facts_are_in_the_teams_own_words(facts, article):
    copied = {key: runs for key, data in facts.items() if (runs := copied_runs(data["fact"]["ru"], article))}
    assert copied == {}


def test_every_number_in_a_fact_is_backed_by_its_paragraph(facts, article):
    unbacked = {key: missing for key, data in facts.items()
                if (missing := unbacked_numbers(data["fact"]["ru"], article[data["source"]["paragraph"] - 1]))}
    assert unbacked == {}


def test_the_checks_catch_a_copy_and_an_invented_number(article):
    paragraph = article[6]
    assert copied_runs("Официально введён в эксплуатацию проект логистического терминала «Китай (Сиань) — Казахстан».",
                       article)
    assert unbacked_numbers("Торговля выросла на 9,4%.", paragraph) == ["9,4"]
    assert unbacked_numbers("Торговля выросла на 9,3%.", paragraph) == []
    assert unbacked_numbers("Отношения установлены в 1992 году (2026 − 34).", article[12]) == []
    assert unbacked_numbers("Отношения установлены в 1992 году.", article[12]) == ["1992"]
