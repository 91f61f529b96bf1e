"""The form fields the types make besides WTForms' own: checkboxes, and a group of selects."""
from __future__ import annotations

from wtforms import fields, validators

from quizapp.question_types.base import _msg


class MultiCheckboxField(fields.SelectMultipleField):
    """Checkboxes in a fieldset; the browser sends one value per ticked box."""

    widget = None  # rendered by the template macro, one labelled checkbox per option
    option_widget = None

    def pre_validate(self, form):  # choices are display positions; read_field checks them
        pass


class SelectGroupField(fields.Field):
    """A row of labelled selects, one per item: used for ordering (item -> place) and
    matching (left -> right).  Plain selects keep it usable with a keyboard and
    without JavaScript.  templates/play/answer/_select_group.html renders it."""

    def __init__(self, label=None, rows=(), choices=(), **kwargs):
        super().__init__(label, **kwargs)
        self.rows = list(rows)
        self.choices = list(choices)
        self.data = []

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.raw_data = []
        if formdata is not None:
            self.data = [formdata.get(f"{self.name}-{index}", "") for index in range(len(self.rows))]
            self.raw_data = self.data
        else:
            self.data = [""] * len(self.rows)

    def pre_validate(self, form):
        if any(value == "" for value in self.data):
            raise validators.StopValidation(_msg("Answer every row."))

    def row_id(self, index: int) -> str:
        return f"{self.id}-{index}"
