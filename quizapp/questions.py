"""Reading stored questions: the read side of what ``bank/importer.py`` writes.

Flask-free; used by the services that serve and grade questions (``attempts``, ``learning``)
and by the API.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from quizapp.models import QuestionRevision

_REVISION_BY_ID = select(QuestionRevision).where(QuestionRevision.id == bindparam("id"))


def revision_by_id(session: Session, revision_id: int) -> QuestionRevision | None:
    """A stored revision.  Revisions never change once stored, so the one already in the
    session will do; otherwise a prebuilt select (cheaper than ``Session.get``'s own)."""
    known = session.identity_map.get(session.identity_key(QuestionRevision, revision_id))
    if known is not None:
        return known
    return session.execute(_REVISION_BY_ID, {"id": revision_id}).scalar_one_or_none()
