from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class VisibilityForm(FlaskForm):
    """Hide or unhide: no fields but the CSRF token and where to go back to."""

    next = HiddenField()
