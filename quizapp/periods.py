"""Leaderboard periods: all time, this week, today.

Boundaries are local (a configured time zone, Asia/Almaty by default) but stored and
compared as UTC instants: a period is named by the UTC moment its local start falls on.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

PERIODS = ("all", "week", "day")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def period_start(period: str, moment: datetime, zone: ZoneInfo) -> datetime:
    if period == "all":
        return EPOCH
    local = moment.astimezone(zone)
    day = datetime(local.year, local.month, local.day, tzinfo=zone)
    if period == "day":
        return day.astimezone(timezone.utc)
    if period == "week":  # weeks start on Monday
        monday = day.date() - timedelta(days=local.weekday())
        return datetime(monday.year, monday.month, monday.day, tzinfo=zone).astimezone(timezone.utc)
    raise ValueError(f"unknown period {period!r}")


def period_starts(moment: datetime, zone: ZoneInfo) -> dict[str, datetime]:
    return {period: period_start(period, moment, zone) for period in PERIODS}
