"""Reading and validating the YAML bank: the shipped bank loads, and every kind of
mistake is reported as ``FILE:LINE:COL: FIELD: message`` at the right place."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from quizapp.bank import loader
from quizapp.bank.loader import load_bank
from quizapp.question_types import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "questions"

# A valid question; the tests below change one line of it.  Line numbers as in the file:
QUESTION = """\
  - id: q-one
    type: single
    text: {ru: "Вопрос?", en: "Question?", kk: "Сұрақ?", zh: "问题？"}
    options:
      a: {ru: "Один", en: "One", kk: "Бір", zh: "一"}
      b: {ru: "Два", en: "Two", kk: "Екі", zh: "二"}
    answer: a
    explanation: {ru: "Так.", en: "So.", kk: "Солай.", zh: "如此。"}
    source: {paragraph: 4}
    tags: [visits]
    difficulty: 1
"""
#   1 questions:
#   2   - id: q-one
#   3     type: single
#   4     text: {...}
#   5     options:
#   6       a: {...}
#   7       b: {...}
#   8     answer: a
#   9     explanation: {...}
#  10     source: {paragraph: 4}
#  11     tags: [visits]
#  12     difficulty: 1

NUMERIC = """\
  - id: q-number
    type: numeric
    text: {ru: "Сколько?", en: "How much?", kk: "Қанша?", zh: "多少？"}
    answer: 43.8
    tolerance: 0.1
    explanation: {ru: "Так.", en: "So.", kk: "Солай.", zh: "如此。"}
    source: {paragraph: 7}
    tags: [trade]
    difficulty: 1
