"""Grading and asking, per question type, with no database and no request."""
from __future__ import annotations

import pytest

from quizapp.bank.checks import Checker
from quizapp.question_types import REGISTRY, InvalidResponse, display_order, get_type, normalise_text

SINGLE = {"options": {"a": {"ru": "А", "en": "A"}, "b": {"ru": "Б", "en": "B"}, "c": {"ru": "В", "en": "C"}}, "answer": "b"}
MULTIPLE = {"options": {k: {"ru": k, "en": k} for k in "abcd"}, "answers": ["a", "b"]}
ORDERING = {"items": {k: {"ru": k, "en": k} for k in "abcd"}}
MATCHING = {"pairs": [{"left": {"ru": f"L{i}", "en": f"L{i}"}, "right": {"ru": f"R{i}", "en": f"R{i}"}} for i in range(3)]}


def test_every_type_is_registered():
    assert sorted(REGISTRY) == ["matching", "multiple", "numeric", "ordering", "single", "text", "true_false", "year"]
    with pytest.raises(KeyError, match="unknown question type"):
        get_type("essay")


def test_single_choice_reads_display_positions_not_keys():
    qtype = get_type("single")
    order = ["c", "a", "b"]
    assert qtype.read_field(SINGLE, order, "2") == "b"
    assert qtype.grade(SINGLE, "b").is_correct
    assert not qtype.grade(SINGLE, "a").is_correct
    with pytest.raises(InvalidResponse):
        qtype.read_field(SINGLE, order, "3")
    with pytest.raises(InvalidResponse):
        qtype.read_field(SINGLE, order, "b")


def test_multiple_choice_partial_credit():
    qtype = get_type("multiple")
    assert qtype.grade(MULTIPLE, ["a", "b"]).credit == 1.0
    assert qtype.grade(MULTIPLE, ["a", "b"]).is_correct
    half = qtype.grade(MULTIPLE, ["a"])
    assert (half.credit, half.is_correct) == (0.5, False)
    # A wrong pick takes back a right one, never below zero.
    assert qtype.grade(MULTIPLE, ["a", "c"]).credit == 0.0
    assert qtype.grade(MULTIPLE, ["c", "d"]).credit == 0.0
    assert qtype.grade(MULTIPLE, ["a", "b", "c"]).credit == 0.5


def test_true_false():
    qtype = get_type("true_false")
    assert qtype.read_field({"answer": True}, [], "true") is True
    assert qtype.grade({"answer": False}, False).is_correct
    assert not qtype.grade({"answer": False}, True).is_correct


@pytest.mark.parametrize("typed, right", [("43.8", True), ("43,7", True), ("43.9", True), (" 43,80 ", True),
                                          ("43.95", False), ("44", False)])
def test_numeric_with_tolerance_and_comma(typed, right):
    qtype = get_type("numeric")
    content = {"answer": 43.8, "tolerance": 0.1, "unit": {"ru": "млрд долларов США", "en": "billion USD"}}
    assert qtype.grade(content, qtype.read_field(content, [], typed)).is_correct is right
    assert qtype.format_answer(content, "en") == "43.8 ± 0.1 billion USD"
    assert qtype.format_answer(content, "ru") == "43,8 ± 0,1 млрд долларов США"


@pytest.mark.parametrize("typed", ["", "abc", "nan", "inf", "1e999"])
def test_numeric_refuses_what_is_not_a_number(typed):
    with pytest.raises(InvalidResponse):
        get_type("numeric").read_field({"answer": 1}, [], typed)


def test_year_with_and_without_tolerance():
    qtype = get_type("year")
    assert qtype.grade({"answer": 1992}, qtype.read_field({}, [], "1992")).is_correct
    assert not qtype.grade({"answer": 1992}, 1993).is_correct
    assert qtype.grade({"answer": 1992, "tolerance": 1}, 1993).is_correct
    with pytest.raises(InvalidResponse):
        qtype.read_field({}, [], "19920")


def test_ordering_partial_credit_by_pairs():
    qtype = get_type("ordering")
    assert qtype.grade(ORDERING, ["a", "b", "c", "d"]).is_correct
    # One adjacent swap breaks 1 of the 6 pairs.
    assert qtype.grade(ORDERING, ["b", "a", "c", "d"]).credit == pytest.approx(5 / 6)
    assert qtype.grade(ORDERING, ["d", "c", "b", "a"]).credit == 0.0


