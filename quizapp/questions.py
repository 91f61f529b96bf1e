"""Reading stored questions: the read side of what ``bank/importer.py`` writes.

Flask-free; used by the services that serve and grade questions (``attempts``, ``learning``)
and by the API.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from quizapp.caching import BoundedCache
from quizapp.models import QuestionRevision

_REVISION_BY_ID = select(QuestionRevision).where(QuestionRevision.id == bindparam("id"))


def revision_by_id(session: Session, revision_id: int) -> QuestionRevision | None:
    """A stored revision.  Revisions never change once stored, so the one already in the
    session will do; otherwise a prebuilt select (cheaper than ``Session.get``'s own)."""
    known = session.identity_map.get(session.identity_key(QuestionRevision, revision_id))
    if known is not None:
        return known
    return session.execute(_REVISION_BY_ID, {"id": revision_id}).scalar_one_or_none()


@dataclass(frozen=True)
class KeptRevision:
    """A revision as plain values, kept per process and shared by every request that serves it:
    never an ORM object, so no session can attach it, expire it or write it back.  Reads like
    ``QuestionRevision`` for what serving and grading read (``type``, ``content``, ``id``,
    ``content_hash``).  ``content`` is the stored dict: nothing writes to a revision's content."""

    id: int
    question_id: int
    number: int
    type: str
    content: dict[str, Any]
    content_hash: str


_KEPT_REVISION = select(QuestionRevision.id, QuestionRevision.question_id, QuestionRevision.number,
                        QuestionRevision.type, QuestionRevision.content, QuestionRevision.content_hash
                        ).where(QuestionRevision.id == bindparam("id"))


def kept_revision(session: Session, revision_id: int,
                  kept: BoundedCache[Any] | None) -> QuestionRevision | KeptRevision | None:
    """The revision ``revision_id``; with ``kept`` (the app's ``Caches.revisions``) as plain
    values read once per process: a stored revision never changes (``bank/importer.py`` writes
    an edited question as a new revision), so only its id is in the key.  A database rebuilt
    under a running process (ids given out again) needs the process restarted.

    Kept, because the question page went from 0.40x to 0.45x of the signed-in floor (CPU per
    request 0.834 -> 0.752 ms: -9.8%, +10.9% requests per CPU second; in-process, the bench's
    data, 3 interleaved pairs of runs of 5 x 300 requests, 2026-12-05 18:11 UTC, load 1.5)."""
    if kept is None:
        return revision_by_id(session, revision_id)

    def read() -> KeptRevision | None:
        row = session.execute(_KEPT_REVISION, {"id": revision_id}).one_or_none()
        return None if row is None else KeptRevision(*row)

    return kept.get_or_make(revision_id, read)
