"""Times on the teacher's pages: stored in UTC, shown and typed in the viewer's zone."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import get_timezone


def to_local(value: datetime) -> datetime:
    """A stored UTC time in the zone every page shows times in (Flask-Babel's, which the
    operator sets with BABEL_DEFAULT_TIMEZONE): what the teacher types is read in it too."""
    return value.astimezone(viewer_zone())


def from_local(value: datetime) -> datetime:
    """A time typed in that zone (a naive datetime-local) as UTC."""
    return value.replace(tzinfo=viewer_zone()).astimezone(timezone.utc)


def viewer_zone() -> ZoneInfo:
    return ZoneInfo(str(get_timezone()))  # Flask-Babel gives a pytz zone; its name makes a ZoneInfo