def test_ordering_reads_places_given_to_displayed_items():
    qtype = get_type("ordering")
    order = ["c", "a", "d", "b"]  # as displayed
    assert qtype.read_field(ORDERING, order, ["3", "1", "4", "2"]) == ["a", "b", "c", "d"]
    with pytest.raises(InvalidResponse, match="exactly once"):
        qtype.read_field(ORDERING, order, ["1", "1", "2", "3"])


def test_matching_partial_credit():
    qtype = get_type("matching")
    order = ["2", "0", "1"]  # right-hand items as displayed
    response = qtype.read_field(MATCHING, order, ["1", "2", "0"])
    assert response == ["0", "1", "2"]
    assert qtype.grade(MATCHING, response).is_correct
    assert qtype.grade(MATCHING, ["0", "2", "1"]).credit == pytest.approx(1 / 3)


@pytest.mark.parametrize("typed", ["Алматы", "  алматы. ", "«АЛМАТЫ»", "Almaty!", "алма-ата"])
def test_short_text_accepts_variants_normalised(typed):
    content = {"answer": {"ru": "Алматы", "en": "Almaty"}, "accept": ["Алматы", "Almaty", "Алма-Ата"]}
    assert get_type("text").grade(content, typed).is_correct


def test_normalise_text_folds_yo_case_spaces_and_punctuation():
    assert normalise_text("  Ёлка,  ЗЕЛЁНАЯ!! ") == "елка зеленая"


@pytest.mark.parametrize("typed, written", [
    # a dash of any kind, with or without spaces, is one word break
    ("Китай—Казахстан", "Китай — Казахстан"),
    ("Китай–Казахстан", "Китай — Казахстан"),
    ("Китай - Казахстан", "Китай — Казахстан"),
    ("Китай Казахстан", "Китай — Казахстан"),
    ("Alma Ata", "Alma-Ata"),
    # quotes and apostrophes inside the answer do not count
    ("Институт «Цифровых технологий»", "Институт цифровых технологий"),
    ("“Цифровых технологий”", "\"Цифровых технологий\""),
    ("Xi’an", "Xi'an"),
    ("Xian", "Xi'an"),
    # nor do commas and a bracketed note
    ("One Belt, One Road", "One Belt One Road"),
    ("Шанхайская организация сотрудничества (ШОС)", "Шанхайская организация сотрудничества"),
    # ё/е and case
    ("Шёлковый путь", "ШЕЛКОВЫЙ ПУТЬ"),
    # romanised names: й/ы as y or i, е after a vowel as ye or e, х as kh or h
    ("Moyynty", "Moiynty"),
    ("Moyinty", "Moiynty"),
    ("Tynyshpayev", "Tynyshpaev"),
    ("Mukhamedzhan", "Muhamedzhan"),
    # full-width forms typed from a Chinese keyboard
    ("Ｘｉａｎ", "Xian"),
    # Chinese with or without spaces between the characters, or beside Latin letters and digits
    ("冼 星 海", "冼星海"),
    ("中欧 班列", "中欧班列"),
    (" 阿斯塔纳 ", "阿斯塔纳"),
    ("CITIC 建设", "CITIC建设"),
    ("第二届 中国—中亚峰会", "第二届中国—中亚峰会"),
    # ...with or without Chinese quotes and book-title marks...
    ("《冼星海》", "冼星海"),
    ("“一带一路”倡议", "一带一路倡议"),
    ("「一带一路」", "一带一路"),
    ("『中欧班列』", "中欧班列"),
    ("〈中欧班列〉", "中欧班列"),
    # ...with full-width brackets read as brackets: a note after the answer adds nothing,
    # and a whole answer in brackets is the answer
    ("上海合作组织（上合组织）", "上海合作组织"),
    ("（冼星海）", "冼星海"),
    # ...with or without Chinese punctuation: dashes, the name dot, the ideographic full stop
    ("多斯特克—莫因特", "多斯特克 - 莫因特"),
    ("多斯特克——莫因特", "多斯特克莫因特"),
    ("卡西姆-若马尔特·托卡耶夫", "卡西姆若马尔特托卡耶夫"),
    ("阿拉木图。", "阿拉木图"),
    ("西安、阿拉木图", "西安阿拉木图"),
])
def test_normalise_text_reads_spelling_variants_as_one_answer(typed, written):
    assert normalise_text(typed) == normalise_text(written)


