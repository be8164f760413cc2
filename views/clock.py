"""The app's one clock: what time it is for the web layer.

Everything the advertiser, the agencies and the desk are shown that depends on the date (which
issues are still open, a copy deadline, "today" on the desk) asks this module, so a test sets
one config value, NOW (an aware datetime, see tests/conftest.py), and the whole app agrees on
the moment: before, on and after a deadline can be tested without waiting for it.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from notices.deadlines import PublishingCalendar


def now() -> datetime:
    """Config NOW if set, else the real time; always aware (the calendar refuses a naive one)."""
    fixed: datetime | None = current_app.config.get("NOW")
    return fixed or datetime.now().astimezone()


def today(calendar: PublishingCalendar) -> date:
    """Today's date where the paper appears (Beijing for ours), not where the server runs:
    at 07:00 Beijing time a UTC server is still on the day before."""
    return now().astimezone(calendar.tz).date()
