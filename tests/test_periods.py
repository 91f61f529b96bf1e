"""Period boundaries are local (Asia/Almaty by default) and stored as UTC instants."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from quizapp.periods import EPOCH, period_start

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5 since 2024


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_today_starts_at_local_midnight():
    # 18:59 UTC on the 6th is 23:59 in Almaty: still the 6th there.
    assert period_start("day", utc(2026, 1, 6, 18, 59), ALMATY) == utc(2026, 1, 5, 19, 0)
    # A minute later it is the 7th in Almaty, though still the 6th in UTC.
    assert period_start("day", utc(2026, 1, 6, 19, 0), ALMATY) == utc(2026, 1, 6, 19, 0)


def test_weeks_start_on_local_monday():
    # Sunday 2026-01-11 23:30 in Almaty belongs to the week of Monday the 5th.
    assert period_start("week", utc(2026, 1, 11, 18, 30), ALMATY) == utc(2026, 1, 4, 19, 0)
    # Monday 00:30 in Almaty (Sunday 19:30 UTC) starts the next week.
    assert period_start("week", utc(2026, 1, 11, 19, 30), ALMATY) == utc(2026, 1, 11, 19, 0)


def test_all_time_is_one_period():
    assert period_start("all", utc(2026, 1, 11, 19, 30), ALMATY) == EPOCH