@pytest.mark.parametrize("typed, written", [
    ("Казахстан — Китай", "Китай — Казахстан"),  # word order matters
    ("Синхай", "Сянь Синхай"),  # a missing word matters
    ("Мойынты", "Моинты"),  # Cyrillic letters are not folded
    ("(ШОС)", ""),  # a note alone is kept: it is all the answer there is
    ("星海", "冼星海"),  # a missing Chinese character matters
    ("中亚中国", "中国中亚"),  # so does the order of Chinese words
    ("One Belt", "OneBelt"),  # spaces between Latin letters still count
    ("Астана Алматы", "АстанаАлматы"),  # and between Cyrillic ones
])
def test_normalise_text_keeps_what_makes_answers_differ(typed, written):
    assert normalise_text(typed) != normalise_text(written)


@pytest.mark.parametrize("typed", ["冼星海", "冼 星 海", "《冼星海》", "“冼星海”", "冼星海。", "（冼星海）"])
def test_short_text_accepts_a_chinese_answer_with_or_without_spaces_and_quotes(typed):
    content = {"answer": {"ru": "Сянь Синхай", "en": "Xian Xinghai", "zh": "冼星海"}, "accept": ["Сянь Синхай"]}
    assert get_type("text").grade(content, typed).is_correct
    assert not get_type("text").grade(content, "冼星").is_correct


def test_a_text_question_refuses_a_chinese_spelling_that_differs_only_by_spaces():
    problems = []
    question = {"answer": {"ru": "Алматы", "en": "Almaty", "kk": "Алматы", "zh": "阿拉木图"}, "accept": ["阿拉木图", "阿拉 木图", "《阿拉木图》"]}
    get_type("text").check(question, Checker(lambda path, message: problems.append((path, message))))
    assert [path for path, message in problems] == [("accept", 1), ("accept", 2)]


def test_a_text_question_refuses_an_accept_list_with_two_spellings_of_one_answer():
    problems = []
    question = {"answer": {"ru": "Алматы", "en": "Almaty", "kk": "Алматы", "zh": "阿拉木图"}, "accept": ["Алма-Ата", "Алма Ата", "Almaty"]}
    get_type("text").check(question, Checker(lambda path, message: problems.append((path, message))))
    assert problems == [(("accept", 1), "'Алма Ата' is the same answer as 'Алма-Ата' once normalised; "
                                        "list only spellings that truly differ")]


def test_display_order_is_stable_per_attempt_and_position():
    keys = list("abcdef")
    assert display_order(7, 3, keys, True) == display_order(7, 3, keys, True)
    assert display_order(7, 3, keys, False) == keys
    orders = {tuple(display_order(seed, 0, keys, True)) for seed in range(20)}
    assert len(orders) > 5


def test_ordering_is_never_shown_in_its_right_order():
    keys = ["a", "b"]
    for seed in range(50):
        assert display_order(seed, 0, keys, True, avoid_identity=True) != keys


def test_every_wrong_order_of_an_ordering_question_is_equally_likely():
    # With a rotation instead of a fresh draw, one wrong order came up twice as often as the
    # others, which told a player something about the right one.
    from collections import Counter
    keys = ["a", "b", "c"]
    counts = Counter(tuple(display_order(seed, 0, keys, True, avoid_identity=True)) for seed in range(6000))
    assert tuple(keys) not in counts
    assert len(counts) == 5
    assert max(counts.values()) < 1.25 * min(counts.values())


def test_numbers_and_true_false_read_naturally_in_every_language():
    numeric, true_false = get_type("numeric"), get_type("true_false")
    content = {"answer": 43.8, "tolerance": 0.5}
    assert [numeric.format_answer(content, locale) for locale in ("ru", "en", "kk", "zh")] == [
        "43,8 ± 0,5", "43.8 ± 0.5", "43,8 ± 0,5", "43.8 ± 0.5"]
    assert true_false.public_view({"answer": True}, [], "kk") == {"options": ["Дұрыс", "Бұрыс"]}
    assert true_false.public_view({"answer": True}, [], "zh") == {"options": ["正确", "错误"]}


