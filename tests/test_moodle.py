"""Moodle in and out: ``bank export --format gift|moodle-xml`` and ``bank import-gift``.

Checked against the published grammars (GIFT's special characters and escapes, its answer
syntax; Moodle XML's elements per type, and Moodle's list of grade fractions), against example
files written from Moodle's documentation (tests/data/moodle/), and by round trips: export to
GIFT and back to YAML that ``bank validate`` passes and that equals the bank; export to XML
and parse it back."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import given, strategies as st

from quizapp.bank.gift_import import read_gift, unescape
from quizapp.bank.loader import load_bank
from quizapp.bank.moodle import export, gift_escape

from helpers import TEST_BANK

DATA = Path(__file__).parent / "data" / "moodle"
# Moodle's question_bank::fraction_options_full(): the only grades its importers accept.
MOODLE_FRACTIONS = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571,
                    12.5, 11.11111, 10, 5, 0}


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank([TEST_BANK])
    assert loaded.ok
    return loaded


def _same_question(original: dict, converted: dict) -> None:
    """Equal, up to the option keys (GIFT has none: a, b, c... come back)."""
    original, converted = dict(original), dict(converted)
    if original.get("tolerance") == 0:  # the default, written or not
        original.pop("tolerance")
    if "options" in original:
        keys = dict(zip(original["options"], converted["options"]))
        assert list(converted["options"].values()) == list(original["options"].values())
        if "answer" in original:
            assert converted.pop("answer") == keys[original.pop("answer")]
        if "answers" in original:
            assert converted.pop("answers") == [keys[k] for k in original.pop("answers")]
        original.pop("options"), converted.pop("options")
    assert converted == original


def test_gift_round_trip_gives_back_the_bank(bank, tmp_path, app):
    text, skipped = export(bank, "all-types", "gift")
    assert skipped == [("t-ordering", "Moodle has no core ordering question type")]
    result = read_gift(text, "all.gift")
    assert result.problems == [] and result.warnings == []
    assert [q["id"] for q in result.questions] == [k for k in bank.pool("all-types") if k != "t-ordering"]
    for question in result.questions:
        _same_question(bank.questions[question["id"]].data, question)
    # And the command's YAML passes bank validate.
    (tmp_path / "all.gift").write_text(text, encoding="utf-8")
    runner = app.test_cli_runner()
    converted = runner.invoke(args=["bank", "import-gift", str(tmp_path / "all.gift"), "-o", str(tmp_path / "b.yaml")])
    assert converted.exit_code == 0, converted.output
    assert "7 questions converted, 0 not converted, 0 warnings" in converted.stderr
    validated = runner.invoke(args=["bank", "validate", str(tmp_path / "b.yaml")])
    assert validated.exit_code == 0 and "OK: 7 questions" in validated.stdout


def test_gift_follows_the_grammar(bank):
    text, _ = export(bank, "all-types", "gift")
    blocks = [block for block in text.split("\n\n") if "::" in block]
    assert len(blocks) == 7  # blank lines separate questions, and none is inside one
    for block in blocks:
        question = next(line for line in block.splitlines() if not line.startswith("//"))
        assert question.startswith("::") and question.endswith("}")
        # Outside the answers' braces, every special character is escaped.
        opening = re.search(r"(?<!\\)\{", question).start()
        stem = question[:opening]
        assert not re.search(r"(?<!\\)[~=#{}]", stem.split("::", 2)[2])
        meta = json.loads(block.splitlines()[0].removeprefix("// quizapp:"))
        assert meta["tags"]
    multiple = next(b for b in blocks if "::t-multiple::" in b)
    weights = [float(w) for w in re.findall(r"~%(-?[\d.]+)%", multiple)]
    assert sorted(weights) == [-33.33333, 33.33333, 33.33333, 33.33333]
    assert all(abs(w) in MOODLE_FRACTIONS for w in weights)
    assert "{TRUE ####" in next(b for b in blocks if "::t-true-false::" in b)
    assert "{#43.8:0.1 ####" in next(b for b in blocks if "::t-numeric::" in b)
    assert "{#1992:0 ####" in next(b for b in blocks if "::t-year::" in b)
    assert "{=Алматы =Almaty =阿拉木图 =Алма-Ата ####" in next(b for b in blocks if "::t-text::" in b)
    assert " -> CITIC Construction (строительная компания) / CITIC Construction (a building company) / CITIC Construction (құрылыс компаниясы) / 中信建设（建筑公司） =" in next(b for b in blocks if "::t-matching::" in b)


def test_one_language_is_plain_text(bank):
    text, _ = export(bank, "all-types", "gift", lang="en")
    assert "multilang" not in text
    assert "::t-single::[html]In which month did the leader visit Astana? {~May =June ~July" in text
    xml = export(bank, "visits", "moodle-xml", lang="zh")[0]
    assert "multilang" not in xml and "这位领导人在哪个月访问了阿斯塔纳？" in xml


@given(st.text(max_size=40))
def test_gift_escapes_every_special_character(text):
    escaped = gift_escape(text)
    assert unescape(escaped) == text.replace("\r\n", "\n")
    assert "\n" not in escaped
    assert not re.search(r"(?<!\\)(\\\\)*[~=#{}:]", escaped.replace("\\\\", ""))


def _children(question: ET.Element) -> set[str]:
    return {child.tag for child in question}


def test_moodle_xml_parses_back_with_every_element_of_the_documented_examples(bank):
    text, skipped = export(bank, "all-types", "moodle-xml")
    assert [key for key, _ in skipped] == ["t-ordering"]
    root = ET.fromstring(text.encode())
    documented = {}
    for question in ET.parse(DATA / "example.xml").getroot():
        documented.setdefault(question.get("type"), _children(question))
    exported = {q.findtext("name/text"): q for q in root.findall("question") if q.get("type") != "category"}
    assert root.find("question[@type='category']/category/text").text == "$course$/quizapp/all-types"
    kinds = {"t-single": "multichoice", "t-multiple": "multichoice", "t-true-false": "truefalse",
             "t-numeric": "numerical", "t-year": "numerical", "t-matching": "matching", "t-text": "shortanswer"}
    assert {key: q.get("type") for key, q in exported.items()} == kinds
    for key, question in exported.items():
        missing = documented[question.get("type")] - _children(question)
        assert not missing, (key, missing)
        for answer in question.findall("answer"):
            assert abs(float(answer.get("fraction"))) in MOODLE_FRACTIONS
    single = exported["t-single"]
    assert single.findtext("single") == "true"
    right = [a for a in single.findall("answer") if a.get("fraction") == "100"]
    assert len(right) == 1 and '<span lang="en" class="multilang">June</span>' in right[0].findtext("text")
    multiple = exported["t-multiple"]
    assert multiple.findtext("single") == "false"
    assert sorted(a.get("fraction") for a in multiple.findall("answer")) == ["-33.33333", "33.33333", "33.33333",
                                                                              "33.33333"]
    assert [a.findtext("text") for a in exported["t-true-false"].findall("answer") if a.get("fraction") == "100"] == ["true"]
    numeric = exported["t-numeric"].find("answer")
    assert numeric.findtext("text") == "43.8" and numeric.findtext("tolerance") == "0.1"
    assert "(billion USD)" in exported["t-numeric"].findtext("questiontext/text")
    assert [s.findtext("answer/text") for s in exported["t-matching"].findall("subquestion")][0] == \
        "CITIC Construction (строительная компания) / CITIC Construction (a building company) / " \
        "CITIC Construction (құрылыс компаниясы) / 中信建设（建筑公司）"
    assert [a.findtext("text") for a in exported["t-text"].findall("answer")] == ["Алматы", "Almaty", "阿拉木图", "Алма-Ата"]
    assert exported["t-text"].findtext("usecase") == "0"
    assert [t.text for t in exported["t-single"].findall("tags/tag/text")] == ["visits"]


def test_documented_examples_convert(tmp_path):
    result = read_gift((DATA / "docs-examples.gift").read_text(encoding="utf-8"), "ex.gift", lang="en")
    by_id = {q["id"]: q for q in result.questions}
    assert by_id["capital"]["type"] == "single" and by_id["capital"]["options"]["a"] == {"en": "Astana"}
    assert by_id["capital"]["answer"] == "a"
    assert by_id["gift-13"]["text"]["en"] == "The Khorgos gateway lies on the border of Kazakhstan and _____ in the east."
    assert by_id["tf-short"]["answer"] is True and by_id["tf-long"]["answer"] is False
    assert by_id["tf-long"]["explanation"] == {"en": "It was until 1997."}
    assert by_id["short"]["type"] == "text" and by_id["short"]["accept"] == ["Almaty", "Алматы", "Alma-Ata"]
    assert (by_id["year"]["type"], by_id["year"]["answer"], "tolerance" in by_id["year"]) == ("numeric", 1991, False)
    assert (by_id["range"]["answer"], by_id["range"]["tolerance"]) == (3, 2)
    assert by_id["numbers"]["answer"] == 2002 and "tolerance" not in by_id["numbers"]
    assert by_id["several"]["type"] == "multiple" and by_id["several"]["answers"] == ["a", "b"]
    assert [p["right"]["en"] for p in by_id["match"]["pairs"]] == ["Astana", "Beijing", "Bishkek"]
    assert by_id["escapes"]["text"]["en"] == "Solve x = 2 {in : braces} ~ not a wrong answer # nor feedback."
    assert result.problems == [
        "ex.gift:45: an essay question ({}), which this bank has no type for",
        "ex.gift:47: no {answers}: a description, which this bank has no type for",
        "ex.gift:49: more than one {answers} (embedded answers, Cloze) cannot be converted",
        "ex.gift:52: the { of the answers is never closed",
        "ex.gift:54: a choice question needs exactly one =right answer, got 0",
        "ex.gift:56: malformed number 'many' (expected {#answer:tolerance})",
    ]
    assert "ex.gift:6: capital: no source; no tags; no difficulty; no explanation; no ru, kk, zh translation" \
        in result.warnings[0]


def test_multilang_spans_and_mlang_give_languages():
    text = ('::q::[html]<span lang\\="ru" class\\="multilang">Да?</span><span class\\="multilang" lang\\="en">Yes?</span>'
            r'\{mlang kk\}Иә?\{mlang\} {T}')  # braces escaped, as GIFT wants
    question = read_gift(text, "f.gift").questions[0]
    assert question["text"] == {"ru": "Да?", "en": "Yes?", "kk": "Иә?"}


def test_commands_report_bad_input_without_a_traceback(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bank", "export", "--format", "gift", "no-such-quiz"])
    assert result.exit_code == 1 and "'no-such-quiz' is neither a quiz id nor a tag" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(args=["bank", "import-gift", str(tmp_path / "missing.gift")])
    assert result.exit_code == 1 and "cannot read" in result.output
    (tmp_path / "latin1.gift").write_bytes("Qu\xe9? {T}".encode("latin-1"))
    result = runner.invoke(args=["bank", "import-gift", str(tmp_path / "latin1.gift")])
    assert result.exit_code == 1 and "not UTF-8" in result.output
    result = runner.invoke(args=["bank", "import-gift", str(DATA / "docs-examples.gift"), "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1 and f"{DATA / 'docs-examples.gift'}:45: an essay" in result.stderr
    assert yaml.safe_load((tmp_path / "x.yaml").read_text())["questions"][0]["id"] == "capital"


def test_export_writes_a_file_and_names_skipped_types(app, tmp_path):
    out = tmp_path / "bank.xml"
    result = app.test_cli_runner().invoke(args=["bank", "export", "--format", "moodle-xml", "all-types", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped t-ordering: Moodle has no core ordering question type" in result.stderr
    assert "moodle-xml: 7 questions exported, 1 skipped" in result.stderr
    assert ET.parse(out).getroot().tag == "quiz"
    by_tag = app.test_cli_runner().invoke(args=["bank", "export", "--format", "gift", "trade"])
    assert by_tag.exit_code == 0 and "::t-numeric::" in by_tag.stdout and "::t-single::" not in by_tag.stdout


def test_xml_comments_never_hold_a_double_dash(bank):
    text, _ = export(bank, "all-types", "moodle-xml")
    for comment in re.findall(r"<!--(.*?)-->", text, re.S):
        assert "--" not in comment
