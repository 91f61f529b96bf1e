"""The report tables as files in the teacher's language: the domain's column keys and codes
(``class_reports.report_table``, ``class_live.game_table``) named as the pages name them, the
finish in the viewer's zone (the header says which), and a file name that says what it is."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import Response
from flask_babel import gettext as _, lazy_gettext as _l

from quizapp.exports import to_csv, to_xlsx
from quizapp.layout import with_zone

_COLUMNS = {"student": _l("Student"), "state": _l("State"), "attempts": _l("Attempts"), "accuracy": _l("Accuracy"),
            "band": _l("Band"), "score": _l("Score"), "max_score": _l("Maximum score"), "time_s": _l("Time, s"),
            "flags": _l("Integrity"), "player": _l("Player"), "in_class": _l("In the class"),
            "right": _l("Right answers"), "questions": _l("Questions"), "points": _l("Points"), "place": _l("Place")}
_STATES = {"not_started": _l("Not started"), "in_progress": _l("In progress"), "done": _l("Done")}
_BANDS = {"under_40": _l("under 40%%"), "40_70": _l("40–70%%"), "70_90": _l("70–90%%"), "90_up": _l("90%% and over")}
_FLAGS = {"held": _l("held for review"), "voided": _l("voided")}
# Number formats of the XLSX by column key: a fraction shown as a percent, a date with its time.
_FORMATS = {"accuracy": "0%", "finished": "yyyy-mm-dd hh:mm"}


def _value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "state":
        return str(_STATES[value])
    if key == "band":
        return str(_BANDS[value]).replace("%%", "%")
    if key == "flags":
        return ", ".join(str(_FLAGS[flag]) for flag in value)
    if key == "in_class":
        return _("yes") if value else _("no")
    return value


def localized(keys: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    headers = [with_zone(_("Finished")) if key == "finished" else str(_COLUMNS[key]) for key in keys]
    return headers, [[_value(key, value) for key, value in zip(keys, row)] for row in rows]


def download(keys: list[str], rows: list[list[Any]], name: str, kind: str, fallback: str) -> Response:
    """``name``: what the file is called ("7B – Quick"), in any script; ``fallback``: an ASCII
    name for the browsers that read only ``filename``."""
    headers, values = localized(keys, rows)
    if kind == "csv":
        body, mimetype = to_csv(headers, values), "text/csv; charset=utf-8"
    else:
        formats = {index: _FORMATS[key] for index, key in enumerate(keys) if key in _FORMATS}
        # A sheet's name may not hold []:*?/\ and has at most 31 characters.
        body = to_xlsx(headers, values, title=re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or fallback, formats=formats)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    safe_name = re.sub(r'[\x00-\x1f"\\/:*?<>|]', " ", name).strip() or fallback
    response.headers["Content-Disposition"] = (f'attachment; filename="{fallback}.{kind}"; '
                                               f"filename*=UTF-8''{quote(safe_name + '.' + kind)}")
    response.headers["Cache-Control"] = "no-store"
    return response
