"""Questions answered by typing a short text, graded by one normalisation rule."""
from __future__ import annotations

import re
import string
import unicodedata

from wtforms import fields, validators

from quizapp.question_types.base import Grade, InvalidResponse, PublicSchema, QuestionType, _msg, localized, register

# Quotation marks and apostrophes are dropped, so «Цифровых технологий» = "Цифровых
# технологий" and Xi'an = Xi’an = Xian.  Chinese writes titles in book-title marks and
# corner quotes, 《冼星海》, 「一带一路」, 〈…〉, 『…』, so they are quotes too.
_QUOTES = re.compile(r"[\"'«»„“”‟‘’‚‛`´ʼ‹›《》〈〉「」『』〝〞〟]")
# Any dash or hyphen, with or without spaces around it, is one word break, so
# Китай—Казахстан = Китай – Казахстан = Китай-Казахстан = Китай Казахстан, and
# Alma-Ata = Alma Ata.
_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D]+\s*")
# A note in brackets after the answer, "Шанхайская организация сотрудничества (ШОС)",
# adds nothing to it.
_BRACKETED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
# Commas, full stops and the like inside an answer are word breaks too:
# "One Belt, One Road" = "One Belt One Road".  NFKC has already turned the full-width
# ，；：！？（） of a Chinese keyboard into these ASCII ones (so 上海合作组织（上合组织） has its
# note dropped like any other); the ideographic full stop and enumeration comma (。、) and
# the dot between the parts of a foreign name in Chinese (卡西姆-若马尔特·托卡耶夫) have
# no ASCII form, so they are listed.
_SEPARATORS = re.compile(r"[,.;:!?/\\&+*_|。、｡､·・‧•]+")
# Chinese is written without spaces between words, and players type it with or without
# them (冼星海 = 冼 星海, 中欧班列 = 中欧 班列), so a space next to a Chinese character is
# dropped.  Letters of other scripts keep their word breaks.
_HAN = r"\u3007\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003FFFF"
_SPACE_BY_HAN = re.compile(rf"(?<=[{_HAN}]) | (?=[{_HAN}])")
# Romanised Kazakh and Russian names come in several systems: й and ы are written y or i
# (Moyynty, Moiynty, Moyinty), е after a vowel ye or e (Tynyshpayev, Tynyshpaev), х kh or h.
# Folding these in Latin text only leaves Cyrillic answers exact.
_LATIN_YE_AFTER_VOWEL = re.compile(r"(?<=[aeiouy])ye")
_STRIP = string.punctuation + "«»„“”‘’—–…" + string.whitespace


_KAZAKH_ONLY_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def script_language(text: str) -> str | None:
    """Which of the bank's languages a short text is most likely in, by its letters: Chinese
    characters are zh, Cyrillic with a letter only Kazakh has is kk, other Cyrillic ru, Latin
    en; None for digits and signs alone."""
    names = [unicodedata.name(character, "") for character in text if character.isalpha()]
    if any(name.startswith("CJK UNIFIED IDEOGRAPH") for name in names):
        return "zh"
    if any(name.startswith("CYRILLIC") for name in names):
        return "kk" if _KAZAKH_ONLY_LETTERS & set(text) else "ru"
    if any(name.startswith("LATIN") for name in names):
        return "en"
    return None


def normalise_text(text: str) -> str:
    """The one rule that decides whether two typed answers are the same answer.

    Case, ё/е, quotes (Chinese ones too), dashes (with or without spaces), a bracketed
    note, other punctuation, runs of spaces, spaces beside Chinese characters and the usual
    variants of romanisation do not matter; letters and the order of words do.  Both the
    bank's accepted answers and the player's answer go through it, so the bank lists only
    spellings that truly differ.
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    text = _QUOTES.sub("", text)
    without_note = _BRACKETED.sub("", text)
    if without_note.strip(_STRIP):
        text = without_note
    text = _DASHES.sub(" ", _SEPARATORS.sub(" ", text))
    text = " ".join(text.split()).strip(_STRIP)
    text = _SPACE_BY_HAN.sub("", text)
    text = _LATIN_YE_AFTER_VOWEL.sub("e", text)
    return text.replace("kh", "h").replace("y", "i")


@register
class ShortText(QuestionType):
    name = "text"
    required_keys = ("answer", "accept")
    answer_template = "play/answer/_text.html"
    missing_message = _msg("Type an answer.")
    unprintable_message = _msg("Type an answer.")
    public_schema = PublicSchema({}, [], "Answer with a short text.")
    def check(self, question, check):
        check.localized(question.get("answer"), ("answer",))
        if check.string_list(question.get("accept"), ("accept",)):
            # The grader already folds case, dashes, quotes and romanisation; two entries it
            # reads as one answer mean the list has not been kept to spellings that differ.
            seen: dict[str, str] = {}
            for index, variant in enumerate(question["accept"]):
                same = seen.setdefault(normalise_text(variant), variant)
                if same is not variant:
                    check.problem(("accept", index), f"{variant!r} is the same answer as {same!r} once "
                                                     "normalised; list only spellings that truly differ")

    def make_field(self, content, order, locale, label):
        return fields.StringField(label, validators=[validators.InputRequired(message=_msg("Type an answer.")),
                                                      validators.Length(max=200)],
                                  render_kw={"autocomplete": "off"})

    def read_field(self, content, order, data):
        text = str(data or "").strip()
        if not text:
            raise InvalidResponse(_msg("Type an answer."))
        return text[:200]

    def check_json(self, data):
        # A string with something in it besides spaces.
        if isinstance(data, str) and data.strip():
            return data
        raise InvalidResponse(_msg("Type an answer."))

    def accepted(self, content) -> set[str]:
        return {normalise_text(v) for v in [*content["accept"], *content["answer"].values()]}

    def grade(self, content, response):
        right = isinstance(response, str) and normalise_text(response) in self.accepted(content)
        return Grade(1.0 if right else 0.0, right)

    def format_answer(self, content, locale):
        return localized(content["answer"], locale)

    def format_response(self, content, response, locale):
        return response or "—"

    def response_language(self, content, response, locale):
        # A player on an English page may type the Russian «Алматы»: the answer's own forms say
        # which language it is; anything else is judged by its letters.
        if not isinstance(response, str):
            return None
        typed = normalise_text(response)
        for lang in (locale, *content["answer"]):
            if lang in content["answer"] and normalise_text(content["answer"][lang]) == typed:
                return None if lang == locale else lang
        guess = script_language(response)
        # Russian and Kazakh share Cyrillic: on either page, Cyrillic letters alone prove nothing.
        if guess is None or guess == locale or {guess, locale} <= {"ru", "kk"}:
            return None
        return guess

    def public_view(self, content, order, locale):
        return {}  # the question's text is all it shows