"""


TEXT = 'text: {ru: "Вопрос?", en: "Question?", kk: "Сұрақ?", zh: "问题？"}'
EXPLANATION = 'explanation: {ru: "Так.", en: "So.", kk: "Солай.", zh: "如此。"}'


def question(*, replace: tuple[str, str] | None = None, add: str = "", id: str = "q-one") -> str:
    text = QUESTION.replace("q-one", id)
    if replace is not None:
        assert replace[0] in text, replace[0]
        text = text.replace(replace[0], replace[1])
    return text + add


def write(tmp_path: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def problems(tmp_path: Path, files: dict[str, str | bytes]) -> list[str]:
    write(tmp_path, files)
    bank = load_bank([tmp_path], root=tmp_path)
    assert bank.ok is (not bank.problems)
    return [str(problem) for problem in bank.problems]


def bank_file(*questions: str, quizzes: str = "") -> str:
    text = "questions:\n" + "".join(questions)
    return text + ("quizzes:\n" + quizzes if quizzes else "")


# --- the shipped bank ------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return load_bank([QUESTIONS], root=ROOT)


def test_the_shipped_bank_is_valid(shipped):
    assert [str(p) for p in shipped.problems] == []
    assert len(shipped.questions) >= 80
    assert shipped.file_count == len(list(QUESTIONS.glob("*.yaml")))
    assert set(loader.type_of(item).name for item in shipped.questions.values()) == set(REGISTRY)


def test_the_shipped_bank_uses_every_tag_and_paragraph_range(shipped):
    used_tags = Counter(tag for item in shipped.questions.values() for tag in item.data["tags"])
    assert set(used_tags) == set(loader.TAGS)
    assert {item.data["difficulty"] for item in shipped.questions.values()} == {1, 2, 3}


def test_the_shipped_quizzes_resolve(shipped):
    assert set(shipped.quizzes) == {"first-steps", "visits-diplomacy", "trade-infrastructure", "science-education",
                                    "culture-tourism", "anniversaries", "chronology", "marathon"}
    for key, quiz in shipped.quizzes.items():
        pool = shipped.pool(key)
        assert len(pool) >= (quiz.data.get("draw") or 1), key
    assert len(shipped.pool("first-steps")) == 10
    assert shipped.pool("marathon") == list(shipped.questions)


def test_validate_cli_on_the_shipped_bank(app, shipped):
    result = app.test_cli_runner().invoke(args=["bank", "validate", str(QUESTIONS)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"OK: {len(shipped.questions)} questions, {len(shipped.quizzes)} quizzes, "
                             f"{shipped.file_count} files\n")


def test_validate_cli_reports_every_problem_and_fails(app, tmp_path, monkeypatch):
    write(tmp_path, {
        "a.yaml": bank_file(question(replace=("answer: a", "answer: c"))),
        "b.yaml": bank_file(question(id="q-two", replace=("paragraph: 4", "paragraph: 15"))),
    })
    monkeypatch.chdir(tmp_path)
    result = app.test_cli_runner().invoke(args=["bank", "validate", "."])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "a.yaml:8:13: answer: 'c' is not one of the options (a, b)\n"
        "b.yaml:10:25: source.paragraph: must be between 1 and 14, got 15\n"
        "2 problems found\n"
    )


def test_validate_cli_on_a_missing_folder(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["bank", "validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr


# --- one test per kind of mistake --------------------------------------------------------

def test_a_valid_file_has_no_problems(tmp_path):
    assert problems(tmp_path, {"bank.yaml": bank_file(question(), NUMERIC)}) == []


def test_yaml_syntax_error(tmp_path):
    text = bank_file(question(replace=('zh: "问题？"}', 'zh: "问题？"')))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:5:5: yaml: did not find expected ',' or '}' (while parsing a flow mapping at line 4, column 11)",
    ]


def test_yaml_unquoted_colon(tmp_path):
    text = bank_file(question(replace=("answer: a", "answer: a: the first")))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:8:14: yaml: mapping values are not allowed in this context; put text that contains ': ' in double quotes",
    ]


def test_yaml_tab_indentation(tmp_path):
    text = bank_file(question(replace=("    difficulty: 1", "\tdifficulty: 1")))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:12:1: yaml: a tab character; YAML indents with spaces only",
    ]


def test_unknown_key(tmp_path):
    text = bank_file(question(add='    hint: {ru: "Подсказка", en: "Hint", kk: "Кеңес", zh: "提示"}\n'))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:13:5: hint: unknown key (expected one of: answer, difficulty, event, explanation, fact, id, "
        "options, source, tags, text, type)",
    ]


FACT = '    fact: {ru: "Факт.", en: "A fact.", kk: "Дерек.", zh: "事实。"}\n'


def test_a_fact_in_four_languages_or_shared_by_id_is_accepted(tmp_path):
    text = bank_file(question(add=FACT), question(id="q-two", add="    fact: q-one\n"))
    assert problems(tmp_path, {"bank.yaml": text}) == []
    bank = load_bank([tmp_path], root=tmp_path)
    assert bank.questions["q-two"].data["fact"] == "q-one"


def test_a_fact_missing_a_language_is_refused_with_its_line(tmp_path):
    text = bank_file(question(add='    fact: {ru: "Факт.", en: "A fact.", kk: "Дерек."}\n'))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:13:11: fact.zh: missing translation"]


@pytest.mark.parametrize("language, opening", [("ru", "Неверно: "), ("ru", "Верно — "), ("en", "False: "),
                                               ("kk", "Бұрыс: "), ("zh", "正确："), ("zh", "错误：")])
def test_a_fact_opening_with_a_verdict_is_refused(tmp_path, language, opening):
    fact = {"ru": "Факт.", "en": "A fact.", "kk": "Дерек.", "zh": "事实。"}
    fact[language] = opening + fact[language]
    written = ", ".join(f'{k}: "{v}"' for k, v in fact.items())
    found = problems(tmp_path, {"bank.yaml": bank_file(question(add=f"    fact: {{{written}}}\n"))})
    assert len(found) == 1 and found[0].startswith(f"bank.yaml:13:") and f": fact.{language}: a fact states " in found[0]


def test_a_fact_that_merely_starts_with_such_a_word_is_fine(tmp_path):
    text = bank_file(question(add='    fact: {ru: "Верность слову.", en: "Trueness.", kk: "Дерек.", zh: "正确的道路。"}\n'))
    assert problems(tmp_path, {"bank.yaml": text}) == []


@pytest.mark.parametrize("first, second, message", [
    (question(), question(id="q-two", add="    fact: q-none\n"), "fact: unknown question id 'q-none'"),
    (question(), question(id="q-two", add="    fact: q-one\n"), "fact: question 'q-one' does not state a fact of its own to share"),
    (question(add=FACT), question(id="q-two", add="    fact: q-two\n"), "fact: names its own question: write the fact in the four languages instead"),
    (question(add=FACT), question(id="q-two", replace=("paragraph: 4", "paragraph: 5"), add="    fact: q-one\n"),
     "fact: question 'q-one' cites paragraph 4, this one 5: a shared fact cites one paragraph"),
    (question(add=FACT), question(id="q-two", add="    fact: 12\n"), "fact: expected a mapping of translations {ru: ..., en: ..., kk: ..., zh: ...}, got the integer 12"),
])
def test_a_shared_fact_must_name_a_question_of_the_same_paragraph_with_its_own(tmp_path, first, second, message):
    line = 25 if "fact:" in first else 24
    assert problems(tmp_path, {"bank.yaml": bank_file(first, second)}) == [f"bank.yaml:{line}:11: {message}"]


def test_every_shipped_question_has_a_fact(shipped):
    missing = [key for key, item in shipped.questions.items() if "fact" not in item.data]
    assert missing == []


def test_a_key_of_another_type_is_unknown(tmp_path):
    text = bank_file(question(add="    tolerance: 1\n"))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:13:5: tolerance: unknown key (expected one of: answer, difficulty, event, explanation, fact, id, "
        "options, "
        "source, tags, text, type)",
    ]


def test_duplicate_key(tmp_path):
    text = bank_file(question(add="    difficulty: 2\n"))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:13:5: difficulty: duplicate key"]


def test_unknown_type_does_not_also_flag_its_keys(tmp_path):
    text = bank_file(question(replace=("type: single", "type: choice")))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:3:11: type: unknown question type 'choice' (expected one of: matching, multiple, numeric, "
        "ordering, single, text, true_false, year)",
    ]


def test_wrong_type(tmp_path):
    text = bank_file(question(replace=("difficulty: 1", 'difficulty: "easy"')))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:12:17: difficulty: expected an integer, got the text 'easy'",
    ]


def test_wrong_type_of_translation(tmp_path):
    text = bank_file(question(replace=(TEXT, 'text: "Вопрос?"')))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:4:11: text: expected a mapping of translations {ru: ..., en: ..., kk: ..., zh: ...}, got the text 'Вопрос?'",
    ]


def test_missing_translation(tmp_path):
    text = bank_file(question(replace=(TEXT, 'text: {ru: "Вопрос?", kk: "Сұрақ?", zh: "问题？"}')))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:4:11: text.en: missing translation"]


@pytest.mark.parametrize("lang, without", [
    ("kk", 'text: {ru: "Вопрос?", en: "Question?", zh: "问题？"}'),
    ("zh", 'text: {ru: "Вопрос?", en: "Question?", kk: "Сұрақ?"}'),
])
def test_a_question_missing_kazakh_or_chinese_is_refused_with_its_file_and_line(tmp_path, lang, without):
    text = bank_file(question(replace=(TEXT, without)))
    assert problems(tmp_path, {"bank.yaml": text}) == [f"bank.yaml:4:11: text.{lang}: missing translation"]
    # Deeper down too: an option, and a quiz's title, each at its own line.
    option = bank_file(question(replace=('b: {ru: "Два", en: "Two", kk: "Екі", zh: "二"}', 'b: {ru: "Два", en: "Two"}')),
                       quizzes=QUIZ.replace(', kk: "Викторина", zh: "测验"', ""))
    assert problems(tmp_path, {"bank.yaml": option}) == [
        "bank.yaml:7:10: options.b.kk: missing translation", "bank.yaml:7:10: options.b.zh: missing translation",
        "bank.yaml:15:12: title.kk: missing translation", "bank.yaml:15:12: title.zh: missing translation"]


def test_kazakh_and_chinese_texts_are_checked_and_other_languages_refused(tmp_path):
    full = bank_file(question())
    assert problems(tmp_path, {"bank.yaml": full}) == []
    blank = bank_file(question(replace=(TEXT, 'text: {ru: "Вопрос?", en: "Question?", kk: " ", zh: "问题？"}')))
    assert problems(tmp_path, {"bank.yaml": blank})[0].startswith("bank.yaml:4:")
    assert "text.kk: expected non-empty text" in problems(tmp_path, {"bank.yaml": blank})[0]
    german = bank_file(question(replace=(TEXT, 'text: {ru: "Вопрос?", en: "Question?", kk: "Сұрақ?", zh: "问题？", de: "Frage?"}')))
    assert problems(tmp_path, {"bank.yaml": german}) == [
        "bank.yaml:4:73: text.de: unknown language (expected ru, en, kk, zh)"]


def test_missing_key(tmp_path):
    text = bank_file(question(replace=("    difficulty: 1\n", "")))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:2:5: difficulty: missing"]


def test_duplicate_id_across_two_files(tmp_path):
    assert problems(tmp_path, {
        "a.yaml": bank_file(question()),
        "b.yaml": bank_file(NUMERIC, question()),
    }) == ["b.yaml:11:9: id: duplicate id 'q-one' (first defined at a.yaml:2)"]


def test_answer_not_among_options(tmp_path):
    text = bank_file(question(replace=("answer: a", "answer: c")))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:8:13: answer: 'c' is not one of the options (a, b)"]


def test_duplicate_options(tmp_path):
    text = bank_file(question(replace=('b: {ru: "Два", en: "Two", kk: "Екі", zh: "二"}',
                                       'b: {ru: "один", en: "Two", kk: "Екі", zh: "二"}')))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:7:10: options.b: duplicate option: same ru text as 'a'",
    ]


def test_negative_tolerance(tmp_path):
    text = bank_file(NUMERIC.replace("tolerance: 0.1", "tolerance: -0.5"))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:6:16: tolerance: must not be negative, got -0.5"]


def test_a_number_must_be_finite(tmp_path):
    text = bank_file(NUMERIC.replace("answer: 43.8", "answer: .inf"))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:5:13: answer: expected a finite number, got inf"]


@pytest.mark.parametrize("paragraph", [0, 15])
def test_paragraph_outside_1_to_14(tmp_path, paragraph):
    text = bank_file(question(replace=("paragraph: 4", f"paragraph: {paragraph}")))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        f"bank.yaml:10:25: source.paragraph: must be between 1 and 14, got {paragraph}",
    ]


def test_unquoted_year_in_event_date(tmp_path):
    text = bank_file(question(add='    event: {date: 2025, title: {ru: "Событие", en: "Event", kk: "Оқиға", zh: "事件"}}\n'))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        'bank.yaml:13:19: event.date: expected a quoted date "YYYY", "YYYY-MM" or "YYYY-MM-DD", got the integer 2025',
    ]


QUIZ = """\
  - id: the-quiz
    title: {ru: "Викторина", en: "Quiz", kk: "Викторина", zh: "测验"}
