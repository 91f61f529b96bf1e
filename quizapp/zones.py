"""Time zones for people: which zone a name is, and how to name a zone on a page.

Times are stored in UTC and shown in the viewer's zone: the browser's, when it has told us
(the ``tz`` cookie that ``static/zone.js`` sets from ``Intl``), else the configured one
(``DISPLAY_TIMEZONE``, by default the leaderboards' zone, Asia/Almaty).  Whatever the zone,
the page names it beside the time, so "05:54" is never a guess between UTC and local time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import get_timezone_location

MAX_NAME = 64  # the longest IANA name is about 30 characters


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone called ``name`` ("Asia/Almaty"), or None for anything else: a cookie is
    the browser's word, so only a name from the zone database is trusted."""
    if not name or len(name) > MAX_NAME or name not in _known():
        return None
    return _zone(name)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def utc_offset(zone: ZoneInfo, moment: datetime) -> str:
    """"UTC+5", "UTC−3:30", "UTC": the zone's offset at that moment (summer time included)."""
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(zone: ZoneInfo, moment: datetime, locale: str) -> str:
    """The zone as a reader knows it: its city in the page's language and its offset
    ("Алматы, UTC+5", "Almaty, UTC+5", "阿拉木图, UTC+5"); plain "UTC" for UTC itself."""
    offset = utc_offset(zone, moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    key = str(zone.key)
    if key == "UTC" or key.startswith("Etc/") or "/" not in key:
        return offset
    return f"{get_timezone_location(key, locale, return_city=True)}, {offset}"
