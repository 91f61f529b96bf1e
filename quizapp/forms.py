"""The base of every form here: it reads the request's form fields, and nothing else.

Flask-WTF's ``FlaskForm`` also fills fields from uploaded files and from a JSON body, so a
field can receive a file, a number, a list or a dict.  WTForms' validators and our filters
expect text and fail on those with a TypeError: a 500 for ``{"username": 5}`` sent as JSON
to /login, or a file posted as a token's name.  No form of this app takes a file or JSON,
so here anything but a form field is simply absent, and the form says what is missing.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS

_FROM_REQUEST = object()


class Form(FlaskForm):
    def __init__(self, formdata: Any = _FROM_REQUEST, **kwargs: Any) -> None:
        if formdata is _FROM_REQUEST:
            formdata = request.form if request.method in SUBMIT_METHODS and request.form else None
        super().__init__(formdata=formdata, **kwargs)