"""


def test_quiz_naming_an_unknown_tag(tmp_path):
    text = bank_file(question(), quizzes=QUIZ + "    from: {tags: [visits, sport]}\n")
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:16:27: from.tags[1]: unknown tag 'sport' (expected one of: visits, diplomacy, trade, "
        "infrastructure, science, education, culture, tourism, anniversaries)",
    ]


def test_quiz_naming_a_tag_no_question_has(tmp_path):
    text = bank_file(question(), quizzes=QUIZ + "    from: {tags: [science]}\n")
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:16:19: from.tags[0]: no question has the tag 'science'",
    ]


def test_quiz_naming_an_unknown_id(tmp_path):
    text = bank_file(question(), quizzes=QUIZ + "    from:\n      ids: [q-one, q-nine]\n")
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:17:20: from.ids[1]: unknown question id 'q-nine': it does not exist",
    ]


def test_quiz_in_another_file_naming_an_invalid_question(tmp_path):
    assert problems(tmp_path, {
        "a.yaml": bank_file(question(replace=("answer: a", "answer: c"))),
        "quizzes.yaml": "quizzes:\n" + QUIZ + "    from: {ids: [q-one]}\n",
    }) == [
        "a.yaml:8:13: answer: 'c' is not one of the options (a, b)",
        "quizzes.yaml:4:18: from.ids[0]: unknown question id 'q-one': it is not valid",
    ]


def test_quiz_drawing_more_than_exist(tmp_path):
    text = bank_file(question(), NUMERIC, quizzes=QUIZ + "    draw: 3\n    from: {tags: [visits, trade]}\n")
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:25:11: draw: draws 3 questions but only 2 match",
    ]


def test_an_invalid_question_still_counts_for_its_quizzes_tags_and_draw(tmp_path):
    """A mistake is reported once, where it is, not again on every quiz that uses the question."""
    text = bank_file(NUMERIC.replace("tolerance: 0.1", "tolerance: -1"),
                     quizzes=QUIZ + "    draw: 1\n    from: {tags: [trade]}\n")
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:6:16: tolerance: must not be negative, got -1"]


def test_quiz_bad_options(tmp_path):
    text = bank_file(question(), quizzes=QUIZ + "    feedback: later\n    scoring: fast\n    time_limit: 0\n")
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:16:15: feedback: expected one of immediate, end, got the text 'later'",
        "bank.yaml:17:14: scoring: expected one of plain, speed, got the text 'fast'",
        "bank.yaml:18:17: time_limit: must be at least 1, got 0",
    ]


# --- hostile or broken files ---------------------------------------------------------------

def test_yaml_tags_are_refused(tmp_path):
    text = "questions:\n  - !!python/object/apply:os.system [\"echo pwned\"]\n"
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:2:5: questions[0]: YAML tag !!python/object/apply:os.system is not allowed; use plain values",
    ]


def test_local_yaml_tags_are_refused(tmp_path):
    text = bank_file(question(replace=("difficulty: 1", "difficulty: !easy 1")))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:12:17: difficulty: YAML tag !easy is not allowed; use plain values",
    ]


def test_a_tag_on_a_key_is_refused_not_a_crash(tmp_path):
    text = "questions:\n  - !!python/name:os.system x: 1\n"
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:2:5: (key): YAML tag !!python/name:os.system is not allowed; use plain values",
    ]


def test_an_impossible_tagged_value_is_refused_not_a_crash(tmp_path):
    text = bank_file(question(replace=("difficulty: 1", "difficulty: !!int one")))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:12:17: difficulty: 'one' is not a valid !!int value"]


def test_a_tag_that_does_not_fit_its_value_is_refused(tmp_path):
    text = bank_file(question(replace=("tags: [visits]", "tags: !!map [visits]")))
    assert problems(tmp_path, {"bank.yaml": text}) == ["bank.yaml:11:11: tags: YAML tag !!map does not fit this value"]


def test_an_alias_is_refused_where_it_is_used(tmp_path):
    text = bank_file(question(replace=(EXPLANATION, EXPLANATION.replace("{", "&same {", 1))),
                     question(id="q-two", replace=(EXPLANATION, "explanation: *same")))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:20:18: explanation: YAML aliases (*name) are not allowed in a bank",
    ]


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    found = problems(tmp_path, {"lol.yaml": text})
    elapsed = time.perf_counter() - started
    assert len(found) == 81  # one per alias written, nothing expanded
    assert found[0] == "lol.yaml:2:10: a1[0]: YAML aliases (*name) are not allowed in a bank"
    assert found[-1] == "lol.yaml:10:50: a9[8]: YAML aliases (*name) are not allowed in a bank"
    assert elapsed < 2.0


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 500)
    text = bank_file(question(), question(id="q-two"), question(id="q-three"))
    assert len(text.encode()) > 500
    size = len(text.encode())
    assert problems(tmp_path, {"big.yaml": text}) == [
        f"big.yaml:1:1: file: too large: {size:,} bytes, over the limit of 500 bytes; split it into smaller files",
    ]


def test_a_non_utf8_file_is_refused(tmp_path):
    text = bank_file(question())
    # cp1251 has no Kazakh ұ or Chinese: those become "?", the Russian stays cp1251's bytes.
    assert problems(tmp_path, {"bank.yaml": text.encode("cp1251", errors="replace")}) == [
        "bank.yaml:4:17: file: not UTF-8 text (byte 0xc2: invalid continuation byte); save the file as UTF-8",
    ]


def test_all_problems_are_reported_in_one_run(tmp_path):
    text = bank_file(question(replace=("answer: a", "answer: c"))
                     .replace("paragraph: 4", "paragraph: 20")
                     .replace(TEXT, 'text: {ru: "Вопрос?", kk: "Сұрақ?", zh: "问题？"}'))
    assert problems(tmp_path, {"bank.yaml": text}) == [
        "bank.yaml:4:11: text.en: missing translation",
        "bank.yaml:8:13: answer: 'c' is not one of the options (a, b)",
        "bank.yaml:10:25: source.paragraph: must be between 1 and 14, got 20",
    ]


def test_problems_in_several_files_and_items_come_in_file_order(tmp_path):
    found = problems(tmp_path, {
        "b.yaml": bank_file(NUMERIC.replace("difficulty: 1", "difficulty: 5")),
        "a.yaml": bank_file(question(add="    colour: red\n"), question(id="Q_Two")),
    })
    assert found == [
        "a.yaml:13:5: colour: unknown key (expected one of: answer, difficulty, event, explanation, fact, id, "
        "options, "
        "source, tags, text, type)",
        "a.yaml:14:9: id: missing or malformed id (lowercase letters, digits and dashes)",
        "b.yaml:10:17: difficulty: must be between 1 and 3, got 5",
    ]


def test_not_a_mapping_at_the_top(tmp_path):
    assert problems(tmp_path, {"bank.yaml": "- id: q-one\n"}) == [
        "bank.yaml:1:1: (item): expected a mapping, got a list",
    ]