def test_a_typed_answer_in_another_language_than_the_page_is_marked_with_its_own():
    """The results page marks "Your answer" with a lang when the player typed another language's
    form (a screen reader then reads «Алматы» as Russian on an English page)."""
    text = get_type("text")
    content = {"answer": {"ru": "Алматы", "en": "Almaty", "kk": "Алматы", "zh": "阿拉木图"},
               "accept": ["Алма-Ата", "Alma-Ata"]}
    assert [text.response_language(content, "Алматы", page) for page in ("ru", "en", "kk", "zh")] == \
        [None, "ru", None, "ru"]
    assert [text.response_language(content, "阿拉 木图", page) for page in ("ru", "en", "kk", "zh")] == \
        ["zh", "zh", "zh", None]
    assert text.response_language(content, "Almaty", "zh") == "en"
    # Not one of the answer's forms: its letters decide, and Cyrillic on a ru or kk page says nothing.
    assert text.response_language(content, "Алма-Ата", "en") == "ru"
    assert text.response_language(content, "Алма-Ата", "kk") is None
    assert text.response_language(content, "Шыңжаң", "zh") == "kk"
    assert text.response_language(content, "1992", "zh") is None
    assert get_type("single").response_language({}, "a", "en") is None


def test_an_incomplete_question_type_stops_the_app_from_starting(monkeypatch, tmp_path):
    """A type that lacks a part fails loudly when the app is made, not silently in a page
    (the old template fell through to a text input for a type it did not know)."""
    from quizapp import create_app
    from quizapp.question_types import QuestionType

    class HalfDone(QuestionType):  # checks its YAML and makes a field, and nothing else
        name = "half_done"
        answer_template = "play/answer/_dial.html"

        def check(self, question, check):
            pass

        def make_field(self, content, order, locale, label):
            raise NotImplementedError

    monkeypatch.setitem(REGISTRY, "half_done", HalfDone())
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(RuntimeError, match="incomplete question types") as refused:
        create_app(config, instance_path=str(tmp_path / "instance"))
    gaps = str(refused.value).splitlines()[1:]
    assert gaps == [
        "question type 'half_done' does not define read_field()",
        "question type 'half_done' does not define check_json()",
        "question type 'half_done' does not define grade()",
        "question type 'half_done' does not define format_answer()",
        "question type 'half_done' does not define format_response()",
        "question type 'half_done' does not define public_view()",
        "question type 'half_done' has no public_schema (a PublicSchema)",
        "question type 'half_done' has no missing_message",
        "question type 'half_done': answer_template 'play/answer/_dial.html' does not exist",
    ]


def test_every_registered_type_is_whole():
    from quizapp.question_types import incomplete_types
    assert incomplete_types(lambda name: name.startswith("play/answer/")) == []


@pytest.mark.parametrize("kind, value, message", [
    # The API's strict reader is the type's own: JSON types are not coerced as a form's text is.
    ("single", True, "Unknown option."),
    ("single", None, "Choose an answer."),
    ("true_false", 1.0, "Answer true or false."),
    ("multiple", [0.0], "Choose at least one answer."),
    ("numeric", 10**400, "Enter a number."),
    ("year", 1992.0, "Enter a year, such as 1992."),
    ("ordering", ["1", "2", "3", "4"], "Give every item a place."),
    ("matching", [True, 0, 1], "Match every item."),
    ("text", "Alma\ud800ty", "Type an answer."),
    ("numeric", "4\ud8003", "Unknown option."),
])
def test_the_json_reader_refuses_what_a_form_could_not_send(kind, value, message):
    content = {"single": SINGLE, "multiple": MULTIPLE, "ordering": ORDERING, "matching": MATCHING}.get(kind, {})
    qtype = get_type(kind)
    order = qtype.shuffled_keys(content)
    with pytest.raises(InvalidResponse, match=message.replace(".", r"\.")):
        qtype.read_json(content, order, value)
