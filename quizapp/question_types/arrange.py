"""Questions answered by arranging shown items: putting them in order, or matching pairs."""
from __future__ import annotations

from quizapp.bank.checks import LANGUAGES, is_int
from quizapp.json_schema import LABELS
from quizapp.question_types.base import (MAX_LIST, AnswerRow, Grade, InvalidResponse, PublicSchema, QuestionType,
                                         _msg, index_list, key_at, localized, register)
from quizapp.question_types.fields import SelectGroupField


ORDER_BY = ("time", "other")


@register
class Ordering(QuestionType):
    name = "ordering"
    required_keys = ("items",)
    # What the order is about: "time" (the hint says 1 is the earliest) or "other" (the
    # question text says which order; the hint says only that 1 comes first).  Default: other.
    optional_keys = ("order_by",)
    always_shuffle = True
    answer_template = "play/answer/_places.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({"items": LABELS}, ["items"],
                                 "Answer with a list: for each item of `items`, in the order shown, its place (1 = first).")

    def check(self, question, check):
        check.option_mapping(question.get("items"), ("items",), minimum=3)
        if "order_by" in question and question["order_by"] not in ORDER_BY:
            check.problem(("order_by",), f"expected one of: {', '.join(ORDER_BY)}")

    def shuffled_keys(self, content):
        return list(content["items"])

    def make_field(self, content, order, locale, label):
        rows = [localized(content["items"][key], locale) for key in order]
        positions = [(str(n), str(n)) for n in range(1, len(order) + 1)]
        return SelectGroupField(label, rows=rows, choices=positions)

    def read_field(self, content, order, data):
        # data: for each item in display order, the place the player gave it (1..n).
        if not isinstance(data, list) or len(data) != len(order):
            raise InvalidResponse(_msg("Give every item a place."))
        try:
            places = [int(value) for value in data]
        except (TypeError, ValueError):
            raise InvalidResponse(_msg("Give every item a place.")) from None
        if sorted(places) != list(range(1, len(order) + 1)):
            raise InvalidResponse(_msg("Use each place exactly once."))
        return [key for _, key in sorted(zip(places, order))]

    def check_json(self, data):
        # For each displayed item, its place (1 = first): [2, 3, 1].
        if not isinstance(data, list) or not data or len(data) > MAX_LIST or not all(is_int(v) for v in data):
            raise InvalidResponse(_msg("Give every item a place."))
        return data

    def grade(self, content, response):
        right_order = list(content["items"])
        response = list(response or [])
        if sorted(response) != sorted(right_order):
            return Grade(0.0, False)
        rank = {key: index for index, key in enumerate(response)}
        pairs = [(a, b) for i, a in enumerate(right_order) for b in right_order[i + 1:]]
        # Partial credit: the share of pairs the player put in the right relative order.
        good = sum(1 for a, b in pairs if rank[a] < rank[b])
        return Grade(good / len(pairs), good == len(pairs))

    def format_answer(self, content, locale):
        return " → ".join(localized(label, locale) for label in content["items"].values())

    def format_response(self, content, response, locale):
        return " → ".join(localized(content["items"][key], locale) for key in (response or []) if key in content["items"]) or "—"

    def answer_rows(self, content, response, locale):
        # One row per place: the item the player put there beside the item that belongs there.
        given = [localized(content["items"][key], locale) for key in (response or []) if key in content["items"]]
        right = [localized(label, locale) for label in content["items"].values()]
        return [AnswerRow(str(place), given[place - 1] if place <= len(given) else "—", item)
                for place, item in enumerate(right, start=1)]

    def public_view(self, content, order, locale):
        return {"items": [localized(content["items"][key], locale) for key in order]}


@register
class Matching(QuestionType):
    name = "matching"
    required_keys = ("pairs",)
    always_shuffle = True
    answer_template = "play/answer/_matches.html"
    missing_message = _msg("Choose an answer.")
    public_schema = PublicSchema({"left": LABELS, "right": LABELS}, ["left", "right"],
                                 "Answer with a list: for each item of `left`, the index in `right` of its match.")

    def check(self, question, check):
        pairs = question.get("pairs")
        if not isinstance(pairs, list):
            check.problem(("pairs",), "expected a list of {left, right} pairs")
            return
        seen: dict[str, dict[tuple[str, str], int]] = {"left": {}, "right": {}}
        for index, pair in enumerate(pairs):
            if not check.mapping(pair, ("pairs", index)) or not check.keys(pair, ("pairs", index), ("left", "right"), ()):
                continue
            for side in ("left", "right"):
                if not check.localized(pair[side], ("pairs", index, side)):
                    continue
                for lang in (lang for lang in LANGUAGES if lang in pair[side]):
                    folded = (lang, " ".join(pair[side][lang].casefold().split()))
                    if folded in seen[side]:
                        check.problem(("pairs", index, side), f"duplicate option: same {lang} text as pairs[{seen[side][folded]}]")
                    else:
                        seen[side][folded] = index
        if len(pairs) < 3:
            check.problem(("pairs",), f"needs at least 3 pairs, got {len(pairs)}")

    def shuffled_keys(self, content):
        return [str(index) for index in range(len(content["pairs"]))]

    def make_field(self, content, order, locale, label):
        rows = [localized(pair["left"], locale) for pair in content["pairs"]]
        choices = [(str(n), localized(content["pairs"][int(key)]["right"], locale)) for n, key in enumerate(order)]
        return SelectGroupField(label, rows=rows, choices=choices)

    def read_field(self, content, order, data):
        # data: for each left item (in YAML order), the display index of the right item chosen.
        if not isinstance(data, list) or len(data) != len(content["pairs"]):
            raise InvalidResponse(_msg("Match every item."))
        return [key_at(order, value) for value in data]

    def check_json(self, data):
        # For each left item, the index of the right item chosen: [2, 0, 1].
        return index_list(data, _msg("Match every item."))

    def grade(self, content, response):
        response = list(response or [])
        total = len(content["pairs"])
        good = sum(1 for index, chosen in enumerate(response[:total]) if chosen == str(index))
        return Grade(good / total, good == total)

    def format_answer(self, content, locale):
        return "; ".join(f"{localized(p['left'], locale)} — {localized(p['right'], locale)}" for p in content["pairs"])

    def format_response(self, content, response, locale):
        if not response:
            return "—"
        return "; ".join(
            f"{localized(pair['left'], locale)} — {localized(content['pairs'][int(chosen)]['right'], locale)}"
            for pair, chosen in zip(content["pairs"], response)
            if str(chosen).isdigit() and int(chosen) < len(content["pairs"])
        )

    def answer_rows(self, content, response, locale):
        # One row per item on the left: the match the player chose beside the right one.
        pairs, chosen = content["pairs"], list(response or [])
        rows = []
        for index, pair in enumerate(pairs):
            pick = chosen[index] if index < len(chosen) else None
            given = localized(pairs[int(pick)]["right"], locale) \
                if str(pick).isdigit() and int(str(pick)) < len(pairs) else "—"
            rows.append(AnswerRow(localized(pair["left"], locale), given, localized(pair["right"], locale)))
        return rows

    def public_view(self, content, order, locale):
        return {
            "left": [localized(pair["left"], locale) for pair in content["pairs"]],
            "right": [localized(content["pairs"][int(key)]["right"], locale) for key in order],
        }
