from __future__ import annotations

from wtforms import HiddenField

from quizapp.forms import Form


class VisibilityForm(Form):
    """Hide or unhide: no fields but the CSRF token and where to go back to."""

    next = HiddenField()


class DecisionForm(Form):
    """Clear or void a flagged attempt: no fields but the CSRF token."""
