"""Reading stored questions: the read side of what ``bank/importer.py`` writes.

Flask-free.  Everything that serves, grades or shows a question (``attempts``, ``learning``,
``moderation``, ``live``, the API) reads a revision as ``RevisionValues``, plain values, whether
or not the per-process cache is used: nothing there needs the ORM object (its session, its lazy
``question`` relationship), and one shape means a reader never has to wonder which it holds.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from quizapp.caching import BoundedCache
from quizapp.models import QuestionRevision


@dataclass(frozen=True)
class RevisionValues:
    """A stored revision as plain values: never an ORM object, so no session can attach it,
    expire it or write it back, and one kept per process can be shared by every request.
    ``content`` is the stored dict: nothing writes to a revision's content."""

    id: int
    question_id: int
    number: int
    type: str
    content: dict[str, Any]
    content_hash: str


# The columns of RevisionValues, in its order: a query that joins a revision to something else
# (attempts.review) selects these and builds the values from them.
REVISION_COLUMNS = (QuestionRevision.id, QuestionRevision.question_id, QuestionRevision.number,
                    QuestionRevision.type, QuestionRevision.content, QuestionRevision.content_hash)
# Built once: building a statement costs more than SQLite takes to run it (every question page).
_REVISION_VALUES = select(*REVISION_COLUMNS).where(QuestionRevision.id == bindparam("id"))
_REVISIONS_VALUES = select(*REVISION_COLUMNS).where(QuestionRevision.id.in_(bindparam("ids", expanding=True)))


def revision_values(session: Session, revision_id: int,
                    kept: BoundedCache[Any] | None = None) -> RevisionValues | None:
    """The revision ``revision_id``, read by one prebuilt select of its plain row.  With ``kept``
    (the app's ``Caches.revisions``) that row is read once per process: a stored revision never
    changes (``bank/importer.py`` writes an edited question as a new revision), so only its id is
    in the key.  A database rebuilt under a running process (ids given out again) needs the
    process restarted.

    Kept, because the question page went from 0.40x to 0.45x of the signed-in floor (CPU per
    request 0.834 -> 0.752 ms: -9.8%, +10.9% requests per CPU second; in-process, the bench's
    data, 3 interleaved pairs of runs of 5 x 300 requests, 2026-12-05 18:11 UTC, load 1.5)."""
    def read() -> RevisionValues | None:
        row = session.execute(_REVISION_VALUES, {"id": revision_id}).one_or_none()
        return None if row is None else RevisionValues(*row)

    return read() if kept is None else kept.get_or_make(revision_id, read)


def revisions_values(session: Session, revision_ids: Iterable[int]) -> dict[int, RevisionValues]:
    """Several revisions by id, in one select (a finished attempt's, a live game's)."""
    ids = sorted(set(revision_ids))
    if not ids:
        return {}
    return {row[0]: RevisionValues(*row) for row in session.execute(_REVISIONS_VALUES, {"ids": ids})}
